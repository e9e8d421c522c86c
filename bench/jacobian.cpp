// Sparse Jacobians of the PROBLEMS.md residuals (2-D Bratu, 2-D Brusselator,
// 3-D nonlinear diffusion) at n ~ 1e4, 1e5, 1e6: one double evaluation, pattern
// detection, coloring (native vs ColPack, every ordering) and one Jacobian
// evaluation. Ratios are measured inside one benchmark (the reference time is
// the median of repeated evaluations taken in the same run just before):
//   F_ratio      = time of the benchmarked stage / one double evaluation F
//   speedup      = Jacobian time on Kokkos::Serial / on the default host space
//
//   ./build/bench/bench_jacobian --benchmark_filter=Bratu
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "bench/common/context.hpp"
#include "examples/common/pde_residuals.hpp"
#include "examples/common/timing.hpp"
#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/jacobian/sparse_jacobian.hpp"

namespace {

using namespace sparsediff;
using Host = DefaultHostExecutionSpace;

using examples::median_seconds;

// Grid sizes giving n ~ 1e4, 1e5, 1e6 for each problem.
constexpr Index bratu_grid[] = {100, 316, 1000};
constexpr Index brusselator_grid[] = {71, 224, 707};
constexpr Index diffusion_grid[] = {22, 46, 100};
problems::Bratu2d make(problems::Bratu2d*, int size) { return {bratu_grid[size]}; }
problems::Brusselator2d make(problems::Brusselator2d*, int size) {
  return {brusselator_grid[size]};
}
problems::NonlinearDiffusion3d make(problems::NonlinearDiffusion3d*, int size) {
  return {diffusion_grid[size]};
}

// Symbolic set-up is done once per problem and size and shared by benchmarks.
template <class Problem, class Space = Host, Seeding seeding = Seeding::automatic>
SparseJacobian<Problem, Space>& jacobian_of(int size) {
  static std::map<int, std::unique_ptr<SparseJacobian<Problem, Space>>> cache;
  static const bool cleared_at_finalize = [] {  // Views must go before Kokkos does
    Kokkos::push_finalize_hook([] { cache.clear(); });
    return true;
  }();
  (void)cleared_at_finalize;
  auto& slot = cache[size];
  if (!slot) {
    const Problem p = make(static_cast<Problem*>(nullptr), size);
    JacobianOptions options;
    options.seeding = seeding;
    slot = std::make_unique<SparseJacobian<Problem, Space>>(p, p.size(), p.size(), options);
  }
  return *slot;
}

template <class Problem>
double function_seconds(SparseJacobian<Problem, Host>& jac, const std::vector<double>& u) {
  std::vector<double> f;
  return median_seconds(11, [&] { jac.value(u, f); });
}

template <class Problem>
void BM_Function(benchmark::State& state) {
  auto& jac = jacobian_of<Problem>(int(state.range(0)));
  const auto u = make(static_cast<Problem*>(nullptr), int(state.range(0))).initial_guess();
  std::vector<double> f;
  for (auto _ : state) {
    jac.value(u, f);
    benchmark::DoNotOptimize(f.data());
  }
  state.counters["n"] = double(u.size());
}

template <class Problem>
void BM_Detection(benchmark::State& state) {
  const Problem p = make(static_cast<Problem*>(nullptr), int(state.range(0)));
  auto& jac = jacobian_of<Problem>(int(state.range(0)));
  const double t_f = function_seconds(jac, p.initial_guess());
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto pattern = detect_row_pattern(p, p.size(), p.size());
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    benchmark::DoNotOptimize(pattern.nnz());
  }
  state.counters["n"] = p.size();
  state.counters["nnz"] = jac.pattern().nnz();
  state.counters["F_ratio"] = total / double(state.iterations()) / t_f;
}

