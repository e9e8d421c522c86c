#pragma once
// The scalar objectives of ../shared/PROBLEMS.md (Hessian problems), written
// once as templates on the scalar and shared by examples, tests and benches:
//   MinimalSurface  MINPACK-2 "dmsa" (Averick, Carter, Moré & Xue 1992), n = N^2
//   Dixmaan         Dixon & Maany (1988), CUTE DIXMAANJ by default, n = 3m
// Each takes `const T* x` and returns f(x) (T = double, Reverse, Dual, Tracer),
// and gives its standard start. MinimalSurface also comes in element form (a
// sum of triangles, each touching at most 3 unknowns) for element-wise
// Hessian assembly.
#include <cmath>
#include <random>
#include <vector>

#include "sparsediff/core/config.hpp"

namespace sparsediff::problems {

/// Minimal surface area over the unit square: N x N interior nodes, grid
/// spacing h = 1/(N+1), boundary values g(x, y) = x^2 - y^2, unknown (i, j)
/// (1 <= i, j <= N) at x[(i-1) + N (j-1)]. Every one of the (N+1)^2 cells
/// contributes two triangles, the lower one (i, j), (i+1, j), (i, j+1) and the
/// upper one (i+1, j+1), (i, j+1), (i+1, j), each with area h^2/2 times
/// sqrt(1 + v_x^2 + v_y^2) of the linear interpolant v on it (as dmsafg).
struct MinimalSurface {
  Index N = 0;

  Index size() const { return N * N; }
  double spacing() const { return 1.0 / double(N + 1); }

  /// g at grid node (i, j), 0 <= i, j <= N + 1.
  double boundary(Index i, Index j) const {
    const double x = i * spacing(), y = j * spacing();
    return x * x - y * y;
  }

  template <class T>
  T operator()(const T* x) const {
    using std::sqrt;
    const double inv_h = double(N + 1);
    const double area = 0.5 * spacing() * spacing();
    // The value at grid node (i, j): an unknown inside, g on the boundary.
    auto at = [&](Index i, Index j) -> T {
      if (i >= 1 && i <= N && j >= 1 && j <= N) return x[(i - 1) + N * (j - 1)];
      return T(boundary(i, j));
    };
    T sum = 0.0;
    for (Index j = 0; j <= N; ++j) {
      T v00 = at(0, j), v01 = at(0, j + 1);  // left corners of cell (i, j)
      for (Index i = 0; i <= N; ++i) {
        const T v10 = at(i + 1, j), v11 = at(i + 1, j + 1);
        const T lx = (v10 - v00) * inv_h, ly = (v01 - v00) * inv_h;
        const T ux = (v11 - v01) * inv_h, uy = (v11 - v10) * inv_h;
        sum += sqrt(1.0 + lx * lx + ly * ly);
        sum += sqrt(1.0 + ux * ux + uy * uy);
        v00 = v10;
        v01 = v11;
      }
    }
    return area * sum;
  }

  /// MINPACK-2's standard start: the mean of the linear interpolations of
  /// the boundary values in x and in y.
  std::vector<double> initial_guess() const {
    std::vector<double> x(static_cast<std::size_t>(size()));
    const double h = spacing();
    for (Index j = 1; j <= N; ++j)
      for (Index i = 1; i <= N; ++i) {
        const double a = j * h, b = i * h;
        const double along_y = a * boundary(i, N + 1) + (1 - a) * boundary(i, 0);
        const double along_x = b * boundary(N + 1, j) + (1 - b) * boundary(0, j);
        x[std::size_t(i - 1) + std::size_t(N) * (j - 1)] = 0.5 * (along_y + along_x);
      }
    return x;
  }

  // ---- element form: f = sum over e < num_elements() of element(e, x restricted)

  /// Triangles: 2 per cell, element 2 c is the lower and 2 c + 1 the upper
  /// triangle of cell c = i + (N + 1) j.
  Index num_elements() const { return 2 * (N + 1) * (N + 1); }

