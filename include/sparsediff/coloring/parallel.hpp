#pragma once
/// @file
/// Parallel partial distance-2 (column) coloring as Kokkos kernels.
///
/// The serial greedy (coloring/greedy.hpp) visits the columns one after the
/// other and gives each the smallest color not held by an earlier column
/// sharing a row with it (a distance-2 neighbor). Two modes do this in
/// parallel.
///
/// `ParallelColoringMode::deterministic` (the default) is the ordered
/// Jones-Plassmann scheme (Jones & Plassmann, "A parallel graph coloring
/// heuristic", SIAM J. Sci. Comput. 14(3), 1993, with the priorities of a
/// greedy ordering instead of random ones; Hasenplaugh, Kaler, Schardl &
/// Leiserson, "Ordering heuristics for parallel graph coloring", SPAA 2014).
/// The predecessors of column j are its distance-2 neighbors of higher
/// priority (in the natural order: the smaller indices). A column is colored
/// once all its predecessors are, with the smallest color none of them holds,
/// which is exactly what the serial greedy gives it: the result IS the serial
/// greedy's coloring in the same order, for every thread count, run and
/// execution space. Kernels:
///   1. wait(j) = the number of releases column j waits for: in the natural
///      order, the number of rows of j where j is not the first entry (rows
///      are sorted, and the columns of a row are colored in index order, so
///      j waits only for the entry before it in each row); with another
///      ordering, the number of (row, k) paths to predecessors k;
///   2. the columns with wait 0 form the first frontier;
///   3. per round, one kernel over the frontier: a column takes the smallest
///      color its predecessors do not hold (one walk, a 64-bit mask), then
///      releases its successors (atomic decrements of their waits); the
///      thread goes on with one successor it released, up to a chain of 64
///      columns, and appends the others (atomic cursor) to the next frontier.
/// Every column is colored exactly when its last predecessor has been (the
/// release/acquire order of the decrements carries the colors), and its
/// color depends only on its predecessors' colors: which thread colors it,
/// and in which round, does not matter. The frontiers are consecutive slices
/// of one array of n columns, so a round costs the host one kernel launch
/// and one scalar copy. Without chains the number of rounds would be the
/// longest chain of predecessors (3 N - 2 on an N x N 5-point stencil);
/// following chains makes a round advance many columns along a grid line
/// (about N + N / 64 rounds there).
///
/// `ParallelColoringMode::speculative` is the speculate-and-iterate scheme of
/// Bozdağ, Çatalyürek, Gebremedhin, Manne, Boman and Özgüner
/// ("Distributed-memory parallel algorithms for distance-2 coloring and
/// related problems in derivative computation", SIAM J. Sci. Comput. 32(4),
/// 2010), shared-memory form (Gebremedhin & Manne 2000): every round, each
/// uncolored column takes the smallest color not held by a distance-2
/// neighbor, reading and writing one shared color array (with relaxed
/// atomics: race-free, but a column sees whatever its neighbors have written
/// so far); then, of two neighbors with the same color, the lower priority
/// gives its color up and is colored again next round. The result depends on
/// the thread count and timing; on Kokkos::Serial the first round is the
/// serial greedy. It needs no ordering of the rounds, so it takes a handful
/// of rounds where the deterministic mode takes about a thousand.
///
/// Both modes need the rows of each column: a structurally symmetric
/// pattern (checked in parallel) is its own transpose; otherwise the
/// transpose is built by kernels.
///
/// Both modes return colors 0 .. num_colors - 1 (the speculative mode
/// compacts away a color left unused after conflicts), `backend = native`,
/// `ordering` = the ordering giving the priorities (natural by default) and
/// `selection = in_order`.

#include <Kokkos_Core.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/coloring/detail/parallel_kernels.hpp"
#include "sparsediff/coloring/greedy.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// How the parallel coloring orders the work of concurrent columns.
enum class ParallelColoringMode {
  speculative,   ///< shared color array, conflicts recolored: few rounds, result depends on
                 ///< threads and timing
  deterministic  ///< ordered Jones-Plassmann: exactly the serial greedy's colors on any
                 ///< thread count
};

