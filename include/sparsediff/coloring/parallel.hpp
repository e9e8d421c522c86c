#pragma once
/// @file
/// Parallel partial distance-2 (column) coloring as Kokkos kernels.
///
/// The serial greedy (coloring/greedy.hpp) visits the columns one after the
/// other; here many columns choose their colors at once. Both modes follow
/// the speculate-and-iterate scheme of Bozdağ, Çatalyürek, Gebremedhin,
/// Manne, Boman and Özgüner ("Distributed-memory parallel algorithms for
/// distance-2 coloring and related problems in derivative computation",
/// SIAM J. Sci. Comput. 32(4), 2010), shared-memory form (Gebremedhin &
/// Manne 2000): every round
///   1. each uncolored column tentatively takes the smallest color not held
///      by a column sharing a row with it (its distance-2 neighbors, reached
///      through the rows of the column);
///   2. conflicts are detected in parallel: of two distance-2 neighbors that
///      took the same color this round, the one with the larger index gives
///      its color up (the smaller index is the higher priority, as in the
///      natural order of the serial greedy);
///   3. the losers form the next round's work.
/// The smallest uncolored index never loses, so every round colors at least
/// one column and the loop ends; on stencils it ends after a handful of
/// rounds.
///
/// `ParallelColoringMode::speculative` is that scheme as published: one
/// kernel thread per uncolored column, all reading and writing one shared
/// color array, so a column sees whatever its neighbors have written so far.
/// The result depends on the thread count and on timing. On Kokkos::Serial
/// the first round is exactly the serial greedy in natural order (nothing
/// conflicts); with T CPU threads each takes a contiguous range of columns,
/// so only columns near the T - 1 range borders conflict.
///
/// `ParallelColoringMode::deterministic` fixes what a column may see. The
/// columns are cut into blocks of consecutive indices whose size depends only
/// on the number of columns (not on the thread count); one kernel thread
/// colors a block sequentially in index order. Within its block a column sees
/// this round's colors (written earlier by the same thread); of other blocks
/// it sees only the colors fixed in earlier rounds (a copy of the color array
/// taken at the start of the round). Conflicts are then only between blocks,
/// and the larger index loses. In the first round each block also replays
/// the greedy over the previous block and renames its colors to agree with
/// that block's (see `detail::rename_block_colors`), which removes the border
/// conflicts where the greedy's pattern is periodic (banded matrices, 9-point
/// stencils). Every value a kernel reads is a function of the previous
/// round's array and of the index order, and the renaming counts are integer
/// sums, so the colors are the same for every thread count, every run, and
/// every execution space (the tests compare Serial with OpenMP).
///
/// Cost of parallelism: the natural-order greedy carries its pattern along
/// the whole index range, and a block started fresh does not join the
/// previous block's pattern seamlessly; the columns at a border see both
/// patterns and may need colors beyond the serial greedy's. Measured on the
/// benchmark stencils this is +1 to +3 colors (docs/parallel_coloring.md);
/// the speculative mode on one thread has no borders and no extra colors.
///
/// Both modes return colors compacted to 0 .. num_colors - 1 (a color left
/// unused when its holders lost a conflict is removed, order kept), with
/// `backend = native`, `ordering = natural` (the priority is the column
/// index) and `selection = in_order`.

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cstddef>
#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/coloring/detail/parallel_kernels.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// How the parallel coloring lets concurrent columns see each other.
enum class ParallelColoringMode {
  speculative,   ///< shared color array, read while written: fastest, depends on threads/timing
  deterministic  ///< blocks see only earlier rounds of other blocks: same colors on any thread
                 ///< count
};

