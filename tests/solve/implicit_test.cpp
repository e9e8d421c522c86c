// Tests of implicit differentiation (solve/implicit.hpp).
//
// References are independent of the code under test: a dense LU with partial
// pivoting written here for the linear solves, central finite differences of
// whole solves (linear: step 1e-6, tolerance 1e-7 relative — truncation
// ~1e-12, rounding ~1e-10 · cond; nonlinear Newton solves converged to
// ||R|| < 1e-12: step 1e-5, tolerance 1e-6 — truncation ~1e-10, solve error
// / step ~1e-8), and closed-form sensitivities of a 2 x 2 system. Reuse of
// the factorization is asserted with LinearSolver's SolverTimings counters.
#include "sparsediff/solve/implicit.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
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
using test::relative_error;

/// X = A^{-1} B by dense LU with partial pivoting (A row-major n x n, B
/// column-major n x r).
std::vector<double> dense_solve(std::vector<double> a, std::vector<double> b, int n, int r) {
  std::vector<int> perm(n);
  for (int i = 0; i < n; ++i) perm[i] = i;
  for (int k = 0; k < n; ++k) {
    int p = k;
    for (int i = k + 1; i < n; ++i)
      if (std::abs(a[i * n + k]) > std::abs(a[p * n + k])) p = i;
    if (p != k) {
      for (int j = 0; j < n; ++j) std::swap(a[k * n + j], a[p * n + j]);
      for (int c = 0; c < r; ++c) std::swap(b[c * n + k], b[c * n + p]);
    }
    for (int i = k + 1; i < n; ++i) {
      const double l = a[i * n + k] / a[k * n + k];
      for (int j = k; j < n; ++j) a[i * n + j] -= l * a[k * n + j];
      for (int c = 0; c < r; ++c) b[c * n + i] -= l * b[c * n + k];
    }
  }
  for (int c = 0; c < r; ++c)
    for (int i = n - 1; i >= 0; --i) {
      double s = b[c * n + i];
      for (int j = i + 1; j < n; ++j) s -= a[i * n + j] * b[c * n + j];
      b[c * n + i] = s / a[i * n + i];
    }
  return b;
}

/// A nonsymmetric n x n matrix: a random pattern plus a dominant diagonal.
CsrMatrix<double> test_matrix(int n, unsigned seed) {
  auto coo = random_coo(n, n, 0.3, seed, false);
  for (int i = 0; i < n; ++i) coo.add(i, i, 4.0 + i % 3);
  return coo.to_csr();
}

std::vector<double> dense_of(const Pattern& pattern, const std::vector<double>& values) {
  return CsrMatrix<double>(pattern, values).to_dense();
}

// ================================================================ linear solves

TEST(SolveRules, ReverseRuleMatchesFiniteDifferencesWithSeveralRightHandSides) {
  const int n = 8, r = 3;
  const auto a = test_matrix(n, 1);
  const auto values = a.host_values();
  const auto b = random_vector(std::size_t(n * r), 2);
  const auto w = random_vector(std::size_t(n * r), 3);
  LinearSolver solver;
  solver.compute(a);
  const auto x = solver.solve(b, r);
  const auto g = solve_vjp(solver, x, w, r);
  auto loss = [&](const std::vector<double>& dense_a, const std::vector<double>& bb) {
    const auto xx = dense_solve(dense_a, bb, n, r);
    double l = 0;
    for (std::size_t t = 0; t < xx.size(); ++t) l += w[t] * xx[t];
    return l;
  };
  // On the pattern: FD over A's stored values.
  const auto fd_a = fd_gradient(
      [&](const std::vector<double>& v) { return loss(dense_of(a.pattern(), v), b); }, values);
  EXPECT_LE(relative_error(g.a_bar, fd_a), 1e-7);
  const auto fd_b =
      fd_gradient([&](const std::vector<double>& bb) { return loss(a.to_dense(), bb); }, b);
  EXPECT_LE(relative_error(g.b_bar, fd_b), 1e-7);
  // Off the pattern: the derivative of L with respect to a dense entry that
  // is not stored is not zero (it is -b̄_i x_j), but such entries are not
  // parameters: the gradient has exactly one entry per stored value.
  ASSERT_EQ(g.a_bar.size(), values.size());
  const auto fd_dense =
      fd_gradient([&](const std::vector<double>& dense) { return loss(dense, b); }, a.to_dense());
  const auto on_pattern = CsrMatrix<double>(a.pattern(), g.a_bar).to_dense();
  double off_pattern = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const std::size_t t = std::size_t(i * n + j);
      if (a.pattern().find(i, j) >= 0)
        EXPECT_NEAR(on_pattern[t], fd_dense[t], 1e-7 * std::max(1.0, std::abs(fd_dense[t])));
      else
        off_pattern = std::max(off_pattern, std::abs(fd_dense[t]));
    }
  EXPECT_GT(off_pattern, 1e-3);
}

