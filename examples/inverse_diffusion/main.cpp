// Inverse diffusion: recover a spatially varying conductivity κ(x, y) in
//
//     -∇·(κ ∇u) = f   on the unit square,  u = 0 on the boundary,
//
// from noisy observations of u at every grid node for several sources f,
// by minimizing
//
//     J(m) = 1/(2σ²) Σ_s ||u_s(m) - d_s||² + β/2 Σ_faces (m_a - m_b)²,   κ = e^m,
//
// with L-BFGS. The gradient is reverse mode through the whole pipeline on an
// ExternalTape: κ = e^m and the finite-volume assembly of A(κ) (face
// conductivities, COO triplets whose duplicates sum on the diagonal) are
// taped operation by operation; the solve U = A^{-1} F for all sources at once
// is ONE external operation whose adjoint is one transposed solve on the
// factors of the forward solve (solve/implicit.hpp), with Ā = -P_S(F̄ U^T) on
// A's pattern. So a gradient costs about one forward solve plus the taping,
// and the printed ratio says how much exactly.
//
//   inverse_diffusion [N] [iterations] [noise]
//     N x N interior grid (default 48), L-BFGS iterations (default 60),
//     noise standard deviation relative to max|u| (default 0.01).
// Exit status 1 when the gradient check against central differences fails
// or the misfit does not decrease.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <sparsediff/ad/tape.hpp>
#include <sparsediff/ad/tape_external.hpp>
#include <sparsediff/solve/implicit.hpp>
#include <sparsediff/sparse/coo.hpp>
#include <vector>

#include "examples/common/timing.hpp"

namespace {

using sparsediff::Index;

/// The grid, the sources and the data of the inverse problem.
struct Problem {
  Index N = 0;
  int sources = 3;
  double beta = 0;
  double sigma = 0;
  std::vector<double> f;     // n x sources, column-major
  std::vector<double> data;  // observations, same layout
  Index size() const { return N * N; }
  double x(Index k) const { return double(k % N + 1) / (N + 1); }
  double y(Index k) const { return double(k / N + 1) / (N + 1); }

  /// A(κ) by finite volumes: each face between nodes a, b carries
  /// c = (κ_a + κ_b) / 2 / h² into (a,a), (b,b) and -c into (a,b), (b,a);
  /// a face to the boundary carries κ_a / h² into (a,a). Duplicates sum.
  template <class T>
  sparsediff::CsrMatrix<T> assemble(const std::vector<T>& kappa) const {
    const double inv_h2 = double(N + 1) * double(N + 1);
    sparsediff::CooMatrix<T> a(size(), size());
    for (Index k = 0; k < size(); ++k) {
      const Index i = k % N, j = k / N;
      const int boundary_faces = (i == 0) + (i == N - 1) + (j == 0) + (j == N - 1);
      if (boundary_faces > 0) a.add(k, k, kappa[k] * (boundary_faces * inv_h2));
      for (Index nb : {i + 1 < N ? k + 1 : Index(-1), j + 1 < N ? k + N : Index(-1)}) {
        if (nb < 0) continue;
        const T c = (kappa[k] + kappa[nb]) * (0.5 * inv_h2);
        a.add(k, k, c);
        a.add(nb, nb, c);
        a.add(k, nb, -c);
        a.add(nb, k, -c);
      }
    }
    return a.to_csr();
  }

  /// J(m) for any scalar: the pipeline that is taped.
  template <class T>
  T objective(const T* m, const std::shared_ptr<sparsediff::LinearSolver>& solver) const {
    using std::exp;
    const std::size_t n = std::size_t(size());
    std::vector<T> kappa(n);
    for (std::size_t k = 0; k < n; ++k) kappa[k] = exp(m[k]);
    const auto u = sparsediff::sparse_solve(solver, assemble(kappa), f, sources);
    T misfit(0.0);
    for (std::size_t t = 0; t < u.size(); ++t) {
      const T r = u[t] - data[t];
      misfit += r * r;
    }
    T regularization(0.0);
    for (Index k = 0; k < size(); ++k) {
      if (k % N + 1 < N) regularization += (m[k] - m[k + 1]) * (m[k] - m[k + 1]);
      if (k / N + 1 < N) regularization += (m[k] - m[k + N]) * (m[k] - m[k + N]);
    }
    return misfit * (0.5 / (sigma * sigma)) + regularization * (0.5 * beta);
  }

