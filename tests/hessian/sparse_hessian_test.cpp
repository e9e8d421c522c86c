// Tests of SparseHessian (every evaluation path, coloring kind, lane width and
// storage) and of the element interface (PartiallySeparable).
//
// References are independent of the code under test:
// - a hand-derived Hessian (SinQuartic below), to 1e-13 relative;
// - central differences of the reverse-mode gradient, column by column,
//   (∇f(x + h e_j) - ∇f(x - h e_j)) / 2h with h = 1e-5, whose error
//   (h² f'''' plus rounding ~1e-10 / h) is far below the stated tolerance of
//   1e-6 relative (the gradient itself is tested in tests/ad/tape_test.cpp);
// - for the element path on the PROBLEMS.md objectives, the compressed path
//   (and vice versa), to 1e-12.
#include "sparsediff/hessian/sparse_hessian.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "examples/common/objectives.hpp"
#include "tests/common/execution_spaces.hpp"
#include "tests/common/random_functions.hpp"

namespace sparsediff {
namespace {

using problems::Dixmaan;
using problems::DixmaanElements;
using problems::MinimalSurface;

std::vector<double> random_vector(std::size_t n, unsigned seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(n);
  for (auto& v : x) v = u(rng);
  return x;
}

// f = sum x_i^4 / 4 + c sum x_i x_{i+1} + sum_{i+3 < n} sin(x_i) x_{i+3}^2, with
// H_ii = 3 x_i^2 - sin(x_i) x_{i+3}^2 [i+3 < n] + 2 sin(x_{i-3}) [i >= 3],
// H_{i,i+1} = c, H_{i,i+3} = 2 cos(x_i) x_{i+3}. Also in element form: element
// e < n is x_e^4 / 4, then the n - 1 couplings, then the n - 3 sine terms.
struct SinQuartic {
  Index n = 11;
  double c = 0.7;

  template <class T>
  T operator()(const T* x) const {
    using std::sin;
    T f = 0.0;
    for (Index i = 0; i < n; ++i) {
      f += x[i] * x[i] * x[i] * x[i] / 4.0;
      if (i + 1 < n) f += c * x[i] * x[i + 1];
      if (i + 3 < n) f += sin(x[i]) * x[i + 3] * x[i + 3];
    }
    return f;
  }

  std::vector<double> dense_hessian(const std::vector<double>& x) const {
    std::vector<double> h(std::size_t(n) * n, 0.0);
    auto at = [&](Index i, Index j) -> double& { return h[std::size_t(i) * n + j]; };
    for (Index i = 0; i < n; ++i) {
      at(i, i) += 3 * x[i] * x[i];
      if (i + 1 < n) at(i, i + 1) = at(i + 1, i) = c;
      if (i + 3 < n) {
        at(i, i) -= std::sin(x[i]) * x[i + 3] * x[i + 3];
        at(i + 3, i + 3) += 2 * std::sin(x[i]);
        at(i, i + 3) = at(i + 3, i) = 2 * std::cos(x[i]) * x[i + 3];
      }
    }
    return h;
  }

  Index num_elements() const { return n + (n - 1) + (n - 3); }
  Index element_variables(Index e, Index* v) const {
    if (e < n) return v[0] = e, 1;
    if (e < 2 * n - 1) return v[0] = e - n, v[1] = e - n + 1, 2;
    const Index i = e - (2 * n - 1);
    return v[0] = i + 3, v[1] = i, 2;  // order is free: the sine term lists x_{i+3} first
  }
  template <class T>
  T element(Index e, const T* v) const {
    using std::sin;
    if (e < n) return v[0] * v[0] * v[0] * v[0] / 4.0;
    if (e < 2 * n - 1) return c * v[0] * v[1];
    return sin(v[1]) * v[0] * v[0];
  }
};

// A random partially separable objective: elements of 1 to 4 random distinct
// variables, each a weighted sum of random smooth functions of its variables
// plus products of pairs (so that elements couple their variables).
struct RandomElements {
  Index n = 0;
  std::vector<std::vector<Index>> vars;
  std::vector<std::vector<int>> ops;
  std::vector<std::vector<double>> weights;

  static RandomElements make(Index n, Index elements, unsigned seed) {
    std::mt19937 rng(seed);
    RandomElements f;
    f.n = n;
    std::uniform_real_distribution<double> w(-2.0, 2.0);
    for (Index e = 0; e < elements; ++e) {
      const Index k = 1 + Index(rng() % 4);
      std::vector<Index> all(static_cast<std::size_t>(n));
      for (Index j = 0; j < n; ++j) all[j] = j;
      std::shuffle(all.begin(), all.end(), rng);
      f.vars.emplace_back(all.begin(), all.begin() + k);
      f.ops.emplace_back();
      f.weights.emplace_back();
      for (Index a = 0; a < k; ++a) {
        f.ops.back().push_back(int(rng() % test::RandomSparseFunction::num_ops));
        f.weights.back().push_back(w(rng));
      }
    }
    return f;
  }

