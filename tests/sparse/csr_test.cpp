// CsrMatrix: construction, element access, dense round trips and products,
// checked against dense references computed here with plain loops.
#include "sparsediff/sparse/csr.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "tests/common/execution_spaces.hpp"

namespace sparsediff {
namespace {

/// A random m x n row-major dense matrix; each entry is nonzero with
/// probability `density`, and nonzeros lie in [-2, -0.5] U [0.5, 2] so that
/// none is an exact zero by accident.
std::vector<double> random_dense(Index m, Index n, double density, std::mt19937& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0), magnitude(0.5, 2.0);
  std::vector<double> d(std::size_t(m) * std::size_t(n), 0.0);
  for (auto& v : d)
    if (unit(rng) < density) v = (unit(rng) < 0.5 ? -1 : 1) * magnitude(rng);
  return d;
}

/// The CSR matrix of the nonzeros of `d`, with the arrays built by hand here
/// (not by from_dense, which is under test).
CsrMatrix<double> csr_of(Index m, Index n, const std::vector<double>& d) {
  std::vector<Index> ptr{0}, idx;
  std::vector<double> val;
  for (Index i = 0; i < m; ++i) {
    for (Index j = 0; j < n; ++j)
      if (d[std::size_t(i) * n + j] != 0.0) {
        idx.push_back(j);
        val.push_back(d[std::size_t(i) * n + j]);
      }
    ptr.push_back(Index(idx.size()));
  }
  return CsrMatrix<double>(Pattern::from_csr(m, n, ptr, idx), val);
}

std::vector<double> dense_product(Index m, Index n, const std::vector<double>& d,
                                  const std::vector<double>& x) {
  std::vector<double> y(std::size_t(m), 0.0);
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < n; ++j) y[i] += d[std::size_t(i) * n + j] * x[j];
  return y;
}

std::vector<double> dense_transposed_product(Index m, Index n, const std::vector<double>& d,
                                             const std::vector<double>& x) {
  std::vector<double> y(std::size_t(n), 0.0);
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < m; ++i) y[j] += d[std::size_t(i) * n + j] * x[i];
  return y;
}

std::vector<double> random_vector(Index n, std::mt19937& rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> x(static_cast<std::size_t>(n));
  for (auto& v : x) v = dist(rng);
  return x;
}

// The products sum the same terms as the references, in possibly another
// order; 1e-13 relative to the sum of |terms| (at most ~60 terms of size
// <= 2) covers the rounding differences.
void expect_near_vector(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < got.size(); ++k)
    EXPECT_NEAR(got[k], want[k], 1e-13 * (1.0 + std::abs(want[k]))) << "entry " << k;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(CsrMatrix, PatternConstructorGivesZeros) {
  auto p = Pattern::from_coo(2, 3, {0, 1, 1}, {2, 0, 1});
  CsrMatrix<double> a(p);
  EXPECT_EQ(a.rows(), 2);
  EXPECT_EQ(a.cols(), 3);
  EXPECT_EQ(a.nnz(), 3);
  EXPECT_EQ(a.host_values(), (std::vector<double>{0, 0, 0}));
  // The structure is shared with the pattern given, not copied.
  EXPECT_EQ(a.pattern().col_idx().data(), p.col_idx().data());
}

TEST(CsrMatrix, ValuesInPatternOrderAndAt) {
  // [ 0  0  5 ]
  // [ 7 -1  0 ]
  auto p = Pattern::from_coo(2, 3, {1, 0, 1}, {1, 2, 0});
  CsrMatrix<double> a(p, {5, 7, -1});  // pattern order: (0,2) (1,0) (1,1)
  EXPECT_EQ(a.at(0, 2), 5);
  EXPECT_EQ(a.at(1, 0), 7);
  EXPECT_EQ(a.at(1, 1), -1);
  EXPECT_EQ(a.at(0, 0), 0);
  EXPECT_EQ(a.at(1, 2), 0);
  EXPECT_EQ(a.to_dense(), (std::vector<double>{0, 0, 5, 7, -1, 0}));
}

TEST(CsrMatrix, ViewConstructorSharesValues) {
  auto p = Pattern::identity(3);
  Kokkos::View<double*, Kokkos::HostSpace> v("v", 3);
  CsrMatrix<double> a(p, v);
  v(1) = 4.0;
  EXPECT_EQ(a.at(1, 1), 4.0);
  EXPECT_EQ(a.values().data(), v.data());
}

TEST(CsrMatrix, ConstructionErrorsNameSizes) {
  auto p = Pattern::identity(4);
  const auto m1 = message_of([&] { CsrMatrix<double>(p, std::vector<double>{1, 2, 3}); });
  EXPECT_NE(m1.find("3 values for a pattern with 4 entries"), std::string::npos) << m1;
  EXPECT_THROW(CsrMatrix<double>(p, std::vector<double>{1, 2, 3}), DimensionMismatch);
  Kokkos::View<double*, Kokkos::HostSpace> v("v", 5);
  EXPECT_THROW(CsrMatrix<double>(p, v), DimensionMismatch);
  const auto m2 = message_of([&] { CsrMatrix<double>(p, v); });
  EXPECT_NE(m2.find("5 values for a pattern with 4 entries"), std::string::npos) << m2;
}

