#pragma once
/// @file
/// Index, execution and memory types used throughout sparsediff.
///
/// Indices (row/column indices and CSR offsets) are 32-bit `int`, the type
/// ColPack and SuiteSparse's `int` interfaces take: sizes and nnz above
/// 2^31 - 1 are refused with an error at construction.

#include <Kokkos_Core.hpp>

namespace sparsediff {

/// Row/column index and CSR offset type.
using Index = int;

/// Memory space of host-side storage (patterns and matrices built from user data).
using HostMemorySpace = Kokkos::HostSpace;

/// Execution space of the library's kernels unless a caller picks another.
using DefaultExecutionSpace = Kokkos::DefaultExecutionSpace;

/// Execution space that runs on the host (OpenMP when enabled, else Serial).
using DefaultHostExecutionSpace = Kokkos::DefaultHostExecutionSpace;

}  // namespace sparsediff
