// Tests of the parallel column coloring (coloring/parallel.hpp). References
// are independent of the code under test: the serial greedy of
// coloring/greedy.hpp (the deterministic mode must reproduce it exactly), the
// independent `verify` and the brute-force check of test_patterns.hpp, and
// dense-set computations of distance-2 degrees and predecessor chains.
#include "sparsediff/coloring/parallel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "../common/execution_spaces.hpp"
#include "sparsediff/coloring/greedy.hpp"
#include "sparsediff/coloring/verify.hpp"
#include "test_patterns.hpp"

namespace sparsediff {
namespace {

using testing::NamedPattern;

constexpr ParallelColoringMode kModes[] = {ParallelColoringMode::speculative,
                                           ParallelColoringMode::deterministic};

const char* mode_name(ParallelColoringMode mode) {
  return mode == ParallelColoringMode::speculative ? "speculative" : "deterministic";
}

Coloring serial_greedy(const Pattern& p, Ordering ordering = Ordering::natural) {
  ColoringOptions options;
  options.ordering = ordering;
  options.selection = GreedySelection::in_order;
  return greedy_coloring(p, options);
}

/// For each column, the set of other columns sharing a row with it (from the
/// rows, by brute force).
std::vector<std::set<Index>> distance2_neighbors(const Pattern& p) {
  std::vector<std::set<Index>> out(static_cast<std::size_t>(p.cols()));
  for (Index i = 0; i < p.rows(); ++i)
    for (Index a = p.row_begin(i); a < p.row_end(i); ++a)
      for (Index b = p.row_begin(i); b < p.row_end(i); ++b)
        if (a != b) out[p.col_idx()(a)].insert(p.col_idx()(b));
  return out;
}

/// Longest chain of columns j1 < j2 < ... where consecutive ones share a row:
/// the number of rounds of the ordered Jones-Plassmann in natural order.
Index longest_increasing_chain(const Pattern& p) {
  const auto neighbors = distance2_neighbors(p);
  std::vector<Index> level(static_cast<std::size_t>(p.cols()), 1);
  Index longest = 0;
  for (Index j = 0; j < p.cols(); ++j) {
    for (const Index k : neighbors[j])
      if (k < j) level[j] = std::max(level[j], level[k] + 1);
    longest = std::max(longest, level[j]);
  }
  return longest;
}

std::vector<NamedPattern> medium_patterns() {
  std::vector<NamedPattern> out;
  out.push_back({"stencil5_60", testing::stencil_2d(60, false)});
  out.push_back({"stencil9_40", testing::stencil_2d(40, true)});
  out.push_back({"stencil7_3d_16", testing::stencil_3d(16)});
  out.push_back({"brusselator_40", testing::brusselator_2d(40)});
  out.push_back({"banded_3000_4_2", testing::banded(3000, 4, 2)});
  out.push_back({"arrowhead_500", testing::arrowhead(500)});
  out.push_back({"random_200x300", testing::random_pattern(200, 300, 0.02, 7)});
  out.push_back({"random_50x400_dense", testing::random_pattern(50, 400, 0.3, 11)});
  out.push_back({"dense_rows_150", Pattern::dense(3, 150)});
  // Columns without entries among dense ones; rows without entries.
  out.push_back({"gappy_300x500", testing::random_pattern(300, 500, 0.004, 5)});
  return out;
}

// Smaller ones where many kernel launches are run (a round is a launch; on a
// loaded machine a launch of the OpenMP backend can take milliseconds).
std::vector<NamedPattern> chain_patterns() {
  std::vector<NamedPattern> out;
  out.push_back({"stencil5_30", testing::stencil_2d(30, false)});
  out.push_back({"stencil9_20", testing::stencil_2d(20, true)});
  out.push_back({"stencil7_3d_8", testing::stencil_3d(8)});
  out.push_back({"brusselator_20", testing::brusselator_2d(20)});
  out.push_back({"banded_400_4_2", testing::banded(400, 4, 2)});
  out.push_back({"arrowhead_100", testing::arrowhead(100)});
  out.push_back({"random_200x300", testing::random_pattern(200, 300, 0.02, 7)});
  out.push_back({"dense_rows_100", Pattern::dense(3, 100)});
  return out;
}

std::vector<NamedPattern> all_patterns() {
  auto out = testing::small_patterns();
  for (auto& p : medium_patterns()) out.push_back(std::move(p));
  for (unsigned seed = 0; seed < 20; ++seed) {
    const Index m = 5 + Index(seed * 37 % 200), n = 5 + Index(seed * 53 % 300);
    out.push_back(
        {"random_" + std::to_string(m) + "x" + std::to_string(n) + "_s" + std::to_string(seed),
         testing::random_pattern(m, n, 0.01 + 0.01 * (seed % 7), 2000 + seed)});
  }
  return out;
}

template <class Space>
class ParallelColoring : public ::testing::Test {};
TYPED_TEST_SUITE(ParallelColoring, test::HostExecutionSpaces);

TYPED_TEST(ParallelColoring, DeterministicIsExactlyTheSerialGreedy) {
  for (const auto& [name, p] : all_patterns()) {
    const Coloring serial = serial_greedy(p);
    // Repeated: a race would show as a different result some of the time.
    for (int run = 0; run < 3; ++run) {
      const Coloring c = color_parallel(p, ParallelColoringMode::deterministic, TypeParam());
      SCOPED_TRACE(name + " run " + std::to_string(run));
      EXPECT_EQ(c.colors, serial.colors);
      EXPECT_EQ(c.num_colors, serial.num_colors);
      EXPECT_EQ(c.lower_bound, serial.lower_bound);
      EXPECT_NO_THROW(verify(p, c));
    }
  }
}

TYPED_TEST(ParallelColoring, DeterministicWithOrderingIsThatSerialGreedy) {
  for (const auto ordering : testing::all_orderings())
    for (const auto& [name, p] : medium_patterns()) {
      ParallelColoringOptions options;
      options.ordering = ordering;
      options.seed = 17;
      const Coloring c = color_parallel(p, options, TypeParam());
      ColoringOptions serial_options;
      serial_options.ordering = ordering;
      serial_options.seed = 17;
      serial_options.selection = GreedySelection::in_order;
      const Coloring serial = greedy_coloring(p, serial_options);
      SCOPED_TRACE(name + " " + to_string(ordering));
      EXPECT_EQ(c.colors, serial.colors);
      EXPECT_EQ(c.ordering, ordering);
      EXPECT_NO_THROW(verify(p, c));
    }
}

TYPED_TEST(ParallelColoring, SmallPatternsAreValidByBruteForce) {
  for (const auto mode : kModes)
    for (const auto& [name, p] : testing::small_patterns()) {
      const Coloring c = color_parallel(p, mode, TypeParam());
      SCOPED_TRACE(name + " " + mode_name(mode));
      EXPECT_NO_THROW(verify(p, c));
      EXPECT_TRUE(testing::brute_force_valid(p, c));
      EXPECT_EQ(c.kind, ColoringKind::column);
      EXPECT_EQ(c.backend, ColoringBackend::native);
      EXPECT_EQ(c.ordering, Ordering::natural);
      EXPECT_EQ(c.selection, GreedySelection::in_order);
      EXPECT_EQ(c.lower_bound, testing::brute_force_lower_bound(p, ColoringKind::column));
      EXPECT_GE(c.num_colors, c.lower_bound);
      EXPECT_GE(c.seconds, 0.0);
    }
}

// The speculative mode's count depends on timing when several threads run,
// but every color a column takes is the smallest one its neighbors (as it
// saw them) leave free, so it is at most the column's distance-2 degree:
// num_colors <= max degree + 1 on any thread count.
TYPED_TEST(ParallelColoring, SpeculativeIsValidAndWithinDegreeBound) {
  for (const auto& [name, p] : all_patterns()) {
    const Coloring c = color_parallel(p, ParallelColoringMode::speculative, TypeParam());
    SCOPED_TRACE(name);
    EXPECT_NO_THROW(verify(p, c));
    std::size_t max_degree = 0;
    for (const auto& s : distance2_neighbors(p)) max_degree = std::max(max_degree, s.size());
    if (p.cols() > 0) {
      EXPECT_LE(c.num_colors, Index(max_degree) + 1);
    }
  }
}

TYPED_TEST(ParallelColoring, SpeculativeWithOrderingIsValid) {
  for (const auto ordering : {Ordering::smallest_last, Ordering::random})
    for (const auto& [name, p] : medium_patterns()) {
      ParallelColoringOptions options;
      options.mode = ParallelColoringMode::speculative;
      options.ordering = ordering;
      const Coloring c = color_parallel(p, options, TypeParam());
      SCOPED_TRACE(name + " " + to_string(ordering));
      EXPECT_NO_THROW(verify(p, c));
      EXPECT_EQ(c.ordering, ordering);
    }
}

// Without chains (tuning.chain = 1), one round per link of the longest chain
// of increasing distance-2 neighbors (3 N - 2 on an N x N 5-point stencil):
// the frontiers are exactly the columns whose predecessors are all colored.
// Following chains within a round leaves the colors unchanged and takes
// fewer rounds.
TYPED_TEST(ParallelColoring, DeterministicRoundsAndChains) {
  detail::ParallelTuning plain;
  plain.chain = 1;
  for (const auto& [name, p] : chain_patterns()) {
    const auto raw =
        detail::parallel_column_colors(p, ParallelColoringOptions{}, TypeParam(), plain);
    const Index longest = longest_increasing_chain(p);
    EXPECT_EQ(raw.rounds, longest) << name;
    const auto expected = serial_greedy(p).colors;
    const auto plain_colors = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, raw.color);
    EXPECT_EQ(std::vector<Index>(plain_colors.data(), plain_colors.data() + plain_colors.extent(0)),
              expected)
        << name << " chain 1";
    for (const Index chain : {2, 64, 100000}) {
      detail::ParallelTuning tuning;
      tuning.chain = chain;
      const auto chained =
          detail::parallel_column_colors(p, ParallelColoringOptions{}, TypeParam(), tuning);
      const auto colors = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, chained.color);
      EXPECT_EQ(std::vector<Index>(colors.data(), colors.data() + colors.extent(0)), expected)
          << name << " chain " << chain;
      EXPECT_LE(chained.rounds, longest) << name << " chain " << chain;
    }
  }
  const auto raw = detail::parallel_column_colors(testing::stencil_2d(30, false),
                                                  ParallelColoringOptions{}, TypeParam(), plain);
  EXPECT_EQ(raw.rounds, 3 * 30 - 2);
}