  /// χ²/n of the data term at m (plain doubles).
  double chi2(const std::vector<double>& m) const {
    std::vector<double> kappa(m.size());
    for (std::size_t k = 0; k < m.size(); ++k) kappa[k] = std::exp(m[k]);
    auto solver = std::make_shared<sparsediff::LinearSolver>(options());
    const auto u = sparsediff::sparse_solve(*solver, assemble(kappa), f, sources);
    double s = 0;
    for (std::size_t t = 0; t < u.size(); ++t) s += std::pow((u[t] - data[t]) / sigma, 2);
    return s / double(u.size());
  }

  static sparsediff::LinearSolverOptions options() {
    sparsediff::LinearSolverOptions o;
    o.symmetric_positive_definite = true;  // A(κ) is SPD for κ > 0: CHOLMOD
    return o;
  }
};

double true_kappa(double x, double y) {
  return 1.0 + 0.8 * std::exp(-((x - 0.35) * (x - 0.35) + (y - 0.6) * (y - 0.6)) / 0.02) -
         0.4 * std::exp(-((x - 0.7) * (x - 0.7) + (y - 0.3) * (y - 0.3)) / 0.03);
}

/// Compact L-BFGS (Nocedal & Wright, Alg. 7.4 and 7.5) with backtracking
/// (Armijo) line search; `fg(x, g)` returns f(x) and writes ∇f(x).
struct Lbfgs {
  int memory = 8;
  double armijo = 1e-4;
  std::deque<std::vector<double>> s, y;

  static double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double r = 0;
    for (std::size_t i = 0; i < a.size(); ++i) r += a[i] * b[i];
    return r;
  }

  /// d = -H g by the two-loop recursion, H0 = (s^T y / y^T y) I.
  std::vector<double> direction(const std::vector<double>& g) const {
    std::vector<double> q(g);
    std::vector<double> alpha(s.size());
    for (std::size_t i = s.size(); i-- > 0;) {
      alpha[i] = dot(s[i], q) / dot(y[i], s[i]);
      for (std::size_t j = 0; j < q.size(); ++j) q[j] -= alpha[i] * y[i][j];
    }
    if (!s.empty()) {
      const double gamma = dot(s.back(), y.back()) / dot(y.back(), y.back());
      for (double& v : q) v *= gamma;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
      const double b = dot(y[i], q) / dot(y[i], s[i]);
      for (std::size_t j = 0; j < q.size(); ++j) q[j] += s[i][j] * (alpha[i] - b);
    }
    for (double& v : q) v = -v;
    return q;
  }

  /// One iteration from (x, f, g); returns false when no step decreases f.
  bool step(const std::function<double(const std::vector<double>&, std::vector<double>&)>& fg,
            std::vector<double>& x, double& f, std::vector<double>& g, int& evaluations) {
    std::vector<double> d = direction(g);
    double slope = dot(g, d);
    if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
      s.clear();
      y.clear();
      d = direction(g);
      slope = dot(g, d);
    }
    double t = 1.0;
    if (s.empty()) t = 1.0 / std::sqrt(dot(g, g));  // first step: unit length
    std::vector<double> x_new(x.size()), g_new;
    for (int tries = 0; tries < 30; ++tries, t *= 0.5) {
      for (std::size_t i = 0; i < x.size(); ++i) x_new[i] = x[i] + t * d[i];
      const double f_new = fg(x_new, g_new);
      ++evaluations;
      if (std::isfinite(f_new) && f_new <= f + armijo * t * slope) {
        std::vector<double> sk(x.size()), yk(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
          sk[i] = x_new[i] - x[i];
          yk[i] = g_new[i] - g[i];
        }
        if (dot(sk, yk) > 1e-12 * std::sqrt(dot(sk, sk) * dot(yk, yk))) {
          s.push_back(std::move(sk));
          y.push_back(std::move(yk));
          if (int(s.size()) > memory) {
            s.pop_front();
            y.pop_front();
          }
        }
        x.swap(x_new);
        g.swap(g_new);
        f = f_new;
        return true;
      }
    }
    return false;
  }
};