  /// The unknowns element e touches (at most 3, increasing vertex order:
  /// corner, x-neighbour, y-neighbour); returns their number.
  Index element_variables(Index e, Index* variables) const {
    Index nodes[3][2];
    element_nodes(e, nodes);
    Index count = 0;
    for (const auto& node : nodes)
      if (is_unknown(node[0], node[1])) variables[count++] = (node[0] - 1) + N * (node[1] - 1);
    return count;
  }

  /// The contribution of element e, given the values of its unknowns in the
  /// order of element_variables.
  template <class T>
  T element(Index e, const T* local) const {
    using std::sqrt;
    Index nodes[3][2];
    element_nodes(e, nodes);
    T v[3];
    Index next = 0;
    for (int k = 0; k < 3; ++k)
      v[k] = is_unknown(nodes[k][0], nodes[k][1]) ? local[next++]
                                                  : T(boundary(nodes[k][0], nodes[k][1]));
    const double inv_h = double(N + 1);
    const double area = 0.5 * spacing() * spacing();
    // Lower: v[0] = (i, j), v[1] = (i+1, j), v[2] = (i, j+1).
    // Upper: v[0] = (i+1, j+1), v[1] = (i, j+1), v[2] = (i+1, j).
    const T dx = (v[1] - v[0]) * inv_h, dy = (v[2] - v[0]) * inv_h;
    return area * sqrt(1.0 + dx * dx + dy * dy);
  }

 private:
  bool is_unknown(Index i, Index j) const { return i >= 1 && i <= N && j >= 1 && j <= N; }

  // Vertices in the order of element(): the corner whose differences are taken first.
  void element_nodes(Index e, Index (&nodes)[3][2]) const {
    const Index c = e / 2, i = c % (N + 1), j = c / (N + 1);
    if (e % 2 == 0) {
      nodes[0][0] = i, nodes[0][1] = j;
      nodes[1][0] = i + 1, nodes[1][1] = j;
      nodes[2][0] = i, nodes[2][1] = j + 1;
    } else {
      nodes[0][0] = i + 1, nodes[0][1] = j + 1;
      nodes[1][0] = i, nodes[1][1] = j + 1;
      nodes[2][0] = i + 1, nodes[2][1] = j;
    }
  }
};

/// The DIXMAAN family of Dixon & Maany (CUTE), n = 3m:
///   f = 1 + sum_{i<=n} a x_i^2 (i/n)^k1 + sum_{i<n} b x_i^2 (x_{i+1} + x_{i+1}^2)^2 (i/n)^k2
///         + sum_{i<=2m} c x_i^2 x_{i+m}^4 (i/n)^k3 + sum_{i<=m} d x_i x_{i+2m} (i/n)^k4
/// (1-based). The defaults are DIXMAANJ: a = 1, b = c = d = 1/16,
/// k = (2, 0, 0, 2); the standard start is x_i = 2.
struct Dixmaan {
  Index m = 0;
  double a = 1.0, b = 0.0625, c = 0.0625, d = 0.0625;
  int k1 = 2, k2 = 0, k3 = 0, k4 = 2;

  Index size() const { return 3 * m; }

  /// t^k for a small integer k >= 0 (exact for k = 0, 1, 2).
  static double power(double t, int k) {
    double p = 1.0;
    for (int e = 0; e < k; ++e) p *= t;
    return p;
  }

  template <class T>
  T operator()(const T* x) const {
    const Index n = 3 * m;
    T f = 1.0;
    for (Index i = 1; i <= n; ++i) {
      const double t = double(i) / double(n);
      const T xi = x[i - 1];
      const T xi2 = xi * xi;
      f += (a * power(t, k1)) * xi2;
      if (i < n) {
        const T y = x[i];
        const T s = y + y * y;
        f += (b * power(t, k2)) * xi2 * (s * s);
      }
      if (i <= 2 * m) {
        const T z = x[i + m - 1];
        const T z2 = z * z;
        f += (c * power(t, k3)) * xi2 * (z2 * z2);
      }
      if (i <= m) f += (d * power(t, k4)) * xi * x[i + 2 * m - 1];
    }
    return f;
  }

