// UMFPACK adapter: multifrontal LU with threshold row pivoting, P R A Q = L U
// (R: row scaling), solves with A or A^T from the same factors.
//
// The Symbolic object (ordering, frontal-matrix tree) lives from analyze to
// the next analyze; the Numeric object from factorize to the next factorize
// or failure. Solves go through umfpack_di_wsolve with workspace owned here,
// so that repeated solves allocate nothing; they read A's values again for
// iterative refinement, which is why `values_` must outlive the factors.

#include <umfpack.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "backend.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff::detail {
namespace {

const char* umfpack_status_name(int status) {
  switch (status) {
    case UMFPACK_OK:
      return "ok";
    case UMFPACK_WARNING_singular_matrix:
      return "singular matrix";
    case UMFPACK_WARNING_determinant_underflow:
      return "determinant underflow";
    case UMFPACK_WARNING_determinant_overflow:
      return "determinant overflow";
    case UMFPACK_ERROR_out_of_memory:
      return "out of memory";
    case UMFPACK_ERROR_invalid_Numeric_object:
      return "invalid Numeric object";
    case UMFPACK_ERROR_invalid_Symbolic_object:
      return "invalid Symbolic object";
    case UMFPACK_ERROR_argument_missing:
      return "argument missing";
    case UMFPACK_ERROR_n_nonpositive:
      return "n not positive";
    case UMFPACK_ERROR_invalid_matrix:
      return "invalid matrix";
    case UMFPACK_ERROR_different_pattern:
      return "pattern changed since the analysis";
    case UMFPACK_ERROR_invalid_system:
      return "invalid system";
    case UMFPACK_ERROR_invalid_permutation:
      return "invalid permutation";
    case UMFPACK_ERROR_ordering_failed:
      return "ordering failed";
    case UMFPACK_ERROR_internal_error:
      return "internal error";
    default:
      return "unknown status";
  }
}

class UmfpackBackend final : public FactorizationBackend {
 public:
  explicit UmfpackBackend(const LinearSolverOptions& options) {
    umfpack_di_defaults(control_);
    control_[UMFPACK_PRL] = 0;
    switch (options.ordering) {
      case FillOrdering::automatic:
        break;  // UMFPACK's automatic strategy picks AMD(A+A^T) or COLAMD(A)
      case FillOrdering::amd:
        control_[UMFPACK_STRATEGY] = UMFPACK_STRATEGY_SYMMETRIC;
        control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_AMD;
        break;
      case FillOrdering::colamd:
        control_[UMFPACK_STRATEGY] = UMFPACK_STRATEGY_UNSYMMETRIC;
        control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_AMD;
        break;
      case FillOrdering::metis:
        control_[UMFPACK_STRATEGY] = UMFPACK_STRATEGY_SYMMETRIC;
        control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_METIS;
        break;
      case FillOrdering::natural:
        control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_NONE;
        break;
    }
  }

  ~UmfpackBackend() override { release(); }

  UmfpackBackend(const UmfpackBackend&) = delete;
  UmfpackBackend& operator=(const UmfpackBackend&) = delete;

  void analyze(const CompressedColumns& structure, FactorizationInfo& info) override {
    release();
    structure_ = structure;
    const int status = umfpack_di_symbolic(structure.n, structure.n, structure.col_ptr,
                                           structure.row_idx, nullptr, &symbolic_, control_, info_);
    if (status != UMFPACK_OK) {
      symbolic_ = nullptr;
      raise<SolverError>(
          "LinearSolver::analyze",
          std::string("UMFPACK symbolic analysis failed: ") + umfpack_status_name(status));
    }
    const int ordering = static_cast<int>(info_[UMFPACK_ORDERING_USED]);
    const bool symmetric =
        static_cast<int>(info_[UMFPACK_STRATEGY_USED]) == UMFPACK_STRATEGY_SYMMETRIC;
    info.ordering = ordering == UMFPACK_ORDERING_METIS ? FillOrdering::metis
                    : ordering == UMFPACK_ORDERING_AMD
                        ? (symmetric ? FillOrdering::amd : FillOrdering::colamd)
                        : FillOrdering::natural;
    info.supernodal = false;
    info.factor_nnz =
        info_[UMFPACK_LNZ_ESTIMATE] + info_[UMFPACK_UNZ_ESTIMATE] - double(structure.n);
    info.flops = info_[UMFPACK_FLOPS_ESTIMATE];
    wi_.assign(static_cast<std::size_t>(structure.n), 0);
    w_.assign(5 * static_cast<std::size_t>(structure.n), 0.0);
  }

