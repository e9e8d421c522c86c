// Tests of the Hessian tracer and of detect_hessian_pattern. References are
// independent of the code under test: patterns derived by hand or built from
// the structure of a function known by construction (with std::set), exact
// Hessians from nested forward-mode duals (Dual<Dual<double, 1>, 1>, one
// evaluation per entry), and central finite-difference Hessians of the
// plain-double objectives.
#include "sparsediff/ad/hessian_tracer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "examples/common/objectives.hpp"
#include "sparsediff/ad/dual.hpp"
#include "sparsediff/hessian/detect.hpp"

namespace sparsediff {
namespace {

using Entries = std::set<std::pair<Index, Index>>;

// The symmetric pattern holding each (i, j) and (j, i) of `entries`.
Pattern symmetric_pattern(Index n, const Entries& entries) {
  std::vector<Index> r, c;
  for (const auto& [i, j] : entries) {
    r.insert(r.end(), {i, j});
    c.insert(c.end(), {j, i});
  }
  return Pattern::from_coo(n, n, r, c);
}

Entries entries_of(const Pattern& p) {
  auto [ptr, idx] = p.host_arrays();
  Entries e;
  for (Index i = 0; i < p.rows(); ++i)
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k) e.emplace(i, idx[k]);
  return e;
}

std::string describe(const Entries& e) {
  std::string s;
  for (const auto& [i, j] : e) s += "(" + std::to_string(i) + "," + std::to_string(j) + ") ";
  return s.empty() ? "(none)" : s;
}

// A generic objective from a lambda taking `const auto* x`.
template <class Lambda>
struct Objective {
  Lambda lambda;
  template <class T>
  T operator()(const T* x) const {
    return lambda(x);
  }
};
template <class Lambda>
Objective<Lambda> objective(Lambda lambda) {
  return Objective<Lambda>{lambda};
}

// ---------------------------------------------------------- references

using D1 = Dual<double, 1>;
using D2 = Dual<D1, 1>;

// Exact Hessian (row-major n x n) by nested duals: inner lane along e_i,
// outer lane along e_j, so the mixed lane of f is d2 f / dx_i dx_j.
template <class F>
std::vector<double> exact_hessian(const F& f, const std::vector<double>& x) {
  const std::size_t n = x.size();
  std::vector<double> h(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i; j < n; ++j) {
      std::vector<D2> xd(n);
      for (std::size_t k = 0; k < n; ++k) {
        D1 inner(x[k]);
        inner.d[0] = k == i ? 1.0 : 0.0;
        xd[k] = D2(inner);
        xd[k].d[0] = D1(k == j ? 1.0 : 0.0);
      }
      const D2 r = f(static_cast<const D2*>(xd.data()));
      h[i * n + j] = h[j * n + i] = r.d[0].d[0];
    }
  return h;
}

// Central second differences of the double objective, step `step`.
template <class F>
std::vector<double> finite_difference_hessian(const F& f, std::vector<double> x, double step) {
  const std::size_t n = x.size();
  std::vector<double> h(n * n);
  auto at = [&](std::size_t i, double di, std::size_t j, double dj) {
    std::vector<double> y = x;
    y[i] += di;
    y[j] += dj;
    return f(static_cast<const double*>(y.data()));
  };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i; j < n; ++j) {
      const double v = (at(i, step, j, step) - at(i, step, j, -step) - at(i, -step, j, step) +
                        at(i, -step, j, -step)) /
                       (4 * step * step);
      h[i * n + j] = h[j * n + i] = v;
    }
  return h;
}

// The entries of a dense Hessian whose magnitude exceeds `threshold`.
Entries nonzeros(const std::vector<double>& h, Index n, double threshold) {
  Entries e;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (!(std::abs(h[std::size_t(i) * n + j]) <= threshold)) e.emplace(i, j);  // NaN counts
  return e;
}

bool is_subset(const Entries& small, const Entries& large) {
  return std::includes(large.begin(), large.end(), small.begin(), small.end());
}

// ---------------------------------------------------------- the scalar

static_assert(std::is_trivially_copyable_v<HessianTracer>, "copies must be free");
static_assert(sizeof(HessianTracer) == 16, "a tracer is a 16-byte set handle");

