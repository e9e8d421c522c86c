#pragma once
// Blocks of consecutive items for host parallel loops whose work can fail or
// grows its own buffers (tracing, element lists): each block is run by one
// thread, keeps its own results, and the blocks are combined in order, so
// what comes out does not depend on the thread count.
#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"

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

/// Rethrows the exception of the first block that stored one.
inline void rethrow_first(const std::vector<std::exception_ptr>& failures) {
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

/// Throws InvalidArgument when a pattern of nnz entries cannot be indexed.
inline void check_nnz_fits(const char* function, std::int64_t nnz) {
  if (nnz > std::int64_t(std::numeric_limits<Index>::max()))
    raise<InvalidArgument>(function, "the pattern has " + std::to_string(nnz) +
                                         " entries, more than the index type can count");
}

/// Where each block's entries start when the blocks' lists are laid end to
/// end (blocks + 1 offsets, the last the total), checked to fit an Index.
template <class List>
std::vector<std::int64_t> block_starts(const char* function, const std::vector<List>& lists) {
  std::vector<std::int64_t> start(lists.size() + 1, 0);
  for (std::size_t b = 0; b < lists.size(); ++b)
    start[b + 1] = start[b] + std::int64_t(lists[b].size());
  check_nnz_fits(function, start.back());
  return start;
}

}  // namespace sparsediff::detail
