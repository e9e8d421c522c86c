#pragma once
// Test fixtures of the differentiable-operation tests: random patterns (with
// duplicated COO coordinates on request), a triplet-loop reference product
// that shares no code with ops/, and central finite differences.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <random>
#include <vector>

#include "sparsediff/sparse/coo.hpp"
#include "sparsediff/sparse/csr.hpp"

namespace sparsediff::test {

/// A rows x cols COO matrix with about density * rows * cols triplets of
/// values in [-1, 1]; with `duplicates`, every third triplet is repeated once
/// (different value), and every row gets at least one entry.
inline CooMatrix<double> random_coo(Index rows, Index cols, double density, unsigned seed,
                                    bool duplicates) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(-1.0, 1.0), unit(0.0, 1.0);
  std::uniform_int_distribution<Index> column(0, cols - 1);
  CooMatrix<double> a(rows, cols);
  int count = 0;
  for (Index i = 0; i < rows; ++i) {
    bool any = false;
    for (Index j = 0; j < cols; ++j)
      if (unit(rng) < density) {
        a.add(i, j, value(rng));
        any = true;
        if (duplicates && ++count % 3 == 0) a.add(i, j, value(rng));
      }
    if (!any && cols > 0) a.add(i, column(rng), value(rng));
  }
  return a;
}

inline std::vector<double> random_vector(std::size_t n, unsigned seed, double lo = -1.0,
                                         double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

/// Y = A X from the triplets (column-major blocks, r columns).
inline std::vector<double> reference_product(Index rows, Index cols, const std::vector<Index>& ri,
                                             const std::vector<Index>& ci,
                                             const std::vector<double>& values,
                                             const std::vector<double>& x, Index r = 1) {
  std::vector<double> y(std::size_t(rows) * std::size_t(r), 0.0);
  for (Index c = 0; c < r; ++c)
    for (std::size_t t = 0; t < values.size(); ++t)
      y[std::size_t(c) * rows + ri[t]] += values[t] * x[std::size_t(c) * cols + ci[t]];
  return y;
}

/// Central difference of f along each coordinate: g_j = (f(p + h e_j) - f(p - h e_j)) / 2h.
inline std::vector<double> fd_gradient(const std::function<double(const std::vector<double>&)>& f,
                                       std::vector<double> p, double h = 1e-6) {
  std::vector<double> g(p.size());
  for (std::size_t j = 0; j < p.size(); ++j) {
    const double keep = p[j], step = h * std::max(1.0, std::abs(keep));
    p[j] = keep + step;
    const double fp = f(p);
    p[j] = keep - step;
    const double fm = f(p);
    p[j] = keep;
    g[j] = (fp - fm) / (2 * step);
  }
  return g;
}

/// Central difference of a vector function along direction v.
inline std::vector<double> fd_directional(
    const std::function<std::vector<double>(const std::vector<double>&)>& f,
    const std::vector<double>& p, const std::vector<double>& v, double h = 1e-6) {
  std::vector<double> pp(p), pm(p);
  for (std::size_t j = 0; j < p.size(); ++j) {
    pp[j] += h * v[j];
    pm[j] -= h * v[j];
  }
  const auto yp = f(pp), ym = f(pm);
  std::vector<double> d(yp.size());
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = (yp[i] - ym[i]) / (2 * h);
  return d;
}

/// max_i |a_i - b_i| / max(1, max_i |b_i|).
inline double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double scale = 1, diff = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    scale = std::max(scale, std::abs(b[i]));
    diff = std::max(diff, std::abs(a[i] - b[i]));
  }
  return a.size() == b.size() ? diff / scale : INFINITY;
}

}  // namespace sparsediff::test
