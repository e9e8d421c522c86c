// ThreadSanitizer canary (tests/tsan/CMakeLists.txt): a Kokkos host kernel
// on 2 threads, race-free ('clean') or with two threads writing one value
// ('race': the first and the last index, which the static schedule gives to
// different threads).
#include <Kokkos_Core.hpp>
#include <cstdio>
#include <cstring>

// The suite's TSan options (tests/common/test_main.cpp), for runs by hand.
extern "C" const char* __tsan_default_options() { return SPARSEDIFF_TSAN_OPTIONS; }

namespace {

using Space = Kokkos::DefaultHostExecutionSpace;  // OpenMP in the TSan build

struct CanaryKernel {
  Kokkos::View<long*, Kokkos::HostSpace> values;
  Kokkos::View<long, Kokkos::HostSpace> shared;
  bool race;
  long last;

  // Named, so that the test can find it in TSan's report.
  void canary_race_kernel(long i) const {
    values(i) = 2 * i;
    if (race && (i == 0 || i == last)) shared() = i;
  }
  void operator()(long i) const { canary_race_kernel(i); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "clean") != 0 && std::strcmp(argv[1], "race") != 0)) {
    std::fprintf(stderr, "usage: tsan_canary clean|race\n");
    return 2;
  }
  const bool race = std::strcmp(argv[1], "race") == 0;
#if KOKKOS_VERSION >= 40000
  char threads_arg[] = "--kokkos-num-threads=2";
#else
  char threads_arg[] = "--kokkos-threads=2";
#endif
  char* kokkos_argv[] = {argv[0], threads_arg, nullptr};
  int kokkos_argc = 2;
  Kokkos::ScopeGuard guard(kokkos_argc, kokkos_argv);
  const int threads = Space::concurrency();
  const long n = 1000;
  CanaryKernel kernel{Kokkos::View<long*, Kokkos::HostSpace>("values", n),
                      Kokkos::View<long, Kokkos::HostSpace>("shared"), race, n - 1};
  long sum = 0;
  for (int rep = 0; rep < 3; ++rep) {
    Kokkos::parallel_for(Kokkos::RangePolicy<Space>(0, n), kernel);
    long s = 0;
    Kokkos::parallel_reduce(
        Kokkos::RangePolicy<Space>(0, n), [=](long i, long& acc) { acc += kernel.values(i); }, s);
    sum += s;
  }
  const bool ok = sum == 3 * n * (n - 1);
  std::printf("canary: %d threads, %s, sum %s\n", threads, race ? "race" : "clean",
              ok ? "ok" : "wrong");
  return ok && threads == 2 ? 0 : 1;
}
