#pragma once
// Wall-clock timing shared by examples and benchmarks: the median of
// repeated runs, each ending with a Kokkos fence so queued kernels count.
#include <Kokkos_Core.hpp>
#include <algorithm>
#include <chrono>
#include <vector>

namespace sparsediff::examples {

/// Median wall time in seconds of `repeats` runs of fn().
template <class Fn>
double median_seconds(int repeats, Fn&& fn) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    Kokkos::fence();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

}  // namespace sparsediff::examples
