#pragma once
/// @file
/// Implicit differentiation: derivatives of the solution of a sparse linear
/// system x = A(p)^{-1} b(p) and of a nonlinear one, R(x*(p), p) = 0, without
/// differentiating through the solver's iterations.
///
/// Linear solves (`solve_vjp`, `solve_jvp`, `sparse_solve`). Differentiating
/// A x = b gives A dx = db - dA x, hence (Giles, "Collected matrix derivative
/// results for forward and reverse mode AD", 2008)
///
///   forward   dx = A^{-1} (db - dA x)
///   reverse   b̄ = A^{-T} x̄,   Ā = -P_S(b̄ x^T)
///
/// where the transposed solve runs on the SAME numeric factors as the forward
/// solve (`LinearSolver::solve_transposed`: no new analysis or factorization)
/// and Ā lives on A's pattern S: entry k = (i, j) gets -Σ_c b̄(i, c) x(j, c),
/// computed entry by entry (ops/spmm.hpp `projected_outer_product`); entries
/// outside S are not parameters and get nothing. Several right-hand sides are
/// columns of a column-major block, solved at once. `sparse_solve` applies
/// the rules to Dual scalars (one factorization, one block solve for all
/// lanes) and records Reverse scalars on an `ExternalTape` as one external
/// operation whose adjoint is the rule above.
///
/// Nonlinear systems (`ImplicitFunction`). x*(p) solves R(x, p) = 0, found by
/// `NewtonSolver`. The implicit function theorem gives
///
///   dx*/dp = -R_x^{-1} R_p                                 (forward: one solve per direction)
///   dL/dp  = ∂L/∂p - λ^T R_p,   R_x^T λ = ∂L/∂x            (adjoint: one transposed solve)
///
/// R_x and R_p are the sparse Jacobians of the same residual, written once as
/// a template on its scalar with the state and the parameters as two inputs
/// (a row kernel `T operator()(Index i, Accessor<T> x, Accessor<T> p)` or a
/// whole-vector `void operator()(const T* x, const T* p, T* r)`); each is
/// detected, colored and seeded once (jacobian/sparse_jacobian.hpp).
///
/// Reusing Newton's factors. The solves with R_x use the factorization that
/// Newton left behind: no new analysis, no new factorization. That
/// factorization is of M = R_x at the last iterate *before* x*, not at x*
/// itself (Newton stops once ||R|| is small, without factorizing again), so
/// the solves are completed by defect correction (iterative refinement with
/// an inexact factorization): X ← X + M^{-1} (B - R_x(x*) X), with R_x(x*)
/// evaluated (not factorized) by the sparse Jacobian. The error contracts by
/// ||I - M^{-1} R_x(x*)|| = O(||x* - x_prev||) per step — tiny after a
/// quadratically converging Newton run — so one or two steps reach rounding
/// level; they stop when the backward error
/// ||B - R_x X||_∞ / (||R_x||_∞ ||X||_∞ + ||B||_∞) is below
/// `ImplicitOptions::refinement_tolerance` or stops decreasing.
/// `ImplicitFactors::refactorize` factorizes R_x(x*) instead (one more
/// factorization per solve, then exact solves). When Newton did not
/// factorize at all (x0 was already a root), R_x(x*) is factorized once.
///
/// Not done: Hessian-vector products of the reduced objective p ↦ L(x*(p), p)
/// by the second-order adjoint (they need second derivatives of R along
/// (dx, dp), i.e. nested duals through the row kernel). Documented in
/// docs/differentiable_sparse.md.

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sparsediff/ad/accessor.hpp"
#include "sparsediff/ad/dual.hpp"
#include "sparsediff/ad/tape.hpp"
#include "sparsediff/ad/tape_external.hpp"
#include "sparsediff/ad/tracer.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/jacobian/sparse_jacobian.hpp"
#include "sparsediff/nonlinear/newton.hpp"
#include "sparsediff/ops/detail/checks.hpp"
#include "sparsediff/ops/spmm.hpp"
#include "sparsediff/solve/linear_solver.hpp"
#include "sparsediff/sparse/csr.hpp"

