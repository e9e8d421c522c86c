// The MINPACK-2 minimal surface problem (PROBLEMS.md "minsurf"): the surface
// of least area over the unit square with boundary values x^2 - y^2, on an
// N x N grid of piecewise-linear triangles. Minimized three ways from the
// MINPACK-2 start, to ||grad f|| <= 1e-10:
//   - Newton with the sparse Hessian assembled element by element (nested
//     duals per triangle) and CHOLMOD, shifted when not positive definite;
//   - Newton with the sparse Hessian by acyclic coloring (tape sweeps and
//     substitution recovery) and CHOLMOD;
//   - Newton-CG with Hessian-vector products only (no Hessian formed), with
//     a line search (N&W Alg. 7.1) and, with --trust-region, also with
//     Steihaug's trust region (N&W Alg. 7.2), which needs many more
//     iterations on this problem (hundreds at N = 200).
// Prints the Hessian statistics and a table comparing iterations, f,
// ||grad f|| and the time split; exits 0 only when every method converges to
// the same f (relative difference <= 1e-10).
//
//   minimal_surface [N] [--trust-region]     N x N interior grid (default 200, n = N^2)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sparsediff/hessian/sparse_hessian.hpp>
#include <sparsediff/nonlinear/newton_cg.hpp>
#include <string>
#include <vector>

#include "examples/common/objectives.hpp"
#include "examples/common/timing.hpp"

