// Tests of the differentiable SpMV (ops/spmv.hpp). References: a product
// looped over the COO triplets (no code shared with ops/), and central finite
// differences with step 1e-6. The product is bilinear, so central differences
// of it are exact up to rounding (~1e-10 here): tolerance 1e-8 relative;
// through a nonlinear loss (sin) truncation adds ~1e-12 · |f'''|: same tolerance.
#include "sparsediff/ops/spmv.hpp"

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

/// L = Σ w_i y_i with y = A x, A from triplet values (duplicates sum).
double linear_loss(const CooMatrix<double>& a, const std::vector<double>& values,
                   const std::vector<double>& x, const std::vector<double>& w) {
  const auto y = reference_product(a.rows(), a.cols(), a.row_indices(), a.col_indices(), values, x);
  double l = 0;
  for (std::size_t i = 0; i < y.size(); ++i) l += w[i] * y[i];
  return l;
}

TEST(Spmv, ProductMatchesTripletReference) {
  const auto coo = random_coo(9, 6, 0.35, 1, /*duplicates=*/true);
  const auto x = random_vector(6, 2);
  const auto expected =
      reference_product(9, 6, coo.row_indices(), coo.col_indices(), coo.values(), x);
  EXPECT_LE(relative_error(spmv(coo.to_csr(), x), expected), 1e-14);
  EXPECT_LE(relative_error(spmv(coo, x), expected), 1e-14);
  std::vector<double> y(9, std::nan(""));
  const auto a = coo.to_csr();
  spmv(a, detail::host_view(x), detail::host_view(y));
  Kokkos::fence();
  EXPECT_LE(relative_error(y, expected), 1e-14);
}

TEST(Spmv, ReverseRuleMatchesFiniteDifferencesOnRectangularPatterns) {
  for (unsigned seed : {3u, 4u, 5u}) {
    const auto coo = random_coo(7 + seed, 4 + 2 * seed, 0.3, seed, /*duplicates=*/false);
    const auto a = coo.to_csr();
    // Without duplicates, the triplets sorted by (row, column) are the CSR order.
    const auto a_values = a.host_values();
    const CooMatrix<double> sorted = [&] {
      auto [ptr, idx] = a.pattern().host_arrays();
      CooMatrix<double> s(a.rows(), a.cols());
      for (Index i = 0; i < a.rows(); ++i)
        for (Index k = ptr[i]; k < ptr[i + 1]; ++k) s.add(i, idx[k], a_values[k]);
      return s;
    }();
    const auto x = random_vector(std::size_t(a.cols()), seed + 10);
    const auto w = random_vector(std::size_t(a.rows()), seed + 20);
    const auto g = spmv_vjp(a, x, w);
    const auto fd_a = fd_gradient(
        [&](const std::vector<double>& v) { return linear_loss(sorted, v, x, w); }, a_values);
    const auto fd_x = fd_gradient(
        [&](const std::vector<double>& xv) { return linear_loss(sorted, a_values, xv, w); }, x);
    EXPECT_LE(relative_error(g.a_bar, fd_a), kTol) << "seed " << seed;
    EXPECT_LE(relative_error(g.x_bar, fd_x), kTol) << "seed " << seed;
  }
}

TEST(Spmv, DuplicatedCooEntriesEachReceiveTheGradientOfTheirSum) {
  const auto coo = random_coo(8, 8, 0.3, 7, /*duplicates=*/true);
  ASSERT_GT(coo.size(), std::size_t(coo.to_csr().nnz()));  // the fixture has duplicates
  const auto x = random_vector(8, 8);
  const auto w = random_vector(8, 9);
  const auto g = spmv_vjp(coo, x, w);
  ASSERT_EQ(g.a_bar.size(), coo.size());
  const auto fd = fd_gradient(
      [&](const std::vector<double>& v) { return linear_loss(coo, v, x, w); }, coo.values());
  EXPECT_LE(relative_error(g.a_bar, fd), kTol);
  // The gradient of an entry is w_i x_j whichever triplet carries it.
  for (std::size_t t = 0; t < coo.size(); ++t)
    EXPECT_NEAR(g.a_bar[t], w[coo.row_indices()[t]] * x[coo.col_indices()[t]], 1e-15);
}

