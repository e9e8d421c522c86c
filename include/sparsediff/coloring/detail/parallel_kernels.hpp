#pragma once
// Kernels of the parallel distance-2 (column) coloring (coloring/parallel.hpp).
//
// Everything here runs inside Kokkos kernels: Views only, no std::
// containers, no exceptions, no virtual calls, so the same code compiles for
// host and device execution spaces. The forbidden colors of a column are a
// 64-bit mask over one window of 64 colors at a time (KokkosKernels' "VB-bit"
// idea): the distance-2 neighborhood is walked once per window until a window
// has a free bit, so no per-thread scratch array sized by the number of
// colors is needed. Stencils need one window; a dense row of k columns needs
// k / 64 + 1 walks.

#include <Kokkos_Core.hpp>
#include <atomic>
#include <cstdint>
#include <type_traits>

#include "sparsediff/core/config.hpp"

namespace sparsediff::detail {

/// The bipartite row/column graph of a pattern in both directions, in the
/// memory space of the execution space that colors it.
template <class MemorySpace>
struct BipartiteViews {
  Kokkos::View<const Index*, MemorySpace> row_ptr, col_idx;  // row -> its columns
  Kokkos::View<const Index*, MemorySpace> col_ptr, row_idx;  // column -> its rows
};

/// Relaxed atomic load and store: what the speculative mode's shared color
/// array needs to be free of data races (a plain read of a value another
/// thread is writing is undefined behavior, and ThreadSanitizer reports it;
/// Kokkos 3's `MemoryTraits<Atomic>` reads and writes through `volatile`,
/// which is not atomic). No ordering is needed: a stale value is what the
/// speculation tolerates, and the conflict check after the kernel boundary
/// sees every write.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T relaxed_load(T* p) {
#if KOKKOS_VERSION >= 40000
  return Kokkos::atomic_load(p);
#else
  return Kokkos::Impl::atomic_load(p, Kokkos::Impl::memory_order_relaxed);
#endif
}

template <class T>
KOKKOS_FORCEINLINE_FUNCTION void relaxed_store(T* p, T value) {
#if KOKKOS_VERSION >= 40000
  Kokkos::atomic_store(p, value);
#else
  Kokkos::Impl::atomic_store(p, value, Kokkos::Impl::memory_order_relaxed);
#endif
}

/// Release and acquire fences around the hand-over of a column's color from
/// the thread that writes it to the thread whose atomic decrement makes a
/// successor ready. On the host these are compiler barriers (x86 orders
/// stores and loads this way by itself, and Kokkos 3's host atomics are full
/// barriers anyway); on devices, whose atomics are relaxed, a memory fence.
KOKKOS_FORCEINLINE_FUNCTION void release_fence() {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__) || defined(__SYCL_DEVICE_ONLY__)
  Kokkos::memory_fence();
#else
  std::atomic_thread_fence(std::memory_order_release);
#endif
}

KOKKOS_FORCEINLINE_FUNCTION void acquire_fence() {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__) || defined(__SYCL_DEVICE_ONLY__)
  Kokkos::memory_fence();
#else
  std::atomic_thread_fence(std::memory_order_acquire);
#endif
}

/// Priority of a column = its index (the natural order).
struct IndexPriority {
  KOKKOS_INLINE_FUNCTION Index operator()(Index v) const { return v; }
};

/// Priority of a column = its position in an ordering (`rank(order[r]) = r`).
template <class MemorySpace>
struct RankPriority {
  Kokkos::View<const Index*, MemorySpace> rank;
  KOKKOS_INLINE_FUNCTION Index operator()(Index v) const { return rank(v); }
};

/// Position of the lowest zero bit of `used` (which has one).
KOKKOS_INLINE_FUNCTION Index lowest_zero_bit(std::uint64_t used) {
  Index bit = 0;
  while (used & 1u) {
    used >>= 1;
    ++bit;
  }
  return bit;
}

