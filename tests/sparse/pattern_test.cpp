#include "sparsediff/sparse/pattern.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace sparsediff {
namespace {

TEST(Pattern, FromCooSortsAndMergesDuplicates) {
  // Entries (2,1) (0,3) (2,1) (0,0) (1,2) (0,3): duplicates and any order.
  auto p = Pattern::from_coo(3, 4, {2, 0, 2, 0, 1, 0}, {1, 3, 1, 0, 2, 3});
  EXPECT_EQ(p.rows(), 3);
  EXPECT_EQ(p.cols(), 4);
  EXPECT_EQ(p.nnz(), 4);
  auto [ptr, idx] = p.host_arrays();
  EXPECT_EQ(ptr, (std::vector<Index>{0, 2, 3, 4}));
  EXPECT_EQ(idx, (std::vector<Index>{0, 3, 2, 1}));
  EXPECT_EQ(p.find(0, 3), 1);
  EXPECT_EQ(p.find(0, 2), -1);
  EXPECT_EQ(p.max_row_nnz(), 2);
}

TEST(Pattern, RandomCooMatchesSetReference) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 20; ++trial) {
    const Index m = 1 + rng() % 30, n = 1 + rng() % 30;
    std::vector<Index> ri, ci;
    std::set<std::pair<Index, Index>> ref;
    for (int k = 0; k < 100; ++k) {
      ri.push_back(rng() % m);
      ci.push_back(rng() % n);
      ref.insert({ri.back(), ci.back()});
    }
    auto p = Pattern::from_coo(m, n, ri, ci);
    ASSERT_EQ(std::size_t(p.nnz()), ref.size());
    std::set<std::pair<Index, Index>> got;
    for (Index i = 0; i < m; ++i)
      for (Index k = p.row_begin(i); k < p.row_end(i); ++k) got.insert({i, p.col_idx()(k)});
    EXPECT_EQ(got, ref);
    // Transpose: (i, j) in p iff (j, i) in p^T, and the map points back.
    auto t = p.transpose_with_map();
    EXPECT_EQ(t.pattern.rows(), n);
    EXPECT_EQ(t.pattern.nnz(), p.nnz());
    for (Index j = 0; j < n; ++j)
      for (Index k = t.pattern.row_begin(j); k < t.pattern.row_end(j); ++k) {
        const Index i = t.pattern.col_idx()(k);
        EXPECT_TRUE(ref.count({i, j}));
        EXPECT_EQ(p.find(i, j), t.position(k));
      }
    EXPECT_EQ(t.pattern.transpose(), p);
  }
}

TEST(Pattern, EqualityAndHash) {
  auto a = Pattern::from_coo(3, 3, {0, 1, 2}, {0, 1, 2});
  auto b = Pattern::identity(3);
  auto c = Pattern::from_coo(3, 3, {0, 1, 2}, {0, 2, 2});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_NE(a, c);
  EXPECT_NE(a.hash(), c.hash());
  EXPECT_NE(Pattern::identity(3), Pattern::from_coo(3, 4, {0, 1, 2}, {0, 1, 2}));
  EXPECT_TRUE(a.is_symmetric());
  EXPECT_FALSE(Pattern::from_coo(2, 2, {0}, {1}).is_symmetric());
}

TEST(Pattern, HashSeparatesAllSmallPatterns) {
  // Every pattern of a 3 x 3 matrix (512) and of a 2 x 4 one (256): distinct
  // patterns should get distinct hashes, and the hash depends only on the
  // pattern (the same mask through from_coo, in reverse order, agrees).
  std::set<std::uint64_t> seen;
  std::size_t count = 0;
  for (const auto& [rows, cols] : {std::pair<Index, Index>{3, 3}, {2, 4}})
    for (unsigned mask = 0; mask < (1u << (rows * cols)); ++mask) {
      std::vector<char> dense(std::size_t(rows * cols));
      std::vector<Index> ri, ci;
      for (Index k = rows * cols - 1; k >= 0; --k)
        if (mask >> k & 1u) {
          dense[std::size_t(k)] = 1;
          ri.push_back(k / cols);
          ci.push_back(k % cols);
        }
      const auto p = Pattern::from_dense_mask(rows, cols, dense);
      EXPECT_EQ(p.hash(), Pattern::from_coo(rows, cols, ri, ci).hash());
      seen.insert(p.hash());
      ++count;
    }
  EXPECT_EQ(seen.size(), count);
}

TEST(Pattern, HashDependsOnWhichRowHoldsAnEntry) {
  // Same multiset of columns, moved between rows.
  const auto a = Pattern::from_csr(2, 3, {0, 1, 3}, {0, 1, 2});
  const auto b = Pattern::from_csr(2, 3, {0, 2, 3}, {0, 1, 2});
  const auto c = Pattern::from_csr(2, 3, {0, 2, 3}, {1, 2, 0});
  EXPECT_NE(a.hash(), b.hash());
  EXPECT_NE(b.hash(), c.hash());
  EXPECT_NE(a.hash(), c.hash());
  EXPECT_NE(Pattern(), Pattern::from_csr(0, 1, {0}, {}));
  EXPECT_NE(Pattern().hash(), Pattern::from_csr(0, 1, {0}, {}).hash());
}

TEST(Pattern, CopiesShareStorage) {
  auto a = Pattern::identity(5);
  Pattern b = a;
  EXPECT_EQ(a.col_idx().data(), b.col_idx().data());
}

TEST(Pattern, FromDenseMaskAndCsr) {
  std::vector<int> mask = {1, 0, 1,  //
                           0, 0, 0,  //
                           0, 1, 0};
  auto p = Pattern::from_dense_mask(3, 3, mask);
  EXPECT_EQ(p, Pattern::from_csr(3, 3, {0, 2, 2, 3}, {0, 2, 1}));
  EXPECT_EQ(p.row_nnz(1), 0);
  EXPECT_EQ(Pattern::dense(2, 3).nnz(), 6);
  EXPECT_EQ(Pattern().rows(), 0);
  EXPECT_EQ(Pattern(), Pattern::from_coo(0, 0, {}, {}));
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Pattern, BadInputNamesTheEntry) {
  EXPECT_NE(error_of([] {
              Pattern::from_coo(2, 2, {0, 5}, {0, 0});
            }).find("entry 1: row 5"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              Pattern::from_coo(2, 2, {0, 1}, {0, -1});
            }).find("column -1"),
            std::string::npos);
  EXPECT_THROW(Pattern::from_coo(2, 2, {0, 1}, {0}), DimensionMismatch);
  EXPECT_THROW(Pattern::from_coo(-1, 2, {}, {}), InvalidArgument);
  EXPECT_NE(error_of([] {
              Pattern::from_csr(2, 3, {0, 2, 3}, {2, 1, 0});
            }).find("not sorted"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              Pattern::from_csr(2, 3, {0, 2, 3}, {1, 1, 0});
            }).find("duplicated"),
            std::string::npos);
  EXPECT_THROW(Pattern::from_csr(2, 3, {0, 2}, {0, 1}), DimensionMismatch);
  EXPECT_THROW(Pattern::from_csr(2, 3, {0, 2, 1}, {0, 1}), InvalidArgument);
  EXPECT_THROW(Pattern::from_csr(1, 3, {0, 1}, {3}), InvalidArgument);
  EXPECT_THROW(Pattern::from_dense_mask(2, 2, std::vector<int>(3)), DimensionMismatch);
}

}  // namespace
}  // namespace sparsediff
