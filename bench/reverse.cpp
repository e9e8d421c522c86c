// Reverse mode on the Hessian problems of PROBLEMS.md (minsurf, dixmaanj) at
// n ~ 1e4, 1e5, 1e6: gradients (recording included, on a fresh or a reused
// tape, and replay-only), and Hessian-vector products (one-shot
// forward-over-reverse on dual lanes, HvpOperator products at a fixed x, and
// the tape-free ElementHvpOperator of the problems' element forms).
// Ratios are measured inside one benchmark (the reference is the median of
// repeated double evaluations taken in the same run just before). Everything
// here runs on one thread, so times are the thread's CPU time, which a busy
// shared machine disturbs far less than wall time:
//   F_ratio      = time of the benchmarked call / one double evaluation of f
//   per_vector   = F_ratio / number of vectors (for the k-vector products)
//   bytes_per_op = tape storage / recorded operations
//
// When ADOL-C is found (Debian's libadolc-dev, the peer of PROBLEMS.md), the
// same run also measures ADOL-C 2.7's gradient and Hessian-vector product on
// the same objective, point and directions (BM_Adolc*), so ours / peer is a
// ratio of two F_ratio counters of one run.
//
//   ./build/bench/bench_reverse --benchmark_filter=Minsurf
#include <algorithm>
#include <cmath>
#include <ctime>
#include <random>
#include <vector>

#include "bench/common/context.hpp"
#include "examples/common/objectives.hpp"
#include "sparsediff/ad/tape.hpp"
#include "sparsediff/hessian/hvp.hpp"

#if defined(SPARSEDIFF_HAVE_ADOLC)
#include <adolc/adolc.h>
#endif

namespace {

using namespace sparsediff;
using problems::Dixmaan;
using problems::MinimalSurface;

/// CPU time of the calling thread, in seconds.
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

template <class Fn>
double median_seconds(int repeats, Fn&& fn) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const double start = thread_seconds();
    fn();
    t.push_back(thread_seconds() - start);
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

/// The benchmark loop over `body`, each call timed on the thread's CPU
/// clock; returns the mean seconds per call.
template <class Fn>
double timed_loop(benchmark::State& state, Fn&& body) {
  double total = 0;
  for (auto _ : state) {
    const double start = thread_seconds();
    body();
    total += thread_seconds() - start;
  }
  return total / double(state.iterations());
}

/// The counters of every benchmark here: n and F_ratio = t / t_f, and for
/// products with k > 0 vectors, vectors and per_vector = F_ratio / k.
void report(benchmark::State& state, std::size_t n, double t, double t_f, Index vectors = 0) {
  state.counters["n"] = double(n);
  state.counters["F_ratio"] = t / t_f;
  if (vectors > 0) {
    state.counters["vectors"] = double(vectors);
    state.counters["per_vector"] = t / t_f / double(vectors);
  }
}

// Sizes giving n ~ 1e4, 1e5, 1e6.
constexpr Index minsurf_grid[] = {100, 316, 1000};
constexpr Index dixmaan_m[] = {3333, 33333, 333333};
MinimalSurface make(MinimalSurface*, int size) { return {minsurf_grid[size]}; }
Dixmaan make(Dixmaan*, int size) { return {dixmaan_m[size]}; }

template <class Problem>
Problem problem_of(const benchmark::State& state) {
  return make(static_cast<Problem*>(nullptr), int(state.range(0)));
}

/// The start point, slightly perturbed so that no symmetry helps.
template <class Problem>
std::vector<double> point_of(const Problem& p) {
  auto x = p.initial_guess();
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-0.01, 0.01);
  for (auto& v : x) v += u(rng);
  return x;
}

/// A second point near x (replays at another point than the recording's).
std::vector<double> moved(std::vector<double> x) {
  for (auto& v : x) v *= 1.001;
  return x;
}

