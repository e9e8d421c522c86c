// Tests of the Jacobian tracer and of sparsity detection. References are
// independent of the code under test: patterns written out by hand or built
// with Pattern::from_coo from index sets known by construction, and
// std::set for the set algebra.
#include "sparsediff/ad/tracer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "sparsediff/jacobian/detect.hpp"
#include "tests/common/execution_spaces.hpp"

namespace sparsediff {
namespace {

using Set = std::vector<Index>;

Set indices_of(const Tracer& t) { return Set(t.begin(), t.end()); }

// The tracer depending on exactly the given inputs.
Tracer tracer_of(const Set& indices) {
  Tracer t;
  for (Index j : indices) t += Tracer::input(j);
  return t;
}

std::vector<Set> rows_of(const Pattern& p) {
  auto [ptr, idx] = p.host_arrays();
  std::vector<Set> rows(static_cast<std::size_t>(p.rows()));
  for (Index i = 0; i < p.rows(); ++i)
    rows[i].assign(idx.begin() + ptr[i], idx.begin() + ptr[i + 1]);
  return rows;
}

Pattern pattern_of_rows(Index m, Index n, const std::vector<std::set<Index>>& rows) {
  std::vector<Index> ri, ci;
  for (Index i = 0; i < m; ++i)
    for (Index j : rows[i]) {
      ri.push_back(i);
      ci.push_back(j);
    }
  return Pattern::from_coo(m, n, ri, ci);
}

// ------------------------------------------------------------------ scalar

static_assert(std::is_trivially_copyable_v<Tracer>, "copies must be free");
static_assert(sizeof(Tracer) == 16, "a tracer is a size, an index and a pointer");

TEST(Tracer, ConstantsAndInputs) {
  EXPECT_TRUE(Tracer().is_constant());
  EXPECT_TRUE(Tracer(2.5).is_constant());
  EXPECT_TRUE(Tracer(7).is_constant());
  const Tracer zero = 0;  // implicit, as generic code writes it
  EXPECT_EQ(zero.size(), 0);
  const Tracer x3 = Tracer::input(3);
  EXPECT_EQ(indices_of(x3), Set{3});
  EXPECT_TRUE(x3.depends_on(3));
  EXPECT_FALSE(x3.depends_on(2));
  EXPECT_EQ(indices_of(tracer_of({9, 1, 4, 1})), (Set{1, 4, 9}));
}

TEST(Tracer, ArithmeticUnitesOperandSets) {
  const Tracer a = tracer_of({0, 2, 5}), b = tracer_of({1, 2, 7});
  const Set both{0, 1, 2, 5, 7}, only_a{0, 2, 5}, only_b{1, 2, 7};
  using Binary = std::function<Tracer(const Tracer&, const Tracer&)>;
  const std::vector<std::pair<const char*, Binary>> operators = {
      {"+", [](const Tracer& p, const Tracer& q) { return p + q; }},
      {"-", [](const Tracer& p, const Tracer& q) { return p - q; }},
      {"*", [](const Tracer& p, const Tracer& q) { return p * q; }},
      {"/", [](const Tracer& p, const Tracer& q) { return p / q; }},
  };
  for (const auto& [name, op] : operators) {
    SCOPED_TRACE(name);
    EXPECT_EQ(indices_of(op(a, b)), both);
    EXPECT_EQ(indices_of(op(b, a)), both);
    EXPECT_EQ(indices_of(op(a, a)), only_a);
    EXPECT_EQ(indices_of(op(a, Tracer(3.0))), only_a);
  }
  // Numbers on either side, of several arithmetic types.
  EXPECT_EQ(indices_of(a + 1.0), only_a);
  EXPECT_EQ(indices_of(2 - b), only_b);
  EXPECT_EQ(indices_of(a * 2.5f), only_a);
  EXPECT_EQ(indices_of(1.0 / b), only_b);
  EXPECT_EQ(indices_of(3L * a), only_a);
  EXPECT_EQ(indices_of(-a), only_a);
  EXPECT_EQ(indices_of(+b), only_b);
  // Compound assignment.
  Tracer c = a;
  c += b;
  EXPECT_EQ(indices_of(c), both);
  c = a;
  c -= 4.0;
  c *= 2;
  c /= 0.5;
  EXPECT_EQ(indices_of(c), only_a);
  c *= b;
  EXPECT_EQ(indices_of(c), both);
  c = b;
  c /= a;
  EXPECT_EQ(indices_of(c), both);
  c = a;
  c -= b;
  EXPECT_EQ(indices_of(c), both);
}

TEST(Tracer, EveryUnaryFunctionKeepsItsArgumentSet) {
  using Unary = std::function<Tracer(const Tracer&)>;
  const std::vector<std::pair<const char*, Unary>> smooth = {
      {"exp", [](const Tracer& t) { return exp(t); }},
      {"exp2", [](const Tracer& t) { return exp2(t); }},
      {"expm1", [](const Tracer& t) { return expm1(t); }},
      {"log", [](const Tracer& t) { return log(t); }},
      {"log2", [](const Tracer& t) { return log2(t); }},
      {"log10", [](const Tracer& t) { return log10(t); }},
      {"log1p", [](const Tracer& t) { return log1p(t); }},
      {"sqrt", [](const Tracer& t) { return sqrt(t); }},
      {"cbrt", [](const Tracer& t) { return cbrt(t); }},
      {"sin", [](const Tracer& t) { return sin(t); }},
      {"cos", [](const Tracer& t) { return cos(t); }},
      {"tan", [](const Tracer& t) { return tan(t); }},
      {"asin", [](const Tracer& t) { return asin(t); }},
      {"acos", [](const Tracer& t) { return acos(t); }},
      {"atan", [](const Tracer& t) { return atan(t); }},
      {"sinh", [](const Tracer& t) { return sinh(t); }},
      {"cosh", [](const Tracer& t) { return cosh(t); }},
      {"tanh", [](const Tracer& t) { return tanh(t); }},
      {"asinh", [](const Tracer& t) { return asinh(t); }},
      {"acosh", [](const Tracer& t) { return acosh(t); }},
      {"atanh", [](const Tracer& t) { return atanh(t); }},
      {"erf", [](const Tracer& t) { return erf(t); }},
      {"erfc", [](const Tracer& t) { return erfc(t); }},
      {"abs", [](const Tracer& t) { return abs(t); }},
      {"fabs", [](const Tracer& t) { return fabs(t); }},
  };
  const std::vector<Set> arguments = {{}, {4}, {0, 3, 8}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}};
  for (const auto& [name, f] : smooth)
    for (const Set& s : arguments) {
      SCOPED_TRACE(name);
      EXPECT_EQ(indices_of(f(tracer_of(s))), s);
    }
  const std::vector<std::pair<const char*, Unary>> integer_valued = {
      {"floor", [](const Tracer& t) { return floor(t); }},
      {"ceil", [](const Tracer& t) { return ceil(t); }},
      {"round", [](const Tracer& t) { return round(t); }},
      {"trunc", [](const Tracer& t) { return trunc(t); }},
  };
  for (const auto& [name, f] : integer_valued)
    for (const Set& s : arguments) {
      SCOPED_TRACE(name);
      EXPECT_TRUE(f(tracer_of(s)).is_constant());
    }
}

TEST(Tracer, EveryBinaryFunctionUnitesItsArgumentSets) {
  using Binary = std::function<Tracer(const Tracer&, const Tracer&)>;
  const std::vector<std::pair<const char*, Binary>> functions = {
      {"pow", [](const Tracer& a, const Tracer& b) { return pow(a, b); }},
      {"hypot", [](const Tracer& a, const Tracer& b) { return hypot(a, b); }},
      {"atan2", [](const Tracer& a, const Tracer& b) { return atan2(a, b); }},
      {"fmin", [](const Tracer& a, const Tracer& b) { return fmin(a, b); }},
      {"fmax", [](const Tracer& a, const Tracer& b) { return fmax(a, b); }},
      {"min", [](const Tracer& a, const Tracer& b) { return min(a, b); }},
      {"max", [](const Tracer& a, const Tracer& b) { return max(a, b); }},
      {"select", [](const Tracer& a, const Tracer& b) { return select(a < b, a, b); }},
  };
  const Tracer a = tracer_of({2, 6}), b = tracer_of({1, 6, 11});
  for (const auto& [name, f] : functions) {
    SCOPED_TRACE(name);
    EXPECT_EQ(indices_of(f(a, b)), (Set{1, 2, 6, 11}));
    EXPECT_EQ(indices_of(f(b, a)), (Set{1, 2, 6, 11}));
    EXPECT_EQ(indices_of(f(a, Tracer())), (Set{2, 6}));
    EXPECT_EQ(indices_of(f(Tracer(), b)), (Set{1, 6, 11}));
    EXPECT_TRUE(f(Tracer(), Tracer(1.0)).is_constant());
  }
  // Number arguments on either side, including int exponents.
  EXPECT_EQ(indices_of(pow(a, 2)), (Set{2, 6}));
  EXPECT_EQ(indices_of(pow(a, 0.5)), (Set{2, 6}));
  EXPECT_EQ(indices_of(pow(2.0, b)), (Set{1, 6, 11}));
  EXPECT_EQ(indices_of(hypot(a, 1.0)), (Set{2, 6}));
  EXPECT_EQ(indices_of(atan2(1.0, b)), (Set{1, 6, 11}));
  EXPECT_EQ(indices_of(fmin(a, 0.0)), (Set{2, 6}));
  EXPECT_EQ(indices_of(fmax(3, b)), (Set{1, 6, 11}));
  EXPECT_EQ(indices_of(min(a, 0.0)), (Set{2, 6}));
  EXPECT_EQ(indices_of(max(1.0, b)), (Set{1, 6, 11}));
  EXPECT_EQ(indices_of(select(true, a, 0.0)), (Set{2, 6}));
  // copysign depends on its magnitude only.
  EXPECT_EQ(indices_of(copysign(a, b)), (Set{2, 6}));
  EXPECT_EQ(indices_of(copysign(a, -1.0)), (Set{2, 6}));
  EXPECT_TRUE(copysign(-1.0, b).is_constant());
  // fma unites all three, numbers contributing nothing.
  const Tracer c = Tracer::input(20);
  EXPECT_EQ(indices_of(fma(a, b, c)), (Set{1, 2, 6, 11, 20}));
  EXPECT_EQ(indices_of(fma(2.0, b, c)), (Set{1, 6, 11, 20}));
  EXPECT_EQ(indices_of(fma(a, 2.0, 1.0)), (Set{2, 6}));
  EXPECT_EQ(indices_of(fma(1.0, 2.0, c)), (Set{20}));
}

TEST(Tracer, StdMathUsingDeclarationsStillFindTracerOverloads) {
  using std::exp;
  using std::max;
  using std::min;
  using std::pow;
  const Tracer a = Tracer::input(1), b = Tracer::input(4);
  // std::max<Tracer> would compare (false) and return one operand.
  EXPECT_EQ(indices_of(max(a, b)), (Set{1, 4}));
  EXPECT_EQ(indices_of(min(a, b)), (Set{1, 4}));
  EXPECT_EQ(indices_of(pow(a, 3)), (Set{1}));
  EXPECT_EQ(indices_of(exp(b)), (Set{4}));
  // The plain-number overloads are untouched.
  EXPECT_EQ(max(2.0, 3.0), 3.0);
  EXPECT_DOUBLE_EQ(exp(0.0), 1.0);
  EXPECT_EQ(select(true, 1.5, 2.5), 1.5);
  EXPECT_EQ(select(false, 1.5, 2.5), 2.5);
}

TEST(Tracer, ComparisonsBehaveLikeNaNAndCarryNoDependence) {
  const Tracer a = Tracer::input(0), b = Tracer::input(1);
  EXPECT_FALSE(a < b);
  EXPECT_FALSE(a <= b);
  EXPECT_FALSE(a > b);
  EXPECT_FALSE(a >= b);
  EXPECT_FALSE(a == b);
  EXPECT_TRUE(a != b);
  EXPECT_FALSE(a == a);
  EXPECT_FALSE(a < 1.0);
  EXPECT_FALSE(0 > b);
  EXPECT_TRUE(a != 0.0);
  EXPECT_TRUE(isfinite(a));
  EXPECT_FALSE(isnan(a));
  EXPECT_FALSE(isinf(a));
}

// ------------------------------------------------------------- set algebra

TEST(Tracer, RandomUnionsMatchStdSet) {
  // A pool of tracers with their reference sets; random unions (of sets from
  // one index to thousands), copies and number operations. Every earlier
  // tracer must keep its set while later ones extend shared arrays.
  std::mt19937 rng(7);
  std::vector<Tracer> pool;
  std::vector<std::set<Index>> ref;
  for (int step = 0; step < 4000; ++step) {
    const int action = int(rng() % 6);
    if (pool.empty() || action == 0) {
      const Index j = Index(rng() % 3000);
      pool.push_back(Tracer::input(j));
      ref.push_back({j});
    } else if (action == 1) {  // extend the newest by a larger index (in-place path)
      const Index j = ref.back().empty() ? 0 : *ref.back().rbegin() + 1 + Index(rng() % 5);
      pool.push_back(pool.back() + Tracer::input(j));
      ref.push_back(ref.back());
      ref.back().insert(j);
    } else if (action == 2) {  // compound assignment on a random one
      const std::size_t a = rng() % pool.size(), b = rng() % pool.size();
      pool[a] += pool[b];
      ref[a].insert(ref[b].begin(), ref[b].end());
    } else if (action == 3) {  // unary function and numbers
      const std::size_t a = rng() % pool.size();
      pool.push_back(2.0 * sin(pool[a]) - 1);
      ref.push_back(ref[a]);
    } else {
      const std::size_t a = rng() % pool.size(), b = rng() % pool.size();
      pool.push_back(pool[a] * pool[b]);
      ref.push_back(ref[a]);
      ref.back().insert(ref[b].begin(), ref[b].end());
    }
    if (step % 97 == 0 || step == 3999) {
      for (std::size_t k = 0; k < pool.size(); ++k)
        ASSERT_EQ(indices_of(pool[k]), Set(ref[k].begin(), ref[k].end()))
            << "tracer " << k << " at step " << step;
    }
  }
}

TEST(Tracer, AccumulatingADenseRowIsLinear) {
  // s += x_j in increasing j extends one array in place: the arena holds
  // O(n) indices, not O(n^2), and every snapshot keeps its prefix.
  detail::ScopedTracerArena scope;
  const Index n = 100000;
  Tracer s;
  std::vector<Tracer> snapshots;
  for (Index j = 0; j < n; ++j) {
    s += Tracer::input(j);
    if (j % 25000 == 0) snapshots.push_back(s);
  }
  ASSERT_EQ(s.size(), n);
  for (Index j = 0; j < n; ++j) ASSERT_EQ(s.begin()[j], j);
  EXPECT_LT(scope.arena().capacity(), std::size_t(4) * n);
  for (std::size_t k = 0; k < snapshots.size(); ++k) {
    ASSERT_EQ(snapshots[k].size(), Index(25000 * k + 1));
    EXPECT_EQ(snapshots[k].begin()[25000 * k], Index(25000 * k));
  }
  // A union with an older snapshot must not overwrite the newer array.
  const Tracer older = snapshots[1] + Tracer::input(n + 5);
  EXPECT_EQ(older.size(), 25002);
  EXPECT_EQ(s.size(), n);
  EXPECT_EQ(s.begin()[25001], 25001);
}

TEST(Tracer, TracersMadeOutsideDetectionSurviveIt) {
  const Tracer t = Tracer::input(5) + Tracer::input(2) * Tracer::input(9);
  const auto f = [](const auto* x, auto* y) { y[0] = x[0] + x[1] * x[2]; };
  const Pattern p = detect_jacobian_pattern(f, 1, 3);
  EXPECT_EQ(p.nnz(), 3);
  EXPECT_EQ(indices_of(t), (Set{2, 5, 9}));
  EXPECT_EQ(indices_of(t + Tracer::input(1)), (Set{1, 2, 5, 9}));
}

// -------------------------------------------------- hand-derived patterns

struct HandFunction {
  template <class T>
  void operator()(const T* x, T* y) const {
    using std::atan2;
    using std::copysign;
    using std::exp;
    using std::floor;
    using std::pow;
    using std::sin;
    y[0] = x[0] * x[1];
    y[1] = sin(x[2]) + 3.0;
    y[2] = x[0] + exp(x[3]) / x[4];
    y[3] = 2.5;  // written, but constant
    // y[4] is never written
    y[5] = pow(x[1], 2) * floor(x[5]);
    y[6] = copysign(x[2], x[5]) + atan2(x[4], 1.0);
  }
};

TEST(DetectJacobianPattern, HandDerivedPattern) {
  const Pattern p = detect_jacobian_pattern(HandFunction{}, 7, 6);
  EXPECT_EQ(p.rows(), 7);
  EXPECT_EQ(p.cols(), 6);
  const std::vector<Set> expected = {{0, 1}, {2}, {0, 3, 4}, {}, {}, {1}, {2, 4}};
  EXPECT_EQ(rows_of(p), expected);
  // The same function evaluates with doubles.
  std::vector<double> x = {1, 2, 3, 4, 5, 6}, y(7, -1.0);
  HandFunction{}(x.data(), y.data());
  EXPECT_DOUBLE_EQ(y[0], 2.0);
}

struct BranchingKernel {
  template <class T>
  T operator()(int i, Accessor<T> x) const {
    if (i == 0) {
      if (x(0) > x(1)) return x(0);  // value branch: the tracer takes `else`
      return x(1);
    }
    return select(x(0) > x(1), x(0), x(1));  // branch-free choice
  }
};

TEST(DetectRowPattern, ValueBranchesGiveTheBranchTakenSelectGivesBoth) {
  const Pattern p = detect_row_pattern(BranchingKernel{}, 2, 2);
  EXPECT_EQ(rows_of(p), (std::vector<Set>{{1}, {0, 1}}));
}

// --------------------------------------------------- stencil problems

// 2-D Bratu (PROBLEMS.md "bratu2d"), neighbours outside the grid omitted.
struct Bratu {
  int N;
  double h2inv, lambda = 6.0;
  explicit Bratu(int size) : N(size), h2inv(double(size + 1) * (size + 1)) {}