namespace detail {

/// Block size of the deterministic mode: a function of n only (never of the
/// thread count), large enough that a block covers many grid lines of a
/// stencil (the serial greedy settles into its periodic pattern within a
/// block, and only block borders conflict), and at most 16 blocks: every
/// border may cost colors (docs/parallel_coloring.md), so fewer borders are
/// traded for less parallelism.
inline Index deterministic_block_size(Index n) {
  constexpr Index min_block = 1024, max_blocks = 16;
  const Index by_count = n / max_blocks + (n % max_blocks != 0 ? 1 : 0);
  return by_count > min_block ? by_count : min_block;
}

/// Renames the colors of each block b >= 1 so that its warm-up replay of
/// block b - 1 (`warm`) agrees with block b - 1's colors on the last quarter
/// of that block, composing the renamings from block 1 on (so every block
/// speaks block 0's names). Agreement counts are integers summed with
/// atomics, so the renaming does not depend on the thread count.
template <class ExecutionSpace, class ColorView>
void rename_block_colors(const ExecutionSpace& space, const ColorView& color, const ColorView& warm,
                         Index block_size) {
  using memory_space = typename ExecutionSpace::memory_space;
  using policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<Index>>;
  const Index n = static_cast<Index>(color.extent(0));
  const Index num_blocks = n / block_size + (n % block_size != 0 ? 1 : 0);
  Index palette = 0;
  Kokkos::parallel_reduce(
      "sparsediff::parallel_coloring::palette", policy(space, 0, n),
      KOKKOS_LAMBDA(Index v, Index & m) {
        const Index c = color(v) > warm(v) ? color(v) : warm(v);
        if (c + 1 > m) m = c + 1;
      },
      Kokkos::Max<Index>(palette));
  // Past a few hundred colors (dense rows) a renaming table would cost more
  // than the conflicts it saves; the conflict rounds handle those alone.
  if (palette > 256) return;
  const std::size_t table = static_cast<std::size_t>(palette) * static_cast<std::size_t>(palette);
  Kokkos::View<Index*, memory_space> agree(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::agree"), space),
      static_cast<std::size_t>(num_blocks) * table);
  const Index tail = block_size - block_size / 4;
  Kokkos::parallel_for(
      "sparsediff::parallel_coloring::agree", policy(space, 0, n), KOKKOS_LAMBDA(Index u) {
        const Index next = u / block_size + 1;
        if (next >= num_blocks || u % block_size < tail) return;
        Kokkos::atomic_add(&agree(static_cast<std::size_t>(next) * table +
                                  static_cast<std::size_t>(warm(u)) * palette + color(u)),
                           Index(1));
      });
  const auto host_agree = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, agree);
  // names(b, c): block 0's name for block b's color c.
  Kokkos::View<Index*, memory_space> names(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::names"), space),
      static_cast<std::size_t>(num_blocks) * palette);
  auto host_names = Kokkos::create_mirror_view(names);
  for (Index c = 0; c < palette; ++c) host_names(c) = c;
  std::vector<Index> sigma(static_cast<std::size_t>(palette));
  std::vector<char> taken(static_cast<std::size_t>(palette));
  std::vector<std::size_t> order(table);
  for (Index b = 1; b < num_blocks; ++b) {
    // sigma: block b's color -> block b - 1's color, strongest agreements
    // first (ties by index: deterministic), the rest in increasing order.
    const std::size_t base = static_cast<std::size_t>(b) * table;
    for (std::size_t k = 0; k < table; ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      return host_agree(base + x) > host_agree(base + y);
    });
    std::fill(sigma.begin(), sigma.end(), -1);
    std::fill(taken.begin(), taken.end(), 0);
    for (const std::size_t k : order) {
      if (host_agree(base + k) == 0) break;
      const Index mine = static_cast<Index>(k / palette), theirs = static_cast<Index>(k % palette);
      if (sigma[mine] >= 0 || taken[theirs]) continue;
      sigma[mine] = theirs;
      taken[theirs] = 1;
    }
    Index free_name = 0;
    for (auto& s : sigma) {
      if (s >= 0) continue;
      while (taken[free_name]) ++free_name;
      s = free_name;
      taken[free_name] = 1;
    }
    for (Index c = 0; c < palette; ++c)
      host_names(static_cast<std::size_t>(b) * palette + c) =
          host_names(static_cast<std::size_t>(b - 1) * palette + sigma[c]);
  }
  Kokkos::deep_copy(space, names, host_names);
  Kokkos::parallel_for(
      "sparsediff::parallel_coloring::rename", policy(space, 0, n), KOKKOS_LAMBDA(Index v) {
        if (color(v) >= 0)
          color(v) = names(static_cast<std::size_t>(v / block_size) * palette + color(v));
      });
}

