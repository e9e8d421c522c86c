// Tests of reverse mode (Tape, Reverse, gradient, vjp). References are
// independent of the code under test: derivatives written by hand, central
// finite differences of the plain-double evaluation (step 1e-6 relative,
// truncation + rounding error ~1e-9, tolerance 1e-6 relative), and
// Jacobian-vector products from forward-mode duals.
#include "sparsediff/ad/tape.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "examples/common/objectives.hpp"
#include "sparsediff/ad/dual.hpp"

namespace sparsediff {
namespace {

using problems::Dixmaan;
using problems::MinimalSurface;
using problems::RandomComposition;

::testing::AssertionResult close(double actual, double expected, double tol) {
  if (actual == expected) return ::testing::AssertionSuccess();
  if (std::abs(actual - expected) <= tol * std::max(1.0, std::abs(expected)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "actual " << actual << " vs expected " << expected << " (tol " << tol << ")";
}

/// Central differences of a scalar objective, step 1e-6 max(1, |x_j|).
template <class F>
std::vector<double> fd_gradient(const F& f, const std::vector<double>& x, double h = 1e-6) {
  std::vector<double> g(x.size()), xp = x;
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double step = h * std::max(1.0, std::abs(x[j]));
    xp[j] = x[j] + step;
    const double fp = f(xp.data());
    xp[j] = x[j] - step;
    const double fm = f(xp.data());
    xp[j] = x[j];
    g[j] = (fp - fm) / (2 * step);
  }
  return g;
}

std::vector<double> random_point(std::size_t n, unsigned seed, double lo = -1.5, double hi = 1.5) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(n);
  for (auto& v : x) v = u(rng);
  return x;
}

// ---------------------------------------------------------------- type properties

static_assert(std::is_trivially_copyable_v<Reverse<double>>);
static_assert(sizeof(Reverse<double>) == 16);
static_assert(std::is_same_v<Reverse<>, Reverse<double>>);

// ---------------------------------------------------------------- analytic gradients

struct Rosenbrock {
  template <class T>
  T operator()(const T* x) const {
    T a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    return a * a + 100.0 * b * b;
  }
};

TEST(Tape, RosenbrockGradientMatchesAnalytic) {
  const std::vector<double> x = {-1.2, 1.0};
  std::vector<double> g;
  const double f = gradient(Rosenbrock{}, x, g);
  EXPECT_DOUBLE_EQ(f, 2.2 * 2.2 + 100 * 0.44 * 0.44);
  const double x0 = x[0], x1 = x[1];
  EXPECT_TRUE(close(g[0], -2 * (1 - x0) - 400 * x0 * (x1 - x0 * x0), 1e-14));
  EXPECT_TRUE(close(g[1], 200 * (x1 - x0 * x0), 1e-14));
}

struct Mixed {  // f = x0 x1 x2 + exp(x0) / x1 - 3 x2^2 + sin(x0 x2)
  template <class T>
  T operator()(const T* x) const {
    using std::exp;
    using std::sin;
    return x[0] * x[1] * x[2] + exp(x[0]) / x[1] - 3.0 * x[2] * x[2] + sin(x[0] * x[2]);
  }
};

TEST(Tape, ProductQuotientGradientMatchesAnalytic) {
  const std::vector<double> x = {0.7, -1.3, 2.1};
  const auto g = gradient(Mixed{}, x);
  const double a = x[0], b = x[1], c = x[2];
  EXPECT_TRUE(close(g[0], b * c + std::exp(a) / b + c * std::cos(a * c), 1e-14));
  EXPECT_TRUE(close(g[1], a * c - std::exp(a) / (b * b), 1e-14));
  EXPECT_TRUE(close(g[2], a * b - 6 * c + a * std::cos(a * c), 1e-14));
}

// Every unary function against its derivative written by hand.
struct UnaryCase {
  std::string name;
  std::function<Reverse<double>(const Reverse<double>&)> f;
  std::function<double(double)> value, derivative;
  std::vector<double> points;
};

std::vector<UnaryCase> unary_cases() {
  const double ln2 = std::log(2.0), ln10 = std::log(10.0), sqrt_pi = std::sqrt(std::acos(-1.0));
  using R = Reverse<double>;
  return {
      {"exp",
       [](const R& x) { return exp(x); },
       [](double x) { return std::exp(x); },
       [](double x) { return std::exp(x); },
       {-2, 0.3, 1.7}},
      {"exp2",
       [](const R& x) { return exp2(x); },
       [](double x) { return std::exp2(x); },
       [=](double x) { return std::exp2(x) * ln2; },
       {-2, 0.3, 1.7}},
      {"expm1",
       [](const R& x) { return expm1(x); },
       [](double x) { return std::expm1(x); },
       [](double x) { return std::exp(x); },
       {-2, 1e-9, 1.7}},
      {"log",
       [](const R& x) { return log(x); },
       [](double x) { return std::log(x); },
       [](double x) { return 1 / x; },
       {0.1, 1.0, 7.5}},
      {"log2",
       [](const R& x) { return log2(x); },
       [](double x) { return std::log2(x); },
       [=](double x) { return 1 / (x * ln2); },
       {0.1, 1.0, 7.5}},
      {"log10",
       [](const R& x) { return log10(x); },
       [](double x) { return std::log10(x); },
       [=](double x) { return 1 / (x * ln10); },
       {0.1, 1.0, 7.5}},
      {"log1p",
       [](const R& x) { return log1p(x); },
       [](double x) { return std::log1p(x); },
       [](double x) { return 1 / (1 + x); },
       {-0.5, 1e-10, 3.0}},
      {"sqrt",
       [](const R& x) { return sqrt(x); },
       [](double x) { return std::sqrt(x); },
       [](double x) { return 0.5 / std::sqrt(x); },
       {0.01, 2.0, 9.0}},
      {"cbrt",
       [](const R& x) { return cbrt(x); },
       [](double x) { return std::cbrt(x); },
       [](double x) { return 1 / (3 * std::cbrt(x) * std::cbrt(x)); },
       {-8.0, 0.5, 27.0}},
      {"sin",
       [](const R& x) { return sin(x); },
       [](double x) { return std::sin(x); },
       [](double x) { return std::cos(x); },
       {-2, 0.3, 1.7}},
      {"cos",
       [](const R& x) { return cos(x); },
       [](double x) { return std::cos(x); },
       [](double x) { return -std::sin(x); },
       {-2, 0.3, 1.7}},
      {"tan",
       [](const R& x) { return tan(x); },
       [](double x) { return std::tan(x); },
       [](double x) { return 1 / (std::cos(x) * std::cos(x)); },
       {-1.2, 0.3, 1.4}},
      {"asin",
       [](const R& x) { return asin(x); },
       [](double x) { return std::asin(x); },
       [](double x) { return 1 / std::sqrt(1 - x * x); },
       {-0.9, 0.0, 0.6}},
      {"acos",
       [](const R& x) { return acos(x); },
       [](double x) { return std::acos(x); },
       [](double x) { return -1 / std::sqrt(1 - x * x); },
       {-0.9, 0.0, 0.6}},
      {"atan",
       [](const R& x) { return atan(x); },
       [](double x) { return std::atan(x); },
       [](double x) { return 1 / (1 + x * x); },
       {-3, 0.0, 0.6}},
      {"sinh",
       [](const R& x) { return sinh(x); },
       [](double x) { return std::sinh(x); },
       [](double x) { return std::cosh(x); },
       {-2, 0.3, 1.7}},
      {"cosh",
       [](const R& x) { return cosh(x); },
       [](double x) { return std::cosh(x); },
       [](double x) { return std::sinh(x); },
       {-2, 0.3, 1.7}},
      {"tanh",
       [](const R& x) { return tanh(x); },
       [](double x) { return std::tanh(x); },
       [](double x) { return 1 / (std::cosh(x) * std::cosh(x)); },
       {-2, 0.3, 1.7}},
      {"asinh",
       [](const R& x) { return asinh(x); },
       [](double x) { return std::asinh(x); },
       [](double x) { return 1 / std::sqrt(x * x + 1); },
       {-2, 0.3, 1.7}},
      {"acosh",
       [](const R& x) { return acosh(x); },
       [](double x) { return std::acosh(x); },
       [](double x) { return 1 / std::sqrt(x * x - 1); },
       {1.1, 2.0, 7.0}},
      {"atanh",
       [](const R& x) { return atanh(x); },
       [](double x) { return std::atanh(x); },
       [](double x) { return 1 / (1 - x * x); },
       {-0.9, 0.0, 0.6}},
      {"erf",
       [](const R& x) { return erf(x); },
       [](double x) { return std::erf(x); },
       [=](double x) { return 2 / sqrt_pi * std::exp(-x * x); },
       {-2, 0.3, 1.7}},
      {"erfc",
       [](const R& x) { return erfc(x); },
       [](double x) { return std::erfc(x); },
       [=](double x) { return -2 / sqrt_pi * std::exp(-x * x); },
       {-2, 0.3, 1.7}},
      {"abs",
       [](const R& x) { return abs(x); },
       [](double x) { return std::abs(x); },
       [](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); },
       {-2, 0.0, 1.7}},
      {"fabs",
       [](const R& x) { return fabs(x); },
       [](double x) { return std::fabs(x); },
       [](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); },
       {-2, 1.7}},
      {"floor",
       [](const R& x) { return floor(x); },
       [](double x) { return std::floor(x); },
       [](double) { return 0.0; },
       {-2.5, 1.7}},
      {"ceil",
       [](const R& x) { return ceil(x); },
       [](double x) { return std::ceil(x); },
       [](double) { return 0.0; },
       {-2.5, 1.7}},
      {"round",
       [](const R& x) { return round(x); },
       [](double x) { return std::round(x); },
       [](double) { return 0.0; },
       {-2.5, 1.7}},
      {"trunc",
       [](const R& x) { return trunc(x); },
       [](double x) { return std::trunc(x); },
       [](double) { return 0.0; },
       {-2.5, 1.7}},
      {"neg",
       [](const R& x) { return -x; },
       [](double x) { return -x; },
       [](double) { return -1.0; },
       {-2.5, 1.7}},
      {"plus",
       [](const R& x) { return +x; },
       [](double x) { return x; },
       [](double) { return 1.0; },
       {-2.5, 1.7}},
      {"pow_int3",
       [](const R& x) { return pow(x, 3); },
       [](double x) { return x * x * x; },
       [](double x) { return 3 * x * x; },
       {-2.0, 0.0, 1.7}},
      {"pow_int2_at0",
       [](const R& x) { return pow(x, 2); },
       [](double x) { return x * x; },
       [](double x) { return 2 * x; },
       {0.0, -1.5}},
      {"pow_int1_at0",
       [](const R& x) { return pow(x, 1); },
       [](double x) { return x; },
       [](double) { return 1.0; },
       {0.0, 3.0}},
      {"pow_int0",
       [](const R& x) { return pow(x, 0); },
       [](double) { return 1.0; },
       [](double) { return 0.0; },
       {0.0, 3.0}},
      {"pow_real",
       [](const R& x) { return pow(x, 2.5); },
       [](double x) { return std::pow(x, 2.5); },
       [](double x) { return 2.5 * std::pow(x, 1.5); },
       {0.5, 3.0}},
      {"pow_const_base",
       [](const R& x) { return pow(3.0, x); },
       [](double x) { return std::pow(3.0, x); },
       [](double x) { return std::log(3.0) * std::pow(3.0, x); },
       {-1.0, 0.5}},
      {"add_c",
       [](const R& x) { return 2.0 + x + 1; },
       [](double x) { return 3 + x; },
       [](double) { return 1.0; },
       {-1.0}},
      {"sub_c",
       [](const R& x) { return 2.0 - (x - 1.0); },
       [](double x) { return 3 - x; },
       [](double) { return -1.0; },
       {-1.0}},
      {"mul_div_c",
       [](const R& x) { return 3 * x / 4.0; },
       [](double x) { return 0.75 * x; },
       [](double) { return 0.75; },
       {-1.0}},
      {"div_ca",
       [](const R& x) { return 2.0 / x; },
       [](double x) { return 2.0 / x; },
       [](double x) { return -2.0 / (x * x); },
       {-1.0, 0.5}},
      {"square",
       [](const R& x) { return x * x; },
       [](double x) { return x * x; },
       [](double x) { return 2 * x; },
       {-1.0, 0.5}},
      {"self_div",
       [](const R& x) { return x / x; },
       [](double) { return 1.0; },
       [](double) { return 0.0; },
       {-1.0, 0.5}},
  };
}