  template <class T>
  T row(int k, const std::function<T(int)>& u) const {
    using std::exp;
    const int i = k % N, j = k / N;
    T r = 4.0 * u(k);
    if (i > 0) r -= u(k - 1);
    if (i < N - 1) r -= u(k + 1);
    if (j > 0) r -= u(k - N);
    if (j < N - 1) r -= u(k + N);
    return r * h2inv - lambda * exp(u(k));
  }
};

struct BratuRows {
  Bratu p;
  template <class T>
  T operator()(int k, Accessor<T> u) const {
    return p.row<T>(k, [&u](int j) { return u(j); });
  }
};

struct BratuVector {
  Bratu p;
  template <class T>
  void operator()(const T* u, T* f) const {
    for (int k = 0; k < p.N * p.N; ++k) f[k] = p.row<T>(k, [u](int j) { return u[j]; });
  }
};

std::vector<std::set<Index>> bratu_reference(int N) {
  std::vector<std::set<Index>> rows(std::size_t(N) * N);
  for (int j = 0; j < N; ++j)
    for (int i = 0; i < N; ++i) {
      auto& r = rows[std::size_t(i + N * j)];
      r.insert(i + N * j);
      if (i > 0) r.insert(i - 1 + N * j);
      if (i + 1 < N) r.insert(i + 1 + N * j);
      if (j > 0) r.insert(i + N * (j - 1));
      if (j + 1 < N) r.insert(i + N * (j + 1));
    }
  return rows;
}

// 2-species periodic Brusselator (PROBLEMS.md "bruss2d"), u[i + N j + N^2 s].
struct Brusselator {
  int N;
  double a, A = 3.4, B = 1.0;
  explicit Brusselator(int size) : N(size), a(10.0 * (size - 1) * (size - 1)) {}