TEST(SolveRules, ForwardRuleMatchesFiniteDifferences) {
  const int n = 9, r = 2;
  const auto a = test_matrix(n, 11);
  const auto values = a.host_values();
  const auto b = random_vector(std::size_t(n * r), 12);
  const auto da = random_vector(values.size(), 13), db = random_vector(b.size(), 14);
  LinearSolver solver;
  solver.compute(a);
  const auto x = solver.solve(b, r);
  std::vector<double> p = values, v = da;
  p.insert(p.end(), b.begin(), b.end());
  v.insert(v.end(), db.begin(), db.end());
  const auto fd = fd_directional(
      [&](const std::vector<double>& q) {
        return dense_solve(
            dense_of(a.pattern(), std::vector<double>(q.begin(), q.begin() + values.size())),
            std::vector<double>(q.begin() + values.size(), q.end()), n, r);
      },
      p, v);
  EXPECT_LE(relative_error(solve_jvp(solver, da, x, db, r), fd), 1e-7);
  // Each term alone (an empty tangent is zero) adds up to the whole.
  const auto only_a = solve_jvp(solver, da, x, {}, r), only_b = solve_jvp(solver, {}, x, db, r);
  std::vector<double> sum(only_a.size());
  for (std::size_t t = 0; t < sum.size(); ++t) sum[t] = only_a[t] + only_b[t];
  EXPECT_LE(relative_error(sum, fd), 1e-7);
}

TEST(SolveRules, DualSolveCarriesBothTangentsWithOneFactorization) {
  using D = Dual<double, 2>;
  const int n = 7, r = 2;
  const auto a = test_matrix(n, 21);
  const auto values = a.host_values();
  const auto b = random_vector(std::size_t(n * r), 22);
  const auto da = random_vector(values.size(), 23), db = random_vector(b.size(), 24);
  std::vector<D> ad(values.size()), bd(b.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    ad[k] = D(values[k]);
    ad[k].d[0] = da[k];
  }
  for (std::size_t t = 0; t < b.size(); ++t) {
    bd[t] = D(b[t]);
    bd[t].d[1] = db[t];
  }
  LinearSolver solver;
  const auto x = sparse_solve(solver, CsrMatrix<D>(a.pattern(), ad), bd, r);
  EXPECT_EQ(solver.timings().factorize_count, 1);
  EXPECT_EQ(solver.timings().solve_count, 2);  // the values, then all lanes in one block
  auto solve_values = [&](const std::vector<double>& av, const std::vector<double>& bv) {
    return dense_solve(dense_of(a.pattern(), av), bv, n, r);
  };
  const auto x0 = solve_values(values, b);
  const auto fd_a =
      fd_directional([&](const std::vector<double>& q) { return solve_values(q, b); }, values, da);
  const auto fd_b =
      fd_directional([&](const std::vector<double>& q) { return solve_values(values, q); }, b, db);
  for (std::size_t t = 0; t < x.size(); ++t) {
    EXPECT_NEAR(x[t].val, x0[t], 1e-12);
    EXPECT_NEAR(x[t].d[0], fd_a[t], 1e-7);
    EXPECT_NEAR(x[t].d[1], fd_b[t], 1e-7);
  }
  // Mixed: a double matrix with a Dual right-hand side.
  const auto xb = sparse_solve(solver, a, bd, r);
  for (std::size_t t = 0; t < x.size(); ++t) EXPECT_NEAR(xb[t].d[1], fd_b[t], 1e-7);
}