TEST(Tape, EveryUnaryFunctionMatchesHandDerivative) {
  for (const auto& c : unary_cases())
    for (double x0 : c.points) {
      Tape<> tape;
      const auto f = [&](const auto* x) { return c.f(x[0]); };
      const double y = tape.record(f, {x0});
      std::vector<double> g;
      tape.gradient(g);
      EXPECT_TRUE(close(y, c.value(x0), 1e-15)) << c.name << " at " << x0;
      EXPECT_TRUE(close(g[0], c.derivative(x0), 1e-13)) << c.name << " at " << x0;
    }
}

// Binary functions: both partials by hand, with each operand active or constant.
struct BinaryCase {
  std::string name;
  std::function<Reverse<double>(const Reverse<double>&, const Reverse<double>&)> f;
  std::function<double(double, double)> value, dx, dy;
  std::vector<std::pair<double, double>> points;
};

std::vector<BinaryCase> binary_cases() {
  using R = Reverse<double>;
  auto sgn = [](double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); };
  return {
      {"add",
       [](const R& a, const R& b) { return a + b; },
       [](double a, double b) { return a + b; },
       [](double, double) { return 1.0; },
       [](double, double) { return 1.0; },
       {{0.3, -2.0}}},
      {"sub",
       [](const R& a, const R& b) { return a - b; },
       [](double a, double b) { return a - b; },
       [](double, double) { return 1.0; },
       [](double, double) { return -1.0; },
       {{0.3, -2.0}}},
      {"mul",
       [](const R& a, const R& b) { return a * b; },
       [](double a, double b) { return a * b; },
       [](double, double b) { return b; },
       [](double a, double) { return a; },
       {{0.3, -2.0}}},
      {"div",
       [](const R& a, const R& b) { return a / b; },
       [](double a, double b) { return a / b; },
       [](double, double b) { return 1 / b; },
       [](double a, double b) { return -a / (b * b); },
       {{0.3, -2.0}}},
      {"pow",
       [](const R& a, const R& b) { return pow(a, b); },
       [](double a, double b) { return std::pow(a, b); },
       [](double a, double b) { return b * std::pow(a, b - 1); },
       [](double a, double b) { return std::log(a) * std::pow(a, b); },
       {{0.7, 2.5}, {3.0, -1.5}}},
      {"hypot",
       [](const R& a, const R& b) { return hypot(a, b); },
       [](double a, double b) { return std::hypot(a, b); },
       [](double a, double b) { return a / std::hypot(a, b); },
       [](double a, double b) { return b / std::hypot(a, b); },
       {{0.7, -2.5}}},
      {"atan2",
       [](const R& a, const R& b) { return atan2(a, b); },
       [](double a, double b) { return std::atan2(a, b); },
       [](double a, double b) { return b / (a * a + b * b); },
       [](double a, double b) { return -a / (a * a + b * b); },
       {{0.7, -2.5}, {-1.0, 0.5}}},
      {"fmin",
       [](const R& a, const R& b) { return fmin(a, b); },
       [](double a, double b) { return std::fmin(a, b); },
       [](double a, double b) { return a <= b ? 1.0 : 0.0; },
       [](double a, double b) { return a <= b ? 0.0 : 1.0; },
       {{0.7, -2.5}, {-3.0, 1.0}}},
      {"fmax",
       [](const R& a, const R& b) { return fmax(a, b); },
       [](double a, double b) { return std::fmax(a, b); },
       [](double a, double b) { return a >= b ? 1.0 : 0.0; },
       [](double a, double b) { return a >= b ? 0.0 : 1.0; },
       {{0.7, -2.5}, {-3.0, 1.0}}},
      {"min",
       [](const R& a, const R& b) { return min(a, b); },
       [](double a, double b) { return std::min(a, b); },
       [](double a, double b) { return b < a ? 0.0 : 1.0; },
       [](double a, double b) { return b < a ? 1.0 : 0.0; },
       {{0.7, -2.5}, {-3.0, 1.0}}},
      {"max",
       [](const R& a, const R& b) { return max(a, b); },
       [](double a, double b) { return std::max(a, b); },
       [](double a, double b) { return a < b ? 0.0 : 1.0; },
       [](double a, double b) { return a < b ? 1.0 : 0.0; },
       {{0.7, -2.5}, {-3.0, 1.0}}},
      {"copysign",
       [](const R& a, const R& b) { return copysign(a, b); },
       [](double a, double b) { return std::copysign(a, b); },
       [=](double a, double b) { return sgn(a) * (std::signbit(b) ? -1.0 : 1.0); },
       [](double, double) { return 0.0; },
       {{0.7, -2.5}, {-3.0, 1.0}, {-3.0, -1.0}}},
      {"compound",
       [](const R& a, const R& b) {
         R r = a;
         r += b;  // a + b
         r *= a;  // (a + b) a
         r -= b;  // (a + b) a - b
         r /= b;  // ((a + b) a - b) / b
         r += 2;
         r *= 3.0;
         r -= 1;
         r /= 2.0;
         return r;
       },
       [](double a, double b) { return (((a + b) * a - b) / b + 2) * 3 / 2 - 0.5; },
       [](double a, double b) { return 1.5 * (2 * a + b) / b; },
       [](double a, double b) { return -1.5 * a * a / (b * b); },
       {{0.7, -2.5}}},
  };
}

