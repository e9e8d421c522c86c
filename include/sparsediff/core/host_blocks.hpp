#pragma once
// Blocks of consecutive items for host parallel loops whose work can fail or
// grows its own buffers (tracing, element lists): each block is run by one
// thread, keeps its own results, and the blocks are combined in order, so
// what comes out does not depend on the thread count.
#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cstdint>

#include "sparsediff/core/config.hpp"

namespace sparsediff::detail {

/// One block on a single thread, else a few per thread (for balance).
template <class ExecutionSpace>
Index host_blocks(const ExecutionSpace& space, Index items) {
  const Index threads = Index(space.concurrency());
  return threads <= 1 ? (items > 0 ? 1 : 0) : std::min<Index>(items, 8 * threads);
}

/// First item of block b of `blocks` over [0, items).
inline Index block_first(Index items, Index blocks, Index b) {
  return Index(std::int64_t(items) * b / blocks);
}

/// Runs body(b) for b in [0, blocks) on `space` (inline for one block). A
/// plain host lambda is fine: exceptions must not leave it, though.
template <class ExecutionSpace, class Body>
void run_host_blocks(const ExecutionSpace& space, const char* label, Index blocks,
                     const Body& body) {
  if (blocks == 1) {
    body(Index(0));
  } else if (blocks > 1) {
    Kokkos::parallel_for(label, Kokkos::RangePolicy<ExecutionSpace>(space, 0, blocks), body);
    space.fence();
  }
}

}  // namespace sparsediff::detail