TEST(CsrMatrix, BadCsrArraysAreRefusedBeforeAnyRead) {
  // row_ptr overshoots col_idx in row 0 and comes back down at the end: must
  // be refused by the bound check, not found by reading col_idx[2] (which
  // the sanitizer build would flag).
  const auto m = message_of([] { Pattern::from_csr(2, 4, {0, 3, 2}, {0, 1}); });
  EXPECT_NE(m.find("row_ptr[1] = 3 exceeds row_ptr[rows] = 2"), std::string::npos) << m;
  EXPECT_THROW(Pattern::from_csr(2, 4, {0, 3, 2}, {0, 1}), InvalidArgument);
}

TEST(CsrMatrix, AtOutOfRangeNamesTheIndex) {
  CsrMatrix<double> a(Pattern::dense(3, 4));
  EXPECT_THROW(a.at(3, 0), InvalidArgument);
  EXPECT_THROW(a.at(0, 4), InvalidArgument);
  EXPECT_THROW(a.at(-1, 0), InvalidArgument);
  EXPECT_THROW(a.at(0, -1), InvalidArgument);
  const auto m = message_of([&] { a.at(3, 0); });
  EXPECT_NE(m.find("(3, 0) outside a 3 x 4 matrix"), std::string::npos) << m;
}

TEST(CsrMatrix, DenseRoundTripDropsZeros) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 10; ++trial) {
    const Index m = 1 + Index(rng() % 12), n = 1 + Index(rng() % 12);
    const auto d = random_dense(m, n, 0.3, rng);
    const auto a = CsrMatrix<double>::from_dense(m, n, d);
    Index nonzeros = 0;
    for (double v : d) nonzeros += v != 0.0;
    EXPECT_EQ(a.nnz(), nonzeros);
    EXPECT_EQ(a.to_dense(), d);
    for (Index i = 0; i < m; ++i)
      for (Index j = 0; j < n; ++j) EXPECT_EQ(a.at(i, j), d[std::size_t(i) * n + j]);
    EXPECT_EQ(a.pattern(), csr_of(m, n, d).pattern());
  }
  EXPECT_THROW(CsrMatrix<double>::from_dense(2, 3, std::vector<double>(5)), DimensionMismatch);
}

TEST(CsrMatrix, StoredZeroStaysStructural) {
  CsrMatrix<double> a(Pattern::identity(2), {0.0, 3.0});
  EXPECT_EQ(a.nnz(), 2);
  EXPECT_EQ(a.pattern().find(0, 0), 0);
  EXPECT_EQ(a.to_dense(), (std::vector<double>{0, 0, 0, 3}));
}

TEST(CsrMatrix, MultiplyMatchesDenseOnRandomRectangular) {
  std::mt19937 rng(2024);
  for (int trial = 0; trial < 40; ++trial) {
    const Index m = 1 + Index(rng() % 40), n = 1 + Index(rng() % 40);
    const double density = (trial % 4 + 1) * 0.1;
    const auto d = random_dense(m, n, density, rng);
    const auto a = csr_of(m, n, d);
    const auto x = random_vector(n, rng);
    const auto xt = random_vector(m, rng);
    expect_near_vector(a.multiply(x), dense_product(m, n, d, x));
    expect_near_vector(a.multiply_transposed(xt), dense_transposed_product(m, n, d, xt));
  }
}

TEST(CsrMatrix, MultiplyWithViews) {
  std::mt19937 rng(5);
  const Index m = 17, n = 9;
  const auto d = random_dense(m, n, 0.3, rng);
  const auto a = csr_of(m, n, d);
  const auto x = random_vector(n, rng);
  Kokkos::View<double*, Kokkos::HostSpace> xv("x", n), yv("y", m), zv("z", n);
  for (Index j = 0; j < n; ++j) xv(j) = x[j];
  a.multiply(xv, yv);
  Kokkos::fence();
  const auto want = dense_product(m, n, d, x);
  for (Index i = 0; i < m; ++i) EXPECT_NEAR(yv(i), want[i], 1e-13 * (1 + std::abs(want[i])));
  a.multiply_transposed(yv, zv);
  Kokkos::fence();
  const auto want_t = dense_transposed_product(m, n, d, want);
  for (Index j = 0; j < n; ++j) EXPECT_NEAR(zv(j), want_t[j], 1e-12 * (1 + std::abs(want_t[j])));
}