// The transpose built by kernels holds the same rows per column as the
// host transpose (the order within a column may differ with threads); the
// symmetry check agrees with Pattern::is_symmetric.
TYPED_TEST(ParallelColoring, KernelTransposeMatchesHostTranspose) {
  for (const auto& [name, p] : all_patterns()) {
    const auto g = detail::bipartite_views(p, TypeParam());
    const auto col_ptr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, g.col_ptr);
    const auto row_idx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, g.row_idx);
    const Pattern t = p.transpose();
    SCOPED_TRACE(name);
    // A structurally symmetric pattern serves as its own transpose.
    EXPECT_EQ(g.col_ptr.data() == g.row_ptr.data(), p.rows() > 0 && p.is_symmetric());
    ASSERT_EQ(col_ptr.extent(0), std::size_t(p.cols()) + 1);
    for (Index j = 0; j < p.cols(); ++j) {
      ASSERT_EQ(col_ptr(j + 1) - col_ptr(j), t.row_end(j) - t.row_begin(j)) << "column " << j;
      std::vector<Index> rows(row_idx.data() + col_ptr(j), row_idx.data() + col_ptr(j + 1));
      std::sort(rows.begin(), rows.end());
      const std::vector<Index> expected(t.col_idx().data() + t.row_begin(j),
                                        t.col_idx().data() + t.row_end(j));
      EXPECT_EQ(rows, expected) << "column " << j;
    }
  }
}

