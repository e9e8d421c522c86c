// CHOLMOD adapter: Cholesky L L^T of a symmetric positive definite matrix.
//
// The caller's arrays are wrapped in CHOLMOD headers (no copy): CHOLMOD reads
// its input matrices and never writes them, so the const_casts below only
// satisfy its C signatures. The symmetric matrix is passed whole with
// stype = 1 ("use the upper triangle of the CSC arrays"), which, the arrays
// being CSR of a symmetric matrix, is its lower triangle in row terms.
//
// The factor is kept in L L^T form (final_ll): a simplicial L D L^T would
// succeed on symmetric indefinite matrices with a negative d_kk, and this
// backend's contract is to refuse anything that is not positive definite.

#include <cholmod.h>

#include <cmath>
#include <cstring>
#include <sstream>
#include <string>

#include "backend.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff::detail {
namespace {

const char* cholmod_status_name(int status) {
  switch (status) {
    case CHOLMOD_OK:
      return "ok";
    case CHOLMOD_NOT_INSTALLED:
      return "method not installed";
    case CHOLMOD_OUT_OF_MEMORY:
      return "out of memory";
    case CHOLMOD_TOO_LARGE:
      return "problem too large";
    case CHOLMOD_INVALID:
      return "invalid input";
    case CHOLMOD_GPU_PROBLEM:
      return "GPU problem";
    case CHOLMOD_NOT_POSDEF:
      return "not positive definite";
    case CHOLMOD_DSMALL:
      return "tiny diagonal entry";
    default:
      return "unknown status";
  }
}

FillOrdering from_cholmod_ordering(int ordering) {
  switch (ordering) {
    case CHOLMOD_NATURAL:
      return FillOrdering::natural;
    case CHOLMOD_METIS:
    case CHOLMOD_NESDIS:
      return FillOrdering::metis;
    default:  // AMD, or COLAMD which CHOLMOD runs as AMD on a symmetric matrix
      return FillOrdering::amd;
  }
}

class CholmodBackend final : public FactorizationBackend {
 public:
  explicit CholmodBackend(const LinearSolverOptions& options) {
    cholmod_start(&common_);
    // Failures are reported by exceptions built from status and L->minor;
    // CHOLMOD's own messages on stderr would only duplicate them.
    common_.print = 0;
    common_.final_ll = 1;
    switch (options.cholmod_strategy) {
      case CholmodStrategy::automatic:
        common_.supernodal = CHOLMOD_AUTO;
        break;
      case CholmodStrategy::simplicial:
        common_.supernodal = CHOLMOD_SIMPLICIAL;
        break;
      case CholmodStrategy::supernodal:
        common_.supernodal = CHOLMOD_SUPERNODAL;
        break;
    }
    const auto use_only = [this](int ordering) {
      common_.nmethods = 1;
      common_.method[0].ordering = ordering;
    };
    switch (options.ordering) {
      case FillOrdering::automatic:
        break;  // CHOLMOD's default strategy: AMD, then METIS when AMD fills a lot
      case FillOrdering::amd:
        use_only(CHOLMOD_AMD);
        break;
      case FillOrdering::metis:
        use_only(CHOLMOD_METIS);
        break;
      case FillOrdering::natural:
        use_only(CHOLMOD_NATURAL);
        break;
      case FillOrdering::colamd:
        break;  // refused by LinearSolver before a backend is made
    }
  }

  ~CholmodBackend() override {
    cholmod_free_factor(&factor_, &common_);
    cholmod_free_dense(&x_, &common_);
    cholmod_free_dense(&y_, &common_);
    cholmod_free_dense(&e_, &common_);
    cholmod_finish(&common_);
  }

  CholmodBackend(const CholmodBackend&) = delete;
  CholmodBackend& operator=(const CholmodBackend&) = delete;