/// The parallel coloring with an explicit block size for the deterministic
/// mode (tests vary it; `color_parallel` uses `deterministic_block_size`).
/// Returns the raw colors (not compacted) and the number of rounds.
template <class ExecutionSpace>
Kokkos::View<Index*, typename ExecutionSpace::memory_space> parallel_column_colors(
    const Pattern& pattern, ParallelColoringMode mode, const ExecutionSpace& space,
    Index block_size, Index& rounds) {
  using memory_space = typename ExecutionSpace::memory_space;
  using policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<Index>>;
  const Index n = pattern.cols();
  rounds = 0;
  Kokkos::View<Index*, memory_space> color(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::color"), space), n);
  if (n == 0) return color;

  BipartiteViews<memory_space> g;
  const Pattern transposed = pattern.transpose_with_map().pattern;
  g.row_ptr = Kokkos::create_mirror_view_and_copy(memory_space{}, pattern.row_ptr());
  g.col_idx = Kokkos::create_mirror_view_and_copy(memory_space{}, pattern.col_idx());
  g.col_ptr = Kokkos::create_mirror_view_and_copy(memory_space{}, transposed.row_ptr());
  g.row_idx = Kokkos::create_mirror_view_and_copy(memory_space{}, transposed.col_idx());
  Kokkos::deep_copy(space, color, Index(-1));

  if (mode == ParallelColoringMode::speculative) {
    Kokkos::View<Index*, memory_space> work(
        Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::work"), space), n);
    Kokkos::View<Index*, memory_space> next(
        Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::next"), space), n);
    Kokkos::View<char*, memory_space> lost(
        Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::lost"), space), n);
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::init", policy(space, 0, n),
        KOKKOS_LAMBDA(Index v) { work(v) = v; });
    Index count = n;
    while (count > 0) {
      ++rounds;
      const ReadShared<memory_space> shared{color};
      Kokkos::parallel_for(
          "sparsediff::parallel_coloring::speculate", policy(space, 0, count),
          KOKKOS_LAMBDA(Index k) {
            const Index v = work(k);
            color(v) = smallest_free_color(g, v, shared);
          });
      Kokkos::parallel_for(
          "sparsediff::parallel_coloring::detect", policy(space, 0, count),
          KOKKOS_LAMBDA(Index k) { lost(k) = loses_conflict(g, color, work(k), AnyColumn{}); });
      Index next_count = 0;
      Kokkos::parallel_scan(
          "sparsediff::parallel_coloring::collect", policy(space, 0, count),
          KOKKOS_LAMBDA(Index k, Index & offset, bool final) {
            if (!lost(k)) return;
            if (final) {
              next(offset) = work(k);
              color(work(k)) = -1;
            }
            ++offset;
          },
          next_count);
      Kokkos::fence();
      auto swap = work;
      work = next;
      next = swap;
      count = next_count;
    }
    return color;
  }

  Kokkos::View<Index*, memory_space> previous(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::previous"), space), n);
  Kokkos::View<char*, memory_space> lost(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::lost"), space), n);
  // Round 1: block b first replays the serial greedy over the previous
  // block's columns into `warm` (a fresh start, as block b - 1 itself had one
  // block earlier), then colors its own columns continuing from there. Past
  // the greedy's start-up transient, the replay is the previous block's
  // actual coloring up to a renaming of colors (on stencils the greedy's
  // colors are periodic, and a shifted start shifts the colors); the renaming
  // is read off the agreement of the two on the previous block's last
  // quarter and applied to block b, so that the blocks join with few or no
  // conflicts. Each block writes a disjoint range of `warm`.
  Kokkos::View<Index*, memory_space> warm(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::warm"), space), n);
  Kokkos::deep_copy(space, warm, Index(-1));
  const Index num_blocks = n / block_size + (n % block_size != 0 ? 1 : 0);
  Index remaining = n;
  while (remaining > 0) {
    const bool first_round = rounds == 0;
    ++rounds;
    Kokkos::deep_copy(space, previous, color);
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::color_blocks", policy(space, 0, num_blocks),
        KOKKOS_LAMBDA(Index block) {
          const Index begin = block * block_size;
          const Index end = begin + block_size < n ? begin + block_size : n;
          const Index warm_begin = first_round && block > 0 ? begin - block_size : begin;
          const ReadOwnBlock<memory_space> read{color,      previous, warm,
                                                block_size, block,    warm_begin};
          for (Index v = warm_begin; v < begin; ++v) warm(v) = smallest_free_color(g, v, read);
          for (Index v = begin; v < end; ++v)
            if (previous(v) < 0) color(v) = smallest_free_color(g, v, read);
        });
    if (first_round && num_blocks > 1) rename_block_colors(space, color, warm, block_size);
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::detect", policy(space, 0, n), KOKKOS_LAMBDA(Index v) {
          lost(v) = previous(v) < 0 && loses_conflict(g, color, v,
                                                      OtherBlockThisRound<memory_space>{
                                                          previous, block_size, v / block_size});
        });
    remaining = 0;
    Kokkos::parallel_reduce(
        "sparsediff::parallel_coloring::release", policy(space, 0, n),
        KOKKOS_LAMBDA(Index v, Index & sum) {
          if (lost(v)) {
            color(v) = -1;
            ++sum;
          }
        },
        remaining);
  }
  return color;
}

}  // namespace detail

/// Colors the columns of `pattern` (partial distance-2 coloring: columns
/// sharing a row get different colors) with Kokkos kernels on `space`.
///
/// @tparam ExecutionSpace where the kernels run; the pattern (host) is copied
///         to its memory space, with its transpose (built on the host).
/// @param pattern the Jacobian's sparsity pattern (m x n; either may be 0)
/// @param mode `deterministic` (default): the same colors for every thread
///        count and run; `speculative`: the published scheme, colors depend
///        on threads and timing. See the file comment for both.
/// @param space the execution space instance
/// @return a column coloring with contiguous colors, `backend = native`,
///         `ordering = natural`, `selection = in_order`, `lower_bound` the
///         largest row count, `seconds` the wall time of the whole call
///         (transpose, copies, kernels, compaction). Check it with `verify`.
/// @throws InvalidArgument when `mode` is outside its enum.
/// Complexity: O(nnz + m + n) for the set-up, then per round O(sum over the
/// round's columns of their distance-2 walk, sum over its rows of nnz_row)
/// work (times colors / 64 + 1 windows), plus O(n) per round in the
/// deterministic mode; rounds are few (see docs/parallel_coloring.md).
template <class ExecutionSpace = DefaultHostExecutionSpace>
Coloring color_parallel(const Pattern& pattern,
                        ParallelColoringMode mode = ParallelColoringMode::deterministic,
                        const ExecutionSpace& space = ExecutionSpace()) {
  SPARSEDIFF_REQUIRE(
      mode == ParallelColoringMode::speculative || mode == ParallelColoringMode::deterministic,
      InvalidArgument, "mode " << static_cast<int>(mode) << " is not a ParallelColoringMode");
  Kokkos::Timer timer;
  const Index n = pattern.cols();
  Index rounds = 0;
  const auto device_colors = detail::parallel_column_colors(
      pattern, mode, space, detail::deterministic_block_size(n), rounds);
  const auto host_colors = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, device_colors);

  // Compact: a color whose every holder lost a conflict may be skipped.
  Coloring result;
  result.kind = ColoringKind::column;
  result.colors.assign(static_cast<std::size_t>(n), 0);
  Index max_color = -1;
  for (Index v = 0; v < n; ++v) max_color = host_colors(v) > max_color ? host_colors(v) : max_color;
  std::vector<Index> renumber(static_cast<std::size_t>(max_color + 1), -1);
  for (Index v = 0; v < n; ++v) renumber[static_cast<std::size_t>(host_colors(v))] = 0;
  Index used = 0;
  for (auto& r : renumber)
    if (r == 0) r = used++;
  for (Index v = 0; v < n; ++v)
    result.colors[static_cast<std::size_t>(v)] = renumber[static_cast<std::size_t>(host_colors(v))];
  result.num_colors = used;
  result.lower_bound = coloring_lower_bound(pattern, ColoringKind::column);
  result.ordering = Ordering::natural;
  result.backend = ColoringBackend::native;
  result.selection = GreedySelection::in_order;
  result.seconds = timer.seconds();
  return result;
}

}  // namespace sparsediff