/// L(p) = Σ_t c_t sin(X_t), X = A(p)^{-1} B(p); p = (A's triplet values with
/// duplicates, B column-major).
struct SolveLoss {
  const CooMatrix<double>* pattern;
  Index r;
  std::shared_ptr<LinearSolver> solver;
  template <class T>
  T operator()(const T* p) const {
    using std::sin;
    const std::size_t t = pattern->size(), n = std::size_t(pattern->rows());
    CooMatrix<T> a(pattern->rows(), pattern->cols());
    for (std::size_t k = 0; k < t; ++k)
      a.add(pattern->row_indices()[k], pattern->col_indices()[k], p[k]);
    const std::vector<T> b(p + t, p + t + n * std::size_t(r));
    const auto x = sparse_solve(solver, a.to_csr(), b, r);
    T l(0.0);
    for (std::size_t i = 0; i < x.size(); ++i) l += double(i % 4 + 1) * sin(x[i]);
    return l;
  }
};

CooMatrix<double> solve_fixture(int n, unsigned seed) {
  auto coo = random_coo(n, n, 0.3, seed, /*duplicates=*/true);
  for (int i = 0; i < n; ++i) coo.add(i, i, 5.0);
  return coo;
}

TEST(SolveRules, TapedSolveMatchesFiniteDifferencesAndReusesTheFactors) {
  const int n = 6, r = 2;
  const auto coo = solve_fixture(n, 31);
  std::vector<double> p = coo.values();
  const auto b = random_vector(std::size_t(n * r), 32);
  p.insert(p.end(), b.begin(), b.end());
  auto solver = std::make_shared<LinearSolver>();
  const SolveLoss loss{&coo, r, solver};
  ExternalTape<> tape;
  tape.record(loss, p);
  EXPECT_EQ(tape.num_external(), 1u);
  const SolverTimings recorded = solver->timings();
  EXPECT_EQ(recorded.analyze_count, 1);
  EXPECT_EQ(recorded.factorize_count, 1);
  EXPECT_EQ(recorded.solve_count, 1);
  std::vector<double> g;
  tape.gradient(g);
  // The sweep: one transposed solve on the same factors, nothing else.
  EXPECT_EQ(solver->timings().analyze_count, 1);
  EXPECT_EQ(solver->timings().factorize_count, 1);
  EXPECT_EQ(solver->timings().solve_count, 2);
  const auto fd = fd_gradient([&](const std::vector<double>& q) { return loss(q.data()); }, p);
  EXPECT_LE(relative_error(g, fd), 1e-7);
  // Another factorization on the shared solver before a sweep: the sweep
  // factorizes the recorded matrix again and stays right.
  solver->factorize(solve_fixture(n, 31).to_csr());
  std::vector<double> again;
  tape.gradient(again);
  EXPECT_LE(relative_error(again, g), 1e-12);
}

TEST(SolveRules, ReverseScalarsNeedAnExternalTape) {
  const auto coo = solve_fixture(4, 41);
  std::vector<double> p = coo.values();
  p.insert(p.end(), 4, 1.0);
  const SolveLoss loss{&coo, 1, std::make_shared<LinearSolver>()};
  EXPECT_THROW(gradient(loss, p), NotSupported);
}