namespace sparsediff {

// ================================================================ linear solves

/// Gradients through X = A^{-1} B: b̄ (n x nrhs, column-major) and Ā on A's
/// pattern (pattern order).
struct SolveGradient {
  std::vector<double> b_bar;
  std::vector<double> a_bar;
};

namespace detail {
inline void require_factorized(const char* function, const LinearSolver& solver) {
  if (!solver.factorized())
    raise<InvalidArgument>(function, "the solver holds no factorization (factorize A first)");
}
inline void require_block(const char* function, const char* name, std::size_t size, Index n,
                          Index nrhs) {
  SPARSEDIFF_REQUIRE(nrhs >= 0, InvalidArgument, "negative number of right-hand sides " << nrhs);
  const std::size_t expected = std::size_t(n) * std::size_t(nrhs);
  if (size != expected)
    raise<DimensionMismatch>(function, std::string(name) + " has " + std::to_string(size) +
                                           " entries, expected n x nrhs = " + std::to_string(n) +
                                           " x " + std::to_string(nrhs) + " = " +
                                           std::to_string(expected));
}
}  // namespace detail

/// The reverse rule of X = A^{-1} B, from the factors `solver` holds:
/// b̄ = A^{-T} x̄ (one transposed block solve), Ā = -P_S(b̄ X^T).
/// @param solver holds the factorization of A (as left by the forward solve).
/// @param x the solution X (n x nrhs, column-major); @param x_bar its cotangent.
/// @throws InvalidArgument when the solver has no factorization, nrhs < 0 or
///         an entry is not finite (named); DimensionMismatch for wrong sizes;
///         SolverError as `LinearSolver::solve_transposed`.
/// Cost: one transposed solve with nrhs columns + O(nnz nrhs).
inline SolveGradient solve_vjp(LinearSolver& solver, const std::vector<double>& x,
                               const std::vector<double>& x_bar, Index nrhs = 1) {
  detail::require_factorized("solve_vjp", solver);
  const Index n = solver.size();
  detail::require_block("solve_vjp", "x", x.size(), n, nrhs);
  detail::require_block("solve_vjp", "x_bar", x_bar.size(), n, nrhs);
  detail::require_finite_values("solve_vjp", "x", x);
  SolveGradient g;
  g.b_bar = solver.solve_transposed(x_bar, nrhs);
  g.a_bar.assign(std::size_t(solver.pattern().nnz()), 0.0);
  projected_outer_product(
      solver.pattern(), -1.0, detail::host_block(g.b_bar, std::size_t(n), std::size_t(nrhs)),
      detail::host_block(x, std::size_t(n), std::size_t(nrhs)), detail::host_view(g.a_bar));
  Kokkos::fence();
  return g;
}

/// The forward rule of X = A^{-1} B: dX = A^{-1} (dB - dA X), from the
/// factors `solver` holds.
/// @param da tangent of A's values over the solver's pattern (pattern order),
///        or empty for dA = 0; @param db n x nrhs, or empty for dB = 0.
/// @throws InvalidArgument when the solver has no factorization or an entry
///         is not finite (named); DimensionMismatch for wrong sizes.
/// Cost: one block solve + O(nnz nrhs).
inline std::vector<double> solve_jvp(LinearSolver& solver, const std::vector<double>& da,
                                     const std::vector<double>& x, const std::vector<double>& db,
                                     Index nrhs = 1) {
  detail::require_factorized("solve_jvp", solver);
  const Index n = solver.size();
  detail::require_block("solve_jvp", "x", x.size(), n, nrhs);
  if (!db.empty()) detail::require_block("solve_jvp", "db", db.size(), n, nrhs);
  if (!da.empty())
    detail::require_size("solve_jvp", "dA", da.size(), std::size_t(solver.pattern().nnz()),
                         "the factorized matrix's entries");
  detail::require_finite_values("solve_jvp", "dA", da);
  detail::require_finite_values("solve_jvp", "x", x);
  std::vector<double> rhs =
      db.empty() ? std::vector<double>(std::size_t(n) * std::size_t(nrhs), 0.0) : db;
  if (!da.empty()) {
    const CsrMatrix<double> da_matrix(solver.pattern(), da);
    const auto da_x = spmm(da_matrix, x, nrhs);
    for (std::size_t t = 0; t < rhs.size(); ++t) rhs[t] -= da_x[t];
  }
  return solver.solve(rhs, nrhs);
}

/// X = A^{-1} B with the values of A and/or B of any scalar family:
/// - double: `solver.compute(A)` then a block solve;
/// - Dual<double, N>: one factorization of A's values and two block solves
///   (the values, then all N lanes at once by the forward rule);
/// Reverse scalars go through the `std::shared_ptr` overload (the tape keeps
/// the solver until its sweep).
/// @param solver analyzed again only when A's pattern differs from its own.
/// @param b n x nrhs, column-major.
/// @throws DimensionMismatch for a non-square A or a wrong-size b;
///         InvalidArgument for a non-finite value (named); SolverError as
///         `LinearSolver` (singular A, ...).
template <class TA, class TB>
std::vector<detail::product_t<TA, TB>> sparse_solve(LinearSolver& solver, const CsrMatrix<TA>& a,
                                                    const std::vector<TB>& b, Index nrhs = 1) {
  using R = detail::product_t<TA, TB>;
  static_assert(!detail::is_reverse_v<R>,
                "Reverse operands: pass the solver as a std::shared_ptr (the tape keeps it)");
  SPARSEDIFF_REQUIRE(a.rows() == a.cols(), DimensionMismatch,
                     "A is " << a.rows() << " x " << a.cols() << ", not square");
  const Index n = a.rows();
  detail::require_block("sparse_solve", "b", b.size(), n, nrhs);
  detail::require_finite_matrix("sparse_solve", "A", a);
  detail::require_finite_values("sparse_solve", "b", b);
  if constexpr (std::is_same_v<R, double>) {
    solver.compute(a);
    return solver.solve(b, nrhs);
  } else {
    static_assert(is_dual_v<R> && std::is_same_v<typename R::value_type, double>,
                  "sparse_solve takes double, Dual<double, N> or Reverse<double> scalars");
    constexpr int lanes = R::lanes;
    const std::size_t nnz = std::size_t(a.nnz()), block = std::size_t(n) * std::size_t(nrhs);
    const auto a_values = detail::host_copy(a.values());
    std::vector<double> av(nnz), bv(block);
    for (std::size_t k = 0; k < nnz; ++k) av[k] = scalar_value(a_values[k]);
    for (std::size_t t = 0; t < block; ++t) bv[t] = scalar_value(b[t]);
    const CsrMatrix<double> a0(a.pattern(), av);
    solver.compute(a0);
    const std::vector<double> x0 = solver.solve(bv, nrhs);
    // Lane l, column c is column l nrhs + c of one block: db_l - dA_l x0.
    std::vector<double> rhs(block * lanes, 0.0), da(nnz);
    for (int l = 0; l < lanes; ++l) {
      double* out = rhs.data() + std::size_t(l) * block;
      if constexpr (is_dual_v<TB>)
        for (std::size_t t = 0; t < block; ++t) out[t] = b[t].d[l];
      if constexpr (is_dual_v<TA>) {
        for (std::size_t k = 0; k < nnz; ++k) da[k] = a_values[k].d[l];
        const auto da_x = spmm(CsrMatrix<double>(a.pattern(), da), x0, nrhs);
        for (std::size_t t = 0; t < block; ++t) out[t] -= da_x[t];
      }
    }
    const std::vector<double> dx = solver.solve(rhs, nrhs * lanes);
    std::vector<R> x(block);
    for (std::size_t t = 0; t < block; ++t) {
      x[t] = R(x0[t]);
      for (int l = 0; l < lanes; ++l) x[t].d[l] = dx[std::size_t(l) * block + t];
    }
    return x;
  }
}

/// X = A^{-1} B for any scalars, Reverse included: with Reverse values in A
/// and/or B, the solve is recorded on the thread's `ExternalTape` as one
/// external operation whose adjoint is `solve_vjp`'s rule, run during the
/// sweep with the factors of this solve (the closure keeps `solver`; if the
/// solver was given another factorization meanwhile, the sweep factorizes A
/// again from a copy of its values).
/// @throws NotSupported for Reverse scalars when the thread is not recording
///         on an ExternalTape; otherwise as the LinearSolver& overload.
/// Cost (Reverse): record = one factorization + one solve; sweep = one
/// transposed solve + O(nnz nrhs).
template <class TA, class TB>
std::vector<detail::product_t<TA, TB>> sparse_solve(const std::shared_ptr<LinearSolver>& solver,
                                                    const CsrMatrix<TA>& a,
                                                    const std::vector<TB>& b, Index nrhs = 1) {
  using R = detail::product_t<TA, TB>;
  SPARSEDIFF_REQUIRE(solver != nullptr, InvalidArgument, "null solver");
  if constexpr (!detail::is_reverse_v<R>) {
    return sparse_solve(*solver, a, b, nrhs);
  } else {
    static_assert(std::is_same_v<typename R::value_type, double>,
                  "sparse_solve records Reverse<double> values");
    constexpr bool a_active = detail::is_reverse_v<TA>, b_active = detail::is_reverse_v<TB>;
    SPARSEDIFF_REQUIRE(a.rows() == a.cols(), DimensionMismatch,
                       "A is " << a.rows() << " x " << a.cols() << ", not square");
    const Index n = a.rows(), nnz = a.nnz();
    detail::require_block("sparse_solve", "b", b.size(), n, nrhs);
    detail::require_finite_matrix("sparse_solve", "A", a);
    detail::require_finite_values("sparse_solve", "b", b);
    ExternalTape<double>* tape = active_external_tape<double>();
    SPARSEDIFF_REQUIRE(tape != nullptr, NotSupported,
                       "a solve with Reverse operands must be recorded on an ExternalTape "
                       "(ad/tape_external.hpp): a plain Tape would tape the factorization");
    const std::size_t block = std::size_t(n) * std::size_t(nrhs);
    std::vector<R> operands;
    operands.reserve((a_active ? std::size_t(nnz) : 0) + (b_active ? block : 0));
    std::vector<double> av(static_cast<std::size_t>(nnz)), bv(block);
    const auto values = a.values();
    for (Index k = 0; k < nnz; ++k) {
      av[std::size_t(k)] = detail::passive_value(values(k));
      if constexpr (a_active) operands.push_back(values(k));
    }
    for (std::size_t t = 0; t < block; ++t) {
      bv[t] = detail::passive_value(b[t]);
      if constexpr (b_active) operands.push_back(b[t]);
    }
    auto a_double = std::make_shared<const CsrMatrix<double>>(a.pattern(), av);
    solver->compute(*a_double);
    int factorizations = solver->timings().factorize_count;
    auto x = std::make_shared<const std::vector<double>>(solver->solve(bv, nrhs));
    ExternalAdjoint<double> adjoint = [solver, a_double, x, factorizations, n, nnz, nrhs](
                                          const double* x_bar, double* u_bar) mutable {
      if (solver->timings().factorize_count != factorizations || !solver->factorized() ||
          solver->pattern() != a_double->pattern()) {
        solver->compute(*a_double);  // the factors were replaced since the recording
        factorizations = solver->timings().factorize_count;
      }
      const std::size_t size = std::size_t(n) * std::size_t(nrhs);
      const std::vector<double> b_bar =
          solver->solve_transposed(std::vector<double>(x_bar, x_bar + size), nrhs);
      if (a_active) {
        projected_outer_product(a_double->pattern(), -1.0,
                                detail::host_block(b_bar, std::size_t(n), std::size_t(nrhs)),
                                detail::host_block(*x, std::size_t(n), std::size_t(nrhs)),
                                Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
                                    u_bar, std::size_t(nnz)));
        Kokkos::fence();
      }
      if (b_active) std::copy(b_bar.begin(), b_bar.end(), u_bar + (a_active ? nnz : 0));
    };
    return tape->record_external(operands, *x, std::move(adjoint), "sparse_solve");
  }
}

