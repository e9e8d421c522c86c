#pragma once
// Test matrices for the solver tests, each kept twice: as a CsrMatrix for the
// code under test and as a dense row-major array for the independent
// reference products (b = A x computed here, not by CsrMatrix::multiply).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <utility>
#include <vector>

#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff::test {

struct TestMatrix {
  Index n = 0;
  std::vector<Index> rows, cols;  // triplets (no duplicates)
  std::vector<double> values;

  /// Dense row-major copy.
  std::vector<double> dense() const {
    std::vector<double> d(std::size_t(n) * std::size_t(n), 0.0);
    for (std::size_t k = 0; k < values.size(); ++k)
      d[std::size_t(rows[k]) * std::size_t(n) + std::size_t(cols[k])] += values[k];
    return d;
  }

  /// The CSR matrix (structural zeros in the triplets stay in the pattern).
  CsrMatrix<double> csr() const {
    auto pattern = Pattern::from_coo(n, n, rows, cols);
    std::vector<double> v(std::size_t(pattern.nnz()), 0.0);
    for (std::size_t k = 0; k < values.size(); ++k)
      v[std::size_t(pattern.find(rows[k], cols[k]))] += values[k];
    return CsrMatrix<double>(pattern, v);
  }

  void add(Index i, Index j, double v) {
    rows.push_back(i);
    cols.push_back(j);
    values.push_back(v);
  }
};

/// b = A x (or A^T x) for nrhs column-major right-hand sides, densely.
inline std::vector<double> dense_multiply(const TestMatrix& a, const std::vector<double>& x,
                                          Index nrhs = 1, bool transposed = false) {
  const auto d = a.dense();
  const std::size_t n = std::size_t(a.n);
  std::vector<double> b(n * std::size_t(nrhs), 0.0);
  for (std::size_t r = 0; r < std::size_t(nrhs); ++r)
    for (std::size_t i = 0; i < n; ++i) {
      long double sum = 0.0L;
      for (std::size_t j = 0; j < n; ++j)
        sum += (long double)(transposed ? d[j * n + i] : d[i * n + j]) * x[r * n + j];
      b[r * n + i] = double(sum);
    }
  return b;
}

inline std::vector<double> random_vector(std::size_t size, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(size);
  for (auto& x : v) x = dist(gen);
  return v;
}

/// Random unsymmetric pattern (about `per_row` off-diagonal entries per row,
/// none mirrored on purpose) with a strictly dominant diagonal: nonsingular.
inline TestMatrix random_unsymmetric(Index n, Index per_row, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<Index> col(0, n - 1);
  std::uniform_real_distribution<double> val(-1.0, 1.0);
  TestMatrix a;
  a.n = n;
  for (Index i = 0; i < n; ++i) {
    std::vector<Index> used{i};
    double row_sum = 0.0;
    for (Index e = 0; e < per_row; ++e) {
      const Index j = col(gen);
      bool seen = false;
      for (Index u : used) seen |= u == j;
      if (seen) continue;
      used.push_back(j);
      const double v = val(gen);
      row_sum += std::abs(v);
      a.add(i, j, v);
    }
    a.add(i, i, (val(gen) < 0 ? -1.0 : 1.0) * (row_sum + 0.5 + std::abs(val(gen))));
  }
  return a;
}

/// 5-point Laplacian on an m x m grid with Dirichlet boundary: SPD, n = m^2.
inline TestMatrix laplacian_2d(Index m) {
  TestMatrix a;
  a.n = m * m;
  for (Index y = 0; y < m; ++y)
    for (Index x = 0; x < m; ++x) {
      const Index i = y * m + x;
      a.add(i, i, 4.0);
      if (x > 0) a.add(i, i - 1, -1.0);
      if (x + 1 < m) a.add(i, i + 1, -1.0);
      if (y > 0) a.add(i, i - m, -1.0);
      if (y + 1 < m) a.add(i, i + m, -1.0);
    }
  return a;
}

/// Random symmetric matrix with a strictly dominant positive diagonal: SPD
/// (Gershgorin).
inline TestMatrix random_spd(Index n, Index per_row, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<Index> col(0, n - 1);
  std::uniform_real_distribution<double> val(-1.0, 1.0);
  std::vector<std::vector<std::pair<Index, double>>> upper(static_cast<std::size_t>(n));
  std::vector<double> row_sum(std::size_t(n), 0.0);
  for (Index i = 0; i < n; ++i)
    for (Index e = 0; e < per_row; ++e) {
      const Index j = col(gen);
      if (j <= i) continue;
      bool seen = false;
      for (auto& [c, v] : upper[std::size_t(i)]) seen |= c == j;
      if (seen) continue;
      const double v = val(gen);
      upper[std::size_t(i)].push_back({j, v});
      row_sum[std::size_t(i)] += std::abs(v);
      row_sum[std::size_t(j)] += std::abs(v);
    }
  TestMatrix a;
  a.n = n;
  for (Index i = 0; i < n; ++i) {
    a.add(i, i, row_sum[std::size_t(i)] + 0.1 + std::abs(val(gen)));
    for (auto& [j, v] : upper[std::size_t(i)]) {
      a.add(i, j, v);
      a.add(j, i, v);
    }
  }
  return a;
}

/// max_i |a_i - b_i| / max(1, max_i |b_i|).
inline double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double err = 0.0, scale = 1.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    err = std::max(err, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return a.size() == b.size() ? err / scale : HUGE_VAL;
}

}  // namespace sparsediff::test