  Index num_elements() const { return Index(vars.size()); }
  Index element_variables(Index e, Index* v) const {
    for (std::size_t a = 0; a < vars[e].size(); ++a) v[a] = vars[e][a];
    return Index(vars[e].size());
  }
  template <class T>
  T element(Index e, const T* v) const {
    T r = 0.0;
    const std::size_t k = vars[e].size();
    for (std::size_t a = 0; a < k; ++a)
      r += weights[e][a] * test::RandomSparseFunction::apply(ops[e][a], v[a]);
    for (std::size_t a = 0; a + 1 < k; ++a)
      r += v[a] * test::RandomSparseFunction::apply(ops[e][a + 1], v[a + 1]);
    return r;
  }
};

/// Central differences of the reverse-mode gradient: dense row-major n x n.
template <class F>
std::vector<double> fd_hessian(const F& f, const std::vector<double>& x, double h = 1e-5) {
  const std::size_t n = x.size();
  std::vector<double> dense(n * n);
  for (std::size_t j = 0; j < n; ++j) {
    auto xp = x, xm = x;
    xp[j] += h;
    xm[j] -= h;
    const auto gp = gradient(f, xp), gm = gradient(f, xm);
    for (std::size_t i = 0; i < n; ++i) dense[i * n + j] = (gp[i] - gm[i]) / (2 * h);
  }
  return dense;
}

/// The dense n x n matrix of a stored Hessian (mirroring a stored triangle).
std::vector<double> to_dense_symmetric(const CsrMatrix<double>& h, HessianStorage storage) {
  const Index n = h.rows();
  auto dense = h.to_dense();
  if (storage == HessianStorage::full) return dense;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (i != j && dense[std::size_t(i) * n + j] != 0)
        dense[std::size_t(j) * n + i] = dense[std::size_t(i) * n + j];
  return dense;
}

void expect_dense_near(const std::vector<double>& got, const std::vector<double>& want,
                       double tolerance, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 1;
  for (double v : want) scale = std::max(scale, std::abs(v));
  for (std::size_t k = 0; k < got.size(); ++k)
    ASSERT_NEAR(got[k], want[k], tolerance * std::max(1.0, std::abs(want[k])))
        << what << ": dense entry " << k;
}

/// Every storage layout stores exactly its triangle.
void expect_triangle(const CsrMatrix<double>& h, HessianStorage storage) {
  auto [ptr, idx] = h.pattern().host_arrays();
  for (Index i = 0; i < h.rows(); ++i)
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
      if (storage == HessianStorage::lower) {
        EXPECT_LE(idx[k], i);
      }
      if (storage == HessianStorage::upper) {
        EXPECT_GE(idx[k], i);
      }
    }
}

/// Full storage: both copies of every entry are the same double.
void expect_exactly_symmetric(const CsrMatrix<double>& h, HessianStorage storage) {
  if (storage != HessianStorage::full) return;
  const auto dense = h.to_dense();
  const std::size_t n = std::size_t(h.rows());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < i; ++j)
      ASSERT_EQ(dense[i * n + j], dense[j * n + i]) << i << ", " << j;
}

struct Config {
  HessianEvaluation evaluation;
  SymmetricColoringKind kind;
  int lane_width;
  std::string name() const {
    return to_string(evaluation) + "/" + to_string(kind) + "/W" + std::to_string(lane_width);
  }
};

/// The tape configurations: both colorings, sweeps, and dual tapes at every lane width.
std::vector<Config> tape_configs() {
  std::vector<Config> out;
  for (auto kind : {SymmetricColoringKind::star, SymmetricColoringKind::acyclic}) {
    out.push_back({HessianEvaluation::second_order_sweeps, kind, 0});
    for (int w : {0, 1, 2, 4, 6, 8, 12, 16}) out.push_back({HessianEvaluation::dual_tape, kind, w});
  }
  return out;
}

HessianOptions options_for(const Config& c, HessianStorage storage) {
  HessianOptions options;
  options.evaluation = c.evaluation;
  options.coloring.kind = c.kind;
  options.lane_width = c.lane_width;
  options.storage = storage;
  return options;
}

const HessianStorage storages[] = {HessianStorage::lower, HessianStorage::upper,
                                   HessianStorage::full};

