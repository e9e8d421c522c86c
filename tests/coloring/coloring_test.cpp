// color(): every combination of kind, ordering, backend and selection gives a
// valid coloring (checked by brute force and by the independent verifier);
// known chromatic numbers; lower bounds on stencils; reproducibility; errors.
#include "sparsediff/coloring/coloring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sparsediff/coloring/colpack.hpp"
#include "sparsediff/coloring/greedy.hpp"
#include "sparsediff/coloring/verify.hpp"
#include "test_patterns.hpp"

namespace sparsediff {
namespace {

using testing::all_orderings;
using testing::brute_force_lower_bound;
using testing::brute_force_valid;

struct Combination {
  ColoringBackend backend;
  GreedySelection selection;
};

const std::vector<Combination>& combinations() {
  static const std::vector<Combination> all = {
      {ColoringBackend::native, GreedySelection::in_order},
      {ColoringBackend::native, GreedySelection::saturation},
      {ColoringBackend::native, GreedySelection::best},
      {ColoringBackend::colpack, GreedySelection::in_order},
      {ColoringBackend::colpack, GreedySelection::best},
  };
  return all;
}

std::string describe(const std::string& name, ColoringKind kind, Ordering ordering,
                     const Combination& c) {
  return name + " " + to_string(kind) + " " + to_string(ordering) + " " + to_string(c.backend) +
         " " + to_string(c.selection);
}

// Largest number of other columns (rows) sharing a row (column) with one:
// no first-fit greedy uses more than this plus one colors.
Index max_distance2_degree(const Pattern& p, ColoringKind kind) {
  const Pattern q = kind == ColoringKind::column ? p.transpose() : p;  // rows of q: the vertices
  const Pattern nets = q.transpose();
  Index best = 0;
  std::vector<Index> mark(static_cast<std::size_t>(q.rows()), -1);
  for (Index v = 0; v < q.rows(); ++v) {
    Index degree = 0;
    mark[v] = v;
    for (Index k = q.row_begin(v); k < q.row_end(v); ++k) {
      const Index net = q.col_idx()(k);
      for (Index t = nets.row_begin(net); t < nets.row_end(net); ++t) {
        const Index w = nets.col_idx()(t);
        if (mark[w] != v) {
          mark[w] = v;
          ++degree;
        }
      }
    }
    best = std::max(best, degree);
  }
  return best;
}

TEST(Coloring, EveryCombinationIsValidOnSmallPatterns) {
  for (const auto& [name, p] : testing::small_patterns()) {
    for (ColoringKind kind : {ColoringKind::column, ColoringKind::row}) {
      const Index count = kind == ColoringKind::column ? p.cols() : p.rows();
      const Index bound = brute_force_lower_bound(p, kind);
      const Index greedy_limit = max_distance2_degree(p, kind) + 1;
      for (Ordering ordering : all_orderings()) {
        for (const Combination& c : combinations()) {
          SCOPED_TRACE(describe(name, kind, ordering, c));
          ColoringOptions options;
          options.kind = kind;
          options.ordering = ordering;
          options.backend = c.backend;
          options.selection = c.selection;
          options.seed = 7;
          const Coloring coloring = color(p, options);
          EXPECT_TRUE(brute_force_valid(p, coloring));
          EXPECT_TRUE(is_valid(p, coloring));
          EXPECT_NO_THROW(verify(p, coloring));
          ASSERT_EQ(coloring.colors.size(), static_cast<std::size_t>(count));
          EXPECT_EQ(coloring.kind, kind);
          EXPECT_EQ(coloring.ordering, ordering);
          EXPECT_EQ(coloring.backend, c.backend);
          EXPECT_NE(coloring.selection, GreedySelection::best);
          if (c.backend == ColoringBackend::colpack) {
            EXPECT_EQ(coloring.selection, GreedySelection::in_order);
          }
          if (c.selection != GreedySelection::best) {
            EXPECT_EQ(coloring.selection, c.selection);
          }
          EXPECT_EQ(coloring.lower_bound, bound);
          EXPECT_GE(coloring.num_colors, bound);
          if (count == 0) {
            EXPECT_EQ(coloring.num_colors, 0);
          } else {
            EXPECT_GE(coloring.num_colors, 1);
          }
          EXPECT_LE(coloring.num_colors, count == 0 ? 0 : greedy_limit);
          EXPECT_GE(coloring.seconds, 0.0);
        }
      }
    }
  }
}

TEST(Coloring, EveryCombinationIsValidOnStencils) {
  const std::vector<testing::NamedPattern> stencils = {
      {"5-point 31x31", testing::stencil_2d(31, false)},
      {"9-point 20x20", testing::stencil_2d(20, true)},
      {"7-point 9x9x9", testing::stencil_3d(9)},
      {"brusselator 12x12", testing::brusselator_2d(12)},
      {"random 300x200", testing::random_pattern(300, 200, 0.02, 5)},
  };
  for (const auto& [name, p] : stencils)
    for (ColoringKind kind : {ColoringKind::column, ColoringKind::row})
      for (Ordering ordering : all_orderings())
        for (const Combination& c : combinations()) {
          SCOPED_TRACE(describe(name, kind, ordering, c));
          const Coloring coloring = color(p, {kind, ordering, c.backend, 3, c.selection});
          EXPECT_NO_THROW(verify(p, coloring));
          EXPECT_GE(coloring.num_colors, coloring.lower_bound);
        }
}

TEST(Coloring, KnownChromaticNumbers) {
  for (ColoringBackend backend : {ColoringBackend::native, ColoringBackend::colpack}) {
    for (Ordering ordering : all_orderings()) {
      SCOPED_TRACE(to_string(backend) + " " + to_string(ordering));
      ColoringOptions column{ColoringKind::column, ordering, backend, 1};
      ColoringOptions row{ColoringKind::row, ordering, backend, 1};
      // Every column of a dense matrix meets every other one in each row.
      EXPECT_EQ(color(Pattern::dense(6, 4), column).num_colors, 4);
      EXPECT_EQ(color(Pattern::dense(6, 4), row).num_colors, 6);
      // Diagonal: nothing conflicts.
      EXPECT_EQ(color(Pattern::identity(9), column).num_colors, 1);
      EXPECT_EQ(color(Pattern::identity(9), row).num_colors, 1);
      // A dense row (column) makes all columns (rows) conflict.
      EXPECT_EQ(color(testing::arrowhead(10), column).num_colors, 10);
      EXPECT_EQ(color(testing::arrowhead(10), row).num_colors, 10);
      // No entries: one color for everything; nothing to color: none.
      EXPECT_EQ(color(Pattern::from_coo(3, 5, {}, {}), column).num_colors, 1);
      EXPECT_EQ(color(Pattern::from_coo(0, 5, {}, {}), column).num_colors, 1);
      EXPECT_EQ(color(Pattern::from_coo(0, 5, {}, {}), row).num_colors, 0);
      EXPECT_EQ(color(Pattern(), column).num_colors, 0);
      EXPECT_EQ(color(Pattern::identity(1), column).colors, std::vector<Index>{0});
    }
    // Natural first-fit on a band of half-widths (l, u) colors column j with
    // j mod (l + u + 1), which meets the row-count bound l + u + 1.
    for (auto [l, u] : {std::pair<Index, Index>{1, 1}, {2, 3}, {0, 4}}) {
      const Coloring c = color(testing::banded(40, l, u), {ColoringKind::column, Ordering::natural,
                                                           backend, 0, GreedySelection::in_order});
      EXPECT_EQ(c.num_colors, l + u + 1);
      for (Index j = 0; j < 40; ++j) EXPECT_EQ(c.colors[j], j % (l + u + 1));
    }
  }
}

// The lower bound of the 2-D stencils is met by the default options, for
// grid sizes of every residue (smallest-last alone reaches 5 on the 5-point
// stencil only for some sizes; the saturation pass of `best` fixes that).
TEST(Coloring, DefaultMeetsLowerBoundOnTwoDimensionalStencils) {
  for (Index N : {5, 6, 10, 11, 31, 64, 101}) {
    SCOPED_TRACE("N = " + std::to_string(N));
    for (bool nine_point : {false, true}) {
      const Pattern p = testing::stencil_2d(N, nine_point);
      const Coloring column = color(p);
      EXPECT_EQ(column.lower_bound, nine_point ? 9 : 5);
      EXPECT_EQ(column.num_colors, column.lower_bound);
      verify(p, column);
      const Coloring row = color(p, {ColoringKind::row});
      EXPECT_EQ(row.num_colors, row.lower_bound);
      verify(p, row);
    }
  }
}

// What natural order gives on the 2-D stencils (no saturation), derived by
// hand: first-fit colors the first grid row 0 1 2 0 1 2 ... (period 3, where
// the optimal (x + 2y) mod 5 has period 5) and ends with 7 colors on the
// 5-point stencil; on the 9-point stencil it reproduces the optimal
// (x mod 3) + 3 (y mod 3).
TEST(Coloring, NaturalOrderOnStencilsBothBackends) {
  for (ColoringBackend backend : {ColoringBackend::native, ColoringBackend::colpack}) {
    for (Index N : {10, 31}) {
      const ColoringOptions natural{ColoringKind::column, Ordering::natural, backend, 0,
                                    GreedySelection::in_order};
      const Coloring five = color(testing::stencil_2d(N, false), natural);
      EXPECT_EQ(five.num_colors, 7);
      for (Index x = 0; x < N; ++x) EXPECT_EQ(five.colors[x], x % 3);
      const Coloring nine = color(testing::stencil_2d(N, true), natural);
      EXPECT_EQ(nine.num_colors, 9);
      for (Index y = 0; y < N; ++y)
        for (Index x = 0; x < N; ++x) EXPECT_EQ(nine.colors[x + N * y], x % 3 + 3 * (y % 3));
    }
  }
}

TEST(Coloring, SaturationMeetsLowerBoundOnStencilsWithEveryOrdering) {
  for (Ordering ordering : all_orderings()) {
    // Natural and incidence-degree ties give 6 colors on the 5-point stencil.
    if (ordering == Ordering::random || ordering == Ordering::natural ||
        ordering == Ordering::incidence_degree)
      continue;
    for (Index N : {11, 40, 101}) {
      for (bool nine_point : {false, true}) {
        SCOPED_TRACE(to_string(ordering) + " N = " + std::to_string(N) +
                     (nine_point ? " 9-point" : " 5-point"));
        const Pattern p = testing::stencil_2d(N, nine_point);
        const Coloring c = color(p, {ColoringKind::column, ordering, ColoringBackend::native, 0,
                                     GreedySelection::saturation});
        EXPECT_EQ(c.num_colors, nine_point ? 9 : 5);
      }
    }
  }
}

// Natural, largest-first, smallest-last and incidence-degree break ties by
// ColPack's rules, the random permutation comes from the seed for both
// backends, and both color first-fit in the resulting order: in order the
// colorings must agree exactly, each implementation checked against an
// independent one. (Dynamic largest-first breaks ties its own way and is
// checked against its definition in orderings_test.cpp.)
TEST(Coloring, NativeInOrderMatchesColPackExactly) {
  std::vector<testing::NamedPattern> patterns = testing::small_patterns();
  patterns.push_back({"7-point 6x6x6", testing::stencil_3d(6)});
  patterns.push_back({"brusselator 9x9", testing::brusselator_2d(9)});
  patterns.push_back({"5-point 19x19", testing::stencil_2d(19, false)});
  patterns.push_back({"9-point 14x14", testing::stencil_2d(14, true)});
  for (unsigned seed = 0; seed < 6; ++seed)
    patterns.push_back({"random 80x70 s" + std::to_string(seed),
                        testing::random_pattern(80, 70, 0.01 + 0.01 * seed, 300 + seed)});
  for (const auto& [name, p] : patterns)
    for (ColoringKind kind : {ColoringKind::column, ColoringKind::row})
      for (Ordering ordering : all_orderings()) {
        if (ordering == Ordering::dynamic_largest_first) continue;
        SCOPED_TRACE(name + " " + to_string(kind) + " " + to_string(ordering));
        const Coloring native =
            color(p, {kind, ordering, ColoringBackend::native, 11, GreedySelection::in_order});
        const Coloring colpack = color(p, {kind, ordering, ColoringBackend::colpack, 11});
        EXPECT_EQ(native.colors, colpack.colors);
        EXPECT_EQ(native.num_colors, colpack.num_colors);
      }
}

// ColPack 1.0.10's largest-first drops the first column when the column
// degrees run 1, 2, 3, 2 (rows {0,2}, {1,2}, {1,3}, {2,3}); the adapter
// colors in the order ColPack intends, which is the native one.
TEST(Coloring, ColPackLargestFirstWorkaround) {
  const Pattern p = Pattern::from_coo(4, 4, {0, 0, 1, 1, 2, 2, 3, 3}, {0, 2, 1, 2, 1, 3, 2, 3});
  // The transpose triggers it for the row kind.
  const std::vector<testing::NamedPattern> patterns = {{"p", p}, {"p^T", p.transpose()}};
  for (const auto& [name, q] : patterns)
    for (ColoringKind kind : {ColoringKind::column, ColoringKind::row}) {
      SCOPED_TRACE(name + " " + to_string(kind));
      const Coloring colpack = color(q, {kind, Ordering::largest_first, ColoringBackend::colpack});
      const Coloring native = color(q, {kind, Ordering::largest_first, ColoringBackend::native, 0,
                                        GreedySelection::in_order});
      EXPECT_TRUE(brute_force_valid(q, colpack));
      EXPECT_EQ(colpack.colors, native.colors);
    }
}

// The `best` selection keeps the in-order coloring when it meets the lower
// bound, and otherwise the one with fewer colors.
TEST(Coloring, BestIsTheBetterOfInOrderAndSaturation) {
  std::vector<testing::NamedPattern> patterns = testing::small_patterns();
  patterns.push_back({"5-point 23x23", testing::stencil_2d(23, false)});
  patterns.push_back({"brusselator 10x10", testing::brusselator_2d(10)});
  for (const auto& [name, p] : patterns)
    for (Ordering ordering : all_orderings()) {
      SCOPED_TRACE(name + " " + to_string(ordering));
      ColoringOptions options{ColoringKind::column, ordering, ColoringBackend::native, 2};
      options.selection = GreedySelection::in_order;
      const Coloring in_order = color(p, options);
      options.selection = GreedySelection::saturation;
      const Coloring saturation = color(p, options);
      options.selection = GreedySelection::best;
      const Coloring best = color(p, options);
      if (in_order.num_colors <= in_order.lower_bound ||
          in_order.num_colors <= saturation.num_colors) {
        EXPECT_EQ(best.colors, in_order.colors);
        EXPECT_EQ(best.selection, GreedySelection::in_order);
      } else {
        EXPECT_EQ(best.colors, saturation.colors);
        EXPECT_EQ(best.selection, GreedySelection::saturation);
      }
    }
}

TEST(Coloring, RowColoringIsColumnColoringOfTheTranspose) {
  std::vector<testing::NamedPattern> patterns = testing::small_patterns();
  patterns.push_back({"random 60x90", testing::random_pattern(60, 90, 0.05, 77)});
  for (const auto& [name, p] : patterns)
    for (Ordering ordering : all_orderings())
      for (GreedySelection selection :
           {GreedySelection::in_order, GreedySelection::saturation, GreedySelection::best}) {
        SCOPED_TRACE(name + " " + to_string(ordering) + " " + to_string(selection));
        const Coloring rows =
            color(p, {ColoringKind::row, ordering, ColoringBackend::native, 5, selection});
        const Coloring columns = color(
            p.transpose(), {ColoringKind::column, ordering, ColoringBackend::native, 5, selection});
        EXPECT_EQ(rows.colors, columns.colors);
        EXPECT_EQ(rows.lower_bound, columns.lower_bound);
      }
}

TEST(Coloring, RandomOrderingIsReproducibleForAFixedSeed) {
  const Pattern p = testing::random_pattern(120, 150, 0.04, 3);
  for (ColoringBackend backend : {ColoringBackend::native, ColoringBackend::colpack}) {
    SCOPED_TRACE(to_string(backend));
    const ColoringOptions a{ColoringKind::column, Ordering::random, backend, 42};
    const Coloring first = color(p, a), second = color(p, a);
    EXPECT_EQ(first.colors, second.colors);
    // Another seed visits the columns in another order.
    const ColoringOptions b{ColoringKind::column, Ordering::random, backend, 43};
    EXPECT_NE(color(p, b).colors, first.colors);
  }
  EXPECT_EQ(greedy_order(p, ColoringKind::column, Ordering::random, 42),
            greedy_order(p, ColoringKind::column, Ordering::random, 42));
  EXPECT_NE(greedy_order(p, ColoringKind::column, Ordering::random, 42),
            greedy_order(p, ColoringKind::column, Ordering::random, 43));
}

TEST(Coloring, ColorsAreContiguousFromZero) {
  for (const auto& [name, p] : testing::small_patterns())
    for (Ordering ordering : all_orderings())
      for (ColoringBackend backend : {ColoringBackend::native, ColoringBackend::colpack}) {
        SCOPED_TRACE(name + " " + to_string(ordering) + " " + to_string(backend));
        const Coloring c = color(p, {ColoringKind::column, ordering, backend, 9});
        std::vector<Index> used = c.colors;
        std::sort(used.begin(), used.end());
        used.erase(std::unique(used.begin(), used.end()), used.end());
        ASSERT_EQ(used.size(), static_cast<std::size_t>(c.num_colors));
        for (Index k = 0; k < c.num_colors; ++k) EXPECT_EQ(used[k], k);
      }
}

TEST(Coloring, OptionsOutsideTheirEnumsAreRefused) {
  const Pattern p = Pattern::identity(3);
  for (ColoringBackend backend : {ColoringBackend::native, ColoringBackend::colpack}) {
    ColoringOptions bad_kind;
    bad_kind.backend = backend;
    bad_kind.kind = static_cast<ColoringKind>(7);
    EXPECT_THROW(color(p, bad_kind), InvalidArgument);
    ColoringOptions bad_ordering;
    bad_ordering.backend = backend;
    bad_ordering.ordering = static_cast<Ordering>(99);
    EXPECT_THROW(color(p, bad_ordering), InvalidArgument);
    ColoringOptions bad_selection;
    bad_selection.backend = backend;
    bad_selection.selection = static_cast<GreedySelection>(12);
    EXPECT_THROW(color(p, bad_selection), InvalidArgument);
  }
  ColoringOptions bad_backend;
  bad_backend.backend = static_cast<ColoringBackend>(5);
  try {
    color(p, bad_backend);
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("backend value 5"), std::string::npos) << e.what();
  }
}

TEST(Coloring, ColPackRefusesSaturation) {
  ColoringOptions options;
  options.backend = ColoringBackend::colpack;
  options.selection = GreedySelection::saturation;
  try {
    color(Pattern::identity(4), options);
    FAIL() << "no exception";
  } catch (const NotSupported& e) {
    EXPECT_NE(std::string(e.what()).find("saturation"), std::string::npos) << e.what();
  }
}

TEST(Coloring, NamesRoundTrip) {
  for (Ordering ordering : all_orderings())
    EXPECT_EQ(parse_ordering(to_string(ordering)), ordering);
  EXPECT_EQ(to_string(Ordering::natural), "natural");
  EXPECT_EQ(to_string(Ordering::largest_first), "lf");
  EXPECT_EQ(to_string(Ordering::smallest_last), "sl");
  EXPECT_EQ(to_string(Ordering::incidence_degree), "id");
  EXPECT_EQ(to_string(Ordering::dynamic_largest_first), "dlf");
  EXPECT_EQ(to_string(Ordering::random), "random");
  EXPECT_EQ(parse_ordering("largest_first"), Ordering::largest_first);
  EXPECT_EQ(parse_ordering("smallest_last"), Ordering::smallest_last);
  EXPECT_EQ(parse_ordering("incidence_degree"), Ordering::incidence_degree);
  EXPECT_EQ(parse_ordering("dynamic_largest_first"), Ordering::dynamic_largest_first);
  try {
    parse_ordering("SL");
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("\"SL\""), std::string::npos) << e.what();
  }
  for (ColoringKind kind : {ColoringKind::column, ColoringKind::row})
    EXPECT_EQ(parse_coloring_kind(to_string(kind)), kind);
  for (ColoringBackend backend : {ColoringBackend::native, ColoringBackend::colpack})
    EXPECT_EQ(parse_coloring_backend(to_string(backend)), backend);
  for (GreedySelection s :
       {GreedySelection::in_order, GreedySelection::saturation, GreedySelection::best})
    EXPECT_EQ(parse_greedy_selection(to_string(s)), s);
  EXPECT_THROW(parse_coloring_kind("columns"), InvalidArgument);
  EXPECT_THROW(parse_coloring_backend("ColPack"), InvalidArgument);
  EXPECT_THROW(parse_greedy_selection("dsatur"), InvalidArgument);
  EXPECT_THROW(to_string(static_cast<Ordering>(40)), InvalidArgument);
}

TEST(Coloring, LowerBoundCountsRowsOrColumns) {
  // Row 0 has 3 entries, column 2 has 4.
  const Pattern p = Pattern::from_coo(4, 5, {0, 0, 0, 1, 2, 3, 3}, {0, 2, 4, 2, 2, 2, 1});
  EXPECT_EQ(coloring_lower_bound(p, ColoringKind::column), 3);
  EXPECT_EQ(coloring_lower_bound(p, ColoringKind::row), 4);
  EXPECT_EQ(coloring_lower_bound(Pattern(), ColoringKind::row), 0);
}

}  // namespace
}  // namespace sparsediff