  template <class T>
  T row(int k, const std::function<T(int)>& u) const {
    const int NN = N * N, s = k / NN, i = k % N, j = (k % NN) / N;
    const auto at = [&](int ii, int jj, int ss) {
      return u((ii + N) % N + N * ((jj + N) % N) + NN * ss);
    };
    const T laplacian =
        at(i - 1, j, s) + at(i + 1, j, s) + at(i, j - 1, s) + at(i, j + 1, s) - 4.0 * at(i, j, s);
    const T u1 = at(i, j, 0), u2 = at(i, j, 1);
    if (s == 0) return a * laplacian + B + u1 * u1 * u2 - (A + 1) * u1;
    return a * laplacian + A * u1 - u1 * u1 * u2;
  }
};

struct BrusselatorRows {
  Brusselator p;
  template <class T>
  T operator()(int k, Accessor<T> u) const {
    return p.row<T>(k, [&u](int j) { return u(j); });
  }
};

struct BrusselatorVector {
  Brusselator p;
  template <class T>
  void operator()(const T* u, T* f) const {
    for (int k = 0; k < 2 * p.N * p.N; ++k) f[k] = p.row<T>(k, [u](int j) { return u[j]; });
  }
};

std::vector<std::set<Index>> brusselator_reference(int N) {
  const int NN = N * N;
  std::vector<std::set<Index>> rows(std::size_t(2) * NN);
  for (int s = 0; s < 2; ++s)
    for (int j = 0; j < N; ++j)
      for (int i = 0; i < N; ++i) {
        auto& r = rows[std::size_t(i + N * j + NN * s)];
        for (int di : {-1, 0, 1})
          for (int dj : {-1, 0, 1})
            if (di == 0 || dj == 0) r.insert((i + di + N) % N + N * ((j + dj + N) % N) + NN * s);
        r.insert(i + N * j);       // u1 at the node
        r.insert(i + N * j + NN);  // u2 at the node
      }
  return rows;
}

TEST(DetectPattern, BratuRowKernelAndWholeVectorAgreeWithStencil) {
  for (int N : {1, 2, 5, 17}) {
    SCOPED_TRACE(N);
    const Index n = N * N;
    const Pattern expected = pattern_of_rows(n, n, bratu_reference(N));
    const Pattern by_rows = detect_row_pattern(BratuRows{Bratu(N)}, n, n);
    const Pattern by_vector = detect_jacobian_pattern(BratuVector{Bratu(N)}, n, n);
    EXPECT_EQ(by_rows, expected);
    EXPECT_EQ(by_vector, expected);
    EXPECT_EQ(rows_of(by_rows), rows_of(expected));
  }
}

TEST(DetectPattern, BrusselatorRowKernelAndWholeVectorAgreeWithStencil) {
  for (int N : {2, 3, 8, 16}) {
    SCOPED_TRACE(N);
    const Index n = 2 * N * N;
    const Pattern expected = pattern_of_rows(n, n, brusselator_reference(N));
    const Pattern by_rows = detect_row_pattern(BrusselatorRows{Brusselator(N)}, n, n);
    const Pattern by_vector = detect_jacobian_pattern(BrusselatorVector{Brusselator(N)}, n, n);
    EXPECT_EQ(by_rows, expected);
    EXPECT_EQ(by_vector, expected);
    if (N >= 3) {
      EXPECT_EQ(expected.nnz(), n * 6);  // 5-point stencil + the other species
    }
  }
}

template <class ExecutionSpace>
class DetectRowPatternOn : public ::testing::Test {};
TYPED_TEST_SUITE(DetectRowPatternOn, test::HostExecutionSpaces);

TYPED_TEST(DetectRowPatternOn, MatchesSerialAndTheStencil) {
  const int N = 41;
  const Index n = 2 * N * N;
  const Pattern expected = pattern_of_rows(n, n, brusselator_reference(N));
  const Pattern on_space = detect_row_pattern(TypeParam(), BrusselatorRows{Brusselator(N)}, n, n);
  const Pattern on_serial =
      detect_row_pattern(Kokkos::Serial(), BrusselatorRows{Brusselator(N)}, n, n);
  EXPECT_EQ(on_space, expected);
  EXPECT_EQ(on_space, on_serial);
}

// ------------------------------------------- random functions, known pattern

// Row i is a random expression whose live leaves are exactly the inputs in
// columns[i] (each at least once, some repeated), combined through every
// arithmetic operator and binary function and wrapped in unary functions;
// dead subexpressions (integer-valued functions of random inputs, the sign
// argument of copysign) add inputs that must not appear. The pattern is
// columns[i] by construction.
struct RandomProgram {
  enum class Op { load, constant, unary, binary, dead, copysign_with_sign };
  struct Instruction {
    Op op;
    int code;
    Index j;
    double value;
  };
  Index m = 0, n = 0;
  std::vector<std::vector<Instruction>> rows;
  std::vector<std::set<Index>> columns;