TEST(SparseHessian, MatchesAnalyticHessianOnEveryPath) {
  const SinQuartic f;
  const auto x = random_vector(std::size_t(f.n), 1, -1.5, 1.5);
  const auto reference = f.dense_hessian(x);
  const auto g_ref = gradient(f, x);
  for (HessianStorage storage : storages) {
    for (const Config& c : tape_configs()) {
      SparseHessian hessian(f, f.n, options_for(c, storage));
      EXPECT_EQ(hessian.evaluation(), c.evaluation);
      EXPECT_EQ(hessian.coloring().kind, c.kind);
      if (c.evaluation == HessianEvaluation::dual_tape && c.lane_width != 0) {
        EXPECT_EQ(hessian.seed().lane_width, c.lane_width);
      }
      CsrMatrix<double> h(hessian.pattern());
      std::vector<double> g;
      const double y = hessian.evaluate(x, h, g);
      expect_triangle(h, storage);
      expect_exactly_symmetric(h, storage);
      expect_dense_near(to_dense_symmetric(h, storage), reference, 1e-13,
                        c.name() + " " + to_string(storage));
      EXPECT_NEAR(y, f(x.data()), 1e-14 * std::abs(y));
      for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(g[j], g_ref[j], 1e-13) << j;
    }
    // The element path, with PartiallySeparable's own elements.
    HessianOptions options;
    options.storage = storage;
    SparseHessian elements(partially_separable<2>(f), f.n, options);
    EXPECT_EQ(elements.evaluation(), HessianEvaluation::elements);
    std::vector<double> g;
    CsrMatrix<double> h(elements.pattern());
    const double y = elements.evaluate(x, h, g);
    expect_triangle(h, storage);
    expect_exactly_symmetric(h, storage);
    expect_dense_near(to_dense_symmetric(h, storage), reference, 1e-13,
                      "elements " + to_string(storage));
    EXPECT_NEAR(y, f(x.data()), 1e-13 * std::abs(y));
    for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(g[j], g_ref[j], 1e-13) << j;
  }
}

TEST(SparseHessian, RandomPartiallySeparableMatchesFiniteDifferences) {
  for (unsigned seed = 1; seed <= 6; ++seed) {
    const Index n = 25;
    const auto elements = partially_separable<4>(RandomElements::make(n, 30, seed));
    const auto x = random_vector(std::size_t(n), 50 + seed, -1.0, 1.0);
    const auto reference = fd_hessian(elements, x);
    for (HessianStorage storage : {HessianStorage::lower, HessianStorage::full}) {
      HessianOptions eo;
      eo.storage = storage;
      eo.element_block_size = 4;  // several blocks and block colors
      SparseHessian by_elements(elements, n, eo);
      expect_dense_near(to_dense_symmetric(by_elements.evaluate(x), storage), reference, 1e-6,
                        "elements seed " + std::to_string(seed));
      for (const Config& c : tape_configs()) {
        SparseHessian hessian(elements, n, options_for(c, storage));
        const auto h = hessian.evaluate(x);
        expect_exactly_symmetric(h, storage);
        expect_dense_near(to_dense_symmetric(h, storage), reference, 1e-6,
                          c.name() + " seed " + std::to_string(seed));
      }
    }
  }
}

TEST(SparseHessian, ElementPathEqualsObjectivePathOnTheBenchmarkProblems) {
  const MinimalSurface surface{7};
  auto xs = surface.initial_guess();
  const auto bump = random_vector(xs.size(), 3, -0.2, 0.2);
  for (std::size_t j = 0; j < xs.size(); ++j) xs[j] += bump[j];
  const DixmaanElements dixmaan{Dixmaan{6}};
  const auto xd = random_vector(std::size_t(dixmaan.f.size()), 4, -1.0, 2.0);
  // The element sums reproduce the objectives.
  EXPECT_NEAR(partially_separable<3>(surface)(xs.data()), surface(xs.data()), 1e-13);
  EXPECT_NEAR(partially_separable<4>(dixmaan)(xd.data()), dixmaan.f(xd.data()), 1e-12);

  for (HessianStorage storage : storages) {
    HessianOptions options;
    options.storage = storage;
    SparseHessian surface_elements(partially_separable<3>(surface), surface.size(), options);
    SparseHessian dixmaan_elements(partially_separable<4>(dixmaan), dixmaan.f.size(), options);
    const auto hs = to_dense_symmetric(surface_elements.evaluate(xs), storage);
    const auto hd = to_dense_symmetric(dixmaan_elements.evaluate(xd), storage);
    for (auto kind : {SymmetricColoringKind::star, SymmetricColoringKind::acyclic}) {
      options.coloring.kind = kind;
      SparseHessian surface_tape(surface, surface.size(), options);
      SparseHessian dixmaan_tape(dixmaan.f, dixmaan.f.size(), options);
      expect_dense_near(to_dense_symmetric(surface_tape.evaluate(xs), storage), hs, 1e-12,
                        "minsurf " + to_string(kind));
      expect_dense_near(to_dense_symmetric(dixmaan_tape.evaluate(xd), storage), hd, 1e-12,
                        "dixmaan " + to_string(kind));
      // The stored patterns agree where H is structurally nonzero: the element
      // pattern may hold more (structural zeros of an element), never less.
      EXPECT_LE(surface_tape.pattern().nnz(), surface_elements.pattern().nnz());
      EXPECT_LE(dixmaan_tape.pattern().nnz(), dixmaan_elements.pattern().nnz());
    }
  }
  // Against finite differences too.
  SparseHessian surface_elements(partially_separable<3>(surface), surface.size());
  expect_dense_near(surface_elements.evaluate(xs).to_dense(), fd_hessian(surface, xs), 1e-6,
                    "minsurf vs differences");
}

