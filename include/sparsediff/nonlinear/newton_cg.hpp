#pragma once
/// @file
/// Unconstrained minimization of a scalar objective with exact second
/// derivatives: truncated Newton (Newton-CG with a trust region, Hessian-free)
/// and Newton with the sparse Hessian and a sparse Cholesky factorization.
///
/// `newton_cg_minimize`: by default Steihaug's truncated conjugate gradients
/// inside a trust region (Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006,
/// Alg. 7.2 for the inner CG, Alg. 4.1 for the radius update). The Hessian is
/// never formed: each CG iteration is one Hessian-vector product through
/// `HvpOperator` (one recording or replay of f per outer iteration, then two
/// tape sweeps per product). CG stops at the boundary, on negative curvature
/// (the step then follows that direction to the boundary, so indefinite
/// Hessians are handled), or when ||r|| <= min(1/2, sqrt(||g||)) ||g|| (the
/// forcing sequence that gives superlinear convergence, N&W Thm 7.2). With
/// `NewtonCgGlobalization::line_search` CG instead stops before negative
/// curvature and a backtracking line search follows (N&W Alg. 7.1).
///
/// `SparseNewtonMinimizer` / `sparse_newton_minimize`: the Newton step
/// (H + tau I) p = -g with H from `SparseHessian` (full storage, the diagonal
/// always in the pattern), factorized by CHOLMOD on a symbolic analysis done
/// once per pattern. When H is not positive definite CHOLMOD refuses it and
/// tau grows, N&W Alg. 3.3 ("Cholesky with added multiple of the identity"):
/// tau_0 = 0 when min_i h_ii > 0, else beta - min_i h_ii, then
/// tau <- max(2 tau, beta) until the factorization succeeds. A backtracking
/// line search (Armijo) then picks the step length.
///
/// Both report every iteration (f, ||grad f||, step, time split between
/// derivatives, factorization or Hessian-vector products, and solves) and stop
/// with a reason, like newton.hpp.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/core/error.hpp"
#include "sparsediff/core/timing.hpp"
#include "sparsediff/hessian/hvp.hpp"
#include "sparsediff/hessian/sparse_hessian.hpp"
#include "sparsediff/solve/linear_solver.hpp"
#include "sparsediff/sparse/csr.hpp"

