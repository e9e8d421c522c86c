#pragma once
/// @file
/// `LinearSolver`: sparse direct solves of A x = b and A^T x = b, with the
/// symbolic analysis done once per pattern.
///
/// A direct solve has three phases of very different cost and lifetime:
///
/// 1. analyze (once per *pattern*): a fill-reducing ordering (ordering.hpp)
///    and the symbolic factorization (elimination tree, structure of the
///    factors, supernodes or frontal matrices);
/// 2. factorize (once per *matrix*): the numeric factors, over the structure
///    found in 1;
/// 3. solve (once per *right-hand side*): forward and back substitution.
///
/// A Newton loop, a time stepper or an adjoint computation factorizes many
/// matrices of one pattern and solves with each factorization several times,
/// so the three phases are separate calls, separately timed (`SolverTimings`),
/// and `compute` re-analyzes only when the pattern changes. `SolverCache`
/// (solver_cache.hpp) keeps one analyzed solver per pattern for codes that
/// alternate between several.
///
/// Two SuiteSparse factorizations sit behind the class (adapters in src/solve,
/// no SuiteSparse header is visible here):
/// - CHOLMOD (Chen, Davis, Hager & Rajamanickam, ACM TOMS 35(3), 2008,
///   Algorithm 887): Cholesky L L^T of a symmetric positive definite matrix,
///   simplicial (up-looking, row by row) for very sparse factors or
///   supernodal (dense BLAS-3 blocks) when the factor is dense enough to pay,
///   decided by CHOLMOD's own flop-per-entry switch;
/// - UMFPACK (Davis, ACM TOMS 30(2), 2004, Algorithm 832): multifrontal LU
///   with threshold row pivoting, for any nonsingular square matrix; solves
///   with A or A^T from one factorization, with iterative refinement.
///
/// Storage: `CsrMatrix` is CSR, SuiteSparse reads CSC, and CSR of A is CSC of
/// A^T. For CHOLMOD nothing is converted: the pattern is symmetric and the
/// values must be (checked to `symmetry_tolerance`), so the CSR arrays are the
/// CSC arrays of A itself and CHOLMOD reads one triangle of them in place. For
/// UMFPACK the values are gathered into CSC order at each factorization
/// through the transpose map computed once at analysis (one O(nnz) pass, small
/// next to the factorization) rather than factoring A^T and swapping the
/// solves: the factors are then those of A, so the ordering, the pivoting and
/// the failing column in an error message all refer to the user's matrix.
///
/// Errors are exceptions with context, never silent garbage: a singular or
/// not-positive-definite matrix names the column and the condition estimate,
/// a non-finite value names its entry. After a failure the object keeps its
/// analysis and the next factorization proceeds normally.
///
/// Not thread-safe: one object per thread (SuiteSparse's workspace lives in
/// the object). Host memory only.

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/solve/ordering.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Which factorization a `LinearSolver` runs.
enum class SolverMethod {
  /// CHOLMOD when `LinearSolverOptions::symmetric_positive_definite` is set and
  /// the pattern is structurally symmetric, UMFPACK otherwise.
  automatic,
  /// CHOLMOD's Cholesky factorization; the matrix must be symmetric positive
  /// definite (with a symmetric pattern and every diagonal entry present).
  cholmod,
  /// UMFPACK's LU factorization with partial pivoting; any nonsingular matrix.
  umfpack,
};

/// How CHOLMOD lays out the Cholesky factor.
enum class CholmodStrategy {
  /// CHOLMOD's choice: supernodal when the flop count per factor entry
  /// passes its `supernodal_switch` (40), simplicial otherwise.
  automatic,
  /// Always simplicial (column by column, no BLAS).
  simplicial,
  /// Always supernodal (dense blocks through BLAS).
  supernodal,
};

/// "automatic", "cholmod" or "umfpack".
std::string to_string(SolverMethod method);