  static constexpr int num_unary = 25, num_binary = 13, num_dead = 4;

  template <class T>
  static T unary(int code, const T& v) {
    using std::abs, std::acos, std::acosh, std::asin, std::asinh, std::atan, std::atanh, std::cbrt,
        std::cos, std::cosh, std::erf, std::erfc, std::exp, std::exp2, std::expm1, std::fabs,
        std::log, std::log10, std::log1p, std::log2, std::sin, std::sinh, std::sqrt, std::tan,
        std::tanh;
    switch (code) {
      case 0:
        return exp(v);
      case 1:
        return exp2(v);
      case 2:
        return expm1(v);
      case 3:
        return log(v);
      case 4:
        return log2(v);
      case 5:
        return log10(v);
      case 6:
        return log1p(v);
      case 7:
        return sqrt(v);
      case 8:
        return cbrt(v);
      case 9:
        return sin(v);
      case 10:
        return cos(v);
      case 11:
        return tan(v);
      case 12:
        return asin(v);
      case 13:
        return acos(v);
      case 14:
        return atan(v);
      case 15:
        return sinh(v);
      case 16:
        return cosh(v);
      case 17:
        return tanh(v);
      case 18:
        return asinh(v);
      case 19:
        return acosh(v);
      case 20:
        return atanh(v);
      case 21:
        return erf(v);
      case 22:
        return erfc(v);
      case 23:
        return abs(v);
      default:
        return -fabs(v);
    }
  }