namespace sparsediff {

/// Why a minimizer stopped.
enum class MinimizeStatus {
  converged,       ///< ||grad f|| <= absolute tolerance, or <= relative tolerance * ||grad f(x0)||
  small_step,      ///< an accepted step fell below the step tolerance first
  max_iterations,  ///< the iteration limit was reached
  line_search_failure,    ///< (Newton) no step length down to min_step_length decreased f enough
  small_trust_region,     ///< (Newton-CG) the trust radius shrank below min_radius
  factorization_failure,  ///< (Newton) no shift up to max_shift made H + tau I factorizable
  stopped_by_callback     ///< the callback returned false
};

/// A readable name of a status ("converged", ...).
inline std::string to_string(MinimizeStatus status) {
  switch (status) {
    case MinimizeStatus::converged:
      return "converged";
    case MinimizeStatus::small_step:
      return "small step";
    case MinimizeStatus::max_iterations:
      return "maximum iterations";
    case MinimizeStatus::line_search_failure:
      return "line search failure";
    case MinimizeStatus::small_trust_region:
      return "trust region too small";
    case MinimizeStatus::factorization_failure:
      return "factorization failure";
    case MinimizeStatus::stopped_by_callback:
      return "stopped by callback";
  }
  return "unknown";
}

/// What one iteration did (also passed to the callback). Times in seconds.
struct MinimizeIteration {
  int iteration = 0;         ///< 0 for the initial point
  double value = 0;          ///< f(x) after the iteration
  double gradient_norm = 0;  ///< ||grad f(x)||_2 after the iteration
  double step_norm = 0;      ///< ||x_new - x_old||_2 (0 for a rejected trust-region step)
  /// Line searches: the accepted factor alpha (1 = full step).
  /// Newton-CG with a trust region: the radius used for the step.
  double step_length = 0;
  bool accepted = true;      ///< Newton-CG: whether the step was taken
  int inner_iterations = 0;  ///< Newton-CG: CG iterations (= Hessian-vector products)
  double shift = 0;          ///< Newton: the tau of H + tau I that was factorized
  int factorizations = 0;    ///< Newton: factorization attempts (1 when H was positive definite)
  /// Derivatives at the start of the iteration. Newton-CG: the gradient,
  /// with the tape recording or replay and the second-order data of the
  /// HVPs. Newton: f, grad f and H in one pass (they come together).
  double derivative_seconds = 0;
  double hvp_seconds = 0;        ///< Newton-CG: the Hessian-vector products
  double factorize_seconds = 0;  ///< Newton: numeric factorizations (all attempts)
  double solve_seconds = 0;      ///< Newton: triangular solves; Newton-CG: CG without the products
  double line_search_seconds = 0;  ///< evaluations of f at trial points
};

/// Sums of the per-iteration times.
struct MinimizeTimes {
  double derivatives = 0, hvp = 0, factorize = 0, solve = 0, line_search = 0, total = 0;
};

/// The outcome of a minimization.
struct MinimizeResult {
  std::vector<double> x;
  MinimizeStatus status = MinimizeStatus::max_iterations;
  int iterations = 0;                      ///< outer iterations run
  double value = 0;                        ///< f(x)
  double gradient_norm = 0;                ///< ||grad f(x)||_2
  std::string message;                     ///< details when not converged
  std::vector<MinimizeIteration> history;  ///< entry 0 is the initial point
  MinimizeTimes times;
  int hessian_vector_products = 0;  ///< Newton-CG
  int hessian_evaluations = 0;      ///< Newton
  int factorizations = 0;           ///< Newton, attempts included
  bool converged() const { return status == MinimizeStatus::converged; }
};

/// Stopping rules shared by both minimizers.
struct MinimizeTolerances {
  double gradient_tolerance = 1e-8;        ///< stop when ||grad f|| <= this
  double relative_gradient_tolerance = 0;  ///< or when ||grad f|| <= this * ||grad f(x0)||
  double step_tolerance = 1e-14;           ///< stop when a step <= this * (1 + ||x||)
  int max_iterations = 200;
};

/// How Newton-CG makes its truncated Newton steps safe far from a minimum.
enum class NewtonCgGlobalization {
  /// Steihaug's CG inside a trust region (N&W Alg. 7.2 and 4.1); follows
  /// negative curvature to the boundary.
  trust_region,
  /// CG stopped before negative curvature (steepest descent if at once),
  /// then a backtracking line search (N&W Alg. 7.1, Nash's truncated Newton).
  /// Better where the model is only trusted along global directions: on the
  /// minimal surface problem at N = 200 it needs 20-odd iterations where the
  /// Euclidean trust region needs hundreds (docs/sparse_hessians.md).
  line_search
};

/// "trust region" or "line search".
inline std::string to_string(NewtonCgGlobalization globalization) {
  return globalization == NewtonCgGlobalization::trust_region ? "trust region" : "line search";
}

/// Options of `newton_cg_minimize`.
struct NewtonCgOptions {
  MinimizeTolerances tolerances{};
  NewtonCgGlobalization globalization = NewtonCgGlobalization::trust_region;
  /// Line search: sufficient decrease constant and smallest step length.
  double armijo = 1e-4;
  double min_step_length = 1e-10;
  /// Initial trust radius (<= 0: max(1, ||x0||) / 10).
  double initial_radius = 0;
  double max_radius = 1e10;
  /// Give up when the radius falls below this.
  double min_radius = 1e-12;
  /// Accept a step when actual / predicted reduction > eta (N&W: eta in [0, 1/4)).
  double eta = 1e-4;
  /// CG iterations per outer iteration (0: n).
  int max_cg_iterations = 0;
  /// Called after every iteration (and for the initial point); return false to stop.
  std::function<bool(const MinimizeIteration&)> callback;
};

/// Options of `SparseNewtonMinimizer`.
struct SparseNewtonOptions {
  MinimizeTolerances tolerances{};
  double armijo = 1e-4;            ///< sufficient decrease constant c1 in (0, 1/2)
  double min_step_length = 1e-10;  ///< backtracking gives up below this alpha
  double shift_increment = 1e-3;   ///< beta of N&W Alg. 3.3
  double max_shift = 1e12;         ///< give up when tau exceeds this
  /// Hessian engine: coloring, evaluation path (storage is always full).
  HessianOptions hessian{};
  /// The factorization (method is always CHOLMOD, the matrix SPD after the shift).
  LinearSolverOptions solver{};
  std::function<bool(const MinimizeIteration&)> callback;
};

namespace detail {

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
  return s;
}
inline double norm2(const std::vector<double>& a) { return std::sqrt(dot(a, a)); }

/// tau >= 0 with ||z + tau d|| = radius (z inside the region).
inline double to_boundary(const std::vector<double>& z, const std::vector<double>& d,
                          double radius) {
  const double dd = dot(d, d), zd = dot(z, d), zz = dot(z, z);
  if (dd == 0) return 0;
  const double disc = std::max(0.0, zd * zd + dd * (radius * radius - zz));
  return (-zd + std::sqrt(disc)) / dd;
}

/// A number in a message: 6 significant digits ("1.2e-09", not "0.000000").
inline std::string number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

inline void require_start(const char* function, const std::vector<double>& x, Index n) {
  if (n >= 0 && x.size() != std::size_t(n))
    raise<DimensionMismatch>(
        function, "x0 has " + std::to_string(x.size()) + " entries, expected " + std::to_string(n));
  for (std::size_t j = 0; j < x.size(); ++j)
    if (!std::isfinite(x[j]))
      raise<InvalidArgument>(function,
                             "x0[" + std::to_string(j) + "] = " + number(x[j]) + " is not finite");
}

}  // namespace detail