/// X = A^{-1} B with a solver of its own (analysis + factorization each call).
/// @throws as the overloads above.
template <class TA, class TB>
std::vector<detail::product_t<TA, TB>> sparse_solve(const CsrMatrix<TA>& a,
                                                    const std::vector<TB>& b, Index nrhs = 1,
                                                    const LinearSolverOptions& options = {}) {
  return sparse_solve(std::make_shared<LinearSolver>(options), a, b, nrhs);
}

// ================================================================ nonlinear systems

/// Which factorization the sensitivity solves of `ImplicitFunction` use.
enum class ImplicitFactors {
  /// Newton's last factorization (R_x one iterate before x*), completed by
  /// defect correction with R_x(x*): no new analysis, no new factorization.
  last_newton_step,
  /// A factorization of R_x(x*), once per solve (exact factors).
  refactorize,
};

/// Options of `ImplicitFunction`.
struct ImplicitOptions {
  /// The Newton solve of R(x, p) = 0 in x (tolerances, linear solver, ...).
  NewtonOptions newton{};
  /// The sparse Jacobian R_p (coloring, lanes).
  JacobianOptions parameter_jacobian{};
  ImplicitFactors factors = ImplicitFactors::last_newton_step;
  /// Defect-correction steps allowed per sensitivity / adjoint solve.
  int max_refinement_steps = 10;
  /// Target backward error ||B - R_x X||_∞ / (||R_x||_∞ ||X||_∞ + ||B||_∞).
  double refinement_tolerance = 1e-14;
};

