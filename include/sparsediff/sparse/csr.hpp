#pragma once
/// @file
/// `CsrMatrix<T>`: values over a `Pattern`.
///
/// The pattern is shared (several matrices, a Jacobian and its factorization,
/// refer to one structure); the values are owned. Products run as Kokkos
/// kernels in the execution space of the memory space, so the same code
/// serves host and device storage.

#include <string>
#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// A sparse matrix in CSR form: a shared `BasicPattern` and one value per entry.
/// @tparam T value type (double, float, a dual number, ...)
/// @tparam MemorySpace where pattern and values live (host by default)
template <class T, class MemorySpace = HostMemorySpace>
class CsrMatrix {
 public:
  using value_type = T;
  using memory_space = MemorySpace;
  using execution_space = typename MemorySpace::execution_space;
  using pattern_type = BasicPattern<MemorySpace>;
  using values_view = Kokkos::View<T*, MemorySpace>;

  CsrMatrix() = default;

  /// A matrix over `pattern` with all values zero (T{}).
  explicit CsrMatrix(pattern_type pattern)
      : pattern_(std::move(pattern)), values_("sparsediff::CsrMatrix::values", pattern_.nnz()) {}

  /// A matrix over `pattern` with the given values, in pattern order.
  /// @throws DimensionMismatch when values.size() != pattern.nnz().
  CsrMatrix(pattern_type pattern, const std::vector<T>& values) : CsrMatrix(std::move(pattern)) {
    SPARSEDIFF_REQUIRE(values.size() == std::size_t(pattern_.nnz()), DimensionMismatch,
                       values.size()
                           << " values for a pattern with " << pattern_.nnz() << " entries");
    Kokkos::deep_copy(values_, Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
                                   values.data(), values.size()));
  }

  /// A matrix over `pattern` sharing an existing values view.
  /// @throws DimensionMismatch when the view's extent is not pattern.nnz().
  CsrMatrix(pattern_type pattern, values_view values)
      : pattern_(std::move(pattern)), values_(std::move(values)) {
    SPARSEDIFF_REQUIRE(values_.extent(0) == std::size_t(pattern_.nnz()), DimensionMismatch,
                       values_.extent(0)
                           << " values for a pattern with " << pattern_.nnz() << " entries");
  }

  /// The matrix of the nonzero entries of a row-major dense array (for tests
  /// and small problems). Exact zeros are left out of the pattern.
  static CsrMatrix from_dense(Index rows, Index cols, const std::vector<T>& dense) {
    auto pattern = pattern_type::from_dense_mask(rows, cols, dense);
    std::vector<T> values;
    values.reserve(std::size_t(pattern.nnz()));
    for (const T& v : dense)
      if (v != T{}) values.push_back(v);
    return CsrMatrix(std::move(pattern), values);
  }

  KOKKOS_INLINE_FUNCTION Index rows() const { return pattern_.rows(); }
  KOKKOS_INLINE_FUNCTION Index cols() const { return pattern_.cols(); }
  KOKKOS_INLINE_FUNCTION Index nnz() const { return pattern_.nnz(); }
  KOKKOS_INLINE_FUNCTION const pattern_type& pattern() const { return pattern_; }
  KOKKOS_INLINE_FUNCTION const values_view& values() const { return values_; }

  /// Value of entry (i, j): T{} when (i, j) is not in the pattern (host memory only).
  /// @throws InvalidArgument when i or j is out of range.
  T at(Index i, Index j) const {
    SPARSEDIFF_REQUIRE(
        i >= 0 && i < rows() && j >= 0 && j < cols(), InvalidArgument,
        "(" << i << ", " << j << ") outside a " << rows() << " x " << cols() << " matrix");
    const Index k = pattern_.find(i, j);
    return k < 0 ? T{} : values_(k);
  }

  /// Values copied to a host std::vector in pattern order.
  std::vector<T> host_values() const {
    std::vector<T> out(static_cast<std::size_t>(nnz()));
    Kokkos::deep_copy(
        Kokkos::View<T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(out.data(), out.size()),
        values_);
    return out;
  }

  /// Row-major dense copy (rows * cols entries; for tests and small problems).
  std::vector<T> to_dense() const {
    auto [ptr, idx] = pattern_.host_arrays();
    const auto vals = host_values();
    std::vector<T> dense(std::size_t(rows()) * std::size_t(cols()), T{});
    for (Index i = 0; i < rows(); ++i)
      for (Index k = ptr[i]; k < ptr[i + 1]; ++k)
        dense[static_cast<std::size_t>(i) * cols() + idx[k]] = vals[k];
    return dense;
  }

  /// y = A x, in parallel over rows.
  /// @throws DimensionMismatch when x has not cols() or y not rows() entries.
  template <class XView, class YView>
  void multiply(const XView& x, const YView& y) const {
    check_product("multiply", x.extent(0), y.extent(0), cols(), rows());
    const auto ptr = pattern_.row_ptr();
    const auto idx = pattern_.col_idx();
    const auto val = values_;
    Kokkos::parallel_for(
        "sparsediff::CsrMatrix::multiply", Kokkos::RangePolicy<execution_space>(0, rows()),
        KOKKOS_LAMBDA(const Index i) {
          T sum{};
          for (Index k = ptr(i); k < ptr(i + 1); ++k) sum += val(k) * x(idx(k));
          y(i) = sum;
        });
  }

  /// y = A^T x. Runs as one sequential pass over the entries (a scatter), so
  /// the result is the same for any thread count.
  /// @throws DimensionMismatch when x has not rows() or y not cols() entries.
  template <class XView, class YView>
  void multiply_transposed(const XView& x, const YView& y) const {
    check_product("multiply_transposed", x.extent(0), y.extent(0), rows(), cols());
    const auto ptr = pattern_.row_ptr();
    const auto idx = pattern_.col_idx();
    const auto val = values_;
    const Index m = rows(), n = cols();
    Kokkos::parallel_for(
        "sparsediff::CsrMatrix::multiply_transposed", Kokkos::RangePolicy<execution_space>(0, 1),
        KOKKOS_LAMBDA(const Index) {
          for (Index j = 0; j < n; ++j) y(j) = T{};
          for (Index i = 0; i < m; ++i)
            for (Index k = ptr(i); k < ptr(i + 1); ++k) y(idx(k)) += val(k) * x(i);
        });
  }

  /// y = A x for host vectors (host memory only); returns y.
  std::vector<T> multiply(const std::vector<T>& x) const {
    std::vector<T> y(static_cast<std::size_t>(rows()));
    multiply(unmanaged(x), unmanaged(y));
    Kokkos::fence();
    return y;
  }

  /// y = A^T x for host vectors (host memory only); returns y.
  std::vector<T> multiply_transposed(const std::vector<T>& x) const {
    std::vector<T> y(static_cast<std::size_t>(cols()));
    multiply_transposed(unmanaged(x), unmanaged(y));
    Kokkos::fence();
    return y;
  }

 private:
  static Kokkos::View<const T*, MemorySpace, Kokkos::MemoryUnmanaged> unmanaged(
      const std::vector<T>& v) {
    return Kokkos::View<const T*, MemorySpace, Kokkos::MemoryUnmanaged>(v.data(), v.size());
  }
  static Kokkos::View<T*, MemorySpace, Kokkos::MemoryUnmanaged> unmanaged(std::vector<T>& v) {
    return Kokkos::View<T*, MemorySpace, Kokkos::MemoryUnmanaged>(v.data(), v.size());
  }
  static void check_product(const char* function, std::size_t x_size, std::size_t y_size,
                            Index x_expected, Index y_expected) {
    if (x_size != static_cast<std::size_t>(x_expected) ||
        y_size != static_cast<std::size_t>(y_expected))
      detail::raise<DimensionMismatch>(
          function, "x has " + std::to_string(x_size) + " entries (expected " +
                        std::to_string(x_expected) + "), y has " + std::to_string(y_size) +
                        " (expected " + std::to_string(y_expected) + ")");
  }

  pattern_type pattern_;
  values_view values_;
};

}  // namespace sparsediff