/// What `color_parallel` computes.
struct ParallelColoringOptions {
  ParallelColoringMode mode = ParallelColoringMode::deterministic;
  /// The priorities: column j before column k when the ordering visits j
  /// first. `natural` (the default) needs no work; any other ordering is
  /// computed by the serial `greedy_order` first (its cost is that of the
  /// serial greedy, see coloring/greedy.hpp). With it, the deterministic
  /// mode equals `greedy_coloring` with the same ordering and `in_order`.
  Ordering ordering = Ordering::natural;
  /// Seed of `Ordering::random` (ignored otherwise).
  unsigned seed = 0;
};

namespace detail {

template <class ExecutionSpace>
using IndexPolicy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<Index>>;

/// True when the square pattern (m x m, CSR with sorted rows) is
/// structurally symmetric: entry (i, j) for every entry (j, i). Each entry
/// looks for its mirror in the other row (a branch-free count over short
/// rows, a binary search over long ones), read-only, in parallel.
template <class ExecutionSpace>
bool structurally_symmetric(
    const ExecutionSpace& space,
    const Kokkos::View<const Index*, typename ExecutionSpace::memory_space>& row_ptr,
    const Kokkos::View<const Index*, typename ExecutionSpace::memory_space>& col_idx, Index m) {
  Index missing = 0;
  Kokkos::parallel_reduce(
      "sparsediff::parallel_coloring::symmetric", IndexPolicy<ExecutionSpace>(space, 0, m),
      KOKKOS_LAMBDA(Index i, Index & sum) {
        for (Index k = row_ptr(i); k < row_ptr(i + 1); ++k) {
          const Index j = col_idx(k), begin = row_ptr(j), end = row_ptr(j + 1);
          Index at = begin;
          if (end - begin <= 16) {
            for (Index b = begin; b < end; ++b) at += col_idx(b) < i ? 1 : 0;
          } else {
            Index hi = end;
            while (at < hi) {
              const Index mid = at + (hi - at) / 2;
              if (col_idx(mid) < i)
                at = mid + 1;
              else
                hi = mid;
            }
          }
          if (at == end || col_idx(at) != i) ++sum;
        }
      },
      missing);
  return missing == 0;
}

/// The pattern's rows and its transpose's (the rows of each column) in the
/// memory space of `space`. A structurally symmetric pattern is its own
/// transpose (Hessians, most PDE Jacobians): its arrays serve for both.
/// Otherwise the transpose is built by kernels: column counts (atomic), a
/// scan, then each row places its entries at atomic cursors, so the order of
/// the rows within a column depends on the threads; the colorings do not
/// (they only take unions and counts over a column's rows).
template <class ExecutionSpace>
BipartiteViews<typename ExecutionSpace::memory_space> bipartite_views(const Pattern& pattern,
                                                                      const ExecutionSpace& space) {
  using memory_space = typename ExecutionSpace::memory_space;
  using policy = IndexPolicy<ExecutionSpace>;
  const Index m = pattern.rows(), n = pattern.cols();
  BipartiteViews<memory_space> g;
  const Kokkos::View<const Index*, memory_space> row_ptr =
      Kokkos::create_mirror_view_and_copy(memory_space{}, pattern.row_ptr());
  const Kokkos::View<const Index*, memory_space> col_idx =
      Kokkos::create_mirror_view_and_copy(memory_space{}, pattern.col_idx());
  g.row_ptr = row_ptr;
  g.col_idx = col_idx;
  if (m == n && m > 0 && structurally_symmetric(space, row_ptr, col_idx, m)) {
    g.col_ptr = row_ptr;
    g.row_idx = col_idx;
    return g;
  }
  Kokkos::View<Index*, memory_space> col_ptr(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::col_ptr"), space), n + 1);
  Kokkos::View<Index*, memory_space> row_idx(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::row_idx"), space,
                         Kokkos::WithoutInitializing),
      pattern.nnz());
  Kokkos::parallel_for(
      "sparsediff::parallel_coloring::column_counts", policy(space, 0, pattern.nnz()),
      KOKKOS_LAMBDA(Index k) { Kokkos::atomic_increment(&col_ptr(col_idx(k) + 1)); });
  Kokkos::parallel_scan(
      "sparsediff::parallel_coloring::column_offsets", policy(space, 0, n + 1),
      KOKKOS_LAMBDA(Index j, Index & sum, bool final) {
        sum += col_ptr(j);
        if (final) col_ptr(j) = sum;
      });
  Kokkos::View<Index*, memory_space> cursor(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::cursor"), space,
                         Kokkos::WithoutInitializing),
      n);
  Kokkos::parallel_for(
      "sparsediff::parallel_coloring::cursor", policy(space, 0, n),
      KOKKOS_LAMBDA(Index j) { cursor(j) = col_ptr(j); });
  Kokkos::parallel_for(
      "sparsediff::parallel_coloring::place_rows", policy(space, 0, m), KOKKOS_LAMBDA(Index i) {
        for (Index k = row_ptr(i); k < row_ptr(i + 1); ++k)
          row_idx(Kokkos::atomic_fetch_add(&cursor(col_idx(k)), Index(1))) = i;
      });
  g.col_ptr = col_ptr;
  g.row_idx = row_idx;
  return g;
}

