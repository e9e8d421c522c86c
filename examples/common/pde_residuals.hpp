#pragma once
// The benchmark residuals of ../shared/PROBLEMS.md, written once as row
// kernels (template on the scalar) and shared by examples, tests and bench:
//   Bratu2d      MINPACK-2 "dsfi" / PETSc SNES ex5, n = N^2
//   Brusselator2d  two species on a periodic grid, n = 2 N^2
//   NonlinearDiffusion3d  -div((1 + u^2) grad u) - 1, n = N^3
// Each also gives its start vector and, for tests, its Jacobian by hand.
#include <cmath>
#include <vector>

#include "sparsediff/ad/accessor.hpp"
#include "sparsediff/sparse/coo.hpp"
#include "sparsediff/sparse/csr.hpp"

namespace sparsediff::problems {

/// 2-D Bratu: F_k = (4u_k - sum of neighbours)/h^2 - lambda exp(u_k), zero
/// Dirichlet boundary, k = i + N j. With `minpack_scaling` the residual is
/// multiplied by h^2 (as MINPACK-2's dsfi scales it): same root, same Newton
/// steps, but rounding errors of size eps |u| instead of eps |u| / h^2, so
/// ||F|| can go below 1e-10 at N = 1000 (unscaled it stalls near 1e-7).
struct Bratu2d {
  Index N = 0;
  double lambda = 6.0;
  bool minpack_scaling = false;

  Index size() const { return N * N; }

  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(Index k, Accessor<T> u) const {
    using std::exp;
    const Index i = k % N, j = k / N;
    const double inv_h2 = double(N + 1) * double(N + 1);
    const T uk = u(k);
    T lap = 4.0 * uk;
    if (i > 0) lap -= u(k - 1);
    if (i < N - 1) lap -= u(k + 1);
    if (j > 0) lap -= u(k - N);
    if (j < N - 1) lap -= u(k + N);
    if (minpack_scaling) return lap - (lambda / inv_h2) * exp(uk);
    return inv_h2 * lap - lambda * exp(uk);
  }

  std::vector<double> initial_guess() const {
    std::vector<double> u(static_cast<std::size_t>(size()));
    const double h = 1.0 / (N + 1);
    for (Index j = 0; j < N; ++j)
      for (Index i = 0; i < N; ++i) {
        const double x = (i + 1) * h, y = (j + 1) * h;
        u[std::size_t(i) + std::size_t(N) * j] =
            8 * x * (1 - x) * y * (1 - y) + 0.01 * std::sin(7 * x + 3 * y);
      }
    return u;
  }

  /// The Jacobian by hand: 4/h^2 - lambda e^u on the diagonal, -1/h^2 off it.
  CsrMatrix<double> analytic_jacobian(const std::vector<double>& u) const {
    CooMatrix<double> j_coo(size(), size());
    const double inv_h2 = minpack_scaling ? 1.0 : double(N + 1) * double(N + 1);
    const double lambda =
        minpack_scaling ? this->lambda / (double(N + 1) * double(N + 1)) : this->lambda;
    for (Index k = 0; k < size(); ++k) {
      const Index i = k % N, j = k / N;
      j_coo.add(k, k, 4 * inv_h2 - lambda * std::exp(u[k]));
      if (i > 0) j_coo.add(k, k - 1, -inv_h2);
      if (i < N - 1) j_coo.add(k, k + 1, -inv_h2);
      if (j > 0) j_coo.add(k, k - N, -inv_h2);
      if (j < N - 1) j_coo.add(k, k + N, -inv_h2);
    }
    return j_coo.to_csr();
  }
};

/// 2-D Brusselator (SparseDiffTools.jl / SciMLBenchmarks): two species on an
/// N x N periodic grid, layout u[i + N j + N^2 s].
struct Brusselator2d {
  Index N = 0;
  double alpha = 10.0, A = 3.4, B = 1.0;

  Index size() const { return 2 * N * N; }

  KOKKOS_INLINE_FUNCTION Index wrap(Index i) const { return i < 0 ? i + N : (i >= N ? i - N : i); }

  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(Index k, Accessor<T> u) const {
    const Index nn = N * N, s = k / nn, p = k - s * nn, i = p % N, j = p / N;
    const double dx = 1.0 / (N - 1), a = alpha / (dx * dx);
    const Index base = s * nn;
    const T center = u(k);
    const T lap = u(base + wrap(i - 1) + N * j) + u(base + wrap(i + 1) + N * j) +
                  u(base + i + N * wrap(j - 1)) + u(base + i + N * wrap(j + 1)) - 4.0 * center;
    const T u1 = s == 0 ? center : u(p), u2 = s == 0 ? u(p + nn) : center;
    if (s == 0) return a * lap + B + u1 * u1 * u2 - (A + 1) * u1;
    return a * lap + A * u1 - u1 * u1 * u2;
  }

