#pragma once
/// @file
/// Index, execution and memory types used throughout sparsediff.
///
/// Indices (row/column indices and CSR offsets) are 32-bit `int`, the type
/// ColPack and SuiteSparse's `int` interfaces take: sizes and nnz above
/// 2^31 - 1 are refused with an error at construction.

#include <Kokkos_Core.hpp>

/// Configuration: inline the whole call tree of a hot kernel body (the user's
/// row kernel and the dual arithmetic it calls), so that dual numbers stay in
/// registers instead of travelling through memory between calls. GCC/Clang
/// host code only; a no-op elsewhere.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDA_ARCH__) && \
    !defined(__HIP_DEVICE_COMPILE__)
#define SPARSEDIFF_FLATTEN __attribute__((flatten))
#else
#define SPARSEDIFF_FLATTEN
#endif

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
