#pragma once
/// @file
/// Compressed evaluation: one evaluation of f per chunk of W colors, with
/// `Dual<double, W>` inputs seeded by the column coloring, recovered straight
/// into the CSR values.
///
/// Two function kinds (see sparse_jacobian.hpp):
///  - row kernels run as a Kokkos `parallel_for` over rows; each row loops
///    over the chunks itself, so its inputs stay in cache and the result of a
///    row is written by one thread (bitwise identical for any thread count);
///  - whole-vector functions run once per chunk on full dual vectors, chunks
///    concurrently on the host (each thread owns preallocated dual buffers).

#include <exception>
#include <mutex>
#include <type_traits>
#include <utility>

#include "sparsediff/ad/accessor.hpp"
#include "sparsediff/ad/dual.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/jacobian/recover.hpp"
#include "sparsediff/jacobian/seed.hpp"

namespace sparsediff {

/// The two ways a user writes the function to differentiate.
enum class FunctionKind {
  /// `template <class T> void operator()(const T* x, T* y) const` (black-box codes).
  whole_vector,
  /// `template <class T> T operator()(int i, Accessor<T> x) const` (stencils, GPU path).
  row_kernel
};

namespace detail {

template <class F, class = void>
struct is_row_kernel : std::false_type {};
template <class F>
struct is_row_kernel<
    F, std::void_t<decltype(std::declval<const F&>()(Index{}, std::declval<Accessor<double>>()))>>
    : std::true_type {};

template <class F, class = void>
struct is_whole_vector : std::false_type {};
template <class F>
struct is_whole_vector<F, std::void_t<decltype(std::declval<const F&>()(
                              std::declval<const double*>(), std::declval<double*>()))>>
    : std::true_type {};

/// The kind of F, checked at compile time.
template <class F>
constexpr FunctionKind function_kind() {
  static_assert(is_row_kernel<F>::value || is_whole_vector<F>::value,
                "sparsediff: the function must provide either\n"
                "  template <class T> void operator()(const T* x, T* y) const   or\n"
                "  template <class T> T operator()(int i, sparsediff::Accessor<T> x) const");
  return is_row_kernel<F>::value ? FunctionKind::row_kernel : FunctionKind::whole_vector;
}

/// Calls fn(std::integral_constant<int, W>) for the compiled lane width W == width.
template <class Fn>
void dispatch_lane_width(int width, Fn&& fn) {
  switch (width) {
    case 1:
      fn(std::integral_constant<int, 1>{});
      break;
    case 2:
      fn(std::integral_constant<int, 2>{});
      break;
    case 4:
      fn(std::integral_constant<int, 4>{});
      break;
    case 6:
      fn(std::integral_constant<int, 6>{});
      break;
    case 8:
      fn(std::integral_constant<int, 8>{});
      break;
    case 12:
      fn(std::integral_constant<int, 12>{});
      break;
    default:
      fn(std::integral_constant<int, 16>{});
      break;
  }
}

/// Row-kernel Jacobian: row i evaluated once per chunk, recovered in place.
/// Raw pointers so the functor is trivially copyable to any device.
template <class F, int W>
struct RowKernelJacobian {
  F f;
  const double* x;
  Index n;
  const Index* color;
  const Index* row_ptr;
  const Index* compressed_index;
  Index num_colors;
  double* values;
  double* y;  // F(x), written from the first chunk; may be null

  SPARSEDIFF_FLATTEN KOKKOS_INLINE_FUNCTION void operator()(const Index i) const {
    for (Index first = 0; first < num_colors || first == 0; first += W) {
      const Accessor<Dual<double, W>> input(x, n, color, first);
      const Dual<double, W> r = f(i, input);
      if (first == 0 && y != nullptr) y[i] = r.val;
      recover_row(r, first, row_ptr[i], row_ptr[i + 1], compressed_index, values);
    }
  }
};

/// Row-kernel Jacobian by row seeding: row i's inputs are seeded with the
/// row's own columns (lane l = its l-th nonzero), so its lanes are its
/// Jacobian row, written contiguously; W lanes per evaluation, rows longer
/// than W evaluated once per W of their nonzeros.
template <class F, int W>
struct RowSeededJacobian {
  F f;
  const double* x;
  Index n;
  const Index* row_ptr;
  const Index* col;
  double* values;
  double* y;  // F(x), written from the first evaluation; may be null

  SPARSEDIFF_FLATTEN KOKKOS_INLINE_FUNCTION void operator()(const Index i) const {
    const Index begin = row_ptr[i], count = row_ptr[i + 1] - begin;
    for (Index first = 0; first < count || first == 0; first += W) {
      Index columns[W];
      for (int l = 0; l < W; ++l) columns[l] = first + l < count ? col[begin + first + l] : -1;
      using Input = Accessor<Dual<double, W>>;
      const Dual<double, W> r = f(i, Input(x, n, columns, typename Input::RowColumns{}));
      if (first == 0 && y != nullptr) y[i] = r.val;
      // (A fixed trip count with a test per lane measured no faster with
      // SSE2, and 1.5x slower on 8 lanes with AVX-512.)
      const Index lanes = count - first < W ? count - first : W;
      for (Index l = 0; l < lanes; ++l) values[begin + first + l] = r.d[l];
    }
  }
};

/// Row-kernel JVP: one lane seeded with the direction.
template <class F>
struct RowKernelJvp {
  F f;
  const double* x;
  const double* v;
  Index n;
  double* jv;
  double* y;  // may be null

  SPARSEDIFF_FLATTEN KOKKOS_INLINE_FUNCTION void operator()(const Index i) const {
    const Dual<double, 1> r = f(i, Accessor<Dual<double, 1>>(x, n, v));
    jv[i] = r.d[0];
    if (y != nullptr) y[i] = r.val;
  }
};

/// Row-kernel plain evaluation.
template <class F>
struct RowKernelValue {
  F f;
  const double* x;
  Index n;
  double* y;

  SPARSEDIFF_FLATTEN KOKKOS_INLINE_FUNCTION void operator()(const Index i) const {
    y[i] = f(i, Accessor<double>(x, n));
  }
};

/// Runs `body(chunk, slot)` for every chunk: `slots` workers run
/// concurrently on the host, worker w taking chunks w, w + slots, ... with
/// slot w (so each slot's buffers are used by one thread at a time). The
/// first exception thrown by a body is rethrown after all workers end.
template <class ExecutionSpace, class Body>
void for_each_chunk(Index chunks, int slots, Body&& body) {
  if (chunks <= 1 || slots <= 1) {
    for (Index c = 0; c < chunks; ++c) body(c, 0);
    return;
  }
  std::exception_ptr failure;
  std::mutex failure_mutex;
  Kokkos::parallel_for("sparsediff::whole_vector_chunks",
                       Kokkos::RangePolicy<ExecutionSpace>(0, slots), [&](const int worker) {
                         try {
                           for (Index c = worker; c < chunks; c += slots) body(c, worker);
                         } catch (...) {
                           std::lock_guard<std::mutex> lock(failure_mutex);
                           if (!failure) failure = std::current_exception();
                         }
                       });
  Kokkos::fence();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace detail
}  // namespace sparsediff
