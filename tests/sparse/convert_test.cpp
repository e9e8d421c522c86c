// CSR <-> CSC <-> COO conversions on random matrices, checked entry by entry
// against the dense matrix they were built from.
#include "sparsediff/sparse/convert.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

namespace sparsediff {
namespace {

struct Dense {
  Index rows, cols;
  std::vector<double> a;  // row-major
  double operator()(Index i, Index j) const { return a[std::size_t(i) * cols + j]; }
};

Dense random_dense(Index m, Index n, double density, std::mt19937& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Dense d{m, n, std::vector<double>(std::size_t(m) * std::size_t(n), 0.0)};
  for (auto& v : d.a)
    if (unit(rng) < density) v = 1.0 + unit(rng);  // never an exact zero
  return d;
}

CsrMatrix<double> csr_of(const Dense& d) {
  std::vector<Index> ri, ci;
  std::vector<double> v;
  // Column-major order on purpose: from_coo must sort it into rows.
  for (Index j = 0; j < d.cols; ++j)
    for (Index i = 0; i < d.rows; ++i)
      if (d(i, j) != 0.0) {
        ri.push_back(i);
        ci.push_back(j);
        v.push_back(d(i, j));
      }
  return CooMatrix<double>(d.rows, d.cols, ri, ci, v).to_csr();
}

/// Checks that `c` is the CSC form of `d`: column by column, increasing rows,
/// exactly the nonzeros of `d`.
void expect_csc_of(const CscMatrix<double>& c, const Dense& d) {
  ASSERT_EQ(c.rows, d.rows);
  ASSERT_EQ(c.cols, d.cols);
  ASSERT_EQ(c.by_columns.rows(), d.cols);
  ASSERT_EQ(c.by_columns.cols(), d.rows);
  const auto [ptr, idx] = c.by_columns.host_arrays();
  ASSERT_EQ(c.values.size(), idx.size());
  std::size_t k = 0;
  for (Index j = 0; j < d.cols; ++j) {
    EXPECT_EQ(std::size_t(ptr[j]), k) << "column " << j;
    for (Index i = 0; i < d.rows; ++i)
      if (d(i, j) != 0.0) {
        ASSERT_LT(k, idx.size());
        EXPECT_EQ(idx[k], i) << "column " << j;
        EXPECT_EQ(c.values[k], d(i, j)) << "(" << i << ", " << j << ")";
        ++k;
      }
  }
  EXPECT_EQ(k, idx.size());
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(Convert, CsrCscCooRoundTripsOnRandomMatrices) {
  std::mt19937 rng(17);
  for (int trial = 0; trial < 40; ++trial) {
    const Index m = Index(rng() % 25), n = Index(rng() % 25);  // 0 included
    const auto d = random_dense(m, n, 0.05 + 0.1 * (trial % 5), rng);
    const auto a = csr_of(d);
    ASSERT_EQ(a.to_dense(), d.a);

    const auto c = to_csc(a);
    expect_csc_of(c, d);
    const auto back = to_csr(c);
    EXPECT_EQ(back.pattern(), a.pattern());
    EXPECT_EQ(back.host_values(), a.host_values());

    const auto coo = to_coo(a);
    EXPECT_EQ(coo.rows(), m);
    EXPECT_EQ(coo.cols(), n);
    // Row-major order, one triplet per nonzero of d.
    std::size_t k = 0;
    for (Index i = 0; i < m; ++i)
      for (Index j = 0; j < n; ++j)
        if (d(i, j) != 0.0) {
          ASSERT_LT(k, coo.size());
          EXPECT_EQ(coo.row_indices()[k], i);
          EXPECT_EQ(coo.col_indices()[k], j);
          EXPECT_EQ(coo.values()[k], d(i, j));
          ++k;
        }
    EXPECT_EQ(k, coo.size());
    const auto again = to_csr(coo);
    EXPECT_EQ(again.pattern(), a.pattern());
    EXPECT_EQ(again.host_values(), a.host_values());
  }
}

TEST(Convert, CooWithDuplicatesThroughCsc) {
  // (0,1) three times, (2,0) twice: sums 6 and -1.
  const CooMatrix<double> coo(3, 2, {0, 2, 0, 2, 0, 1}, {1, 0, 1, 0, 1, 1},
                              {1.0, -3.0, 2.0, 2.0, 3.0, 7.0});
  const Dense d{3, 2, {0, 6, 0, 7, -1, 0}};
  const auto csr = to_csr(coo);
  EXPECT_EQ(csr.to_dense(), d.a);
  expect_csc_of(to_csc(csr), d);
}

TEST(Convert, CscToCsrRefusesInconsistentParts) {
  const auto c = to_csc(CsrMatrix<double>::from_dense(2, 3, {1, 0, 2, 0, 3, 0}));
  auto bad_values = c;
  bad_values.values.pop_back();
  EXPECT_THROW(to_csr(bad_values), DimensionMismatch);
  const auto m = message_of([&] { to_csr(bad_values); });
  EXPECT_NE(m.find("2 values for 3 entries"), std::string::npos) << m;

  auto bad_size = c;
  bad_size.rows = 3;  // by_columns is 3 x 2: three columns of a 2-row matrix
  EXPECT_THROW(to_csr(bad_size), DimensionMismatch);
  const auto m2 = message_of([&] { to_csr(bad_size); });
  EXPECT_NE(m2.find("by_columns is 3 x 2, expected cols x rows = 3 x 3"), std::string::npos) << m2;
}

}  // namespace
}  // namespace sparsediff