  std::vector<double> initial_guess() const {
    std::vector<double> u(static_cast<std::size_t>(size()));
    const Index nn = N * N;
    for (Index j = 0; j < N; ++j)
      for (Index i = 0; i < N; ++i) {
        const double x = double(i) / (N - 1), y = double(j) / (N - 1);
        u[i + N * j] = 22 * std::pow(y * (1 - y), 1.5);
        u[i + N * j + nn] = 27 * std::pow(x * (1 - x), 1.5);
      }
    return u;
  }

  /// The Jacobian by hand (duplicates sum when N is small enough that
  /// periodic neighbours coincide).
  CsrMatrix<double> analytic_jacobian(const std::vector<double>& u) const {
    const Index nn = N * N;
    const double dx = 1.0 / (N - 1), a = alpha / (dx * dx);
    CooMatrix<double> j_coo(size(), size());
    for (Index s = 0; s < 2; ++s)
      for (Index j = 0; j < N; ++j)
        for (Index i = 0; i < N; ++i) {
          const Index p = i + N * j, k = p + s * nn, base = s * nn;
          for (Index nb : {base + wrap(i - 1) + N * j, base + wrap(i + 1) + N * j,
                           base + i + N * wrap(j - 1), base + i + N * wrap(j + 1)})
            j_coo.add(k, nb, a);
          j_coo.add(k, k, -4 * a);
          const double u1 = u[p], u2 = u[p + nn];
          if (s == 0) {
            j_coo.add(k, p, 2 * u1 * u2 - (A + 1));
            j_coo.add(k, p + nn, u1 * u1);
          } else {
            j_coo.add(k, p, A - 2 * u1 * u2);
            j_coo.add(k, p + nn, -u1 * u1);
          }
        }
    return j_coo.to_csr();
  }
};

/// 3-D nonlinear diffusion F(u) = -div((1 + u^2) grad u) - 1 on the unit cube,
/// N^3 interior nodes, zero Dirichlet boundary, 7-point stencil with face
/// conductivity the mean of (1 + u^2) at the two nodes.
struct NonlinearDiffusion3d {
  Index N = 0;

  Index size() const { return N * N * N; }

  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(Index k, Accessor<T> u) const {
    const Index i = k % N, j = (k / N) % N, l = k / (N * N);
    const double inv_h2 = double(N + 1) * double(N + 1);
    const T uk = u(k);
    const T ck = 1.0 + uk * uk;
    T flux = 0.0;  // sum over faces of kappa_f (u_nb - u_k)
    auto face = [&](bool inside, Index nb) {
      if (inside) {
        const T unb = u(nb);
        flux += 0.5 * (ck + (1.0 + unb * unb)) * (unb - uk);
      } else {
        flux -= 0.5 * (ck + 1.0) * uk;  // boundary value 0, conductivity 1
      }
    };
    face(i > 0, k - 1);
    face(i < N - 1, k + 1);
    face(j > 0, k - N);
    face(j < N - 1, k + N);
    face(l > 0, k - N * N);
    face(l < N - 1, k + N * N);
    return -inv_h2 * flux - 1.0;
  }

  /// The 7-coloring (i + 2j + 3l) mod 7 of the 7-point stencil: the offsets
  /// +-1, +-2, +-3 of a node's neighbours are distinct nonzero residues mod 7,
  /// so no two columns sharing a row share a color (lower bound 7 met).
  std::vector<Index> stencil_coloring() const {
    std::vector<Index> colors(static_cast<std::size_t>(size()));
    for (Index k = 0; k < size(); ++k) {
      const Index i = k % N, j = (k / N) % N, l = k / (N * N);
      colors[k] = (i + 2 * j + 3 * l) % 7;
    }
    return colors;
  }

  std::vector<double> initial_guess() const {
    std::vector<double> u(static_cast<std::size_t>(size()));
    const double h = 1.0 / (N + 1), pi = 3.14159265358979323846;
    for (Index k = 0; k < size(); ++k) {
      const Index i = k % N, j = (k / N) % N, l = k / (N * N);
      u[k] = 0.1 * std::sin(pi * (i + 1) * h) * std::sin(pi * (j + 1) * h) *
             std::sin(pi * (l + 1) * h);
    }
    return u;
  }
};

/// A row kernel seen as a whole-vector function y = F(x) (kind (a)), for
/// comparing the two paths on the same problem.
template <class RowKernel>
struct WholeVector {
  RowKernel rows;
  Index m = 0, n = 0;
  template <class T>
  void operator()(const T* x, T* y) const {
    const Accessor<T> input(x, n);
    for (Index i = 0; i < m; ++i) y[i] = rows(i, input);
  }
};

}  // namespace sparsediff::problems
