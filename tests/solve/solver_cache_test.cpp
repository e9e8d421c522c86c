// SolverCache: a Newton-like loop analyzes once per pattern, even when each
// iteration rebuilds its Pattern object; eviction is least-recently-used;
// a failed analysis caches nothing.

#include "sparsediff/solve/solver_cache.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "test_matrices.hpp"

namespace sparsediff {
namespace {

using test::dense_multiply;
using test::random_vector;
using test::relative_error;

TEST(SolverCache, NewtonLoopAnalyzesOnce) {
  SolverCache cache;
  auto a = test::random_unsymmetric(50, 4, 1);
  std::shared_ptr<LinearSolver> first;
  for (int iteration = 0; iteration < 10; ++iteration) {
    for (std::size_t k = 0; k < a.values.size(); ++k)
      if (a.rows[k] != a.cols[k]) a.values[k] *= 0.9;  // new values, same pattern
    auto solver = cache.factorize(a.csr());            // a fresh Pattern object each time
    if (iteration == 0) first = solver;
    EXPECT_EQ(solver, first);
    const auto x = random_vector(50, unsigned(iteration));
    EXPECT_LT(relative_error(solver->solve(dense_multiply(a, x)), x), 1e-10);
    EXPECT_LT(relative_error(solver->solve_transposed(dense_multiply(a, x, 1, true)), x), 1e-10);
  }
  EXPECT_EQ(first->timings().analyze_count, 1);
  EXPECT_EQ(first->timings().factorize_count, 10);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 9u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SolverCache, PatternsAlternateWithoutReanalysis) {
  LinearSolverOptions options;
  options.symmetric_positive_definite = true;
  SolverCache cache(options);
  const auto spd = test::laplacian_2d(6);
  const auto lu = test::random_unsymmetric(36, 3, 2);
  for (int round = 0; round < 4; ++round) {
    auto s = cache.factorize(spd.csr());
    auto u = cache.factorize(lu.csr());
    EXPECT_EQ(s->info().method, SolverMethod::cholmod);
    EXPECT_EQ(u->info().method, SolverMethod::umfpack);
    EXPECT_EQ(s->timings().analyze_count, 1);
    EXPECT_EQ(u->timings().analyze_count, 1);
    const auto x = random_vector(36, unsigned(round));
    EXPECT_LT(relative_error(s->solve(dense_multiply(spd, x)), x), 1e-10);
    EXPECT_LT(relative_error(u->solve(dense_multiply(lu, x)), x), 1e-10);
  }
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.hits(), 6u);
}

TEST(SolverCache, EvictsTheLeastRecentlyUsedPattern) {
  SolverCache cache({}, 2);
  const auto p1 = test::random_unsymmetric(20, 2, 1).csr().pattern();
  const auto p2 = test::random_unsymmetric(20, 2, 2).csr().pattern();
  const auto p3 = test::random_unsymmetric(20, 2, 3).csr().pattern();
  auto s1 = cache.get(p1);
  cache.get(p2);
  cache.get(p1);  // p2 is now the least recently used
  cache.get(p3);  // evicts p2
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.misses(), 3u);
  EXPECT_EQ(cache.get(p1), s1) << "p1 stayed";
  EXPECT_EQ(cache.misses(), 3u);
  cache.get(p2);
  EXPECT_EQ(cache.misses(), 4u) << "p2 was evicted";
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(s1->analyzed()) << "callers keep their solvers";
}

TEST(SolverCache, FailedAnalysisCachesNothing) {
  SolverCache cache;
  const auto singular = Pattern::from_coo(3, 3, {0, 1}, {0, 1});  // row 2 empty
  EXPECT_THROW(cache.get(singular), SolverError);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_THROW(cache.get(singular), SolverError);
}

TEST(SolverCache, RefusesBadSettings) {
  EXPECT_THROW(SolverCache({}, 0), InvalidArgument);
  LinearSolverOptions options;
  options.method = SolverMethod::cholmod;
  options.ordering = FillOrdering::colamd;
  EXPECT_THROW(SolverCache{options}, NotSupported);
}

}  // namespace
}  // namespace sparsediff