/// Work done by an `ImplicitFunction` since its last `solve`.
struct ImplicitStatistics {
  /// Defect-correction steps of the last sensitivity or adjoint solve.
  int refinement_steps = 0;
  /// Its final backward error (see ImplicitOptions::refinement_tolerance).
  double backward_error = 0;
  /// Evaluations of R_x(x*) and of R_p(x*) (each at most once per solve).
  int state_jacobian_evaluations = 0;
  int parameter_jacobian_evaluations = 0;
  /// Factorizations done by the sensitivities themselves (not Newton's).
  int factorizations = 0;
};

namespace detail {

template <class>
inline constexpr bool always_false_v = false;

/// Inputs held constant while the other input is the variable: their values,
/// zero tangents (for dual accessors) and constant tracers (for detection).
struct HeldInputs {
  const double* values = nullptr;
  const double* zeros = nullptr;
  const Tracer* tracers = nullptr;
  Index size = 0;
};

/// An accessor over held inputs for the scalar a derivative engine runs with.
template <class T>
KOKKOS_INLINE_FUNCTION Accessor<T> held_accessor(const HeldInputs& h) {
  if constexpr (std::is_same_v<T, double>) {
    return Accessor<double>(h.values, h.size);
  } else if constexpr (std::is_same_v<T, Tracer>) {
    return Accessor<Tracer>(h.tracers, h.size);
  } else if constexpr (is_dual_v<T>) {
    static_assert(std::is_same_v<typename T::value_type, double>,
                  "held inputs serve Dual<double, N> lanes");
    return Accessor<T>(h.values, h.size, h.zeros);  // direction seeding with zero tangents
  } else {
    static_assert(always_false_v<T>, "unsupported scalar for an implicit residual");
  }
}

template <class R, class = void>
struct is_parametric_row_kernel : std::false_type {};
template <class R>
struct is_parametric_row_kernel<
    R, std::void_t<decltype(std::declval<const R&>()(Index(0), std::declval<Accessor<double>>(),
                                                     std::declval<Accessor<double>>()))>>
    : std::true_type {};
template <class R, class = void>
struct is_parametric_whole_vector : std::false_type {};
template <class R>
struct is_parametric_whole_vector<
    R, std::void_t<decltype(std::declval<const R&>()(
           std::declval<const double*>(), std::declval<const double*>(), std::declval<double*>()))>>
    : std::true_type {};

/// R(·, p) as a function of x alone (row kernel form).
template <class R>
struct StateResidualRows {
  R residual;
  HeldInputs p;
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(Index i, Accessor<T> x) const {
    return residual(i, x, held_accessor<T>(p));
  }
};
/// R(x, ·) as a function of p alone (row kernel form).
template <class R>
struct ParameterResidualRows {
  R residual;
  HeldInputs x;
  template <class T>
  KOKKOS_INLINE_FUNCTION T operator()(Index i, Accessor<T> p) const {
    return residual(i, held_accessor<T>(x), p);
  }
};
/// Whole-vector forms: the held input is converted to constants of T.
template <class R>
struct StateResidualVector {
  R residual;
  HeldInputs p;
  template <class T>
  void operator()(const T* x, T* r) const {
    const std::vector<T> pc(p.values, p.values + p.size);
    residual(x, pc.data(), r);
  }
};
template <class R>
struct ParameterResidualVector {
  R residual;
  HeldInputs x;
  template <class T>
  void operator()(const T* p, T* r) const {
    const std::vector<T> xc(x.values, x.values + x.size);
    residual(xc.data(), p, r);
  }
};

template <class R>
using state_residual_t = std::conditional_t<is_parametric_row_kernel<R>::value,
                                            StateResidualRows<R>, StateResidualVector<R>>;
template <class R>
using parameter_residual_t =
    std::conditional_t<is_parametric_row_kernel<R>::value, ParameterResidualRows<R>,
                       ParameterResidualVector<R>>;

/// L(z) = loss(z[0, n), z[n, ...)): a loss of (x, p) as a function of one vector.
template <class Loss>
struct JoinedLoss {
  const Loss* loss;
  std::size_t n;
  template <class T>
  T operator()(const T* z) const {
    return (*loss)(z, z + n);
  }
};

inline double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace detail

/// The solution map p ↦ x*(p) of R(x, p) = 0 and its derivatives (see the
/// file comment).
///
/// @code
///   struct Residual {  // R_i(x, p)
///     template <class T>
///     KOKKOS_INLINE_FUNCTION T operator()(Index i, Accessor<T> x, Accessor<T> p) const;
///   };
///   ImplicitFunction<Residual> f(Residual{...}, n, np);
///   f.solve(p, x0);                          // Newton
///   auto g = f.gradient(dl_dx, dl_dp);       // dL/dp, reusing Newton's factors
///   auto dx = f.jvp(v);                      // dx*/dp v
/// @endcode
///
/// @tparam R a residual in one of the two forms above (n outputs; x has n
///         entries, p has num_parameters).
/// Not thread-safe (one object per thread). Holds the Newton solver, its
/// linear solver and both Jacobian engines.
template <class R, class ExecutionSpace = DefaultHostExecutionSpace>
class ImplicitFunction {
  static_assert(
      detail::is_parametric_row_kernel<R>::value || detail::is_parametric_whole_vector<R>::value,
      "sparsediff::ImplicitFunction: the residual must provide either\n"
      "  template <class T> T operator()(Index i, Accessor<T> x, Accessor<T> p) const  or\n"
      "  template <class T> void operator()(const T* x, const T* p, T* r) const");

