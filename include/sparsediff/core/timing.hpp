#pragma once
/// @file
/// Wall-clock intervals for the timings the library reports (set-up times,
/// per-iteration splits of the solvers).

#include <chrono>

namespace sparsediff::detail {

/// Seconds elapsed since `start` on the steady clock.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace sparsediff::detail
