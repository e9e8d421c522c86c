// Sparse Hessians of the PROBLEMS.md objectives: minsurf (N = 1000, n = 1e6)
// and dixmaanj (n = 3e5 and 1e6). One double evaluation of f, the symbolic
// set-up (detection, star and acyclic coloring, recovery map), one Hessian
// evaluation by every path (second-order sweeps and dual tape with star/direct
// and acyclic/substitution recovery; element assembly by nested duals) and
// Hessian-vector products. Ratios are measured inside one benchmark (the
// reference is the median of repeated double evaluations taken in the same
// run just before):
//   F_ratio   = time of the benchmarked call / one double evaluation of f
//   speedup   = element assembly on Kokkos::Serial / on the default host space
// Everything but the `host` element benchmark runs on one thread (the
// Kokkos::Serial space) and is timed in the thread's CPU time, which a busy
// shared machine disturbs far less than wall time; the `host` one is wall time.
// PROBLEMS.md quotes ADOL-C at 630x (star) / 1260x (acyclic) on minsurf and
// 80x / 180-220x on dixmaanj, one thread, pattern and coloring cached.
//
//   ./build/bench/bench_hessian --benchmark_filter=Minsurf
#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/common/context.hpp"
#include "examples/common/objectives.hpp"
#include "sparsediff/hessian/hvp.hpp"
#include "sparsediff/hessian/sparse_hessian.hpp"

