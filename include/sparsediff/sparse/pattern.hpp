#pragma once
/// @file
/// `Pattern`: the structure of an m x n sparse matrix.
///
/// A pattern is CSR without values: row pointers and, in each row, sorted
/// column indices without duplicates. It is the key every later stage works
/// from (coloring, seed, recovery map, symbolic factorization), so it is
/// immutable once built, cheap to copy (the arrays are reference-counted
/// Kokkos Views) and carries a hash computed once at construction, so that
/// caches can look up the work done for a pattern.
///
/// Entries are structural: an entry whose value happens to be zero stays.
///
/// Construction validates its input and throws `InvalidArgument` naming the
/// offending entry; nothing past construction re-checks.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {

template <class MemorySpace = HostMemorySpace>
class BasicPattern;

namespace detail {

/// The pattern hash, in a form that parallel builders can compute: the sum
/// (mod 2^64) over rows of a mix of the row number and the row's columns in
/// order, combined at the end with the sizes. Each row's term is computed on
/// its own, so the sum can be split over threads in any way and is exact; the
/// value depends on the pattern only. Deterministic across runs and platforms.
struct PatternHash {
  /// A 64-bit finalizer: every input bit affects every output bit.
  KOKKOS_INLINE_FUNCTION static std::uint64_t scramble(std::uint64_t h) {
    h ^= h >> 31;
    h *= 0x7fb5d329728ea185ull;
    h ^= h >> 27;
    h *= 0x81dadef4bc2dd44dull;
    h ^= h >> 33;
    return h;
  }
  /// The term of row i, whose columns are cols[0, count).
  KOKKOS_INLINE_FUNCTION static std::uint64_t row(Index i, const Index* cols, Index count) {
    std::uint64_t h = scramble(0x243f6a8885a308d3ull ^ std::uint64_t(std::uint32_t(i)));
    for (Index k = 0; k < count; ++k) {
      h = (h ^ std::uint64_t(std::uint32_t(cols[k]))) * 0x9e3779b97f4a7c15ull;
      h ^= h >> 29;
    }
    return scramble(h ^ (std::uint64_t(std::uint32_t(count)) << 32));
  }
  /// The hash of a rows x cols pattern of nnz entries whose row terms sum to row_sum.
  static std::uint64_t finish(Index rows, Index cols, Index nnz, std::uint64_t row_sum) {
    std::uint64_t h =
        scramble(std::uint64_t(std::uint32_t(rows)) | (std::uint64_t(std::uint32_t(cols)) << 32));
    h = scramble(h ^ std::uint64_t(std::uint32_t(nnz)));
    return scramble(h + row_sum);
  }
};

/// Raises the error for column `column` at position `entry` of row `row` of a
/// CSR pattern with `cols` columns: out of range, or not above `previous`,
/// the row's column before it (-1 for the row's first entry).
[[noreturn]] inline void raise_bad_column(const char* function, Index row, Index entry,
                                          Index column, Index previous, Index cols) {
  std::ostringstream message;
  message << "row " << row << ", entry " << entry << ": column " << column;
  if (column < 0 || column >= cols)
    message << " out of range [0, " << cols << ")";
  else
    message << (column == previous ? " duplicated" : " not sorted") << " (previous column "
            << previous << ")";
  raise<InvalidArgument>(function, message.str());
}

/// Builds a pattern from arrays its caller has already validated (as
/// from_csr would) and hashed with PatternHash, without copying them. For
/// builders inside the library (detect_row_pattern) only.
struct PatternBuilder {
  template <class MemorySpace>
  static BasicPattern<MemorySpace> adopt(Index rows, Index cols,
                                         Kokkos::View<const Index*, MemorySpace> row_ptr,
                                         Kokkos::View<const Index*, MemorySpace> col_idx,
                                         std::uint64_t hash) {
    return BasicPattern<MemorySpace>(rows, cols, std::move(row_ptr), std::move(col_idx), hash,
                                     typename BasicPattern<MemorySpace>::Trusted{});
  }
};

}  // namespace detail

