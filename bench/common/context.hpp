#pragma once
// Shared benchmark plumbing: Kokkos initialised once, the Kokkos backend,
// threads and git hash recorded in the benchmark context, and a main().
#include <benchmark/benchmark.h>

#include <Kokkos_Core.hpp>
#include <string>

#ifndef SPARSEDIFF_GIT_HASH
#define SPARSEDIFF_GIT_HASH "unknown"
#endif

namespace sparsediff::bench {

inline void add_kokkos_context() {
  benchmark::AddCustomContext("kokkos_host_space", Kokkos::DefaultHostExecutionSpace::name());
  benchmark::AddCustomContext("kokkos_threads",
                              std::to_string(Kokkos::DefaultHostExecutionSpace().concurrency()));
  benchmark::AddCustomContext("kokkos_version", std::to_string(KOKKOS_VERSION));
  benchmark::AddCustomContext("git_hash", SPARSEDIFF_GIT_HASH);
}

/// The body of main() for a benchmark program: Kokkos (threads from
/// --kokkos-threads or OMP_NUM_THREADS) around Google Benchmark.
inline int run_benchmarks(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  ::benchmark::Initialize(&argc, argv);
  add_kokkos_context();
  ::benchmark::RunSpecifiedBenchmarks();
  ::benchmark::Shutdown();
  return 0;
}

}  // namespace sparsediff::bench