/// Ordered Jones-Plassmann (deterministic mode): fills `color` with the
/// serial greedy's colors in priority order; a thread follows chains of up
/// to `chain` columns (`color_chain`; 1: plain Jones-Plassmann). Returns the
/// number of rounds.
template <class ExecutionSpace, class Priority>
Index jones_plassmann_colors(
    const ExecutionSpace& space, const BipartiteViews<typename ExecutionSpace::memory_space>& g,
    const Priority& priority,
    const Kokkos::View<Index*, typename ExecutionSpace::memory_space>& color, Index chain) {
  using memory_space = typename ExecutionSpace::memory_space;
  using policy = IndexPolicy<ExecutionSpace>;
  const Index n = static_cast<Index>(color.extent(0));
  Kokkos::View<Index*, memory_space> count(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::count"), space,
                         Kokkos::WithoutInitializing),
      n);
  // The columns in the order they become ready; round r colors one slice.
  Kokkos::View<Index*, memory_space> order(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::order"), space,
                         Kokkos::WithoutInitializing),
      n);
  Kokkos::View<Index, memory_space> tail(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::tail"), space));
  Kokkos::parallel_for(
      "sparsediff::parallel_coloring::count_predecessors", policy(space, 0, n),
      KOKKOS_LAMBDA(Index v) { count(v) = count_waits(g, v, priority); });
  Index ready = 0;
  Kokkos::parallel_scan(
      "sparsediff::parallel_coloring::first_frontier", policy(space, 0, n),
      KOKKOS_LAMBDA(Index v, Index & offset, bool final) {
        if (count(v) != 0) return;
        if (final) order(offset) = v;
        ++offset;
      },
      ready);
  Kokkos::deep_copy(space, tail, ready);
  Index head = 0, rounds = 0;
  while (head < ready) {
    ++rounds;
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::color_frontier", policy(space, head, ready),
        KOKKOS_LAMBDA(Index k) {
          color_chain(g, order(k), priority, color, count, order, tail, chain);
        });
    head = ready;
    Kokkos::deep_copy(space, ready, tail);
    space.fence();
  }
  // Priorities are distinct, so the predecessor relation has no cycle and
  // every column becomes ready: the last column of a chain of predecessors
  // of maximal length is ready, and coloring it releases its successors.
  return rounds;
}