  template <class T>
  static T binary(int code, const T& a, const T& b) {
    using std::atan2, std::fma, std::fmax, std::fmin, std::hypot, std::max, std::min, std::pow;
    switch (code) {
      case 0:
        return a + b;
      case 1:
        return a - b;
      case 2:
        return a * b;
      case 3:
        return a / b;
      case 4:
        return pow(a, b);
      case 5:
        return hypot(a, b);
      case 6:
        return atan2(a, b);
      case 7:
        return fmin(a, b);
      case 8:
        return fmax(a, b);
      case 9:
        return min(a, b);
      case 10:
        return max(a, b);
      case 11:
        return fma(a, b, a);
      default:
        return select(a < b, a, b);
    }
  }

  template <class T>
  static T dead(int code, const T& v) {
    using std::ceil, std::floor, std::round, std::trunc;
    switch (code) {
      case 0:
        return floor(v);
      case 1:
        return ceil(v);
      case 2:
        return round(v);
      default:
        return trunc(v);
    }
  }

  template <class T, class Input>
  T run(Index i, const Input& x) const {
    using std::copysign;
    std::vector<T> stack;
    for (const Instruction& in : rows[i]) {
      switch (in.op) {
        case Op::load:
          stack.push_back(x(in.j));
          break;
        case Op::constant:
          stack.push_back(T(in.value));
          break;
        case Op::unary:
          stack.back() = unary(in.code, stack.back());
          break;
        case Op::dead:
          stack.back() = dead(in.code, stack.back());
          break;
        case Op::binary:
        case Op::copysign_with_sign: {
          const T b = stack.back();
          stack.pop_back();
          stack.back() =
              in.op == Op::binary ? binary(in.code, stack.back(), b) : T(copysign(stack.back(), b));
          break;
        }
      }
    }
    return stack.empty() ? T(0.0) : stack.back();
  }