TEST(HessianTracer, FirstOrderSets) {
  const HessianTracer x0 = HessianTracer::input(0), x1 = HessianTracer::input(1),
                      x2 = HessianTracer::input(2);
  EXPECT_TRUE(HessianTracer().is_constant());
  EXPECT_TRUE(HessianTracer(2.5).is_constant());
  EXPECT_EQ(x1.gradient_pattern(), std::vector<Index>{1});
  EXPECT_EQ((x2 * x0 + 3.0).gradient_pattern(), (std::vector<Index>{0, 2}));
  EXPECT_EQ(exp(x1 / x0 - x2).gradient_pattern(), (std::vector<Index>{0, 1, 2}));
  EXPECT_TRUE(floor(x0 * x1).is_constant());
  EXPECT_EQ(copysign(x2, x0).gradient_pattern(), std::vector<Index>{2});
  EXPECT_EQ(pow(x0, 0).gradient_pattern(), std::vector<Index>{});
  // Comparisons are NaN-like.
  EXPECT_FALSE(x0 < x1);
  EXPECT_FALSE(x0 == x0);
  EXPECT_TRUE(x0 != 1.0);
  EXPECT_TRUE(isfinite(x0));
  EXPECT_FALSE(isnan(x0));
}

TEST(HessianTracer, LargeSetsInAnyOrder) {
  // Unions far beyond the eager limit, visited in a scrambled order, with
  // duplicates: the lazy sets must hold exactly the inputs added.
  const Index n = 5000;
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index j = 0; j < n; ++j) order[j] = (j * 7919) % n;
  HessianTracer a, b;
  std::set<Index> expected_a, expected_b;
  for (Index k = 0; k < n; ++k) {
    const Index j = order[k];
    if (j % 3 != 0) {
      a += HessianTracer::input(j) * 2.0;
      expected_a.insert(j);
    }
    if (j % 2 == 0) {
      b = b + (HessianTracer::input(j) - HessianTracer::input((j + 1) % n));
      expected_b.insert(j);
      expected_b.insert((j + 1) % n);
    }
    if (k % 100 == 0) a += a;  // a lazy set united with itself
  }
  EXPECT_EQ(a.gradient_pattern(), std::vector<Index>(expected_a.begin(), expected_a.end()));
  EXPECT_EQ(b.gradient_pattern(), std::vector<Index>(expected_b.begin(), expected_b.end()));
  std::set<Index> both(expected_a);
  both.insert(expected_b.begin(), expected_b.end());
  EXPECT_EQ((a + b).gradient_pattern(), std::vector<Index>(both.begin(), both.end()));
  EXPECT_EQ((b - a).gradient_pattern(), std::vector<Index>(both.begin(), both.end()));
}

// ------------------------------------------------- hand-derived patterns

struct Case {
  const char* name;
  Index n;
  std::function<HessianTracer(const HessianTracer*)> f;
  Entries expected;  // upper triangle, mirrored by symmetric_pattern
};