  std::vector<double> initial_guess() const {
    return std::vector<double>(static_cast<std::size_t>(size()), 2.0);
  }
};

/// DIXMAANJ in element form: element i (0-based) holds every term indexed by
/// i + 1 in PROBLEMS.md, over x_i, x_{i+1}, x_{i+m}, x_{i+2m} (those present).
struct DixmaanElements {
  Dixmaan f;
  Index num_elements() const { return f.size(); }
  Index element_variables(Index e, Index* v) const {
    const Index n = f.size(), m = f.m, i = e + 1;
    Index k = 0;
    v[k++] = e;
    if (i < n) v[k++] = e + 1;
    if (i <= 2 * m) v[k++] = e + m;
    if (i <= m) v[k++] = e + 2 * m;
    return k;
  }
  template <class T>
  T element(Index e, const T* v) const {
    const Index n = f.size(), m = f.m, i = e + 1;
    const double t = double(i) / double(n);
    const T xi2 = v[0] * v[0];
    T r = (f.a * Dixmaan::power(t, f.k1)) * xi2;
    Index k = 1;
    if (i < n) {
      const T s = v[k] + v[k] * v[k];
      r += (f.b * Dixmaan::power(t, f.k2)) * xi2 * (s * s);
      ++k;
    }
    if (i <= 2 * m) {
      const T z2 = v[k] * v[k];
      r += (f.c * Dixmaan::power(t, f.k3)) * xi2 * (z2 * z2);
      ++k;
    }
    if (i <= m) r += (f.d * Dixmaan::power(t, f.k4)) * v[0] * v[k];
    if (e == 0) r += 1.0;
    return r;
  }
};

/// A random smooth-almost-everywhere objective that exercises every elemental
/// function of the library (for derivative tests): a straight-line program of
/// `steps` statements, each applying one randomly chosen function to earlier
/// values (inputs or results), with arguments squashed into the function's
/// domain; f = sum of the results with random weights. With `branches`, some
/// statements choose between two formulas by comparing values.
struct RandomComposition {
  Index n = 0;
  std::vector<int> op, lhs, rhs, third;
  std::vector<double> weight;
  bool branches = false;

  static constexpr int num_ops = 52;

  static RandomComposition make(Index n, int steps, unsigned seed, bool branches = false) {
    std::mt19937 rng(seed);
    RandomComposition f;
    f.n = n;
    f.branches = branches;
    std::uniform_real_distribution<double> w(-1.0, 1.0);
    for (int s = 0; s < steps; ++s) {
      const int available = int(n) + s;
      // Every function appears once in the first num_ops statements.
      f.op.push_back(s < num_ops ? s : int(rng() % num_ops));
      f.lhs.push_back(int(rng() % available));
      f.rhs.push_back(int(rng() % available));
      f.third.push_back(int(rng() % available));
      f.weight.push_back(w(rng));
    }
    return f;
  }

  Index size() const { return n; }

  template <class T>
  T operator()(const T* x) const {
    std::vector<T> v(x, x + n);
    T sum = 0.0;
    for (std::size_t s = 0; s < op.size(); ++s) {
      const T r = statement(op[s], v[lhs[s]], v[rhs[s]], v[third[s]]);
      v.push_back(r);
      sum += weight[s] * r;
    }
    return sum;
  }