/// Minimizes f from x0 by truncated Newton with Hessian-vector products;
/// see the file comment.
/// @tparam F `template <class T> T operator()(const T* x) const`.
/// @throws InvalidArgument for a non-finite x0 (naming the entry). Numerical
///         failures are reported in the status, not thrown.
/// Cost per outer iteration: one tape recording or replay with a gradient,
/// one f per trial step, and one Hessian-vector product (two tape sweeps) per
/// CG iteration.
template <class F>
MinimizeResult newton_cg_minimize(const F& f, std::vector<double> x0,
                                  const NewtonCgOptions& options = {}) {
  using clock = std::chrono::steady_clock;
  detail::require_start("newton_cg_minimize", x0, -1);
  const auto start_all = clock::now();
  const bool trust_region = options.globalization == NewtonCgGlobalization::trust_region;
  MinimizeResult result;
  std::vector<double>& x = result.x;
  x = std::move(x0);
  const std::size_t n = x.size();
  const auto& tol = options.tolerances;

  auto start = clock::now();
  HvpOperator<F> hessian(f, x);
  double fx = hessian.value();
  std::vector<double> g = hessian.gradient();
  double gnorm = detail::norm2(g);
  MinimizeIteration initial;
  initial.value = fx;
  initial.gradient_norm = gnorm;
  initial.derivative_seconds = detail::seconds_since(start);
  result.history.push_back(initial);
  result.times.derivatives += initial.derivative_seconds;
  const double target = std::max(tol.gradient_tolerance, tol.relative_gradient_tolerance * gnorm);
  double radius =
      options.initial_radius > 0 ? options.initial_radius : std::max(1.0, detail::norm2(x)) * 0.1;
  radius = std::min(radius, options.max_radius);
  const int max_cg =
      options.max_cg_iterations > 0 ? options.max_cg_iterations : std::max<int>(1, int(n));

  auto finish = [&](MinimizeStatus status, std::string message) {
    result.status = status;
    result.message = std::move(message);
    result.value = fx;
    result.gradient_norm = gnorm;
    result.times.total = detail::seconds_since(start_all);
    return std::move(result);
  };
  if (options.callback && !options.callback(initial))
    return finish(MinimizeStatus::stopped_by_callback, "");

  std::vector<double> z(n), r(n), d(n), bd(n), hz(n), p(n), trial(n), g_trial;
  for (int it = 1;; ++it) {
    if (gnorm <= target) return finish(MinimizeStatus::converged, "");
    if (it > tol.max_iterations)
      return finish(MinimizeStatus::max_iterations,
                    "||grad f|| = " + detail::number(gnorm) + " after " +
                        std::to_string(tol.max_iterations) + " iterations");
    MinimizeIteration record;
    record.iteration = it;
    result.iterations = it;

    // CG on min g.p + p.Hp / 2 from p = 0, stopped by the forcing sequence;
    // the trust region also stops it at the boundary (Steihaug), where
    // negative curvature leads; the line search variant stops before a
    // direction of negative curvature (N&W Alg. 7.1). Hz tracks H z so that
    // the predicted reduction needs no extra product.
    const auto cg_start = clock::now();
    double hvp_seconds = 0;
    std::fill(z.begin(), z.end(), 0.0);
    std::fill(hz.begin(), hz.end(), 0.0);
    for (std::size_t k = 0; k < n; ++k) r[k] = g[k], d[k] = -g[k];
    const double forcing = std::min(0.5, std::sqrt(gnorm)) * gnorm;
    double rr = detail::dot(r, r);
    for (int j = 0; j < max_cg; ++j) {
      start = clock::now();
      hessian.apply(d, bd);
      hvp_seconds += detail::seconds_since(start);
      ++record.inner_iterations;
      const double dbd = detail::dot(d, bd);
      if (!(dbd > 0)) {  // negative, zero or NaN curvature along d
        if (trust_region) {
          const double tau = detail::to_boundary(z, d, radius);
          for (std::size_t k = 0; k < n; ++k) z[k] += tau * d[k], hz[k] += tau * bd[k];
        } else if (j == 0) {
          for (std::size_t k = 0; k < n; ++k) z[k] = -g[k];  // steepest descent
        }
        break;
      }
      const double alpha = rr / dbd;
      if (trust_region) {
        double zz = 0;
        for (std::size_t k = 0; k < n; ++k) zz += (z[k] + alpha * d[k]) * (z[k] + alpha * d[k]);
        if (std::sqrt(zz) >= radius) {
          const double tau = detail::to_boundary(z, d, radius);
          for (std::size_t k = 0; k < n; ++k) z[k] += tau * d[k], hz[k] += tau * bd[k];
          break;
        }
      }
      for (std::size_t k = 0; k < n; ++k) {
        z[k] += alpha * d[k];
        hz[k] += alpha * bd[k];
        r[k] += alpha * bd[k];
      }
      const double rr_next = detail::dot(r, r);
      if (std::sqrt(rr_next) < forcing) break;
      const double beta = rr_next / rr;
      rr = rr_next;
      for (std::size_t k = 0; k < n; ++k) d[k] = -r[k] + beta * d[k];
    }
    p.swap(z);
    record.hvp_seconds = hvp_seconds;
    record.solve_seconds = detail::seconds_since(cg_start) - hvp_seconds;
    result.hessian_vector_products += record.inner_iterations;
    const double pnorm = detail::norm2(p);
    const double slope = detail::dot(g, p);

    bool moved = false;  // whether `hessian` already sits at the trial point
    double f_trial = fx, step = 1;
    if (trust_region) {
      record.step_length = radius;
      start = clock::now();
      for (std::size_t k = 0; k < n; ++k) trial[k] = x[k] + p[k];
      f_trial = f(static_cast<const double*>(trial.data()));
      record.line_search_seconds = detail::seconds_since(start);
      const double predicted = -(slope + 0.5 * detail::dot(p, hz));
      double actual = fx - f_trial;
      // Near the minimum f - f_trial drowns in the rounding of f (a sum of
      // many terms); the trapezoidal rule on the gradients, -(g + g_trial).p
      // / 2, measures the reduction to third order without that cancellation
      // (Conn, Gould & Toint, *Trust-Region Methods*, 2000, section 17.4).
      const double noise =
          1e3 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(fx));
      if (std::isfinite(f_trial) && predicted > 0 && predicted < noise) {
        start = clock::now();
        hessian.set_point(trial);
        record.derivative_seconds += detail::seconds_since(start);
        moved = true;
        actual = -0.5 * (slope + detail::dot(hessian.gradient(), p));
      }
      const double rho = std::isfinite(f_trial) && predicted > 0
                             ? actual / predicted
                             : -std::numeric_limits<double>::infinity();
      if (rho < 0.25)
        radius = 0.25 * std::min(radius, pnorm > 0 ? pnorm : radius);
      else if (rho > 0.75 && pnorm >= 0.99 * radius)
        radius = std::min(2 * radius, options.max_radius);
      record.accepted = rho > options.eta;
    } else {
      // Backtracking (Armijo) along the truncated Newton direction.
      start = clock::now();
      record.accepted = false;
      for (step = 1; step >= options.min_step_length; step *= 0.5) {
        for (std::size_t k = 0; k < n; ++k) trial[k] = x[k] + step * p[k];
        f_trial = f(static_cast<const double*>(trial.data()));
        if (std::isfinite(f_trial) && f_trial <= fx + options.armijo * step * slope) {
          record.accepted = true;
          break;
        }
      }
      record.line_search_seconds = detail::seconds_since(start);
      record.step_length = step;
    }

    if (record.accepted) {
      // Derivatives at the new point (tape replay or recording, gradient,
      // second-order data for the next products), reported with this step.
      x.swap(trial);
      record.step_norm = step * pnorm;
      start = clock::now();
      if (!moved) hessian.set_point(x);
      g = hessian.gradient();
      record.derivative_seconds += detail::seconds_since(start);
      gnorm = detail::norm2(g);
      fx = hessian.value();
    } else if (moved) {
      start = clock::now();
      hessian.set_point(x);
      record.derivative_seconds += detail::seconds_since(start);
    }
    record.value = fx;
    record.gradient_norm = gnorm;
    result.times.derivatives += record.derivative_seconds;
    result.times.hvp += record.hvp_seconds;
    result.times.solve += record.solve_seconds;
    result.times.line_search += record.line_search_seconds;
    result.history.push_back(record);
    if (options.callback && !options.callback(record))
      return finish(MinimizeStatus::stopped_by_callback, "");
    if (gnorm <= target) return finish(MinimizeStatus::converged, "");
    if (!trust_region && !record.accepted)
      return finish(MinimizeStatus::line_search_failure,
                    "iteration " + std::to_string(it) +
                        ": no sufficient decrease of f = " + detail::number(fx) +
                        " down to step length " + detail::number(options.min_step_length));
    if (record.accepted && record.step_norm <= tol.step_tolerance * (1 + detail::norm2(x)))
      return finish(MinimizeStatus::small_step,
                    "iteration " + std::to_string(it) + ": step " +
                        detail::number(record.step_norm) +
                        " below tolerance, ||grad f|| = " + detail::number(gnorm));
    if (trust_region && radius < options.min_radius)
      return finish(MinimizeStatus::small_trust_region,
                    "iteration " + std::to_string(it) + ": trust radius " + detail::number(radius) +
                        " below " + detail::number(options.min_radius) +
                        ", ||grad f|| = " + detail::number(gnorm));
  }
}