/// Choices of a `LinearSolver`, fixed at construction.
struct LinearSolverOptions {
  /// The factorization (see `SolverMethod`).
  SolverMethod method = SolverMethod::automatic;
  /// The fill-reducing ordering. CHOLMOD takes automatic, amd, metis or
  /// natural (colamd is for unsymmetric LU: NotSupported); UMFPACK takes all
  /// (amd and metis select its symmetric strategy, colamd its unsymmetric
  /// one; UMFPACK falls back to COLAMD when the matrix left after removing
  /// singletons cannot keep a symmetric permutation, and
  /// `FactorizationInfo::ordering` reports what ran).
  FillOrdering ordering = FillOrdering::automatic;
  /// The caller's promise that the matrices are symmetric positive definite;
  /// lets `SolverMethod::automatic` pick CHOLMOD (about half the flops and
  /// memory of LU). A matrix breaking the promise is reported by
  /// `factorize` (SolverError), not silently mis-solved.
  bool symmetric_positive_definite = false;
  /// Supernodal or simplicial Cholesky (CHOLMOD only).
  CholmodStrategy cholmod_strategy = CholmodStrategy::automatic;
  /// CHOLMOD factors the lower triangle; `factorize` first checks that
  /// |a_ij - a_ji| <= symmetry_tolerance * max |a| for every pair, so that an
  /// unsymmetric matrix is refused (InvalidArgument) rather than replaced by
  /// its lower half. A negative value skips the check.
  double symmetry_tolerance = 1e-10;
  /// `factorize` fails (SolverError) when the solver's estimate of the
  /// reciprocal condition number falls below this. 0 refuses only exactly
  /// singular factors (a zero pivot); the estimate is cheap and crude
  /// (min/max of the pivots' magnitudes), so a threshold is a guard against
  /// hopeless systems, not a bound on the error.
  double min_reciprocal_condition = 0.0;
};

/// Accumulated wall-clock seconds and call counts of the three phases. A call
/// that fails is counted and timed too (the time was spent); `compute`
/// counts an analysis only when it ran one. A multi-rhs solve counts once.
struct SolverTimings {
  double analyze = 0.0, factorize = 0.0, solve = 0.0;
  int analyze_count = 0, factorize_count = 0, solve_count = 0;
};

/// What the last analysis and factorization did.
struct FactorizationInfo {
  /// The factorization used (never `automatic` once analyzed).
  SolverMethod method = SolverMethod::automatic;
  /// The ordering applied. Under `FillOrdering::automatic` this is the
  /// solver's choice (amd, colamd, metis or natural).
  FillOrdering ordering = FillOrdering::automatic;
  /// CHOLMOD: whether the factor is supernodal; false for UMFPACK.
  bool supernodal = false;
  /// Entries of the factors: nnz(L) for CHOLMOD, nnz(L) + nnz(U) - n for
  /// UMFPACK (the unit diagonal of L not counted). An estimate after
  /// `analyze`, exact after `factorize` (for UMFPACK).
  double factor_nnz = 0.0;
  /// Floating-point operations of the factorization (estimate after `analyze`).
  double flops = 0.0;
  /// Estimate of the reciprocal condition number from the last factorization
  /// that completed (also one then refused by `min_reciprocal_condition`):
  /// UMFPACK's min|u_kk|/max|u_kk| after row scaling, CHOLMOD's
  /// (min l_kk / max l_kk)^2; NaN before the first one.
  double reciprocal_condition = std::numeric_limits<double>::quiet_NaN();
};

/// A sparse direct solver for square systems: analyze a `Pattern` once,
/// factorize any number of matrices over it, solve with A or A^T.
///
/// Typical Newton loop:
/// @code
///   LinearSolver solver;                 // UMFPACK unless SPD is promised
///   for (...) {
///     solver.compute(jacobian);          // analyzes on the first call only
///     auto dx = solver.solve(residual);  // J dx = r
///   }
///   auto lambda = solver.solve_transposed(gradient);  // adjoint, same factors
/// @endcode
///
/// Movable, not copyable (owns SuiteSparse objects, released on destruction).
class LinearSolver {
 public:
  /// Contiguous host vectors and column-major (LayoutLeft) n x k blocks of
  /// right-hand sides; managed views convert implicitly.
  using ConstVectorView = Kokkos::View<const double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
  using VectorView = Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
  using ConstMatrixView =
      Kokkos::View<const double**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
  using MatrixView =
      Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;

  /// A solver with the given options and nothing analyzed yet.
  /// @throws NotSupported for CHOLMOD with the COLAMD ordering.
  explicit LinearSolver(LinearSolverOptions options = {});
  /// Analyzes `pattern` right away (see `analyze`).
  explicit LinearSolver(const Pattern& pattern, LinearSolverOptions options = {});
  ~LinearSolver();
  LinearSolver(LinearSolver&&) noexcept;
  LinearSolver& operator=(LinearSolver&&) noexcept;
  LinearSolver(const LinearSolver&) = delete;
  LinearSolver& operator=(const LinearSolver&) = delete;