TEST(DetectHessianPattern, HandDerivedPatterns) {
  using T = HessianTracer;
  const std::vector<Case> cases = {
      {"x0 x1", 3, [](const T* x) { return x[0] * x[1]; }, {{0, 1}}},
      {"x0^2", 3, [](const T* x) { return x[0] * x[0]; }, {{0, 0}}},
      {"x0 x1 x2", 3, [](const T* x) { return x[0] * x[1] * x[2]; }, {{0, 1}, {0, 2}, {1, 2}}},
      {"exp(x0 + x1)", 3, [](const T* x) { return exp(x[0] + x[1]); }, {{0, 0}, {0, 1}, {1, 1}}},
      {"x0 / x1", 2, [](const T* x) { return x[0] / x[1]; }, {{0, 1}, {1, 1}}},
      {"2 / x1", 2, [](const T* x) { return 2.0 / x[1]; }, {{1, 1}}},
      {"1 / (x0 x1)", 2, [](const T* x) { return 1.0 / (x[0] * x[1]); }, {{0, 0}, {0, 1}, {1, 1}}},
      {"linear",
       4,
       [](const T* x) {
         T s = 2.0 * x[0] - x[1] / 3.0 + 1.0;
         s += x[2];
         s -= 4.0 * x[3];
         s *= 2.0;
         s /= 5.0;
         return -s + (+x[0]);
       },
       {}},
      {"sin(x0) x2", 3, [](const T* x) { return sin(x[0]) * x[2]; }, {{0, 0}, {0, 2}}},
      {"pow by numbers",
       3,
       [](const T* x) { return pow(x[0], 1) + pow(x[1], 0.0) + pow(x[2], 2); },
       {{2, 2}}},
      {"pow(x0, x1)", 2, [](const T* x) { return pow(x[0], x[1]); }, {{0, 0}, {0, 1}, {1, 1}}},
      {"pow(2, x1)", 2, [](const T* x) { return pow(2.0, x[1]); }, {{1, 1}}},
      {"hypot, atan2",
       3,
       [](const T* x) { return hypot(x[0], x[1]) + atan2(x[2], 1.0); },
       {{0, 0}, {0, 1}, {1, 1}, {2, 2}}},
      {"atan2(1, x0 + x1)",
       2,
       [](const T* x) { return atan2(1.0, x[0] + x[1]); },
       {{0, 0}, {0, 1}, {1, 1}}},
      {"piecewise linear",
       4,
       [](const T* x) {
         return abs(x[0]) + fabs(x[1]) + fmin(x[0], x[2]) + fmax(x[1], 2.0) + min(x[0], x[1]) +
                max(x[2], x[3]) + select(true, x[0], x[3]) + copysign(x[0], x[1]);
       },
       {}},
      {"integer valued",
       2,
       [](const T* x) {
         return floor(x[0]) * x[1] + ceil(x[1]) * round(x[0]) + trunc(x[0]) * trunc(x[1]);
       },
       {}},
      {"fma", 4, [](const T* x) { return fma(x[0], x[1], x[2]) + fma(2.0, x[3], x[0]); }, {{0, 1}}},
      {"compound",
       4,
       [](const T* x) {
         T s = x[0];
         s *= x[1];
         s /= x[2];
         s += x[3];
         return s;
       },
       {{0, 1}, {0, 2}, {1, 2}, {2, 2}}},
      {"sqrt(x0^2 + x1^2)",
       2,
       [](const T* x) { return sqrt(x[0] * x[0] + x[1] * x[1]); },
       {{0, 0}, {0, 1}, {1, 1}}},
      // Structural: (x0 + x1)(x0 - x1) = x0^2 - x1^2 has no (0, 1) entry, but
      // the rules cannot see the cancellation.
      {"cancellation",
       2,
       [](const T* x) { return (x[0] + x[1]) * (x[0] - x[1]); },
       {{0, 0}, {0, 1}, {1, 1}}},
      {"unused input", 5, [](const T* x) { return x[0] * x[1] + x[2] * x[2]; }, {{0, 1}, {2, 2}}},
      // A branch on values: the comparison is false, the else branch counts.
      {"branch", 2, [](const T* x) { return x[0] > x[1] ? x[0] * x[0] : x[1] * x[1]; }, {{1, 1}}},
      // The record is global: dead code and values cut by floor still count
      // (documented superset).
      {"dead code",
       3,
       [](const T* x) {
         const T unused = exp(x[2]);
         static_cast<void>(unused);
         return x[0] * x[1];
       },
       {{0, 1}, {2, 2}}},
      {"floor of a product", 2, [](const T* x) { return floor(x[0] * x[1]); }, {{0, 1}}},
  };
  // Every smooth nonlinear unary function records S x S.
  using Unary = std::function<T(const T&)>;
  const std::vector<std::pair<const char*, Unary>> unary = {
      {"exp", [](const T& v) { return exp(v); }},
      {"exp2", [](const T& v) { return exp2(v); }},
      {"expm1", [](const T& v) { return expm1(v); }},
      {"log", [](const T& v) { return log(v); }},
      {"log2", [](const T& v) { return log2(v); }},
      {"log10", [](const T& v) { return log10(v); }},
      {"log1p", [](const T& v) { return log1p(v); }},
      {"sqrt", [](const T& v) { return sqrt(v); }},
      {"cbrt", [](const T& v) { return cbrt(v); }},
      {"sin", [](const T& v) { return sin(v); }},
      {"cos", [](const T& v) { return cos(v); }},
      {"tan", [](const T& v) { return tan(v); }},
      {"asin", [](const T& v) { return asin(v); }},
      {"acos", [](const T& v) { return acos(v); }},
      {"atan", [](const T& v) { return atan(v); }},
      {"sinh", [](const T& v) { return sinh(v); }},
      {"cosh", [](const T& v) { return cosh(v); }},
      {"tanh", [](const T& v) { return tanh(v); }},
      {"asinh", [](const T& v) { return asinh(v); }},
      {"acosh", [](const T& v) { return acosh(v); }},
      {"atanh", [](const T& v) { return atanh(v); }},
      {"erf", [](const T& v) { return erf(v); }},
      {"erfc", [](const T& v) { return erfc(v); }},
  };
  for (const auto& [name, f] : unary) {
    const Pattern p = detect_hessian_pattern(
        objective([f = f](const auto* x) { return f(x[1] + 2.0 * x[3]) + x[0]; }), 4);
    EXPECT_EQ(entries_of(p), entries_of(symmetric_pattern(4, {{1, 1}, {1, 3}, {3, 3}}))) << name;
  }
  for (const Case& c : cases) {
    const Pattern p =
        detect_hessian_pattern(objective([&c](const auto* x) { return c.f(x); }), c.n);
    EXPECT_EQ(p.rows(), c.n);
    EXPECT_EQ(p.cols(), c.n);
    EXPECT_TRUE(p.is_symmetric()) << c.name;
    const Entries expected = entries_of(symmetric_pattern(c.n, c.expected));
    EXPECT_EQ(entries_of(p), expected)
        << c.name << ": got " << describe(entries_of(p)) << ", expected " << describe(expected);
  }
}