 public:
  using state_residual = detail::state_residual_t<R>;
  using parameter_residual = detail::parameter_residual_t<R>;
  using newton_type = NewtonSolver<state_residual, ExecutionSpace>;

  /// Detects the patterns of R_x (n x n) and R_p (n x num_parameters),
  /// colors them and analyzes R_x for the linear solver.
  /// @throws InvalidArgument for negative sizes; as `NewtonSolver`.
  ImplicitFunction(R residual, Index n, Index num_parameters, ImplicitOptions options = {})
      : storage_(make_storage(n, num_parameters)),
        options_(std::move(options)),
        newton_(state_residual{residual, storage_->held_parameters()}, n, options_.newton),
        parameter_jacobian_(parameter_residual{residual, storage_->held_state()}, n, num_parameters,
                            options_.parameter_jacobian),
        state_jacobian_(newton_.jacobian().pattern()),
        parameter_matrix_(parameter_jacobian_.pattern()) {
    SPARSEDIFF_REQUIRE(options_.max_refinement_steps >= 0, InvalidArgument,
                       "negative max_refinement_steps " << options_.max_refinement_steps);
  }

  ImplicitFunction(const ImplicitFunction&) = delete;
  ImplicitFunction& operator=(const ImplicitFunction&) = delete;

  /// Solves R(x, p) = 0 by Newton from x0 and keeps x* for the derivatives.
  /// Numerical failures are reported in the result (the derivative calls
  /// then throw); bad input throws.
  /// @throws DimensionMismatch for a wrong-size p or x0; InvalidArgument for
  ///         a non-finite entry (named).
  NewtonResult solve(const std::vector<double>& p, std::vector<double> x0) {
    detail::require_size("ImplicitFunction::solve", "p", p.size(), std::size_t(num_parameters()),
                         "parameters");
    detail::require_finite_values("ImplicitFunction::solve", "p", p);
    std::copy(p.begin(), p.end(), storage_->p.begin());
    solved_ = false;
    state_jacobian_valid_ = parameter_matrix_valid_ = exact_factors_ = false;
    stats_ = {};
    NewtonResult result = newton_.solve(std::move(x0));
    if (result.converged()) {
      std::copy(result.x.begin(), result.x.end(), storage_->x.begin());
      solved_ = true;
    } else {
      last_failure_ =
          to_string(result.status) + (result.message.empty() ? "" : ": ") + result.message;
    }
    return result;
  }

