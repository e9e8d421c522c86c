#pragma once
/// @file
/// Sparse Newton: solve F(x) = 0 with the exact sparse Jacobian.
///
/// Each iteration evaluates J(x) by compressed forward mode (pattern,
/// coloring and seed computed once), factorizes it numerically on the
/// symbolic analysis done once for the pattern, solves J dx = -F, and
/// backtracks along dx until the merit 1/2 ||F||^2 decreases enough
/// (Armijo condition, Dennis & Schnabel 1996, Alg. A6.3.1 with halving).
/// `NewtonSolver` keeps the Jacobian engine and the factorization alive after
/// a solve, so an adjoint pass can reuse the last factors.

#include <chrono>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/core/error.hpp"
#include "sparsediff/core/timing.hpp"
#include "sparsediff/jacobian/sparse_jacobian.hpp"
#include "sparsediff/solve/linear_solver.hpp"

namespace sparsediff {

/// Why Newton stopped.
enum class NewtonStatus {
  converged,            ///< ||F|| <= absolute tolerance, or <= relative tolerance * ||F(x0)||
  small_step,           ///< the step fell below the step tolerance before ||F|| did
  max_iterations,       ///< the iteration limit was reached
  line_search_failure,  ///< no step length down to min_step_length decreased ||F||
  singular_jacobian,    ///< the factorization failed (message says where)
  stopped_by_callback   ///< the callback returned false
};

/// A readable name of a status ("converged", ...).
inline std::string to_string(NewtonStatus status) {
  switch (status) {
    case NewtonStatus::converged:
      return "converged";
    case NewtonStatus::small_step:
      return "small step";
    case NewtonStatus::max_iterations:
      return "maximum iterations";
    case NewtonStatus::line_search_failure:
      return "line search failure";
    case NewtonStatus::singular_jacobian:
      return "singular Jacobian";
    case NewtonStatus::stopped_by_callback:
      return "stopped by callback";
  }
  return "unknown";
}

/// What one iteration did (also passed to the callback).
struct NewtonIteration {
  int iteration = 0;             ///< 0 for the initial point
  double residual_norm = 0;      ///< ||F(x)||_2 after the iteration
  double step_length = 0;        ///< accepted line-search factor alpha (1 = full step)
  double step_norm = 0;          ///< ||alpha dx||_2
  double jacobian_seconds = 0;   ///< evaluation of J (and F) at the start of the iteration
  double factorize_seconds = 0;  ///< numeric factorization
  double solve_seconds = 0;      ///< triangular solves
  double line_search_seconds = 0;
};

/// Options of `newton_solve` / `NewtonSolver`.
struct NewtonOptions {
  double absolute_tolerance = 1e-10;  ///< stop when ||F|| <= this
  double relative_tolerance = 0;      ///< stop when ||F|| <= this * ||F(x0)||
  double step_tolerance = 1e-14;      ///< stop when ||alpha dx|| <= this * (1 + ||x||)
  int max_iterations = 50;
  double armijo = 1e-4;            ///< sufficient decrease constant c in (0, 1/2)
  double min_step_length = 1e-10;  ///< backtracking gives up below this alpha
  JacobianOptions jacobian{};
  LinearSolverOptions solver{};
  /// Called after every iteration (and for the initial point); return false to stop.
  std::function<bool(const NewtonIteration&)> callback;
};

/// The outcome of a Newton solve.
struct NewtonResult {
  std::vector<double> x;
  NewtonStatus status = NewtonStatus::max_iterations;
  int iterations = 0;
  double residual_norm = 0;
  std::string message;                   ///< details when not converged
  std::vector<NewtonIteration> history;  ///< entry 0 is the initial point
  SolverTimings solver_timings;          ///< analyze ran once per pattern: see analyze_count
  bool converged() const { return status == NewtonStatus::converged; }
};

/// A Newton solver for one residual: the Jacobian engine (pattern, coloring,
/// seed) and the linear solver (ordering, symbolic factorization) are built
/// once and reused by every iteration and every `solve` call.
/// @tparam F a residual of either `FunctionKind` (square: m == n).
template <class F, class ExecutionSpace = DefaultHostExecutionSpace>
class NewtonSolver {
 public:
  /// Detects the Jacobian pattern of `residual` (n x n) and analyzes it.
  NewtonSolver(F residual, Index n, NewtonOptions options = {})
      : options_(std::move(options)),
        jacobian_(std::move(residual), n, n, options_.jacobian),
        solver_(jacobian_.pattern(), options_.solver),
        matrix_(jacobian_.pattern()) {}

