// Tests of the minimizers (newton_cg_minimize, SparseNewtonMinimizer). The
// references are known minimizers: a strictly convex function built around a
// chosen point a (so x* = a and f* = n exactly), the extended Rosenbrock
// function (x* = 1, f* = 0, indefinite Hessians on the way), a double well
// started at its local maximum, and, on the minimal surface problem, the two
// methods against each other (the same minimum to 1e-10 relative).
#include "sparsediff/nonlinear/newton_cg.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "examples/common/objectives.hpp"

namespace sparsediff {
namespace {

using problems::MinimalSurface;

// f = sum cosh(x_i - a_i) + 1/2 sum (x_i - a_i - x_{i+1} + a_{i+1})^2: strictly
// convex, gradient zero at a, f(a) = n.
struct ConvexAround {
  std::vector<double> a;
  template <class T>
  T operator()(const T* x) const {
    using std::cosh;
    const Index n = Index(a.size());
    T f = 0.0;
    for (Index i = 0; i < n; ++i) {
      f += cosh(x[i] - a[i]);
      if (i + 1 < n) {
        const T d = x[i] - a[i] - x[i + 1] + a[i + 1];
        f += 0.5 * d * d;
      }
    }
    return f;
  }
};

// Extended Rosenbrock: sum over pairs of 100 (x_{2i+1} - x_{2i}^2)^2 + (1 - x_{2i})^2.
struct Rosenbrock {
  Index n = 10;
  template <class T>
  T operator()(const T* x) const {
    T f = 0.0;
    for (Index i = 0; i + 1 < n; i += 2) {
      const T a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
      f += 100.0 * a * a + b * b;
    }
    return f;
  }
  std::vector<double> start() const {
    std::vector<double> x(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) x[i] = i % 2 == 0 ? -1.2 : 1.0;
    return x;
  }
};

// Double well per variable plus a weak coupling: H = diag(12 x^2 - 4) + ... is
// negative definite at x = 0, minima at x_i = +-1 (f = 0 with zero coupling
// of equal signs).
struct DoubleWell {
  Index n = 8;
  template <class T>
  T operator()(const T* x) const {
    T f = 0.0;
    for (Index i = 0; i < n; ++i) {
      const T s = x[i] * x[i] - 1.0;
      f += s * s;
      if (i + 1 < n) f += 0.01 * (x[i] - x[i + 1]) * (x[i] - x[i + 1]);
    }
    return f;
  }
};

std::vector<double> random_vector(std::size_t n, unsigned seed, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(n);
  for (auto& v : x) v = u(rng);
  return x;
}

TEST(Minimize, ConvexFunctionReachesItsKnownMinimizer) {
  ConvexAround f{random_vector(30, 1, -2, 2)};
  const auto x0 = random_vector(30, 2, -3, 3);
  const auto cg = newton_cg_minimize(f, x0);
  ASSERT_TRUE(cg.converged()) << cg.message;
  SparseNewtonMinimizer newton(f, 30);
  const auto nt = newton.minimize(x0);
  ASSERT_TRUE(nt.converged()) << nt.message;
  for (std::size_t i = 0; i < 30; ++i) {
    EXPECT_NEAR(cg.x[i], f.a[i], 1e-8) << i;
    EXPECT_NEAR(nt.x[i], f.a[i], 1e-8) << i;
  }
  EXPECT_NEAR(cg.value, 30.0, 1e-12);
  EXPECT_NEAR(nt.value, 30.0, 1e-12);
  EXPECT_LE(cg.gradient_norm, 1e-8);
  EXPECT_LE(nt.gradient_norm, 1e-8);
  // Positive definite everywhere: Newton never shifts, and converges fast.
  for (const auto& it : nt.history) EXPECT_EQ(it.shift, 0.0);
  EXPECT_LE(nt.iterations, 12);
  EXPECT_EQ(nt.factorizations, nt.iterations);
  // The history is consistent with the result.
  EXPECT_EQ(int(nt.history.size()), nt.iterations + 1);
  EXPECT_EQ(nt.history.back().value, nt.value);
  EXPECT_GT(cg.hessian_vector_products, 0);
  EXPECT_EQ(newton.linear_solver().timings().analyze_count, 1);  // at construction only
  EXPECT_EQ(newton.linear_solver().timings().factorize_count, nt.factorizations);
}

TEST(Minimize, RosenbrockIndefiniteHessiansAreHandled) {
  const Rosenbrock f;
  const auto x0 = f.start();
  const auto nt = sparse_newton_minimize(f, x0);
  ASSERT_TRUE(nt.converged()) << nt.message;
  const auto cg = newton_cg_minimize(f, x0);
  ASSERT_TRUE(cg.converged()) << cg.message;
  for (std::size_t i = 0; i < x0.size(); ++i) {
    EXPECT_NEAR(nt.x[i], 1.0, 1e-8);
    EXPECT_NEAR(cg.x[i], 1.0, 1e-8);
  }
  EXPECT_NEAR(nt.value, 0.0, 1e-16);
  EXPECT_NEAR(cg.value, 0.0, 1e-16);
  // f decreases monotonically along accepted steps.
  for (std::size_t k = 1; k < nt.history.size(); ++k)
    EXPECT_LE(nt.history[k].value, nt.history[k - 1].value);
  for (std::size_t k = 1; k < cg.history.size(); ++k)
    EXPECT_LE(cg.history[k].value, cg.history[k - 1].value);
}

TEST(Minimize, NegativeDefiniteStartIsShiftedAwayFromTheMaximum) {
  const DoubleWell f;
  const auto x0 = random_vector(8, 3, -0.05, 0.05);  // near the local maximum at 0
  SparseNewtonMinimizer newton(f, f.n);
  const auto nt = newton.minimize(x0);
  ASSERT_TRUE(nt.converged()) << nt.message;
  // The first Hessian is negative definite: pure Newton would climb to the
  // maximum; the shift made CHOLMOD succeed after refusals.
  ASSERT_GE(nt.history.size(), 2u);
  EXPECT_GT(nt.history[1].shift, 0.0);
  EXPECT_GT(nt.history[1].factorizations, 1);
  EXPECT_LT(nt.value, f(x0.data()));
  for (double v : nt.x) EXPECT_NEAR(std::abs(v), 1.0, 0.05);
  const auto cg = newton_cg_minimize(f, x0);
  ASSERT_TRUE(cg.converged()) << cg.message;
  EXPECT_LT(cg.value, f(x0.data()));
  for (double v : cg.x) EXPECT_NEAR(std::abs(v), 1.0, 0.05);
}

TEST(Minimize, MinimalSurfaceBothMethodsReachTheSameMinimum) {
  const MinimalSurface surface{10};
  const auto x0 = surface.initial_guess();
  MinimizeTolerances tol;
  tol.gradient_tolerance = 1e-10;
  NewtonCgOptions cg_options;
  cg_options.tolerances = tol;
  const auto cg = newton_cg_minimize(surface, x0, cg_options);
  ASSERT_TRUE(cg.converged()) << cg.message;
  SparseNewtonOptions options;
  options.tolerances = tol;
  for (auto kind : {SymmetricColoringKind::star, SymmetricColoringKind::acyclic}) {
    options.hessian.coloring.kind = kind;
    const auto nt = sparse_newton_minimize(surface, x0, options);
    ASSERT_TRUE(nt.converged()) << nt.message;
    EXPECT_NEAR(nt.value, cg.value, 1e-10 * cg.value);
    for (std::size_t i = 0; i < x0.size(); ++i) EXPECT_NEAR(nt.x[i], cg.x[i], 1e-8);
  }
  // The element path: f, grad f and H in one pass.
  SparseNewtonMinimizer by_elements(partially_separable<3>(surface), surface.size(), options);
  EXPECT_EQ(by_elements.hessian().evaluation(), HessianEvaluation::elements);
  const auto el = by_elements.minimize(x0);
  ASSERT_TRUE(el.converged()) << el.message;
  EXPECT_NEAR(el.value, cg.value, 1e-10 * cg.value);
  EXPECT_GT(el.times.derivatives, 0.0);
  EXPECT_GT(el.times.factorize, 0.0);
}

TEST(Minimize, NewtonCgLineSearchVariant) {
  NewtonCgOptions options;
  options.globalization = NewtonCgGlobalization::line_search;
  ConvexAround convex{random_vector(20, 5, -2, 2)};
  const auto c = newton_cg_minimize(convex, random_vector(20, 6, -3, 3), options);
  ASSERT_TRUE(c.converged()) << c.message;
  for (std::size_t i = 0; i < 20; ++i) EXPECT_NEAR(c.x[i], convex.a[i], 1e-8);
  EXPECT_NEAR(c.value, 20.0, 1e-12);
  // Rosenbrock: negative curvature on the way (steepest descent then).
  const Rosenbrock rosenbrock;
  const auto r = newton_cg_minimize(rosenbrock, rosenbrock.start(), options);
  ASSERT_TRUE(r.converged()) << r.message;
  for (double v : r.x) EXPECT_NEAR(v, 1.0, 1e-8);
  for (std::size_t k = 1; k < r.history.size(); ++k) {  // entry 0: the start
    EXPECT_GT(r.history[k].step_length, 0.0);
    EXPECT_LE(r.history[k].step_length, 1.0);
  }
  // The minimal surface: the same minimum as the trust region.
  const MinimalSurface surface{12};
  options.tolerances.gradient_tolerance = 1e-10;
  const auto ls = newton_cg_minimize(surface, surface.initial_guess(), options);
  options.globalization = NewtonCgGlobalization::trust_region;
  const auto tr = newton_cg_minimize(surface, surface.initial_guess(), options);
  ASSERT_TRUE(ls.converged()) << ls.message;
  ASSERT_TRUE(tr.converged()) << tr.message;
  EXPECT_NEAR(ls.value, tr.value, 1e-12 * tr.value);
}

TEST(Minimize, StopReasonsAndCallbacks) {
  const Rosenbrock f;
  SparseNewtonOptions options;
  options.tolerances.max_iterations = 2;
  auto nt = sparse_newton_minimize(f, f.start(), options);
  EXPECT_EQ(nt.status, MinimizeStatus::max_iterations);
  EXPECT_EQ(nt.iterations, 2);
  EXPECT_NE(nt.message.find("after 2 iterations"), std::string::npos);
  NewtonCgOptions cg_options;
  cg_options.tolerances.max_iterations = 2;
  EXPECT_EQ(newton_cg_minimize(f, f.start(), cg_options).status, MinimizeStatus::max_iterations);

  int calls = 0;
  options = {};
  options.callback = [&](const MinimizeIteration& it) { return ++calls, it.iteration < 1; };
  nt = sparse_newton_minimize(f, f.start(), options);
  EXPECT_EQ(nt.status, MinimizeStatus::stopped_by_callback);
  EXPECT_EQ(calls, 2);
  cg_options = {};
  cg_options.callback = [](const MinimizeIteration&) { return false; };
  EXPECT_EQ(newton_cg_minimize(f, f.start(), cg_options).status,
            MinimizeStatus::stopped_by_callback);
  // A point where the gradient already vanishes.
  const auto done = newton_cg_minimize(f, std::vector<double>(10, 1.0));
  EXPECT_TRUE(done.converged());
  EXPECT_EQ(done.iterations, 0);
  EXPECT_EQ(to_string(MinimizeStatus::small_trust_region), "trust region too small");
}

TEST(Minimize, Errors) {
  const Rosenbrock f;
  auto x0 = f.start();
  x0[3] = std::numeric_limits<double>::infinity();
  auto message = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message([&] { newton_cg_minimize(f, x0); }).find("x0[3]"), std::string::npos);
  EXPECT_NE(message([&] { sparse_newton_minimize(f, x0); }).find("x0[3]"), std::string::npos);
  SparseNewtonMinimizer newton(f, f.n);
  EXPECT_THROW(newton.minimize(std::vector<double>(4, 0.0)), DimensionMismatch);
  EXPECT_THROW(newton.minimize(x0), InvalidArgument);
}

}  // namespace
}  // namespace sparsediff