TEST(DetectHessianPattern, EdgeCasesAndErrors) {
  const Pattern empty = detect_hessian_pattern(objective([](const auto* x) { return x[0]; }), 1);
  EXPECT_EQ(empty.nnz(), 0);
  const Pattern none =
      detect_hessian_pattern(objective([](const auto*) { return HessianTracer(1.0); }), 0);
  EXPECT_EQ(none.rows(), 0);
  EXPECT_THROW(detect_hessian_pattern(objective([](const auto* x) { return x[0]; }), -1),
               InvalidArgument);
  // A tracer of input 7 made outside the call, used in a function of 3 inputs.
  const HessianTracer outsider = HessianTracer::input(7);
  try {
    detect_hessian_pattern(objective([&outsider](const auto* x) { return x[0] * outsider; }), 3);
    ADD_FAILURE() << "no error for an index outside [0, n)";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("input index 7 out of range [0, 3)"), std::string::npos)
        << e.what();
  }
  // An exception from the function propagates, and the next call is clean.
  EXPECT_THROW(detect_hessian_pattern(objective([](const auto* x) -> HessianTracer {
                                        static_cast<void>(exp(x[0]));
                                        throw std::runtime_error("from f");
                                      }),
                                      2),
               std::runtime_error);
  EXPECT_EQ(detect_hessian_pattern(objective([](const auto* x) { return x[0] * x[1]; }), 2).nnz(),
            2);
}

// ------------------------------------------ functions known by construction

// f = sum_k w_k g_k(x_{i_k}) h_k(x_{j_k}) + sum_l phi_l(sum_{j in S_l} a_j x_j)
//     + sum_j c_j x_j, with g, h either the identity or a nonlinear function
// and phi nonlinear. Its pattern: for each product, (i, j) and (j, i), plus
// (i, i) when g is nonlinear or i == j, plus (j, j) when h is; for each phi,
// S_l x S_l. Large S_l, visited in scrambled order, exercise the lazy sets.
struct KnownComposition {
  Index n = 0;
  struct Product {
    Index i, j;
    int g, h;  // 0: identity, else a nonlinear function
    double w;
  };
  std::vector<Product> products;
  std::vector<std::vector<Index>> groups;
  std::vector<int> phi;

  template <class T>
  static T apply(int op, const T& v) {
    using std::cos;
    using std::exp;
    using std::log1p;
    using std::sin;
    using std::sqrt;
    using std::tanh;
    switch (op) {
      case 0:
        return v;
      case 1:
        return sin(v);
      case 2:
        return exp(0.1 * v);
      case 3:
        return tanh(v);
      case 4:
        return v * v;
      case 5:
        return 1.0 / (2.0 + cos(v));
      default:
        return sqrt(1.0 + log1p(v * v));
    }
  }

  template <class T>
  T operator()(const T* x) const {
    T f = 0.0;
    for (const Product& p : products) f += p.w * apply(p.g, x[p.i]) * apply(p.h, x[p.j]);
    for (std::size_t l = 0; l < groups.size(); ++l) {
      T s = 0.0;
      for (Index j : groups[l]) s += (1.0 + 0.01 * double(j)) * x[j];
      f += apply(phi[l], s);
    }
    for (Index j = 0; j < n; ++j) f += 0.5 * x[j];
    return f;
  }