  /// Ordering and symbolic factorization of `pattern`; discards any earlier
  /// analysis and factorization.
  /// @throws DimensionMismatch when the pattern is not square.
  /// @throws SolverError when the pattern is structurally singular (an empty
  ///         row or column, named) or, for CHOLMOD, lacks a diagonal entry.
  /// @throws InvalidArgument when CHOLMOD is asked for an unsymmetric pattern
  ///         (naming an entry whose mirror is absent).
  /// @throws NotSupported when the resolved method is CHOLMOD and the
  ///         ordering is colamd.
  /// After an exception the solver is left without an analysis.
  /// Complexity: that of the ordering (about O(nnz)) plus the symbolic
  /// factorization (about O(nnz(factor))).
  void analyze(const Pattern& pattern);

  /// Numeric factorization of `a`, reusing the analysis.
  /// @param a a matrix whose pattern equals the analyzed one.
  /// @throws SolverError when nothing was analyzed, when the matrix is
  ///         singular (UMFPACK: the pivot step, column and row of the zero
  ///         pivot, and the reciprocal condition estimate), not positive
  ///         definite (CHOLMOD: the column of A where the Cholesky pivot was
  ///         not positive), or its condition estimate is below
  ///         `min_reciprocal_condition`.
  /// @throws DimensionMismatch when a's size or entry count differs from the
  ///         analyzed pattern's; InvalidArgument when its structure differs
  ///         (naming the first differing row), when a value is not finite
  ///         (naming the entry) or, for CHOLMOD, when the values are not
  ///         symmetric (naming the pair).
  /// After an input error (InvalidArgument, DimensionMismatch) nothing has
  /// changed, the previous factors included. After a SolverError the
  /// analysis is kept, the previous factors are gone (`factorized()` is false
  /// and `solve` reports the failure) and the next `factorize` with good
  /// values succeeds.
  void factorize(const CsrMatrix<double>& a);

  /// `analyze(a.pattern())` when nothing is analyzed or the pattern differs
  /// from the analyzed one (compared by hash, then entry by entry), then
  /// `factorize(a)`. The call for Newton loops and time steppers.
  /// @throws as `analyze` and `factorize`.
  void compute(const CsrMatrix<double>& a);

  /// Solves A X = B for `nrhs` right-hand sides.
  /// @param b n * nrhs values, column-major (right-hand side j in
  ///        b[j*n, (j+1)*n)).
  /// @param nrhs number of right-hand sides (>= 0).
  /// @return X, same layout as b.
  /// @throws SolverError when there is no valid factorization, or when the
  ///         solution has a non-finite entry (a nearly singular matrix).
  /// @throws DimensionMismatch when b.size() != n * nrhs; InvalidArgument
  ///         when nrhs < 0 or an entry of b is not finite (named).
  /// Complexity O(nrhs * nnz(factors)).
  std::vector<double> solve(const std::vector<double>& b, Index nrhs = 1);

  /// Solves A^T X = B from the same factors (the adjoint solve); arguments
  /// and errors as `solve`.
  std::vector<double> solve_transposed(const std::vector<double>& b, Index nrhs = 1);

  /// x = A^{-1} b into caller storage (b and x may be the same memory).
  /// @throws as `solve`; DimensionMismatch when b or x has not n entries.
  void solve(ConstVectorView b, VectorView x);
  /// x = A^{-T} b into caller storage.
  void solve_transposed(ConstVectorView b, VectorView x);
  /// X = A^{-1} B for an n x k block (LayoutLeft, contiguous).
  void solve(ConstMatrixView b, MatrixView x);
  /// X = A^{-T} B for an n x k block.
  void solve_transposed(ConstMatrixView b, MatrixView x);

  /// True after a successful `analyze`.
  bool analyzed() const;
  /// True after a successful `factorize` (false again after a failed one).
  bool factorized() const;
  /// The analyzed pattern (empty 0 x 0 when none).
  const Pattern& pattern() const;
  /// Order n of the analyzed system (0 when none).
  Index size() const;
  const LinearSolverOptions& options() const;
  /// Method, ordering and sizes of the current analysis / factorization.
  const FactorizationInfo& info() const;
  const SolverTimings& timings() const;
  void reset_timings();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The BLAS that CHOLMOD's supernodal factorization calls, for benchmark
/// reports: OpenBLAS's configuration string and thread count when OpenBLAS
/// is loaded, otherwise "reference or unknown BLAS (libblas.so.3)".
std::string blas_info();

}  // namespace sparsediff