TEST(SolveRules, ErrorsNameTheOffendingItem) {
  const auto a = test_matrix(5, 51);
  LinearSolver solver;
  const std::vector<double> five(5, 1.0);
  EXPECT_THROW(solve_vjp(solver, five, five), InvalidArgument);  // nothing factorized
  solver.compute(a);
  try {
    solve_vjp(solver, five, std::vector<double>(4, 1.0));
    ADD_FAILURE() << "no error";
  } catch (const DimensionMismatch& e) {
    EXPECT_NE(std::string(e.what()).find("x_bar has 4 entries, expected n x nrhs = 5 x 1"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(solve_jvp(solver, {1.0, 2.0}, five, {}), DimensionMismatch);
  std::vector<double> bad = five;
  bad[3] = std::nan("");
  try {
    solve_jvp(solver, {}, bad, {});
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("x[3]"), std::string::npos) << e.what();
  }
  const auto rect = random_coo(4, 5, 0.5, 52, false).to_csr();
  EXPECT_THROW(sparse_solve(solver, rect, std::vector<double>(4, 1.0)), DimensionMismatch);
  EXPECT_THROW(sparse_solve(solver, a, std::vector<double>(5, 1.0), -1), InvalidArgument);
}

// ================================================================ nonlinear systems

/// 2-D Bratu with a source field: R_k(u, p) = (4u_k - Σ neighbours)/h^2 -
/// λ e^{u_k} - s_k, p = (λ, s_0, ..., s_{n-1}). A local copy of the
/// example's residual with the source term added.
struct BratuWithSource {
  Index N = 0;
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(Index k, Accessor<T> u, Accessor<T> p) const {
    using std::exp;
    const Index i = k % N, j = k / N;
    const double inv_h2 = double(N + 1) * double(N + 1);
    const T uk = u(k);
    T lap = 4.0 * uk;
    if (i > 0) lap -= u(k - 1);
    if (i < N - 1) lap -= u(k + 1);
    if (j > 0) lap -= u(k - N);
    if (j < N - 1) lap -= u(k + N);
    return inv_h2 * lap - p(0) * exp(uk) - p(k + 1);
  }
};

/// L(u, p) = Σ_k c_k u_k^2 / 2 + 0.1 λ^2 + Σ_k 0.01 s_k u_k.
struct BratuLoss {
  Index n = 0;
  template <class T>
  T operator()(const T* u, const T* p) const {
    T l = 0.1 * p[0] * p[0];
    for (Index k = 0; k < n; ++k)
      l += 0.5 * (1.0 + 0.1 * (k % 5)) * u[k] * u[k] + 0.01 * p[k + 1] * u[k];
    return l;
  }
};

ImplicitOptions tight_options() {
  ImplicitOptions options;
  options.newton.absolute_tolerance = 1e-12;
  return options;
}

std::vector<double> bratu_parameters(Index n, unsigned seed) {
  std::vector<double> p = random_vector(std::size_t(n) + 1, seed, 0.0, 2.0);
  p[0] = 5.0;  // λ below the turning point ~6.8
  return p;
}

TEST(Implicit, BratuGradientInLambdaAndSourceMatchesFiniteDifferencesOfTheSolve) {
  const Index N = 6, n = N * N;
  const BratuWithSource residual{N};
  ImplicitFunction<BratuWithSource> f(residual, n, n + 1, tight_options());
  const auto p = bratu_parameters(n, 61);
  const auto result = f.solve(p, std::vector<double>(std::size_t(n), 0.0));
  ASSERT_TRUE(result.converged()) << result.message;
  ASSERT_GE(result.iterations, 2);
  // R_p's pattern: the λ column is dense, the source block the identity.
  EXPECT_EQ(f.parameter_jacobian().pattern().nnz(), 2 * n);
  const SolverTimings before = f.linear_solver().timings();
  std::vector<double> g;
  const BratuLoss loss{n};
  f.value_and_gradient(loss, g);
  const SolverTimings after = f.linear_solver().timings();
  // Newton's factors served: no analysis, no factorization; one transposed
  // solve plus the defect-correction steps.
  EXPECT_EQ(after.analyze_count, before.analyze_count);
  EXPECT_EQ(after.factorize_count, before.factorize_count);
  EXPECT_EQ(after.solve_count, before.solve_count + 1 + f.statistics().refinement_steps);
  EXPECT_EQ(f.statistics().factorizations, 0);
  EXPECT_LE(f.statistics().backward_error, 1e-14);
  // Reference: central differences of the whole solve.
  ImplicitFunction<BratuWithSource> reference(residual, n, n + 1, tight_options());
  const std::vector<double> x_star = f.solution();
  auto solved_loss = [&](const std::vector<double>& q) {
    const auto r = reference.solve(q, x_star);
    EXPECT_TRUE(r.converged());
    return loss(r.x.data(), q.data());
  };
  const auto fd = fd_gradient(solved_loss, p, 1e-5);
  EXPECT_LE(relative_error(g, fd), 1e-6);
  EXPECT_NE(g[0], 0.0);
}

TEST(Implicit, ForwardSensitivitiesMatchFiniteDifferencesOfTheSolve) {
  const Index N = 5, n = N * N;
  const BratuWithSource residual{N};
  ImplicitFunction<BratuWithSource> f(residual, n, n + 1, tight_options());
  const auto p = bratu_parameters(n, 71);
  ASSERT_TRUE(f.solve(p, std::vector<double>(std::size_t(n), 0.0)).converged());
  const SolverTimings before = f.linear_solver().timings();
  const Index k = 2;
  const auto v = random_vector(std::size_t(n + 1) * k, 72);
  const auto dx = f.jvp(v, k);
  EXPECT_EQ(f.linear_solver().timings().factorize_count, before.factorize_count);
  ImplicitFunction<BratuWithSource> reference(residual, n, n + 1, tight_options());
  const std::vector<double> x_star = f.solution();
  for (Index c = 0; c < k; ++c) {
    const std::vector<double> vc(v.begin() + c * (n + 1), v.begin() + (c + 1) * (n + 1));
    const auto fd = fd_directional(
        [&](const std::vector<double>& q) { return reference.solve(q, x_star).x; }, p, vc, 1e-5);
    const std::vector<double> column(dx.begin() + c * n, dx.begin() + (c + 1) * n);
    EXPECT_LE(relative_error(column, fd), 1e-6) << "direction " << c;
  }
  // The sensitivity matrix is the JVP of the identity; its transpose is the VJP.
  const auto s = f.sensitivities();
  const auto w = random_vector(std::size_t(n), 73);
  const auto vjp = f.vjp(w);
  for (Index j = 0; j <= n; ++j) {
    double sw = 0;
    for (Index i = 0; i < n; ++i) sw += s[std::size_t(j) * n + i] * w[std::size_t(i)];
    EXPECT_NEAR(vjp[std::size_t(j)], sw, 1e-10 * std::max(1.0, std::abs(sw)));
  }
}

TEST(Implicit, RefactorizeModeAgreesAndCostsOneFactorization) {
  const Index N = 5, n = N * N;
  const BratuWithSource residual{N};
  // A loose Newton tolerance leaves factors of an iterate far from x*
  // (relative change ~1e-3 in the last step): defect correction must work.
  auto loose = tight_options();
  loose.newton.absolute_tolerance = 1e-3;
  auto options = loose;
  options.factors = ImplicitFactors::refactorize;
  ImplicitFunction<BratuWithSource> exact(residual, n, n + 1, options);
  ImplicitFunction<BratuWithSource> reused(residual, n, n + 1, loose);
  const auto p = bratu_parameters(n, 81);
  ASSERT_TRUE(exact.solve(p, std::vector<double>(std::size_t(n), 0.0)).converged());
  ASSERT_TRUE(reused.solve(p, std::vector<double>(std::size_t(n), 0.0)).converged());
  const int factorizations = exact.linear_solver().timings().factorize_count;
  const auto dl_dx = random_vector(std::size_t(n), 82);
  const auto g_exact = exact.gradient(dl_dx);
  exact.gradient(dl_dx);  // the second call reuses the exact factors
  EXPECT_EQ(exact.linear_solver().timings().factorize_count, factorizations + 1);
  EXPECT_EQ(exact.statistics().factorizations, 1);
  EXPECT_LE(relative_error(reused.gradient(dl_dx), g_exact), 1e-12);
  EXPECT_GE(reused.statistics().refinement_steps, 2);
  EXPECT_EQ(reused.statistics().factorizations, 0);
  EXPECT_LE(reused.statistics().backward_error, 1e-14);
}

/// R(x, p) = (x0^2 + x1^2 - p0, x0 - p1 x1): x1 = sqrt(p0 / (1 + p1^2)), x0 = p1 x1.
struct Circle {
  template <class T>
  void operator()(const T* x, const T* p, T* r) const {
    r[0] = x[0] * x[0] + x[1] * x[1] - p[0];
    r[1] = x[0] - p[1] * x[1];
  }
};

TEST(Implicit, WholeVectorResidualMatchesClosedFormSensitivities) {
  ImplicitFunction<Circle> f(Circle{}, 2, 2, tight_options());
  const double p0 = 3.0, p1 = 0.5;
  ASSERT_TRUE(f.solve({p0, p1}, {1.0, 1.0}).converged());
  const double q = 1 + p1 * p1, x1 = std::sqrt(p0 / q), x0 = p1 * x1;
  EXPECT_NEAR(f.solution()[0], x0, 1e-12);
  EXPECT_NEAR(f.solution()[1], x1, 1e-12);
  const double dx1_dp0 = 0.5 / std::sqrt(p0 * q), dx1_dp1 = -x1 * p1 / q;
  const auto s = f.sensitivities();  // column-major 2 x 2
  EXPECT_NEAR(s[0], p1 * dx1_dp0, 1e-12);
  EXPECT_NEAR(s[1], dx1_dp0, 1e-12);
  EXPECT_NEAR(s[2], x1 + p1 * dx1_dp1, 1e-12);
  EXPECT_NEAR(s[3], dx1_dp1, 1e-12);
  // The adjoint path with a nonsymmetric R_x: vjp(w) = S^T w.
  const double w0 = 0.3, w1 = -1.7;
  const auto g = f.vjp({w0, w1});
  EXPECT_NEAR(g[0], w0 * p1 * dx1_dp0 + w1 * dx1_dp0, 1e-12);
  EXPECT_NEAR(g[1], w0 * (x1 + p1 * dx1_dp1) + w1 * dx1_dp1, 1e-12);
}

TEST(Implicit, DerivativesNeedAConvergedSolve) {
  const Index N = 4, n = N * N;
  auto options = tight_options();
  options.newton.max_iterations = 1;
  ImplicitFunction<BratuWithSource> f(BratuWithSource{N}, n, n + 1, options);
  const std::vector<double> dl_dx(std::size_t(n), 1.0);
  EXPECT_THROW(f.gradient(dl_dx), Error);
  const auto p = bratu_parameters(n, 91);
  EXPECT_THROW(f.solve(std::vector<double>(3, 1.0), std::vector<double>(std::size_t(n), 0.0)),
               DimensionMismatch);
  const auto result = f.solve(p, std::vector<double>(std::size_t(n), 0.0));
  ASSERT_FALSE(result.converged());
  try {
    f.gradient(dl_dx);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did not converge"), std::string::npos) << e.what();
  }
  ImplicitFunction<BratuWithSource> g(BratuWithSource{N}, n, n + 1, tight_options());
  ASSERT_TRUE(g.solve(p, std::vector<double>(std::size_t(n), 0.0)).converged());
  EXPECT_THROW(g.gradient(std::vector<double>(3, 1.0)), DimensionMismatch);
  EXPECT_THROW(g.gradient(dl_dx, std::vector<double>(2, 1.0)), DimensionMismatch);
  EXPECT_THROW(g.jvp(std::vector<double>(std::size_t(n) + 1, std::nan(""))), InvalidArgument);
}

}  // namespace
}  // namespace sparsediff
