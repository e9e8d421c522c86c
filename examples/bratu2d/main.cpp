// The 2-D Bratu problem  -Δu - λ e^u = 0  on the unit square (PROBLEMS.md):
// its sparse Jacobian from the residual written once as a row kernel —
// pattern detected, columns colored, compressed evaluation — checked against
// the Jacobian derived by hand, then the sparse Newton solve to ||F|| < 1e-10
// (pattern, coloring and symbolic factorization computed once).
//
//   bratu2d [N]     N x N interior grid (default 1000, n = N^2)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sparsediff/sparsediff.hpp>

#include "examples/common/pde_residuals.hpp"
#include "examples/common/timing.hpp"

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  const sparsediff::Index N = argc > 1 ? std::atoi(argv[1]) : 1000;
  if (N < 2) {
    std::fprintf(stderr, "usage: bratu2d [N >= 2]\n");
    return 2;
  }
  const sparsediff::problems::Bratu2d bratu{N};
  const auto u = bratu.initial_guess();
  using sparsediff::examples::median_seconds;

  sparsediff::SparseJacobian jacobian(bratu, bratu.size(), bratu.size());
  const auto& pattern = jacobian.pattern();
  const auto& coloring = jacobian.coloring();
  sparsediff::CsrMatrix<double> J(pattern);
  std::vector<double> F;
  const double t_f = median_seconds(7, [&] { jacobian.value(u, F); });
  const double t_j = median_seconds(7, [&] { jacobian.evaluate(u, J); });

  // Check against the hand-derived Jacobian.
  const auto reference = bratu.analytic_jacobian(u);
  const auto got = J.host_values(), want = reference.host_values();
  double max_error = 0;
  for (std::size_t k = 0; k < got.size(); ++k)
    max_error = std::max(max_error, std::abs(got[k] - want[k]) / std::max(1.0, std::abs(want[k])));
  const bool same_pattern = pattern == reference.pattern();

  std::printf("2-D Bratu, lambda = %g, N = %d: n = %d, nnz = %d\n", bratu.lambda, N, bratu.size(),
              pattern.nnz());
  std::printf("  Kokkos host execution space: %s, %d threads\n",
              sparsediff::DefaultHostExecutionSpace::name(),
              sparsediff::DefaultHostExecutionSpace().concurrency());
  std::printf("  colors %d (lower bound %d), %d lanes per evaluation\n", coloring.num_colors,
              coloring.lower_bound, jacobian.lane_width());
  std::printf("  set-up: detection %.4f s, coloring %.4f s, seed %.4f s\n",
              jacobian.setup_times().detection, jacobian.setup_times().coloring,
              jacobian.setup_times().seed);
  std::printf("  F(u) %.5f s, J(u) %.5f s: J / F = %.2f (median of 7)\n", t_f, t_j, t_j / t_f);
  std::printf("  vs analytic Jacobian: pattern %s, max relative error %.2e\n",
              same_pattern ? "identical" : "DIFFERENT", max_error);
  const bool jacobian_ok = same_pattern && max_error < 1e-12;
  std::printf("%s\n\n", jacobian_ok ? "Jacobian OK" : "Jacobian WRONG");

  // Newton on the MINPACK-2 scaling h^2 F (same root and steps; rounding
  // level eps |u| instead of eps |u| / h^2, so ||F|| < 1e-10 is reachable).
  // On the lower solution branch (lambda < 6.81) J is symmetric positive
  // definite: CHOLMOD, symbolic analysis once, numeric refactorization per step.
  sparsediff::problems::Bratu2d scaled = bratu;
  scaled.minpack_scaling = true;
  sparsediff::NewtonOptions options;
  options.absolute_tolerance = 1e-10;
  options.solver.method = sparsediff::SolverMethod::cholmod;
  options.solver.symmetric_positive_definite = true;
  options.solver.ordering =
      sparsediff::FillOrdering::metis;  // nested dissection: least fill on grids
  sparsediff::NewtonSolver newton(scaled, scaled.size(), options);
  const auto start = std::chrono::steady_clock::now();
  const auto result = newton.solve(u);
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("Newton (%s, %s ordering)\n",
              sparsediff::to_string(newton.linear_solver().info().method).c_str(),
              sparsediff::to_string(newton.linear_solver().info().ordering).c_str());
  std::printf("  it      ||F||     step   J (s)  factor (s)  solve (s)\n");
  for (const auto& it : result.history)
    std::printf("  %2d  %9.3e  %6.3f  %6.3f  %10.3f  %9.3f\n", it.iteration, it.residual_norm,
                it.step_length, it.jacobian_seconds, it.factorize_seconds, it.solve_seconds);
  const auto& t = result.solver_timings;
  std::printf(
      "  analyze ran %d time(s) (%.3f s), factorize %d times (%.3f s), solve %d times "
      "(%.3f s)\n",
      t.analyze_count, t.analyze, t.factorize_count, t.factorize, t.solve_count, t.solve);
  std::printf("  %s after %d iterations, ||F|| = %.3e, %.2f s in all; max u = %.6f\n",
              sparsediff::to_string(result.status).c_str(), result.iterations, result.residual_norm,
              total, *std::max_element(result.x.begin(), result.x.end()));
  const bool ok = jacobian_ok && result.converged();
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
