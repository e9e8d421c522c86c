// Thread scaling of each stage at n ~ 1e6 (detection, evaluation, recovery,
// SpMV, coloring, element Hessian pattern, Hessian-vector products), measured in one run: every
// benchmark times the same stage on Kokkos::Serial (1 thread) and on the
// default host execution space (OpenMP, --kokkos-threads=2), and reports
//   speedup       = time on 1 thread / time on all threads
//   GBps          = bytes that must move / time (all threads)
//   over_floor    = time / (bytes that must move / copy bandwidth)
// where the copy bandwidth comes from a STREAM-like copy kernel timed in the
// same run (BM_StreamCopy, run first). BM_Coloring adds colors and the
// serial greedy's time as reference counters.
//
//   OMP_PROC_BIND=false ./build/bench/bench_parallel --kokkos-threads=2
#include "sparsediff/coloring/parallel.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "bench/common/context.hpp"
#include "examples/common/objectives.hpp"
#include "examples/common/pde_residuals.hpp"
#include "examples/common/timing.hpp"
#include "sparsediff/coloring/greedy.hpp"
#include "sparsediff/hessian/elements.hpp"
#include "sparsediff/hessian/hvp.hpp"
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

// Compressed evaluation with the recovery fused in (row kernels), seeded
// as JacobianOptions::seeding says (counter by_row: the one in use).
template <class Problem>
void BM_Evaluation(benchmark::State& state, Problem p, Seeding seeding) {
  JacobianOptions options;
  options.seeding = seeding;
  SparseJacobian<Problem, Serial> serial(p, p.size(), p.size(), options);
  SparseJacobian<Problem, Host> threads(p, serial.pattern(), options);
  const auto u = p.initial_guess();
  CsrMatrix<double> J(serial.pattern());
  double t1 = 0, t = 0;
  for (auto _ : state) {
    t1 = median_seconds(5, [&] { serial.evaluate(u, J); });
    t = median_seconds(5, [&] { threads.evaluate(u, J); });
  }
  // Must move: x (8n), row pointers (4n), gather map or column indices
  // (4 nnz), J values (8 nnz).
  const double n = p.size(), nnz = serial.pattern().nnz();
  report(state, t1, t, 12 * n + 12 * nnz);
  state.counters["colors"] = serial.coloring().num_colors;
  state.counters["lanes"] = serial.lane_width();
  state.counters["by_row"] = serial.seeding() == Seeding::by_row;
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

// Parallel column coloring (coloring/parallel.hpp), whole calls: 1 thread =
// Kokkos::Serial, as the other stages. Counters: colors on all threads and
// on 1 thread, and the serial greedy in the same (natural) order as the
// reference: its colors and time (t_greedy_ms; vs_greedy = its time / the
// time on all threads).
Pattern bratu_pattern() {
  const auto p = bratu();
  return detect_row_pattern(Host(), p, p.size(), p.size());
}
Pattern diffusion_pattern() {
  const auto p = diffusion();
  return detect_row_pattern(Host(), p, p.size(), p.size());
}
Pattern minsurf_hessian_pattern() {
  const problems::MinimalSurface f{1000};
  return element_pattern(partially_separable<3>(f), f.size());
}

void BM_Coloring(benchmark::State& state, Pattern (*make_pattern)(), ParallelColoringMode mode) {
  const Pattern pattern = make_pattern();
  ColoringOptions natural;
  natural.ordering = Ordering::natural;
  natural.selection = GreedySelection::in_order;
  Index colors1 = 0, colors = 0, colors_greedy = 0;
  double t1 = 0, t = 0, t_greedy = 0;
  for (auto _ : state) {
    t1 = median_seconds(5, [&] { colors1 = color_parallel(pattern, mode, Serial()).num_colors; });
    t = median_seconds(5, [&] { colors = color_parallel(pattern, mode, Host()).num_colors; });
    t_greedy =
        median_seconds(5, [&] { colors_greedy = greedy_coloring(pattern, natural).num_colors; });
  }
  report(state, t1, t, 0);
  state.counters["colors"] = colors;
  state.counters["colors_1thread"] = colors1;
  state.counters["colors_greedy"] = colors_greedy;
  state.counters["t_greedy_ms"] = t_greedy * 1e3;
  state.counters["vs_greedy"] = t_greedy / t;
}

// The Hessian pattern of the minimal surface objective's element form
// (element_pattern: element table, variable -> elements lists, row unions).
void BM_ElementPattern(benchmark::State& state) {
  const problems::MinimalSurface surface{1000};
  const auto f = partially_separable<3>(surface);
  Index nnz = 0;
  double t1 = 0, t = 0;
  for (auto _ : state) {
    t1 = median_seconds(5, [&] { nnz = element_pattern(Serial(), f, surface.size()).nnz(); });
    t = median_seconds(5, [&] { nnz = element_pattern(Host(), f, surface.size()).nnz(); });
  }
  report(state, t1, t, 0);
  state.counters["nnz"] = double(nnz);
}

// Hessian-vector products of the minimal surface objective (n = 10^6) by
// elements (ElementHvpOperator: nested duals per element, blocks that share
// no variable in parallel), k = range(0) vectors per call. Bytes that must
// move: x, the k directions and the k products (8 n each, products read and
// written), the element table (K + 1 indices per element).
void BM_Hvp(benchmark::State& state) {
  const problems::MinimalSurface surface{1000};
  const auto f = partially_separable<3>(surface);
  const Index k = Index(state.range(0));
  const auto x = surface.initial_guess();
  std::vector<double> V(x.size() * std::size_t(k), 0.5), HV;
  ElementHvpOperator<3, problems::MinimalSurface, Serial> one(f, x);
  ElementHvpOperator<3, problems::MinimalSurface, Host> all(f, x);
  double t1 = 0, t = 0;
  for (auto _ : state) {
    t1 = median_seconds(5, [&] { one.apply(V, k, HV); });
    t = median_seconds(5, [&] { all.apply(V, k, HV); });
  }
  const double n = double(x.size()), elements = double(f.num_elements());
  report(state, t1, t, 8 * n + 24 * n * double(k) + 16 * elements);
  state.counters["vectors"] = double(k);
}

BENCHMARK(BM_StreamCopy)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Detection, bratu2d, bratu())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Detection, nldiff3d, diffusion())
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluation, bratu2d, bratu(), Seeding::automatic)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluation, bratu2d_by_row, bratu(), Seeding::by_row)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluation, nldiff3d, diffusion(), Seeding::automatic)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Evaluation, nldiff3d_by_color, diffusion(), Seeding::by_color)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Recovery, bratu2d, bratu())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Recovery, nldiff3d, diffusion())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpMV, bratu2d, bratu())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpMV, nldiff3d, diffusion())->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Coloring, bratu2d_deterministic, bratu_pattern,
                  ParallelColoringMode::deterministic)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Coloring, nldiff3d_deterministic, diffusion_pattern,
                  ParallelColoringMode::deterministic)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Coloring, minsurf_hessian_deterministic, minsurf_hessian_pattern,
                  ParallelColoringMode::deterministic)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Coloring, bratu2d_speculative, bratu_pattern,
                  ParallelColoringMode::speculative)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Coloring, nldiff3d_speculative, diffusion_pattern,
                  ParallelColoringMode::speculative)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Coloring, minsurf_hessian_speculative, minsurf_hessian_pattern,
                  ParallelColoringMode::speculative)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(BM_ElementPattern)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Hvp)->Arg(1)->Arg(4)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) { return sparsediff::bench::run_benchmarks(argc, argv); }