// Row kernels seeded as JacobianOptions::seeding says (automatic: the
// cheaper of by row and by color; counter by_row tells which).
template <class Problem, Seeding seeding = Seeding::automatic>
void BM_Jacobian(benchmark::State& state) {
  const int size = int(state.range(0));
  auto& jac = jacobian_of<Problem, Host, seeding>(size);
  const auto u = make(static_cast<Problem*>(nullptr), size).initial_guess();
  CsrMatrix<double> J(jac.pattern());
  const double t_f = function_seconds(jac, u);
  // One-thread reference in the same run: the same kernels on Kokkos::Serial.
  auto& serial = jacobian_of<Problem, Kokkos::Serial, seeding>(size);
  const double t_serial = median_seconds(5, [&] { serial.evaluate(u, J); });
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    jac.evaluate(u, J);
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double t_j = total / double(state.iterations());
  state.counters["n"] = jac.rows();
  state.counters["nnz"] = jac.pattern().nnz();
  state.counters["colors"] = jac.coloring().num_colors;
  state.counters["lower_bound"] = jac.coloring().lower_bound;
  state.counters["lanes"] = jac.lane_width();
  state.counters["by_row"] = jac.seeding() == Seeding::by_row;
  state.counters["F_ratio"] = t_j / t_f;
  state.counters["speedup"] = t_serial / t_j;
}

// 3-D diffusion with the 7-coloring (i + 2j + 3l) mod 7 instead of greedy's:
// what fewer lanes buy.
void BM_JacobianStencilColoring(benchmark::State& state) {
  const int size = int(state.range(0));
  auto& greedy = jacobian_of<problems::NonlinearDiffusion3d>(size);
  const auto p = make(static_cast<problems::NonlinearDiffusion3d*>(nullptr), size);
  JacobianOptions by_color;
  by_color.seeding = Seeding::by_color;
  SparseJacobian<problems::NonlinearDiffusion3d, Host> jac(p, greedy.pattern(),
                                                           p.stencil_coloring(), by_color);
  SparseJacobian<problems::NonlinearDiffusion3d, Kokkos::Serial> serial(
      p, greedy.pattern(), p.stencil_coloring(), by_color);
  const auto u = p.initial_guess();
  CsrMatrix<double> J(jac.pattern());
  const double t_f = function_seconds(greedy, u);
  const double t_serial = median_seconds(5, [&] { serial.evaluate(u, J); });
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    jac.evaluate(u, J);
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double t_j = total / double(state.iterations());
  state.counters["n"] = jac.rows();
  state.counters["colors"] = jac.coloring().num_colors;
  state.counters["lanes"] = jac.lane_width();
  state.counters["F_ratio"] = t_j / t_f;
  state.counters["speedup"] = t_serial / t_j;
}

template <class Problem>
void BM_Coloring(benchmark::State& state) {
  auto& jac = jacobian_of<Problem>(int(state.range(0)));
  ColoringOptions options;
  options.backend = state.range(1) == 0 ? ColoringBackend::native : ColoringBackend::colpack;
  options.ordering = static_cast<Ordering>(state.range(2));
  Coloring result;
  for (auto _ : state) {
    result = color(jac.pattern(), options);
    benchmark::DoNotOptimize(result.num_colors);
  }
  state.SetLabel(std::string(options.backend == ColoringBackend::native ? "native " : "colpack ") +
                 to_string(options.ordering));
  state.counters["n"] = jac.rows();
  state.counters["colors"] = result.num_colors;
  state.counters["lower_bound"] = result.lower_bound;
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int size = 0; size < 3; ++size) b->Arg(size);
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

void coloring_args(benchmark::internal::Benchmark* b) {
  for (int size = 0; size < 3; ++size)
    for (int backend = 0; backend < 2; ++backend)
      for (int ordering = 0; ordering <= int(Ordering::random); ++ordering)
        b->Args({size, backend, ordering});
  b->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
}

using problems::Bratu2d;
using problems::Brusselator2d;
using problems::NonlinearDiffusion3d;

BENCHMARK_TEMPLATE(BM_Function, Bratu2d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Detection, Bratu2d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Jacobian, Bratu2d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Jacobian, Bratu2d, Seeding::by_row)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Coloring, Bratu2d)->Apply(coloring_args);
BENCHMARK_TEMPLATE(BM_Function, Brusselator2d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Detection, Brusselator2d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Jacobian, Brusselator2d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Jacobian, Brusselator2d, Seeding::by_color)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Coloring, Brusselator2d)->Apply(coloring_args);
BENCHMARK_TEMPLATE(BM_Function, NonlinearDiffusion3d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Detection, NonlinearDiffusion3d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Jacobian, NonlinearDiffusion3d)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Jacobian, NonlinearDiffusion3d, Seeding::by_color)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Coloring, NonlinearDiffusion3d)->Apply(coloring_args);
BENCHMARK(BM_JacobianStencilColoring)->Apply(sizes);

}  // namespace

int main(int argc, char** argv) { return sparsediff::bench::run_benchmarks(argc, argv); }
