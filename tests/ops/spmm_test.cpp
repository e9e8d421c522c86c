// Tests of the differentiable SpMM (ops/spmm.hpp) on rectangular random
// patterns with several columns: triplet-loop reference products and central
// finite differences (step 1e-6; the product is bilinear, so the differences
// are exact up to rounding: tolerance 1e-8 relative).
#include "sparsediff/ops/spmm.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "sparsediff/ad/dual.hpp"
#include "sparsediff/ad/tape.hpp"
#include "sparsediff/ad/tape_external.hpp"
#include "tests/ops/random_sparse.hpp"

namespace sparsediff {
namespace {

using test::fd_directional;
using test::fd_gradient;
using test::random_coo;
using test::random_vector;
using test::reference_product;
using test::relative_error;

constexpr double kTol = 1e-8;

/// L = Σ W ∘ (A X) over an m x r block, A from triplet values.
double block_loss(const CooMatrix<double>& a, const std::vector<double>& values,
                  const std::vector<double>& x, const std::vector<double>& w, Index r) {
  const auto y =
      reference_product(a.rows(), a.cols(), a.row_indices(), a.col_indices(), values, x, r);
  double l = 0;
  for (std::size_t i = 0; i < y.size(); ++i) l += w[i] * y[i];
  return l;
}

TEST(Spmm, ProductMatchesTripletReferenceForEveryLayout) {
  const Index m = 9, n = 6, r = 3;
  const auto coo = random_coo(m, n, 0.35, 1, /*duplicates=*/true);
  const auto x = random_vector(std::size_t(n * r), 2);
  const auto expected =
      reference_product(m, n, coo.row_indices(), coo.col_indices(), coo.values(), x, r);
  EXPECT_LE(relative_error(spmm(coo.to_csr(), x, r), expected), 1e-14);
  EXPECT_LE(relative_error(spmm(coo, x, r), expected), 1e-14);
  // Row-major views (LayoutRight) through the view overload.
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> xr("x", n, r), yr("y", m, r);
  for (Index j = 0; j < n; ++j)
    for (Index c = 0; c < r; ++c) xr(j, c) = x[std::size_t(c * n + j)];
  spmm(coo.to_csr(), xr, yr);
  Kokkos::fence();
  for (Index i = 0; i < m; ++i)
    for (Index c = 0; c < r; ++c) EXPECT_NEAR(yr(i, c), expected[std::size_t(c * m + i)], 1e-14);
}

TEST(Spmm, ReverseRuleMatchesFiniteDifferences) {
  for (Index r : {1, 2, 4}) {
    const Index m = 8, n = 11;
    const auto coo = random_coo(m, n, 0.3, 10 + unsigned(r), /*duplicates=*/true);
    const auto x = random_vector(std::size_t(n * r), 20 + unsigned(r));
    const auto w = random_vector(std::size_t(m * r), 30 + unsigned(r));
    const auto g = spmm_vjp(coo, x, w, r);
    const auto fd_a = fd_gradient(
        [&](const std::vector<double>& v) { return block_loss(coo, v, x, w, r); }, coo.values());
    const auto fd_x = fd_gradient(
        [&](const std::vector<double>& xv) { return block_loss(coo, coo.values(), xv, w, r); }, x);
    EXPECT_LE(relative_error(g.a_bar, fd_a), kTol) << "r = " << r;
    EXPECT_LE(relative_error(g.x_bar, fd_x), kTol) << "r = " << r;
  }
}

TEST(Spmm, ForwardRuleMatchesFiniteDifferences) {
  const Index m = 7, n = 5, r = 3;
  const auto coo = random_coo(m, n, 0.4, 41, /*duplicates=*/true);
  const auto x = random_vector(std::size_t(n * r), 42);
  const auto da = random_vector(coo.size(), 43), dx = random_vector(std::size_t(n * r), 44);
  std::vector<double> p = coo.values(), v = da;
  p.insert(p.end(), x.begin(), x.end());
  v.insert(v.end(), dx.begin(), dx.end());
  const std::size_t t = coo.size();
  const auto fd = fd_directional(
      [&](const std::vector<double>& q) {
        return reference_product(m, n, coo.row_indices(), coo.col_indices(),
                                 std::vector<double>(q.begin(), q.begin() + t),
                                 std::vector<double>(q.begin() + t, q.end()), r);
      },
      p, v);
  EXPECT_LE(relative_error(spmm_jvp(coo, da, x, dx, r), fd), kTol);
  const auto only_x = spmm_jvp(coo, {}, x, dx, r);
  EXPECT_LE(relative_error(only_x, reference_product(m, n, coo.row_indices(), coo.col_indices(),
                                                     coo.values(), dx, r)),
            1e-14);
}

TEST(Spmm, DualNumbersCarryTheForwardRule) {
  using D = Dual<double, 1>;
  const Index m = 4, n = 6, r = 2;
  const auto a = random_coo(m, n, 0.5, 51, false).to_csr();
  const auto values = a.host_values();
  const auto x = random_vector(std::size_t(n * r), 52), dx = random_vector(std::size_t(n * r), 53);
  std::vector<D> xd(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) {
    xd[j] = D(x[j]);
    xd[j].d[0] = dx[j];
  }
  const auto y = spmm(a, xd, r);
  const auto expected = spmm_jvp(a, {}, x, dx, r);
  const auto fd =
      fd_directional([&](const std::vector<double>& q) { return spmm(a, q, r); }, x, dx);
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i].d[0], fd[i], kTol);
  EXPECT_LE(relative_error(expected, fd), kTol);
}