/// The pattern type users work with: storage in host memory.
using Pattern = BasicPattern<HostMemorySpace>;

/// A pattern and the map from the positions of its transpose to its own:
/// `transposed.col_idx` position `k` holds the entry stored at `position[k]` of
/// the original. Used to permute values (CSR <-> CSC) without searching.
template <class MemorySpace>
struct TransposedPattern;

/// The structure of an m x n sparse matrix in CSR form.
///
/// @tparam MemorySpace where the arrays live (host by default); patterns are
///         built on the host and copied to a device space with `to<Space>()`.
template <class MemorySpace>
class BasicPattern {
 public:
  using memory_space = MemorySpace;
  /// Read-only index arrays.
  using index_view = Kokkos::View<const Index*, MemorySpace>;

  /// The empty 0 x 0 pattern (allocates nothing, so it may exist before
  /// Kokkos is initialized).
  BasicPattern() : hash_(compute_hash(0, 0, {0}, {})) {}

  /// Builds a pattern from COO coordinates in any order; duplicates merge.
  /// @throws InvalidArgument for negative sizes, arrays of different lengths,
  ///         or an index out of range (naming the entry).
  /// Complexity O(nnz log(nnz/rows) + rows).
  static BasicPattern from_coo(Index rows, Index cols, const std::vector<Index>& row_indices,
                               const std::vector<Index>& col_indices) {
    check_sizes("from_coo", rows, cols);
    SPARSEDIFF_REQUIRE(row_indices.size() == col_indices.size(), DimensionMismatch,
                       row_indices.size()
                           << " row indices but " << col_indices.size() << " column indices");
    SPARSEDIFF_REQUIRE(row_indices.size() <= std::size_t(std::numeric_limits<Index>::max()),
                       InvalidArgument,
                       row_indices.size() << " entries exceed the index type's range");
    const std::size_t count = row_indices.size();
    std::vector<Index> row_ptr(static_cast<std::size_t>(rows) + 1, 0);
    for (std::size_t k = 0; k < count; ++k) {
      const Index i = row_indices[k], j = col_indices[k];
      SPARSEDIFF_REQUIRE(i >= 0 && i < rows, InvalidArgument,
                         "entry " << k << ": row " << i << " out of range [0, " << rows << ")");
      SPARSEDIFF_REQUIRE(j >= 0 && j < cols, InvalidArgument,
                         "entry " << k << ": column " << j << " out of range [0, " << cols << ")");
      ++row_ptr[static_cast<std::size_t>(i) + 1];
    }
    for (Index i = 0; i < rows; ++i) row_ptr[i + 1] += row_ptr[i];
    std::vector<Index> col_idx(count);
    std::vector<Index> next(row_ptr.begin(), row_ptr.end() - 1);
    for (std::size_t k = 0; k < count; ++k) col_idx[next[row_indices[k]]++] = col_indices[k];
    // Sort and deduplicate each row, compacting in place.
    Index out = 0;
    for (Index i = 0; i < rows; ++i) {
      const auto first = col_idx.begin() + row_ptr[i];
      const auto last = col_idx.begin() + row_ptr[i + 1];
      std::sort(first, last);
      const auto unique_end = std::unique(first, last);
      const Index start = out;
      for (auto it = first; it != unique_end; ++it) col_idx[out++] = *it;
      row_ptr[i] = start;
    }
    row_ptr[rows] = out;
    col_idx.resize(static_cast<std::size_t>(out));
    return BasicPattern(rows, cols, std::move(row_ptr), std::move(col_idx), Trusted{});
  }

