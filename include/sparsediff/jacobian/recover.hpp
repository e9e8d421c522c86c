#pragma once
/// @file
/// Direct recovery of J from its compressed product B = J S.
///
/// With a column coloring, nonzero k of J (row i, column j) equals
/// B(i, color(j)): recovery is a gather through the seed's precomputed
/// `compressed_index`, one parallel kernel over rows (each row's nonzeros are
/// written by one thread, so results do not depend on the thread count).

#include <vector>

#include "sparsediff/ad/dual.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/jacobian/seed.hpp"
#include "sparsediff/sparse/csr.hpp"

namespace sparsediff {
namespace detail {

/// Writes the nonzeros [begin, end) of one row held by the lanes of its
/// compressed row `r` (a dual whose lane l is color first_color + l).
template <class V, int N>
KOKKOS_INLINE_FUNCTION void recover_row(const Dual<V, N>& r, Index first_color, Index begin,
                                        Index end, const Index* compressed_index, double* values) {
  constexpr int lanes = N;
  for (Index k = begin; k < end; ++k) {
    const Index lane = compressed_index[k] - first_color;
    if (lane >= 0 && lane < lanes) values[k] = r.d[lane];
  }
}

}  // namespace detail

/// Recovers J's values from a compressed product B (row-major, rows() x
/// seed.num_colors) computed by any means (dual numbers, finite differences).
/// @tparam ExecutionSpace a space that reads host memory (B, the seed and J
///         are host arrays).
/// @throws DimensionMismatch when B's size or J's pattern does not fit.
/// Complexity O(nnz), parallel over rows.
template <class ExecutionSpace = DefaultHostExecutionSpace>
void recover(const Seed& seed, const std::vector<double>& compressed, CsrMatrix<double>& jacobian) {
  static_assert(Kokkos::SpaceAccessibility<ExecutionSpace, Kokkos::HostSpace>::accessible,
                "sparsediff::recover: B, the seed and J are in host memory; use a host space");
  const Index m = jacobian.rows(), p = seed.num_colors;
  SPARSEDIFF_REQUIRE(
      compressed.size() == static_cast<std::size_t>(m) * static_cast<std::size_t>(p),
      DimensionMismatch,
      "compressed product has " << compressed.size() << " entries, expected " << m << " x " << p);
  SPARSEDIFF_REQUIRE(seed.compressed_index.extent(0) == static_cast<std::size_t>(jacobian.nnz()),
                     DimensionMismatch,
                     "seed built for " << seed.compressed_index.extent(0)
                                       << " nonzeros, Jacobian has " << jacobian.nnz());
  const auto ptr = jacobian.pattern().row_ptr();
  const auto gather = seed.compressed_index;
  const auto values = jacobian.values();
  const double* b = compressed.data();
  Kokkos::parallel_for(
      "sparsediff::recover", Kokkos::RangePolicy<ExecutionSpace>(0, m),
      KOKKOS_LAMBDA(const Index i) {
        for (Index k = ptr(i); k < ptr(i + 1); ++k) values(k) = b[std::size_t(i) * p + gather(k)];
      });
  Kokkos::fence();
}

}  // namespace sparsediff