TEST(Tape, EveryBinaryFunctionMatchesHandDerivativesActiveAndConstant) {
  for (const auto& c : binary_cases())
    for (auto [a0, b0] : c.points) {
      // both active
      auto g =
          gradient([&](const auto* x) { return c.f(x[0], x[1]); }, std::vector<double>{a0, b0});
      EXPECT_TRUE(close(g[0], c.dx(a0, b0), 1e-14)) << c.name << " dx at " << a0 << ", " << b0;
      EXPECT_TRUE(close(g[1], c.dy(a0, b0), 1e-14)) << c.name << " dy at " << a0 << ", " << b0;
      // the second operand a constant, then the first
      Tape<> tape;
      double y = tape.record([&, b0 = b0](const auto* x) { return c.f(x[0], Reverse<double>(b0)); },
                             std::vector<double>{a0});
      tape.gradient(g);
      EXPECT_TRUE(close(y, c.value(a0, b0), 1e-14)) << c.name;
      EXPECT_TRUE(close(g[0], c.dx(a0, b0), 1e-14)) << c.name << " dx, y constant";
      y = tape.record([&, a0 = a0](const auto* x) { return c.f(Reverse<double>(a0), x[0]); },
                      std::vector<double>{b0});
      tape.gradient(g);
      EXPECT_TRUE(close(y, c.value(a0, b0), 1e-14)) << c.name;
      EXPECT_TRUE(close(g[0], c.dy(a0, b0), 1e-14)) << c.name << " dy, x constant";
    }
}

