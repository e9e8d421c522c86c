#pragma once
// Random sparse functions with a known pattern, for derivative tests.
// Row i depends on a random subset of inputs through random compositions of
// the math functions (and products of pairs, so derivatives mix inputs);
// the same function is available as a row kernel and as a whole-vector
// function, and its Jacobian is checked against central finite differences.
#include <cmath>
#include <random>
#include <vector>

#include "sparsediff/ad/accessor.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff::test {

struct RandomSparseFunction {
  Index m = 0, n = 0;
  std::vector<std::vector<Index>> columns;  // inputs of each row
  std::vector<std::vector<int>> ops;        // one op per input of each row
  std::vector<std::vector<double>> weights;

  static constexpr int num_ops = 12;

  template <class T>
  static T apply(int op, const T& v) {
    using std::atan;
    using std::cbrt;
    using std::cos;
    using std::erf;
    using std::exp;
    using std::expm1;
    using std::hypot;
    using std::log1p;
    using std::pow;
    using std::sin;
    using std::sqrt;
    using std::tanh;
    switch (op) {
      case 0:
        return v;
      case 1:
        return sin(v);
      case 2:
        return cos(v);
      case 3:
        return exp(0.3 * v);
      case 4:
        return tanh(v);
      case 5:
        return log1p(v * v);
      case 6:
        return sqrt(1.0 + v * v);
      case 7:
        return atan(v);
      case 8:
        return erf(v);
      case 9:
        return pow(v, 3);
      case 10:
        return cbrt(2.0 + v);
      default:
        return hypot(v, 0.5) + expm1(0.2 * v);
    }
  }

  /// Row kernel.
  template <class T>
  T operator()(int i, Accessor<T> x) const {
    T r = 0.0;
    const auto& cols = columns[i];
    for (std::size_t e = 0; e < cols.size(); ++e) r += weights[i][e] * apply(ops[i][e], x(cols[e]));
    if (cols.size() >= 2) r += x(cols[0]) * apply(ops[i][1], x(cols[1]));
    return r;
  }

  /// The pattern by construction.
  Pattern pattern() const {
    std::vector<Index> ri, ci;
    for (Index i = 0; i < m; ++i)
      for (Index j : columns[i]) {
        ri.push_back(i);
        ci.push_back(j);
      }
    return Pattern::from_coo(m, n, ri, ci);
  }

  static RandomSparseFunction make(Index m, Index n, Index max_per_row, unsigned seed,
                                   bool with_dense_row = false) {
    std::mt19937 rng(seed);
    RandomSparseFunction f;
    f.m = m;
    f.n = n;
    f.columns.resize(m);
    f.ops.resize(m);
    f.weights.resize(m);
    std::uniform_real_distribution<double> w(-2.0, 2.0);
    for (Index i = 0; i < m; ++i) {
      Index count = Index(rng() % (max_per_row + 1));  // may be 0: empty rows
      if (with_dense_row && i == m / 2) count = n;
      std::vector<Index> all(n);
      for (Index j = 0; j < n; ++j) all[j] = j;
      std::shuffle(all.begin(), all.end(), rng);
      for (Index e = 0; e < std::min(count, n); ++e) {
        f.columns[i].push_back(all[e]);
        f.ops[i].push_back(int(rng() % num_ops));
        f.weights[i].push_back(w(rng));
      }
    }
    return f;
  }
};

/// Central finite differences of a row kernel: a dense m x n row-major array.
/// Step h relative to max(1, |x_j|); truncation error O(h^2 f''') ~ 1e-10.
template <class RowKernel>
std::vector<double> finite_difference_jacobian(const RowKernel& f, Index m,
                                               const std::vector<double>& x, double h = 1e-5) {
  const Index n = Index(x.size());
  std::vector<double> dense(std::size_t(m) * n), xp = x;
  for (Index j = 0; j < n; ++j) {
    const double step = h * std::max(1.0, std::abs(x[j]));
    xp[j] = x[j] + step;
    const Accessor<double> plus(xp.data(), n);
    std::vector<double> fp(m);
    for (Index i = 0; i < m; ++i) fp[i] = f(i, plus);
    xp[j] = x[j] - step;
    const Accessor<double> minus(xp.data(), n);
    for (Index i = 0; i < m; ++i)
      dense[std::size_t(i) * n + j] = (fp[i] - f(i, minus)) / (2 * step);
    xp[j] = x[j];
  }
  return dense;
}

}  // namespace sparsediff::test