TEST(SparseHessian, ValueGradientAndRepeatedPoints) {
  const Dixmaan f{10};
  const DixmaanElements e{f};
  SparseHessian tape(f, f.size());
  SparseHessian elements(partially_separable<4>(e), f.size());
  for (unsigned s = 0; s < 4; ++s) {
    const auto x = random_vector(std::size_t(f.size()), 70 + s);
    const auto g_ref = gradient(f, x);
    std::vector<double> g1, g2;
    EXPECT_NEAR(tape.value(x), f(x.data()), 1e-13);
    EXPECT_NEAR(elements.value(x), f(x.data()), 1e-13);
    EXPECT_NEAR(tape.gradient(x, g1), f(x.data()), 1e-13);
    EXPECT_NEAR(elements.gradient(x, g2), f(x.data()), 1e-13);
    for (std::size_t j = 0; j < x.size(); ++j) {
      EXPECT_NEAR(g1[j], g_ref[j], 1e-13);
      EXPECT_NEAR(g2[j], g_ref[j], 1e-13);
    }
    // New points reuse the tape (replay) and stay right.
    const auto reference = fd_hessian(f, x);
    expect_dense_near(tape.evaluate(x).to_dense(), reference, 1e-6,
                      "tape point " + std::to_string(s));
    EXPECT_LT(tape.check(x), 1e-12);
    EXPECT_LT(elements.check(x), 1e-12);
  }
}

// f = 3 + sum_i (i + 1) x_i: linear, so H = 0 and the pattern is empty.
struct Linear {
  Index n = 5;
  template <class T>
  T operator()(const T* x) const {
    T f = 3.0;
    for (Index i = 0; i < n; ++i) f += double(i + 1) * x[i];
    return f;
  }
};

TEST(SparseHessian, EmptyHessiansAndNoVariables) {
  const Linear f;
  const auto x = random_vector(5, 2);
  for (const Config& c : tape_configs()) {
    SparseHessian hessian(f, f.n, options_for(c, HessianStorage::full));
    EXPECT_EQ(hessian.pattern().nnz(), 0);
    CsrMatrix<double> h(hessian.pattern());
    std::vector<double> g;
    EXPECT_DOUBLE_EQ(hessian.evaluate(x, h, g), f(x.data()));
    for (Index i = 0; i < f.n; ++i) EXPECT_DOUBLE_EQ(g[i], double(i + 1));
  }
  const Linear none{0};
  SparseHessian empty(none, 0);
  EXPECT_EQ(empty.evaluate(std::vector<double>{}).nnz(), 0);
  EXPECT_DOUBLE_EQ(empty.value({}), 3.0);
}

TEST(SparseHessian, CheckFindsAMissingEntry) {
  const SinQuartic f;
  const auto x = random_vector(std::size_t(f.n), 5, -1.5, 1.5);
  // Tridiagonal only: misses the (i, i + 3) couplings.
  std::vector<Index> r, c;
  for (Index i = 0; i < f.n; ++i)
    for (Index j = std::max<Index>(0, i - 1); j <= std::min<Index>(f.n - 1, i + 1); ++j)
      r.push_back(i), c.push_back(j);
  SparseHessian wrong(f, Pattern::from_coo(f.n, f.n, r, c));
  EXPECT_GT(wrong.check(x), 1e-3);
  SparseHessian right(f, f.n);
  EXPECT_LT(right.check(x), 1e-13);
}

