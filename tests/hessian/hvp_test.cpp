// Tests of Hessian-vector products (hvp, HvpOperator). References are
// independent of the code under test: an analytic Hessian, and central
// differences of the gradient along v, (∇f(x + h v) - ∇f(x - h v)) / 2h with
// h = 1e-5 / max(1, |v|∞), whose error (h² f'''' plus rounding ~1e-10) is far
// below the stated tolerance of 1e-6 relative. The gradient they difference
// is itself checked against analytic gradients and finite differences of f in
// tests/ad/tape_test.cpp.
#include "sparsediff/hessian/hvp.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "examples/common/objectives.hpp"
#include "tests/common/execution_spaces.hpp"
#include "tests/common/expect_error.hpp"

namespace sparsediff {
namespace {

using problems::Dixmaan;
using problems::DixmaanElements;
using problems::MinimalSurface;
using problems::RandomComposition;

::testing::AssertionResult close(double actual, double expected, double tol) {
  if (actual == expected) return ::testing::AssertionSuccess();
  if (std::abs(actual - expected) <= tol * std::max(1.0, std::abs(expected)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "actual " << actual << " vs expected " << expected << " (tol " << tol << ")";
}

std::vector<double> random_vector(std::size_t n, unsigned seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(n);
  for (auto& v : x) v = u(rng);
  return x;
}

/// Central differences of the gradient along v.
template <class F>
std::vector<double> fd_hvp(const F& f, const std::vector<double>& x, const std::vector<double>& v) {
  double vmax = 0;
  for (double e : v) vmax = std::max(vmax, std::abs(e));
  const double h = 1e-5 / std::max(1.0, vmax);
  std::vector<double> xp = x, xm = x;
  for (std::size_t j = 0; j < x.size(); ++j) {
    xp[j] += h * v[j];
    xm[j] -= h * v[j];
  }
  const auto gp = gradient(f, xp), gm = gradient(f, xm);
  std::vector<double> hv(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) hv[j] = (gp[j] - gm[j]) / (2 * h);
  return hv;
}

// f = sum x_i^4 / 4 + sum_{i < n-1} c x_i x_{i+1} + (sum x_i)^2 / 2:
// H = diag(3 x_i^2) + c (sub- and superdiagonal ones) + the all-ones matrix.
struct Quartic {
  double c = 0.7;
  Index n = 7;
  template <class T>
  T operator()(const T* x) const {
    T f = 0.0, s = 0.0;
    for (Index i = 0; i < n; ++i) {
      f += x[i] * x[i] * x[i] * x[i] / 4.0;
      if (i + 1 < n) f += c * x[i] * x[i + 1];
      s += x[i];
    }
    return f + 0.5 * s * s;
  }
  std::vector<double> hessian_times(const std::vector<double>& x,
                                    const std::vector<double>& v) const {
    double sum = 0;
    for (double e : v) sum += e;
    std::vector<double> hv(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) {
      double r = 3 * x[i] * x[i] * v[i] + sum;
      if (i > 0) r += c * v[i - 1];
      if (i + 1 < n) r += c * v[i + 1];
      hv[std::size_t(i)] = r;
    }
    return hv;
  }
};

TEST(Hvp, QuarticMatchesAnalyticHessian) {
  const Quartic f;
  const auto x = random_vector(7, 1, -2, 2);
  for (unsigned s = 0; s < 3; ++s) {
    const auto v = random_vector(7, 10 + s);
    const auto ref = f.hessian_times(x, v);
    const auto hv = hvp(f, x, v);
    HvpOperator op(f, x);
    const auto hv_op = op.apply(v);
    for (std::size_t j = 0; j < ref.size(); ++j) {
      EXPECT_TRUE(close(hv[j], ref[j], 1e-13)) << j;
      EXPECT_TRUE(close(hv_op[j], ref[j], 1e-13)) << j;
    }
  }
}

TEST(Hvp, RandomCompositionsMatchFiniteDifferencesOfTheGradient) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    const auto f = RandomComposition::make(6, 120, seed);
    const auto x = random_vector(6, 100 + seed, -1.5, 1.5);
    const auto v = random_vector(6, 200 + seed);
    const auto ref = fd_hvp(f, x, v);
    std::vector<double> hv, g;
    const double y = hvp(f, x, v, hv, &g);
    EXPECT_DOUBLE_EQ(y, f(x.data()));
    const auto g_ref = gradient(f, x);
    HvpOperator op(f, x);
    const auto hv_op = op.apply(v);
    for (std::size_t j = 0; j < x.size(); ++j) {
      EXPECT_TRUE(close(hv[j], ref[j], 1e-6)) << "seed " << seed << ", entry " << j;
      EXPECT_TRUE(close(hv_op[j], ref[j], 1e-6)) << "seed " << seed << ", entry " << j;
      EXPECT_TRUE(close(hv_op[j], hv[j], 1e-12)) << "seed " << seed << ", entry " << j;
      EXPECT_TRUE(close(g[j], g_ref[j], 1e-14));
      EXPECT_TRUE(close(op.gradient()[j], g_ref[j], 1e-14));
    }
    EXPECT_DOUBLE_EQ(op.value(), y);
  }
}

TEST(Hvp, ObjectivesMatchFiniteDifferencesOfTheGradient) {
  const MinimalSurface surface{8};
  const Dixmaan dixmaan{20};
  auto xs = surface.initial_guess();
  const auto bump = random_vector(xs.size(), 3, -0.1, 0.1);
  for (std::size_t j = 0; j < xs.size(); ++j) xs[j] += bump[j];
  const auto xd = random_vector(std::size_t(dixmaan.size()), 4);
  for (unsigned s = 0; s < 2; ++s) {
    const auto vs = random_vector(xs.size(), 20 + s), vd = random_vector(xd.size(), 30 + s);
    const auto hs = hvp(surface, xs, vs), rs = fd_hvp(surface, xs, vs);
    const auto hd = hvp(dixmaan, xd, vd), rd = fd_hvp(dixmaan, xd, vd);
    for (std::size_t j = 0; j < xs.size(); ++j) EXPECT_TRUE(close(hs[j], rs[j], 1e-6)) << j;
    for (std::size_t j = 0; j < xd.size(); ++j) EXPECT_TRUE(close(hd[j], rd[j], 1e-6)) << j;
  }
}

TEST(Hvp, ManyVectorsAtOnceEqualSingleProducts) {
  const auto f = RandomComposition::make(5, 100, 7);
  const auto x = random_vector(5, 8, -1.5, 1.5);
  for (Index k : {1, 2, 3, 5, 8, 11, 17}) {
    const auto V = random_vector(5 * std::size_t(k), 40 + unsigned(k));
    const auto HV = hvp(f, x, V, k);
    HvpOperator op(f, x);
    std::vector<double> HV_op;
    op.apply(V, k, HV_op);
    ASSERT_EQ(HV.size(), V.size());
    for (Index l = 0; l < k; ++l) {
      const std::vector<double> v(V.begin() + 5 * l, V.begin() + 5 * (l + 1));
      const auto single = hvp(f, x, v);
      for (std::size_t j = 0; j < 5; ++j) {
        EXPECT_TRUE(close(HV[5 * std::size_t(l) + j], single[j], 1e-14)) << "k " << k << " l " << l;
        EXPECT_TRUE(close(HV_op[5 * std::size_t(l) + j], single[j], 1e-12))
            << "k " << k << " l " << l;
      }
    }
  }
}

TEST(Hvp, OperatorRepeatedAppliesAndNewPoints) {
  const Dixmaan f{50};
  const auto x = random_vector(std::size_t(f.size()), 1);
  HvpOperator op(f, x);
  EXPECT_EQ(op.size(), f.size());
  EXPECT_EQ(op.recordings(), 1);
  const auto v = random_vector(x.size(), 2), w = random_vector(x.size(), 3);
  const auto hv = op.apply(v);
  const auto hw = op.apply(w);
  EXPECT_EQ(op.apply(v), hv);  // the same product again: bit for bit
  // Linearity: H (2v - w) = 2 Hv - Hw.
  std::vector<double> combo(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) combo[j] = 2 * v[j] - w[j];
  const auto hc = op.apply(combo);
  for (std::size_t j = 0; j < x.size(); ++j) EXPECT_TRUE(close(hc[j], 2 * hv[j] - hw[j], 1e-12));
  // A new point: replayed, not recorded again, and right there.
  for (unsigned s = 0; s < 3; ++s) {
    const auto y = random_vector(x.size(), 60 + s);
    op.set_point(y);
    EXPECT_EQ(op.recordings(), 1);
    EXPECT_EQ(op.point(), y);
    EXPECT_DOUBLE_EQ(op.value(), f(y.data()));
    const auto ref = hvp(f, y, v);
    const auto got = op.apply(v);
    for (std::size_t j = 0; j < x.size(); ++j) EXPECT_TRUE(close(got[j], ref[j], 1e-12)) << j;
  }
}

struct Branchy {
  template <class T>
  T operator()(const T* x) const {
    using std::sin;
    if (x[0] > 0.0) return x[0] * x[0] * x[0] + x[0] * x[1] * x[1];
    return sin(x[0]) * x[1];
  }
};

TEST(Hvp, OperatorRecordsAgainWhenTheBranchChanges) {
  HvpOperator op(Branchy{}, {1.0, 2.0});
  const std::vector<double> v = {0.3, -0.7};
  // H = [[6 x0, 2 x1], [2 x1, 2 x0]] for x0 > 0.
  auto hv = op.apply(v);
  EXPECT_DOUBLE_EQ(hv[0], 6 * 0.3 + 4 * -0.7);
  EXPECT_DOUBLE_EQ(hv[1], 4 * 0.3 + 2 * -0.7);
  op.set_point({-0.5, 2.0});  // the other branch: H = [[-sin x0 x1, cos x0], [cos x0, 0]]
  EXPECT_EQ(op.recordings(), 2);
  hv = op.apply(v);
  EXPECT_TRUE(close(hv[0], std::sin(0.5) * 2.0 * 0.3 + std::cos(0.5) * -0.7, 1e-14));
  EXPECT_TRUE(close(hv[1], std::cos(0.5) * 0.3, 1e-14));
  op.set_point({-0.25, 1.0});  // same branch: replayed
  EXPECT_EQ(op.recordings(), 2);
  op.set_point({0.25, 1.0, 3.0});  // another size: recorded again
  EXPECT_EQ(op.recordings(), 3);
  EXPECT_EQ(op.size(), 3);
}

TEST(Hvp, LinearAndConstantObjectivesHaveZeroHessian) {
  // Tapes without operands (f = x0, f = constant) and with linear operations only.
  const auto identity = [](const auto* x) { return x[0]; };
  const auto constant = [](const auto* x) {
    (void)x;
    return std::decay_t<decltype(x[0])>(3.0);
  };
  const auto linear = [](const auto* x) { return 2.0 * x[0] - x[1] / 4.0 + 1.0; };
  const std::vector<double> x = {0.5, -2.0}, v = {1.0, 3.0};
  for (const auto& hv : {hvp(identity, x, v), hvp(constant, x, v), hvp(linear, x, v),
                         HvpOperator(identity, x).apply(v), HvpOperator(constant, x).apply(v),
                         HvpOperator(linear, x).apply(v)})
    EXPECT_EQ(hv, (std::vector<double>{0.0, 0.0}));
  HvpOperator op(linear, x);
  EXPECT_EQ(op.gradient(), (std::vector<double>{2.0, -0.25}));
}

TEST(Hvp, ErrorsNameTheOffendingItem) {
  const Quartic f;
  const auto x = random_vector(7, 1);
  EXPECT_THROW(hvp(f, x, random_vector(6, 2)), DimensionMismatch);
  EXPECT_THROW(hvp(f, x, random_vector(13, 2), 2), DimensionMismatch);
  auto v = random_vector(14, 2);
  v[9] = std::numeric_limits<double>::quiet_NaN();
  try {
    hvp(f, x, v, 2);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("vector 1, entry 2"), std::string::npos) << e.what();
  }
  auto bad_x = x;
  bad_x[4] = std::numeric_limits<double>::infinity();
  try {
    hvp(f, bad_x, random_vector(7, 2));
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("x[4]"), std::string::npos) << e.what();
  }
  HvpOperator op(f, x);
  EXPECT_THROW(op.apply(random_vector(8, 1)), DimensionMismatch);
  EXPECT_THROW(op.set_point(bad_x), InvalidArgument);
  std::vector<double> out;
  EXPECT_THROW(op.apply(v, 2, out), InvalidArgument);
}