  /// Builds a pattern from CSR arrays, which must already be valid: row_ptr
  /// of length rows + 1, non-decreasing from 0 to col_idx.size(), and each
  /// row's columns in range, strictly increasing.
  /// @throws InvalidArgument naming the first offending row or entry.
  static BasicPattern from_csr(Index rows, Index cols, std::vector<Index> row_ptr,
                               std::vector<Index> col_idx) {
    check_sizes("from_csr", rows, cols);
    SPARSEDIFF_REQUIRE(row_ptr.size() == static_cast<std::size_t>(rows) + 1, DimensionMismatch,
                       "row_ptr has " << row_ptr.size() << " entries, expected rows + 1 = "
                                      << static_cast<std::size_t>(rows) + 1);
    SPARSEDIFF_REQUIRE(row_ptr[0] == 0, InvalidArgument,
                       "row_ptr[0] = " << row_ptr[0] << ", expected 0");
    SPARSEDIFF_REQUIRE(
        std::size_t(row_ptr[rows]) == col_idx.size(), DimensionMismatch,
        "row_ptr[rows] = " << row_ptr[rows] << " but col_idx has " << col_idx.size() << " entries");
    for (Index i = 0; i < rows; ++i) {
      SPARSEDIFF_REQUIRE(
          row_ptr[i] <= row_ptr[i + 1], InvalidArgument,
          "row_ptr decreases at row " << i << " (" << row_ptr[i] << " > " << row_ptr[i + 1] << ")");
      // Without this a row_ptr that overshoots and comes back down at the end
      // ({0, 5, 2}) would read col_idx past its end before the decrease shows.
      SPARSEDIFF_REQUIRE(row_ptr[i + 1] <= row_ptr[rows], InvalidArgument,
                         "row_ptr[" << i + 1 << "] = " << row_ptr[i + 1]
                                    << " exceeds row_ptr[rows] = " << row_ptr[rows]);
      for (Index k = row_ptr[i]; k < row_ptr[i + 1]; ++k) {
        const Index j = col_idx[k], previous = k > row_ptr[i] ? col_idx[k - 1] : -1;
        if (j < 0 || j >= cols || j <= previous)
          detail::raise_bad_column("from_csr", i, k, j, previous, cols);
      }
    }
    return BasicPattern(rows, cols, std::move(row_ptr), std::move(col_idx), Trusted{});
  }