/// Speculate and iterate (speculative mode): `work` holds the columns in
/// priority order. Returns the number of rounds. `chunk` > 0 runs the
/// tentative coloring with a dynamic schedule of that chunk size, 0 with the
/// space's default (static) schedule.
template <class ExecutionSpace, class Priority>
Index speculative_colors(const ExecutionSpace& space,
                         const BipartiteViews<typename ExecutionSpace::memory_space>& g,
                         const Priority& priority,
                         Kokkos::View<Index*, typename ExecutionSpace::memory_space> work,
                         const Kokkos::View<Index*, typename ExecutionSpace::memory_space>& color,
                         Index chunk) {
  using memory_space = typename ExecutionSpace::memory_space;
  using policy = IndexPolicy<ExecutionSpace>;
  using dynamic_policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::Schedule<Kokkos::Dynamic>,
                                             Kokkos::IndexType<Index>>;
  const Index n = static_cast<Index>(color.extent(0));
  Kokkos::View<Index*, memory_space> next(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::next"), space,
                         Kokkos::WithoutInitializing),
      n);
  Kokkos::View<char*, memory_space> lost(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::lost"), space,
                         Kokkos::WithoutInitializing),
      n);
  Kokkos::deep_copy(space, color, Index(-1));
  Index count = n, rounds = 0;
  while (count > 0) {
    ++rounds;
    const ReadShared<memory_space> shared{color};
    const auto speculate = KOKKOS_LAMBDA(Index k) {
      const Index v = work(k);
      relaxed_store(&color(v), smallest_free_color(g, v, shared));
    };
    if (chunk > 0) {
      dynamic_policy p(space, 0, count);
      p.set_chunk_size(chunk);
      Kokkos::parallel_for("sparsediff::parallel_coloring::speculate", p, speculate);
    } else {
      Kokkos::parallel_for("sparsediff::parallel_coloring::speculate", policy(space, 0, count),
                           speculate);
    }
    // From here on until the next round nothing writes a color that is read
    // concurrently: plain accesses.
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::detect", policy(space, 0, count),
        KOKKOS_LAMBDA(Index k) { lost(k) = loses_conflict(g, color, work(k), priority); });
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
    space.fence();
    auto swap = work;
    work = next;
    next = swap;
    count = next_count;
  }
  return rounds;
}

/// Renumbers `color` to 0 .. num_colors - 1 keeping the order of the colors
/// (a color may be unused after the speculative mode's conflicts). Returns
/// num_colors.
template <class ExecutionSpace>
Index compact_colors(const ExecutionSpace& space,
                     const Kokkos::View<Index*, typename ExecutionSpace::memory_space>& color) {
  using memory_space = typename ExecutionSpace::memory_space;
  using policy = IndexPolicy<ExecutionSpace>;
  const Index n = static_cast<Index>(color.extent(0));
  Index top = 0;
  Kokkos::parallel_reduce(
      "sparsediff::parallel_coloring::max_color", policy(space, 0, n),
      KOKKOS_LAMBDA(Index v, Index & m) {
        if (color(v) + 1 > m) m = color(v) + 1;
      },
      Kokkos::Max<Index>(top));
  Kokkos::View<Index*, memory_space> name(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::name"), space), top);
  // Test before setting: each flag is written at most a few times, not once
  // per column (relaxed atomics: several columns may set the same flag).
  Kokkos::parallel_for(
      "sparsediff::parallel_coloring::used_colors", policy(space, 0, n), KOKKOS_LAMBDA(Index v) {
        Index* flag = &name(color(v));
        if (relaxed_load(flag) == 0) relaxed_store(flag, Index(1));
      });
  Index used = 0;
  Kokkos::parallel_scan(
      "sparsediff::parallel_coloring::name_colors", policy(space, 0, top),
      KOKKOS_LAMBDA(Index c, Index & sum, bool final) {
        const Index flag = name(c);
        if (final) name(c) = sum;
        sum += flag;
      },
      used);
  if (used != top)
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::rename", policy(space, 0, n),
        KOKKOS_LAMBDA(Index v) { color(v) = name(color(v)); });
  return used;
}

/// Raw result of the parallel coloring: colors 0 .. num_colors - 1 in the
/// memory space of the execution space, and the number of rounds.
template <class MemorySpace>
struct ParallelColors {
  Kokkos::View<Index*, MemorySpace> color;
  Index num_colors = 0;
  Index rounds = 0;
};