// ---- ElementHvpOperator: partially separable objectives, no tape. The
// references are the tape's products of the same objective written whole
// (checked above against analytic Hessians and differences of the gradient)
// and central differences of the gradient along v.

/// Minimal surface (elements of 1 to 3 variables, boundary elements with
/// fewer) and DIXMAANJ (elements of 1 to 4), at a perturbed start.
struct ElementCase {
  std::string name;
  std::vector<double> x;
};

std::vector<double> perturbed(std::vector<double> x, unsigned seed) {
  const auto bump = random_vector(x.size(), seed, -0.1, 0.1);
  for (std::size_t j = 0; j < x.size(); ++j) x[j] += bump[j];
  return x;
}

template <int K, class E, class Whole>
void expect_element_products_match(const PartiallySeparable<K, E>& f, const Whole& whole,
                                   const std::vector<double>& x, Index block_size) {
  ElementHvpOperator<K, E> op(f, x, block_size);
  HvpOperator tape_op(whole, x);
  EXPECT_TRUE(close(op.value(), whole(x.data()), 1e-13));
  for (std::size_t j = 0; j < x.size(); ++j)
    EXPECT_TRUE(close(op.gradient()[j], tape_op.gradient()[j], 1e-12)) << "gradient " << j;
  for (unsigned s = 0; s < 2; ++s) {
    const auto v = random_vector(x.size(), 60 + s);
    const auto hv = op.apply(v), by_tape = tape_op.apply(v), by_fd = fd_hvp(whole, x, v);
    for (std::size_t j = 0; j < x.size(); ++j) {
      EXPECT_TRUE(close(hv[j], by_tape[j], 1e-12)) << "block " << block_size << " entry " << j;
      EXPECT_TRUE(close(hv[j], by_fd[j], 1e-6)) << "block " << block_size << " entry " << j;
    }
  }
}