/// Newton's method for minimization with the sparse Hessian (see the file
/// comment): the Hessian engine (pattern with the diagonal, coloring, seed)
/// and the Cholesky analysis are built once and reused by every iteration
/// and every `minimize` call.
/// @tparam F an objective, or a `PartiallySeparable` sum of elements (the
///         element path then gives f, grad f and H in one pass).
template <class F, class ExecutionSpace = DefaultHostExecutionSpace>
class SparseNewtonMinimizer {
 public:
  /// Detects the Hessian pattern of f (n variables), adds the diagonal,
  /// colors it and analyzes it for CHOLMOD.
  /// @throws as SparseHessian's constructor.
  SparseNewtonMinimizer(F f, Index n, SparseNewtonOptions options = {})
      : SparseNewtonMinimizer(f, probe_pattern(f, n), std::move(options)) {}

  /// Uses a known symmetric pattern (the diagonal is added).
  SparseNewtonMinimizer(F f, const Pattern& pattern, SparseNewtonOptions options = {})
      : options_(prepare(std::move(options))),
        hessian_(std::move(f), with_diagonal(pattern), options_.hessian),
        solver_(hessian_.pattern(), options_.solver),
        shifted_(hessian_.pattern()),
        matrix_(hessian_.pattern()) {
    find_diagonal();
  }