namespace {

using namespace sparsediff;
using problems::Dixmaan;
using problems::DixmaanElements;
using problems::MinimalSurface;

/// CPU time of the calling thread, in seconds.
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class Clock, class Fn>
double median_seconds(int repeats, Clock&& clock, Fn&& fn) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const double start = clock();
    fn();
    t.push_back(clock() - start);
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

// Sizes: minsurf N = 1000 (and 300); dixmaanj m = 1e5 (n = 3e5) and m = 333333
// (n ~ 1e6), and m = 1e4 (n = 3e4).
constexpr Index minsurf_grid[] = {1000, 300};
constexpr Index dixmaan_m[] = {100000, 333333, 10000};
MinimalSurface make(MinimalSurface*, int size) { return {minsurf_grid[size]}; }
Dixmaan make(Dixmaan*, int size) { return {dixmaan_m[size]}; }
auto elements_of(const MinimalSurface& p) { return partially_separable<3>(p); }
auto elements_of(const Dixmaan& p) { return partially_separable<4>(DixmaanElements{p}); }

/// A point off the standard start (so no structural coincidence helps).
template <class Problem>
std::vector<double> point_of(const Problem& p) {
  auto x = p.initial_guess();
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> bump(-0.05, 0.05);
  for (auto& v : x) v += bump(rng);
  return x;
}

template <class Problem>
double function_seconds(const Problem& p, const std::vector<double>& x) {
  double sink = 0;
  const double t = median_seconds(11, thread_seconds, [&] { sink += p(x.data()); });
  benchmark::DoNotOptimize(sink);
  return t;
}

template <class Problem>
void BM_Function(benchmark::State& state) {
  const Problem p = make(static_cast<Problem*>(nullptr), int(state.range(0)));
  const auto x = point_of(p);
  for (auto _ : state) benchmark::DoNotOptimize(p(x.data()));
  state.counters["n"] = double(p.size());
}

/// The Hessian paths.
enum Path {
  star_sweeps,
  acyclic_sweeps,
  star_dual_tape,
  acyclic_dual_tape,
  elements,
  elements_host
};
const char* path_names[] = {"star sweeps",       "acyclic sweeps", "star dual tape",
                            "acyclic dual tape", "elements",       "elements host"};

HessianOptions options_of(int path) {
  HessianOptions options;
  options.storage = HessianStorage::lower;
  options.coloring.kind = (path == acyclic_sweeps || path == acyclic_dual_tape)
                              ? SymmetricColoringKind::acyclic
                              : SymmetricColoringKind::star;
  options.evaluation = path <= acyclic_sweeps ? HessianEvaluation::second_order_sweeps
                       : path >= elements     ? HessianEvaluation::elements
                                              : HessianEvaluation::dual_tape;
  return options;
}

template <class Engine>
void report(benchmark::State& state, Engine& engine, double t_f, double t_h, int path) {
  state.SetLabel(path_names[path]);
  state.counters["n"] = engine.size();
  state.counters["nnz"] = engine.pattern().nnz();
  state.counters["colors"] = engine.coloring().num_colors;
  state.counters["lower_bound"] = engine.coloring().lower_bound;
  state.counters["F_ratio"] = t_h / t_f;
  state.counters["setup_F_ratio"] =
      (engine.setup_times().detection + engine.setup_times().coloring + engine.setup_times().seed) /
      t_f;
}

/// One Hessian evaluation; the set-up (detection, coloring, recovery map)
/// and a first evaluation (recording) are outside the timed loop.
template <class Problem>
void BM_Hessian(benchmark::State& state) {
  const Problem p = make(static_cast<Problem*>(nullptr), int(state.range(0)));
  const int path = int(state.range(1));
  const auto x = point_of(p);
  const double t_f = function_seconds(p, x);
  auto timed = [&](auto& engine, auto clock) {
    CsrMatrix<double> h(engine.pattern());
    engine.evaluate(x, h);  // records the tape once: later points replay it
    double total = 0;
    for (auto _ : state) {
      const double start = clock();
      engine.evaluate(x, h);
      const double seconds = clock() - start;
      state.SetIterationTime(seconds);
      total += seconds;
    }
    report(state, engine, t_f, total / double(state.iterations()), path);
  };
  if (path == elements) {
    SparseHessian<decltype(elements_of(p)), Kokkos::Serial> engine(elements_of(p), p.size(),
                                                                   options_of(path));
    timed(engine, thread_seconds);
    state.counters["block_colors"] = engine.element_block_colors();
  } else if (path == elements_host) {
    SparseHessian<decltype(elements_of(p)), Kokkos::Serial> serial(elements_of(p), p.size(),
                                                                   options_of(path));
    SparseHessian<decltype(elements_of(p))> engine(elements_of(p), p.size(), options_of(path));
    CsrMatrix<double> h(engine.pattern());
    const double t_serial = median_seconds(5, wall_seconds, [&] { serial.evaluate(x, h); });
    const double t_f_wall =
        median_seconds(11, wall_seconds, [&] { benchmark::DoNotOptimize(p(x.data())); });
    double total = 0;
    for (auto _ : state) {
      const double start = wall_seconds();
      engine.evaluate(x, h);
      const double seconds = wall_seconds() - start;
      state.SetIterationTime(seconds);
      total += seconds;
    }
    report(state, engine, t_f_wall, total / double(state.iterations()), path);
    state.counters["speedup"] = t_serial / (total / double(state.iterations()));
    state.counters["threads"] = Kokkos::DefaultHostExecutionSpace().concurrency();
  } else {
    SparseHessian<Problem, Kokkos::Serial> engine(p, p.size(), options_of(path));
    timed(engine, thread_seconds);
    state.counters["lanes"] =
        path >= star_dual_tape ? engine.seed().lane_width : HvpOperator<Problem>::max_lanes;
    state.counters["detection_F_ratio"] = engine.setup_times().detection / t_f;
    state.counters["coloring_F_ratio"] = engine.setup_times().coloring / t_f;
  }
}

/// Hessian-vector products: 0 one-shot `hvp(f, x, v)` (recording on
/// Reverse<Dual<double, 1>>), 1 `HvpOperator::apply` at a fixed x, 2
/// `HvpOperator::set_point` (replay, gradient, second-order data) + apply.
template <class Problem>
void BM_Hvp(benchmark::State& state) {
  const Problem p = make(static_cast<Problem*>(nullptr), int(state.range(0)));
  const int kind = int(state.range(1));
  const auto x = point_of(p);
  const double t_f = function_seconds(p, x);
  std::vector<double> v(x.size()), hv;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  for (auto& e : v) e = u(rng);
  HvpOperator<Problem> op(p, x);
  double total = 0;
  for (auto _ : state) {
    const double start = thread_seconds();
    if (kind == 0) {
      hvp(p, x, v, hv);
    } else if (kind == 1) {
      op.apply(v, hv);
    } else {
      op.set_point(x);
      op.apply(v, hv);
    }
    const double seconds = thread_seconds() - start;
    state.SetIterationTime(seconds);
    total += seconds;
  }
  const char* labels[] = {"hvp one-shot", "operator apply", "operator set_point + apply"};
  state.SetLabel(labels[kind]);
  state.counters["n"] = double(x.size());
  state.counters["F_ratio"] = total / double(state.iterations()) / t_f;
}

/// Every path at the small sizes; at n ~ 1e6 the dual tape (a W-lane dual
/// per recorded partial: several GB) is left out.
void hessian_args(benchmark::internal::Benchmark* b, std::vector<int> large,
                  std::vector<int> small) {
  for (int size : large)
    for (int path : {star_sweeps, acyclic_sweeps, elements, elements_host}) b->Args({size, path});
  for (int size : small)
    for (int path = 0; path <= elements_host; ++path) b->Args({size, path});
  b->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
}
void hvp_args(benchmark::internal::Benchmark* b, std::vector<int> sizes) {
  for (int size : sizes)
    for (int kind = 0; kind < 3; ++kind) b->Args({size, kind});
  b->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(5);
}

void BM_Minsurf(benchmark::State& s) { BM_Function<MinimalSurface>(s); }
void BM_MinsurfHessian(benchmark::State& s) { BM_Hessian<MinimalSurface>(s); }
void BM_MinsurfHvp(benchmark::State& s) { BM_Hvp<MinimalSurface>(s); }
void BM_Dixmaanj(benchmark::State& s) { BM_Function<Dixmaan>(s); }
void BM_DixmaanjHessian(benchmark::State& s) { BM_Hessian<Dixmaan>(s); }
void BM_DixmaanjHvp(benchmark::State& s) { BM_Hvp<Dixmaan>(s); }

BENCHMARK(BM_Minsurf)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MinsurfHessian)->Apply([](auto* b) { hessian_args(b, {0}, {1}); });
BENCHMARK(BM_MinsurfHvp)->Apply([](auto* b) { hvp_args(b, {0, 1}); });
BENCHMARK(BM_Dixmaanj)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DixmaanjHessian)->Apply([](auto* b) { hessian_args(b, {0, 1}, {2}); });
BENCHMARK(BM_DixmaanjHvp)->Apply([](auto* b) { hvp_args(b, {0, 1, 2}); });

}  // namespace

int main(int argc, char** argv) { return sparsediff::bench::run_benchmarks(argc, argv); }