  Index size() const { return Index(storage_->x.size()); }
  Index num_parameters() const { return Index(storage_->p.size()); }
  /// True when the last `solve` converged.
  bool solved() const { return solved_; }
  /// x* and p of the last converged solve.
  const std::vector<double>& solution() const { return storage_->x; }
  const std::vector<double>& parameters() const { return storage_->p; }

  /// dx*/dp V = -R_x^{-1} R_p V for k directions (V: num_parameters x k,
  /// column-major); returns n x k, column-major.
  /// @throws Error when the last solve did not converge; DimensionMismatch /
  ///         InvalidArgument for a wrong-size or non-finite V.
  /// Cost: one block solve (+ refinement steps) and k products with R_p.
  std::vector<double> jvp(const std::vector<double>& v, Index k = 1) {
    require_solved("ImplicitFunction::jvp");
    detail::require_block("ImplicitFunction::jvp", "v", v.size(), num_parameters(), k);
    detail::require_finite_values("ImplicitFunction::jvp", "v", v);
    const auto& rp = parameter_jacobian_matrix();
    const std::size_t n = std::size_t(size()), np = std::size_t(num_parameters());
    std::vector<double> rhs(n * std::size_t(k));
    for (Index c = 0; c < k; ++c) {
      const std::vector<double> column(v.begin() + c * np, v.begin() + (c + 1) * np);
      const auto rv = rp.multiply(column);
      for (std::size_t i = 0; i < n; ++i) rhs[std::size_t(c) * n + i] = -rv[i];
    }
    return solve_state(rhs, k, false);
  }

  /// The dense sensitivity matrix dx*/dp (n x num_parameters, column-major):
  /// `jvp` of the identity, one block solve with num_parameters columns.
  std::vector<double> sensitivities() {
    const std::size_t np = std::size_t(num_parameters());
    std::vector<double> identity(np * np, 0.0);
    for (std::size_t j = 0; j < np; ++j) identity[j * np + j] = 1.0;
    return jvp(identity, num_parameters());
  }