/// Internal knobs (tests and benchmarks vary them; results do not depend on
/// `chain`): the longest chain a thread follows in one round of the
/// deterministic mode (`color_chain`), and the chunk of the speculative
/// mode's dynamic schedule (0: static).
struct ParallelTuning {
  Index chain = 64;
  Index speculative_chunk = 0;
};

/// The parallel coloring without the host-side result.
template <class ExecutionSpace>
ParallelColors<typename ExecutionSpace::memory_space> parallel_column_colors(
    const Pattern& pattern, const ParallelColoringOptions& options, const ExecutionSpace& space,
    const ParallelTuning& tuning = {}) {
  using memory_space = typename ExecutionSpace::memory_space;
  using policy = IndexPolicy<ExecutionSpace>;
  const Index n = pattern.cols();
  ParallelColors<memory_space> out;
  out.color = Kokkos::View<Index*, memory_space>(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::color"), space,
                         Kokkos::WithoutInitializing),
      n);
  if (n == 0) return out;
  const auto g = bipartite_views(pattern, space);

  // Priorities: the index, or the rank in the ordering (computed serially).
  std::vector<Index> host_order;
  Kokkos::View<Index*, memory_space> rank;
  if (options.ordering != Ordering::natural) {
    host_order = greedy_order(pattern, ColoringKind::column, options.ordering, options.seed);
    Kokkos::View<const Index*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> order(
        host_order.data(), host_order.size());
    const auto device_order = Kokkos::create_mirror_view_and_copy(memory_space{}, order);
    rank = Kokkos::View<Index*, memory_space>(
        Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::rank"), space,
                           Kokkos::WithoutInitializing),
        n);
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::rank", policy(space, 0, n),
        KOKKOS_LAMBDA(Index r) { rank(device_order(r)) = r; });
  }

  if (options.mode == ParallelColoringMode::deterministic) {
    out.rounds = options.ordering == Ordering::natural
                     ? jones_plassmann_colors(space, g, IndexPriority{}, out.color, tuning.chain)
                     : jones_plassmann_colors(space, g, RankPriority<memory_space>{rank}, out.color,
                                              tuning.chain);
    // The greedy's colors are contiguous: a column takes color c only when
    // its predecessors hold 0 .. c - 1.
    const auto color = out.color;
    Kokkos::parallel_reduce(
        "sparsediff::parallel_coloring::num_colors", policy(space, 0, n),
        KOKKOS_LAMBDA(Index v, Index & m) {
          if (color(v) + 1 > m) m = color(v) + 1;
        },
        Kokkos::Max<Index>(out.num_colors));
    return out;
  }

  Kokkos::View<Index*, memory_space> work(
      Kokkos::view_alloc(std::string("sparsediff::parallel_coloring::work"), space,
                         Kokkos::WithoutInitializing),
      n);
  if (options.ordering == Ordering::natural) {
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::work", policy(space, 0, n),
        KOKKOS_LAMBDA(Index v) { work(v) = v; });
    out.rounds =
        speculative_colors(space, g, IndexPriority{}, work, out.color, tuning.speculative_chunk);
  } else {
    Kokkos::parallel_for(
        "sparsediff::parallel_coloring::work", policy(space, 0, n),
        KOKKOS_LAMBDA(Index v) { work(rank(v)) = v; });
    out.rounds = speculative_colors(space, g, RankPriority<memory_space>{rank}, work, out.color,
                                    tuning.speculative_chunk);
  }
  out.num_colors = compact_colors(space, out.color);
  return out;
}

}  // namespace detail

