// Differentiable sparse operations: the cost of each rule relative to the
// operation it differentiates, measured in the same run (the reference is the
// median of repeated calls taken just before the benchmarked loop):
//   ratio        = time of the benchmarked call / time of the forward operation
//   nnz, rows    = size of the matrix (or batch)
// Matrices: the 5-point Laplacian pattern on an N x N grid (N = 300, 1000)
// with random values; batches of 256 samples x 10 features out of 10^6.
//
//   ./build/bench/bench_ops --benchmark_filter=Spmv
#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include "bench/common/context.hpp"
#include "examples/common/timing.hpp"
#include "sparsediff/ops/row_sparse.hpp"
#include "sparsediff/ops/spmm.hpp"
#include "sparsediff/ops/spmv.hpp"
#include "sparsediff/solve/implicit.hpp"
#include "sparsediff/sparse/coo.hpp"

namespace {

using namespace sparsediff;
using Vector = Kokkos::View<double*, Kokkos::HostSpace>;
using Block = Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace>;

using examples::median_seconds;

/// The 5-point Laplacian pattern with values 4 + noise on the diagonal and
/// -1 + noise off it (nonsymmetric, diagonally dominant).
CsrMatrix<double> laplacian(Index N, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> noise(-0.1, 0.1);
  CooMatrix<double> a(N * N, N * N);
  for (Index k = 0; k < N * N; ++k) {
    const Index i = k % N, j = k / N;
    a.add(k, k, 4.0 + noise(rng));
    if (i > 0) a.add(k, k - 1, -1.0 + noise(rng));
    if (i + 1 < N) a.add(k, k + 1, -1.0 + noise(rng));
    if (j > 0) a.add(k, k - N, -1.0 + noise(rng));
    if (j + 1 < N) a.add(k, k + N, -1.0 + noise(rng));
  }
  return a.to_csr();
}

Vector random_view(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Vector v("v", n);
  for (std::size_t i = 0; i < n; ++i) v(i) = u(rng);
  return v;
}

constexpr Index grid[] = {300, 1000};

void set_counters(benchmark::State& state, const CsrMatrix<double>& a, double reference) {
  state.counters["nnz"] = a.nnz();
  state.counters["rows"] = a.rows();
  state.counters["reference_s"] = reference;
}

void BM_Spmv(benchmark::State& state) {
  const auto a = laplacian(grid[state.range(0)], 1);
  const auto x = random_view(std::size_t(a.cols()), 2);
  Vector y("y", std::size_t(a.rows()));
  for (auto _ : state) {
    spmv(a, x, y);
    Kokkos::fence();
  }
  state.counters["nnz"] = a.nnz();
  state.counters["rows"] = a.rows();
  state.counters["bytes_per_s"] =
      benchmark::Counter(double(a.nnz()) * 12.0 + double(a.rows()) * 16.0,
                         benchmark::Counter::kIsIterationInvariantRate);
}

/// ā and x̄ of y = A x (transpose precomputed) against y = A x.
void BM_SpmvVjp(benchmark::State& state) {
  const auto a = laplacian(grid[state.range(0)], 1);
  const auto transposed = a.pattern().transpose_with_map();
  const auto x = random_view(std::size_t(a.cols()), 2),
             ybar = random_view(std::size_t(a.rows()), 3);
  Vector y("y", std::size_t(a.rows())), a_bar("a_bar", std::size_t(a.nnz())),
      x_bar("x_bar", std::size_t(a.cols()));
  const double reference = median_seconds(21, [&] { spmv(a, x, y); });
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    spmv_vjp(a, transposed, x, ybar, a_bar, x_bar);
    Kokkos::fence();
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  set_counters(state, a, reference);
  state.counters["ratio"] = total / double(state.iterations()) / reference;
}

/// dy = dA x + A dx against y = A x.
void BM_SpmvJvp(benchmark::State& state) {
  const auto a = laplacian(grid[state.range(0)], 1);
  const auto x = random_view(std::size_t(a.cols()), 2), dx = random_view(std::size_t(a.cols()), 4);
  const auto da = random_view(std::size_t(a.nnz()), 5);
  Vector y("y", std::size_t(a.rows()));
  const double reference = median_seconds(21, [&] { spmv(a, x, y); });
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    spmv_jvp(a, da, x, dx, y);
    Kokkos::fence();
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  set_counters(state, a, reference);
  state.counters["ratio"] = total / double(state.iterations()) / reference;
}

/// ā and X̄ of Y = A X with 8 columns against Y = A X.
void BM_SpmmVjp(benchmark::State& state) {
  const auto a = laplacian(grid[state.range(0)], 1);
  const auto transposed = a.pattern().transpose_with_map();
  const std::size_t r = 8, n = std::size_t(a.cols());
  Block x("x", n, r), y("y", n, r), ybar("ybar", n, r), x_bar("x_bar", n, r);
  Kokkos::deep_copy(x, 0.5);
  Kokkos::deep_copy(ybar, -0.25);
  Vector a_bar("a_bar", std::size_t(a.nnz()));
  const double reference = median_seconds(11, [&] { spmm(a, x, y); });
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    spmm_vjp(a, transposed, x, ybar, a_bar, x_bar);
    Kokkos::fence();
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  set_counters(state, a, reference);
  state.counters["ratio"] = total / double(state.iterations()) / reference;
}

/// A batch of 256 samples with 10 features each out of 10^6.
CsrMatrix<double> batch(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  CooMatrix<double> x(256, 1000000);
  for (Index i = 0; i < 256; ++i) {
    std::vector<Index> used;
    while (used.size() < 10) {
      const double r = u(rng);
      const Index j = std::min<Index>(999999, Index(1e6 * r * r * r));
      if (std::find(used.begin(), used.end(), j) == used.end()) used.push_back(j);
    }
    for (Index j : used) x.add(i, j, u(rng) - 0.5);
  }
  return x.to_csr();
}

/// W̄ = X^T z̄ in row-sparse form + SGD on the touched rows, against the dense
/// variant (zero n entries, scatter, update n weights), which is the reference.
void BM_RowSparseStep(benchmark::State& state) {
  const auto x = batch(7);
  const auto zbar = random_view(256, 8);
  Vector w("w", 1000000), g("g", 1000000);
  const auto ptr = x.pattern().row_ptr();
  const auto idx = x.pattern().col_idx();
  const auto val = x.values();
  const double reference = median_seconds(21, [&] {
    Kokkos::deep_copy(g, 0.0);
    Kokkos::parallel_for("dense_scatter",
                         Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, 256),
                         [=](const Index i) {
                           for (Index e = ptr(i); e < ptr(i + 1); ++e)
                             Kokkos::atomic_add(&g(idx(e)), val(e) * zbar(i));
                         });
    Kokkos::parallel_for("dense_sgd",
                         Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, 1000000),
                         [=](const Index j) { w(j) -= 0.1 * g(j); });
  });
  RowSparseGradient<> gradient;
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    row_sparse_vjp(x, zbar, gradient);
    sgd_update(w, gradient, 0.1);
    Kokkos::fence();
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  state.counters["nnz"] = x.nnz();
  state.counters["touched_rows"] = gradient.num_touched();
  state.counters["dense_reference_s"] = reference;
  state.counters["ratio"] = total / double(state.iterations()) / reference;
}

/// The reverse rule of x = A^{-1} b (one transposed solve + Ā on the
/// pattern) against the forward solve on the same factors.
void BM_SolveVjp(benchmark::State& state) {
  const auto a = laplacian(grid[state.range(0)], 1);
  const std::size_t n = std::size_t(a.rows());
  LinearSolver solver;
  solver.compute(a);
  std::vector<double> b(n, 1.0), x_bar(n, 0.5);
  const auto x = solver.solve(b);
  const double reference = median_seconds(5, [&] { solver.solve(b); });
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(solve_vjp(solver, x, x_bar));
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  set_counters(state, a, reference);
  state.counters["ratio"] = total / double(state.iterations()) / reference;
  state.counters["factorize_s"] = solver.timings().factorize;
}

BENCHMARK(BM_Spmv)->DenseRange(0, 1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SpmvVjp)->DenseRange(0, 1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SpmvJvp)->DenseRange(0, 1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SpmmVjp)->DenseRange(0, 1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RowSparseStep)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SolveVjp)->DenseRange(0, 1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) { return sparsediff::bench::run_benchmarks(argc, argv); }
