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

/// The host execution spaces and the same spaces spelled as
/// Kokkos::Device<Exec, HostSpace> (the "device data" overloads).
using DeviceDataSpaces = ::testing::Types<
#if defined(KOKKOS_ENABLE_OPENMP)
    Kokkos::OpenMP, Kokkos::Device<Kokkos::OpenMP, Kokkos::HostSpace>,
#endif
    Kokkos::Serial, Kokkos::Device<Kokkos::Serial, Kokkos::HostSpace>>;

}  // namespace sparsediff::test
