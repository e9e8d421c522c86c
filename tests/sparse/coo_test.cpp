// CooMatrix: duplicates sum on conversion (checked against a dense
// accumulation), the triplet -> position map, and the errors.
#include "sparsediff/sparse/coo.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sparsediff {
namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(CooMatrix, AddAndAccessors) {
  CooMatrix<double> a(2, 3);
  a.add(1, 2, 4.0);
  a.add(0, 0, -1.0);
  a.add(1, 2, 0.5);
  EXPECT_EQ(a.rows(), 2);
  EXPECT_EQ(a.cols(), 3);
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(a.row_indices(), (std::vector<Index>{1, 0, 1}));
  EXPECT_EQ(a.col_indices(), (std::vector<Index>{2, 0, 2}));
  EXPECT_EQ(a.values(), (std::vector<double>{4.0, -1.0, 0.5}));
  const auto csr = a.to_csr();
  EXPECT_EQ(csr.nnz(), 2);
  EXPECT_EQ(csr.to_dense(), (std::vector<double>{-1, 0, 0, 0, 0, 4.5}));
}

TEST(CooMatrix, DuplicatesSumLikeDenseAccumulation) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> value(-1.0, 1.0);
  for (int trial = 0; trial < 30; ++trial) {
    const Index m = 1 + Index(rng() % 15), n = 1 + Index(rng() % 15);
    // Many more triplets than cells, so most cells are hit several times.
    const int count = int(rng() % 300);
    std::vector<Index> ri, ci;
    std::vector<double> vi;
    std::vector<double> dense(std::size_t(m) * std::size_t(n), 0.0);
    std::set<std::pair<Index, Index>> cells;
    for (int k = 0; k < count; ++k) {
      ri.push_back(Index(rng() % m));
      ci.push_back(Index(rng() % n));
      vi.push_back(value(rng));
      dense[std::size_t(ri.back()) * n + ci.back()] += vi.back();
      cells.insert({ri.back(), ci.back()});
    }
    const CooMatrix<double> a(m, n, ri, ci, vi);
    const auto csr = a.to_csr();
    EXPECT_EQ(csr.rows(), m);
    EXPECT_EQ(csr.cols(), n);
    // One entry per distinct cell, including cells whose sum happens to be 0.
    EXPECT_EQ(std::size_t(csr.nnz()), cells.size());
    const auto got = csr.to_dense();
    // Sums taken in triplet order on both sides; allow for reassociation anyway.
    for (std::size_t k = 0; k < got.size(); ++k) EXPECT_NEAR(got[k], dense[k], 1e-14) << k;
    for (const auto& [i, j] : cells) EXPECT_GE(csr.pattern().find(i, j), 0);
  }
}

TEST(CooMatrix, CancellingDuplicatesStayInThePattern) {
  const CooMatrix<double> a(2, 2, {0, 0, 1}, {1, 1, 0}, {2.5, -2.5, 1.0});
  const auto csr = a.to_csr();
  EXPECT_EQ(csr.nnz(), 2);
  EXPECT_GE(csr.pattern().find(0, 1), 0);
  EXPECT_EQ(csr.at(0, 1), 0.0);
}

TEST(CooMatrix, PositionsInPointAtTheTripletsCell) {
  std::mt19937 rng(3);
  const Index m = 9, n = 13;
  CooMatrix<double> a(m, n);
  for (int k = 0; k < 80; ++k) a.add(Index(rng() % m), Index(rng() % n), 1.0);
  const auto pattern = a.pattern();
  const auto position = a.positions_in(pattern);
  ASSERT_EQ(position.size(), a.size());
  const auto [ptr, idx] = pattern.host_arrays();
  for (std::size_t k = 0; k < a.size(); ++k) {
    const Index i = a.row_indices()[k], j = a.col_indices()[k];
    EXPECT_GE(position[k], ptr[i]) << "triplet " << k;
    EXPECT_LT(position[k], ptr[i + 1]) << "triplet " << k;
    EXPECT_EQ(idx[position[k]], j) << "triplet " << k;
    // Duplicates share their position.
    for (std::size_t l = 0; l < k; ++l)
      if (a.row_indices()[l] == i && a.col_indices()[l] == j) {
        EXPECT_EQ(position[l], position[k]);
      }
  }
  // In a larger pattern of the same size the positions follow that pattern.
  const auto dense = Pattern::dense(m, n);
  const auto in_dense = a.positions_in(dense);
  for (std::size_t k = 0; k < a.size(); ++k)
    EXPECT_EQ(in_dense[k], a.row_indices()[k] * n + a.col_indices()[k]);
}

TEST(CooMatrix, PositionsInErrors) {
  const CooMatrix<double> a(3, 3, {0, 2}, {1, 2}, {1.0, 2.0});
  const auto m = message_of([&] { a.positions_in(Pattern::identity(3)); });
  EXPECT_NE(m.find("entry 0 (0, 1) is not in the pattern"), std::string::npos) << m;
  EXPECT_THROW(a.positions_in(Pattern::identity(3)), InvalidArgument);
  EXPECT_THROW(a.positions_in(Pattern::dense(2, 3)), DimensionMismatch);
  const auto m2 = message_of([&] { a.positions_in(Pattern::dense(2, 3)); });
  EXPECT_NE(m2.find("pattern is 2 x 3, matrix is 3 x 3"), std::string::npos) << m2;
}

TEST(CooMatrix, ConstructionErrorsNameTheEntry) {
  EXPECT_THROW(CooMatrix<double>(-1, 2), InvalidArgument);
  EXPECT_THROW(CooMatrix<double>(2, -3), InvalidArgument);
  const auto ragged = message_of([] { CooMatrix<double>(2, 2, {0, 1}, {0}, {1.0, 2.0}); });
  EXPECT_NE(ragged.find("2 rows, 1 columns, 2 values"), std::string::npos) << ragged;
  EXPECT_THROW(CooMatrix<double>(2, 2, {0, 1}, {0, 1}, {1.0}), DimensionMismatch);
  const auto row = message_of([] { CooMatrix<double>(2, 4, {0, 2}, {0, 1}, {1.0, 2.0}); });
  EXPECT_NE(row.find("entry 1: row 2 out of range [0, 2)"), std::string::npos) << row;

  CooMatrix<double> a(3, 4);
  a.add(0, 0, 1.0);
  a.add(2, 3, 1.0);
  EXPECT_THROW(a.add(0, 4, 1.0), InvalidArgument);
  const auto col = message_of([&] { a.add(1, 4, 1.0); });
  EXPECT_NE(col.find("entry 2: column 4 out of range [0, 4)"), std::string::npos) << col;
  EXPECT_THROW(a.add(-1, 0, 1.0), InvalidArgument);
  EXPECT_EQ(a.size(), 2u);  // refused entries are not stored
}

TEST(CooMatrix, EmptyMatrixConverts) {
  const CooMatrix<double> a(4, 2);
  const auto csr = a.to_csr();
  EXPECT_EQ(csr.rows(), 4);
  EXPECT_EQ(csr.cols(), 2);
  EXPECT_EQ(csr.nnz(), 0);
  EXPECT_EQ(csr.to_dense(), std::vector<double>(8, 0.0));
}

}  // namespace
}  // namespace sparsediff
