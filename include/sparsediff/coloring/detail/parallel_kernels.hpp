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
#include <cstdint>

#include "sparsediff/core/config.hpp"

namespace sparsediff::detail {

/// The bipartite row/column graph of a pattern in both directions, in the
/// memory space of the execution space that colors it.
template <class MemorySpace>
struct BipartiteViews {
  Kokkos::View<const Index*, MemorySpace> row_ptr, col_idx;  // row -> its columns
  Kokkos::View<const Index*, MemorySpace> col_ptr, row_idx;  // column -> its rows
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

/// Smallest color not held by a distance-2 neighbor of column `v` (a column
/// sharing a row with it), where `color_of(u)` says what column u holds
/// (negative: none). Distance-2 neighbors reached through several rows are
/// seen several times, which a mask does not mind.
template <class MemorySpace, class ColorOf>
KOKKOS_INLINE_FUNCTION Index smallest_free_color(const BipartiteViews<MemorySpace>& g, Index v,
                                                 const ColorOf& color_of) {
  for (Index base = 0;; base += 64) {
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

/// Reads the shared color array as it is now (speculative mode: other
/// threads may be writing it, which is the speculation).
template <class MemorySpace>
struct ReadShared {
  Kokkos::View<Index*, MemorySpace> color;
  KOKKOS_INLINE_FUNCTION Index operator()(Index u) const { return color(u); }
};

/// Deterministic mode: a column of the same block is read as this round has
/// left it (one thread colors the block in index order); a column of the
/// warm-up range [warm_begin, first column of the block) from the block's
/// private warm-up colors; any other column as the previous round left it.
/// What other threads write this round is never read.
template <class MemorySpace>
struct ReadOwnBlock {
  Kokkos::View<Index*, MemorySpace> color;
  Kokkos::View<const Index*, MemorySpace> previous;
  Kokkos::View<Index*, MemorySpace> warm;
  Index block_size;
  Index block;
  Index warm_begin;
  KOKKOS_INLINE_FUNCTION Index operator()(Index u) const {
    if (u / block_size == block) return color(u);
    if (u >= warm_begin && u < block * block_size) return warm(u);
    return previous(u);
  }
};

/// True when a distance-2 neighbor u < v of `v` holds `v`'s color and passes
/// `candidate(u)`: the rule by which the larger index gives its color up.
template <class MemorySpace, class Candidate>
KOKKOS_INLINE_FUNCTION bool loses_conflict(const BipartiteViews<MemorySpace>& g,
                                           const Kokkos::View<Index*, MemorySpace>& color, Index v,
                                           const Candidate& candidate) {
  const Index c = color(v);
  for (Index a = g.col_ptr(v); a < g.col_ptr(v + 1); ++a) {
    const Index i = g.row_idx(a);
    for (Index b = g.row_ptr(i); b < g.row_ptr(i + 1); ++b) {
      const Index u = g.col_idx(b);
      if (u < v && color(u) == c && candidate(u)) return true;
    }
  }
  return false;
}

/// Any neighbor may be the winner (speculative mode: colors fixed in earlier
/// rounds cannot collide, since they were visible when v chose).
struct AnyColumn {
  KOKKOS_INLINE_FUNCTION bool operator()(Index) const { return true; }
};

/// Deterministic mode: only columns of other blocks colored this round
/// (columns of the same block and fixed ones were seen when v chose).
template <class MemorySpace>
struct OtherBlockThisRound {
  Kokkos::View<const Index*, MemorySpace> previous;
  Index block_size;
  Index block;
  KOKKOS_INLINE_FUNCTION bool operator()(Index u) const {
    return u / block_size != block && previous(u) < 0;
  }
};

}  // namespace sparsediff::detail
