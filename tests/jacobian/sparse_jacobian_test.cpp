#include "sparsediff/jacobian/sparse_jacobian.hpp"

#include <gtest/gtest.h>

#include <random>

#include "examples/common/pde_residuals.hpp"
#include "sparsediff/coloring/verify.hpp"
#include "tests/common/random_functions.hpp"

namespace sparsediff {
namespace {

using problems::Bratu2d;
using problems::Brusselator2d;
using problems::NonlinearDiffusion3d;
using problems::WholeVector;

std::vector<double> random_vector(Index n, unsigned seed, double lo = -1, double hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(n);
  for (auto& v : x) v = u(rng);
  return x;
}

// Every value of `got` equals the reference matrix entry (and the patterns agree).
void expect_same_matrix(const CsrMatrix<double>& got, const CsrMatrix<double>& reference,
                        double tolerance) {
  ASSERT_EQ(got.rows(), reference.rows());
  ASSERT_EQ(got.cols(), reference.cols());
  const auto a = got.to_dense(), b = reference.to_dense();
  for (std::size_t k = 0; k < a.size(); ++k)
    ASSERT_NEAR(a[k], b[k], tolerance * std::max(1.0, std::abs(b[k]))) << "dense entry " << k;
}

const int lane_widths[] = {0, 1, 2, 4, 6, 8, 12, 16};

TEST(SparseJacobian, BratuMatchesAnalyticForEveryLaneWidthAndKind) {
  const Bratu2d bratu{7};
  const auto u = bratu.initial_guess();
  const auto reference = bratu.analytic_jacobian(u);
  for (int width : lane_widths) {
    JacobianOptions options;
    options.lane_width = width;
    options.seeding = Seeding::by_color;
    SparseJacobian rows(bratu, bratu.size(), bratu.size(), options);
    EXPECT_EQ(rows.pattern(), reference.pattern());
    verify(rows.pattern(), rows.coloring());
    expect_same_matrix(rows.evaluate(u), reference, 1e-13);
    // Seeded by row: rows of 5 nonzeros in 6 lanes (or in several passes of
    // fewer), the same values bit for bit.
    options.seeding = Seeding::by_row;
    SparseJacobian by_row(bratu, bratu.size(), bratu.size(), options);
    EXPECT_EQ(by_row.lane_width(), width == 0 ? 6 : width);
    EXPECT_EQ(by_row.evaluate(u).host_values(), rows.evaluate(u).host_values()) << width;

    WholeVector<Bratu2d> whole{bratu, bratu.size(), bratu.size()};
    SparseJacobian vec(whole, bratu.size(), bratu.size(), options);
    EXPECT_EQ(vec.pattern(), reference.pattern());
    expect_same_matrix(vec.evaluate(u), reference, 1e-13);
  }
}

// The automatic seeding takes the one with fewer lane evaluations per row:
// by color on the 5-point stencil (5 colors and 5 nonzeros: 6 lanes either
// way), by row on the 3-D 7-point stencil (7 nonzeros in 8 lanes, 12 colors)
// and on the Brusselator (6 nonzeros, 10-11 colors); a forced width counts.
TEST(SparseJacobian, AutomaticSeedingTakesFewerLanes) {
  const Bratu2d bratu{7};
  SparseJacobian b(bratu, bratu.size(), bratu.size());
  EXPECT_EQ(b.seeding(), Seeding::by_color);
  EXPECT_EQ(b.lane_width(), 6);
  const problems::NonlinearDiffusion3d diffusion{6};
  SparseJacobian d(diffusion, diffusion.size(), diffusion.size());
  ASSERT_GT(d.coloring().num_colors, 8);
  EXPECT_EQ(d.seeding(), Seeding::by_row);
  EXPECT_EQ(d.lane_width(), 8);
  const Brusselator2d bruss{6};
  SparseJacobian r(bruss, bruss.size(), bruss.size());
  ASSERT_GT(r.coloring().num_colors, 6);
  EXPECT_EQ(r.seeding(), Seeding::by_row);
  EXPECT_EQ(r.lane_width(), 6);
  // Forced to 4 lanes: 7 nonzeros take 2 passes (8 lane evaluations), 12
  // colors 3 (12).
  JacobianOptions four;
  four.lane_width = 4;
  SparseJacobian d4(diffusion, diffusion.size(), diffusion.size(), four);
  EXPECT_EQ(d4.seeding(), Seeding::by_row);
  const auto u = diffusion.initial_guess();
  EXPECT_EQ(d4.evaluate(u).host_values(), d.evaluate(u).host_values());
  JacobianOptions colors;
  colors.seeding = Seeding::by_color;
  SparseJacobian dc(diffusion, diffusion.size(), diffusion.size(), colors);
  EXPECT_EQ(dc.seeding(), Seeding::by_color);
  EXPECT_EQ(dc.evaluate(u).host_values(), d.evaluate(u).host_values());
}

TEST(SparseJacobian, BrusselatorMatchesAnalytic) {
  for (Index N : {3, 6}) {
    const Brusselator2d bruss{N};
    const auto u = bruss.initial_guess();
    const auto reference = bruss.analytic_jacobian(u);
    SparseJacobian rows(bruss, bruss.size(), bruss.size());
    EXPECT_EQ(rows.pattern(), reference.pattern());
    verify(rows.pattern(), rows.coloring());
    expect_same_matrix(rows.evaluate(u), reference, 1e-12);
    WholeVector<Brusselator2d> whole{bruss, bruss.size(), bruss.size()};
    SparseJacobian vec(whole, bruss.size(), bruss.size());
    expect_same_matrix(vec.evaluate(u), reference, 1e-12);
  }
}

TEST(SparseJacobian, ValueComesWithTheJacobian) {
  const Bratu2d bratu{5};
  const auto u = bratu.initial_guess();
  SparseJacobian jac(bratu, bratu.size(), bratu.size());
  CsrMatrix<double> J(jac.pattern());
  std::vector<double> f;
  jac.evaluate(u, J, f);
  const auto plain = jac.value(u);
  ASSERT_EQ(f.size(), plain.size());
  for (std::size_t i = 0; i < f.size(); ++i) EXPECT_DOUBLE_EQ(f[i], plain[i]);
}

struct Case {
  Index m, n, max_per_row;
  bool dense_row;
};

TEST(SparseJacobian, RandomFunctionsMatchFiniteDifferencesForAllOrderingsAndBackends) {
  const Case cases[] = {{20, 20, 4, false}, {15, 30, 6, false}, {30, 12, 3, true},
                        {1, 1, 1, false},   {8, 1, 1, false},   {1, 9, 9, false}};
  const Ordering orderings[] = {
      Ordering::natural,          Ordering::largest_first,         Ordering::smallest_last,
      Ordering::incidence_degree, Ordering::dynamic_largest_first, Ordering::random};
  unsigned seed = 1;
  for (const Case& c : cases) {
    const auto f = test::RandomSparseFunction::make(c.m, c.n, c.max_per_row, seed++, c.dense_row);
    const auto x = random_vector(c.n, seed++);
    const auto fd = test::finite_difference_jacobian(f, c.m, x);
    for (auto backend : {ColoringBackend::native, ColoringBackend::colpack})
      for (auto ordering : orderings)
        for (int width : {0, 1, 16}) {
          JacobianOptions options;
          options.coloring.backend = backend;
          options.coloring.ordering = ordering;
          options.lane_width = width;
          SparseJacobian rows(f, c.m, c.n, options);
          ASSERT_EQ(rows.pattern(), f.pattern());
          verify(rows.pattern(), rows.coloring());
          const auto J = rows.evaluate(x).to_dense();
          for (std::size_t k = 0; k < J.size(); ++k)
            ASSERT_NEAR(J[k], fd[k], 1e-7 * std::max(1.0, std::abs(fd[k])))
                << "m=" << c.m << " n=" << c.n << " entry " << k;
          for (const Seeding seeding : {Seeding::by_color, Seeding::by_row}) {
            options.seeding = seeding;
            SparseJacobian seeded(f, c.m, c.n, options);
            ASSERT_EQ(seeded.evaluate(x).to_dense(), J) << "m=" << c.m << " n=" << c.n;
          }

          WholeVector<test::RandomSparseFunction> whole{f, c.m, c.n};
          SparseJacobian vec(whole, c.m, c.n, options);
          ASSERT_EQ(vec.pattern(), f.pattern());
          const auto Jv = vec.evaluate(x).to_dense();
          for (std::size_t k = 0; k < J.size(); ++k) ASSERT_EQ(Jv[k], J[k]) << "entry " << k;
        }
  }
}

TEST(SparseJacobian, JvpMatchesJacobianTimesVector) {
  const auto f = test::RandomSparseFunction::make(25, 18, 5, 77);
  const auto x = random_vector(18, 3), v = random_vector(18, 4);
  SparseJacobian jac(f, 25, 18);
  const auto J = jac.evaluate(x);
  const auto expected = J.multiply(v);
  const auto got = jac.jvp(x, v);
  const auto free_function = jvp(f, 25, x, v);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], expected[i], 1e-13 * std::max(1.0, std::abs(expected[i])));
    EXPECT_EQ(free_function[i], got[i]);
  }
  EXPECT_LT(jac.check(x), 1e-13);
}