  void analyze(const CompressedColumns& structure, FactorizationInfo& info) override {
    cholmod_free_factor(&factor_, &common_);
    structure_ = structure;
    cholmod_sparse a = wrap(nullptr);
    factor_ = cholmod_analyze(&a, &common_);
    if (factor_ == nullptr || common_.status < CHOLMOD_OK)
      raise<SolverError>("LinearSolver::analyze", std::string("CHOLMOD analysis failed: ") +
                                                      cholmod_status_name(common_.status));
    info.supernodal = factor_->is_super != 0;
    // L->ordering says "postordered" for a natural order followed by the
    // elimination-tree postorder; the method actually selected is explicit.
    info.ordering = from_cholmod_ordering(common_.method[common_.selected].ordering);
    info.factor_nnz = common_.lnz;
    info.flops = common_.fl;
  }

  void factorize(const double* values, FactorizationInfo& info) override {
    cholmod_sparse a = wrap(values);
    const int ok = cholmod_factorize(&a, factor_, &common_);
    if (!ok || common_.status < CHOLMOD_OK)
      raise<SolverError>("LinearSolver::factorize", std::string("CHOLMOD factorization failed: ") +
                                                        cholmod_status_name(common_.status));
    if (common_.status == CHOLMOD_NOT_POSDEF || factor_->minor < factor_->n) {
      // minor is the step in the permuted matrix P A P^T; Perm maps it back.
      const auto step = static_cast<Index>(factor_->minor);
      const Index column = static_cast<const int*>(factor_->Perm)[step];
      std::ostringstream message;
      message << "CHOLMOD: matrix is not positive definite: the Cholesky pivot of row/column "
              << column << " (elimination step " << step << " of " << factor_->n
              << ") is not positive";
      raise<SolverError>("LinearSolver::factorize", message.str());
    }
    info.supernodal = factor_->is_super != 0;
    info.factor_nnz = common_.lnz;
    info.reciprocal_condition = cholmod_rcond(factor_, &common_);
  }

  void solve(bool /*transposed: A = A^T*/, const double* b, double* x, Index nrhs) override {
    cholmod_dense rhs;
    std::memset(&rhs, 0, sizeof rhs);
    rhs.nrow = static_cast<std::size_t>(structure_.n);
    rhs.ncol = static_cast<std::size_t>(nrhs);
    rhs.nzmax = rhs.nrow * rhs.ncol;
    rhs.d = rhs.nrow;
    rhs.x = const_cast<double*>(b);
    rhs.xtype = CHOLMOD_REAL;
    rhs.dtype = CHOLMOD_DOUBLE;
    if (!cholmod_solve2(CHOLMOD_A, factor_, &rhs, nullptr, &x_, nullptr, &y_, &e_, &common_))
      raise<SolverError>("LinearSolver::solve", std::string("CHOLMOD solve failed: ") +
                                                    cholmod_status_name(common_.status));
    // x_ is n x nrhs with leading dimension d = n (allocated by cholmod_solve2).
    const auto* out = static_cast<const double*>(x_->x);
    for (std::size_t j = 0; j < rhs.ncol; ++j)
      std::memcpy(x + j * rhs.nrow, out + j * x_->d, rhs.nrow * sizeof(double));
  }

 private:
  cholmod_sparse wrap(const double* values) const {
    cholmod_sparse a;
    std::memset(&a, 0, sizeof a);
    a.nrow = a.ncol = static_cast<std::size_t>(structure_.n);
    a.nzmax = static_cast<std::size_t>(structure_.col_ptr[structure_.n]);
    a.p = const_cast<Index*>(structure_.col_ptr);
    a.i = const_cast<Index*>(structure_.row_idx);
    a.x = const_cast<double*>(values);
    a.stype = 1;
    a.itype = CHOLMOD_INT;
    a.xtype = values ? CHOLMOD_REAL : CHOLMOD_PATTERN;
    a.dtype = CHOLMOD_DOUBLE;
    a.sorted = 1;
    a.packed = 1;
    return a;
  }

  cholmod_common common_;
  cholmod_factor* factor_ = nullptr;
  cholmod_dense *x_ = nullptr, *y_ = nullptr, *e_ = nullptr;  // solve2 workspace, reused
  CompressedColumns structure_;
};

}  // namespace

std::unique_ptr<FactorizationBackend> make_cholmod_backend(const LinearSolverOptions& options) {
  return std::make_unique<CholmodBackend>(options);
}

}  // namespace sparsediff::detail
