#pragma once
/// @file
/// `CooMatrix<T>`: coordinate (triplet) form, the assembly format.
///
/// Entries may come in any order and the same (i, j) may appear many times:
/// duplicates SUM when the matrix is converted to CSR, as in finite-element
/// assembly. COO is a host-side input format, stored in std::vectors; convert
/// it to `CsrMatrix` for computation.

#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// A sparse matrix as a list of (row, column, value) triplets; duplicates sum.
template <class T>
class CooMatrix {
 public:
  /// An empty rows x cols matrix. @throws InvalidArgument for negative sizes.
  CooMatrix(Index rows, Index cols) : rows_(rows), cols_(cols) {
    SPARSEDIFF_REQUIRE(rows >= 0 && cols >= 0, InvalidArgument,
                       "negative size " << rows << " x " << cols);
  }

  /// A matrix from parallel arrays of triplets.
  /// @throws DimensionMismatch for arrays of different lengths,
  ///         InvalidArgument for an index out of range (naming the entry).
  CooMatrix(Index rows, Index cols, std::vector<Index> row_indices, std::vector<Index> col_indices,
            std::vector<T> values)
      : CooMatrix(rows, cols) {
    SPARSEDIFF_REQUIRE(
        row_indices.size() == col_indices.size() && row_indices.size() == values.size(),
        DimensionMismatch,
        "ragged triplets: " << row_indices.size() << " rows, " << col_indices.size() << " columns, "
                            << values.size() << " values");
    for (std::size_t k = 0; k < row_indices.size(); ++k)
      check_entry(k, row_indices[k], col_indices[k]);
    row_ = std::move(row_indices);
    col_ = std::move(col_indices);
    val_ = std::move(values);
  }

  /// Appends entry (i, j, value). @throws InvalidArgument when out of range.
  void add(Index i, Index j, const T& value) {
    check_entry(row_.size(), i, j);
    row_.push_back(i);
    col_.push_back(j);
    val_.push_back(value);
  }

  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  /// Number of stored triplets (duplicates counted).
  std::size_t size() const { return row_.size(); }
  const std::vector<Index>& row_indices() const { return row_; }
  const std::vector<Index>& col_indices() const { return col_; }
  const std::vector<T>& values() const { return val_; }

  /// The CSR pattern of the triplets (duplicates merged).
  Pattern pattern() const { return Pattern::from_coo(rows_, cols_, row_, col_); }

  /// Position in `pattern` of each triplet: where triplet k lands (duplicates
  /// share a position). Gradients flow back through this map: each duplicate
  /// receives the gradient of the summed entry.
  /// @throws DimensionMismatch when the pattern is not rows() x cols(),
  ///         InvalidArgument naming the first triplet not in the pattern.
  std::vector<Index> positions_in(const Pattern& pattern) const {
    // find() does not check its arguments: a smaller pattern would be read
    // out of bounds.
    SPARSEDIFF_REQUIRE(pattern.rows() == rows_ && pattern.cols() == cols_, DimensionMismatch,
                       "pattern is " << pattern.rows() << " x " << pattern.cols() << ", matrix is "
                                     << rows_ << " x " << cols_);
    std::vector<Index> position(row_.size());
    for (std::size_t k = 0; k < row_.size(); ++k) {
      position[k] = pattern.find(row_[k], col_[k]);
      SPARSEDIFF_REQUIRE(
          position[k] >= 0, InvalidArgument,
          "entry " << k << " (" << row_[k] << ", " << col_[k] << ") is not in the pattern");
    }
    return position;
  }

  /// The CSR matrix; duplicates sum. O(size log size).
  CsrMatrix<T> to_csr() const {
    auto pattern = this->pattern();
    const auto position = positions_in(pattern);
    std::vector<T> values(std::size_t(pattern.nnz()), T{});
    for (std::size_t k = 0; k < row_.size(); ++k) values[position[k]] += val_[k];
    return CsrMatrix<T>(std::move(pattern), values);
  }

 private:
  void check_entry(std::size_t k, Index i, Index j) const {
    SPARSEDIFF_REQUIRE(i >= 0 && i < rows_, InvalidArgument,
                       "entry " << k << ": row " << i << " out of range [0, " << rows_ << ")");
    SPARSEDIFF_REQUIRE(j >= 0 && j < cols_, InvalidArgument,
                       "entry " << k << ": column " << j << " out of range [0, " << cols_ << ")");
  }

  Index rows_, cols_;
  std::vector<Index> row_, col_;
  std::vector<T> val_;
};

}  // namespace sparsediff
