// fill_reducing_ordering: every result is a permutation, and the fill it
// leads to (counted by a brute-force graph elimination written here) is what
// the algorithm promises on patterns whose best ordering is known.

#include "sparsediff/solve/ordering.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "sparsediff/core/error.hpp"
#include "test_matrices.hpp"

namespace sparsediff {
namespace {

bool is_permutation_of(const std::vector<Index>& perm, Index n) {
  if (perm.size() != std::size_t(n)) return false;
  std::vector<bool> seen(std::size_t(n), false);
  for (Index p : perm) {
    if (p < 0 || p >= n || seen[std::size_t(p)]) return false;
    seen[std::size_t(p)] = true;
  }
  return true;
}

// Off-diagonal entries of the Cholesky factor of a matrix with the symmetric
// pattern of A + A^T eliminated in `perm` order: eliminating v joins its
// not-yet-eliminated neighbours into a clique, and each of them is an entry
// of L's column v.
long cholesky_factor_entries(const Pattern& pattern, const std::vector<Index>& perm) {
  const Index n = pattern.rows();
  std::vector<std::set<Index>> graph(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i)
    for (Index k = pattern.row_begin(i); k < pattern.row_end(i); ++k) {
      const Index j = pattern.col_idx()(k);
      if (i == j) continue;
      graph[std::size_t(i)].insert(j);
      graph[std::size_t(j)].insert(i);
    }
  std::vector<bool> eliminated(std::size_t(n), false);
  long entries = 0;
  for (Index v : perm) {
    std::vector<Index> remaining;
    for (Index u : graph[std::size_t(v)])
      if (!eliminated[std::size_t(u)]) remaining.push_back(u);
    entries += long(remaining.size());
    for (Index a : remaining)
      for (Index b : remaining)
        if (a != b) graph[std::size_t(a)].insert(b);
    eliminated[std::size_t(v)] = true;
  }
  return entries;
}

// n x n arrow: diagonal plus a full row and column 0.
Pattern arrow(Index n) {
  std::vector<Index> rows, cols;
  for (Index i = 0; i < n; ++i) {
    rows.push_back(i), cols.push_back(i);
    if (i > 0) {
      rows.push_back(0), cols.push_back(i);
      rows.push_back(i), cols.push_back(0);
    }
  }
  return Pattern::from_coo(n, n, rows, cols);
}

const FillOrdering all_orderings[] = {FillOrdering::automatic, FillOrdering::amd,
                                      FillOrdering::colamd, FillOrdering::metis,
                                      FillOrdering::natural};

TEST(FillReducingOrdering, EveryOrderingIsAPermutation) {
  const Pattern patterns[] = {
      test::laplacian_2d(10).csr().pattern(), test::random_unsymmetric(50, 4, 1).csr().pattern(),
      test::random_spd(70, 3, 2).csr().pattern(), arrow(20), Pattern::identity(1)};
  for (const auto& p : patterns)
    for (auto ordering : all_orderings)
      EXPECT_TRUE(is_permutation_of(fill_reducing_ordering(p, ordering), p.cols()))
          << to_string(ordering) << " on " << p.rows() << " x " << p.cols();
}

TEST(FillReducingOrdering, ColumnOrderingsTakeRectangularPatterns) {
  std::vector<Index> rows, cols;
  for (Index i = 0; i < 30; ++i)
    for (Index j : {i, (7 * i + 3) % 50, (11 * i + 5) % 50, 49 - i}) {
      rows.push_back(i);
      cols.push_back(j);
    }
  const auto wide = Pattern::from_coo(30, 50, rows, cols);
  EXPECT_TRUE(is_permutation_of(fill_reducing_ordering(wide, FillOrdering::colamd), 50));
  EXPECT_TRUE(is_permutation_of(fill_reducing_ordering(wide, FillOrdering::automatic), 50));
  EXPECT_TRUE(is_permutation_of(fill_reducing_ordering(wide, FillOrdering::natural), 50));
  EXPECT_THROW(fill_reducing_ordering(wide, FillOrdering::amd), DimensionMismatch);
  EXPECT_THROW(fill_reducing_ordering(wide, FillOrdering::metis), DimensionMismatch);
}

TEST(FillReducingOrdering, ArrowHubIsEliminatedLast) {
  const Index n = 40;
  const auto p = arrow(n);
  const auto natural = fill_reducing_ordering(p, FillOrdering::natural);
  EXPECT_EQ(cholesky_factor_entries(p, natural), long(n) * (n - 1) / 2) << "hub first fills all";
  const auto amd = fill_reducing_ordering(p, FillOrdering::amd);
  EXPECT_EQ(amd.back(), 0);
  EXPECT_EQ(cholesky_factor_entries(p, amd), n - 1) << "no fill at all";
  const auto metis = fill_reducing_ordering(p, FillOrdering::metis);
  EXPECT_LT(cholesky_factor_entries(p, metis), long(n) * (n - 1) / 2);
}

TEST(FillReducingOrdering, GridOrderingsBeatTheBandOrder) {
  const auto p = test::laplacian_2d(20).csr().pattern();
  const long natural = cholesky_factor_entries(p, fill_reducing_ordering(p, FillOrdering::natural));
  const long amd = cholesky_factor_entries(p, fill_reducing_ordering(p, FillOrdering::amd));
  const long metis = cholesky_factor_entries(p, fill_reducing_ordering(p, FillOrdering::metis));
  // Band order: about n * m = 400 * 20 entries; minimum degree and nested
  // dissection: O(n log n), well under it at this size.
  EXPECT_GT(natural, 7000);
  EXPECT_LT(amd, natural * 3 / 4);
  EXPECT_LT(metis, natural * 3 / 4);
}

TEST(FillReducingOrdering, ColamdKeepsTheColumnIntersectionGraphSparse) {
  // Diagonal plus a full column 0. COLAMD bounds the LU fill by the Cholesky
  // fill of A^T A, where column 0 meets every column: taken first it fills
  // the whole factor; a good column order leaves no fill.
  const Index n = 30;
  std::vector<Index> rows, cols;
  for (Index i = 0; i < n; ++i) {
    rows.push_back(i), cols.push_back(i);
    if (i > 0) rows.push_back(i), cols.push_back(0);
  }
  // Pattern of A^T A: columns j, l meet when some row holds both.
  std::vector<Index> ata_rows, ata_cols;
  for (Index j = 0; j < n; ++j)
    for (Index l = 0; l < n; ++l) {
      bool meet = false;
      for (Index i = 0; i < n; ++i) {
        const bool has_j = j == i || j == 0, has_l = l == i || l == 0;
        meet |= has_j && has_l;
      }
      if (meet) ata_rows.push_back(j), ata_cols.push_back(l);
    }
  const auto ata = Pattern::from_coo(n, n, ata_rows, ata_cols);
  const auto a = Pattern::from_coo(n, n, rows, cols);
  EXPECT_EQ(cholesky_factor_entries(ata, fill_reducing_ordering(a, FillOrdering::natural)),
            long(n) * (n - 1) / 2);
  EXPECT_EQ(cholesky_factor_entries(ata, fill_reducing_ordering(a, FillOrdering::colamd)), n - 1);
}

TEST(FillReducingOrdering, AutomaticPicksAmdForSymmetricAndColamdOtherwise) {
  const auto symmetric = test::laplacian_2d(8).csr().pattern();
  EXPECT_EQ(fill_reducing_ordering(symmetric),
            fill_reducing_ordering(symmetric, FillOrdering::amd));
  const auto unsymmetric = test::random_unsymmetric(40, 3, 3).csr().pattern();
  EXPECT_EQ(fill_reducing_ordering(unsymmetric),
            fill_reducing_ordering(unsymmetric, FillOrdering::colamd));
}

TEST(FillReducingOrdering, EmptyPattern) {
  for (auto ordering : all_orderings)
    EXPECT_TRUE(fill_reducing_ordering(Pattern(), ordering).empty()) << to_string(ordering);
}

TEST(FillReducingOrdering, ToString) {
  EXPECT_EQ(to_string(FillOrdering::automatic), "automatic");
  EXPECT_EQ(to_string(FillOrdering::amd), "amd");
  EXPECT_EQ(to_string(FillOrdering::colamd), "colamd");
  EXPECT_EQ(to_string(FillOrdering::metis), "metis");
  EXPECT_EQ(to_string(FillOrdering::natural), "natural");
}

}  // namespace
}  // namespace sparsediff