TEST(ElementHvp, MatchesTheTapeAndDifferencesOnTheBenchmarkObjectives) {
  const MinimalSurface surface{9};
  const Dixmaan dixmaan{17};
  const auto xs = perturbed(surface.initial_guess(), 5);
  const auto xd = perturbed(dixmaan.initial_guess(), 6);
  for (Index block : {1, 7, 256}) {  // one block, several, one element per block
    expect_element_products_match(partially_separable<3>(surface), surface, xs, block);
    expect_element_products_match(partially_separable<4>(DixmaanElements{dixmaan}), dixmaan, xd,
                                  block);
  }
}

TEST(ElementHvp, ManyVectorsAtOnceEqualSingleProducts) {
  const Dixmaan dixmaan{11};
  const auto f = partially_separable<4>(DixmaanElements{dixmaan});
  const auto x = perturbed(dixmaan.initial_guess(), 7);
  const std::size_t n = x.size();
  ElementHvpOperator op(f, x, 5);
  for (Index k : {0, 1, 2, 3, 4, 5, 7, 9}) {
    const auto V = random_vector(n * std::size_t(k), 70 + unsigned(k));
    std::vector<double> HV;
    op.apply(V, k, HV);
    ASSERT_EQ(HV.size(), V.size());
    for (Index l = 0; l < k; ++l) {
      const std::vector<double> v(V.begin() + std::ptrdiff_t(n * l),
                                  V.begin() + std::ptrdiff_t(n * (l + 1)));
      const auto single = op.apply(v);
      // Lanes do not mix: the same operations, lane by lane.
      for (std::size_t j = 0; j < n; ++j)
        EXPECT_EQ(HV[n * std::size_t(l) + j], single[j]) << "k " << k << " l " << l << " j " << j;
    }
  }
}

