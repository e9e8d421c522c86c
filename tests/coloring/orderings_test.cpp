// The native orderings satisfy their definitions, checked against a dense
// conflict graph built here by brute force (columns conflict when they share
// a row): largest-first by static degree, smallest-last (each vertex has the
// smallest degree among itself and the vertices before it, counted in the
// graph of those), incidence degree (each vertex has the most neighbors
// before it among itself and the vertices after it), dynamic largest-first
// (each has the largest degree in the graph of itself and the vertices after
// it).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "sparsediff/coloring/greedy.hpp"
#include "test_patterns.hpp"

namespace sparsediff {
namespace {

using Graph = std::vector<std::vector<char>>;

Graph conflict_graph(const Pattern& p, ColoringKind kind) {
  const Index count = kind == ColoringKind::column ? p.cols() : p.rows();
  Graph g(static_cast<std::size_t>(count), std::vector<char>(static_cast<std::size_t>(count), 0));
  if (kind == ColoringKind::column) {
    for (Index i = 0; i < p.rows(); ++i)
      for (Index a = p.row_begin(i); a < p.row_end(i); ++a)
        for (Index b = p.row_begin(i); b < p.row_end(i); ++b)
          if (a != b) g[p.col_idx()(a)][p.col_idx()(b)] = 1;
  } else {
    for (Index i = 0; i < p.rows(); ++i)
      for (Index j = 0; j < p.rows(); ++j) {
        if (i == j) continue;
        for (Index a = p.row_begin(i); a < p.row_end(i); ++a)
          if (p.find(j, p.col_idx()(a)) >= 0) g[i][j] = 1;
      }
  }
  return g;
}

// Number of neighbors of v inside `members`.
Index degree_in(const Graph& g, Index v, const std::vector<char>& members) {
  Index d = 0;
  for (std::size_t w = 0; w < g.size(); ++w) d += (g[v][w] && members[w]) ? 1 : 0;
  return d;
}

void check_permutation(const std::vector<Index>& order, Index count) {
  ASSERT_EQ(order.size(), static_cast<std::size_t>(count));
  std::vector<Index> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (Index k = 0; k < count; ++k) ASSERT_EQ(sorted[k], k);
}

std::vector<testing::NamedPattern> patterns() {
  std::vector<testing::NamedPattern> out = testing::small_patterns();
  out.push_back({"5-point 7x7", testing::stencil_2d(7, false)});
  out.push_back({"random 40x30 dense", testing::random_pattern(40, 30, 0.15, 21)});
  return out;
}

TEST(Orderings, MeetTheirDefinitions) {
  for (const auto& [name, p] : patterns()) {
    for (ColoringKind kind : {ColoringKind::column, ColoringKind::row}) {
      const Graph g = conflict_graph(p, kind);
      const Index n = static_cast<Index>(g.size());
      const std::vector<char> everyone(static_cast<std::size_t>(n), 1);
      for (Ordering ordering : testing::all_orderings()) {
        SCOPED_TRACE(name + " " + to_string(kind) + " " + to_string(ordering));
        const std::vector<Index> order = greedy_order(p, kind, ordering, 4);
        check_permutation(order, n);
        std::vector<char> before(static_cast<std::size_t>(n), 0), after = everyone;
        for (Index pos = 0; pos < n; ++pos) {
          const Index v = order[pos];
          switch (ordering) {
            case Ordering::natural:
              EXPECT_EQ(v, pos);
              break;
            case Ordering::largest_first:
              if (pos > 0) {
                const Index prev = order[pos - 1];
                const Index dv = degree_in(g, v, everyone), dp = degree_in(g, prev, everyone);
                EXPECT_TRUE(dp > dv || (dp == dv && prev < v));
              }
              break;
            case Ordering::smallest_last: {
              // v has the smallest degree in the graph of order[0..pos].
              std::vector<char> prefix = before;
              prefix[v] = 1;
              const Index dv = degree_in(g, v, prefix);
              for (Index q = 0; q < pos; ++q) EXPECT_LE(dv, degree_in(g, order[q], prefix));
              break;
            }
            case Ordering::incidence_degree: {
              // v has the most neighbors among the vertices already ordered.
              const Index dv = degree_in(g, v, before);
              for (Index q = pos + 1; q < n; ++q) EXPECT_GE(dv, degree_in(g, order[q], before));
              break;
            }
            case Ordering::dynamic_largest_first: {
              // v has the largest degree in the graph of the vertices not yet ordered.
              const Index dv = degree_in(g, v, after);
              for (Index q = pos + 1; q < n; ++q) EXPECT_GE(dv, degree_in(g, order[q], after));
              break;
            }
            case Ordering::random:
              break;
          }
          before[v] = 1;
          after[v] = 0;
        }
      }
    }
  }
}

TEST(Orderings, RandomIsAPermutationThatDependsOnTheSeed) {
  const Pattern p = Pattern::identity(1000);
  const auto a = greedy_order(p, ColoringKind::column, Ordering::random, 1);
  const auto b = greedy_order(p, ColoringKind::column, Ordering::random, 2);
  check_permutation(a, 1000);
  check_permutation(b, 1000);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, greedy_order(p, ColoringKind::row, Ordering::random, 1));
  // Not the identity, nor its reverse.
  std::vector<Index> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_NE(a, identity);
  EXPECT_NE(a, std::vector<Index>(identity.rbegin(), identity.rend()));
}

TEST(Orderings, RefuseValuesOutsideTheEnums) {
  const Pattern p = Pattern::identity(3);
  EXPECT_THROW(greedy_order(p, ColoringKind::column, static_cast<Ordering>(17)), InvalidArgument);
  EXPECT_THROW(greedy_order(p, static_cast<ColoringKind>(3), Ordering::natural), InvalidArgument);
}

}  // namespace
}  // namespace sparsediff