  /// Minimizes f from x0. Never throws for a numerical failure (see the
  /// status); throws DimensionMismatch / InvalidArgument for a wrong-size or
  /// non-finite x0 (naming the entry).
  MinimizeResult minimize(std::vector<double> x0) {
    using clock = std::chrono::steady_clock;
    detail::require_start("SparseNewtonMinimizer::minimize", x0, hessian_.size());
    const auto start_all = clock::now();
    const auto& tol = options_.tolerances;
    MinimizeResult result;
    std::vector<double>& x = result.x;
    x = std::move(x0);
    const std::size_t n = x.size();
    std::vector<double> g, p, trial(n);

    auto start = clock::now();
    double fx = hessian_.evaluate(x, matrix_, g);
    ++result.hessian_evaluations;
    double gnorm = detail::norm2(g);
    MinimizeIteration initial;
    initial.value = fx;
    initial.gradient_norm = gnorm;
    initial.derivative_seconds = detail::seconds_since(start);
    result.history.push_back(initial);
    result.times.derivatives += initial.derivative_seconds;
    const double target = std::max(tol.gradient_tolerance, tol.relative_gradient_tolerance * gnorm);
    auto finish = [&](MinimizeStatus status, std::string message) {
      result.status = status;
      result.message = std::move(message);
      result.value = fx;
      result.gradient_norm = gnorm;
      result.times.total = detail::seconds_since(start_all);
      return std::move(result);
    };
    if (options_.callback && !options_.callback(initial))
      return finish(MinimizeStatus::stopped_by_callback, "");

    for (int it = 1;; ++it) {
      if (gnorm <= target) return finish(MinimizeStatus::converged, "");
      if (it > tol.max_iterations)
        return finish(MinimizeStatus::max_iterations,
                      "||grad f|| = " + detail::number(gnorm) + " after " +
                          std::to_string(tol.max_iterations) + " iterations");
      MinimizeIteration record;
      record.iteration = it;
      result.iterations = it;

      // Factorize H + tau I, raising tau until CHOLMOD accepts it (N&W Alg. 3.3).
      start = clock::now();
      const auto h = matrix_.values();
      double min_diagonal = std::numeric_limits<double>::infinity();
      for (Index pos : diagonal_) min_diagonal = std::min(min_diagonal, h(pos));
      double tau = min_diagonal > 0 ? 0.0 : options_.shift_increment - min_diagonal;
      std::string failure;
      bool factorized = false;
      while (tau <= options_.max_shift) {
        const auto s = shifted_.values();
        for (Index k = 0; k < shifted_.nnz(); ++k) s(k) = h(k);
        for (Index pos : diagonal_) s(pos) += tau;
        ++record.factorizations;
        try {
          solver_.factorize(shifted_);
          factorized = true;
          break;
        } catch (const SolverError& e) {
          failure = e.what();
        } catch (const InvalidArgument& e) {  // a non-finite H: no shift helps
          failure = e.what();
          break;
        }
        tau = std::max(2 * tau, options_.shift_increment);
      }
      record.factorize_seconds = detail::seconds_since(start);
      record.shift = tau;
      result.factorizations += record.factorizations;
      result.times.factorize += record.factorize_seconds;
      if (!factorized) {
        result.history.push_back(record);
        return finish(MinimizeStatus::factorization_failure,
                      "iteration " + std::to_string(it) +
                          ": H + tau I not factorizable up to tau = " +
                          detail::number(std::min(tau, options_.max_shift)) + ": " + failure);
      }
      start = clock::now();
      for (auto& v : g) v = -v;
      p = solver_.solve(g);
      for (auto& v : g) v = -v;
      record.solve_seconds = detail::seconds_since(start);
      result.times.solve += record.solve_seconds;

      // Backtracking (Armijo): f(x + alpha p) <= f(x) + c1 alpha g.p.
      start = clock::now();
      const double slope = detail::dot(g, p);
      double alpha = 1;
      bool accepted = false;
      double f_trial = fx;
      while (alpha >= options_.min_step_length) {
        for (std::size_t k = 0; k < n; ++k) trial[k] = x[k] + alpha * p[k];
        f_trial = hessian_.value(trial);
        if (std::isfinite(f_trial) && f_trial <= fx + options_.armijo * alpha * slope) {
          accepted = true;
          break;
        }
        alpha *= 0.5;
      }
      record.line_search_seconds = detail::seconds_since(start);
      result.times.line_search += record.line_search_seconds;
      if (!accepted) {
        result.history.push_back(record);
        return finish(MinimizeStatus::line_search_failure,
                      "iteration " + std::to_string(it) +
                          ": no sufficient decrease of f = " + detail::number(fx) +
                          " down to step length " + detail::number(options_.min_step_length));
      }
      x.swap(trial);
      record.step_length = alpha;
      record.step_norm = alpha * detail::norm2(p);

      start = clock::now();
      fx = hessian_.evaluate(x, matrix_, g);
      ++result.hessian_evaluations;
      gnorm = detail::norm2(g);
      record.derivative_seconds = detail::seconds_since(start);
      result.times.derivatives += record.derivative_seconds;
      record.value = fx;
      record.gradient_norm = gnorm;
      result.history.push_back(record);
      if (options_.callback && !options_.callback(record))
        return finish(MinimizeStatus::stopped_by_callback, "");
      if (gnorm > target && record.step_norm <= tol.step_tolerance * (1 + detail::norm2(x)))
        return finish(MinimizeStatus::small_step,
                      "iteration " + std::to_string(it) + ": step " +
                          detail::number(record.step_norm) +
                          " below tolerance, ||grad f|| = " + detail::number(gnorm));
    }
  }