  static RandomProgram make(Index m, Index n, unsigned seed) {
    std::mt19937 rng(seed);
    RandomProgram f;
    f.m = m;
    f.n = n;
    f.rows.resize(m);
    f.columns.resize(m);
    using Item = std::vector<Instruction>;
    auto random_input = [&] { return Index(rng() % n); };
    // An expression of random inputs with no derivative: an integer-valued
    // function of a random combination.
    auto dead_item = [&] {
      Item item{{Op::load, 0, random_input(), 0}};
      if (rng() % 2) {
        item.push_back({Op::load, 0, random_input(), 0});
        item.push_back({Op::binary, int(rng() % num_binary), 0, 0});
      }
      item.push_back({Op::dead, int(rng() % num_dead), 0, 0});
      return item;
    };
    for (Index i = 0; i < m; ++i) {
      // Row size: empty, small, stencil-like, beyond a small buffer, or dense.
      const int kind = int(rng() % 8);
      Index count = kind == 0 ? 0 : kind == 7 ? n : Index(rng() % std::min<Index>(n, 40));
      std::vector<Index> all(n);
      std::iota(all.begin(), all.end(), 0);
      std::shuffle(all.begin(), all.end(), rng);
      f.columns[i].insert(all.begin(), all.begin() + count);

      std::vector<Item> items;
      for (Index e = 0; e < count; ++e) items.push_back({{Op::load, 0, all[e], 0}});
      for (Index e = 0; e < count / 4; ++e)  // repeated inputs
        items.push_back({{Op::load, 0, all[rng() % count], 0}});
      for (int e = int(rng() % 3); e > 0; --e) items.push_back(dead_item());
      for (int e = int(rng() % 3); e > 0; --e) items.push_back({{Op::constant, 0, 0, 0.5 + e}});
      for (auto& item : items)
        if (rng() % 3 == 0) item.push_back({Op::unary, int(rng() % num_unary), 0, 0});
      while (items.size() > 1) {
        const std::size_t ia = rng() % items.size();
        Item a = std::move(items[ia]);
        items.erase(items.begin() + std::ptrdiff_t(ia));
        const std::size_t ib = rng() % items.size();
        Item b = std::move(items[ib]);
        items.erase(items.begin() + std::ptrdiff_t(ib));
        a.insert(a.end(), b.begin(), b.end());
        a.push_back({Op::binary, int(rng() % num_binary), 0, 0});
        if (rng() % 4 == 0) a.push_back({Op::unary, int(rng() % num_unary), 0, 0});
        if (rng() % 6 == 0) {  // copysign(a, sign of random inputs): the sign is dead
          a.push_back({Op::load, 0, random_input(), 0});
          a.push_back({Op::copysign_with_sign, 0, 0, 0});
        }
        items.push_back(std::move(a));
      }
      if (!items.empty()) f.rows[i] = std::move(items.front());
    }
    return f;
  }
};

struct RandomProgramRows {
  const RandomProgram* f;
  template <class T>
  T operator()(int i, Accessor<T> x) const {
    return f->run<T>(i, x);
  }
};

struct RandomProgramVector {
  const RandomProgram* f;
  template <class T>
  void operator()(const T* x, T* y) const {
    for (Index i = 0; i < f->m; ++i) y[i] = f->run<T>(i, [x](Index j) { return x[j]; });
  }
};

TEST(DetectPattern, RandomFunctionsWithKnownPatterns) {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    const Index m = 30 + Index(seed % 4) * 7, n = 20 + Index(seed % 5) * 9;
    const RandomProgram f = RandomProgram::make(m, n, seed);
    const Pattern expected = pattern_of_rows(m, n, f.columns);
    const Pattern by_rows = detect_row_pattern(RandomProgramRows{&f}, m, n);
    const Pattern by_vector = detect_jacobian_pattern(RandomProgramVector{&f}, m, n);
    EXPECT_EQ(rows_of(by_rows), rows_of(expected));
    EXPECT_EQ(rows_of(by_vector), rows_of(expected));
    // The same program evaluates with doubles (the values do not matter).
    std::vector<double> x(static_cast<std::size_t>(n), 0.3), y(static_cast<std::size_t>(m));
    RandomProgramVector{&f}(x.data(), y.data());
  }
}