std::vector<double> directions(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> v(size);
  for (auto& e : v) e = u(rng);
  return v;
}

/// One double evaluation of f: median of 11.
template <class Problem>
double function_seconds(const Problem& p, const std::vector<double>& x) {
  double sink = 0;
  const double t = median_seconds(11, [&] { sink += p(x.data()); });
  benchmark::DoNotOptimize(sink);
  return t;
}

template <class Problem>
void BM_Function(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  for (auto _ : state) benchmark::DoNotOptimize(p(x.data()));
  state.counters["n"] = double(x.size());
}

/// gradient(tape, f, x, g): recording and reverse sweep, storage of the tape reused.
template <class Problem>
void BM_Gradient(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  const double t_f = function_seconds(p, x);
  Tape<> tape;
  std::vector<double> g;
  gradient(tape, p, x, g);  // warm: storage allocated once
  const double t = timed_loop(state, [&] {
    gradient(tape, p, x, g);
    benchmark::DoNotOptimize(g.data());
  });
  const auto stats = tape.statistics();
  state.counters["ops"] = double(stats.operations);
  state.counters["bytes_per_op"] = double(stats.bytes) / double(stats.operations);
  report(state, x.size(), t, t_f);
}

/// gradient(f, x): a fresh tape per call (allocation and page faults included).
template <class Problem>
void BM_GradientFreshTape(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  const double t_f = function_seconds(p, x);
  std::vector<double> g;
  const double t = timed_loop(state, [&] {
    gradient(p, x, g);
    benchmark::DoNotOptimize(g.data());
  });
  report(state, x.size(), t, t_f);
}

/// Replay at a new x and reverse sweep, without calling f.
template <class Problem>
void BM_GradientReplay(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  const auto y = moved(x);
  const double t_f = function_seconds(p, x);
  Tape<> tape;
  tape.record(p, x);
  std::vector<double> g;
  tape.replay(y);
  tape.gradient(g);
  const double t = timed_loop(state, [&] {
    tape.replay(y);
    tape.gradient(g);
    benchmark::DoNotOptimize(g.data());
  });
  report(state, x.size(), t, t_f);
}

/// Only the reverse sweep of a recorded tape.
template <class Problem>
void BM_ReverseSweep(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  const double t_f = function_seconds(p, x);
  Tape<> tape;
  tape.record(p, x);
  std::vector<double> g;
  tape.gradient(g);
  const double t = timed_loop(state, [&] {
    tape.gradient(g);
    benchmark::DoNotOptimize(g.data());
  });
  report(state, x.size(), t, t_f);
}

/// hvp(f, x, V, k): k = range(1) products from ceil(k / 8) recordings on dual lanes.
template <class Problem>
void BM_Hvp(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const Index k = Index(state.range(1));
  const auto x = point_of(p);
  const auto V = directions(x.size() * std::size_t(k), 2);
  const double t_f = function_seconds(p, x);
  std::vector<double> HV;
  const double t = timed_loop(state, [&] {
    hvp(p, x, V, k, HV);
    benchmark::DoNotOptimize(HV.data());
  });
  report(state, x.size(), t, t_f, k);
}

/// HvpOperator::apply with k = range(1) vectors at a fixed x (set-up outside the loop).
template <class Problem>
void BM_HvpOperatorApply(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const Index k = Index(state.range(1));
  const auto x = point_of(p);
  const auto V = directions(x.size() * std::size_t(k), 2);
  const double t_f = function_seconds(p, x);
  HvpOperator op(p, x);
  std::vector<double> HV;
  op.apply(V, k, HV);
  const double t = timed_loop(state, [&] {
    op.apply(V, k, HV);
    benchmark::DoNotOptimize(HV.data());
  });
  report(state, x.size(), t, t_f, k);
  state.counters["bytes_per_op"] = double(op.memory_bytes()) / double(op.tape().num_operations());
}