TEST(Spmv, ForwardRuleMatchesFiniteDifferences) {
  const auto coo = random_coo(10, 7, 0.3, 11, /*duplicates=*/true);
  const auto x = random_vector(7, 12);
  const auto da = random_vector(coo.size(), 13);
  const auto dx = random_vector(7, 14);
  // p = (triplet values, x), direction (da, dx).
  std::vector<double> p = coo.values(), v = da;
  p.insert(p.end(), x.begin(), x.end());
  v.insert(v.end(), dx.begin(), dx.end());
  const std::size_t t = coo.size();
  const auto fd = fd_directional(
      [&](const std::vector<double>& q) {
        return reference_product(10, 7, coo.row_indices(), coo.col_indices(),
                                 std::vector<double>(q.begin(), q.begin() + t),
                                 std::vector<double>(q.begin() + t, q.end()));
      },
      p, v);
  EXPECT_LE(relative_error(spmv_jvp(coo, da, x, dx), fd), kTol);
  // CSR with the summed tangent; and each term alone (empty = zero tangent).
  const detail::TripletMap map(coo);
  const auto a = coo.to_csr();
  EXPECT_LE(relative_error(spmv_jvp(a, map.scatter("test", da), x, dx), fd), kTol);
  const auto only_a = spmv_jvp(a, map.scatter("test", da), x, {});
  const auto only_x = spmv_jvp(a, {}, x, dx);
  std::vector<double> sum(only_a.size());
  for (std::size_t i = 0; i < sum.size(); ++i) sum[i] = only_a[i] + only_x[i];
  EXPECT_LE(relative_error(sum, fd), kTol);
  EXPECT_LE(relative_error(only_x, reference_product(10, 7, coo.row_indices(), coo.col_indices(),
                                                     coo.values(), dx)),
            1e-14);
}

TEST(Spmv, DualNumbersCarryTheForwardRule) {
  using D = Dual<double, 2>;
  const auto coo = random_coo(6, 9, 0.4, 21, /*duplicates=*/false);
  const auto a = coo.to_csr();
  const auto values = a.host_values();
  const auto x = random_vector(9, 22);
  const auto da1 = random_vector(values.size(), 23), dx2 = random_vector(9, 24);
  // Lane 0 moves A, lane 1 moves x; also the mixed-type products.
  std::vector<D> ad(values.size()), xd(x.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    ad[k] = D(values[k]);
    ad[k].d[0] = da1[k];
  }
  for (std::size_t j = 0; j < x.size(); ++j) {
    xd[j] = D(x[j]);
    xd[j].d[1] = dx2[j];
  }
  const CsrMatrix<D> a_dual(a.pattern(), ad);
  const auto y = spmv(a_dual, xd);
  const auto y_dual_a = spmv(a_dual, x);  // Dual matrix, double vector
  const auto y_dual_x = spmv(a, xd);      // double matrix, Dual vector
  auto product = [&](const std::vector<double>& av, const std::vector<double>& xv) {
    return CsrMatrix<double>(a.pattern(), av).multiply(xv);
  };
  std::vector<double> p = values;
  p.insert(p.end(), x.begin(), x.end());
  std::vector<double> v0 = da1, v1(values.size(), 0.0);
  v0.insert(v0.end(), x.size(), 0.0);
  v1.insert(v1.end(), dx2.begin(), dx2.end());
  auto f = [&](const std::vector<double>& q) {
    return product(std::vector<double>(q.begin(), q.begin() + values.size()),
                   std::vector<double>(q.begin() + values.size(), q.end()));
  };
  const auto fd0 = fd_directional(f, p, v0), fd1 = fd_directional(f, p, v1);
  const auto y0 = product(values, x);
  for (std::size_t i = 0; i < y.size(); ++i) {
    EXPECT_NEAR(y[i].val, y0[i], 1e-14);
    EXPECT_NEAR(y[i].d[0], fd0[i], kTol);
    EXPECT_NEAR(y[i].d[1], fd1[i], kTol);
    EXPECT_NEAR(y_dual_a[i].d[0], fd0[i], kTol);
    EXPECT_EQ(y_dual_a[i].d[1], 0.0);
    EXPECT_NEAR(y_dual_x[i].d[1], fd1[i], kTol);
    EXPECT_EQ(y_dual_x[i].d[0], 0.0);
  }
}