TEST(ElementHvp, NewPointsAndTheHvpOperatorOfAPartiallySeparableObjective) {
  const MinimalSurface surface{6};
  const auto f = partially_separable<3>(surface);
  const auto x = perturbed(surface.initial_guess(), 8), y = perturbed(x, 9);
  HvpOperator op(f, x);  // the element operator: nothing recorded
  static_assert(std::is_base_of_v<ElementHvpOperator<3, MinimalSurface>, decltype(op)>);
  EXPECT_EQ(op.recordings(), 0);
  op.set_point(y);
  const auto v = random_vector(x.size(), 11);
  const auto hv = op.apply(v), reference = hvp(surface, y, v);
  for (std::size_t j = 0; j < x.size(); ++j) EXPECT_TRUE(close(hv[j], reference[j], 1e-12)) << j;
  EXPECT_TRUE(close(op.value(), surface(y.data()), 1e-13));
  EXPECT_GT(op.memory_bytes(), 0u);
}

template <class ExecutionSpace>
class ElementHvpSpaces : public ::testing::Test {};
TYPED_TEST_SUITE(ElementHvpSpaces, test::HostExecutionSpaces);

// Blocks that share no variable run in parallel, in a fixed order of
// contributions: the products do not depend on the execution space.
TYPED_TEST(ElementHvpSpaces, MatchesSerialBitForBit) {
  const MinimalSurface surface{40};
  const auto f = partially_separable<3>(surface);
  const auto x = perturbed(surface.initial_guess(), 12);
  const auto V = random_vector(x.size() * 3, 13);
  ElementHvpOperator<3, MinimalSurface, TypeParam> here(f, x, 16);
  ElementHvpOperator<3, MinimalSurface, Kokkos::Serial> serial(f, x, 16);
  std::vector<double> a, b;
  here.apply(V, 3, a);
  serial.apply(V, 3, b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(here.gradient(), serial.gradient());
  EXPECT_EQ(here.value(), serial.value());
}

TEST(ElementHvp, ErrorsNameTheOffendingItem) {
  const MinimalSurface surface{4};
  const auto f = partially_separable<3>(surface);
  const auto x = surface.initial_guess();
  EXPECT_THROW(ElementHvpOperator(f, x, 0), InvalidArgument);
  EXPECT_THROW(ElementHvpOperator(f, std::vector<double>(15, 0.0)), InvalidArgument);  // n < N^2
  ElementHvpOperator op(f, x);
  EXPECT_THROW(op.set_point(std::vector<double>(17, 0.0)), DimensionMismatch);
  auto bad = x;
  bad[3] = std::numeric_limits<double>::quiet_NaN();
  try {
    op.set_point(bad);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("x[3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(op.apply(random_vector(15, 1)), DimensionMismatch);
  std::vector<double> out, V = random_vector(32, 2);
  V[20] = std::numeric_limits<double>::infinity();
  try {
    op.apply(V, 2, out);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("vector 1, entry 4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(op.apply(V, -1, out), InvalidArgument);
}

// ---- Device data: the View overloads, on every host space and on
// Kokkos::Device<Exec, HostSpace>. They must give exactly what the
// std::vector overloads give (checked against the tape and differences above).

template <class Space>
class ElementHvpDeviceData : public ::testing::Test {};
TYPED_TEST_SUITE(ElementHvpDeviceData, test::DeviceDataSpaces);

template <class View>
View to_view(const std::vector<double>& x, std::size_t rows, std::size_t cols = 1) {
  View view("v", rows, cols);
  Kokkos::deep_copy(
      view,
      Kokkos::View<const double**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
          x.data(), rows, cols));
  return view;
}

template <class View>
std::vector<double> to_vector(const View& view) {
  std::vector<double> x(view.size());
  if constexpr (View::rank == 1)
    Kokkos::deep_copy(
        Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(x.data(), x.size()),
        view);
  else
    Kokkos::deep_copy(
        Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
            x.data(), view.extent(0), view.extent(1)),
        view);
  return x;
}

TYPED_TEST(ElementHvpDeviceData, ViewOverloadsEqualTheVectorOverloads) {
  using Op = ElementHvpOperator<4, DixmaanElements, TypeParam>;
  using Multi = typename Op::multi_view;
  const Dixmaan dixmaan{13};
  const auto f = partially_separable<4>(DixmaanElements{dixmaan});
  const auto x = perturbed(dixmaan.initial_guess(), 21), y = perturbed(x, 22);
  const std::size_t n = x.size();
  const Multi xv = to_view<Multi>(x, n), yv = to_view<Multi>(y, n);
  const auto column = [](const Multi& m) { return Kokkos::subview(m, Kokkos::ALL, 0); };

  Op from_vector(f, x, 8), from_view(f, typename Op::const_vector_view(column(xv)), 8);
  EXPECT_EQ(from_view.value(), from_vector.value());
  EXPECT_EQ(from_view.gradient(), from_vector.gradient());
  EXPECT_EQ(to_vector(from_view.point_view()), x);
  EXPECT_EQ(to_vector(from_view.gradient_view()), from_vector.gradient());

  from_vector.set_point(y);
  from_view.set_point(column(yv));
  EXPECT_EQ(from_view.point(), y);
  EXPECT_EQ(from_view.gradient(), from_vector.gradient());

  for (const std::size_t k : {1, 3, 6}) {
    const auto V = random_vector(n * k, 30 + unsigned(k));
    std::vector<double> HV;
    from_vector.apply(V, Index(k), HV);
    const Multi Vv = to_view<Multi>(V, n, k);
    Multi HVv("HV", n, k);
    from_view.apply(Vv, HVv);
    EXPECT_EQ(to_vector(HVv), HV) << k << " vectors";
    if (k == 1) {
      const typename Op::vector_view hv("hv", n);
      from_view.apply(column(Vv), hv);
      EXPECT_EQ(to_vector(hv), HV);
    }
  }
}

TYPED_TEST(ElementHvpDeviceData, ViewOverloadsRefuseBadInputNamingIt) {
  using Op = ElementHvpOperator<3, MinimalSurface, TypeParam>;
  using Vec = typename Op::vector_view;
  using Multi = typename Op::multi_view;
  const MinimalSurface surface{4};
  const auto f = partially_separable<3>(surface);
  const auto x = surface.initial_guess();
  const std::size_t n = x.size();
  Op op(f, x);
  Vec v("v", n), hv("hv", n), short_v("v", n - 1);
  Kokkos::deep_copy(v, 1.0);
  test::expect_error_naming<DimensionMismatch>([&] { op.apply(short_v, hv); }, "v has 15 entries");
  test::expect_error_naming<DimensionMismatch>([&] { op.apply(v, short_v); }, "hv has 15 entries");
  test::expect_error_naming<DimensionMismatch>([&] { op.set_point(short_v); }, "x has 15 entries");

  auto host = x;
  host[5] = std::numeric_limits<double>::quiet_NaN();
  host[9] = std::numeric_limits<double>::infinity();
  const Vec bad = Kokkos::subview(to_view<Multi>(host, n), Kokkos::ALL, 0);
  test::expect_error_naming<InvalidArgument>([&] { op.apply(bad, hv); }, "v[5]");
  test::expect_error_naming<InvalidArgument>([&] { op.set_point(bad); }, "x[5]");
  EXPECT_EQ(op.point(), x);  // a refused point leaves the operator where it was

  std::vector<double> V(2 * n, 0.5);
  V[n + 7] = -std::numeric_limits<double>::infinity();
  Multi HV("HV", n, 2);
  test::expect_error_naming<InvalidArgument>([&] { op.apply(to_view<Multi>(V, n, 2), HV); },
                                             "V(7, 1)");
  test::expect_error_naming<DimensionMismatch>([&] { op.apply(Multi("V", n, 3), HV); },
                                               "HV has 2 columns, V has 3");
  // The first n rows of a 2n x 2 view: columns 2n apart, not contiguous.
  const Multi tall("tall", 2 * n, 2);
  const Multi strided = Kokkos::subview(tall, Kokkos::make_pair(std::size_t(0), n), Kokkos::ALL);
  ASSERT_FALSE(strided.span_is_contiguous());
  test::expect_error_naming<DimensionMismatch>([&] { op.apply(strided, HV); }, "contiguous");
}

}  // namespace
}  // namespace sparsediff