  /// Statement k on values u, w, z (each result bounded by a few units).
  template <class T>
  T statement(int k, const T& u, const T& w, const T& z) const {
    using std::abs;
    using std::acos;
    using std::acosh;
    using std::asin;
    using std::asinh;
    using std::atan;
    using std::atan2;
    using std::atanh;
    using std::cbrt;
    using std::ceil;
    using std::copysign;
    using std::cos;
    using std::cosh;
    using std::erf;
    using std::erfc;
    using std::exp;
    using std::exp2;
    using std::expm1;
    using std::fabs;
    using std::floor;
    using std::fma;
    using std::fmax;
    using std::fmin;
    using std::hypot;
    using std::isfinite;
    using std::log;
    using std::log10;
    using std::log1p;
    using std::log2;
    using std::max;
    using std::min;
    using std::pow;
    using std::round;
    using std::sin;
    using std::sinh;
    using std::sqrt;
    using std::tan;
    using std::tanh;
    using std::trunc;
    const T tu = tanh(u);
    switch (k) {
      case 0:
        return exp(0.5 * tu);
      case 1:
        return exp2(tu);
      case 2:
        return expm1(0.5 * sin(u));
      case 3:
        return log(2.0 + sin(u));
      case 4:
        return log2(1.5 + cos(u));
      case 5:
        return log10(1.0 + u * u);
      case 6:
        return log1p(u * u);
      case 7:
        return sqrt(1.0 + u * u);
      case 8:
        return cbrt(2.0 + tu);
      case 9:
        return sin(u);
      case 10:
        return cos(u);
      case 11:
        return tan(0.5 * tu);
      case 12:
        return asin(0.8 * tu);
      case 13:
        return acos(0.8 * tu);
      case 14:
        return atan(u);
      case 15:
        return sinh(tu);
      case 16:
        return cosh(tu);
      case 17:
        return tu;
      case 18:
        return asinh(u);
      case 19:
        return acosh(1.5 + u * u);
      case 20:
        return atanh(0.7 * tu);
      case 21:
        return erf(u);
      case 22:
        return erfc(u);
      case 23:
        return abs(u) - fabs(w) * 0.5;
      case 24:
        return u + 0.1 * floor(3.0 * u) + 0.1 * ceil(w);
      case 25:
        return u - 0.1 * round(2.0 * w) + 0.1 * trunc(z);
      case 26:
        return pow(u, 3);
      case 27:
        return pow(1.5 + tu, 2.5);
      case 28:
        return pow(2.0, tu);
      case 29:
        return pow(1.5 + tu, tanh(w));
      case 30:
        return hypot(u, w);
      case 31:
        return atan2(u, 1.5 + tanh(w));
      case 32:
        return fmin(u, w);
      case 33:
        return fmax(u, w);
      case 34:
        return min(u, w) + max(u, z);
      case 35:
        return copysign(u, w);
      case 36:
        return fma(tu, w, z);
      case 37:
        return tu * tanh(w);
      case 38:
        return u / (2.0 + sin(w));
      case 39:
        return u - w;
      case 40:
        return u + w;
      case 41:
        return -u;
      case 42:
        return 2.0 - tu;
      case 43:
        return u / 3.0;
      case 44:
        return 3.0 / (2.0 + cos(u));
      case 45: {
        T r = u;
        r += w;
        r *= 0.5;
        r -= tanh(z);
        r /= 2.0;
        return r;
      }
      case 46: {
        T r = tu;
        r *= tanh(w);
        r /= 1.5 + cos(z);
        return r;
      }
      case 47:
        return hypot(u, 0.5) + atan2(0.5, 1.0 + w * w) + pow(u * u + 1.0, w * 0.0 + 0.5);
      case 48:
        return fma(2.0, u, 1.0) + fmin(u, 0.3) + fmax(0.2, w) + copysign(1.5, w) * 0.0;
      case 49:
        return tu * tu;  // square of one node
      case 50:
        if (branches) return u > w ? u * u : sin(w);
        return u * sin(w);
      default:
        if (branches && isfinite(u) && u < 0.5) return exp(0.2 * w);
        return max(u, w * 0.5);
    }
  }
};

}  // namespace sparsediff::problems
