// The 2-D Brusselator reaction–diffusion residual (two species, periodic
// grid; PROBLEMS.md): Jacobian statistics and verification against the
// Jacobian derived by hand.
//
//   brusselator2d [N]     N x N grid per species (default 512, n = 2 N^2)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sparsediff/sparsediff.hpp>

#include "examples/common/pde_residuals.hpp"
#include "examples/common/timing.hpp"

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  const sparsediff::Index N = argc > 1 ? std::atoi(argv[1]) : 512;
  if (N < 3) {
    std::fprintf(stderr, "usage: brusselator2d [N >= 3]\n");
    return 2;
  }
  const sparsediff::problems::Brusselator2d bruss{N};
  const auto u = bruss.initial_guess();
  using sparsediff::examples::median_seconds;

  sparsediff::SparseJacobian jacobian(bruss, bruss.size(), bruss.size());
  sparsediff::CsrMatrix<double> J(jacobian.pattern());
  std::vector<double> F;
  const double t_f = median_seconds(7, [&] { jacobian.value(u, F); });
  const double t_j = median_seconds(7, [&] { jacobian.evaluate(u, J); });

  const auto reference = bruss.analytic_jacobian(u);
  const auto got = J.host_values(), want = reference.host_values();
  double max_error = 0;
  for (std::size_t k = 0; k < got.size(); ++k)
    max_error = std::max(max_error, std::abs(got[k] - want[k]) / std::max(1.0, std::abs(want[k])));
  const bool same_pattern = jacobian.pattern() == reference.pattern();

  std::printf("2-D Brusselator, N = %d: n = %d, nnz = %d\n", N, bruss.size(),
              jacobian.pattern().nnz());
  std::printf("  colors %d (lower bound %d), %d lanes per evaluation\n",
              jacobian.coloring().num_colors, jacobian.coloring().lower_bound,
              jacobian.lane_width());
  std::printf("  set-up: detection %.4f s, coloring %.4f s\n", jacobian.setup_times().detection,
              jacobian.setup_times().coloring);
  std::printf("  F(u) %.5f s, J(u) %.5f s: J / F = %.2f (median of 7)\n", t_f, t_j, t_j / t_f);
  std::printf("  vs analytic Jacobian: pattern %s, max relative error %.2e\n",
              same_pattern ? "identical" : "DIFFERENT", max_error);
  const bool ok = same_pattern && max_error < 1e-12;
  std::printf("%s\n", ok ? "Jacobian OK" : "Jacobian WRONG");
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