/// L(p) = Σ_i sin(y_i) + y_0^2 with y = A(a) x, p = (a's triplet values, x).
struct SpmvLoss {
  const CooMatrix<double>* pattern;
  template <class T>
  T operator()(const T* p) const {
    using std::sin;
    const std::size_t t = pattern->size();
    CooMatrix<T> a(pattern->rows(), pattern->cols());
    for (std::size_t k = 0; k < t; ++k)
      a.add(pattern->row_indices()[k], pattern->col_indices()[k], p[k]);
    const std::vector<T> x(p + t, p + t + std::size_t(pattern->cols()));
    const std::vector<T> y = spmv(a, x);
    T l = y[0] * y[0];
    for (const T& yi : y) l += sin(yi);
    return l;
  }
};

double spmv_loss_reference(const CooMatrix<double>& a, const std::vector<double>& p) {
  const std::size_t t = a.size();
  const auto y = reference_product(a.rows(), a.cols(), a.row_indices(), a.col_indices(),
                                   std::vector<double>(p.begin(), p.begin() + t),
                                   std::vector<double>(p.begin() + t, p.end()));
  double l = y[0] * y[0];
  for (double yi : y) l += std::sin(yi);
  return l;
}

TEST(Spmv, ReverseModeOnBothTapesMatchesFiniteDifferences) {
  const auto coo = random_coo(7, 5, 0.4, 31, /*duplicates=*/true);
  std::vector<double> p = coo.values();
  const auto x = random_vector(5, 32);
  p.insert(p.end(), x.begin(), x.end());
  const auto fd =
      fd_gradient([&](const std::vector<double>& q) { return spmv_loss_reference(coo, q); }, p);
  const SpmvLoss loss{&coo};
  // Plain tape: the product is taped operation by operation.
  const auto g_plain = gradient(loss, p);
  EXPECT_LE(relative_error(g_plain, fd), kTol);
  // External tape: one external operation with the SpMV rule.
  ExternalTape<> tape;
  const double value = tape.record(loss, p);
  EXPECT_NEAR(value, spmv_loss_reference(coo, p), 1e-13);
  EXPECT_EQ(tape.num_external(), 1u);
  EXPECT_EQ(tape.num_inputs(), Index(p.size()));
  std::vector<double> g_external;
  tape.gradient(g_external);
  EXPECT_LE(relative_error(g_external, fd), kTol);
  // The external product records fewer operations than the elementwise one.
  Tape<> plain;
  plain.record(loss, p);
  EXPECT_LT(tape.tape().num_operations(), plain.num_operations());
}

TEST(Spmv, ReverseModeWithAConstantOperand) {
  const auto coo = random_coo(6, 6, 0.4, 41, /*duplicates=*/false);
  const auto a = coo.to_csr();
  const auto x0 = random_vector(6, 42);
  // Only x is active: L = Σ (A x)_i^2 / 2, gradient A^T A x.
  auto loss = [&](const auto* x) {
    using T = std::decay_t<decltype(x[0])>;
    const auto y = spmv(a, std::vector<T>(x, x + 6));
    T l(0.0);
    for (const auto& yi : y) l += 0.5 * yi * yi;
    return l;
  };
  ExternalTape<> tape;
  tape.record(loss, x0);
  std::vector<double> g;
  tape.gradient(g);
  const auto expected = a.multiply_transposed(a.multiply(x0));
  EXPECT_LE(relative_error(g, expected), 1e-14);
  // Only A active: L = Σ_i (A x)_i, gradient x_j on every entry (i, j).
  ExternalTape<> tape2;
  const auto values = a.host_values();
  auto loss_a = [&](const auto* v) {
    using T = std::decay_t<decltype(v[0])>;
    const CsrMatrix<T> av(a.pattern(), std::vector<T>(v, v + values.size()));
    const auto y = spmv(av, x0);
    T l(0.0);
    for (const auto& yi : y) l += yi;
    return l;
  };
  tape2.record(loss_a, values);
  tape2.gradient(g);
  auto [ptr, idx] = a.pattern().host_arrays();
  for (std::size_t k = 0; k < values.size(); ++k) EXPECT_EQ(g[k], x0[std::size_t(idx[k])]);
}