  void factorize(const double* values, FactorizationInfo& info) override {
    free_numeric();
    values_ = values;
    const int status = umfpack_di_numeric(structure_.col_ptr, structure_.row_idx, values, symbolic_,
                                          &numeric_, control_, info_);
    if (status == UMFPACK_WARNING_singular_matrix) {
      const std::string where = describe_zero_pivot();
      free_numeric();
      std::ostringstream message;
      message << "UMFPACK: matrix is singular: " << where << "; reciprocal condition estimate "
              << info_[UMFPACK_RCOND];
      raise<SolverError>("LinearSolver::factorize", message.str());
    }
    if (status < UMFPACK_OK) {
      free_numeric();
      raise<SolverError>("LinearSolver::factorize", std::string("UMFPACK factorization failed: ") +
                                                        umfpack_status_name(status));
    }
    info.factor_nnz = info_[UMFPACK_LNZ] + info_[UMFPACK_UNZ] - double(structure_.n);
    info.flops = info_[UMFPACK_FLOPS];
    info.reciprocal_condition = info_[UMFPACK_RCOND];
  }

  void solve(bool transposed, const double* b, double* x, Index nrhs) override {
    const auto n = static_cast<std::size_t>(structure_.n);
    const int system = transposed ? UMFPACK_At : UMFPACK_A;
    for (Index j = 0; j < nrhs; ++j) {
      const std::size_t offset = static_cast<std::size_t>(j) * n;
      const int status =
          umfpack_di_wsolve(system, structure_.col_ptr, structure_.row_idx, values_, x + offset,
                            b + offset, numeric_, control_, info_, wi_.data(), w_.data());
      if (status != UMFPACK_OK)
        raise<SolverError>("LinearSolver::solve",
                           std::string("UMFPACK solve failed: ") + umfpack_status_name(status) +
                               " (right-hand side " + std::to_string(j) + ")");
    }
  }

 private:
  // The first zero (or non-finite) diagonal entry of U, mapped back to A's
  // column and row through UMFPACK's permutations Q and P.
  std::string describe_zero_pivot() const {
    const auto n = static_cast<std::size_t>(structure_.n);
    std::vector<int> p(n), q(n);
    std::vector<double> diagonal(n);
    const int status =
        umfpack_di_get_numeric(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, p.data(),
                               q.data(), diagonal.data(), nullptr, nullptr, numeric_);
    if (status != UMFPACK_OK) return "zero pivot (position unavailable)";
    std::size_t zeros = 0, first = n;
    for (std::size_t k = 0; k < n; ++k)
      if (!(diagonal[k] != 0.0 && std::isfinite(diagonal[k]))) {
        if (first == n) first = k;
        ++zeros;
      }
    if (first == n) return "zero pivot (position unavailable)";
    std::ostringstream out;
    out << "zero pivot at elimination step " << first << " of " << n << " (column " << q[first]
        << ", row " << p[first] << " of A)";
    if (zeros > 1) out << ", " << zeros << " zero pivots in all";
    return out.str();
  }

  void free_numeric() {
    if (numeric_ != nullptr) umfpack_di_free_numeric(&numeric_);
    numeric_ = nullptr;
  }

  void release() {
    free_numeric();
    if (symbolic_ != nullptr) umfpack_di_free_symbolic(&symbolic_);
    symbolic_ = nullptr;
  }

  double control_[UMFPACK_CONTROL];
  double info_[UMFPACK_INFO];
  void* symbolic_ = nullptr;
  void* numeric_ = nullptr;
  CompressedColumns structure_;
  const double* values_ = nullptr;
  std::vector<int> wi_;
  std::vector<double> w_;
};

}  // namespace

std::unique_ptr<FactorizationBackend> make_umfpack_backend(const LinearSolverOptions& options) {
  return std::make_unique<UmfpackBackend>(options);
}

}  // namespace sparsediff::detail