/// L = Σ_c Σ_i c-th column weights · tanh(Y_ic), Y = A(p) X(p).
struct SpmmLoss {
  const CooMatrix<double>* pattern;
  Index r;
  template <class T>
  T operator()(const T* p) const {
    using std::tanh;
    const std::size_t t = pattern->size();
    CooMatrix<T> a(pattern->rows(), pattern->cols());
    for (std::size_t k = 0; k < t; ++k)
      a.add(pattern->row_indices()[k], pattern->col_indices()[k], p[k]);
    const std::vector<T> x(p + t, p + t + std::size_t(pattern->cols() * r));
    const std::vector<T> y = spmm(a, x, r);
    T l(0.0);
    for (std::size_t i = 0; i < y.size(); ++i) l += double(i % 3 + 1) * tanh(y[i]);
    return l;
  }
};

TEST(Spmm, ReverseModeOnBothTapesMatchesFiniteDifferences) {
  const Index r = 3;
  const auto coo = random_coo(6, 5, 0.4, 61, /*duplicates=*/true);
  std::vector<double> p = coo.values();
  const auto x = random_vector(std::size_t(5 * r), 62);
  p.insert(p.end(), x.begin(), x.end());
  const SpmmLoss loss{&coo, r};
  const auto fd = fd_gradient([&](const std::vector<double>& q) { return loss(q.data()); }, p);
  EXPECT_LE(relative_error(gradient(loss, p), fd), kTol);
  ExternalTape<> tape;
  tape.record(loss, p);
  EXPECT_EQ(tape.num_external(), 1u);
  std::vector<double> g;
  tape.gradient(g);
  EXPECT_LE(relative_error(g, fd), kTol);
}

TEST(Spmm, ErrorsNameTheOffendingItem) {
  const auto a = random_coo(4, 3, 0.6, 71, false).to_csr();
  const std::vector<double> x(6, 1.0);
  EXPECT_THROW(spmm(a, x, 3), DimensionMismatch);
  try {
    spmm(a, x, 3);
  } catch (const DimensionMismatch& e) {
    EXPECT_NE(std::string(e.what()).find("X has 6 entries, expected 3 x 3 = 9"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(spmm(a, x, -1), InvalidArgument);
  std::vector<double> bad(6, 1.0);
  bad[4] = std::nan("");
  EXPECT_THROW(spmm(a, bad, 2), InvalidArgument);
  EXPECT_THROW(spmm_vjp(a, x, std::vector<double>(6, 1.0), 2), DimensionMismatch);
  Kokkos::View<double**, Kokkos::HostSpace> xv("x", 3, 2), yv("y", 5, 2);
  EXPECT_THROW(spmm(a, xv, yv), DimensionMismatch);
  Kokkos::View<double**, Kokkos::HostSpace> xnan("x", 3, 2), y4("y", 4, 2);
  xnan(2, 1) = std::numeric_limits<double>::infinity();
  try {
    spmm(a, xnan, y4);
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("X(2, 1)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sparsediff