TEST(CsrMatrix, EmptyRowsAndColumns) {
  // 4 x 5 with row 1, row 3 and columns 0, 2, 4 empty.
  const Index m = 4, n = 5;
  std::vector<double> d = {0, 2, 0, -1, 0,  //
                           0, 0, 0, 0,  0,  //
                           0, 0, 0, 3,  0,  //
                           0, 0, 0, 0,  0};
  const auto a = csr_of(m, n, d);
  EXPECT_EQ(a.pattern().row_nnz(1), 0);
  EXPECT_EQ(a.pattern().row_nnz(3), 0);
  const std::vector<double> x = {1, 2, 3, 4, 5}, xt = {1, 2, 3, 4};
  EXPECT_EQ(a.multiply(x), dense_product(m, n, d, x));
  EXPECT_EQ(a.multiply(x), (std::vector<double>{0, 0, 12, 0}));
  EXPECT_EQ(a.multiply_transposed(xt), (std::vector<double>{0, 2, 0, 8, 0}));
}

TEST(CsrMatrix, DegenerateShapes) {
  CsrMatrix<double> none;
  EXPECT_EQ(none.rows(), 0);
  EXPECT_TRUE(none.multiply(std::vector<double>{}).empty());
  EXPECT_TRUE(none.to_dense().empty());

  CsrMatrix<double> tall(Pattern::from_coo(3, 0, {}, {}));  // 3 x 0
  EXPECT_EQ(tall.multiply(std::vector<double>{}), (std::vector<double>{0, 0, 0}));
  EXPECT_TRUE(tall.multiply_transposed(std::vector<double>{1, 2, 3}).empty());

  CsrMatrix<double> zero(Pattern::from_coo(2, 3, {}, {}));  // 2 x 3, no entries
  EXPECT_EQ(zero.multiply(std::vector<double>{1, 1, 1}), (std::vector<double>{0, 0}));
  EXPECT_EQ(zero.multiply_transposed(std::vector<double>{1, 1}), (std::vector<double>{0, 0, 0}));
}

TEST(CsrMatrix, ProductSizeErrorsNameSizes) {
  CsrMatrix<double> a(Pattern::dense(3, 4));
  EXPECT_THROW(a.multiply(std::vector<double>(3)), DimensionMismatch);
  EXPECT_THROW(a.multiply_transposed(std::vector<double>(4)), DimensionMismatch);
  const auto m = message_of([&] { a.multiply(std::vector<double>(5)); });
  EXPECT_NE(m.find("multiply"), std::string::npos) << m;
  EXPECT_NE(m.find("x has 5 entries (expected 4)"), std::string::npos) << m;
  Kokkos::View<double*, Kokkos::HostSpace> x("x", 4), y("y", 2);
  const auto m2 = message_of([&] { a.multiply(x, y); });
  EXPECT_NE(m2.find("y has 2 (expected 3)"), std::string::npos) << m2;
  const auto m3 = message_of([&] { a.multiply_transposed(std::vector<double>(4)); });
  EXPECT_NE(m3.find("x has 4 entries (expected 3)"), std::string::npos) << m3;
}

// The same matrix multiplied in each host execution space, against a plain
// serial loop over a dense copy.
template <class ExecutionSpace>
class CsrMultiplyOnSpace : public ::testing::Test {};
TYPED_TEST_SUITE(CsrMultiplyOnSpace, test::HostExecutionSpaces);

TYPED_TEST(CsrMultiplyOnSpace, MatchesSerialReference) {
  using Device = Kokkos::Device<TypeParam, Kokkos::HostSpace>;
  static_assert(std::is_same_v<typename CsrMatrix<double, Device>::execution_space, TypeParam>);
  std::mt19937 rng(99);
  for (int trial = 0; trial < 10; ++trial) {
    const Index m = 50 + Index(rng() % 200), n = 1 + Index(rng() % 150);
    const auto d = random_dense(m, n, 0.05, rng);
    const auto host = csr_of(m, n, d);
    const CsrMatrix<double, Device> a(host.pattern().template to<Device>(), host.host_values());
    Kokkos::View<double*, Device> x("x", n), y("y", m), xt("xt", m), yt("yt", n);
    const auto xs = random_vector(n, rng), xts = random_vector(m, rng);
    for (Index j = 0; j < n; ++j) x(j) = xs[j];
    for (Index i = 0; i < m; ++i) xt(i) = xts[i];
    a.multiply(x, y);
    a.multiply_transposed(xt, yt);
    TypeParam().fence();
    const auto want = dense_product(m, n, d, xs);
    const auto want_t = dense_transposed_product(m, n, d, xts);
    for (Index i = 0; i < m; ++i)
      ASSERT_NEAR(y(i), want[i], 1e-13 * (1 + std::abs(want[i]))) << "row " << i;
    for (Index j = 0; j < n; ++j)
      ASSERT_NEAR(yt(j), want_t[j], 1e-13 * (1 + std::abs(want_t[j]))) << "column " << j;
  }
}

}  // namespace
}  // namespace sparsediff