  /// (dx*/dp)^T X̄ = -R_p^T λ with R_x^T λ = X̄, for k cotangents (X̄: n x k,
  /// column-major); returns num_parameters x k. λ is kept (`adjoint()`).
  /// @throws as `jvp`. Cost: one transposed block solve (+ refinement) and k
  /// products with R_p^T.
  std::vector<double> vjp(const std::vector<double>& x_bar, Index k = 1) {
    require_solved("ImplicitFunction::vjp");
    detail::require_block("ImplicitFunction::vjp", "x_bar", x_bar.size(), size(), k);
    detail::require_finite_values("ImplicitFunction::vjp", "x_bar", x_bar);
    adjoint_ = solve_state(x_bar, k, true);
    const auto& rp = parameter_jacobian_matrix();
    const std::size_t n = std::size_t(size()), np = std::size_t(num_parameters());
    std::vector<double> out(np * std::size_t(k));
    for (Index c = 0; c < k; ++c) {
      const std::vector<double> lambda(adjoint_.begin() + c * n, adjoint_.begin() + (c + 1) * n);
      const auto rtl = rp.multiply_transposed(lambda);
      for (std::size_t j = 0; j < np; ++j) out[std::size_t(c) * np + j] = -rtl[j];
    }
    return out;
  }

  /// dL/dp = ∂L/∂p - λ^T R_p with R_x^T λ = ∂L/∂x, for a loss L(x*(p), p).
  /// @param dl_dx ∂L/∂x at (x*, p) (n entries); @param dl_dp ∂L/∂p
  ///        (num_parameters entries, or empty when L does not depend on p directly).
  /// @throws as `vjp`; DimensionMismatch for a wrong-size dl_dp.
  std::vector<double> gradient(const std::vector<double>& dl_dx,
                               const std::vector<double>& dl_dp = {}) {
    if (!dl_dp.empty()) {
      detail::require_size("ImplicitFunction::gradient", "dl_dp", dl_dp.size(),
                           std::size_t(num_parameters()), "parameters");
      detail::require_finite_values("ImplicitFunction::gradient", "dl_dp", dl_dp);
    }
    std::vector<double> g = vjp(dl_dx, 1);
    for (std::size_t j = 0; j < dl_dp.size(); ++j) g[j] += dl_dp[j];
    return g;
  }

  /// The loss and its gradient dL/dp for a loss written as a template
  /// `template <class T> T operator()(const T* x, const T* p) const`
  /// (∂L/∂x and ∂L/∂p by reverse mode on a tape, then `gradient`).
  /// @param g receives dL/dp. @throws as `gradient`.
  template <class Loss>
  double value_and_gradient(const Loss& loss, std::vector<double>& g) {
    require_solved("ImplicitFunction::value_and_gradient");
    const std::size_t n = std::size_t(size());
    std::vector<double> z(storage_->x);
    z.insert(z.end(), storage_->p.begin(), storage_->p.end());
    Tape<double> tape;
    std::vector<double> dz;
    const double value = sparsediff::gradient(tape, detail::JoinedLoss<Loss>{&loss, n}, z, dz);
    g = gradient(std::vector<double>(dz.begin(), dz.begin() + std::ptrdiff_t(n)),
                 std::vector<double>(dz.begin() + std::ptrdiff_t(n), dz.end()));
    return value;
  }

  /// λ of the last `vjp` / `gradient` (n x k, column-major).
  const std::vector<double>& adjoint() const { return adjoint_; }

  /// R_x(x*, p) and R_p(x*, p), evaluated once per solve.
  const CsrMatrix<double>& state_jacobian_matrix() {
    require_solved("ImplicitFunction::state_jacobian_matrix");
    if (!state_jacobian_valid_) {
      newton_.jacobian().evaluate(storage_->x, state_jacobian_);
      ++stats_.state_jacobian_evaluations;
      state_jacobian_norm_ = 0;
      auto [ptr, idx] = state_jacobian_.pattern().host_arrays();
      const auto values = state_jacobian_.values();
      for (Index i = 0; i < size(); ++i) {
        double row = 0;
        for (Index k = ptr[i]; k < ptr[i + 1]; ++k) row += std::abs(values(k));
        state_jacobian_norm_ = std::max(state_jacobian_norm_, row);
      }
      state_jacobian_valid_ = true;
    }
    return state_jacobian_;
  }
  const CsrMatrix<double>& parameter_jacobian_matrix() {
    require_solved("ImplicitFunction::parameter_jacobian_matrix");
    if (!parameter_matrix_valid_) {
      parameter_jacobian_.evaluate(storage_->p, parameter_matrix_);
      ++stats_.parameter_jacobian_evaluations;
      parameter_matrix_valid_ = true;
    }
    return parameter_matrix_;
  }