/// Smallest color >= `first_base` (a multiple of 64) not held by a
/// distance-2 neighbor of column `v` (a column sharing a row with it), where
/// `color_of(u)` says what column u holds (negative: none, or not to be
/// considered). Distance-2 neighbors reached through several rows are seen
/// several times, which a mask does not mind.
template <class MemorySpace, class ColorOf>
KOKKOS_INLINE_FUNCTION Index smallest_free_color(const BipartiteViews<MemorySpace>& g, Index v,
                                                 const ColorOf& color_of, Index first_base = 0) {
  for (Index base = first_base;; base += 64) {
    std::uint64_t used = 0;
    for (Index a = g.col_ptr(v); a < g.col_ptr(v + 1); ++a) {
      const Index i = g.row_idx(a);
      for (Index b = g.row_ptr(i); b < g.row_ptr(i + 1); ++b) {
        const Index u = g.col_idx(b);
        if (u == v) continue;
        const Index c = color_of(u) - base;
        if (c >= 0 && c < 64) used |= std::uint64_t(1) << c;
      }
    }
    // At most (distance-2 degree) bits are set over all windows, so some
    // window within degree / 64 + 1 has a free bit.
    if (~used != 0) return base + lowest_zero_bit(used);
  }
}

/// Speculative mode: the shared color array as it is now (other threads may
/// be writing it, which is the speculation), read atomically.
template <class MemorySpace>
struct ReadShared {
  Kokkos::View<Index*, MemorySpace> color;
  KOKKOS_INLINE_FUNCTION Index operator()(Index u) const { return relaxed_load(&color(u)); }
};

/// Deterministic mode: the colors of the predecessors of `v` (its distance-2
/// neighbors of higher priority, all colored in earlier rounds); every other
/// column reads as uncolored.
template <class MemorySpace, class Priority>
struct ReadPredecessors {
  Kokkos::View<Index*, MemorySpace> color;
  Priority priority;
  Index priority_of_v;
  KOKKOS_INLINE_FUNCTION Index operator()(Index u) const {
    return priority(u) < priority_of_v ? color(u) : Index(-1);
  }
};

// The deterministic mode's dependencies. Column v may be colored once its
// predecessors (distance-2 neighbors of higher priority) are. Two ways to
// know when that is:
//
// - Natural order (IndexPriority): the rows of a Pattern are sorted, and the
//   columns of one row are pairwise neighbors, so they are colored in index
//   order; v is ready once, in each of its rows, the entry just before it is
//   colored. wait(v) = number of rows where v is not the first entry; a
//   colored column decrements only the entry just after it in each of its
//   rows. O(nnz) to count, one atomic per row of a column to release.
// - Any other priority: wait(v) = number of (row, u) paths from v to a
//   predecessor u (a pair sharing several rows counts once per row); a
//   colored column decrements every successor path. O(sum nnz_row^2).
//
// Either way every column is released exactly when its last predecessor is
// colored, so the colors (a function of the predecessors' colors only) are
// the same.

/// The number of releases column `v` waits for (see above).
template <class MemorySpace, class Priority>
KOKKOS_INLINE_FUNCTION Index count_waits(const BipartiteViews<MemorySpace>& g, Index v,
                                         const Priority& priority) {
  Index count = 0;
  if constexpr (std::is_same<Priority, IndexPriority>::value) {
    for (Index a = g.col_ptr(v); a < g.col_ptr(v + 1); ++a)
      if (g.col_idx(g.row_ptr(g.row_idx(a))) != v) ++count;
  } else {
    const Index pv = priority(v);
    for (Index a = g.col_ptr(v); a < g.col_ptr(v + 1); ++a) {
      const Index i = g.row_idx(a);
      for (Index b = g.row_ptr(i); b < g.row_ptr(i + 1); ++b)
        if (priority(g.col_idx(b)) < pv) ++count;
    }
  }
  return count;
}

/// Smallest color held by no predecessor of column `v` (all are colored):
/// one walk collects their colors in window 0; further windows are walked
/// only when the predecessors hold all of colors 0 .. 63.
template <class MemorySpace, class Priority>
KOKKOS_INLINE_FUNCTION Index greedy_color_of(const BipartiteViews<MemorySpace>& g, Index v,
                                             const Priority& priority,
                                             const Kokkos::View<Index*, MemorySpace>& color) {
  const Index pv = priority(v);
  std::uint64_t used = 0;
  for (Index a = g.col_ptr(v); a < g.col_ptr(v + 1); ++a) {
    const Index i = g.row_idx(a);
    const Index end = g.row_ptr(i + 1);
    for (Index b = g.row_ptr(i); b < end; ++b) {
      const Index u = g.col_idx(b);
      if (std::is_same<Priority, IndexPriority>::value && u >= v) break;  // sorted row
      if (priority(u) < pv) {
        const Index c = color(u);
        if (c < 64) used |= std::uint64_t(1) << c;
      }
    }
  }
  if (~used != 0) return lowest_zero_bit(used);
  return smallest_free_color(g, v, ReadPredecessors<MemorySpace, Priority>{color, priority, pv},
                             64);
}