// --------------------------------------------------------- shapes, edges

TEST(DetectPattern, RectangularEmptyRowsDenseRowAndSingleInput) {
  // m < n, with an empty row and a dense row accumulated in both orders.
  const auto wide = [](const auto* x, auto* y) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    T up = 0.0, down = 0.0;
    for (int j = 0; j < 9; ++j) up += x[j];
    for (int j = 8; j >= 0; --j) down = down + x[j] * x[j];
    y[0] = up;
    y[1] = 1.0;
    y[2] = x[8] * x[0];
    y[3] = down;
  };
  EXPECT_EQ(
      rows_of(detect_jacobian_pattern(wide, 4, 9)),
      (std::vector<Set>{{0, 1, 2, 3, 4, 5, 6, 7, 8}, {}, {0, 8}, {0, 1, 2, 3, 4, 5, 6, 7, 8}}));

  // m > n.
  const auto tall = [](const auto* x, auto* y) {
    for (int i = 0; i < 7; ++i) y[i] = x[i % 3] * x[(i + 1) % 3];
    y[6] = x[2];
  };
  EXPECT_EQ(rows_of(detect_jacobian_pattern(tall, 7, 3)),
            (std::vector<Set>{{0, 1}, {1, 2}, {0, 2}, {0, 1}, {1, 2}, {0, 2}, {2}}));
  const auto tall_rows = [](int i, auto x) { return i == 6 ? x(2) : x(i % 3) * x((i + 1) % 3); };
  EXPECT_EQ(detect_row_pattern(tall_rows, 7, 3), detect_jacobian_pattern(tall, 7, 3));

  // n = 1.
  const auto scalar_in = [](int i, auto x) { return i == 1 ? decltype(x(0))(2.0) : exp(x(0)); };
  EXPECT_EQ(rows_of(detect_row_pattern(scalar_in, 3, 1)), (std::vector<Set>{{0}, {}, {0}}));

  // Empty shapes.
  const auto nothing = [](const auto*, auto*) {};
  EXPECT_EQ(detect_jacobian_pattern(nothing, 0, 0).nnz(), 0);
  const Pattern unwritten = detect_jacobian_pattern(nothing, 3, 4);
  EXPECT_EQ(unwritten.rows(), 3);
  EXPECT_EQ(unwritten.cols(), 4);
  EXPECT_EQ(unwritten.nnz(), 0);
  const auto constant_rows = [](int, auto) { return 1.0; };
  const Pattern no_inputs = detect_row_pattern(constant_rows, 5, 0);
  EXPECT_EQ(no_inputs.rows(), 5);
  EXPECT_EQ(no_inputs.nnz(), 0);
  EXPECT_EQ(detect_row_pattern(constant_rows, 0, 3).rows(), 0);
}