TEST(Tape, FmaAndMixedScalarOverloads) {
  const auto f = [](const auto* x) {
    using std::fma;
    return fma(x[0], x[1], x[2]) + fma(2.0, x[0], 1.0) + fma(x[1], 3, x[2]) + fma(0.5, 0.25, x[0]) +
           fma(x[0], x[0], 1.0);
  };
  const std::vector<double> x = {0.3, -1.1, 2.0};
  const auto g = gradient(f, x);
  EXPECT_TRUE(close(g[0], x[1] + 2 + 1 + 2 * x[0], 1e-15));
  EXPECT_TRUE(close(g[1], x[0] + 3, 1e-15));
  EXPECT_TRUE(close(g[2], 1 + 1, 1e-15));
}

TEST(Tape, MathIsFoundByArgumentDependentLookupAfterUsingStd) {
  // The user's own generic code: std names brought in, calls unqualified.
  const auto f = [](const auto* x) {
    using std::exp;
    using std::max;
    using std::pow;
    using std::sqrt;
    return exp(x[0]) + pow(x[1], 2) + sqrt(max(x[0], x[1]));
  };
  const std::vector<double> x = {0.4, 1.2};
  const auto g = gradient(f, x);
  EXPECT_TRUE(close(g[0], std::exp(0.4), 1e-15));
  EXPECT_TRUE(close(g[1], 2 * 1.2 + 0.5 / std::sqrt(1.2), 1e-15));
}