  Entries pattern() const {
    Entries e;
    for (const Product& p : products) {
      e.emplace(std::min(p.i, p.j), std::max(p.i, p.j));
      if (p.g != 0 || p.i == p.j) e.emplace(p.i, p.i);
      if (p.h != 0 || p.i == p.j) e.emplace(p.j, p.j);
    }
    for (const auto& group : groups)
      for (Index a : group)
        for (Index b : group) e.emplace(std::min(a, b), std::max(a, b));
    return e;
  }

  static KnownComposition make(Index n, int num_products, int num_groups, Index group_size,
                               unsigned seed) {
    std::mt19937 rng(seed);
    KnownComposition f;
    f.n = n;
    for (int k = 0; k < num_products; ++k)
      f.products.push_back(Product{Index(rng() % unsigned(n)), Index(rng() % unsigned(n)),
                                   int(rng() % 7), int(rng() % 7), 0.5 + double(rng() % 8)});
    for (int l = 0; l < num_groups; ++l) {
      std::set<Index> group;
      while (Index(group.size()) < group_size) group.insert(Index(rng() % unsigned(n)));
      std::vector<Index> members(group.begin(), group.end());
      std::shuffle(members.begin(), members.end(), rng);
      f.groups.push_back(members);
      f.phi.push_back(1 + int(rng() % 6));
    }
    return f;
  }
};

TEST(DetectHessianPattern, FunctionsKnownByConstruction) {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    const Index n = 20 + Index(seed * 37 % 300);
    const Index group_size = seed % 3 == 0 ? 150 : 3 + Index(seed % 5);
    const KnownComposition f =
        KnownComposition::make(n, 3 * int(n), int(seed % 4), std::min(group_size, n), seed);
    const Pattern detected = detect_hessian_pattern(f, n);
    const Entries expected = entries_of(symmetric_pattern(n, f.pattern()));
    EXPECT_EQ(entries_of(detected), expected) << "seed " << seed;
  }
}

TEST(DetectHessianPattern, ContainsTheExactHessianOfRandomCompositions) {
  // RandomComposition applies every elemental function of the library;
  // the detected pattern must hold every entry of the exact Hessian at
  // random points (it may hold more: dead temporaries, cancellation).
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (unsigned seed = 1; seed <= 6; ++seed) {
    const auto f = problems::RandomComposition::make(7, 90, seed);
    const Pattern detected = detect_hessian_pattern(f, f.size());
    const Entries found = entries_of(detected);
    for (int point = 0; point < 3; ++point) {
      std::vector<double> x(static_cast<std::size_t>(f.size()));
      for (double& v : x) v = u(rng);
      const Entries exact = nonzeros(exact_hessian(f, x), f.size(), 0.0);
      EXPECT_TRUE(is_subset(exact, found))
          << "seed " << seed << ": exact " << describe(exact) << " detected " << describe(found);
    }
  }
}

// ----------------------------------------------------- the test problems

// Unknown (i, j), 1 <= i, j <= N, at (i - 1) + N (j - 1): couples with its
// neighbors along x, along y and along the anti-diagonal (i + 1, j - 1),
// (i - 1, j + 1) (the edges of the triangles), and itself.
Entries minsurf_structure(Index N) {
  Entries e;
  auto id = [N](Index i, Index j) { return (i - 1) + N * (j - 1); };
  for (Index j = 1; j <= N; ++j)
    for (Index i = 1; i <= N; ++i) {
      e.emplace(id(i, j), id(i, j));
      if (i < N) e.emplace(id(i, j), id(i + 1, j));
      if (j < N) e.emplace(id(i, j), id(i, j + 1));
      if (i < N && j > 1) e.emplace(id(i + 1, j - 1), id(i, j));
    }
  return e;
}

