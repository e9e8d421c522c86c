// LinearSolver: manufactured solutions (x chosen, b = A x computed densely
// here, x recovered by the solver) for every method x ordering x layout, the
// symbolic reuse contract (analyze once, factorize many), and every
// documented failure followed by a successful recovery.

#include "sparsediff/solve/linear_solver.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "test_matrices.hpp"

namespace sparsediff {
namespace {

using test::dense_multiply;
using test::laplacian_2d;
using test::random_spd;
using test::random_unsymmetric;
using test::random_vector;
using test::relative_error;
using test::TestMatrix;

constexpr double tolerance = 1e-10;  // every test matrix has condition number < 1e3

// Runs `f` expecting `Exception` whose message contains every fragment.
template <class Exception, class F>
void expect_error(F&& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no exception thrown";
  } catch (const Exception& e) {
    const std::string what = e.what();
    for (const auto& fragment : fragments)
      EXPECT_NE(what.find(fragment), std::string::npos)
          << "message \"" << what << "\" lacks \"" << fragment << "\"";
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

// Checks solve, solve_transposed and a 3-rhs solve against dense products.
void check_solves(LinearSolver& solver, const TestMatrix& a, unsigned seed) {
  const auto n = std::size_t(a.n);
  const auto x = random_vector(n, seed);
  EXPECT_LT(relative_error(solver.solve(dense_multiply(a, x)), x), tolerance) << "A x = b";
  EXPECT_LT(relative_error(solver.solve_transposed(dense_multiply(a, x, 1, true)), x), tolerance)
      << "A^T x = b";
  const auto block = random_vector(3 * n, seed + 1);
  EXPECT_LT(relative_error(solver.solve(dense_multiply(a, block, 3), 3), block), tolerance)
      << "A X = B, 3 right-hand sides";
  EXPECT_LT(relative_error(solver.solve_transposed(dense_multiply(a, block, 3, true), 3), block),
            tolerance)
      << "A^T X = B, 3 right-hand sides";
}

// ---------------------------------------------------------------------------
// Manufactured solutions over methods, orderings and CHOLMOD layouts.

struct Config {
  SolverMethod method;
  FillOrdering ordering;
  CholmodStrategy strategy;
};

std::string config_name(const testing::TestParamInfo<Config>& info) {
  std::string name = to_string(info.param.method) + "_" + to_string(info.param.ordering);
  if (info.param.method == SolverMethod::cholmod)
    name += info.param.strategy == CholmodStrategy::automatic    ? "_auto"
            : info.param.strategy == CholmodStrategy::simplicial ? "_simplicial"
                                                                 : "_supernodal";
  return name;
}

class ManufacturedSolution : public testing::TestWithParam<Config> {
 protected:
  LinearSolverOptions options() const {
    LinearSolverOptions o;
    o.method = GetParam().method;
    o.ordering = GetParam().ordering;
    o.cholmod_strategy = GetParam().strategy;
    return o;
  }

  // `exact_ordering`: whether the requested ordering must be the one that
  // ran; UMFPACK may leave its symmetric strategy (amd) for colamd when the
  // diagonal is poor, and reports so.
  void check(const TestMatrix& a, unsigned seed, bool exact_ordering = true) {
    LinearSolver solver(options());
    const auto matrix = a.csr();
    solver.analyze(matrix.pattern());
    solver.factorize(matrix);
    EXPECT_EQ(solver.info().method, GetParam().method);
    if (exact_ordering && GetParam().ordering != FillOrdering::automatic) {
      EXPECT_EQ(solver.info().ordering, GetParam().ordering);
    }
    if (GetParam().strategy != CholmodStrategy::automatic) {
      EXPECT_EQ(solver.info().supernodal, GetParam().strategy == CholmodStrategy::supernodal);
    }
    EXPECT_GT(solver.info().factor_nnz, 0.0);
    EXPECT_GT(solver.info().reciprocal_condition, 0.0);
    check_solves(solver, a, seed);
  }
};

TEST_P(ManufacturedSolution, Laplacian2d) { check(laplacian_2d(12), 1); }

TEST_P(ManufacturedSolution, RandomSpd) {
  for (unsigned seed : {11u, 12u}) check(random_spd(90, 5, seed), seed);
}

// LU only: the unsymmetric matrices are not for CHOLMOD.
class ManufacturedLuSolution : public ManufacturedSolution {};

TEST_P(ManufacturedLuSolution, RandomUnsymmetricDiagonallyDominant) {
  for (unsigned seed : {21u, 22u, 23u}) check(random_unsymmetric(80, 4, seed), seed);
}

TEST_P(ManufacturedLuSolution, RandomUnsymmetricWithZeroDiagonalEntries) {
  // Rows 0 and 1 swapped: the diagonal is mostly off the diagonal, so UMFPACK
  // must pivot off-diagonal (or choose its unsymmetric strategy).
  for (unsigned seed : {24u, 25u}) {
    auto a = random_unsymmetric(60, 3, seed);
    for (auto& r : a.rows) r = r < 30 ? r + 30 : r - 30;
    check(a, seed, false);
  }
}

std::vector<Config> lu_configs() {
  std::vector<Config> configs;
  for (auto ordering : {FillOrdering::automatic, FillOrdering::amd, FillOrdering::colamd,
                        FillOrdering::metis, FillOrdering::natural})
    configs.push_back({SolverMethod::umfpack, ordering, CholmodStrategy::automatic});
  return configs;
}

std::vector<Config> all_configs() {
  auto configs = lu_configs();
  for (auto ordering :
       {FillOrdering::automatic, FillOrdering::amd, FillOrdering::metis, FillOrdering::natural})
    for (auto strategy :
         {CholmodStrategy::automatic, CholmodStrategy::simplicial, CholmodStrategy::supernodal})
      configs.push_back({SolverMethod::cholmod, ordering, strategy});
  return configs;
}

INSTANTIATE_TEST_SUITE_P(MethodsAndOrderings, ManufacturedSolution,
                         testing::ValuesIn(all_configs()), config_name);
INSTANTIATE_TEST_SUITE_P(Orderings, ManufacturedLuSolution, testing::ValuesIn(lu_configs()),
                         config_name);

// ---------------------------------------------------------------------------
// Method selection and CHOLMOD's supernodal switch.

TEST(LinearSolver, AutomaticPicksCholmodOnlyForSpdWithSymmetricPattern) {
  const auto spd = laplacian_2d(5).csr();
  const auto unsymmetric = random_unsymmetric(30, 3, 5).csr();

  LinearSolver plain;
  plain.analyze(spd.pattern());
  EXPECT_EQ(plain.info().method, SolverMethod::umfpack) << "SPD not promised";

  LinearSolverOptions promised;
  promised.symmetric_positive_definite = true;
  LinearSolver spd_solver(spd.pattern(), promised);
  EXPECT_EQ(spd_solver.info().method, SolverMethod::cholmod);

  LinearSolver unsymmetric_solver(unsymmetric.pattern(), promised);
  EXPECT_EQ(unsymmetric_solver.info().method, SolverMethod::umfpack)
      << "a promise cannot make an unsymmetric pattern symmetric";
}

TEST(LinearSolver, CholmodGoesSupernodalOnlyWhenItPays) {
  LinearSolverOptions options;
  options.method = SolverMethod::cholmod;
  // Tridiagonal: about 3 flops per factor entry, far below the switch.
  TestMatrix tridiagonal;
  tridiagonal.n = 200;
  for (Index i = 0; i < 200; ++i) {
    tridiagonal.add(i, i, 4.0);
    if (i > 0) tridiagonal.add(i, i - 1, -1.0);
    if (i > 0) tridiagonal.add(i - 1, i, -1.0);
  }
  LinearSolver sparse_solver(tridiagonal.csr().pattern(), options);
  EXPECT_FALSE(sparse_solver.info().supernodal);
  // Dense 150 x 150: about 2n/3 = 100 flops per entry, above it.
  TestMatrix dense;
  dense.n = 150;
  for (Index i = 0; i < 150; ++i)
    for (Index j = 0; j < 150; ++j) dense.add(i, j, i == j ? 200.0 : 1.0 / (1.0 + i + j));
  LinearSolver dense_solver(dense.csr().pattern(), options);
  EXPECT_TRUE(dense_solver.info().supernodal);
  dense_solver.factorize(dense.csr());
  check_solves(dense_solver, dense, 3);
}

// ---------------------------------------------------------------------------
// Symbolic reuse.

TEST(LinearSolver, RefactorizationReusesTheAnalysis) {
  for (auto method : {SolverMethod::umfpack, SolverMethod::cholmod}) {
    LinearSolverOptions options;
    options.method = method;
    auto a = laplacian_2d(8);
    LinearSolver solver(a.csr().pattern(), options);
    for (int step = 0; step < 6; ++step) {
      // New values on the same structure: a shifted, rescaled Laplacian; the
      // pattern object is rebuilt each time, as a Newton loop would.
      for (std::size_t k = 0; k < a.values.size(); ++k)
        if (a.rows[k] == a.cols[k]) a.values[k] = 4.0 + 0.5 * step + 0.01 * double(a.rows[k]);
      solver.compute(a.csr());
      check_solves(solver, a, 100 + unsigned(step));
    }
    EXPECT_EQ(solver.timings().analyze_count, 1) << to_string(method);
    EXPECT_EQ(solver.timings().factorize_count, 6);
    EXPECT_EQ(solver.timings().solve_count, 6 * 4);
    EXPECT_GE(solver.timings().analyze, 0.0);
    EXPECT_GT(solver.timings().factorize + solver.timings().solve, 0.0);
  }
}

TEST(LinearSolver, ComputeReanalyzesOnlyWhenThePatternChanges) {
  const auto a = random_unsymmetric(40, 3, 7);
  const auto b = random_unsymmetric(40, 3, 8);
  LinearSolver solver;
  solver.compute(a.csr());
  solver.compute(a.csr());
  EXPECT_EQ(solver.timings().analyze_count, 1);
  solver.compute(b.csr());
  EXPECT_EQ(solver.timings().analyze_count, 2);
  check_solves(solver, b, 9);
  solver.reset_timings();
  EXPECT_EQ(solver.timings().analyze_count, 0);
  EXPECT_EQ(solver.timings().factorize, 0.0);
}

TEST(LinearSolver, FactorizeRefusesAnotherPattern) {
  const auto a = random_unsymmetric(30, 3, 1);
  LinearSolver solver(a.csr().pattern());
  solver.factorize(a.csr());

  // Same size and entry count, different structure: move one off-diagonal entry.
  auto moved = a;
  std::size_t k = 0;
  while (moved.rows[k] == moved.cols[k]) ++k;
  const Index row = moved.rows[k];
  Index new_col = 0;
  while (a.csr().pattern().find(row, new_col) >= 0) ++new_col;
  moved.cols[k] = new_col;
  expect_error<InvalidArgument>([&] { solver.factorize(moved.csr()); },
                                {"differs", "row " + std::to_string(row)});

  const auto bigger = random_unsymmetric(31, 3, 1);
  expect_error<DimensionMismatch>([&] { solver.factorize(bigger.csr()); }, {"31 x 31", "30 x 30"});
  // Input errors leave the previous factorization in place.
  EXPECT_TRUE(solver.factorized());
  check_solves(solver, a, 2);
}

// ---------------------------------------------------------------------------
// Failures and recovery.

TEST(LinearSolver, StructurallySingularPatternIsRefusedAtAnalysis) {
  for (bool empty_row : {true, false}) {
    TestMatrix a = random_unsymmetric(12, 2, 3);
    TestMatrix singular;
    singular.n = 12;
    for (std::size_t k = 0; k < a.values.size(); ++k)
      if ((empty_row ? a.rows[k] : a.cols[k]) != 5) singular.add(a.rows[k], a.cols[k], a.values[k]);
    LinearSolver solver;
    expect_error<SolverError>([&] { solver.analyze(singular.csr().pattern()); },
                              {"structurally singular", (empty_row ? "row 5" : "column 5")});
    EXPECT_FALSE(solver.analyzed());
    // Recovery: the next good pattern is analyzed and solved.
    solver.compute(a.csr());
    check_solves(solver, a, 4);
  }
}

TEST(LinearSolver, NumericallySingularMatrixNamesThePivotAndCondition) {
  // Two matrices on one pattern, where row 7 holds the union of the columns
  // of rows 3 and 7: `good` keeps row 7's values (still diagonally dominant,
  // the other columns structural zeros), `singular` copies row 3 into row 7.
  const TestMatrix base = random_unsymmetric(20, 3, 31);
  TestMatrix good, singular;
  good.n = singular.n = base.n;
  std::vector<double> row3(20, 0.0), row7(20, 0.0);
  std::vector<bool> used(20, false);
  for (std::size_t k = 0; k < base.values.size(); ++k) {
    if (base.rows[k] == 3) row3[std::size_t(base.cols[k])] = base.values[k];
    if (base.rows[k] == 3 || base.rows[k] == 7) used[std::size_t(base.cols[k])] = true;
    if (base.rows[k] == 7) {
      row7[std::size_t(base.cols[k])] = base.values[k];
    } else {
      good.add(base.rows[k], base.cols[k], base.values[k]);
      singular.add(base.rows[k], base.cols[k], base.values[k]);
    }
  }
  for (Index c = 0; c < 20; ++c)
    if (used[std::size_t(c)]) {
      good.add(7, c, row7[std::size_t(c)]);
      singular.add(7, c, row3[std::size_t(c)]);
    }
  ASSERT_TRUE(good.csr().pattern() == singular.csr().pattern());

  LinearSolverOptions options;
  options.method = SolverMethod::umfpack;
  LinearSolver solver(singular.csr().pattern(), options);
  expect_error<SolverError>([&] { solver.factorize(singular.csr()); },
                            {"singular", "zero pivot", "column", "reciprocal condition"});
  EXPECT_FALSE(solver.factorized());
  expect_error<SolverError>([&] { solver.solve(std::vector<double>(20, 1.0)); },
                            {"last factorize failed", "singular"});
  // Recovery on the same analysis.
  solver.factorize(good.csr());
  EXPECT_TRUE(solver.factorized());
  check_solves(solver, good, 5);
  EXPECT_EQ(solver.timings().analyze_count, 1);
}

TEST(LinearSolver, CholmodRefusesIndefiniteMatricesNamingTheColumn) {
  for (auto strategy : {CholmodStrategy::simplicial, CholmodStrategy::supernodal}) {
    LinearSolverOptions options;
    options.method = SolverMethod::cholmod;
    options.cholmod_strategy = strategy;
    options.ordering = FillOrdering::natural;  // so the failing step is predictable
    TestMatrix a = laplacian_2d(7);
    const Index bad = 20;
    TestMatrix indefinite = a;
    for (std::size_t k = 0; k < indefinite.values.size(); ++k)
      if (indefinite.rows[k] == bad && indefinite.cols[k] == bad) indefinite.values[k] = -1.0;
    LinearSolver solver(a.csr().pattern(), options);
    // Natural order: pivots before column 20 do not involve a_20,20, and the
    // pivot at 20 is a_20,20 - (positive) < 0.
    expect_error<SolverError>([&] { solver.factorize(indefinite.csr()); },
                              {"not positive definite", "row/column " + std::to_string(bad)});
    EXPECT_FALSE(solver.factorized());
    solver.factorize(a.csr());
    check_solves(solver, a, 6);
  }
}

TEST(LinearSolver, CholmodRefusesSemidefiniteMatrices) {
  // Graph Laplacian of a path (Neumann): rows sum to zero, singular PSD.
  TestMatrix a;
  a.n = 10;
  for (Index i = 0; i < 10; ++i) {
    a.add(i, i, (i == 0 || i == 9) ? 1.0 : 2.0);
    if (i > 0) a.add(i, i - 1, -1.0);
    if (i + 1 < 10) a.add(i, i + 1, -1.0);
  }
  LinearSolverOptions options;
  options.symmetric_positive_definite = true;
  LinearSolver solver(options);
  expect_error<SolverError>([&] { solver.compute(a.csr()); }, {"not positive definite"});
  EXPECT_EQ(solver.info().method, SolverMethod::cholmod);
}

TEST(LinearSolver, CholmodRefusesUnsymmetricInput) {
  LinearSolverOptions options;
  options.method = SolverMethod::cholmod;
  // Unsymmetric values on a symmetric pattern.
  TestMatrix a = laplacian_2d(4);
  TestMatrix skewed = a;
  for (std::size_t k = 0; k < skewed.values.size(); ++k)
    if (skewed.rows[k] == 1 && skewed.cols[k] == 5) skewed.values[k] = -0.5;
  LinearSolver solver(a.csr().pattern(), options);
  expect_error<InvalidArgument>([&] { solver.factorize(skewed.csr()); },
                                {"symmetric", "a(1, 5) = -0.5", "a(5, 1) = -1"});
  solver.factorize(a.csr());
  check_solves(solver, a, 7);
  // Unsymmetric pattern.
  expect_error<InvalidArgument>(
      [&] { solver.analyze(random_unsymmetric(20, 3, 2).csr().pattern()); },
      {"symmetric pattern", "is present but"});
  // Missing diagonal entry.
  TestMatrix hollow;
  hollow.n = 3;
  hollow.add(0, 0, 2.0);
  hollow.add(0, 1, 1.0);
  hollow.add(1, 0, 1.0);
  hollow.add(2, 2, 1.0);
  hollow.add(1, 2, 0.5);
  hollow.add(2, 1, 0.5);
  expect_error<SolverError>([&] { solver.analyze(hollow.csr().pattern()); },
                            {"no diagonal entry in row 1"});
}

TEST(LinearSolver, ColamdIsNotACholeskyOrdering) {
  LinearSolverOptions options;
  options.method = SolverMethod::cholmod;
  options.ordering = FillOrdering::colamd;
  expect_error<NotSupported>([&] { LinearSolver solver(options); }, {"COLAMD"});
  options.method = SolverMethod::automatic;
  options.symmetric_positive_definite = true;
  LinearSolver solver(options);
  expect_error<NotSupported>([&] { solver.analyze(laplacian_2d(3).csr().pattern()); }, {"COLAMD"});
}

TEST(LinearSolver, NonFiniteInputsAreNamed) {
  const auto a = random_unsymmetric(20, 3, 4);
  LinearSolver solver(a.csr().pattern());
  solver.factorize(a.csr());

  auto bad = a;
  const std::size_t k = 5;
  bad.values[k] = std::numeric_limits<double>::quiet_NaN();
  const std::string entry =
      "(" + std::to_string(bad.rows[k]) + ", " + std::to_string(bad.cols[k]) + ")";
  expect_error<InvalidArgument>([&] { solver.factorize(bad.csr()); }, {entry, "nan"});
  bad.values[k] = -std::numeric_limits<double>::infinity();
  expect_error<InvalidArgument>([&] { solver.factorize(bad.csr()); }, {entry, "inf"});
  EXPECT_TRUE(solver.factorized()) << "an input error keeps the previous factors";

  std::vector<double> b(3 * 20, 1.0);
  b[20 + 13] = std::numeric_limits<double>::infinity();
  expect_error<InvalidArgument>([&] { solver.solve(b, 3); }, {"right-hand side 1, entry 13"});
  expect_error<InvalidArgument>([&] { solver.solve_transposed(b, 3); }, {"entry 13", "inf"});
  check_solves(solver, a, 8);
}

TEST(LinearSolver, SizeErrors) {
  LinearSolver solver;
  expect_error<DimensionMismatch>(
      [&] {
        solver.analyze(Pattern::from_coo(3, 4, {0, 1, 2}, {0, 1, 2}));
      },
      {"3 x 4", "square"});
  const auto a = random_unsymmetric(10, 2, 9);
  solver.compute(a.csr());
  expect_error<DimensionMismatch>([&] { solver.solve(std::vector<double>(9, 1.0)); },
                                  {"9 entries", "10 * 1"});
  expect_error<DimensionMismatch>([&] { solver.solve(std::vector<double>(20, 1.0), 3); },
                                  {"10 * 3 = 30"});
  expect_error<InvalidArgument>([&] { solver.solve(std::vector<double>(), -1); }, {"negative"});
  std::vector<double> short_x(9);
  std::vector<double> b(10, 1.0);
  expect_error<DimensionMismatch>(
      [&] {
        solver.solve(LinearSolver::ConstVectorView(b.data(), 10),
                     LinearSolver::VectorView(short_x.data(), 9));
      },
      {"solution 9"});
  EXPECT_TRUE(solver.solve(std::vector<double>(), 0).empty());
}

TEST(LinearSolver, CallOrderErrors) {
  const auto a = random_unsymmetric(10, 2, 10);
  LinearSolver solver;
  expect_error<SolverError>([&] { solver.factorize(a.csr()); }, {"nothing analyzed"});
  solver.analyze(a.csr().pattern());
  expect_error<SolverError>([&] { solver.solve(std::vector<double>(10, 1.0)); },
                            {"no factorization"});
}

TEST(LinearSolver, ReciprocalConditionThreshold) {
  // [[1, 1], [1, 1 + 1e-12]]: SPD, condition number about 4e12, and no row
  // scaling (UMFPACK scales rows before pivoting) makes it better.
  TestMatrix a;
  a.n = 2;
  a.add(0, 0, 1.0);
  a.add(0, 1, 1.0);
  a.add(1, 0, 1.0);
  a.add(1, 1, 1.0 + 1e-12);
  for (auto method : {SolverMethod::umfpack, SolverMethod::cholmod}) {
    LinearSolverOptions options;
    options.method = method;
    LinearSolver lenient(a.csr().pattern(), options);
    lenient.factorize(a.csr());
    EXPECT_LT(lenient.info().reciprocal_condition, 1e-10);
    options.min_reciprocal_condition = 1e-10;
    LinearSolver strict(a.csr().pattern(), options);
    expect_error<SolverError>([&] { strict.factorize(a.csr()); },
                              {"reciprocal condition estimate", "min_reciprocal_condition"});
  }
}

// ---------------------------------------------------------------------------
// Interfaces.

TEST(LinearSolver, ViewOverloadsIncludingInPlace) {
  const auto a = random_unsymmetric(25, 3, 12);
  LinearSolver solver;
  solver.compute(a.csr());
  const auto x = random_vector(25, 13);
  const auto b = dense_multiply(a, x);

  Kokkos::View<double*, Kokkos::HostSpace> bv("b", 25), xv("x", 25);
  for (std::size_t i = 0; i < 25; ++i) bv(i) = b[i];
  solver.solve(bv, xv);
  EXPECT_LT(relative_error(std::vector<double>(xv.data(), xv.data() + 25), x), tolerance);

  std::vector<double> in_place = dense_multiply(a, x, 1, true);
  LinearSolver::VectorView v(in_place.data(), 25);
  solver.solve_transposed(v, v);
  EXPECT_LT(relative_error(in_place, x), tolerance);

  const auto block = random_vector(25 * 4, 14);
  const auto rhs = dense_multiply(a, block, 4);
  Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace> B("B", 25, 4), X("X", 25, 4);
  for (std::size_t j = 0; j < 4; ++j)
    for (std::size_t i = 0; i < 25; ++i) B(i, j) = rhs[j * 25 + i];
  solver.solve(B, X);
  EXPECT_LT(relative_error(std::vector<double>(X.data(), X.data() + 100), block), tolerance);
  const auto rhs_t = dense_multiply(a, block, 4, true);
  for (std::size_t j = 0; j < 4; ++j)
    for (std::size_t i = 0; i < 25; ++i) B(i, j) = rhs_t[j * 25 + i];
  solver.solve_transposed(B, X);
  EXPECT_LT(relative_error(std::vector<double>(X.data(), X.data() + 100), block), tolerance);

  Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace> wrong("wrong", 24, 4);
  expect_error<DimensionMismatch>([&] { solver.solve(B, wrong); }, {"24 x 4"});
}

TEST(LinearSolver, MovedSolverKeepsItsFactors) {
  const auto a = random_spd(40, 4, 15);
  LinearSolverOptions options;
  options.symmetric_positive_definite = true;
  LinearSolver first(options);
  first.compute(a.csr());
  LinearSolver second(std::move(first));
  check_solves(second, a, 16);
  LinearSolver third;
  third = std::move(second);
  check_solves(third, a, 17);
  EXPECT_EQ(third.info().method, SolverMethod::cholmod);
}

TEST(LinearSolver, EmptySystem) {
  LinearSolver solver;
  solver.compute(CsrMatrix<double>(Pattern()));
  EXPECT_TRUE(solver.factorized());
  EXPECT_EQ(solver.size(), 0);
  EXPECT_TRUE(solver.solve(std::vector<double>()).empty());
  EXPECT_TRUE(solver.solve_transposed(std::vector<double>(), 3).empty());
}

TEST(LinearSolver, BlasInfoIsReported) {
  const std::string info = blas_info();
  EXPECT_FALSE(info.empty());
  RecordProperty("blas", info);
}

TEST(LinearSolver, ToString) {
  EXPECT_EQ(to_string(SolverMethod::automatic), "automatic");
  EXPECT_EQ(to_string(SolverMethod::cholmod), "cholmod");
  EXPECT_EQ(to_string(SolverMethod::umfpack), "umfpack");
}

}  // namespace
}  // namespace sparsediff