TEST(DetectPattern, DenseRowsOfALargeFunction) {
  // Every output depends on every input: sets far beyond a stencil's.
  const Index n = 3000;
  const auto dense = [n](const auto* x, auto* y) {
    for (int i = 0; i < 3; ++i) {
      y[i] = 0.0;
      for (Index j = 0; j < n; ++j) y[i] += (i == 1 ? x[n - 1 - j] : x[j]) * 2.0;
    }
  };
  const Pattern p = detect_jacobian_pattern(dense, 3, n);
  EXPECT_EQ(p, Pattern::dense(3, n));
}

TEST(DetectPattern, RowKernelInsideAWholeVectorFunctionReadsStoredTracers) {
  // Accessor<Tracer> over stored values, as Accessor<double> is: a row
  // kernel wrapped into a whole-vector function detects the same pattern.
  const int N = 6;
  const Index n = N * N;
  const BratuRows rows{Bratu(N)};
  const auto whole = [&rows, n](const auto* x, auto* y) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    const Accessor<T> input(x, n);
    for (Index i = 0; i < n; ++i) y[i] = rows(i, input);
  };
  EXPECT_EQ(detect_jacobian_pattern(whole, n, n), pattern_of_rows(n, n, bratu_reference(N)));
  const Tracer stored[2] = {Tracer::input(4), Tracer::input(1) + Tracer::input(2)};
  const Accessor<Tracer> x(stored, 2);
  EXPECT_EQ(x.size(), 2);
  EXPECT_EQ(indices_of(x(1)), (Set{1, 2}));
  EXPECT_EQ(indices_of(x[0]), (Set{4}));
  EXPECT_THROW(x(2), InvalidArgument);
}

// ------------------------------------------------------------------ errors

TEST(DetectPattern, NegativeSizesAreRefused) {
  const auto f = [](const auto*, auto*) {};
  const auto r = [](int, auto x) { return x(0); };
  EXPECT_THROW(detect_jacobian_pattern(f, -1, 2), InvalidArgument);
  EXPECT_THROW(detect_jacobian_pattern(f, 2, -1), InvalidArgument);
  EXPECT_THROW(detect_row_pattern(r, -3, 2), InvalidArgument);
  EXPECT_THROW(detect_row_pattern(r, 2, -3), InvalidArgument);
}

template <class ExecutionSpace>
class DetectRowPatternErrorsOn : public ::testing::Test {};
TYPED_TEST_SUITE(DetectRowPatternErrorsOn, test::HostExecutionSpaces);

TYPED_TEST(DetectRowPatternErrorsOn, OutOfRangeReadNamesLowestRowAndIndex) {
  // Rows 13 and 77 read outside [0, 100); the error names row 13.
  const auto r = [](int i, auto x) {
    if (i == 77) return x(100);
    if (i == 13) return x(-2) + x(i);
    return x(i);
  };
  try {
    detect_row_pattern(TypeParam(), r, 100, 100);
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("detect_row_pattern"), std::string::npos) << what;
    EXPECT_NE(what.find("row 13"), std::string::npos) << what;
    EXPECT_NE(what.find("index -2"), std::string::npos) << what;
    EXPECT_NE(what.find("[0, 100)"), std::string::npos) << what;
  }
}

TYPED_TEST(DetectRowPatternErrorsOn, KernelExceptionsPropagate) {
  const auto r = [](int i, auto x) {
    if (i == 40) throw std::runtime_error("kernel failed at row 40");
    return x(i);
  };
  EXPECT_THROW(detect_row_pattern(TypeParam(), r, 64, 64), std::runtime_error);
  // And detection still works afterwards on the same threads.
  const auto ok = [](int i, auto x) { return x(i) * x((i + 1) % 64); };
  EXPECT_EQ(detect_row_pattern(TypeParam(), ok, 64, 64).nnz(), 128);
}

}  // namespace
}  // namespace sparsediff