// A function whose sparsity depends on a switch: detection with the switch
// off, evaluation with it on, is a stale pattern that check() must reveal.
struct Switchable {
  const bool* coupled;
  template <class T>
  T operator()(int i, Accessor<T> x) const {
    T r = x(i) * x(i);
    if (*coupled && i > 0) r += 3.0 * x(i - 1);
    return r;
  }
};

// A stale pattern: seeded by color the new term lands in a wrong lane, by
// row it is dropped (its input has no lane); check() sees both.
TEST(SparseJacobian, CheckCatchesAStalePattern) {
  for (const Seeding seeding : {Seeding::by_color, Seeding::by_row}) {
    bool coupled = false;
    JacobianOptions options;
    options.seeding = seeding;
    SparseJacobian jac(Switchable{&coupled}, 6, 6, options);
    EXPECT_EQ(jac.seeding(), seeding);
    const auto x = random_vector(6, 9);
    EXPECT_LT(jac.check(x), 1e-14);
    coupled = true;
    EXPECT_GT(jac.check(x), 0.1);
  }
}

TEST(SparseJacobian, KnownPatternIsUsedAsGiven) {
  const Bratu2d bratu{4};
  const auto u = bratu.initial_guess();
  const auto reference = bratu.analytic_jacobian(u);
  SparseJacobian jac(bratu, reference.pattern());
  EXPECT_EQ(jac.setup_times().detection, 0.0);
  expect_same_matrix(jac.evaluate(u), reference, 1e-13);
}