  /// The Hessian engine and the last H evaluated (unshifted, full storage).
  SparseHessian<F, ExecutionSpace>& hessian() { return hessian_; }
  const CsrMatrix<double>& last_hessian() const { return matrix_; }
  /// The solver holding the last factorization (of H + tau I).
  LinearSolver& linear_solver() { return solver_; }
  const SparseNewtonOptions& options() const { return options_; }

 private:
  static SparseNewtonOptions prepare(SparseNewtonOptions options) {
    options.hessian.storage = HessianStorage::full;  // CHOLMOD reads a full symmetric CSR
    options.solver.method = SolverMethod::cholmod;
    options.solver.symmetric_positive_definite = true;
    return options;
  }

  static Pattern probe_pattern(const F& f, Index n) {
    SPARSEDIFF_REQUIRE(n >= 0, InvalidArgument, "negative size " << n);
    if constexpr (is_partially_separable_v<F>)
      return element_pattern(f, n);
    else
      return detect_hessian_pattern(f, n);
  }

  /// The pattern with every diagonal entry (the shift needs them).
  static Pattern with_diagonal(const Pattern& pattern) {
    SPARSEDIFF_REQUIRE(
        pattern.rows() == pattern.cols(), InvalidArgument,
        "the Hessian pattern is " << pattern.rows() << " x " << pattern.cols() << ", not square");
    auto [ptr, idx] = pattern.host_arrays();
    std::vector<Index> rows, cols;
    rows.reserve(idx.size() + std::size_t(pattern.rows()));
    cols.reserve(idx.size() + std::size_t(pattern.rows()));
    for (Index i = 0; i < pattern.rows(); ++i) {
      rows.push_back(i), cols.push_back(i);
      for (Index k = ptr[i]; k < ptr[i + 1]; ++k) rows.push_back(i), cols.push_back(idx[k]);
    }
    return Pattern::from_coo(pattern.rows(), pattern.cols(), rows, cols);
  }

  void find_diagonal() {
    const Pattern& p = hessian_.pattern();
    diagonal_.resize(std::size_t(p.rows()));
    for (Index i = 0; i < p.rows(); ++i) diagonal_[i] = p.find(i, i);
  }

  SparseNewtonOptions options_;
  SparseHessian<F, ExecutionSpace> hessian_;
  LinearSolver solver_;
  CsrMatrix<double> shifted_, matrix_;
  std::vector<Index> diagonal_;
};

/// Minimizes f from x0 by Newton with the sparse Hessian (see
/// `SparseNewtonMinimizer`).
/// @throws DimensionMismatch / InvalidArgument for a non-finite x0;
///         numerical failures are reported in the status.
template <class F>
MinimizeResult sparse_newton_minimize(const F& f, std::vector<double> x0,
                                      SparseNewtonOptions options = {}) {
  detail::require_start("sparse_newton_minimize", x0, -1);
  SparseNewtonMinimizer<F> minimizer(f, Index(x0.size()), std::move(options));
  return minimizer.minimize(std::move(x0));
}

}  // namespace sparsediff
