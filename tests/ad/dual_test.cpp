// Tests of Dual<T, N>. References are independent of the code under test:
// derivatives written by hand from calculus (first and second), central
// finite differences of the plain-double evaluation, and the documented
// conventions at kinks. Every lane gets its own seed so that mixing lanes up
// would show.
#include "sparsediff/ad/dual.hpp"

#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "tests/common/execution_spaces.hpp"

namespace sparsediff {
namespace {

const double kLn2 = std::log(2.0);
const double kLn10 = std::log(10.0);
const double kSqrtPi = std::sqrt(std::acos(-1.0));
const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------- type properties

static_assert(std::is_trivially_copyable_v<Dual<double, 8>>);
static_assert(std::is_trivially_copyable_v<Dual<Dual<double, 2>, 3>>);
static_assert(std::is_standard_layout_v<Dual<double, 8>>);
static_assert(sizeof(Dual<double, 8>) == 9 * sizeof(double));
static_assert(sizeof(Dual<Dual<double, 2>, 3>) == 12 * sizeof(double));
static_assert(is_dual_v<Dual<float, 1>> && !is_dual_v<double> && !is_dual_v<int>);
static_assert(std::is_same_v<scalar_type_t<Dual<Dual<double, 2>, 4>>, double>);
static_assert(std::is_same_v<scalar_type_t<float>, float>);
static_assert(std::is_same_v<Dual<Dual<double, 2>, 4>::value_type, Dual<double, 2>>);
static_assert(Dual<double, 16>::lanes == 16);
static_assert(is_scalar_for_v<int, Dual<double, 2>> && is_scalar_for_v<double, Dual<double, 2>>);
static_assert(is_scalar_for_v<Dual<double, 2>, Dual<Dual<double, 2>, 3>>);
static_assert(is_scalar_for_v<double, Dual<Dual<double, 2>, 3>>);
static_assert(!is_scalar_for_v<Dual<double, 2>, Dual<double, 2>>);
static_assert(!is_scalar_for_v<Dual<double, 3>, Dual<Dual<double, 2>, 3>>);

/// |actual - expected| <= tol * max(1, |expected|); exact match for infinities.
::testing::AssertionResult close(double actual, double expected, double tol = 1e-12) {
  if (actual == expected) return ::testing::AssertionSuccess();
  if (std::abs(actual - expected) <= tol * std::max(1.0, std::abs(expected)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "actual " << actual << " vs expected " << expected << " (tol " << tol << ")";
}

/// Same bits (distinguishes -0 from +0 and compares NaNs).
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

/// The tangent seeded into lane k: distinct, signed, never zero.
double lane_seed(int k) { return (k % 2 ? -1.0 : 1.0) * (0.5 + 0.25 * k); }
/// A second family of seeds (for second arguments and inner lanes).
double other_seed(int k) { return 0.3 - 0.45 * k; }

// ---------------------------------------------------------------- the function table
// f as a generic lambda (it runs on double and on every dual type), then f'
// and f'' written out by hand, then sample points inside the domain.

template <class Visit>
void for_each_unary(Visit&& visit) {
  using V = std::vector<double>;
  // clang-format off
  visit("exp", [](auto x) { using std::exp; return exp(x); },
        [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }, V{-1.3, 0.2, 2.1});
  visit("exp2", [](auto x) { using std::exp2; return exp2(x); },
        [](double x) { return kLn2 * std::pow(2.0, x); },
        [](double x) { return kLn2 * kLn2 * std::pow(2.0, x); }, V{-1.3, 0.2, 2.1});
  visit("expm1", [](auto x) { using std::expm1; return expm1(x); },
        [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }, V{-1e-3, 0.2, 2.1});
  visit("log", [](auto x) { using std::log; return log(x); },
        [](double x) { return 1 / x; }, [](double x) { return -1 / (x * x); }, V{0.3, 1.7, 5.0});
  visit("log2", [](auto x) { using std::log2; return log2(x); },
        [](double x) { return 1 / (x * kLn2); }, [](double x) { return -1 / (x * x * kLn2); },
        V{0.3, 1.7, 5.0});
  visit("log10", [](auto x) { using std::log10; return log10(x); },
        [](double x) { return 1 / (x * kLn10); }, [](double x) { return -1 / (x * x * kLn10); },
        V{0.3, 1.7, 5.0});
  visit("log1p", [](auto x) { using std::log1p; return log1p(x); },
        [](double x) { return 1 / (1 + x); }, [](double x) { return -1 / ((1 + x) * (1 + x)); },
        V{-0.5, 1e-4, 3.0});
  visit("sqrt", [](auto x) { using std::sqrt; return sqrt(x); },
        [](double x) { return 0.5 / std::sqrt(x); }, [](double x) { return -0.25 * std::pow(x, -1.5); },
        V{0.3, 2.0, 9.0});
  visit("cbrt", [](auto x) { using std::cbrt; return cbrt(x); },
        [](double x) { return 1 / (3 * std::pow(std::cbrt(x), 2)); },
        [](double x) { return -2 / (9 * std::pow(std::cbrt(x), 5)); }, V{-2.5, 0.7, 8.0});
  visit("sin", [](auto x) { using std::sin; return sin(x); },
        [](double x) { return std::cos(x); }, [](double x) { return -std::sin(x); }, V{-1.1, 0.3, 2.0});
  visit("cos", [](auto x) { using std::cos; return cos(x); },
        [](double x) { return -std::sin(x); }, [](double x) { return -std::cos(x); }, V{-1.1, 0.3, 2.0});
  visit("tan", [](auto x) { using std::tan; return tan(x); },
        [](double x) { return 1 / (std::cos(x) * std::cos(x)); },
        [](double x) { return 2 * std::sin(x) / std::pow(std::cos(x), 3); }, V{-1.1, 0.3, 1.2});
  visit("asin", [](auto x) { using std::asin; return asin(x); },
        [](double x) { return 1 / std::sqrt(1 - x * x); },
        [](double x) { return x / std::pow(1 - x * x, 1.5); }, V{-0.7, 0.1, 0.9});
  visit("acos", [](auto x) { using std::acos; return acos(x); },
        [](double x) { return -1 / std::sqrt(1 - x * x); },
        [](double x) { return -x / std::pow(1 - x * x, 1.5); }, V{-0.7, 0.1, 0.9});
  visit("atan", [](auto x) { using std::atan; return atan(x); },
        [](double x) { return 1 / (1 + x * x); },
        [](double x) { return -2 * x / ((1 + x * x) * (1 + x * x)); }, V{-3.0, 0.1, 0.9});
  visit("sinh", [](auto x) { using std::sinh; return sinh(x); },
        [](double x) { return std::cosh(x); }, [](double x) { return std::sinh(x); }, V{-1.3, 0.2, 2.1});
  visit("cosh", [](auto x) { using std::cosh; return cosh(x); },
        [](double x) { return std::sinh(x); }, [](double x) { return std::cosh(x); }, V{-1.3, 0.2, 2.1});
  visit("tanh", [](auto x) { using std::tanh; return tanh(x); },
        [](double x) { return 1 / (std::cosh(x) * std::cosh(x)); },
        [](double x) { return -2 * std::sinh(x) / std::pow(std::cosh(x), 3); }, V{-1.3, 0.2, 2.1});
  visit("asinh", [](auto x) { using std::asinh; return asinh(x); },
        [](double x) { return 1 / std::sqrt(x * x + 1); },
        [](double x) { return -x / std::pow(x * x + 1, 1.5); }, V{-1.3, 0.2, 2.1});
  visit("acosh", [](auto x) { using std::acosh; return acosh(x); },
        [](double x) { return 1 / std::sqrt(x * x - 1); },
        [](double x) { return -x / std::pow(x * x - 1, 1.5); }, V{1.2, 2.0, 5.0});
  visit("atanh", [](auto x) { using std::atanh; return atanh(x); },
        [](double x) { return 1 / (1 - x * x); },
        [](double x) { return 2 * x / ((1 - x * x) * (1 - x * x)); }, V{-0.8, 0.2, 0.6});
  visit("erf", [](auto x) { using std::erf; return erf(x); },
        [](double x) { return 2 / kSqrtPi * std::exp(-x * x); },
        [](double x) { return -4 * x / kSqrtPi * std::exp(-x * x); }, V{-1.3, 0.2, 2.1});
  visit("erfc", [](auto x) { using std::erfc; return erfc(x); },
        [](double x) { return -2 / kSqrtPi * std::exp(-x * x); },
        [](double x) { return 4 * x / kSqrtPi * std::exp(-x * x); }, V{-1.3, 0.2, 2.1});
  visit("abs", [](auto x) { using std::abs; return abs(x); },
        [](double x) { return x > 0 ? 1.0 : -1.0; }, [](double) { return 0.0; }, V{-1.5, 2.0});
  visit("fabs", [](auto x) { using std::fabs; return fabs(x); },
        [](double x) { return x > 0 ? 1.0 : -1.0; }, [](double) { return 0.0; }, V{-1.5, 2.0});
  visit("floor", [](auto x) { using std::floor; return floor(x); },
        [](double) { return 0.0; }, [](double) { return 0.0; }, V{-1.3, 0.6, 2.5});
  visit("ceil", [](auto x) { using std::ceil; return ceil(x); },
        [](double) { return 0.0; }, [](double) { return 0.0; }, V{-1.3, 0.6, 2.5});
  visit("round", [](auto x) { using std::round; return round(x); },
        [](double) { return 0.0; }, [](double) { return 0.0; }, V{-1.3, 0.6, 2.5});
  visit("trunc", [](auto x) { using std::trunc; return trunc(x); },
        [](double) { return 0.0; }, [](double) { return 0.0; }, V{-1.3, 0.6, 2.5});
  // Arithmetic with constants on either side, int literals included.
  visit("-x", [](auto x) { return -x; },
        [](double) { return -1.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("+x", [](auto x) { return +x; },
        [](double) { return 1.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("x*x", [](auto x) { return x * x; },
        [](double x) { return 2 * x; }, [](double) { return 2.0; }, V{-1.3, 0.0, 2.0});
  visit("x*x*x", [](auto x) { return x * x * x; },
        [](double x) { return 3 * x * x; }, [](double x) { return 6 * x; }, V{-1.3, 0.0, 2.0});
  visit("2*x+1", [](auto x) { return 2 * x + 1; },
        [](double) { return 2.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("1-x*2.5", [](auto x) { return 1 - x * 2.5; },
        [](double) { return -2.5; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("x-3+x", [](auto x) { return x - 3 + x; },
        [](double) { return 2.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("x/3", [](auto x) { return x / 3; },
        [](double) { return 1.0 / 3; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("1/x", [](auto x) { return 1 / x; },
        [](double x) { return -1 / (x * x); }, [](double x) { return 2 / (x * x * x); }, V{-1.3, 0.4});
  visit("2.5/x", [](auto x) { return 2.5 / x; },
        [](double x) { return -2.5 / (x * x); }, [](double x) { return 5 / (x * x * x); }, V{-1.3, 0.4});
  visit("x/(1+x*x)", [](auto x) { return x / (1 + x * x); },
        [](double x) { return (1 - x * x) / std::pow(1 + x * x, 2); },
        [](double x) { return 2 * x * (x * x - 3) / std::pow(1 + x * x, 3); }, V{-1.3, 0.0, 0.4});
  visit("compound", [](auto x) { auto y = x; y *= x; y += 2; y -= x; y /= 4; y *= 3; y -= 1.5; return y; },
        [](double x) { return 0.75 * (2 * x - 1); }, [](double) { return 1.5; }, V{-1.3, 0.0, 2.0});
  visit("pow(x,3)", [](auto x) { using std::pow; return pow(x, 3); },
        [](double x) { return 3 * x * x; }, [](double x) { return 6 * x; }, V{-1.3, 0.0, 2.0});
  visit("pow(x,2.5)", [](auto x) { using std::pow; return pow(x, 2.5); },
        [](double x) { return 2.5 * std::pow(x, 1.5); }, [](double x) { return 3.75 * std::sqrt(x); },
        V{0.3, 2.0});
  visit("pow(x,-2)", [](auto x) { using std::pow; return pow(x, -2); },
        [](double x) { return -2 / (x * x * x); }, [](double x) { return 6 / std::pow(x, 4); },
        V{-1.3, 0.4});
  visit("pow(2,x)", [](auto x) { using std::pow; return pow(2.0, x); },
        [](double x) { return kLn2 * std::exp2(x); }, [](double x) { return kLn2 * kLn2 * std::exp2(x); },
        V{-1.3, 0.0, 2.0});
  visit("hypot(x,3)", [](auto x) { using std::hypot; return hypot(x, 3.0); },
        [](double x) { return x / std::sqrt(x * x + 9); },
        [](double x) { return 9 / std::pow(x * x + 9, 1.5); }, V{-1.3, 0.0, 2.0});
  visit("hypot(2,x)", [](auto x) { using std::hypot; return hypot(2.0, x); },
        [](double x) { return x / std::sqrt(x * x + 4); },
        [](double x) { return 4 / std::pow(x * x + 4, 1.5); }, V{-1.3, 0.0, 2.0});
  visit("atan2(x,2)", [](auto x) { using std::atan2; return atan2(x, 2.0); },
        [](double x) { return 2 / (x * x + 4); },
        [](double x) { return -4 * x / std::pow(x * x + 4, 2); }, V{-1.3, 0.0, 2.0});
  visit("atan2(1.5,x)", [](auto x) { using std::atan2; return atan2(1.5, x); },
        [](double x) { return -1.5 / (x * x + 2.25); },
        [](double x) { return 3 * x / std::pow(x * x + 2.25, 2); }, V{-1.3, 0.0, 2.0});
  visit("copysign(x,-1)", [](auto x) { using std::copysign; return copysign(x, -1.0); },
        [](double x) { return x > 0 ? -1.0 : 1.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("copysign(2,x)", [](auto x) { using std::copysign; return copysign(2.0, x); },
        [](double) { return 0.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("fmin(x,0.5)", [](auto x) { using std::fmin; return fmin(x, 0.5); },
        [](double x) { return x < 0.5 ? 1.0 : 0.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("fmax(0.5,x)", [](auto x) { using std::fmax; return fmax(0.5, x); },
        [](double x) { return x > 0.5 ? 1.0 : 0.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("min(x,x*x)", [](auto x) { using std::min; return min(x, x * x); },
        [](double x) { return x < x * x ? 1.0 : 2 * x; }, [](double x) { return x < x * x ? 0.0 : 2.0; },
        V{-1.3, 0.5, 2.0});
  visit("max(x,x*x)", [](auto x) { using std::max; return max(x, x * x); },
        [](double x) { return x < x * x ? 2 * x : 1.0; }, [](double x) { return x < x * x ? 2.0 : 0.0; },
        V{-1.3, 0.5, 2.0});
  visit("fma(x,x,2)", [](auto x) { using std::fma; return fma(x, x, 2.0); },
        [](double x) { return 2 * x; }, [](double) { return 2.0; }, V{-1.3, 0.0, 2.0});
  visit("fma(3,x,x)", [](auto x) { using std::fma; return fma(3, x, x); },
        [](double) { return 4.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("fma(2,1.5,x)", [](auto x) { using std::fma; return fma(2.0, 1.5, x); },
        [](double) { return 1.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  visit("fma(x,-2,1)", [](auto x) { using std::fma; return fma(x, -2, 1); },
        [](double) { return -2.0; }, [](double) { return 0.0; }, V{-1.3, 2.0});
  // clang-format on
}

// ---------------------------------------------------------------- flat duals: N lanes

template <class D>
class DualFlat : public ::testing::Test {};
using FlatTypes =
    ::testing::Types<Dual<double, 1>, Dual<double, 4>, Dual<double, 8>, Dual<double, 16>>;
TYPED_TEST_SUITE(DualFlat, FlatTypes);

template <class D>
D seeded(double x0) {
  D x(x0);
  for (int k = 0; k < D::lanes; ++k) x.d[k] = lane_seed(k);
  return x;
}

TYPED_TEST(DualFlat, ConstructorsAndAccessors) {
  using D = TypeParam;
  constexpr int n = D::lanes;
  D z;
  EXPECT_EQ(z.value(), 0.0);
  for (int k = 0; k < n; ++k) EXPECT_EQ(z.tangent(k), 0.0);
  D c(2.5);
  D ci = 3;  // implicit from an int literal
  EXPECT_EQ(c.val, 2.5);
  EXPECT_EQ(ci.val, 3.0);
  for (int k = 0; k < n; ++k) EXPECT_EQ(c.d[k] + ci.d[k], 0.0);
  for (int j = 0; j < n; ++j) {
    D v = D::variable(1.25, j);
    EXPECT_EQ(v.value(), 1.25);
    for (int k = 0; k < n; ++k) EXPECT_EQ(v.tangent(k), k == j ? 1.0 : 0.0);
  }
  D w;
  w.value() = 4;
  w.tangent(n - 1) = 7;
  EXPECT_EQ(w.d[n - 1], 7.0);
  EXPECT_EQ(scalar_value(w), 4.0);
  EXPECT_EQ(scalar_value(3.5), 3.5);
}

TYPED_TEST(DualFlat, EveryFunctionMatchesAnalyticDerivativeInEachLane) {
  using D = TypeParam;
  for_each_unary([](const char* name, auto f, auto d1, auto, const std::vector<double>& points) {
    for (double x0 : points) {
      const D r = f(seeded<D>(x0));
      // The value is exactly what the plain-double code computes.
      EXPECT_TRUE(same_bits(r.val, f(x0))) << name << " at " << x0 << ": " << r.val;
      for (int k = 0; k < D::lanes; ++k)
        EXPECT_TRUE(close(r.d[k], d1(x0) * lane_seed(k))) << name << " at " << x0 << " lane " << k;
    }
  });
}

/// Partial derivatives of f(x, y) written by hand.
template <class Visit>
void for_each_binary(Visit&& visit) {
  using P = std::vector<std::pair<double, double>>;
  const P points{{1.3, 0.7}, {0.4, 2.1}, {2.2, -1.5}, {0.9, -0.2}};
  // clang-format off
  visit("x+y", [](auto x, auto y) { return x + y; },
        [](double, double) { return 1.0; }, [](double, double) { return 1.0; }, points);
  visit("x-y", [](auto x, auto y) { return x - y; },
        [](double, double) { return 1.0; }, [](double, double) { return -1.0; }, points);
  visit("x*y", [](auto x, auto y) { return x * y; },
        [](double, double y) { return y; }, [](double x, double) { return x; }, points);
  visit("x/y", [](auto x, auto y) { return x / y; },
        [](double, double y) { return 1 / y; }, [](double x, double y) { return -x / (y * y); }, points);
  visit("pow(x,y)", [](auto x, auto y) { using std::pow; return pow(x, y); },
        [](double x, double y) { return y * std::pow(x, y - 1); },
        [](double x, double y) { return std::pow(x, y) * std::log(x); }, points);
  visit("hypot", [](auto x, auto y) { using std::hypot; return hypot(x, y); },
        [](double x, double y) { return x / std::sqrt(x * x + y * y); },
        [](double x, double y) { return y / std::sqrt(x * x + y * y); }, points);
  visit("atan2", [](auto x, auto y) { using std::atan2; return atan2(x, y); },
        [](double x, double y) { return y / (x * x + y * y); },
        [](double x, double y) { return -x / (x * x + y * y); }, points);
  visit("fmin", [](auto x, auto y) { using std::fmin; return fmin(x, y); },
        [](double x, double y) { return x <= y ? 1.0 : 0.0; },
        [](double x, double y) { return x <= y ? 0.0 : 1.0; }, points);
  visit("fmax", [](auto x, auto y) { using std::fmax; return fmax(x, y); },
        [](double x, double y) { return x >= y ? 1.0 : 0.0; },
        [](double x, double y) { return x >= y ? 0.0 : 1.0; }, points);
  visit("min", [](auto x, auto y) { using std::min; return min(x, y); },
        [](double x, double y) { return x <= y ? 1.0 : 0.0; },
        [](double x, double y) { return x <= y ? 0.0 : 1.0; }, points);
  visit("max", [](auto x, auto y) { using std::max; return max(x, y); },
        [](double x, double y) { return x >= y ? 1.0 : 0.0; },
        [](double x, double y) { return x >= y ? 0.0 : 1.0; }, points);
  visit("copysign", [](auto x, auto y) { using std::copysign; return copysign(x, y); },
        [](double x, double y) { return (x > 0) == (y > 0) ? 1.0 : -1.0; },
        [](double, double) { return 0.0; }, points);
  visit("fma(x,y,x)", [](auto x, auto y) { using std::fma; return fma(x, y, x); },
        [](double, double y) { return y + 1; }, [](double x, double) { return x; }, points);
  visit("fma(y,2,x)", [](auto x, auto y) { using std::fma; return fma(y, 2, x); },
        [](double, double) { return 1.0; }, [](double, double) { return 2.0; }, points);
  visit("compound", [](auto x, auto y) { auto z = x; z *= y; z /= y + 1.0; z -= y; z += x; return z; },
        [](double, double y) { return y / (y + 1) + 1; },
        [](double x, double y) { return x / ((y + 1) * (y + 1)) - 1; }, points);
  // clang-format on
}

TYPED_TEST(DualFlat, BinaryFunctionsCombineBothArgumentsLanes) {
  using D = TypeParam;
  for_each_binary([](const char* name, auto f, auto fx, auto fy, const auto& points) {
    for (auto [x0, y0] : points) {
      if (std::string(name) == "pow(x,y)" && x0 <= 0) continue;
      D x = seeded<D>(x0), y(y0);
      for (int k = 0; k < D::lanes; ++k) y.d[k] = other_seed(k);
      const D r = f(x, y);
      EXPECT_TRUE(same_bits(r.val, f(x0, y0))) << name;
      for (int k = 0; k < D::lanes; ++k)
        EXPECT_TRUE(close(r.d[k], fx(x0, y0) * lane_seed(k) + fy(x0, y0) * other_seed(k)))
            << name << " at (" << x0 << ", " << y0 << ") lane " << k;
    }
  });
}

TYPED_TEST(DualFlat, ComparisonsLookAtTheValueOnly) {
  using D = TypeParam;
  const D a = D::variable(1.0, 0), b(2.0), a2(1.0);
  EXPECT_TRUE(a == a2);  // equal values, different lanes
  EXPECT_FALSE(a != a2);
  EXPECT_TRUE(a < b && a <= b && b > a && b >= a && a <= a2 && a >= a2);
  EXPECT_FALSE(a > b || a >= b || b < a || b <= a);
  EXPECT_TRUE(a == 1 && 1 == a && a != 2 && 2.0 != a);
  EXPECT_TRUE(a < 2 && 0.5 < a && a <= 1 && 1 <= a && a > 0 && 3 > a && a >= 1.0 && 1.0 >= a);
  EXPECT_FALSE(a < 1 || 1 < a || a > 1 || 1 > a);
}

TYPED_TEST(DualFlat, SelfAliasingCompoundAssignment) {
  using D = TypeParam;
  D x = seeded<D>(3.0);
  const D& same_x = x;  // the right operand is the left one
  x *= same_x;          // x^2: 2 * 3 * t
  EXPECT_EQ(x.val, 9.0);
  for (int k = 0; k < D::lanes; ++k) EXPECT_TRUE(close(x.d[k], 6 * lane_seed(k)));
  x /= same_x;  // 1, zero lanes
  EXPECT_EQ(x.val, 1.0);
  for (int k = 0; k < D::lanes; ++k) EXPECT_EQ(x.d[k], 0.0);
  D y = seeded<D>(3.0);
  const D& same_y = y;
  y += same_y;
  y -= 0.5 * y;  // back to y
  for (int k = 0; k < D::lanes; ++k) EXPECT_TRUE(close(y.d[k], lane_seed(k)));
}

TYPED_TEST(DualFlat, ClassificationAndStream) {
  using D = TypeParam;
  EXPECT_TRUE(isfinite(D(1.0)));
  EXPECT_FALSE(isfinite(D(kInf)) || isfinite(D(kNaN)));
  EXPECT_TRUE(isinf(D(-kInf)) && !isinf(D(kNaN)));
  EXPECT_TRUE(isnan(D(kNaN)) && !isnan(D(kInf)));
  D x(1.0);
  x.d[0] = kNaN;  // lanes are not inspected
  EXPECT_TRUE(isfinite(x) && !isnan(x));
  std::ostringstream os;
  os << D::variable(1.5, 0);
  std::string expected = "(1.5; 1";
  for (int k = 1; k < D::lanes; ++k) expected += ", 0";
  EXPECT_EQ(os.str(), expected + ")");
}

// ---------------------------------------------------------------- compositions vs finite
// differences

struct Op {
  int code;
  int a, b;
};
constexpr int kUnaryOps = 26, kBinaryOps = 9;

// Each operation is smooth on all of R (arguments are mapped into the domain),
// so random programs on random inputs stay differentiable.
template <class T>
T apply(const Op& op, const T& a, const T& b) {
  using std::acos, std::acosh, std::asin, std::asinh, std::atan, std::atan2, std::atanh, std::cbrt,
      std::cos, std::cosh, std::erf, std::erfc, std::exp, std::exp2, std::expm1, std::fma,
      std::hypot, std::log, std::log10, std::log1p, std::log2, std::pow, std::sin, std::sinh,
      std::sqrt, std::tan, std::tanh;
  switch (op.code) {
    case 0:
      return sin(a);
    case 1:
      return cos(a);
    case 2:
      return atan(a);
    case 3:
      return tanh(a);
    case 4:
      return erf(a);
    case 5:
      return erfc(a);
    case 6:
      return asinh(a);
    case 7:
      return exp(0.5 * sin(a));
    case 8:
      return log(1 + a * a);
    case 9:
      return log1p(a * a);
    case 10:
      return sqrt(1.0 + a * a);
    case 11:
      return cbrt(2 + sin(a));
    case 12:
      return pow(1.5 + cos(a), 2.5);
    case 13:
      return acosh(2 + a * a);
    case 14:
      return atanh(0.5 * tanh(a));
    case 15:
      return asin(0.9 * sin(a));
    case 16:
      return acos(0.9 * cos(a));
    case 17:
      return exp2(cos(a));
    case 18:
      return expm1(sin(a));
    case 19:
      return log2(3 + cos(a));
    case 20:
      return log10(3 + sin(a));
    case 21:
      return tan(0.5 * tanh(a));
    case 22:
      return cosh(tanh(a)) + sinh(0.3 * a);
    case 23:
      return pow(a, 3) - 2 * a / 3;
    case 24:
      return 1 / (2 + sin(a));
    case 25:
      return pow(1.7, sin(a));
    // binary
    case 26:
      return a * b;
    case 27:
      return a + b;
    case 28:
      return a - b;
    case 29:
      return a / (2 + cos(b));
    case 30:
      return hypot(a, 1 + b * b);
    case 31:
      return atan2(a, 2 + sin(b));
    case 32:
      return pow(2 + sin(a), cos(b));
    case 33:
      return fma(a, b, a);
    default:
      return 2 * a - b / 3;
  }
}

template <class T>
T run_program(const std::vector<Op>& program, std::vector<T> reg) {
  for (const Op& op : program) reg.push_back(apply(op, reg[op.a], reg[op.b]));
  return reg.back();
}

TEST(DualComposition, RandomExpressionsMatchCentralDifferences) {
  // Tolerance: h = 1e-6 * max(1, |x|), central differences, and
  // |ad - fd| <= 1e-7 * (1 + |ad| + |f|): truncation O(h^2 f''') plus
  // rounding O(eps |f| / h) stay well below it for these bounded programs.
  std::mt19937 rng(20240611);
  std::uniform_real_distribution<double> input(-2.0, 2.0);
  constexpr int n = 4;
  using D = Dual<double, n>;
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<Op> program;
    const int length = 4 + int(rng() % 12);
    for (int i = 0; i < length; ++i) {
      const int regs = n + i;
      // Prefer recent registers so that programs nest deeply.
      auto pick = [&] {
        return rng() % 2 ? regs - 1 - int(rng() % std::min(regs, 3)) : int(rng() % regs);
      };
      program.push_back({int(rng() % (kUnaryOps + kBinaryOps)), pick(), pick()});
    }
    std::vector<double> x(n);
    for (double& v : x) v = input(rng);
    std::vector<D> xd(n);
    for (int j = 0; j < n; ++j) xd[j] = D::variable(x[j], j);
    const D r = run_program(program, xd);
    const double f = run_program(program, x);
    ASSERT_TRUE(same_bits(r.val, f)) << "trial " << trial;
    for (int j = 0; j < n; ++j) {
      const double h = 1e-6 * std::max(1.0, std::abs(x[j]));
      auto xp = x, xm = x;
      xp[j] += h;
      xm[j] -= h;
      const double fd = (run_program(program, xp) - run_program(program, xm)) / (2 * h);
      EXPECT_LE(std::abs(r.d[j] - fd), 1e-7 * (1 + std::abs(r.d[j]) + std::abs(f)))
          << "trial " << trial << " input " << j << ": ad " << r.d[j] << " fd " << fd;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 300 * n);
}

// ---------------------------------------------------------------- nesting: second derivatives

template <class D>
class DualNested : public ::testing::Test {};
using NestedTypes =
    ::testing::Types<Dual<Dual<double, 2>, 2>, Dual<Dual<double, 1>, 4>, Dual<Dual<double, 3>, 1>>;
TYPED_TEST_SUITE(DualNested, NestedTypes);

TYPED_TEST(DualNested, EveryFunctionPropagatesSecondDerivatives) {
  // x = (x0 + sum_j s_j e_j) + sum_k (t_k + sum_j u_kj e_j) E_k, so
  //   f(x).val.d[j]  = f' s_j
  //   f(x).d[k].val  = f' t_k
  //   f(x).d[k].d[j] = f'' s_j t_k + f' u_kj.
  using D = TypeParam;
  using I = typename D::value_type;
  constexpr int n = D::lanes, m = I::lanes;
  auto u = [](int k, int j) { return 0.01 * (k + 1) * (j + 2); };
  for_each_unary([&](const char* name, auto f, auto d1, auto d2,
                     const std::vector<double>& points) {
    for (double x0 : points) {
      D x;
      x.val = I(x0);
      for (int j = 0; j < m; ++j) x.val.d[j] = other_seed(j);
      for (int k = 0; k < n; ++k) {
        x.d[k] = I(lane_seed(k));
        for (int j = 0; j < m; ++j) x.d[k].d[j] = u(k, j);
      }
      const D r = f(x);
      const double f1 = d1(x0), f2 = d2(x0);
      EXPECT_TRUE(same_bits(scalar_value(r), f(x0))) << name;
      for (int j = 0; j < m; ++j)
        EXPECT_TRUE(close(r.val.d[j], f1 * other_seed(j)))
            << name << " at " << x0 << " inner " << j;
      for (int k = 0; k < n; ++k) {
        EXPECT_TRUE(close(r.d[k].val, f1 * lane_seed(k))) << name << " at " << x0 << " lane " << k;
        for (int j = 0; j < m; ++j)
          EXPECT_TRUE(close(r.d[k].d[j], f2 * other_seed(j) * lane_seed(k) + f1 * u(k, j)))
              << name << " at " << x0 << " lane " << k << " inner " << j;
      }
    }
  });
}

/// f(x, y) with its gradient and Hessian written by hand.
struct HessianCase {
  const char* name;
  double x, y;
  double g[2];
  double h[2][2];
};

template <class F>
void check_hessian(F f, const HessianCase& c) {
  using I = Dual<double, 2>;
  using D = Dual<I, 2>;
  // Both levels seeded with the same directions: outer lane k and inner lane j
  // of the result are d/dx_k and d/dx_j, so r.d[k].d[j] is H_kj.
  const D x = D::variable(I::variable(c.x, 0), 0);
  const D y = D::variable(I::variable(c.y, 1), 1);
  const D r = f(x, y);
  EXPECT_TRUE(same_bits(scalar_value(r), f(c.x, c.y))) << c.name;
  for (int k = 0; k < 2; ++k) {
    EXPECT_TRUE(close(r.val.d[k], c.g[k])) << c.name << " gradient (inner) " << k;
    EXPECT_TRUE(close(r.d[k].val, c.g[k])) << c.name << " gradient (outer) " << k;
    for (int j = 0; j < 2; ++j)
      EXPECT_TRUE(close(r.d[k].d[j], c.h[k][j])) << c.name << " H(" << k << "," << j << ")";
  }
  // Hessian-vector product with one inner lane: r.d[k].d[0] = (H v)_k.
  using Hv = Dual<Dual<double, 1>, 2>;
  const double v[2] = {0.7, -1.9};
  Hv xv = Hv::variable(Dual<double, 1>(c.x), 0), yv = Hv::variable(Dual<double, 1>(c.y), 1);
  xv.val.d[0] = v[0];
  yv.val.d[0] = v[1];
  const Hv rv = f(xv, yv);
  for (int k = 0; k < 2; ++k)
    EXPECT_TRUE(close(rv.d[k].d[0], c.h[k][0] * v[0] + c.h[k][1] * v[1])) << c.name << " Hv " << k;
}

TEST(DualHessian, NestedDualsGiveAnalyticHessians) {
  {
    const double x = 1.3, y = -0.8;
    check_hessian([](auto a, auto b) { return a * a * b * b * b; },
                  {"x^2 y^3",
                   x,
                   y,
                   {2 * x * y * y * y, 3 * x * x * y * y},
                   {{2 * y * y * y, 6 * x * y * y}, {6 * x * y * y, 6 * x * x * y}}});
  }
  {
    const double x = 0.9, y = 1.7, s = std::sin(x * y), c = std::cos(x * y);
    check_hessian(
        [](auto a, auto b) {
          using std::sin;
          return sin(a * b);
        },
        {"sin(xy)",
         x,
         y,
         {y * c, x * c},
         {{-y * y * s, c - x * y * s}, {c - x * y * s, -x * x * s}}});
  }
  {
    const double x = 1.6, y = 2.3, p = std::pow(x, y), l = std::log(x);
    check_hessian(
        [](auto a, auto b) {
          using std::pow;
          return pow(a, b);
        },
        {"x^y",
         x,
         y,
         {y * std::pow(x, y - 1), p * l},
         {{y * (y - 1) * std::pow(x, y - 2), std::pow(x, y - 1) * (1 + y * l)},
          {std::pow(x, y - 1) * (1 + y * l), p * l * l}}});
  }
  {
    const double x = -0.6, y = 1.1, r2 = x * x + y * y, r4 = r2 * r2;
    check_hessian(
        [](auto a, auto b) {
          using std::atan2;
          return atan2(b, a);
        },
        {"atan2(y,x)",
         x,
         y,
         {-y / r2, x / r2},
         {{2 * x * y / r4, (y * y - x * x) / r4}, {(y * y - x * x) / r4, -2 * x * y / r4}}});
  }
  {
    const double x = 1.2, y = -2.1, h = std::hypot(x, y), h3 = h * h * h;
    check_hessian(
        [](auto a, auto b) {
          using std::hypot;
          return hypot(a, b);
        },
        {"hypot", x, y, {x / h, y / h}, {{y * y / h3, -x * y / h3}, {-x * y / h3, x * x / h3}}});
  }
  {
    const double x = 1.4, y = 0.6;
    check_hessian([](auto a, auto b) { return a / b; },
                  {"x/y",
                   x,
                   y,
                   {1 / y, -x / (y * y)},
                   {{0, -1 / (y * y)}, {-1 / (y * y), 2 * x / (y * y * y)}}});
  }
  {
    const double x = 0.5, y = 2.5, e = std::exp(x), l = std::log(y);
    check_hessian(
        [](auto a, auto b) {
          using std::exp;
          using std::log;
          return exp(a) * log(b);
        },
        {"exp(x)log(y)", x, y, {e * l, e / y}, {{e * l, e / y}, {e / y, -e / (y * y)}}});
  }
  {
    // Squares at 0: pow(x, 2) is exact there, including its second derivative.
    check_hessian(
        [](auto a, auto b) {
          using std::pow;
          return pow(a, 2) + 3 * pow(b, 1) * a;
        },
        {"x^2+3xy at 0", 0.0, 0.0, {0, 0}, {{2, 3}, {3, 0}}});
  }
}

// ---------------------------------------------------------------- kinks and domain edges

using D4 = Dual<double, 4>;

/// Lanes 0 and 2 move (with signs +, -), lanes 1 and 3 are exactly zero.
D4 half_seeded(double x0) {
  D4 x(x0);
  x.d[0] = 2.0;
  x.d[2] = -3.0;
  return x;
}

TEST(DualConventions, AbsHasZeroDerivativeAtZero) {
  for (double zero : {0.0, -0.0}) {
    const D4 r = abs(half_seeded(zero));
    EXPECT_EQ(r.val, 0.0);
    for (int k = 0; k < 4; ++k) EXPECT_TRUE(same_bits(r.d[k], 0.0) || same_bits(r.d[k], -0.0));
    EXPECT_EQ(fabs(half_seeded(zero)).d[0], 0.0);
    // copysign(x, +1) is abs(x), at 0 as well; the sign argument has no derivative.
    EXPECT_EQ(copysign(half_seeded(zero), 1.0).d[0], 0.0);
    EXPECT_EQ(copysign(half_seeded(zero), half_seeded(-1.0)).d[2], 0.0);
  }
  EXPECT_EQ(abs(half_seeded(-2.0)).d[0], -2.0);
  EXPECT_EQ(copysign(half_seeded(-2.0), half_seeded(3.0)).d[2], 3.0);
}

TEST(DualConventions, InfiniteDerivativesLeaveZeroLanesZero) {
  // f'(v) infinite: moving lanes get inf with the sign of f' * t, still lanes stay 0.
  auto expect_singular = [](const D4& r, double sign_of_df, const char* what) {
    EXPECT_EQ(r.d[0], sign_of_df * kInf) << what;
    EXPECT_EQ(r.d[2], -sign_of_df * kInf) << what;
    EXPECT_EQ(r.d[1], 0.0) << what;
    EXPECT_EQ(r.d[3], 0.0) << what;
  };
  expect_singular(sqrt(half_seeded(0.0)), 1, "sqrt(0)");
  expect_singular(cbrt(half_seeded(0.0)), 1, "cbrt(0)");
  expect_singular(pow(half_seeded(0.0), 0.5), 1, "pow(0, 0.5)");
  expect_singular(pow(half_seeded(0.0), 1.0 / 3), 1, "pow(0, 1/3)");
  expect_singular(log(half_seeded(0.0)), 1, "log(0)");
  expect_singular(asin(half_seeded(1.0)), 1, "asin(1)");
  expect_singular(acos(half_seeded(1.0)), -1, "acos(1)");
  expect_singular(atanh(half_seeded(-1.0)), 1, "atanh(-1)");
  expect_singular(acosh(half_seeded(1.0)), 1, "acosh(1)");
  expect_singular(1.0 / half_seeded(0.0), -1, "1/0");
  EXPECT_EQ(sqrt(half_seeded(0.0)).val, 0.0);
  EXPECT_EQ(log(half_seeded(0.0)).val, -kInf);
  // Overflow of the local derivative behaves the same way.
  const D4 e = exp(half_seeded(1000.0));
  EXPECT_EQ(e.val, kInf);
  EXPECT_EQ(e.d[1], 0.0);
  EXPECT_EQ(e.d[0], kInf);
  // Outside the domain: NaN in moving lanes only.
  const D4 s = sqrt(half_seeded(-1.0));
  EXPECT_TRUE(std::isnan(s.val) && std::isnan(s.d[0]) && std::isnan(s.d[2]));
  EXPECT_EQ(s.d[1], 0.0);
  EXPECT_EQ(s.d[3], 0.0);
  // In a sum, a singular variable does not poison the others' lanes.
  D4 a = D4::variable(0.0, 0), b = D4::variable(2.0, 1);
  const D4 sum = sqrt(a) + b * b;
  EXPECT_EQ(sum.d[0], kInf);
  EXPECT_EQ(sum.d[1], 4.0);
}

TEST(DualConventions, NestedLanesStayZeroOnlyWhenEntirelyZero) {
  // A lane counts as zero when its value and all its inner lanes are zero.
  using I = Dual<double, 2>;
  using D = Dual<I, 3>;
  D x(I::variable(0.0, 0));
  x.d[0] = I(1.0);    // moves: d/dx_0
  x.d[2].d[1] = 1.0;  // value 0 but a nonzero inner lane: it moves at second order
  const D r = sqrt(x);
  EXPECT_EQ(r.d[0].val, kInf);
  for (int j = 0; j < 2; ++j) EXPECT_EQ(r.d[1].d[j], 0.0);
  EXPECT_EQ(r.d[1].val, 0.0);
  EXPECT_FALSE(std::isfinite(r.d[2].d[1]));  // not silently zeroed
  EXPECT_EQ(r.val.d[1], 0.0);                // the inner lane that does not move
}

TEST(DualConventions, IntegerPowersAreExactAtZero) {
  const D4 x = half_seeded(0.0);
  const D4 p0 = pow(x, 0), p1 = pow(x, 1), p2 = pow(x, 2), p3 = pow(x, 3);
  EXPECT_EQ(p0.val, 1.0);
  EXPECT_EQ(p1.val, 0.0);
  EXPECT_EQ(p2.val, 0.0);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(p0.d[k], 0.0);
    EXPECT_EQ(p1.d[k], x.d[k]);
    EXPECT_EQ(p2.d[k], 0.0);
    EXPECT_EQ(p3.d[k], 0.0);
  }
  EXPECT_EQ(pow(x, 0.0).d[0], 0.0);
  EXPECT_EQ(pow(x, 1.0).d[0], 2.0);
  EXPECT_EQ(pow(x, 2.0).d[0], 0.0);
  // x^0 has a zero derivative even where x^(0-1) is infinite or x is NaN.
  EXPECT_EQ(pow(half_seeded(kNaN), 0).val, 1.0);
  EXPECT_EQ(pow(half_seeded(kNaN), 0).d[0], 0.0);
  // Dual exponent: x^y at x = 0.
  D4 y = D4::variable(2.0, 1);
  const D4 z = pow(D4::variable(0.0, 0), y);
  EXPECT_EQ(z.val, 0.0);
  EXPECT_EQ(z.d[0], 0.0);  // 2 * 0^1
  EXPECT_EQ(z.d[1], 0.0);  // 0^2 log(0) := 0
  const D4 z1 = pow(D4::variable(0.0, 0), D4::variable(1.0, 1));
  EXPECT_EQ(z1.d[0], 1.0);
  EXPECT_EQ(z1.d[1], 0.0);
  // Constant base 0: d/dy 0^y = 0 for y > 0.
  EXPECT_EQ(pow(0.0, D4::variable(1.5, 0)).d[0], 0.0);
  // Negative base with an integer exponent: exact in x; the exponent's lanes
  // do not move, so its NaN derivative does not show.
  const D4 n = pow(D4::variable(-2.0, 0), D4(3.0));
  EXPECT_EQ(n.val, -8.0);
  EXPECT_EQ(n.d[0], 12.0);
  for (int k = 1; k < 4; ++k) EXPECT_EQ(n.d[k], 0.0);
  EXPECT_EQ(pow(D4::variable(-2.0, 0), 3).d[0], 12.0);
}

TEST(DualConventions, TiesSelectTheFirstArgument) {
  const D4 a = D4::variable(1.0, 0), b = D4::variable(1.0, 1);
  for (const D4& r : {fmin(a, b), fmax(a, b), min(a, b), max(a, b)}) {
    EXPECT_EQ(r.d[0], 1.0);
    EXPECT_EQ(r.d[1], 0.0);
  }
  for (const D4& r : {fmin(b, a), fmax(b, a), min(b, a), max(b, a)}) {
    EXPECT_EQ(r.d[0], 0.0);
    EXPECT_EQ(r.d[1], 1.0);
  }
  // With a constant: the dual wins a tie when it is first, the constant when it is.
  EXPECT_EQ(fmin(a, 1.0).d[0], 1.0);
  EXPECT_EQ(fmin(1.0, a).d[0], 0.0);
  EXPECT_EQ(max(a, 1).d[0], 1.0);
  EXPECT_EQ(max(1, a).d[0], 0.0);
  // fmin/fmax skip NaN like <cmath>.
  const D4 nan(kNaN);
  EXPECT_EQ(fmin(nan, a).d[0], 1.0);
  EXPECT_EQ(fmin(a, nan).d[0], 1.0);
  EXPECT_EQ(fmax(nan, b).d[1], 1.0);
  EXPECT_EQ(fmax(b, nan).d[1], 1.0);
}

TEST(DualConventions, HypotAndAtan2AtTheOrigin) {
  const D4 h = hypot(half_seeded(0.0), half_seeded(0.0));
  EXPECT_EQ(h.val, 0.0);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(h.d[k], 0.0);
  EXPECT_EQ(hypot(half_seeded(0.0), 0.0).d[0], 0.0);
  const D4 t = atan2(D4::variable(0.0, 0), D4::variable(0.0, 1));
  EXPECT_TRUE(std::isnan(t.d[0]) && std::isnan(t.d[1]));
  EXPECT_EQ(t.d[2], 0.0);
}

TEST(DualConventions, RoundingFunctionsHaveExactlyZeroLanes) {
  D4 x(2.5);
  x.d[0] = kInf;
  x.d[1] = kNaN;
  for (const D4& r : {floor(x), ceil(x), round(x), trunc(x)})
    for (int k = 0; k < 4; ++k) EXPECT_TRUE(same_bits(r.d[k], 0.0));
  EXPECT_EQ(round(x).val, 3.0);
  EXPECT_EQ(trunc(-x).val, -2.0);
}

// ---------------------------------------------------------------- float lanes

TEST(DualFloat, FloatLanesMatchAnalyticDerivatives) {
  using F = Dual<float, 4>;
  F x = F::variable(0.7f, 0), y = F::variable(1.9f, 3);
  const F r = exp(x) * sin(y) + pow(x, 2) / 3 + 2 * y;
  EXPECT_FLOAT_EQ(r.d[0], std::exp(0.7f) * std::sin(1.9f) + 2 * 0.7f / 3);
  EXPECT_FLOAT_EQ(r.d[3], std::exp(0.7f) * std::cos(1.9f) + 2);
  EXPECT_EQ(r.d[1], 0.0f);
  const F q = sqrt(x) / (1.0 + y);  // double constants mix with float lanes
  EXPECT_FLOAT_EQ(q.d[0], 0.5f / std::sqrt(0.7f) / 2.9f);
  EXPECT_FLOAT_EQ(q.d[3], -std::sqrt(0.7f) / (2.9f * 2.9f));
}

// ---------------------------------------------------------------- inside Kokkos kernels

using KD = Dual<double, 8>;

/// A residual-like expression touching many functions; the same template runs
/// in the kernel and on the host.
template <class T>
KOKKOS_INLINE_FUNCTION T kernel_expression(const T& a, const T& b) {
  using std::atan2, std::cbrt, std::erf, std::exp, std::fmax, std::hypot, std::log1p, std::pow,
      std::sin, std::sqrt, std::tanh;
  T r = exp(0.5 * sin(a)) * b - pow(a, 3) / 7 + log1p(b * b);
  r += sqrt(1 + a * a) * tanh(b) - atan2(a, 2 + b * b) + hypot(a, b) * erf(a - b);
  r *= cbrt(3 + sin(b));
  return fmax(r, -1e3) + pow(1.5 + 0.5 * sin(a), b);
}

template <class ExecutionSpace>
struct EvaluateKernel {
  Kokkos::View<const KD*, Kokkos::HostSpace> x;
  Kokkos::View<KD*, Kokkos::HostSpace> y;
  KOKKOS_INLINE_FUNCTION void operator()(int i) const {
    const int n = int(x.extent(0));
    y(i) = kernel_expression(x(i), x((i + 1) % n));
  }
};

template <class ExecutionSpace>
class DualKokkos : public ::testing::Test {};
TYPED_TEST_SUITE(DualKokkos, test::HostExecutionSpaces);

TYPED_TEST(DualKokkos, KernelResultsMatchHostBitwise) {
  using ExecutionSpace = TypeParam;
  const int n = 257;
  Kokkos::View<KD*, Kokkos::HostSpace> x("x", n), y("y", n);
  for (int i = 0; i < n; ++i) {
    x(i) = KD::variable(-2.0 + 4.0 * i / n, i % 8);
    x(i).d[(i + 3) % 8] = 0.25 * (i % 5);
  }
  Kokkos::parallel_for("dual_kernel", Kokkos::RangePolicy<ExecutionSpace>(0, n),
                       EvaluateKernel<ExecutionSpace>{x, y});
  Kokkos::fence();
  for (int i = 0; i < n; ++i) {
    const KD ref = kernel_expression(x(i), x((i + 1) % n));
    ASSERT_EQ(std::memcmp(&ref, &y(i), sizeof(KD)), 0) << "entry " << i;
    ASSERT_TRUE(isfinite(ref));
  }
  // And the lanes are right: lane (i % 8) of y(i) against a central difference.
  const int i = 100;
  const double h = 1e-6;
  auto f = [&](double dx) { return kernel_expression(x(i).val + dx, x(i + 1).val); };
  const double fd = (f(h) - f(-h)) / (2 * h);
  // Lane i % 8 of y(i) mixes d/da (seed 1) and, if (i + 1) % 8 or (i + 4) % 8
  // coincide, other seeds; lane i % 8 = 4 for i = 100 gets only d/da.
  EXPECT_LE(std::abs(y(i).d[i % 8] - fd), 1e-7 * (1 + std::abs(fd)));
}

}  // namespace
}  // namespace sparsediff