/// HvpOperator::set_point at a new x (replay, gradient, second partials).
template <class Problem>
void BM_HvpOperatorSetPoint(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  const auto y = moved(x);
  const double t_f = function_seconds(p, x);
  HvpOperator op(p, x);
  bool flip = false;
  const double t = timed_loop(state, [&] {
    op.set_point(flip ? x : y);
    flip = !flip;
  });
  state.counters["recordings"] = double(op.recordings());
  report(state, x.size(), t, t_f);
}

/// The element form of each problem (hessian/elements.hpp).
auto elements_of(const MinimalSurface& p) { return partially_separable<3>(p); }
auto elements_of(const Dixmaan& p) { return partially_separable<4>(problems::DixmaanElements{p}); }

/// ElementHvpOperator of a PartiallySeparable objective, on one thread.
template <class Objective>
using SerialElementOperator = ElementHvpOperator<Objective::max_element_size,
                                                 typename Objective::element_type, Kokkos::Serial>;

/// ElementHvpOperator::apply (no tape: nested duals per element, one thread)
/// with k = range(1) vectors at a fixed x; F_ratio against the whole-loop f.
template <class Problem>
void BM_ElementHvpApply(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const Index k = Index(state.range(1));
  const auto x = point_of(p);
  const auto V = directions(x.size() * std::size_t(k), 2);
  const double t_f = function_seconds(p, x);
  const auto elements = elements_of(p);
  SerialElementOperator<decltype(elements)> op(elements, x);
  std::vector<double> HV;
  op.apply(V, k, HV);
  const double t = timed_loop(state, [&] {
    op.apply(V, k, HV);
    benchmark::DoNotOptimize(HV.data());
  });
  double sink = 0;
  const double t_elements = median_seconds(5, [&] { sink += elements(x.data()); });
  benchmark::DoNotOptimize(sink);
  report(state, x.size(), t, t_f, k);
  // The element form's own f (element lookups, boundary tests) against the whole loop.
  state.counters["element_f_ratio"] = t_elements / t_f;
}

/// ElementHvpOperator::set_point: f and the gradient by elements (Dual<double, K>).
template <class Problem>
void BM_ElementGradient(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  const double t_f = function_seconds(p, x);
  const auto elements = elements_of(p);
  SerialElementOperator<decltype(elements)> op(elements, x);
  const double t = timed_loop(state, [&] {
    op.set_point(x);
    benchmark::DoNotOptimize(op.gradient().data());
  });
  report(state, x.size(), t, t_f);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int size = 0; size < 3; ++size) b->Arg(size);
  b->Unit(benchmark::kMillisecond);
}

void sizes_and_vectors(benchmark::internal::Benchmark* b) {
  for (int size = 0; size < 3; ++size)
    for (int k : {1, 4, 8}) b->Args({size, k});
  b->Unit(benchmark::kMillisecond);
}

BENCHMARK_TEMPLATE(BM_Function, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Gradient, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_GradientFreshTape, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_GradientReplay, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_ReverseSweep, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Hvp, MinimalSurface)->Apply(sizes_and_vectors);
BENCHMARK_TEMPLATE(BM_HvpOperatorApply, MinimalSurface)->Apply(sizes_and_vectors);
BENCHMARK_TEMPLATE(BM_HvpOperatorSetPoint, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Function, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Gradient, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_GradientFreshTape, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_GradientReplay, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_ReverseSweep, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Hvp, Dixmaan)->Apply(sizes_and_vectors);
BENCHMARK_TEMPLATE(BM_HvpOperatorApply, Dixmaan)->Apply(sizes_and_vectors);
BENCHMARK_TEMPLATE(BM_HvpOperatorSetPoint, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_ElementGradient, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_ElementHvpApply, MinimalSurface)->Apply(sizes_and_vectors);
BENCHMARK_TEMPLATE(BM_ElementGradient, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_ElementHvpApply, Dixmaan)->Apply(sizes_and_vectors);