TEST(Tape, ZeroAdjointDoesNotPropagateInfinitePartials) {
  // sqrt at 0 has an infinite partial; multiplied by the constant 0 its
  // adjoint is exactly 0 and must not turn the gradient into NaN.
  const auto f = [](const auto* x) {
    using std::sqrt;
    return x[1] + 0.0 * sqrt(x[0]);
  };
  const auto g = gradient(f, std::vector<double>{0.0, 2.0});
  EXPECT_EQ(g[0], 0.0);
  EXPECT_EQ(g[1], 1.0);
}

TEST(Tape, ConstantsAreNotRecordedAndConstantOutputHasZeroGradient) {
  Tape<> tape;
  const auto g = [](const auto* x) {
    using T = std::decay_t<decltype(x[0])>;
    (void)x;
    T c = 2.0;  // operations on constants only are not recorded
    return sin(c) * 3.0;
  };
  const double y = tape.record(g, {1.0, 2.0});
  EXPECT_DOUBLE_EQ(y, std::sin(2.0) * 3.0);
  EXPECT_EQ(tape.num_operations(), 2u);  // the two inputs only
  std::vector<double> grad;
  tape.gradient(grad);
  EXPECT_EQ(grad, (std::vector<double>{0.0, 0.0}));
  EXPECT_DOUBLE_EQ(tape.replay({3.0, 4.0}), std::sin(2.0) * 3.0);
}

// ---------------------------------------------------------------- random compositions

TEST(Tape, RandomCompositionsOfAllFunctionsMatchFiniteDifferences) {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    const auto f = RandomComposition::make(6, 120, seed);
    const auto x = random_point(6, 100 + seed);
    std::vector<double> g;
    const double y = gradient(f, x, g);
    EXPECT_TRUE(close(y, f(x.data()), 1e-15)) << "seed " << seed;
    const auto ref = fd_gradient(f, x);
    for (std::size_t j = 0; j < x.size(); ++j)
      EXPECT_TRUE(close(g[j], ref[j], 1e-6)) << "seed " << seed << ", x[" << j << "]";
  }
}

// ---------------------------------------------------------------- objectives

// The analytic gradient of DIXMAAN (1-based formulas of the objective's comment).
std::vector<double> dixmaan_gradient(const Dixmaan& p, const std::vector<double>& x) {
  const Index m = p.m, n = 3 * m;
  std::vector<double> g(std::size_t(n), 0.0);
  auto X = [&](Index i) { return x[std::size_t(i - 1)]; };
  auto w = [&](Index i, int k) { return std::pow(double(i) / n, k); };
  for (Index i = 1; i <= n; ++i) {
    double gi = 2 * p.a * w(i, p.k1) * X(i);
    if (i < n) {
      const double s = X(i + 1) + X(i + 1) * X(i + 1);
      gi += 2 * p.b * w(i, p.k2) * X(i) * s * s;
    }
    if (i > 1) {
      const double s = X(i) + X(i) * X(i);
      gi += p.b * w(i - 1, p.k2) * X(i - 1) * X(i - 1) * 2 * s * (1 + 2 * X(i));
    }
    if (i <= 2 * m) gi += 2 * p.c * w(i, p.k3) * X(i) * std::pow(X(i + m), 4);
    if (i > m) gi += 4 * p.c * w(i - m, p.k3) * X(i - m) * X(i - m) * std::pow(X(i), 3);
    if (i <= m) gi += p.d * w(i, p.k4) * X(i + 2 * m);
    if (i > 2 * m) gi += p.d * w(i - 2 * m, p.k4) * X(i - 2 * m);
    g[std::size_t(i - 1)] = gi;
  }
  return g;
}

TEST(Tape, DixmaanjGradientMatchesAnalytic) {
  const Dixmaan p{30};
  for (unsigned seed : {0u, 1u}) {
    const auto x = seed == 0 ? p.initial_guess() : random_point(std::size_t(p.size()), seed);
    const auto g = gradient(p, x);
    const auto ref = dixmaan_gradient(p, x);
    for (std::size_t j = 0; j < x.size(); ++j) EXPECT_TRUE(close(g[j], ref[j], 1e-13)) << j;
  }
}

TEST(Tape, MinimalSurfaceGradientMatchesFiniteDifferencesAndElementForm) {
  const MinimalSurface p{6};
  auto x = p.initial_guess();
  const auto perturbation = random_point(x.size(), 7, -0.2, 0.2);
  for (std::size_t j = 0; j < x.size(); ++j) x[j] += perturbation[j];
  const auto g = gradient(p, x);
  const auto ref = fd_gradient(p, x);
  for (std::size_t j = 0; j < x.size(); ++j) EXPECT_TRUE(close(g[j], ref[j], 1e-7)) << j;
  // The element form sums to the same objective.
  double sum = 0;
  for (Index e = 0; e < p.num_elements(); ++e) {
    Index vars[3];
    const Index count = p.element_variables(e, vars);
    ASSERT_LE(count, 3);
    double local[3];
    for (Index k = 0; k < count; ++k) local[k] = x[std::size_t(vars[k])];
    sum += p.element(e, local);
  }
  EXPECT_TRUE(close(sum, p(x.data()), 1e-13));
  // dmsa's interior elements: each unknown touches 6 triangles.
  std::vector<int> touches(x.size(), 0);
  for (Index e = 0; e < p.num_elements(); ++e) {
    Index vars[3];
    const Index count = p.element_variables(e, vars);
    for (Index k = 0; k < count; ++k) ++touches[std::size_t(vars[k])];
  }
  for (int t : touches) EXPECT_EQ(t, 6);
}