TEST(ParallelColoringSerial, SpeculativeOnSerialIsTheSerialGreedy) {
  // One thread sees every earlier write: no conflict, one round, the greedy.
  for (const auto& [name, p] : all_patterns()) {
    const Coloring c = color_parallel(p, ParallelColoringMode::speculative, Kokkos::Serial());
    EXPECT_EQ(c.colors, serial_greedy(p).colors) << name;
  }
  for (const auto& [name, p] : medium_patterns()) {
    ParallelColoringOptions options;
    options.mode = ParallelColoringMode::speculative;
    options.ordering = Ordering::smallest_last;
    const Coloring c = color_parallel(p, options, Kokkos::Serial());
    EXPECT_EQ(c.colors, serial_greedy(p, Ordering::smallest_last).colors) << name;
  }
}

TEST(ParallelColoringSerial, RejectsOptionsOutsideTheirEnums) {
  EXPECT_THROW(color_parallel(Pattern::identity(3), static_cast<ParallelColoringMode>(7)),
               InvalidArgument);
  ParallelColoringOptions options;
  options.ordering = static_cast<Ordering>(42);
  EXPECT_THROW(color_parallel(Pattern::identity(3), options), InvalidArgument);
}

TEST(ParallelColoringSerial, DenseRowsNeedOneColorPerColumn) {
  // Every pair of columns shares row 0: n colors, several 64-wide windows.
  const Pattern p = Pattern::dense(2, 200);
  for (const auto mode : kModes) {
    const Coloring c = color_parallel(p, mode);
    EXPECT_EQ(c.num_colors, 200) << mode_name(mode);
    EXPECT_TRUE(is_valid(p, c));
  }
}