#if defined(SPARSEDIFF_HAVE_ADOLC)
// ---- ADOL-C, the peer: same objective template with T = adouble.

/// Records f at x onto ADOL-C tape `tag` with Taylor coefficients kept, and
/// in-core buffers sized for the whole tape (ADOL-C otherwise spills a large
/// tape to files, which would make the comparison about the disk; these
/// objectives record fewer than 32 operations, locations or values per unknown).
template <class Problem>
double adolc_record(short tag, const Problem& p, const std::vector<double>& x) {
  const auto n = x.size();
  const unsigned buffer = unsigned(std::max<std::size_t>(std::size_t(1) << 19, 128 * n));
  trace_on(tag, 1, buffer, buffer, buffer, buffer);
  std::vector<adouble> ax(n);
  for (std::size_t j = 0; j < n; ++j) ax[j] <<= x[j];
  adouble y = p(ax.data());
  double fy = 0;
  y >>= fy;
  trace_off();
  return fy;
}

/// Recording (Taylors kept) and one first-order reverse sweep: ADOL-C's
/// fastest gradient when the tape is recorded at the point (BM_Gradient).
template <class Problem>
void BM_AdolcGradient(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  const double t_f = function_seconds(p, x);
  const int n = int(x.size());
  std::vector<double> g(x.size());
  double one = 1.0;
  adolc_record(1, p, x);
  const double t = timed_loop(state, [&] {
    adolc_record(1, p, x);
    fos_reverse(1, 1, n, &one, g.data());
    benchmark::DoNotOptimize(g.data());
  });
  // Both tools must agree (to rounding) for the comparison to mean anything.
  std::vector<double> ours;
  gradient(p, x, ours);
  double difference = 0, scale = 0;
  for (std::size_t j = 0; j < g.size(); ++j) {
    difference = std::max(difference, std::abs(g[j] - ours[j]));
    scale = std::max(scale, std::abs(ours[j]));
  }
  state.counters["rel_diff_vs_ours"] = difference / scale;
  report(state, x.size(), t, t_f);
}

/// gradient(): zero-order forward at a new x and a reverse sweep of a
/// recorded tape (BM_GradientReplay).
template <class Problem>
void BM_AdolcGradientReplay(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  const auto x = point_of(p);
  const auto y = moved(x);
  const double t_f = function_seconds(p, x);
  const int n = int(x.size());
  std::vector<double> g(x.size());
  adolc_record(2, p, x);
  const double t = timed_loop(state, [&] {
    gradient(2, n, y.data(), g.data());
    benchmark::DoNotOptimize(g.data());
  });
  report(state, x.size(), t, t_f);
}

/// hess_vec(): one H v on a recorded tape (first-order forward with the
/// direction, second-order reverse), ADOL-C's Hessian-vector product
/// (compare with BM_HvpOperatorApply k = 1, which keeps the point's values).
template <class Problem>
void BM_AdolcHessVec(benchmark::State& state) {
  const Problem p = problem_of<Problem>(state);
  auto x = point_of(p);
  auto v = directions(x.size(), 2);
  const double t_f = function_seconds(p, x);
  const int n = int(x.size());
  std::vector<double> w(x.size());
  adolc_record(3, p, x);
  const double t = timed_loop(state, [&] {
    hess_vec(3, n, x.data(), v.data(), w.data());
    benchmark::DoNotOptimize(w.data());
  });
  report(state, x.size(), t, t_f);
}

BENCHMARK_TEMPLATE(BM_AdolcGradient, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_AdolcGradientReplay, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_AdolcHessVec, MinimalSurface)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_AdolcGradient, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_AdolcGradientReplay, Dixmaan)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_AdolcHessVec, Dixmaan)->Apply(sizes);
#endif

}  // namespace

int main(int argc, char** argv) { return sparsediff::bench::run_benchmarks(argc, argv); }