// ---------------------------------------------------------------- vjp

struct VectorFunction {  // y_i mixes neighbours through several functions
  Index n = 5;
  template <class T>
  void operator()(const T* x, T* y) const {
    using std::atan;
    using std::exp;
    using std::log1p;
    using std::sin;
    for (Index i = 0; i < n - 1; ++i) y[i] = x[i] * sin(x[i + 1]) + exp(0.3 * x[i]);
    y[n - 1] = log1p(x[0] * x[0]) + atan(x[n - 1]) * x[1];
    y[n] = x[2] / (2.0 + x[3] * x[3]);  // m = n + 1 outputs
  }
};

TEST(Tape, VjpMatchesJacobianTransposeFromForwardDuals) {
  const VectorFunction f;
  const Index n = f.n, m = n + 1;
  const auto x = random_point(std::size_t(n), 3);
  const auto w = random_point(std::size_t(m), 4);
  // Reference: J e_j from Dual<double, 1>, then (J^T w)_j = sum_i w_i J_ij.
  std::vector<double> ref(std::size_t(n), 0.0);
  for (Index j = 0; j < n; ++j) {
    std::vector<Dual<double, 1>> xd(x.begin(), x.end()), yd(static_cast<std::size_t>(m));
    xd[std::size_t(j)].d[0] = 1.0;
    f(xd.data(), yd.data());
    for (Index i = 0; i < m; ++i)
      ref[std::size_t(j)] += w[std::size_t(i)] * yd[std::size_t(i)].d[0];
  }
  std::vector<double> result, y;
  vjp(f, m, x, w, result, &y);
  for (Index j = 0; j < n; ++j)
    EXPECT_TRUE(close(result[std::size_t(j)], ref[std::size_t(j)], 1e-14));
  std::vector<double> y_ref(static_cast<std::size_t>(m));
  f(x.data(), y_ref.data());
  EXPECT_EQ(y, y_ref);
  EXPECT_EQ(vjp(f, m, x, w), result);
}

TEST(Tape, VjpWithRepeatedAndConstantOutputs) {
  const auto f = [](const auto* x, auto* y) {
    y[0] = x[0] * x[1];
    y[1] = y[0];  // the same node twice: weights add
    y[2] = 4.0;   // constant output
    y[3] = x[0];  // an input as output
  };
  const std::vector<double> x = {2.0, 3.0}, w = {1.0, 2.0, 5.0, 7.0};
  const auto r = vjp(f, 4, x, w);
  EXPECT_DOUBLE_EQ(r[0], 3.0 * 3.0 + 7.0);
  EXPECT_DOUBLE_EQ(r[1], 3.0 * 2.0);
}

// ---------------------------------------------------------------- replay

TEST(Tape, ReplayAtNewPointEqualsRecordingAgain) {
  const auto f = RandomComposition::make(5, 150, 21);
  const Dixmaan dix{12};
  Tape<> tape;
  tape.record(f, random_point(5, 1));
  Tape<> dix_tape;
  dix_tape.record(dix, dix.initial_guess());
  for (unsigned s = 2; s < 6; ++s) {
    const auto x = random_point(5, s);
    const double y = tape.replay(x);
    std::vector<double> g;
    tape.gradient(g);
    Tape<> fresh;
    const double y_ref = fresh.record(f, x);
    std::vector<double> g_ref;
    fresh.gradient(g_ref);
    EXPECT_EQ(y, y_ref);
    EXPECT_EQ(g, g_ref);

    const auto xd = random_point(std::size_t(dix.size()), 10 + s);
    EXPECT_EQ(dix_tape.replay(xd), dix(xd.data()));
    dix_tape.gradient(g);
    EXPECT_EQ(g, gradient(dix, xd));
  }
}

TEST(Tape, ReplayOfVectorFunctionAndReverse) {
  const VectorFunction f;
  Tape<> tape;
  std::vector<double> y;
  tape.record(f, f.n + 1, random_point(5, 1), y);
  const auto x = random_point(5, 2), w = random_point(6, 3);
  tape.replay(x, y);
  std::vector<double> y_ref(6);
  f(x.data(), y_ref.data());
  EXPECT_EQ(y, y_ref);
  std::vector<double> r;
  tape.reverse(w, r);
  EXPECT_EQ(r, vjp(f, 6, x, w));
}

struct Branchy {
  template <class T>
  T operator()(const T* x) const {
    using std::sin;
    T r = x[1] * x[1];
    if (x[0] > 0.0)
      r += x[0] * x[0];  // comparison 0
    else
      r -= sin(x[0]);
    if (r < x[1]) r *= 2.0;  // comparison 1
    return r;
  }
};