TEST(ParallelColoringSerial, EmptyAndSingleColumn) {
  for (const auto mode : kModes) {
    const Coloring none = color_parallel(Pattern(), mode);
    EXPECT_TRUE(none.colors.empty());
    EXPECT_EQ(none.num_colors, 0);
    const Coloring no_rows = color_parallel(Pattern::from_coo(0, 3, {}, {}), mode);
    EXPECT_EQ(no_rows.colors, (std::vector<Index>{0, 0, 0}));
    EXPECT_EQ(no_rows.num_colors, 1);
    EXPECT_EQ(no_rows.lower_bound, 0);
    const Coloring one = color_parallel(Pattern::dense(4, 1), mode);
    EXPECT_EQ(one.colors, (std::vector<Index>{0}));
    EXPECT_EQ(one.lower_bound, 1);
  }
}

// The benchmark sizes (run with --gtest_also_run_disabled_tests): colors,
// rounds and times of both modes on Serial and OpenMP against the serial
// greedy; the speculative mode also with dynamic schedules of several chunk
// sizes.
TEST(ParallelColoringSerial, DISABLED_BenchmarkSizes) {
  const std::vector<NamedPattern> patterns = {
      {"stencil5_2d_N1000", testing::stencil_2d(1000, false)},
      {"stencil7_3d_N100", testing::stencil_3d(100)},
      {"brusselator_N707", testing::brusselator_2d(707)}};
  for (const auto& [name, p] : patterns) {
    const Coloring serial = serial_greedy(p);
    std::printf("%s n=%d nnz=%d greedy natural: %d colors %.3f s\n", name.c_str(), p.cols(),
                p.nnz(), serial.num_colors, serial.seconds);
    for (const auto mode : kModes) {
      ParallelColoringOptions options;
      options.mode = mode;
      const Coloring s = color_parallel(p, options, Kokkos::Serial());
      verify(p, s);
      std::printf("  %-13s Serial:    %d colors %.3f s\n", mode_name(mode), s.num_colors,
                  s.seconds);
#if defined(KOKKOS_ENABLE_OPENMP)
      const Coloring o = color_parallel(p, options, Kokkos::OpenMP());
      verify(p, o);
      std::printf("  %-13s OpenMP(%d): %d colors %.3f s%s\n", mode_name(mode),
                  Kokkos::OpenMP::concurrency(), o.num_colors, o.seconds,
                  o.colors == serial.colors ? " (= serial greedy)" : "");
#endif
    }
#if defined(KOKKOS_ENABLE_OPENMP)
    ParallelColoringOptions speculative;
    speculative.mode = ParallelColoringMode::speculative;
    for (const Index chunk : {0, 8, 32, 128, 512, 2048}) {
      Kokkos::Timer timer;
      detail::ParallelTuning tuning;
      tuning.speculative_chunk = chunk;
      const auto raw = detail::parallel_column_colors(p, speculative, Kokkos::OpenMP(), tuning);
      std::printf("  speculative OpenMP chunk %5d: %d colors, %d rounds, %.3f s\n", chunk,
                  raw.num_colors, raw.rounds, timer.seconds());
    }
#endif
  }
}

}  // namespace
}  // namespace sparsediff