namespace {

void print_row(const char* name, const sparsediff::MinimizeResult& r) {
  const auto& t = r.times;
  std::printf("  %-24s %4d %5d  %.15f  %9.2e  %-20s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f\n", name,
              r.iterations,
              r.hessian_vector_products > 0 ? r.hessian_vector_products : r.factorizations, r.value,
              r.gradient_norm, sparsediff::to_string(r.status).c_str(), t.derivatives, t.hvp,
              t.factorize, t.solve, t.line_search, t.total);
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  sparsediff::Index N = 200;
  bool trust_region = false;
  for (int a = 1; a < argc; ++a) {
    if (std::string(argv[a]) == "--trust-region")
      trust_region = true;
    else
      N = std::atoi(argv[a]);
  }
  if (N < 2) {
    std::fprintf(stderr, "usage: minimal_surface [N >= 2] [--trust-region]\n");
    return 2;
  }
  using namespace sparsediff;
  const problems::MinimalSurface surface{N};
  const Index n = surface.size();
  const auto x0 = surface.initial_guess();
  using examples::median_seconds;

  // The Hessian three ways at the start, and f for reference.
  const auto elements = partially_separable<3>(surface);
  SparseHessian by_elements(elements, n);
  HessianOptions star_options, acyclic_options;
  star_options.coloring.kind = SymmetricColoringKind::star;
  acyclic_options.coloring.kind = SymmetricColoringKind::acyclic;
  SparseHessian star(surface, n, star_options);
  SparseHessian acyclic(surface, star.symmetric_pattern(), acyclic_options);  // detected once
  CsrMatrix<double> h_elements(by_elements.pattern()), h_star(star.pattern()),
      h_acyclic(acyclic.pattern());
  double sink = 0;
  const double t_f = median_seconds(7, [&] { sink += surface(x0.data()); });
  const double t_el = median_seconds(5, [&] { by_elements.evaluate(x0, h_elements); });
  const double t_star = median_seconds(5, [&] { star.evaluate(x0, h_star); });
  const double t_acyclic = median_seconds(5, [&] { acyclic.evaluate(x0, h_acyclic); });
  double differences = 0;
  {
    // The three Hessians agree on the tape pattern (the element pattern is the same here).
    const auto a = h_star.host_values(), b = h_acyclic.host_values();
    for (std::size_t k = 0; k < a.size(); ++k)
      differences = std::max(differences, std::abs(a[k] - b[k]) / std::max(1.0, std::abs(a[k])));
    if (by_elements.pattern() == star.pattern()) {
      const auto c = h_elements.host_values();
      for (std::size_t k = 0; k < a.size(); ++k)
        differences = std::max(differences, std::abs(a[k] - c[k]) / std::max(1.0, std::abs(a[k])));
    }
  }
  std::printf("Minimal surface, N = %d: n = %d, Hessian nnz = %d (7-point stencil)\n", N, n,
              star.pattern().nnz());
  std::printf("  Kokkos host execution space: %s, %d threads\n", DefaultHostExecutionSpace::name(),
              DefaultHostExecutionSpace().concurrency());
  std::printf(
      "  set-up: detection %.3f s, star coloring %d colors (lower bound %d), acyclic %d "
      "colors\n",
      star.setup_times().detection, star.coloring().num_colors, star.coloring().lower_bound,
      acyclic.coloring().num_colors);
  std::printf(
      "  f(x0) %.2e s; H(x0) / f: elements %.1f, star + direct %.1f, acyclic + "
      "substitution %.1f (median of 5)\n",
      t_f, t_el / t_f, t_star / t_f, t_acyclic / t_f);
  std::printf("  the three Hessians agree to %.1e (relative)\n\n", differences);
  std::fflush(stdout);

  MinimizeTolerances tolerances;
  tolerances.gradient_tolerance = 1e-10;
  SparseNewtonOptions newton_options;
  newton_options.tolerances = tolerances;
  newton_options.solver.ordering = FillOrdering::metis;  // least fill on grids

  SparseNewtonMinimizer newton_elements(elements, by_elements.symmetric_pattern(), newton_options);
  const auto r_elements = newton_elements.minimize(x0);
  newton_options.hessian.coloring.kind = SymmetricColoringKind::acyclic;
  SparseNewtonMinimizer newton_acyclic(surface, star.symmetric_pattern(), newton_options);
  const auto r_acyclic = newton_acyclic.minimize(x0);
  NewtonCgOptions cg_options;
  cg_options.tolerances = tolerances;
  cg_options.globalization = NewtonCgGlobalization::line_search;
  const auto r_cg = newton_cg_minimize(surface, x0, cg_options);
  // The same Newton-CG on the element form: H v by elements, no tape.
  const auto r_cg_elements = newton_cg_minimize(elements, x0, cg_options);
  MinimizeResult r_tr;
  if (trust_region) {
    cg_options.globalization = NewtonCgGlobalization::trust_region;
    cg_options.tolerances.max_iterations = 5000;
    r_tr = newton_cg_minimize(surface, x0, cg_options);
  }

  std::printf("  %-24s %4s %5s  %-17s  %9s  %-20s %8s %8s %8s %8s %8s %8s\n", "method", "it",
              "inner", "f", "||grad f||", "status", "deriv s", "hvp s", "factor s", "solve s",
              "search s", "total s");
  print_row("Newton, H by elements", r_elements);
  print_row("Newton, H acyclic", r_acyclic);
  print_row("Newton-CG, line search", r_cg);
  print_row("Newton-CG, H v by elements", r_cg_elements);
  if (trust_region) print_row("Newton-CG, trust region", r_tr);
  std::printf(
      "  (inner: factorizations for Newton, Hessian-vector products for Newton-CG;\n"
      "   deriv: f, grad f and H for Newton, the gradient tape or element pass for Newton-CG)\n");

  std::printf("\nNewton with element Hessians, per iteration (CHOLMOD, %s ordering):\n",
              to_string(newton_elements.linear_solver().info().ordering).c_str());
  std::printf("  it  %-17s  %9s  %6s  %8s  %5s\n", "f", "||grad f||", "alpha", "shift", "facts");
  for (const auto& it : r_elements.history)
    std::printf("  %2d  %.15f  %9.2e  %6.3f  %8.1e  %5d\n", it.iteration, it.value,
                it.gradient_norm, it.step_length, it.shift, it.factorizations);

  const double f_ref = r_cg.value;
  auto same = [&](const MinimizeResult& r) {
    return r.converged() && std::abs(r.value - f_ref) <= 1e-10 * std::abs(f_ref);
  };
  const bool ok = differences < 1e-10 && r_cg.converged() && same(r_elements) && same(r_acyclic) &&
                  (!trust_region || same(r_tr));
  std::printf("\n%s (f = %.15f)\n", ok ? "every method converged to the same minimum" : "MISMATCH",
              f_ref);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