  /// Builds the pattern of the entries where a row-major dense mask is true
  /// (nonzero). @throws DimensionMismatch when mask.size() != rows * cols.
  template <class MaskValue>
  static BasicPattern from_dense_mask(Index rows, Index cols, const std::vector<MaskValue>& mask) {
    check_sizes("from_dense_mask", rows, cols);
    SPARSEDIFF_REQUIRE(
        mask.size() == static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols),
        DimensionMismatch,
        "mask has " << mask.size() << " entries, expected " << rows << " x " << cols);
    std::vector<Index> ptr(static_cast<std::size_t>(rows) + 1, 0), idx;
    for (Index i = 0; i < rows; ++i) {
      for (Index j = 0; j < cols; ++j)
        if (mask[static_cast<std::size_t>(i) * cols + j] != MaskValue{}) idx.push_back(j);
      SPARSEDIFF_REQUIRE(idx.size() <= std::size_t(std::numeric_limits<Index>::max()),
                         InvalidArgument, "more nonzeros than the index type can count");
      ptr[i + 1] = Index(idx.size());
    }
    return BasicPattern(rows, cols, std::move(ptr), std::move(idx), Trusted{});
  }

  /// The dense (all entries) rows x cols pattern.
  static BasicPattern dense(Index rows, Index cols) {
    return from_dense_mask(
        rows, cols,
        std::vector<char>(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), 1));
  }

  /// The n x n identity pattern.
  static BasicPattern identity(Index n) {
    check_sizes("identity", n, n);
    std::vector<Index> ptr(static_cast<std::size_t>(n) + 1), idx(static_cast<std::size_t>(n));
    for (Index i = 0; i <= n; ++i) ptr[i] = i;
    for (Index i = 0; i < n; ++i) idx[i] = i;
    return BasicPattern(n, n, std::move(ptr), std::move(idx), Trusted{});
  }

  KOKKOS_INLINE_FUNCTION Index rows() const { return rows_; }
  KOKKOS_INLINE_FUNCTION Index cols() const { return cols_; }
  KOKKOS_INLINE_FUNCTION Index nnz() const { return nnz_; }

  /// Row pointers (rows() + 1 entries) and column indices (nnz() entries).
  KOKKOS_INLINE_FUNCTION const index_view& row_ptr() const { return row_ptr_; }
  KOKKOS_INLINE_FUNCTION const index_view& col_idx() const { return col_idx_; }

  /// Half-open range [row_begin(i), row_end(i)) of row i's positions.
  KOKKOS_INLINE_FUNCTION Index row_begin(Index i) const { return row_ptr_(i); }
  KOKKOS_INLINE_FUNCTION Index row_end(Index i) const { return row_ptr_(i + 1); }
  KOKKOS_INLINE_FUNCTION Index row_nnz(Index i) const { return row_ptr_(i + 1) - row_ptr_(i); }

  /// Position of entry (i, j) in col_idx(), or -1 when it is not in the pattern.
  /// O(log row_nnz(i)).
  KOKKOS_INLINE_FUNCTION Index find(Index i, Index j) const {
    Index lo = row_ptr_(i), hi = row_ptr_(i + 1);
    while (lo < hi) {
      const Index mid = lo + (hi - lo) / 2;
      if (col_idx_(mid) < j)
        lo = mid + 1;
      else
        hi = mid;
    }
    return (lo < row_ptr_(i + 1) && col_idx_(lo) == j) ? lo : -1;
  }

  /// Largest number of entries in one row.
  Index max_row_nnz() const {
    auto host_ptr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, row_ptr_);
    Index best = 0;
    for (Index i = 0; i < rows_; ++i) best = std::max(best, host_ptr(i + 1) - host_ptr(i));
    return best;
  }

  /// Hash of sizes and structure, computed once at construction.
  std::uint64_t hash() const { return hash_; }

  /// Structural equality (same sizes, same entries).
  bool operator==(const BasicPattern& other) const {
    if (rows_ != other.rows_ || cols_ != other.cols_ || nnz_ != other.nnz_ || hash_ != other.hash_)
      return false;
    if (row_ptr_.data() == other.row_ptr_.data() && col_idx_.data() == other.col_idx_.data())
      return true;
    auto a = host_arrays(), b = other.host_arrays();
    return a == b;
  }
  bool operator!=(const BasicPattern& other) const { return !(*this == other); }

  /// The pattern of the transpose (cols x rows), i.e. the CSC structure of
  /// this pattern, with the map from its positions to this pattern's.
  /// Complexity O(nnz + rows + cols).
  TransposedPattern<MemorySpace> transpose_with_map() const {
    auto [ptr, idx] = host_arrays();
    std::vector<Index> t_ptr(static_cast<std::size_t>(cols_) + 1, 0),
        t_idx(static_cast<std::size_t>(nnz_)), position(static_cast<std::size_t>(nnz_));
    for (Index k = 0; k < nnz_; ++k) ++t_ptr[std::size_t(idx[k]) + 1];
    for (Index j = 0; j < cols_; ++j) t_ptr[j + 1] += t_ptr[j];
    std::vector<Index> next(t_ptr.begin(), t_ptr.end() - 1);
    for (Index i = 0; i < rows_; ++i)
      for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
        const Index dest = next[idx[k]]++;
        t_idx[dest] = i;
        position[dest] = k;
      }
    return {BasicPattern(cols_, rows_, std::move(t_ptr), std::move(t_idx), Trusted{}),
            to_view("sparsediff::transpose_map", position)};
  }

  /// The pattern of the transpose (cols x rows). O(nnz + rows + cols).
  BasicPattern transpose() const { return transpose_with_map().pattern; }

  /// True when rows() == cols() and (i, j) present implies (j, i) present.
  bool is_symmetric() const { return rows_ == cols_ && *this == transpose(); }

  /// Copies of the arrays in host std::vectors (row_ptr, col_idx).
  std::pair<std::vector<Index>, std::vector<Index>> host_arrays() const {
    std::vector<Index> ptr(static_cast<std::size_t>(rows_) + 1, 0),
        idx(static_cast<std::size_t>(nnz_));
    if (row_ptr_.extent(0) == 0) return {std::move(ptr), std::move(idx)};  // default-constructed
    Kokkos::deep_copy(
        Kokkos::View<Index*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(ptr.data(), ptr.size()),
        row_ptr_);
    Kokkos::deep_copy(
        Kokkos::View<Index*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(idx.data(), idx.size()),
        col_idx_);
    return {std::move(ptr), std::move(idx)};
  }

  /// The same pattern with its arrays in another memory space (shared, not
  /// copied, when the space is the same).
  template <class OtherSpace>
  BasicPattern<OtherSpace> to() const {
    if constexpr (std::is_same_v<OtherSpace, MemorySpace>) {
      return *this;
    } else {
      auto [ptr, idx] = host_arrays();
      return BasicPattern<OtherSpace>(rows_, cols_, std::move(ptr), std::move(idx),
                                      typename BasicPattern<OtherSpace>::Trusted{});
    }
  }

 private:
  template <class>
  friend class BasicPattern;
  friend struct detail::PatternBuilder;
  struct Trusted {};

  static void check_sizes(const char* function, Index rows, Index cols) {
    if (rows < 0 || cols < 0)
      detail::raise<InvalidArgument>(
          function, "negative size " + std::to_string(rows) + " x " + std::to_string(cols));
  }

  static Kokkos::View<const Index*, MemorySpace> to_view(const char* label,
                                                         const std::vector<Index>& values) {
    Kokkos::View<Index*, MemorySpace> view(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)), values.size());
    Kokkos::deep_copy(view, Kokkos::View<const Index*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
                                values.data(), values.size()));
    return view;
  }

  // The hash of the arrays (see detail::PatternHash), row by row.
  static std::uint64_t compute_hash(Index rows, Index cols, const std::vector<Index>& ptr,
                                    const std::vector<Index>& idx) {
    std::uint64_t row_sum = 0;
    for (Index i = 0; i < rows; ++i)
      row_sum += detail::PatternHash::row(i, idx.data() + ptr[i], ptr[i + 1] - ptr[i]);
    return detail::PatternHash::finish(rows, cols, Index(idx.size()), row_sum);
  }

  // Adopts arrays already validated and hashed (detail::PatternBuilder).
  BasicPattern(Index rows, Index cols, index_view ptr, index_view idx, std::uint64_t hash, Trusted)
      : rows_(rows),
        cols_(cols),
        nnz_(Index(idx.extent(0))),
        hash_(hash),
        row_ptr_(std::move(ptr)),
        col_idx_(std::move(idx)) {}

  BasicPattern(Index rows, Index cols, std::vector<Index> ptr, std::vector<Index> idx, Trusted)
      : rows_(rows),
        cols_(cols),
        nnz_(Index(idx.size())),
        hash_(compute_hash(rows, cols, ptr, idx)),
        row_ptr_(to_view("sparsediff::Pattern::row_ptr", ptr)),
        col_idx_(to_view("sparsediff::Pattern::col_idx", idx)) {}

  Index rows_ = 0, cols_ = 0, nnz_ = 0;
  std::uint64_t hash_ = 0;
  index_view row_ptr_, col_idx_;
};

template <class MemorySpace>
struct TransposedPattern {
  BasicPattern<MemorySpace> pattern;
  /// position[k] = position in the original of the transpose's entry k.
  Kokkos::View<const Index*, MemorySpace> position;
};

}  // namespace sparsediff
