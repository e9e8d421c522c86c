#pragma once
/// @file
/// Conversions between CSR, CSC and COO.
///
/// CSC of A is CSR of A^T: `CscMatrix` stores the transposed pattern (column
/// pointers, row indices) and the values in column order. SuiteSparse takes
/// CSC, so this is also the bridge to the solvers.

#include <vector>

#include "sparsediff/sparse/coo.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// A sparse matrix in CSC form (host memory).
template <class T>
struct CscMatrix {
  Index rows = 0, cols = 0;
  /// Structure by columns: the pattern of A^T (`row_ptr` = column pointers,
  /// `col_idx` = row indices).
  Pattern by_columns;
  /// Values in column order.
  std::vector<T> values;
};

/// CSR -> CSC. O(nnz + rows + cols).
template <class T>
CscMatrix<T> to_csc(const CsrMatrix<T>& a) {
  auto t = a.pattern().transpose_with_map();
  const auto vals = a.host_values();
  std::vector<T> out(vals.size());
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = vals[t.position(k)];
  return {a.rows(), a.cols(), std::move(t.pattern), std::move(out)};
}

/// CSC -> CSR. O(nnz + rows + cols).
/// @throws DimensionMismatch when `by_columns` is not cols x rows or `values`
///         has not one value per entry.
template <class T>
CsrMatrix<T> to_csr(const CscMatrix<T>& a) {
  SPARSEDIFF_REQUIRE(a.by_columns.rows() == a.cols && a.by_columns.cols() == a.rows,
                     DimensionMismatch,
                     "by_columns is " << a.by_columns.rows() << " x " << a.by_columns.cols()
                                      << ", expected cols x rows = " << a.cols << " x " << a.rows);
  SPARSEDIFF_REQUIRE(a.values.size() == std::size_t(a.by_columns.nnz()), DimensionMismatch,
                     a.values.size() << " values for " << a.by_columns.nnz() << " entries");
  auto t = a.by_columns.transpose_with_map();
  std::vector<T> out(a.values.size());
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = a.values[t.position(k)];
  return CsrMatrix<T>(std::move(t.pattern), out);
}

/// COO -> CSR; duplicates sum.
template <class T>
CsrMatrix<T> to_csr(const CooMatrix<T>& a) {
  return a.to_csr();
}

/// CSR -> COO in row-major order (no duplicates).
template <class T>
CooMatrix<T> to_coo(const CsrMatrix<T>& a) {
  auto [ptr, idx] = a.pattern().host_arrays();
  std::vector<Index> rows(idx.size());
  for (Index i = 0; i < a.rows(); ++i)
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k) rows[k] = i;
  return CooMatrix<T>(a.rows(), a.cols(), std::move(rows), std::move(idx), a.host_values());
}

}  // namespace sparsediff