double norm(const std::vector<double>& v) { return std::sqrt(Lbfgs::dot(v, v)); }

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  const Index N = argc > 1 ? std::atoi(argv[1]) : 48;
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 60;
  const double noise = argc > 3 ? std::atof(argv[3]) : 0.01;
  const double beta_per_node = argc > 4 ? std::atof(argv[4]) : 0.1;
  if (N < 3 || iterations < 1 || !(noise > 0)) {
    std::fprintf(stderr, "usage: inverse_diffusion [N >= 3] [iterations >= 1] [noise > 0]\n");
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };

  // ---- synthetic data: u = A(κ_true)^{-1} f for three sources, plus noise.
  Problem problem;
  problem.N = N;
  const Index n = problem.size();
  const int S = problem.sources;
  problem.f.resize(std::size_t(n) * S);
  for (Index k = 0; k < n; ++k) {
    const double x = problem.x(k), y = problem.y(k);
    problem.f[std::size_t(k)] = 1.0;
    problem.f[std::size_t(n) + k] =
        10 * std::exp(-((x - 0.25) * (x - 0.25) + (y - 0.25) * (y - 0.25)) / 0.05);
    problem.f[2 * std::size_t(n) + k] =
        10 * std::exp(-((x - 0.75) * (x - 0.75) + (y - 0.7) * (y - 0.7)) / 0.05);
  }
  std::vector<double> kappa_true(static_cast<std::size_t>(n));
  for (Index k = 0; k < n; ++k) kappa_true[std::size_t(k)] = true_kappa(problem.x(k), problem.y(k));
  sparsediff::LinearSolver data_solver(Problem::options());
  const auto u_true =
      sparsediff::sparse_solve(data_solver, problem.assemble(kappa_true), problem.f, S);
  double u_max = 0;
  for (double v : u_true) u_max = std::max(u_max, std::abs(v));
  problem.sigma = noise * u_max;
  problem.beta = beta_per_node * double(n);  // the data term grows like n, the regularization not
  std::mt19937 rng(2024);
  std::normal_distribution<double> gauss(0.0, problem.sigma);
  problem.data = u_true;
  for (double& d : problem.data) d += gauss(rng);

  std::printf(
      "Inverse diffusion: N = %d (n = %d unknowns, %d parameters), %d sources, noise %.3g "
      "(sigma = %.3g), beta = %.3g\n",
      N, n, n, S, noise, problem.sigma, problem.beta);

  // ---- the gradient: record J(m) on an external tape, one reverse sweep.
  auto solver = std::make_shared<sparsediff::LinearSolver>(Problem::options());
  sparsediff::ExternalTape<> tape;
  auto objective = [&](const auto* m) { return problem.objective(m, solver); };
  auto value_and_gradient = [&](const std::vector<double>& m, std::vector<double>& g) {
    const double value = tape.record(objective, m);
    tape.gradient(g);
    return value;
  };

  // One forward solve (assembly + factorization + solve), the unit of cost.
  std::vector<double> m(std::size_t(n), 0.0);  // start from κ = 1
  const double t_forward = sparsediff::examples::median_seconds(5, [&] {
    std::vector<double> kappa(m.size());
    for (std::size_t k = 0; k < m.size(); ++k) kappa[k] = std::exp(m[k]);
    sparsediff::sparse_solve(*solver, problem.assemble(kappa), problem.f, S);
  });

  // Gradient check at the start: directional derivative vs central differences.
  std::vector<double> g;
  double f = value_and_gradient(m, g);
  {
    std::vector<double> v(m.size());
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    for (double& vi : v) vi = uniform(rng);
    const double h = 1e-6;
    std::vector<double> mp(m), mm(m);
    for (std::size_t k = 0; k < m.size(); ++k) {
      mp[k] += h * v[k];
      mm[k] -= h * v[k];
    }
    const double fd = (objective(mp.data()) - objective(mm.data())) / (2 * h);
    const double ad = Lbfgs::dot(g, v);
    const double error = std::abs(fd - ad) / std::max(1.0, std::abs(fd));
    std::printf(
        "gradient check: directional derivative %.10e (reverse) vs %.10e (central "
        "differences), relative difference %.1e\n",
        ad, fd, error);
    if (!(error < 1e-5)) {
      std::printf("GRADIENT CHECK FAILED\n");
      return 1;
    }
  }
  const auto timings0 = solver->timings();
  const double chi2_start = problem.chi2(m);

  std::printf("\n%4s %14s %10s %11s %10s %12s %s\n", "iter", "J", "chi2/n", "|grad|", "kappa err",
              "grad/solve", "(evaluations)");
  auto kappa_error = [&](const std::vector<double>& mm) {
    double num = 0, den = 0;
    for (std::size_t k = 0; k < mm.size(); ++k) {
      num += std::pow(std::exp(mm[k]) - kappa_true[k], 2);
      den += kappa_true[k] * kappa_true[k];
    }
    return std::sqrt(num / den);
  };
  std::printf("%4d %14.6e %10.4f %11.3e %10.4f %12s\n", 0, f, chi2_start, norm(g), kappa_error(m),
              "-");
  Lbfgs lbfgs;
  double gradient_seconds = 0;
  int evaluations = 0, done = 0;
  for (int it = 1; it <= iterations; ++it) {
    int evals = 0;
    const auto start = Clock::now();
    const bool moved = lbfgs.step(value_and_gradient, m, f, g, evals);
    const double per_gradient = seconds(start) / std::max(evals, 1);
    gradient_seconds += seconds(start);
    evaluations += evals;
    done = it;
    if (!moved) {
      std::printf("line search failed at iteration %d\n", it);
      break;
    }
    std::printf("%4d %14.6e %10.4f %11.3e %10.4f %12.2f (%d)\n", it, f, problem.chi2(m), norm(g),
                kappa_error(m), per_gradient / t_forward, evals);
    if (norm(g) < 1e-8 * std::max(1.0, std::abs(f))) break;
  }
  const auto timings = solver->timings();
  const double chi2_end = problem.chi2(m);
  std::printf(
      "\n%d iterations, %d gradients; one forward solve (assemble + factorize + solve, "
      "%d right-hand sides) %.4f s\n",
      done, evaluations, S, t_forward);
  std::printf(
      "mean gradient (record + factorize + solve + reverse sweep with one transposed "
      "solve) %.4f s = %.2f forward solves\n",
      gradient_seconds / std::max(evaluations, 1),
      gradient_seconds / std::max(evaluations, 1) / t_forward);
  std::printf(
      "linear solver during the optimization: %d analyses, %d factorizations, %d solves "
      "(%d gradients: one factorization, one forward and one transposed block solve each)\n",
      timings.analyze_count - timings0.analyze_count,
      timings.factorize_count - timings0.factorize_count,
      timings.solve_count - timings0.solve_count, evaluations);
  std::printf("chi2/n %.3f -> %.3f (noise level 1), relative kappa error %.3f -> %.3f\n",
              chi2_start, chi2_end, kappa_error(std::vector<double>(std::size_t(n), 0.0)),
              kappa_error(m));
  if (!(chi2_end < chi2_start)) {
    std::printf("MISFIT DID NOT DECREASE\n");
    return 1;
  }
  return 0;
}
