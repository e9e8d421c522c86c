// Thread scaling of each stage at n ~ 1e6, measured in one run: every
// benchmark times the same stage on Kokkos::Serial (1 thread) and on the
// default host execution space (OpenMP, --kokkos-threads=2), and reports
//   speedup       = time on 1 thread / time on all threads
//   GBps          = bytes that must move / time (all threads)
//   over_floor    = time / (bytes that must move / copy bandwidth)
// where the copy bandwidth comes from a STREAM-like copy kernel timed in the
// same run (BM_StreamCopy, run first).
//
//   OMP_PROC_BIND=false ./build/bench/bench_parallel --kokkos-threads=2
#include <algorithm>
#include <chrono>
#include <vector>

#include "bench/common/context.hpp"
#include "examples/common/pde_residuals.hpp"
#include "examples/common/timing.hpp"
#include "sparsediff/jacobian/sparse_jacobian.hpp"

namespace {

using namespace sparsediff;
using Host = DefaultHostExecutionSpace;
using Serial = Kokkos::Serial;

using examples::median_seconds;

double copy_bandwidth = 0;  // bytes/s of the copy kernel, set by BM_StreamCopy

template <class Space>
double time_copy(const Kokkos::View<double*, Kokkos::HostSpace>& a,
                 const Kokkos::View<double*, Kokkos::HostSpace>& b) {
  return median_seconds(7, [&] {
    Kokkos::parallel_for(
        "copy", Kokkos::RangePolicy<Space>(0, a.extent(0)),
        KOKKOS_LAMBDA(const std::size_t i) { b(i) = a(i); });
    Kokkos::fence();
  });
}

void BM_StreamCopy(benchmark::State& state) {
  const std::size_t n = 20'000'000;  // 160 MB per array: far beyond the caches
  Kokkos::View<double*, Kokkos::HostSpace> a("a", n), b("b", n);
  Kokkos::deep_copy(a, 1.0);
  const double t1 = time_copy<Serial>(a, b);
  double t = 0;
  for (auto _ : state) t = time_copy<Host>(a, b);
  copy_bandwidth = 2.0 * 8.0 * double(n) / t;
  state.counters["GBps"] = copy_bandwidth / 1e9;
  state.counters["GBps_1thread"] = 2.0 * 8.0 * double(n) / t1 / 1e9;
  state.counters["speedup"] = t1 / t;
}

void report(benchmark::State& state, double t1, double t, double bytes) {
  state.counters["t_1thread_ms"] = t1 * 1e3;
  state.counters["t_ms"] = t * 1e3;
  state.counters["speedup"] = t1 / t;
  if (bytes > 0) {
    state.counters["GBps"] = bytes / t / 1e9;
    if (copy_bandwidth > 0) state.counters["over_floor"] = t / (bytes / copy_bandwidth);
  }
}

problems::Bratu2d bratu() { return {1000}; }
problems::NonlinearDiffusion3d diffusion() { return {100}; }

template <class Problem>
void BM_Detection(benchmark::State& state, Problem p) {
  double t1 = 0, t = 0;
  for (auto _ : state) {
    t1 = median_seconds(3, [&] { detect_row_pattern(Serial(), p, p.size(), p.size()); });
    t = median_seconds(3, [&] { detect_row_pattern(Host(), p, p.size(), p.size()); });
  }
  report(state, t1, t, 0);
}

// Compressed evaluation with the recovery fused in (row kernels).
template <class Problem>
void BM_Evaluation(benchmark::State& state, Problem p) {
  SparseJacobian<Problem, Serial> serial(p, p.size(), p.size());
  SparseJacobian<Problem, Host> threads(p, serial.pattern());
  const auto u = p.initial_guess();
  CsrMatrix<double> J(serial.pattern());
  double t1 = 0, t = 0;
  for (auto _ : state) {
    t1 = median_seconds(5, [&] { serial.evaluate(u, J); });
    t = median_seconds(5, [&] { threads.evaluate(u, J); });
  }
  // Must move: x (8n), row pointers (4n), gather map (4 nnz), J values (8 nnz).
  const double n = p.size(), nnz = serial.pattern().nnz();
  report(state, t1, t, 12 * n + 12 * nnz);
  state.counters["colors"] = serial.coloring().num_colors;
}

template <class Problem>
void BM_Recovery(benchmark::State& state, Problem p) {
  SparseJacobian<Problem, Host> jac(p, p.size(), p.size());
  const auto& seed = jac.seed();
  std::vector<double> compressed(std::size_t(p.size()) * seed.num_colors, 1.0);
  CsrMatrix<double> J(jac.pattern());
  double t1 = 0, t = 0;
  for (auto _ : state) {
    t1 = median_seconds(5, [&] { recover<Serial>(seed, compressed, J); });
    t = median_seconds(5, [&] { recover<Host>(seed, compressed, J); });
  }
  // Must move: row pointers, gather map, J values; B entries read once each.
  const double n = p.size(), nnz = jac.pattern().nnz();
  report(state, t1, t, 4 * n + 12 * nnz + 8 * nnz);
}

template <class Problem>
void BM_SpMV(benchmark::State& state, Problem p) {
  SparseJacobian<Problem, Host> jac(p, p.size(), p.size());
  const auto u = p.initial_guess();
  const auto J = jac.evaluate(u);
  using SerialSpace = Kokkos::Device<Serial, Kokkos::HostSpace>;
  const CsrMatrix<double, SerialSpace> J1(
      J.pattern().template to<SerialSpace>(),
      Kokkos::View<double*, SerialSpace>(J.values().data(), J.values().extent(0)));
  Kokkos::View<double*, Kokkos::HostSpace> x("x", p.size()), y("y", p.size());
  Kokkos::deep_copy(x, 1.0);
  double t1 = 0, t = 0;
  for (auto _ : state) {
    t1 = median_seconds(7, [&] {
      J1.multiply(x, y);
      Kokkos::fence();
    });
    t = median_seconds(7, [&] {
      J.multiply(x, y);
      Kokkos::fence();
    });
  }
  const double n = p.size(), nnz = J.nnz();
  report(state, t1, t, 4 * n + 12 * nnz + 16 * n);
}

BENCHMARK(BM_StreamCopy)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Detection, bratu2d, bratu())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Detection, nldiff3d, diffusion())
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluation, bratu2d, bratu())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluation, nldiff3d, diffusion())
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Recovery, bratu2d, bratu())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Recovery, nldiff3d, diffusion())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpMV, bratu2d, bratu())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpMV, nldiff3d, diffusion())->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) { return sparsediff::bench::run_benchmarks(argc, argv); }
