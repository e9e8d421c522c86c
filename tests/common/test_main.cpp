// Test main: Kokkos is initialised once for the whole suite, with 2 threads
// for the OpenMP backend unless the command line says otherwise, so that the
// typed tests over execution spaces exercise both Serial and OpenMP.
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <string>
#include <vector>

#if defined(SPARSEDIFF_TSAN_OPTIONS)
// ThreadSanitizer build (cmake/SparsediffSanitize.cmake): TSan's default
// options, so that a test program run by hand behaves as under ctest;
// TSAN_OPTIONS in the environment still override them.
extern "C" const char* __tsan_default_options() { return SPARSEDIFF_TSAN_OPTIONS; }
#endif

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Listing (ctest's test discovery) needs no Kokkos, and Kokkos' start-up
  // warnings on stdout would be read as test names.
  if (::testing::GTEST_FLAG(list_tests)) return RUN_ALL_TESTS();
  std::vector<std::string> args(argv, argv + argc);
  bool threads_given = false;
  for (const auto& a : args)
    threads_given |= a.rfind("--kokkos-threads", 0) == 0 || a.rfind("--kokkos-num-threads", 0) == 0;
#if KOKKOS_VERSION >= 40000
  if (!threads_given) args.emplace_back("--kokkos-num-threads=2");
#else
  if (!threads_given) args.emplace_back("--kokkos-threads=2");
#endif
  std::vector<char*> kargv;
  for (auto& a : args) kargv.push_back(a.data());
  int kargc = int(kargv.size());
  Kokkos::initialize(kargc, kargv.data());
  const int result = RUN_ALL_TESTS();
  Kokkos::finalize();
  return result;
}