// Elements whose variable lists are wrong in element 2, three ways.
struct BadElements {
  int mode;
  Index num_elements() const { return 3; }
  Index element_variables(Index e, Index* v) const {
    if (e < 2) return v[0] = e, 1;
    if (mode == 0) return v[0] = 7, 1;            // out of range
    if (mode == 1) return v[0] = 1, v[1] = 1, 2;  // repeated
    return 3;                                     // too many
  }
  template <class T>
  T element(Index, const T* v) const {
    return v[0] * v[0];
  }
};

TEST(SparseHessian, Errors) {
  const SinQuartic f;
  SparseHessian hessian(f, f.n);
  auto message = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_THROW(hessian.evaluate(std::vector<double>(3)), DimensionMismatch);
  auto x = random_vector(std::size_t(f.n), 1);
  x[4] = std::nan("");
  EXPECT_THROW(hessian.evaluate(x), InvalidArgument);
  EXPECT_NE(message([&] { hessian.evaluate(x); }).find("x[4]"), std::string::npos);
  x[4] = 0.5;
  CsrMatrix<double> wrong(Pattern::identity(f.n));
  EXPECT_THROW(hessian.evaluate(x, wrong), DimensionMismatch);
  EXPECT_THROW(hessian.value(std::vector<double>(20)),
               DimensionMismatch);  // (longer than n: no false -Warray-bounds)
  // Elements on a plain objective; bad lane width; unsymmetric pattern.
  HessianOptions options;
  options.evaluation = HessianEvaluation::elements;
  EXPECT_THROW(SparseHessian(f, f.n, options), NotSupported);
  options = {};
  options.evaluation = HessianEvaluation::dual_tape;
  options.lane_width = 3;
  EXPECT_THROW(SparseHessian(f, f.n, options), InvalidArgument);
  EXPECT_THROW(SparseHessian(f, Pattern::from_coo(f.n, f.n, {0}, {1})), InvalidArgument);
  EXPECT_THROW(SparseHessian(f, -1), InvalidArgument);

  // Bad element lists name the element.
  EXPECT_NE(message([&] {
              SparseHessian(partially_separable<2>(BadElements{0}), 3);
            }).find("element 2, variable 0: index 7 out of range [0, 3)"),
            std::string::npos);
  EXPECT_NE(message([&] {
              SparseHessian(partially_separable<2>(BadElements{1}), 3);
            }).find("element 2 lists variable 1 twice"),
            std::string::npos);
  EXPECT_NE(message([&] {
              SparseHessian(partially_separable<2>(BadElements{2}), 3);
            }).find("element 2 has 3 variables"),
            std::string::npos);
  // A given pattern missing an element pair.
  EXPECT_NE(message([&] {
              SparseHessian(partially_separable<2>(f), Pattern::identity(f.n));
            }).find("element 11 couples variables"),
            std::string::npos);
}

template <class Space>
class SparseHessianSpaces : public ::testing::Test {};
TYPED_TEST_SUITE(SparseHessianSpaces, test::HostExecutionSpaces);

TYPED_TEST(SparseHessianSpaces, MatchesSerialBitForBit) {
  const MinimalSurface surface{12};
  auto x = surface.initial_guess();
  const auto bump = random_vector(x.size(), 8, -0.1, 0.1);
  for (std::size_t j = 0; j < x.size(); ++j) x[j] += bump[j];
  HessianOptions options;
  options.element_block_size = 16;
  options.storage = HessianStorage::lower;
  SparseHessian<PartiallySeparable<3, MinimalSurface>, TypeParam> a(partially_separable<3>(surface),
                                                                    surface.size(), options);
  SparseHessian<PartiallySeparable<3, MinimalSurface>, Kokkos::Serial> b(
      partially_separable<3>(surface), surface.size(), options);
  EXPECT_GT(a.element_block_colors(), 1);
  std::vector<double> ga, gb;
  CsrMatrix<double> ha(a.pattern()), hb(b.pattern());
  EXPECT_EQ(a.evaluate(x, ha, ga), b.evaluate(x, hb, gb));
  EXPECT_EQ(ha.host_values(), hb.host_values());
  EXPECT_EQ(ga, gb);
  EXPECT_EQ(a.value(x), b.value(x));
  for (auto kind : {SymmetricColoringKind::star, SymmetricColoringKind::acyclic}) {
    options.coloring.kind = kind;
    SparseHessian<MinimalSurface, TypeParam> c(surface, surface.size(), options);
    SparseHessian<MinimalSurface, Kokkos::Serial> d(surface, surface.size(), options);
    EXPECT_EQ(c.evaluate(x).host_values(), d.evaluate(x).host_values());
  }
}

}  // namespace
}  // namespace sparsediff