/// Colors the columns of `pattern` (partial distance-2 coloring: columns
/// sharing a row get different colors) with Kokkos kernels on `space`.
///
/// @tparam ExecutionSpace where the kernels run; the pattern (host) is copied
///         to its memory space and transposed there.
/// @param pattern the Jacobian's sparsity pattern (m x n; either may be 0)
/// @param options `mode`: `deterministic` (default) gives exactly the colors of
///        `greedy_coloring` with `options.ordering` and `GreedySelection::in_order`
///        on every thread count; `speculative` gives a valid coloring that
///        depends on threads and timing. `ordering`: the priorities (natural
///        by default). See the file comment.
/// @param space the execution space instance
/// @return a column coloring with contiguous colors, `backend = native`,
///         `ordering = options.ordering`, `selection = in_order`,
///         `lower_bound` the largest row count, `seconds` the wall time of
///         the whole call (copies, transpose, kernels, result). Check it
///         with `verify`.
/// @throws InvalidArgument when `mode` or `ordering` is outside its enum.
/// Complexity: O(nnz + m + n) set-up (symmetry check or transpose), then
/// O(W) work with W = the sum over columns of their distance-2 walk (sum
/// over the column's rows of nnz_row): in the deterministic mode about one
/// walk (natural order: the entries before and at the column in each of its
/// rows, twice; another ordering: full walks, twice, plus the wait counts),
/// one more walk per 64 colors its predecessors hold beyond 64; in the
/// speculative mode one walk per round a column takes part in plus the
/// conflict checks. Rounds: deterministic at most the longest chain of
/// predecessors (3 N - 2 on an N x N 5-point stencil; chains of 64 bring it
/// to about N + N / 64), speculative a few. A non-natural ordering adds the
/// serial `greedy_order`.
template <class ExecutionSpace = DefaultHostExecutionSpace>
Coloring color_parallel(const Pattern& pattern, const ParallelColoringOptions& options,
                        const ExecutionSpace& space = ExecutionSpace()) {
  SPARSEDIFF_REQUIRE(options.mode == ParallelColoringMode::speculative ||
                         options.mode == ParallelColoringMode::deterministic,
                     InvalidArgument,
                     "mode " << static_cast<int>(options.mode) << " is not a ParallelColoringMode");
  SPARSEDIFF_REQUIRE(static_cast<int>(options.ordering) >= static_cast<int>(Ordering::natural) &&
                         static_cast<int>(options.ordering) <= static_cast<int>(Ordering::random),
                     InvalidArgument,
                     "ordering " << static_cast<int>(options.ordering) << " is not an Ordering");
  using policy = detail::IndexPolicy<ExecutionSpace>;
  Kokkos::Timer timer;
  const Index m = pattern.rows(), n = pattern.cols();
  const auto raw = detail::parallel_column_colors(pattern, options, space);

  Coloring result;
  result.kind = ColoringKind::column;
  result.colors.resize(static_cast<std::size_t>(n));
  Kokkos::View<Index*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> colors(
      result.colors.data(), result.colors.size());
  Kokkos::deep_copy(space, colors, raw.color);
  result.num_colors = raw.num_colors;
  // Every entry of a row needs its own color: the largest row is a bound.
  if (m > 0) {
    const auto row_ptr = Kokkos::create_mirror_view_and_copy(
        typename ExecutionSpace::memory_space{}, pattern.row_ptr());
    Kokkos::parallel_reduce(
        "sparsediff::parallel_coloring::lower_bound", policy(space, 0, m),
        KOKKOS_LAMBDA(Index i, Index & best) {
          if (row_ptr(i + 1) - row_ptr(i) > best) best = row_ptr(i + 1) - row_ptr(i);
        },
        Kokkos::Max<Index>(result.lower_bound));
  }
  space.fence();
  result.ordering = options.ordering;
  result.backend = ColoringBackend::native;
  result.selection = GreedySelection::in_order;
  result.seconds = timer.seconds();
  return result;
}

/// `color_parallel` with the natural ordering and the given mode.
/// @throws InvalidArgument when `mode` is outside its enum.
template <class ExecutionSpace = DefaultHostExecutionSpace>
Coloring color_parallel(const Pattern& pattern,
                        ParallelColoringMode mode = ParallelColoringMode::deterministic,
                        const ExecutionSpace& space = ExecutionSpace()) {
  ParallelColoringOptions options;
  options.mode = mode;
  return color_parallel(pattern, options, space);
}

}  // namespace sparsediff
