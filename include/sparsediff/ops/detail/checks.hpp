#pragma once
/// @file
/// Boundary checks and type helpers shared by the differentiable sparse
/// operations (ops/): finiteness of values of any scalar family (double,
/// Dual, Reverse) in host vectors and Kokkos views, size checks with messages
/// that name the operand, and the scalar type of a product.

#include <cstddef>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sparsediff/ad/dual.hpp"
#include "sparsediff/ad/tape.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/csr.hpp"

namespace sparsediff::detail {

/// The scalar type of a * b (Dual * double -> Dual, Reverse * double -> Reverse).
template <class A, class B>
using product_t = std::decay_t<decltype(std::declval<A>() * std::declval<B>())>;

template <class T>
struct is_reverse : std::false_type {};
template <class V>
struct is_reverse<Reverse<V>> : std::true_type {};
/// True for `Reverse<V>`: such operands are recorded on the thread's tape.
template <class T>
inline constexpr bool is_reverse_v = is_reverse<T>::value;

/// The value of a Reverse, the scalar itself otherwise.
template <class T>
inline auto passive_value(const T& v) {
  if constexpr (is_reverse_v<T>)
    return v.value();
  else
    return v;
}

/// Value (and every dual lane) finite; for a Reverse, its value.
template <class T>
KOKKOS_INLINE_FUNCTION bool finite_value(const T& x) {
  return all_finite(x);
}
template <class V>
inline bool finite_value(const Reverse<V>& x) {
  return all_lanes_finite(x.value());
}

/// Index of the first non-finite entry of a host vector, or -1.
template <class T>
std::ptrdiff_t first_non_finite(const std::vector<T>& v) {
  for (std::size_t k = 0; k < v.size(); ++k)
    if (!finite_value(v[k])) return std::ptrdiff_t(k);
  return -1;
}

/// Index of the first non-finite entry of a rank-1 or rank-2 view (flattened
/// as i * extent(1) + j), or -1; one parallel reduction in ExecutionSpace
/// (void: the view's default execution space).
template <class ExecutionSpace = void, class View>
std::ptrdiff_t first_non_finite_view(const View& v) {
  using space = std::conditional_t<std::is_void_v<ExecutionSpace>, typename View::execution_space,
                                   ExecutionSpace>;
  const long none = Kokkos::reduction_identity<long>::min();
  long smallest = none;
  if constexpr (View::rank == 1) {
    const long n = long(v.extent(0));
    Kokkos::parallel_reduce(
        "sparsediff::ops::check_finite", Kokkos::RangePolicy<space>(0, n),
        KOKKOS_LAMBDA(const long k, long& best) {
          if (!finite_value(v(k)) && k < best) best = k;
        },
        Kokkos::Min<long>(smallest));
  } else {
    static_assert(View::rank == 2, "rank-1 or rank-2 views");
    const long rows = long(v.extent(0)), cols = long(v.extent(1));
    Kokkos::parallel_reduce(
        "sparsediff::ops::check_finite2", Kokkos::RangePolicy<space>(0, rows * cols),
        KOKKOS_LAMBDA(const long k, long& best) {
          if (!finite_value(v(k / cols, k % cols)) && k < best) best = k;
        },
        Kokkos::Min<long>(smallest));
  }
  return smallest == none ? -1 : std::ptrdiff_t(smallest);
}

/// The checks of the operations run after their kernel, on the output only
/// (O(output) instead of O(inputs): a product reads only some of a long x):
/// a non-finite input that the kernel reads makes its output non-finite, and
/// then `diagnose` — the full input checks, which throw naming the culprit —
/// runs. A non-finite output no input explains (overflow, a caller's
/// accumulator) is left alone.
template <class View, class Diagnose>
void check_output(const View& output, Diagnose&& diagnose) {
  if (first_non_finite_view(output) >= 0) diagnose();
}

/// Describes a scalar for messages (its value for Dual and Reverse).
template <class T>
std::string describe_value(const T& x) {
  std::ostringstream s;
  if constexpr (is_reverse_v<T>)
    s << x.value();
  else
    s << x;
  return s.str();
}

/// Throws InvalidArgument "name[k] = v is not finite" for the first bad entry.
template <class T>
void require_finite_values(const char* function, const char* name, const std::vector<T>& v) {
  const std::ptrdiff_t k = first_non_finite(v);
  if (k >= 0)
    raise<InvalidArgument>(function, std::string(name) + "[" + std::to_string(k) + "] = " +
                                         describe_value(v[std::size_t(k)]) + " is not finite");
}

/// As above for a view (rank 2 entries named "(i, j)"), checked in
/// ExecutionSpace (void: the view's default execution space).
template <class ExecutionSpace = void, class View>
void require_finite_view(const char* function, const char* name, const View& v) {
  const std::ptrdiff_t k = first_non_finite_view<ExecutionSpace>(v);
  if (k < 0) return;
  std::string where, value;
  if constexpr (View::rank == 1) {
    where = "[" + std::to_string(k) + "]";
    const auto entry = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{},
                                                           Kokkos::subview(v, std::size_t(k)));
    value = describe_value(entry());
  } else {
    const std::size_t cols = v.extent(1), i = std::size_t(k) / cols, j = std::size_t(k) % cols;
    where = "(" + std::to_string(i) + ", " + std::to_string(j) + ")";
    const auto entry =
        Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, Kokkos::subview(v, i, j));
    value = describe_value(entry());
  }
  raise<InvalidArgument>(function, std::string(name) + where + " = " + value + " is not finite");
}

