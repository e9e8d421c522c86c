#pragma once
// Internal interface between LinearSolver and the SuiteSparse adapters
// (cholmod_backend.cpp, umfpack_backend.cpp). Lives in src/ so that no
// SuiteSparse type leaks into the public headers; LinearSolver validates
// every input before a backend sees it, so backends only translate calls and
// turn library status codes into exceptions.

#include <memory>

#include "sparsediff/core/config.hpp"
#include "sparsediff/solve/linear_solver.hpp"

namespace sparsediff::detail {

/// A square n x n structure in compressed-column form (arrays owned by the
/// caller, alive as long as the backend).
struct CompressedColumns {
  Index n = 0;
  const Index* col_ptr = nullptr;
  const Index* row_idx = nullptr;
};

class FactorizationBackend {
 public:
  virtual ~FactorizationBackend() = default;

  /// Ordering + symbolic factorization; fills the analysis fields of info.
  /// For CHOLMOD `structure` holds the full symmetric pattern; only one
  /// triangle is read. Throws SolverError on library failure.
  virtual void analyze(const CompressedColumns& structure, FactorizationInfo& info) = 0;

  /// Numeric factorization with values in the order of `structure`; the
  /// array stays alive and unchanged until the next factorize (UMFPACK's
  /// iterative refinement reads A during solves). Throws SolverError with
  /// context when the matrix is singular / not positive definite; after a
  /// throw the backend holds no numeric factors but keeps the analysis.
  virtual void factorize(const double* values, FactorizationInfo& info) = 0;

  /// X = A^{-1} B (or A^{-T} B) for nrhs column-major right-hand sides of
  /// length n; b and x do not overlap.
  virtual void solve(bool transposed, const double* b, double* x, Index nrhs) = 0;
};

std::unique_ptr<FactorizationBackend> make_cholmod_backend(const LinearSolverOptions& options);
std::unique_ptr<FactorizationBackend> make_umfpack_backend(const LinearSolverOptions& options);

}  // namespace sparsediff::detail