  /// The Newton solver (its `linear_solver()` holds the factors reused here).
  newton_type& newton() { return newton_; }
  LinearSolver& linear_solver() { return newton_.linear_solver(); }
  /// The Jacobian engine of R_p (pattern, coloring).
  SparseJacobian<parameter_residual, ExecutionSpace>& parameter_jacobian() {
    return parameter_jacobian_;
  }
  const ImplicitOptions& options() const { return options_; }
  const ImplicitStatistics& statistics() const { return stats_; }

 private:
  struct Storage {
    std::vector<double> x, p, zeros;
    std::vector<Tracer> tracers;
    detail::HeldInputs held_parameters() const {
      return {p.data(), zeros.data(), tracers.data(), Index(p.size())};
    }
    detail::HeldInputs held_state() const {
      return {x.data(), zeros.data(), tracers.data(), Index(x.size())};
    }
  };

  static std::unique_ptr<Storage> make_storage(Index n, Index np) {
    SPARSEDIFF_REQUIRE(n >= 0 && np >= 0, InvalidArgument,
                       "negative size: n = " << n << ", num_parameters = " << np);
    auto s = std::make_unique<Storage>();
    s->x.assign(std::size_t(n), 0.0);
    s->p.assign(std::size_t(np), 0.0);
    s->zeros.assign(std::size_t(std::max(n, np)), 0.0);
    s->tracers.assign(std::size_t(std::max(n, np)), Tracer());
    return s;
  }

  void require_solved(const char* function) const {
    if (!solved_)
      detail::raise<Error>(function,
                           last_failure_.empty()
                               ? "no converged solve yet (call solve first)"
                               : "the last solve did not converge (" + last_failure_ + ")");
  }

  /// Solves R_x X = B (or R_x^T X = B) at x* for nrhs columns, with the
  /// factors chosen by the options, refined by defect correction.
  std::vector<double> solve_state(const std::vector<double>& b, Index nrhs, bool transposed) {
    const CsrMatrix<double>& j = state_jacobian_matrix();
    LinearSolver& solver = newton_.linear_solver();
    if (!exact_factors_ && (options_.factors == ImplicitFactors::refactorize ||
                            !solver.factorized() || solver.pattern() != j.pattern())) {
      solver.factorize(j);
      ++stats_.factorizations;
      exact_factors_ = true;
    }
    auto apply_solve = [&](const std::vector<double>& rhs) {
      return transposed ? solver.solve_transposed(rhs, nrhs) : solver.solve(rhs, nrhs);
    };
    const std::size_t n = std::size_t(size());
    std::vector<double> x = apply_solve(b);
    const double b_norm = detail::max_abs(b);
    std::vector<double> residual(b.size());
    auto backward_error = [&]() {
      for (Index c = 0; c < nrhs; ++c) {
        const std::vector<double> column(x.begin() + c * n, x.begin() + (c + 1) * n);
        const auto jx = transposed ? j.multiply_transposed(column) : j.multiply(column);
        for (std::size_t i = 0; i < n; ++i)
          residual[std::size_t(c) * n + i] = b[std::size_t(c) * n + i] - jx[i];
      }
      const double denominator = state_jacobian_norm_ * detail::max_abs(x) + b_norm;
      return denominator > 0 ? detail::max_abs(residual) / denominator : 0.0;
    };
    stats_.refinement_steps = 0;
    double error = backward_error();
    while (error > options_.refinement_tolerance &&
           stats_.refinement_steps < options_.max_refinement_steps) {
      const std::vector<double> correction = apply_solve(residual);
      std::vector<double> previous = x;
      for (std::size_t t = 0; t < x.size(); ++t) x[t] += correction[t];
      ++stats_.refinement_steps;
      const double next = backward_error();
      if (!(next < 0.5 * error)) {  // stagnation at rounding level: keep the better one
        if (!(next < error)) x.swap(previous);
        error = std::min(error, next);
        break;
      }
      error = next;
    }
    stats_.backward_error = error;
    return x;
  }

  std::unique_ptr<Storage> storage_;
  ImplicitOptions options_;
  newton_type newton_;
  SparseJacobian<parameter_residual, ExecutionSpace> parameter_jacobian_;
  CsrMatrix<double> state_jacobian_, parameter_matrix_;
  double state_jacobian_norm_ = 0;
  std::vector<double> adjoint_;
  ImplicitStatistics stats_;
  std::string last_failure_;
  bool solved_ = false, state_jacobian_valid_ = false, parameter_matrix_valid_ = false,
       exact_factors_ = false;
};

}  // namespace sparsediff