/// Throws InvalidArgument naming the first non-finite value of a matrix by
/// its position, row and column.
template <class T, class MemorySpace>
void require_finite_matrix(const char* function, const char* name,
                           const CsrMatrix<T, MemorySpace>& a) {
  const std::ptrdiff_t k = first_non_finite_view(a.values());
  if (k < 0) return;
  auto [ptr, idx] = a.pattern().host_arrays();
  Index row = 0;
  while (ptr[std::size_t(row) + 1] <= k) ++row;
  raise<InvalidArgument>(function, std::string(name) + " value " + std::to_string(k) + " (row " +
                                       std::to_string(row) + ", column " +
                                       std::to_string(idx[std::size_t(k)]) + ") is not finite");
}

/// Throws DimensionMismatch "name has s entries, expected e (what)".
inline void require_size(const char* function, const char* name, std::size_t size,
                         std::size_t expected, const char* what) {
  if (size != expected)
    raise<DimensionMismatch>(function, std::string(name) + " has " + std::to_string(size) +
                                           " entries, expected " + std::to_string(expected) + " (" +
                                           what + ")");
}

/// Throws DimensionMismatch when a rank-2 operand is not rows x cols.
inline void require_shape(const char* function, const char* name, std::size_t rows,
                          std::size_t cols, std::size_t expected_rows, std::size_t expected_cols) {
  if (rows != expected_rows || cols != expected_cols)
    raise<DimensionMismatch>(function, std::string(name) + " is " + std::to_string(rows) + " x " +
                                           std::to_string(cols) + ", expected " +
                                           std::to_string(expected_rows) + " x " +
                                           std::to_string(expected_cols));
}

/// Throws InvalidArgument when two patterns differ (sizes and entry counts named).
template <class MemorySpace>
void require_same_pattern(const char* function, const char* name,
                          const BasicPattern<MemorySpace>& got,
                          const BasicPattern<MemorySpace>& expected, const char* expected_name) {
  if (got == expected) return;
  std::ostringstream s;
  s << name << "'s pattern (" << got.rows() << " x " << got.cols() << ", " << got.nnz()
    << " entries) differs from " << expected_name << "'s (" << expected.rows() << " x "
    << expected.cols() << ", " << expected.nnz() << " entries)";
  raise<InvalidArgument>(function, s.str());
}

/// Host copy of a view's values (any memory space) as a std::vector.
template <class T, class MemorySpace>
std::vector<T> host_copy(const Kokkos::View<T*, MemorySpace>& v) {
  std::vector<T> out(v.extent(0));
  Kokkos::deep_copy(
      Kokkos::View<T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(out.data(), out.size()), v);
  return out;
}

/// Unmanaged host views over std::vector storage.
template <class T>
Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> host_view(
    const std::vector<T>& v) {
  return Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(v.data(), v.size());
}
template <class T>
Kokkos::View<T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> host_view(std::vector<T>& v) {
  return Kokkos::View<T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(v.data(), v.size());
}
/// Column-major (LayoutLeft) rows x cols views over std::vector storage.
template <class T>
Kokkos::View<const T**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> host_block(
    const std::vector<T>& v, std::size_t rows, std::size_t cols) {
  return Kokkos::View<const T**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
      v.data(), rows, cols);
}
template <class T>
Kokkos::View<T**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> host_block(
    std::vector<T>& v, std::size_t rows, std::size_t cols) {
  return Kokkos::View<T**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
      v.data(), rows, cols);
}

}  // namespace sparsediff::detail