TEST(Spmv, ViewRulesAccumulateAndSkipEmptyOutputs) {
  const auto a = random_coo(5, 4, 0.5, 51, false).to_csr();
  const auto x = random_vector(4, 52), w = random_vector(5, 53);
  const auto once = spmv_vjp(a, x, w);
  const auto transposed = a.pattern().transpose_with_map();
  std::vector<double> a_bar = once.a_bar, x_bar(4, 0.0);
  spmv_vjp(a, transposed, detail::host_view(x), detail::host_view(w), detail::host_view(a_bar),
           Kokkos::View<double*, Kokkos::HostSpace>());
  Kokkos::fence();
  for (std::size_t k = 0; k < a_bar.size(); ++k) EXPECT_DOUBLE_EQ(a_bar[k], 2 * once.a_bar[k]);
  spmv_vjp(a, transposed, detail::host_view(x), detail::host_view(w),
           Kokkos::View<double*, Kokkos::HostSpace>(), detail::host_view(x_bar));
  Kokkos::fence();
  EXPECT_LE(relative_error(x_bar, a.multiply_transposed(w)), 1e-15);
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

TEST(Spmv, ErrorsNameTheOffendingItem) {
  const auto a = random_coo(4, 3, 0.6, 61, false).to_csr();
  const std::vector<double> x3 = {1, 2, 3}, x2 = {1, 2}, w4 = {1, 1, 1, 1};
  EXPECT_THROW(spmv(a, x2), DimensionMismatch);
  EXPECT_NE(error_of([&] { spmv(a, x2); }).find("x has 2 entries, expected 3"), std::string::npos);
  std::vector<double> bad = x3;
  bad[1] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(spmv(a, bad), InvalidArgument);
  EXPECT_NE(error_of([&] { spmv(a, bad); }).find("x[1] = inf"), std::string::npos);
  EXPECT_THROW(spmv_vjp(a, x3, x3), DimensionMismatch);
  EXPECT_NE(error_of([&] { spmv_vjp(a, x3, x3); }).find("ybar has 3 entries"), std::string::npos);
  std::vector<double> nan_w = w4;
  nan_w[3] = std::nan("");
  EXPECT_NE(error_of([&] { spmv_vjp(a, x3, nan_w); }).find("ybar[3]"), std::string::npos);
  EXPECT_NE(error_of([&] { spmv_jvp(a, {1.0}, x3, {}); }).find("dA has 1 entries"),
            std::string::npos);
  auto values = a.host_values();
  values[2] = std::nan("");
  const CsrMatrix<double> a_nan(a.pattern(), values);
  EXPECT_NE(error_of([&] { spmv(a_nan, x3); }).find("A value 2"), std::string::npos);
  const auto other = random_coo(3, 4, 0.6, 62, false).to_csr();
  const auto wrong_transpose = other.pattern().transpose_with_map();
  std::vector<double> a_bar(std::size_t(a.nnz())), x_bar(3);
  EXPECT_THROW(spmv_vjp(a, wrong_transpose, detail::host_view(x3), detail::host_view(w4),
                        detail::host_view(a_bar), detail::host_view(x_bar)),
               DimensionMismatch);
  CooMatrix<double> coo(2, 2, {0, 0}, {1, 1}, {1.0, 2.0});
  EXPECT_NE(error_of([&] {
              spmv_jvp(coo, {1.0}, {1.0, 1.0}, {});
            }).find("one per triplet (2)"),
            std::string::npos);
}

}  // namespace
}  // namespace sparsediff
