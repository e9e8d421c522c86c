#include "sparsediff/nonlinear/newton.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "examples/common/pde_residuals.hpp"

namespace sparsediff {
namespace {

// F(x) = (x0^2 + x1^2 - 4, x0 - x1): root (sqrt 2, sqrt 2) from a positive start.
struct Circle {
  template <class T>
  void operator()(const T* x, T* y) const {
    y[0] = x[0] * x[0] + x[1] * x[1] - 4.0;
    y[1] = x[0] - x[1];
  }
};

TEST(Newton, SolvesASmallSystemToItsKnownRoot) {
  const auto result = newton_solve(Circle{}, {1.0, 3.0});
  ASSERT_TRUE(result.converged()) << result.message;
  EXPECT_NEAR(result.x[0], std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(result.x[1], std::sqrt(2.0), 1e-12);
  EXPECT_LE(result.residual_norm, 1e-10);
}

TEST(Newton, BratuConvergesQuadraticallyWithOneAnalysis) {
  const problems::Bratu2d bratu{24};
  NewtonOptions options;
  options.absolute_tolerance = 1e-10;
  int callbacks = 0;
  options.callback = [&](const NewtonIteration&) {
    ++callbacks;
    return true;
  };
  NewtonSolver solver(bratu, bratu.size(), options);
  const auto result = solver.solve(bratu.initial_guess());
  ASSERT_TRUE(result.converged()) << result.message;
  EXPECT_EQ(callbacks, int(result.history.size()));
  EXPECT_EQ(result.solver_timings.analyze_count, 1);
  EXPECT_EQ(result.solver_timings.factorize_count, result.iterations);
  // Independent residual check with plain doubles.
  std::vector<double> f(bratu.size());
  const Accessor<double> u(result.x.data(), bratu.size());
  double norm = 0;
  for (Index k = 0; k < bratu.size(); ++k) norm += std::pow(bratu(k, u), 2);
  EXPECT_LE(std::sqrt(norm), 1e-10);
  // Quadratic convergence: full steps near the root, and
  // ||F_{k+1}|| <= C ||F_k||^2 with a moderate C once ||F_k|| is small.
  const auto& h = result.history;
  ASSERT_GE(h.size(), 3u);
  for (std::size_t k = 1; k + 1 < h.size(); ++k)
    if (h[k].residual_norm < 1e-2) {
      EXPECT_EQ(h[k + 1].step_length, 1.0);
      EXPECT_LE(h[k + 1].residual_norm, 10.0 * h[k].residual_norm * h[k].residual_norm + 1e-11)
          << "iteration " << k + 1;
    }
  // A second solve from another start reuses the analysis.
  auto start = bratu.initial_guess();
  for (auto& v : start) v *= 0.5;
  const auto again = solver.solve(start);
  EXPECT_TRUE(again.converged());
  EXPECT_EQ(again.solver_timings.analyze_count, 1);
}

// F(x) = (x0 + x1, x0 + x1 - 1): J is singular everywhere.
struct Singular {
  template <class T>
  void operator()(const T* x, T* y) const {
    y[0] = x[0] + x[1];
    y[1] = x[0] + x[1] - 1.0;
  }
};

TEST(Newton, ReportsASingularJacobianWithTheIteration) {
  const auto result = newton_solve(Singular{}, {0.3, 0.2});
  EXPECT_EQ(result.status, NewtonStatus::singular_jacobian);
  EXPECT_NE(result.message.find("iteration 1"), std::string::npos) << result.message;
}

struct NoRoot {  // x^2 + 1
  template <class T>
  void operator()(const T* x, T* y) const {
    y[0] = x[0] * x[0] + 1.0;
  }
};

TEST(Newton, ReportsLineSearchFailureAndIterationLimit) {
  NewtonOptions only_full_steps;
  only_full_steps.min_step_length = 0.9;  // x = 0.5: the full step increases |F|
  EXPECT_EQ(newton_solve(NoRoot{}, {0.5}, only_full_steps).status,
            NewtonStatus::line_search_failure);
  NewtonOptions one_iteration;
  one_iteration.max_iterations = 1;
  const problems::Bratu2d bratu{8};
  const auto result = newton_solve(bratu, bratu.initial_guess(), one_iteration);
  EXPECT_EQ(result.status, NewtonStatus::max_iterations);
  EXPECT_EQ(result.iterations, 1);
}

TEST(Newton, CallbackCanStopAndBadStartIsRefused) {
  NewtonOptions options;
  options.callback = [](const NewtonIteration& it) { return it.iteration < 1; };
  const auto result = newton_solve(Circle{}, {1.0, 3.0}, options);
  EXPECT_EQ(result.status, NewtonStatus::stopped_by_callback);
  EXPECT_EQ(result.iterations, 1);
  EXPECT_THROW(newton_solve(Circle{}, {1.0, std::nan("")}), InvalidArgument);
}

}  // namespace
}  // namespace sparsediff
