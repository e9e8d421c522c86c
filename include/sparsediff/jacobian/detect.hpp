#pragma once
/// @file
/// Jacobian sparsity detection: the `Pattern` of J = ∂f/∂x found by running
/// the user's templated function once with tracer scalars (ad/tracer.hpp).
///
/// Two kinds of user function are supported:
///
///  (a) whole vector: `template <class T> void operator()(const T* x, T* y) const`
///      computing m outputs from n inputs. `detect_jacobian_pattern` calls it
///      once with x_j = the tracer {j} and y_i = constant tracers; the set y_i
///      ends with is row i. An output the function never writes stays constant
///      and gives an empty row.
///  (b) row kernel: `template <class T> T operator()(int i, Accessor<T> x) const`
///      returning output i. `detect_row_pattern` traces each row on its own,
///      with an accessor that makes the tracer of x_j when the kernel reads it,
///      so nothing of size n is stored per input; rows run in parallel on a
///      host execution space.
///
/// Both assemble the CSR arrays directly from the sorted sets (no COO sort).
/// The result is global — valid for every x — as long as the function does
/// not branch on values; see ad/tracer.hpp for what comparisons return.
///
/// Cost: one traced evaluation, each operation a merge of two short sorted
/// arrays (a few ns for stencil-sized sets), plus O(m + nnz) assembly.

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/ad/accessor.hpp"
#include "sparsediff/ad/tracer.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/core/host_blocks.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

namespace detail {

inline void check_detection_sizes(const char* function, Index m, Index n) {
  if (m < 0 || n < 0)
    raise<InvalidArgument>(function, "negative size: m = " + std::to_string(m) +
                                         " outputs, n = " + std::to_string(n) + " inputs");
}

}  // namespace detail

/// The Jacobian pattern of a whole-vector function y = f(x), f: R^n -> R^m.
///
/// @param f  callable with `template <class T> void operator()(const T* x, T* y) const`,
///           reading x[0, n) and writing y[0, m). Outputs it does not write
///           give empty rows. It must not branch on values (see ad/tracer.hpp).
/// @param m  number of outputs (rows), m >= 0.
/// @param n  number of inputs (columns), n >= 0.
/// @return the m x n pattern: (i, j) present when y_i depends on x_j.
/// @throws InvalidArgument when m or n is negative, or the pattern has more
///         than 2^31 - 1 entries; whatever f throws propagates.
///
/// Complexity: one evaluation of f with tracers (each operation linear in the
/// sizes of its operands' sets) plus O(m + n + nnz). Memory: n + m tracers of
/// 16 bytes, plus an arena holding every set of two or more inputs f forms
/// (freed on return).
template <class F>
Pattern detect_jacobian_pattern(const F& f, Index m, Index n) {
  detail::check_detection_sizes("detect_jacobian_pattern", m, n);
  // The unions made while f runs live in this call's arena, freed on return.
  detail::ScopedTracerArena arena;
  std::vector<Tracer> x;
  x.reserve(static_cast<std::size_t>(n));
  for (Index j = 0; j < n; ++j) x.push_back(Tracer::input(j));
  std::vector<Tracer> y(static_cast<std::size_t>(m));
  f(static_cast<const Tracer*>(x.data()), y.data());

  std::vector<Index> row_ptr(static_cast<std::size_t>(m) + 1);
  std::int64_t nnz = 0;
  row_ptr[0] = 0;
  for (Index i = 0; i < m; ++i) {
    nnz += y[std::size_t(i)].size();
    detail::check_nnz_fits("detect_jacobian_pattern", nnz);
    row_ptr[std::size_t(i) + 1] = Index(nnz);
  }
  std::vector<Index> col_idx;
  col_idx.reserve(static_cast<std::size_t>(nnz));
  for (const Tracer& yi : y) col_idx.insert(col_idx.end(), yi.begin(), yi.end());
  // from_csr re-checks the columns, which catches a tracer made outside this
  // call (an index >= n) stored into y.
  return Pattern::from_csr(m, n, std::move(row_ptr), std::move(col_idx));
}