  /// Solves F(x) = 0 from x0. Never throws for a numerical failure (see the
  /// status); throws for bad input (wrong size, non-finite x0).
  NewtonResult solve(std::vector<double> x0) {
    using clock = std::chrono::steady_clock;
    NewtonResult result;
    std::vector<double>& x = result.x;
    x = std::move(x0);
    std::vector<double> f, trial(x.size()), f_trial, dx;
    jacobian_.value(x, f);  // validates x
    const double norm0 = norm(f);
    double fnorm = norm0;
    result.history.push_back({0, fnorm, 0, 0, 0, 0, 0, 0});
    auto finish = [&](NewtonStatus status, std::string message) {
      result.status = status;
      result.message = std::move(message);
      result.residual_norm = fnorm;
      result.solver_timings = solver_.timings();
      return result;
    };
    if (options_.callback && !options_.callback(result.history.back()))
      return finish(NewtonStatus::stopped_by_callback, "");
    const double target =
        std::max(options_.absolute_tolerance, options_.relative_tolerance * norm0);
    for (int it = 1;; ++it) {
      if (fnorm <= target) return finish(NewtonStatus::converged, "");
      if (it > options_.max_iterations)
        return finish(NewtonStatus::max_iterations, "||F|| = " + std::to_string(fnorm) + " after " +
                                                        std::to_string(options_.max_iterations) +
                                                        " iterations");
      NewtonIteration record;
      record.iteration = it;
      auto start = clock::now();
      jacobian_.evaluate(x, matrix_);
      record.jacobian_seconds = detail::seconds_since(start);
      start = clock::now();
      try {
        solver_.factorize(matrix_);
      } catch (const SolverError& e) {
        result.iterations = it;
        return finish(NewtonStatus::singular_jacobian,
                      "iteration " + std::to_string(it) + ": " + e.what());
      }
      record.factorize_seconds = detail::seconds_since(start);
      start = clock::now();
      for (auto& v : f) v = -v;
      dx = solver_.solve(f);
      record.solve_seconds = detail::seconds_since(start);

      // Backtracking on 1/2 ||F||^2: accept alpha when
      // ||F(x + alpha dx)||^2 <= (1 - 2 c alpha) ||F(x)||^2.
      start = clock::now();
      double alpha = 1;
      bool accepted = false;
      while (alpha >= options_.min_step_length) {
        for (std::size_t j = 0; j < x.size(); ++j) trial[j] = x[j] + alpha * dx[j];
        if (all_finite(trial)) {
          jacobian_.value(trial, f_trial);
          const double trial_norm = norm(f_trial);
          if (std::isfinite(trial_norm) &&
              trial_norm * trial_norm <= (1 - 2 * options_.armijo * alpha) * fnorm * fnorm) {
            accepted = true;
            break;
          }
        }
        alpha *= 0.5;
      }
      record.line_search_seconds = detail::seconds_since(start);
      result.iterations = it;
      if (!accepted)
        return finish(NewtonStatus::line_search_failure,
                      "iteration " + std::to_string(it) +
                          ": no decrease of ||F|| = " + std::to_string(fnorm) +
                          " down to step length " + std::to_string(options_.min_step_length));
      x.swap(trial);
      f.swap(f_trial);
      fnorm = norm(f);
      record.residual_norm = fnorm;
      record.step_length = alpha;
      record.step_norm = alpha * norm(dx);
      result.history.push_back(record);
      if (options_.callback && !options_.callback(record))
        return finish(NewtonStatus::stopped_by_callback, "");
      if (fnorm > target && record.step_norm <= options_.step_tolerance * (1 + norm(x)))
        return finish(NewtonStatus::small_step,
                      "iteration " + std::to_string(it) + ": step " +
                          std::to_string(record.step_norm) +
                          " below tolerance, ||F|| = " + std::to_string(fnorm));
    }
  }

  /// The Jacobian engine (pattern, coloring, seed) and the last J evaluated.
  SparseJacobian<F, ExecutionSpace>& jacobian() { return jacobian_; }
  const CsrMatrix<double>& last_jacobian() const { return matrix_; }
  /// The linear solver holding the last factorization (for adjoint solves).
  LinearSolver& linear_solver() { return solver_; }
  const NewtonOptions& options() const { return options_; }

 private:
  static double norm(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x * x;
    return std::sqrt(s);
  }
  static bool all_finite(const std::vector<double>& v) {
    for (double x : v)
      if (!std::isfinite(x)) return false;
    return true;
  }

  NewtonOptions options_;
  SparseJacobian<F, ExecutionSpace> jacobian_;
  LinearSolver solver_;
  CsrMatrix<double> matrix_;
};

/// Solves F(x) = 0 by sparse Newton from x0 (see `NewtonSolver`).
/// @throws DimensionMismatch / InvalidArgument for a wrong-size or
///         non-finite x0; numerical failures are reported in the status.
template <class F>
NewtonResult newton_solve(const F& residual, std::vector<double> x0, NewtonOptions options = {}) {
  const Index n = Index(x0.size());
  NewtonSolver<F> solver(residual, n, std::move(options));
  return solver.solve(std::move(x0));
}

}  // namespace sparsediff