TEST(Tape, ReplayRefusesChangedBranchNamingTheComparison) {
  Tape<> tape;
  tape.record(Branchy{}, {1.0, 3.0});
  EXPECT_EQ(tape.num_comparisons(), 2u);
  // Same branches: fine.
  EXPECT_DOUBLE_EQ(tape.replay({2.0, 3.0}), 4.0 + 9.0);
  // x0 < 0 flips comparison 0.
  try {
    tape.replay({-1.0, 3.0});
    FAIL() << "replay across a branch change must throw";
  } catch (const BranchChanged& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("comparison 0 of 2"), std::string::npos) << what;
    EXPECT_NE(what.find(">"), std::string::npos) << what;
    EXPECT_NE(what.find("true when recorded"), std::string::npos) << what;
  }
  EXPECT_FALSE(tape.is_recorded());
  std::vector<double> g;
  EXPECT_THROW(tape.gradient(g), Error);  // unusable until recorded again
  EXPECT_THROW(tape.replay({1.0, 3.0}), Error);
  tape.record(Branchy{}, {0.1, 0.5});  // r = 0.26 < 0.5: comparison 1 true
  try {
    tape.replay({0.9, 0.5});  // r = 1.06: comparison 1 false
    FAIL();
  } catch (const BranchChanged& e) {
    EXPECT_NE(std::string(e.what()).find("comparison 1 of 2"), std::string::npos) << e.what();
  }
}

TEST(Tape, ReplayReselectsMinMaxAbsWithoutRefusing) {
  const auto f = [](const auto* x) {
    using std::abs;
    using std::fmax;
    using std::min;
    return fmax(x[0], x[1]) + min(x[0], 2.0) * abs(x[1]);
  };
  Tape<> tape;
  tape.record(f, {1.0, 3.0});
  EXPECT_EQ(tape.num_comparisons(), 0u);
  for (const std::vector<double>& x : {std::vector<double>{4.0, -3.0}, {-1.0, 0.5}}) {
    EXPECT_EQ(tape.replay(x), f(x.data()));
    std::vector<double> g;
    tape.gradient(g);
    EXPECT_EQ(g, gradient(f, x));
  }
}

TEST(Tape, IsfiniteAndMixedComparisonsAreRecorded) {
  const auto f = [](const auto* x) {
    auto r = x[0];
    if (isfinite(x[0]) && 0.5 <= x[0] && x[0] != 2.0 && !(x[0] == x[1]) && x[1] >= -1) r *= 3.0;
    return r;
  };
  Tape<> tape;
  tape.record(f, {1.0, 0.0});
  EXPECT_EQ(tape.num_comparisons(), 5u);
  EXPECT_DOUBLE_EQ(tape.replay({1.5, 0.0}), 4.5);
  EXPECT_THROW(tape.replay({0.25, 0.0}), BranchChanged);
}

// ---------------------------------------------------------------- memory and sizes

TEST(Tape, RecordsOneNodePerOperation) {
  Tape<> tape;
  tape.record([](const auto* x) { return x[0] * x[1] + sin(x[0]); }, {1.0, 2.0});
  const auto s = tape.statistics();
  EXPECT_EQ(s.operations, 5u);  // 2 inputs, mul, sin, add
  EXPECT_EQ(s.inputs, 2u);
  EXPECT_EQ(s.outputs, 1u);
  EXPECT_EQ(s.operands, 5u);  // mul 2, sin 1, add 2
  EXPECT_EQ(s.partials, 3u);  // mul 2, sin 1; add's (1, 1) are implied
  EXPECT_EQ(s.constants, 0u);
  tape.record([](const auto* x) { return 2.0 * x[0] + 1.0; }, {1.0});
  EXPECT_EQ(tape.num_operations(), 3u);  // input, mul_c, add_c
  EXPECT_EQ(tape.statistics().constants, 2u);
}

TEST(Tape, DixmaanjOperationCountIsLinearAndKnown) {
  // Per i (1-based, n = 3m): x_i^2, scaling, sum (3 n); the b term for i < n:
  // y^2, y + y^2, square, scaling, product, sum (6 (n-1)); the c term for
  // i <= 2m: z^2, z^4, scaling, product, sum (5 * 2m); the d term for i <= m:
  // scaling, product, sum (3 m); plus the n inputs: 43 m - 6 nodes.
  Tape<> tape;
  for (Index m : {1, 10, 1000}) {
    const Dixmaan p{m};
    tape.record(p, p.initial_guess());
    EXPECT_EQ(tape.num_operations(), std::size_t(43 * m - 6)) << "m = " << m;
  }
  // Storage is linear in the operations and kept: recording again allocates nothing.
  const Dixmaan p{1000};
  std::vector<double> g;
  gradient(tape, p, p.initial_guess(), g);
  const auto before = tape.statistics();
  EXPECT_LT(double(before.bytes) / double(before.operations), 100.0);
  gradient(tape, p, p.initial_guess(), g);
  const auto after = tape.statistics();
  EXPECT_EQ(after.reallocations, before.reallocations);
  EXPECT_EQ(after.bytes, before.bytes);
  // Growth is geometric: O(log ops) reallocations (4 streams, doubling from 1024).
  EXPECT_LE(before.reallocations, 40u);
}

// ---------------------------------------------------------------- threads

