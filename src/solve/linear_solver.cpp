// LinearSolver: input checks, CSR -> CSC bridging, timing and state; the
// factorizations themselves are in cholmod_backend.cpp / umfpack_backend.cpp.

#include "sparsediff/solve/linear_solver.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <utility>

#include "backend.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {

std::string to_string(SolverMethod method) {
  switch (method) {
    case SolverMethod::automatic:
      return "automatic";
    case SolverMethod::cholmod:
      return "cholmod";
    case SolverMethod::umfpack:
      return "umfpack";
  }
  return "unknown";
}

namespace {

using Clock = std::chrono::steady_clock;

// Adds the elapsed time and one call to a phase's counters when the scope
// ends, exception or not.
class PhaseTimer {
 public:
  PhaseTimer(double& seconds, int& count) : seconds_(seconds), count_(count) {}
  ~PhaseTimer() {
    seconds_ += std::chrono::duration<double>(Clock::now() - start_).count();
    ++count_;
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  double& seconds_;
  int& count_;
  Clock::time_point start_ = Clock::now();
};

// Row of the entry stored at position k (row_ptr is non-decreasing).
Index row_of(const Pattern& pattern, Index k) {
  const auto& ptr = pattern.row_ptr();
  Index lo = 0, hi = pattern.rows();  // invariant: ptr(lo) <= k < ptr(hi)
  while (hi - lo > 1) {
    const Index mid = lo + (hi - lo) / 2;
    if (ptr(mid) <= k)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

// First row whose column indices differ between two patterns of equal shape.
Index first_differing_row(const Pattern& a, const Pattern& b) {
  for (Index i = 0; i < a.rows(); ++i) {
    if (a.row_nnz(i) != b.row_nnz(i)) return i;
    for (Index k = 0; k < a.row_nnz(i); ++k)
      if (a.col_idx()(a.row_begin(i) + k) != b.col_idx()(b.row_begin(i) + k)) return i;
  }
  return -1;
}

void describe_row(std::ostream& out, const Pattern& p, Index i) {
  out << "{";
  for (Index k = p.row_begin(i); k < p.row_end(i); ++k)
    out << (k > p.row_begin(i) ? ", " : "") << p.col_idx()(k);
  out << "}";
}

bool overlaps(const double* a, std::size_t a_size, const double* b, std::size_t b_size) {
  return a_size > 0 && b_size > 0 && a < b + b_size && b < a + a_size;
}

}  // namespace

struct LinearSolver::Impl {
  LinearSolverOptions options;
  Pattern pattern;
  // The transpose of `pattern` (= its CSC structure) and, for each of its
  // positions, the position in `pattern` holding the same entry: the gather
  // map CSR -> CSC for UMFPACK, and the mirror map (i,j) -> (j,i) when the
  // pattern is symmetric.
  TransposedPattern<HostMemorySpace> transposed;
  std::unique_ptr<detail::FactorizationBackend> backend;
  std::vector<double> csc_values;  // UMFPACK: A's values in CSC order
  std::vector<double> scratch;     // solves whose input and output overlap
  bool analyzed = false, factorized = false;
  std::string last_failure;
  FactorizationInfo info;
  SolverTimings timings;

  void check_options() const {
    if (options.method == SolverMethod::cholmod && options.ordering == FillOrdering::colamd)
      detail::raise<NotSupported>(
          "LinearSolver",
          "CHOLMOD factors a symmetric matrix and needs a symmetric ordering "
          "(automatic, amd, metis or natural); COLAMD orders the columns of an "
          "unsymmetric matrix for UMFPACK");
  }

  void reset() {
    backend.reset();
    pattern = Pattern();
    transposed = {};
    csc_values.clear();
    analyzed = factorized = false;
    info = FactorizationInfo{};
  }

  void analyze(const Pattern& p);
  void factorize(const CsrMatrix<double>& a);
  void solve(const char* function, bool transposed_system, const double* b, double* x,
             std::size_t b_size, std::size_t x_size, Index nrhs);
};

void LinearSolver::Impl::analyze(const Pattern& p) {
  static constexpr const char* function = "LinearSolver::analyze";
  PhaseTimer timer(timings.analyze, timings.analyze_count);
  reset();
  if (p.rows() != p.cols())
    detail::raise<DimensionMismatch>(function, "the pattern is " + std::to_string(p.rows()) +
                                                   " x " + std::to_string(p.cols()) +
                                                   "; a linear solver needs a square matrix");
  auto t = p.transpose_with_map();
  const Index n = p.rows();
  for (Index i = 0; i < n; ++i) {
    if (p.row_nnz(i) == 0)
      detail::raise<SolverError>(function, "the pattern is structurally singular: row " +
                                               std::to_string(i) + " has no entry");
    if (t.pattern.row_nnz(i) == 0)
      detail::raise<SolverError>(function, "the pattern is structurally singular: column " +
                                               std::to_string(i) + " has no entry");
  }
  const bool symmetric = t.pattern == p;
  SolverMethod method = options.method;
  if (method == SolverMethod::automatic)
    method = options.symmetric_positive_definite && symmetric ? SolverMethod::cholmod
                                                              : SolverMethod::umfpack;
  if (method == SolverMethod::cholmod) {
    if (options.ordering == FillOrdering::colamd)
      detail::raise<NotSupported>(function,
                                  "COLAMD orders the columns of an unsymmetric matrix for LU; "
                                  "CHOLMOD needs a symmetric ordering (automatic, amd, metis "
                                  "or natural)");
    if (!symmetric) {
      for (Index i = 0; i < n; ++i)
        for (Index k = p.row_begin(i); k < p.row_end(i); ++k)
          if (p.find(p.col_idx()(k), i) < 0)
            detail::raise<InvalidArgument>(
                function, "CHOLMOD needs a symmetric pattern: entry (" + std::to_string(i) + ", " +
                              std::to_string(p.col_idx()(k)) + ") is present but (" +
                              std::to_string(p.col_idx()(k)) + ", " + std::to_string(i) +
                              ") is not");
    }
    for (Index i = 0; i < n; ++i)
      if (p.find(i, i) < 0)
        detail::raise<SolverError>(function, "CHOLMOD: the pattern has no diagonal entry in row " +
                                                 std::to_string(i) +
                                                 ", so no matrix over it is positive definite");
  }
  info.method = method;
  info.ordering = options.ordering;
  if (n > 0) {
    backend = method == SolverMethod::cholmod ? detail::make_cholmod_backend(options)
                                              : detail::make_umfpack_backend(options);
    // CHOLMOD reads CSR of the symmetric A as CSC of A^T = A; UMFPACK gets
    // the true CSC structure (the transpose's CSR arrays).
    const Pattern& columns = method == SolverMethod::cholmod ? p : t.pattern;
    backend->analyze({n, columns.row_ptr().data(), columns.col_idx().data()}, info);
  }
  pattern = p;
  transposed = std::move(t);
  if (method == SolverMethod::umfpack) csc_values.assign(std::size_t(p.nnz()), 0.0);
  analyzed = true;
}

void LinearSolver::Impl::factorize(const CsrMatrix<double>& a) {
  static constexpr const char* function = "LinearSolver::factorize";
  PhaseTimer timer(timings.factorize, timings.factorize_count);
  if (!analyzed)
    detail::raise<SolverError>(function, "nothing analyzed: call analyze(pattern) or compute(a)");
  const Index n = pattern.rows();
  if (a.rows() != n || a.cols() != n || a.nnz() != pattern.nnz()) {
    std::ostringstream message;
    message << "the matrix is " << a.rows() << " x " << a.cols() << " with " << a.nnz()
            << " entries; the analyzed pattern is " << n << " x " << n << " with " << pattern.nnz()
            << " entries";
    detail::raise<DimensionMismatch>(function, message.str());
  }
  if (a.pattern() != pattern) {
    const Index i = first_differing_row(a.pattern(), pattern);
    std::ostringstream message;
    message << "the matrix's pattern differs from the analyzed one in row " << i << ": columns ";
    describe_row(message, a.pattern(), i);
    message << " instead of ";
    describe_row(message, pattern, i);
    message << " (use compute() to re-analyze on a pattern change)";
    detail::raise<InvalidArgument>(function, message.str());
  }
  const auto& values = a.values();
  const Index nnz = a.nnz();
  double max_abs = 0.0;
  for (Index k = 0; k < nnz; ++k) {
    const double v = values(k);
    if (!std::isfinite(v)) {
      const Index i = row_of(pattern, k);
      std::ostringstream message;
      message << "entry (" << i << ", " << pattern.col_idx()(k) << ") at position " << k << " is "
              << v;
      detail::raise<InvalidArgument>(function, message.str());
    }
    max_abs = std::max(max_abs, std::abs(v));
  }
  if (info.method == SolverMethod::cholmod && options.symmetry_tolerance >= 0.0) {
    // The transposed pattern equals the pattern, so transposed position k
    // holds the same (i, j) as position k and `position[k]` is where (j, i) is.
    const double bound = options.symmetry_tolerance * max_abs;
    for (Index k = 0; k < nnz; ++k) {
      const Index mirror = transposed.position(k);
      if (std::abs(values(k) - values(mirror)) > bound) {
        const Index i = row_of(pattern, k), j = pattern.col_idx()(k);
        std::ostringstream message;
        message.precision(17);
        message << "CHOLMOD needs a symmetric matrix: a(" << i << ", " << j << ") = " << values(k)
                << " but a(" << j << ", " << i << ") = " << values(mirror) << " (tolerance "
                << options.symmetry_tolerance << " * max|a| = " << bound << ")";
        detail::raise<InvalidArgument>(function, message.str());
      }
    }
  }
  // From here on the previous factors are replaced, successfully or not.
  factorized = false;
  if (n == 0) {
    factorized = true;
    return;
  }
  try {
    const double* input = values.data();
    if (info.method == SolverMethod::umfpack) {
      for (Index k = 0; k < nnz; ++k) csc_values[std::size_t(k)] = values(transposed.position(k));
      input = csc_values.data();
    }
    backend->factorize(input, info);
    const double rcond = info.reciprocal_condition;
    if (options.min_reciprocal_condition > 0.0 && !(rcond >= options.min_reciprocal_condition)) {
      std::ostringstream message;
      message << to_string(info.method) << ": reciprocal condition estimate " << rcond
              << " is below min_reciprocal_condition = " << options.min_reciprocal_condition;
      detail::raise<SolverError>(function, message.str());
    }
  } catch (const Error& e) {
    last_failure = e.what();
    throw;
  }
  factorized = true;
  last_failure.clear();
}

void LinearSolver::Impl::solve(const char* function, bool transposed_system, const double* b,
                               double* x, std::size_t b_size, std::size_t x_size, Index nrhs) {
  PhaseTimer timer(timings.solve, timings.solve_count);
  if (!factorized)
    detail::raise<SolverError>(
        function, last_failure.empty()
                      ? std::string("no factorization: call factorize(a) or compute(a) first")
                      : "no valid factorization; the last factorize failed with: " + last_failure);
  SPARSEDIFF_REQUIRE(nrhs >= 0, InvalidArgument, "nrhs = " << nrhs << " is negative");
  const auto n = static_cast<std::size_t>(pattern.rows());
  const std::size_t expected = n * static_cast<std::size_t>(nrhs);
  if (b_size != expected || x_size != expected) {
    std::ostringstream message;
    message << "the right-hand side has " << b_size << " entries and the solution " << x_size
            << "; expected n * nrhs = " << n << " * " << nrhs << " = " << expected;
    detail::raise<DimensionMismatch>(function, message.str());
  }
  for (std::size_t k = 0; k < expected; ++k)
    if (!std::isfinite(b[k])) {
      std::ostringstream message;
      message << "right-hand side " << k / n << ", entry " << k % n << " is " << b[k];
      detail::raise<InvalidArgument>(function, message.str());
    }
  if (expected == 0) return;
  if (overlaps(b, b_size, x, x_size)) {
    scratch.assign(b, b + expected);
    b = scratch.data();
  }
  backend->solve(transposed_system, b, x, nrhs);
  for (std::size_t k = 0; k < expected; ++k)
    if (!std::isfinite(x[k])) {
      std::ostringstream message;
      message << to_string(info.method) << ": the solution of right-hand side " << k / n
              << " has entry " << k % n << " = " << x[k]
              << " (matrix nearly singular; reciprocal condition estimate "
              << info.reciprocal_condition << ")";
      detail::raise<SolverError>(function, message.str());
    }
}

LinearSolver::LinearSolver(LinearSolverOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->check_options();
}

LinearSolver::LinearSolver(const Pattern& pattern, LinearSolverOptions options)
    : LinearSolver(options) {
  analyze(pattern);
}

LinearSolver::~LinearSolver() = default;
LinearSolver::LinearSolver(LinearSolver&&) noexcept = default;
LinearSolver& LinearSolver::operator=(LinearSolver&&) noexcept = default;

void LinearSolver::analyze(const Pattern& pattern) { impl_->analyze(pattern); }

void LinearSolver::factorize(const CsrMatrix<double>& a) { impl_->factorize(a); }

void LinearSolver::compute(const CsrMatrix<double>& a) {
  if (!impl_->analyzed || a.pattern() != impl_->pattern) impl_->analyze(a.pattern());
  impl_->factorize(a);
}

std::vector<double> LinearSolver::solve(const std::vector<double>& b, Index nrhs) {
  std::vector<double> x(b.size());
  impl_->solve("LinearSolver::solve", false, b.data(), x.data(), b.size(), x.size(), nrhs);
  return x;
}

std::vector<double> LinearSolver::solve_transposed(const std::vector<double>& b, Index nrhs) {
  std::vector<double> x(b.size());
  impl_->solve("LinearSolver::solve_transposed", true, b.data(), x.data(), b.size(), x.size(),
               nrhs);
  return x;
}

void LinearSolver::solve(ConstVectorView b, VectorView x) {
  impl_->solve("LinearSolver::solve", false, b.data(), x.data(), b.extent(0), x.extent(0), 1);
}

void LinearSolver::solve_transposed(ConstVectorView b, VectorView x) {
  impl_->solve("LinearSolver::solve_transposed", true, b.data(), x.data(), b.extent(0), x.extent(0),
               1);
}

namespace {
void check_block(const char* function, Index n, const LinearSolver::ConstMatrixView& b,
                 const LinearSolver::MatrixView& x) {
  std::ostringstream message;
  if (b.extent(0) != std::size_t(n) || x.extent(0) != std::size_t(n) ||
      b.extent(1) != x.extent(1)) {
    message << "B is " << b.extent(0) << " x " << b.extent(1) << " and X is " << x.extent(0)
            << " x " << x.extent(1) << "; expected " << n << " x k for both";
    detail::raise<DimensionMismatch>(function, message.str());
  }
  if (!b.span_is_contiguous() || !x.span_is_contiguous())
    detail::raise<InvalidArgument>(function, "B and X must be contiguous (column-major n x k)");
}
}  // namespace

void LinearSolver::solve(ConstMatrixView b, MatrixView x) {
  check_block("LinearSolver::solve", size(), b, x);
  impl_->solve("LinearSolver::solve", false, b.data(), x.data(), b.size(), x.size(),
               Index(b.extent(1)));
}

void LinearSolver::solve_transposed(ConstMatrixView b, MatrixView x) {
  check_block("LinearSolver::solve_transposed", size(), b, x);
  impl_->solve("LinearSolver::solve_transposed", true, b.data(), x.data(), b.size(), x.size(),
               Index(b.extent(1)));
}

bool LinearSolver::analyzed() const { return impl_->analyzed; }
bool LinearSolver::factorized() const { return impl_->factorized; }
const Pattern& LinearSolver::pattern() const { return impl_->pattern; }
Index LinearSolver::size() const { return impl_->pattern.rows(); }
const LinearSolverOptions& LinearSolver::options() const { return impl_->options; }
const FactorizationInfo& LinearSolver::info() const { return impl_->info; }
const SolverTimings& LinearSolver::timings() const { return impl_->timings; }
void LinearSolver::reset_timings() { impl_->timings = SolverTimings{}; }

std::string blas_info() {
  // OpenBLAS exports these; with another BLAS (or none loaded) they are absent.
  using ConfigFunction = char* (*)();
  using ThreadsFunction = int (*)();
  auto config = reinterpret_cast<ConfigFunction>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  auto threads = reinterpret_cast<ThreadsFunction>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (config == nullptr) return "reference or unknown BLAS (libblas.so.3)";
  std::string out = config();  // "OpenBLAS 0.3.21 DYNAMIC_ARCH ... SkylakeX MAX_THREADS=64"
  if (out.rfind("OpenBLAS", 0) != 0) out = "OpenBLAS " + out;
  if (threads != nullptr) out += " (" + std::to_string(threads()) + " threads)";
  return out;
}

}  // namespace sparsediff