TEST(DetectHessianPattern, MinimalSurfaceMatchesItsStructureAndFiniteDifferences) {
  for (Index N : {1, 2, 4, 9}) {
    const problems::MinimalSurface f{N};
    const Index n = f.size();
    const Pattern p = detect_hessian_pattern(f, n);
    EXPECT_EQ(entries_of(p), entries_of(symmetric_pattern(n, minsurf_structure(N)))) << N;
    // 7 nonzeros (diagonal included) in every row of an unknown whose
    // neighbors are all unknowns; nnz = n + 2 (edges).
    for (Index j = 2; j < N; ++j)
      for (Index i = 2; i < N; ++i) EXPECT_EQ(p.row_nnz((i - 1) + N * (j - 1)), 7);
    EXPECT_EQ(p.nnz(), N * N + 2 * (2 * N * (N - 1) + (N - 1) * (N - 1)));
    if (N > 4) continue;
    // Finite differences at random points: what they see is detected.
    std::mt19937 rng(N);
    std::uniform_real_distribution<double> u(-0.5, 0.5);
    std::vector<double> x = f.initial_guess();
    for (double& v : x) v += u(rng);
    const std::vector<double> h = finite_difference_hessian(f, x, 1e-3);
    const double scale = *std::max_element(h.begin(), h.end());
    const Entries fd = nonzeros(h, n, 1e-5 * scale);
    EXPECT_TRUE(is_subset(fd, entries_of(p))) << describe(fd);
    // ... and here they see every structural entry (none vanishes at x).
    EXPECT_EQ(fd, entries_of(p)) << N;
  }
}

TEST(DetectHessianPattern, DixmaanjMatchesItsStructureAndFiniteDifferences) {
  for (Index m : {1, 2, 5, 30}) {
    const problems::Dixmaan f{m};
    const Index n = f.size();
    const Pattern p = detect_hessian_pattern(f, n);
    // Diagonal (a x_i^2), (i, i + 1) from b x_i^2 (x_{i+1} + x_{i+1}^2)^2,
    // (i, i + m) from c x_i^2 x_{i+m}^4, (i, i + 2m) from d x_i x_{i+2m}
    // (0-based): nnz = n + 2 ((n - 1) + 2m + m) = 15 m - 2.
    Entries structure;
    for (Index i = 0; i < n; ++i) structure.emplace(i, i);
    for (Index i = 0; i + 1 < n; ++i) structure.emplace(i, i + 1);
    for (Index i = 0; i < 2 * m; ++i) structure.emplace(i, i + m);
    for (Index i = 0; i < m; ++i) structure.emplace(i, i + 2 * m);
    EXPECT_EQ(entries_of(p), entries_of(symmetric_pattern(n, structure))) << m;
    if (m > 1) {
      EXPECT_EQ(p.nnz(), 15 * m - 2);
    }
    if (m > 5) continue;
    std::mt19937 rng(m);
    std::uniform_real_distribution<double> u(0.5, 1.5);
    std::vector<double> x(static_cast<std::size_t>(n));
    for (double& v : x) v = u(rng);
    const std::vector<double> h = finite_difference_hessian(f, x, 1e-4);
    const double scale = *std::max_element(h.begin(), h.end());
    const Entries fd = nonzeros(h, n, 1e-6 * scale);
    EXPECT_TRUE(is_subset(fd, entries_of(p))) << describe(fd);
    EXPECT_EQ(fd, entries_of(p)) << m;
  }
}

TEST(DetectHessianPattern, DenseHessianOfALargeSum) {
  // (sum of all inputs, in scrambled order)^2 and exp(sum): every pair.
  const Index n = 300;
  const auto f = objective([n](const auto* x) {
    using T = std::remove_cv_t<std::remove_reference_t<decltype(x[0])>>;
    T s = 0.0;
    for (Index k = 0; k < n; ++k) s += x[(k * 101) % n];
    return 0.5 * s * s;
  });
  const Pattern p = detect_hessian_pattern(f, n);
  EXPECT_EQ(p.nnz(), n * n);
  // Two large sums multiplied: only the cross blocks and nothing on the diagonal
  // but what the squares add.
  const Index half = n / 2;
  const auto g = objective([=](const auto* x) {
    using T = std::remove_cv_t<std::remove_reference_t<decltype(x[0])>>;
    T a = 0.0, b = 0.0;
    for (Index k = 0; k < n; ++k) {
      const Index j = (k * 7) % n;
      if (j < half)
        a += x[j];
      else
        b += x[j];
    }
    return a * b + x[0] * x[0];
  });
  Entries expected{{0, 0}};
  for (Index i = 0; i < half; ++i)
    for (Index j = half; j < n; ++j) expected.emplace(i, j);
  EXPECT_EQ(entries_of(detect_hessian_pattern(g, n)), entries_of(symmetric_pattern(n, expected)));
}

}  // namespace
}  // namespace sparsediff