TEST(SparseJacobian, BadInputIsRefused) {
  const Bratu2d bratu{3};
  SparseJacobian jac(bratu, bratu.size(), bratu.size());
  EXPECT_THROW(jac.evaluate(std::vector<double>(5)), DimensionMismatch);
  auto u = bratu.initial_guess();
  u[4] = std::nan("");
  try {
    jac.evaluate(u);
    FAIL() << "non-finite input accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("x[4]"), std::string::npos) << e.what();
  }
  CsrMatrix<double> wrong(Pattern::identity(9));
  EXPECT_THROW(jac.evaluate(bratu.initial_guess(), wrong), DimensionMismatch);
  JacobianOptions row_coloring;
  row_coloring.coloring.kind = ColoringKind::row;
  EXPECT_THROW(SparseJacobian(bratu, bratu.size(), bratu.size(), row_coloring), NotSupported);
  JacobianOptions bad_width;
  bad_width.lane_width = 3;
  EXPECT_THROW(SparseJacobian(bratu, bratu.size(), bratu.size(), bad_width), InvalidArgument);
}

}  // namespace
}  // namespace sparsediff

namespace sparsediff {
namespace {

// A user-supplied coloring: the 7-coloring of the 3-D 7-point stencil (fewer
// colors than any greedy ordering finds) gives the same Jacobian as the greedy
// one, and an invalid coloring is refused by the verifier.
TEST(SparseJacobian, GivenColoringIsVerifiedAndUsed) {
  const problems::NonlinearDiffusion3d diffusion{6};
  const auto u = diffusion.initial_guess();
  SparseJacobian greedy(diffusion, diffusion.size(), diffusion.size());
  JacobianOptions by_color;
  by_color.seeding = Seeding::by_color;
  SparseJacobian seven(diffusion, greedy.pattern(), diffusion.stencil_coloring(), by_color);
  EXPECT_EQ(seven.coloring().num_colors, 7);
  EXPECT_EQ(seven.lane_width(), 8);  // the seeds are the 7 colors
  EXPECT_EQ(seven.coloring().lower_bound, 7);
  const auto a = greedy.evaluate(u).host_values(), b = seven.evaluate(u).host_values();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 1e-12 * std::abs(a[k]));
  std::vector<Index> too_few(std::size_t(diffusion.size()));
  for (Index k = 0; k < diffusion.size(); ++k) too_few[k] = k % 6;
  EXPECT_THROW(SparseJacobian(diffusion, greedy.pattern(), too_few), InvalidColoring);
  EXPECT_THROW(SparseJacobian(diffusion, greedy.pattern(), std::vector<Index>(3)),
               DimensionMismatch);
}

}  // namespace
}  // namespace sparsediff