TEST(Tape, RecordingOnTwoThreadsAtOnceGivesCorrectGradients) {
  const Dixmaan p{2000};
  const auto composition = RandomComposition::make(6, 300, 5);
  std::vector<std::vector<double>> points, expected;
  for (unsigned s = 0; s < 2; ++s) {
    points.push_back(random_point(std::size_t(p.size()), 50 + s));
    expected.push_back(dixmaan_gradient(p, points.back()));
  }
  const auto xc = random_point(6, 9);
  const auto gc = fd_gradient(composition, xc);
  std::vector<int> failures(2, 0);
  auto work = [&](int t) {
    Tape<> tape;  // also nested: an unrelated tape is active on the other thread
    for (int rep = 0; rep < 20; ++rep) {
      std::vector<double> g;
      gradient(tape, p, points[std::size_t(t)], g);
      for (std::size_t j = 0; j < g.size(); ++j)
        if (!close(g[j], expected[std::size_t(t)][j], 1e-13)) ++failures[std::size_t(t)];
      const auto h = gradient(composition, xc);
      for (std::size_t j = 0; j < h.size(); ++j)
        if (!close(h[j], gc[j], 1e-6)) ++failures[std::size_t(t)];
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  EXPECT_EQ(failures[0], 0);
  EXPECT_EQ(failures[1], 0);
}

TEST(Tape, DriverCalledInsideARecordedFunctionUsesItsOwnTape) {
  // The inner gradient (on doubles) runs while the outer one records on the
  // thread's scratch tape: it must take another tape and restore the outer one.
  const auto f = [](const auto* x) {
    const double c = gradient(Rosenbrock{}, std::vector<double>{1.0, 2.0})[1];  // 200
    return c * x[0] * x[0];
  };
  for (int repeat = 0; repeat < 2; ++repeat) {
    std::vector<double> g;
    const double y = gradient(f, {3.0}, g);
    EXPECT_DOUBLE_EQ(y, 200.0 * 9.0);
    EXPECT_DOUBLE_EQ(g[0], 200.0 * 6.0);
  }
}

TEST(Tape, NestedRecordingsRestoreTheOuterTape) {
  Tape<> outer, inner;
  Recording<> outer_recording(outer);
  const auto x = outer.new_input(2.0);
  {
    Recording<> inner_recording(inner);
    const auto y = inner.new_input(3.0);
    inner.add_output(y * y);
  }
  outer.add_output(x * x * x);
  std::vector<double> g;
  inner.gradient(g);
  EXPECT_DOUBLE_EQ(g[0], 6.0);
}

// ---------------------------------------------------------------- Reverse over duals

TEST(Tape, RecordsOverDualValues) {
  // Reverse<Dual<double, 2>>: the gradient's lanes are directional second derivatives.
  using D = Dual<double, 2>;
  Tape<D> tape;
  std::vector<D> x = {D(0.5), D(-1.5)};
  x[0].d[0] = 1.0;  // lane 0 along e_0
  x[1].d[1] = 1.0;  // lane 1 along e_1
  const D y = tape.record(Mixed{}, {x[0], x[1], D(2.0)});
  EXPECT_DOUBLE_EQ(y.val, Mixed{}(std::vector<double>{0.5, -1.5, 2.0}.data()));
  std::vector<D> g;
  tape.gradient(g);
  // d/dx0 of grad: column 0 of the Hessian; lane 1 column 1.
  const double a = 0.5, b = -1.5, c = 2.0;
  EXPECT_TRUE(close(g[0].d[0], std::exp(a) / b - c * c * std::sin(a * c), 1e-14));  // H00
  EXPECT_TRUE(close(g[1].d[0], c - std::exp(a) / (b * b), 1e-14));                  // H10
  EXPECT_TRUE(close(g[0].d[1], c - std::exp(a) / (b * b), 1e-14));                  // H01
  EXPECT_TRUE(close(g[1].d[1], 2 * std::exp(a) / (b * b * b), 1e-14));              // H11
}

// ---------------------------------------------------------------- errors

TEST(Tape, ErrorsNameTheOffendingItem) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  try {
    gradient(Rosenbrock{}, {1.0, nan});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("x[1]"), std::string::npos) << e.what();
  }
  const VectorFunction f;
  EXPECT_THROW(vjp(f, 6, random_point(5, 1), {1.0, 2.0}), DimensionMismatch);
  try {
    vjp(f, 6, random_point(5, 1), {1.0, 2.0, 3.0, std::numeric_limits<double>::infinity(), 0, 0});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("w[3]"), std::string::npos) << e.what();
  }
  Tape<> tape;
  tape.record(Rosenbrock{}, {1.0, 2.0});
  EXPECT_THROW(tape.replay({1.0}), DimensionMismatch);
  std::vector<double> r;
  EXPECT_THROW(tape.reverse({1.0, 2.0}, r), DimensionMismatch);
  // An active value used after its recording ended.
  Reverse<> leaked;
  {
    Tape<> t;
    Recording<> recording(t);
    leaked = t.new_input(1.0);
  }
  EXPECT_THROW(sin(leaked), Error);
  EXPECT_THROW(tape.new_input(1.0), Error);  // not recording
  Tape<> empty;
  std::vector<double> g;
  EXPECT_THROW(empty.gradient(g), InvalidArgument);  // no output
}

TEST(Tape, ExceptionDuringRecordingLeavesTapeUnusable) {
  Tape<> tape;
  const auto throwing = [](const auto* x) -> std::decay_t<decltype(x[0])> {
    (void)x;
    throw std::runtime_error("user error");
  };
  EXPECT_THROW(tape.record(throwing, {1.0}), std::runtime_error);
  EXPECT_FALSE(tape.is_recorded());
  std::vector<double> g;
  EXPECT_THROW(tape.replay({1.0}), Error);
  // The thread is not left recording on the dead tape.
  Reverse<> constant = 2.0;
  EXPECT_NO_THROW(sin(constant));
}

}  // namespace
}  // namespace sparsediff