/// Releases the successors of the colored column `v` (see above) and calls
/// `ready(u)` for each one whose wait count this release brought to 0.
template <class MemorySpace, class Priority, class Ready>
KOKKOS_INLINE_FUNCTION void release_successors(const BipartiteViews<MemorySpace>& g, Index v,
                                               const Priority& priority,
                                               const Kokkos::View<Index*, MemorySpace>& wait,
                                               const Ready& ready) {
  for (Index a = g.col_ptr(v); a < g.col_ptr(v + 1); ++a) {
    const Index i = g.row_idx(a);
    const Index end = g.row_ptr(i + 1);
    if constexpr (std::is_same<Priority, IndexPriority>::value) {
      Index b = g.row_ptr(i);
      while (g.col_idx(b) != v) ++b;
      if (b + 1 < end && Kokkos::atomic_fetch_sub(&wait(g.col_idx(b + 1)), Index(1)) == 1)
        ready(g.col_idx(b + 1));
    } else {
      const Index pv = priority(v);
      for (Index b = g.row_ptr(i); b < end; ++b) {
        const Index u = g.col_idx(b);
        if (priority(u) > pv && Kokkos::atomic_fetch_sub(&wait(u), Index(1)) == 1) ready(u);
      }
    }
  }
}

/// The ordered Jones-Plassmann step for column `v`, whose predecessors are
/// all colored: writes color(v) (the serial greedy's color), then releases
/// its successors. The thread goes on with the released successor of highest
/// priority, up to `chain` columns in all, and appends the other released
/// ones to `order` at the atomic cursor `tail` (the next round's frontier).
/// Following a chain within the kernel cuts the number of rounds (kernel
/// launches) and walks the pattern in index order; which thread colors a
/// column does not change its color.
///
/// Memory order: color(v) is written before the decrements that may make a
/// successor ready, and read by the thread whose decrement made it ready
/// only after that decrement (release and acquire fences around the
/// decrements; the colors of earlier predecessors follow by transitivity).
template <class MemorySpace, class Priority>
KOKKOS_INLINE_FUNCTION void color_chain(const BipartiteViews<MemorySpace>& g, Index v,
                                        const Priority& priority,
                                        const Kokkos::View<Index*, MemorySpace>& color,
                                        const Kokkos::View<Index*, MemorySpace>& wait,
                                        const Kokkos::View<Index*, MemorySpace>& order,
                                        const Kokkos::View<Index, MemorySpace>& tail, Index chain) {
  for (Index step = 1;; ++step) {
    color(v) = greedy_color_of(g, v, priority, color);
    release_fence();
    Index next = -1;
    release_successors(g, v, priority, wait, [&](Index u) {
      Index push = u;
      if (step < chain && (next < 0 || priority(u) < priority(next))) {
        push = next;
        next = u;
      }
      if (push >= 0) order(Kokkos::atomic_fetch_add(&tail(), Index(1))) = push;
    });
    if (next < 0) return;
    acquire_fence();
    v = next;
  }
}

/// True when a distance-2 neighbor u of `v` with higher priority holds `v`'s
/// color: the rule by which the lower priority (the larger index in the
/// natural order) gives its color up.
template <class MemorySpace, class Priority>
KOKKOS_INLINE_FUNCTION bool loses_conflict(const BipartiteViews<MemorySpace>& g,
                                           const Kokkos::View<Index*, MemorySpace>& color, Index v,
                                           const Priority& priority) {
  const Index c = color(v), pv = priority(v);
  for (Index a = g.col_ptr(v); a < g.col_ptr(v + 1); ++a) {
    const Index i = g.row_idx(a);
    for (Index b = g.row_ptr(i); b < g.row_ptr(i + 1); ++b) {
      const Index u = g.col_idx(b);
      if (color(u) == c && priority(u) < pv) return true;
    }
  }
  return false;
}

}  // namespace sparsediff::detail
