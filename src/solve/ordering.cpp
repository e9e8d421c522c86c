// fill_reducing_ordering: the SuiteSparse orderings on a Pattern.
//
// CSR arrays of A are CSC arrays of A^T. AMD orders A + A^T, which is the
// same graph for A and A^T, so it reads the CSR arrays as they are; COLAMD
// orders the columns of A and needs true CSC arrays (the transpose's CSR).

#include "sparsediff/solve/ordering.hpp"

#include <amd.h>
#include <cholmod.h>
#include <colamd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

#include "sparsediff/core/error.hpp"

namespace sparsediff {

std::string to_string(FillOrdering ordering) {
  switch (ordering) {
    case FillOrdering::automatic:
      return "automatic";
    case FillOrdering::amd:
      return "amd";
    case FillOrdering::colamd:
      return "colamd";
    case FillOrdering::metis:
      return "metis";
    case FillOrdering::natural:
      return "natural";
  }
  return "unknown";
}

namespace {

constexpr const char* function = "fill_reducing_ordering";

void require_square(const Pattern& pattern, FillOrdering ordering) {
  if (pattern.rows() != pattern.cols())
    detail::raise<DimensionMismatch>(
        function, to_string(ordering) + " orders A + A^T and needs a square pattern, got " +
                      std::to_string(pattern.rows()) + " x " + std::to_string(pattern.cols()));
}

std::vector<Index> amd_ordering(const Pattern& pattern) {
  const Index n = pattern.rows();
  std::vector<Index> perm(static_cast<std::size_t>(n));
  const int status = amd_order(n, pattern.row_ptr().data(), pattern.col_idx().data(), perm.data(),
                               nullptr, nullptr);
  if (status != AMD_OK && status != AMD_OK_BUT_JUMBLED)
    detail::raise<SolverError>(function,
                               "AMD failed with status " + std::to_string(status) +
                                   (status == AMD_OUT_OF_MEMORY ? " (out of memory)" : ""));
  return perm;
}

std::vector<Index> colamd_ordering(const Pattern& pattern) {
  const Index rows = pattern.rows(), cols = pattern.cols(), nnz = pattern.nnz();
  // COLAMD overwrites its input and needs elbow room: copy into its arrays.
  const auto t = pattern.transpose();
  const std::size_t length = colamd_recommended(nnz, rows, cols);
  if (length == 0 || length > std::size_t(std::numeric_limits<int>::max()))
    detail::raise<SolverError>(
        function, "COLAMD workspace size overflows for " + std::to_string(nnz) + " entries");
  std::vector<Index> row_idx(length), col_ptr(static_cast<std::size_t>(cols) + 1);
  std::copy_n(t.col_idx().data(), nnz, row_idx.begin());
  std::copy_n(t.row_ptr().data(), cols + 1, col_ptr.begin());
  int stats[COLAMD_STATS];
  if (!colamd(rows, cols, int(length), row_idx.data(), col_ptr.data(), nullptr, stats))
    detail::raise<SolverError>(function,
                               "COLAMD failed with status " + std::to_string(stats[COLAMD_STATUS]));
  col_ptr.resize(static_cast<std::size_t>(cols));
  return col_ptr;
}

std::vector<Index> metis_ordering(const Pattern& pattern) {
  const Index n = pattern.rows();
  std::vector<Index> perm(static_cast<std::size_t>(n));
  if (n == 0) return perm;
  // The graph of A + A^T as a full symmetric pattern; CHOLMOD reads its upper
  // triangle (stype = 1).
  auto [ptr, idx] = pattern.host_arrays();
  std::vector<Index> rows, cols;
  rows.reserve(2 * idx.size());
  cols.reserve(2 * idx.size());
  for (Index i = 0; i < n; ++i)
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
      rows.push_back(i);
      cols.push_back(idx[k]);
      rows.push_back(idx[k]);
      cols.push_back(i);
    }
  const Pattern graph = Pattern::from_coo(n, n, rows, cols);
  cholmod_common common;
  cholmod_start(&common);
  common.print = 0;
  cholmod_sparse a;
  std::memset(&a, 0, sizeof a);
  a.nrow = a.ncol = static_cast<std::size_t>(n);
  a.nzmax = static_cast<std::size_t>(graph.nnz());
  a.p = const_cast<Index*>(graph.row_ptr().data());
  a.i = const_cast<Index*>(graph.col_idx().data());
  a.stype = 1;
  a.itype = CHOLMOD_INT;
  a.xtype = CHOLMOD_PATTERN;
  a.dtype = CHOLMOD_DOUBLE;
  a.sorted = 1;
  a.packed = 1;
  const int ok = cholmod_metis(&a, nullptr, 0, 1, perm.data(), &common);
  const int status = common.status;
  cholmod_finish(&common);
  if (!ok)
    detail::raise<SolverError>(
        function, "METIS (through CHOLMOD) failed with status " + std::to_string(status));
  return perm;
}

}  // namespace

std::vector<Index> fill_reducing_ordering(const Pattern& pattern, FillOrdering ordering) {
  // The default 0 x 0 pattern has no arrays at all to hand to the libraries.
  if (pattern.rows() == 0 && pattern.cols() == 0) return {};
  if (ordering == FillOrdering::automatic)
    ordering = pattern.is_symmetric() ? FillOrdering::amd : FillOrdering::colamd;
  switch (ordering) {
    case FillOrdering::amd:
      require_square(pattern, ordering);
      return amd_ordering(pattern);
    case FillOrdering::metis:
      require_square(pattern, ordering);
      return metis_ordering(pattern);
    case FillOrdering::colamd:
      return colamd_ordering(pattern);
    case FillOrdering::natural:
    case FillOrdering::automatic:
      break;
  }
  std::vector<Index> perm(static_cast<std::size_t>(pattern.cols()));
  std::iota(perm.begin(), perm.end(), 0);
  return perm;
}

}  // namespace sparsediff