/// The Jacobian pattern of a function given by a row kernel, output i = r(i, x).
///
/// Rows are traced independently, in parallel over blocks of rows on
/// `space` (a host execution space); the pattern does not depend on the
/// space or the number of threads.
///
/// @param space execution space instance to run on (must be able to access host memory).
/// @param r  callable with `template <class T> T operator()(int i, Accessor<T> x) const`.
///           It may read any x(j) with 0 <= j < n, and must not branch on values.
/// @param m  number of outputs (rows), m >= 0.
/// @param n  number of inputs (columns), n >= 0.
/// @return the m x n pattern: (i, j) present when r(i, x) depends on x_j.
/// @throws InvalidArgument when m or n is negative, when a row reads x(j) with
///         j outside [0, n) (naming the lowest such row and j), when a row
///         returns a tracer holding an index outside [0, n) (one made by hand,
///         e.g. Tracer::input(j); naming the lowest such row and its entry), or
///         when the pattern has more than 2^31 - 1 entries. An exception thrown
///         by r propagates (the one of the lowest-numbered failing block of rows).
///
/// Complexity: m traced row evaluations plus O(m + nnz) assembly (row ends,
/// copy into the pattern's arrays, checks, hash), all spread over the
/// space's threads; only O(threads) work is serial. Memory O(m + nnz);
/// nothing of size n.
template <class ExecutionSpace, class RowKernel>
Pattern detect_row_pattern(const ExecutionSpace& space, const RowKernel& r, Index m, Index n) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "detect_row_pattern: the first argument must be a Kokkos execution space");
  static_assert(Kokkos::SpaceAccessibility<ExecutionSpace, Kokkos::HostSpace>::accessible,
                "detect_row_pattern: tracers are host objects; use a host execution space");
  detail::check_detection_sizes("detect_row_pattern", m, n);

  // Blocks of consecutive rows, a few per thread for balance; each block
  // collects its rows' indices in its own buffer, so threads never share
  // growing storage and the blocks concatenate in row order.
  const Index blocks = detail::host_blocks(space, m);
  std::vector<std::vector<Index>> columns(static_cast<std::size_t>(blocks));
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(blocks));
  auto block_first_row = [m, blocks](Index b) { return detail::block_first(m, blocks, b); };

  // The pattern's own arrays, filled in place: row_ptr first holds each
  // row's end relative to its block's start, then the global ends.
  using IndexView = Kokkos::View<Index*, HostMemorySpace>;
  IndexView row_ptr(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("sparsediff::Pattern::row_ptr")),
      static_cast<std::size_t>(m) + 1);
  row_ptr(0) = 0;

  // A plain host lambda: exceptions must not leave a parallel region, so each
  // block stores its own and the lowest one is rethrown afterwards.
  detail::run_host_blocks(space, "sparsediff::detect_row_pattern", blocks, [&](const Index b) {
    try {
      // This thread's unions go to the block's arena, reset after every row:
      // a row's temporaries are dead once its indices are copied out.
      detail::ScopedTracerArena arena;
      std::vector<Index>& out = columns[std::size_t(b)];
      const Index first = block_first_row(b), last = block_first_row(b + 1);
      // Reserved, not resized: untouched capacity costs no page faults.
      out.reserve(std::size_t(last - first) * 8);
      for (Index i = first; i < last; ++i) {
        const Tracer yi(r(i, Accessor<Tracer>(n, i)));
        out.insert(out.end(), yi.begin(), yi.end());
        // Truncation past 2^31 - 1 entries is caught by the count check below.
        row_ptr(i + 1) = Index(out.size());
        arena.arena().reset();
      }
    } catch (...) {
      failures[b] = std::current_exception();
    }
  });
  detail::rethrow_first(failures);

  // Prefix sum, first level: where each block starts (a few per thread).
  const auto block_start = detail::block_starts("detect_row_pattern", columns);
  const std::int64_t nnz = block_start[blocks];

  // Second level, fused with the gather: each block shifts its rows' ends by
  // its start, copies its columns into the pattern's array, checks them as
  // from_csr would (a tracer made outside this call, e.g. Tracer::input(j)
  // with j >= n, could carry any index) and hashes its rows. A block records
  // its first bad entry; the lowest one is raised afterwards.
  IndexView col_idx(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("sparsediff::Pattern::col_idx")),
      static_cast<std::size_t>(nnz));
  struct BadEntry {
    Index row = -1, entry = -1, column = 0, previous = 0;
  };
  std::vector<BadEntry> bad(static_cast<std::size_t>(blocks));
  std::vector<std::uint64_t> block_hash(static_cast<std::size_t>(blocks), 0);
  detail::run_host_blocks(space, "sparsediff::detect_row_pattern::gather", blocks,
                          [&](const Index b) {
                            const Index first = block_first_row(b), last = block_first_row(b + 1);
                            const Index offset = Index(block_start[b]);
                            const Index* source = columns[b].data();
                            Index* target = col_idx.data() + offset;
                            std::uint64_t hash = 0;
                            Index begin = 0;  // row i's start, relative to the block's
                            for (Index i = first; i < last; ++i) {
                              const Index end = row_ptr(i + 1);
                              Index previous = -1;
                              for (Index k = begin; k < end; ++k) {
                                const Index j = source[k];
                                if ((j < 0 || j >= n || j <= previous) && bad[b].row < 0)
                                  bad[b] = BadEntry{i, offset + k, j, previous};
                                target[k] = j;
                                previous = j;
                              }
                              hash += detail::PatternHash::row(i, target + begin, end - begin);
                              row_ptr(i + 1) = offset + end;
                              begin = end;
                            }
                            block_hash[b] = hash;
                            // The block's buffer is no longer needed.
                            std::vector<Index>().swap(columns[b]);
                          });
  std::uint64_t row_sum = 0;
  for (Index b = 0; b < blocks; ++b) {
    const BadEntry& e = bad[b];
    if (e.row >= 0)
      detail::raise_bad_column("detect_row_pattern", e.row, e.entry, e.column, e.previous, n);
    row_sum += block_hash[b];
  }
  return detail::PatternBuilder::adopt<HostMemorySpace>(
      m, n, row_ptr, col_idx, detail::PatternHash::finish(m, n, Index(nnz), row_sum));
}

/// detect_row_pattern on the default host execution space
/// (`DefaultHostExecutionSpace`: OpenMP threads when enabled, else serial).
template <class RowKernel>
Pattern detect_row_pattern(const RowKernel& r, Index m, Index n) {
  return detect_row_pattern(DefaultHostExecutionSpace(), r, m, n);
}

}  // namespace sparsediff
