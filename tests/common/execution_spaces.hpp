#pragma once
// Type lists shared by the typed tests.
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>

namespace sparsediff::test {

/// Every host execution space this Kokkos build enables.
using HostExecutionSpaces = ::testing::Types<
#if defined(KOKKOS_ENABLE_OPENMP)
    Kokkos::OpenMP,
#endif
    Kokkos::Serial>;

}  // namespace sparsediff::test
