#pragma once
/// @file
/// Differentiable sparse matrix-vector product y = A x, with the values of A
/// as parameters on a fixed pattern S.
///
/// Rules (A is m x n, values a_k at positions k = (i_k, j_k) of S):
///
///   forward (JVP)   dy = dA x + A dx             (dA on S)
///   reverse (VJP)   x̄ += A^T ȳ,   ā_k += ȳ_{i_k} x_{j_k}
///
/// The reverse rule for A is the projection P_S(ȳ x^T) of the dense outer
/// product onto the pattern, computed entry by entry in O(nnz) — never the
/// m x n outer product. Entries are structural: a stored zero still gets its
/// gradient, entries outside S get none (they are not parameters).
///
/// Four ways to use it:
/// - standalone rules for callers with their own AD: `spmv_jvp`, `spmv_vjp`
///   (std::vector or Kokkos-view versions; the view versions accumulate into
///   the outputs and run as Kokkos kernels in the matrix's execution space);
/// - forward mode: `spmv` with `Dual` values in A, in x or both (the kernel is
///   templated on the scalars; the tangents follow the JVP rule by themselves);
/// - reverse mode: `spmv` with `Reverse` values in A and/or x records the
///   product on the thread's tape — as one external operation with the rule
///   above when recording on an `ExternalTape` (ad/tape_external.hpp), else as
///   elementary operations (two per nonzero), which `Tape` differentiates
///   correctly anyway;
/// - COO input: duplicated coordinates sum, and each duplicate receives the
///   gradient of the summed entry (ops/detail/triplets.hpp).
///
/// Errors. Sizes are checked up front. Finiteness is checked after the kernel,
/// on its output (O(m)): a non-finite value the operation reads makes the
/// output non-finite, and then the inputs are searched and the first bad one
/// is named ("spmv: x[3] = nan is not finite"); entries that are not read are
/// not inspected, so a product with a small batch of a long x costs O(nnz),
/// not O(n). Outputs are unspecified after an error.
///
/// x̄ = A^T ȳ is computed as a gather over the transposed pattern (one thread
/// per column of A: deterministic, no atomics); the view version takes that
/// transpose (`Pattern::transpose_with_map`), computed once per pattern.

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "sparsediff/ad/tape_external.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/ops/detail/checks.hpp"
#include "sparsediff/ops/detail/triplets.hpp"
#include "sparsediff/sparse/coo.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Gradients of a scalar loss through y = A x: ā over A's pattern (pattern
/// order; one per triplet for a COO matrix) and x̄.
struct SpmvGradient {
  std::vector<double> a_bar;
  std::vector<double> x_bar;
};

namespace detail {

/// y = A x over raw views (no checks).
template <class ExecutionSpace, class Ptr, class Idx, class AView, class XView, class YView>
void spmv_kernel(Index rows, const Ptr& ptr, const Idx& idx, const AView& a, const XView& x,
                 const YView& y) {
  using R = typename YView::non_const_value_type;
  Kokkos::parallel_for(
      "sparsediff::spmv", Kokkos::RangePolicy<ExecutionSpace>(0, rows),
      KOKKOS_LAMBDA(const Index i) {
        R sum(0.0);
        for (Index k = ptr(i); k < ptr(i + 1); ++k) sum += a(k) * x(idx(k));
        y(i) = sum;
      });
}

/// ā_k += ȳ_i x_j (a_bar of extent 0: skipped) and x̄_j += Σ a_k ȳ_i over the
/// transpose (x_bar of extent 0: skipped); no checks.
template <class ExecutionSpace, class MemorySpace, class AView, class XView, class YbarView,
          class AbarView, class XbarView>
void spmv_vjp_kernel(const BasicPattern<MemorySpace>& pattern,
                     const TransposedPattern<MemorySpace>* transposed, const AView& a,
                     const XView& x, const YbarView& ybar, const AbarView& a_bar,
                     const XbarView& x_bar) {
  const auto ptr = pattern.row_ptr();
  const auto idx = pattern.col_idx();
  if (a_bar.extent(0) > 0)
    Kokkos::parallel_for(
        "sparsediff::spmv_vjp_a", Kokkos::RangePolicy<ExecutionSpace>(0, pattern.rows()),
        KOKKOS_LAMBDA(const Index i) {
          const auto yi = ybar(i);
          for (Index k = ptr(i); k < ptr(i + 1); ++k) a_bar(k) += yi * x(idx(k));
        });
  if (x_bar.extent(0) > 0) {
    const auto tptr = transposed->pattern.row_ptr();
    const auto tidx = transposed->pattern.col_idx();
    const auto position = transposed->position;
    using R = typename XbarView::non_const_value_type;
    Kokkos::parallel_for(
        "sparsediff::spmv_vjp_x", Kokkos::RangePolicy<ExecutionSpace>(0, pattern.cols()),
        KOKKOS_LAMBDA(const Index j) {
          R sum(0.0);
          for (Index t = tptr(j); t < tptr(j + 1); ++t) sum += a(position(t)) * ybar(tidx(t));
          x_bar(j) += sum;
        });
  }
}

/// dy = dA x + A dx (either tangent of extent 0: zero); no checks.
template <class ExecutionSpace, class Ptr, class Idx, class AView, class DaView, class XView,
          class DxView, class DyView>
void spmv_jvp_kernel(Index rows, const Ptr& ptr, const Idx& idx, const AView& a, const DaView& da,
                     const XView& x, const DxView& dx, const DyView& dy) {
  using R = typename DyView::non_const_value_type;
  const bool use_da = da.extent(0) > 0, use_dx = dx.extent(0) > 0;
  Kokkos::parallel_for(
      "sparsediff::spmv_jvp", Kokkos::RangePolicy<ExecutionSpace>(0, rows),
      KOKKOS_LAMBDA(const Index i) {
        R sum(0.0);
        for (Index k = ptr(i); k < ptr(i + 1); ++k) {
          if (use_da) sum += da(k) * x(idx(k));
          if (use_dx) sum += a(k) * dx(idx(k));
        }
        dy(i) = sum;
      });
}

/// y = A x on the thread's tape (see the file comment).
template <class T, class X>
std::vector<product_t<T, X>> spmv_reverse(const CsrMatrix<T>& a, const std::vector<X>& x) {
  using R = product_t<T, X>;
  using V = typename R::value_type;
  constexpr bool a_active = is_reverse_v<T>, x_active = is_reverse_v<X>;
  const auto ptr = a.pattern().row_ptr();
  const auto idx = a.pattern().col_idx();
  const auto values = a.values();
  const Index m = a.rows(), n = a.cols(), nnz = a.nnz();
  std::vector<R> y(static_cast<std::size_t>(m));
  ExternalTape<V>* tape = active_external_tape<V>();
  if (tape == nullptr) {
    for (Index i = 0; i < m; ++i) {
      R sum(0.0);
      for (Index k = ptr(i); k < ptr(i + 1); ++k) {
        const R term = R(values(k)) * R(x[std::size_t(idx(k))]);
        sum = k == ptr(i) ? term : sum + term;
      }
      y[std::size_t(i)] = sum;
    }
    return y;
  }
  // One external operation: operands [A's values if active, x if active].
  auto av = std::make_shared<std::vector<V>>(std::size_t(nnz));
  auto xv = std::make_shared<std::vector<V>>(std::size_t(n));
  std::vector<R> operands;
  operands.reserve((a_active ? std::size_t(nnz) : 0) + (x_active ? std::size_t(n) : 0));
  for (Index k = 0; k < nnz; ++k) {
    (*av)[std::size_t(k)] = V(passive_value(values(k)));
    if constexpr (a_active) operands.push_back(values(k));
  }
  for (Index j = 0; j < n; ++j) {
    (*xv)[std::size_t(j)] = V(passive_value(x[std::size_t(j)]));
    if constexpr (x_active) operands.push_back(x[std::size_t(j)]);
  }
  std::vector<V> yv(static_cast<std::size_t>(m));
  using Space = Kokkos::DefaultHostExecutionSpace;
  spmv_kernel<Space>(m, ptr, idx, host_view(*av), host_view(*xv), host_view(yv));
  Kokkos::fence();
  std::shared_ptr<TransposedPattern<HostMemorySpace>> transposed;
  if (x_active)
    transposed =
        std::make_shared<TransposedPattern<HostMemorySpace>>(a.pattern().transpose_with_map());
  const Pattern pattern = a.pattern();
  ExternalAdjoint<V> adjoint = [pattern, transposed, av, xv, m, n, nnz](const V* ybar, V* ubar) {
    using Unmanaged = Kokkos::View<V*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
    using ConstUnmanaged = Kokkos::View<const V*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
    const ConstUnmanaged yb(ybar, std::size_t(m));
    const Unmanaged a_bar(ubar, a_active ? std::size_t(nnz) : 0);
    const Unmanaged x_bar(ubar + (a_active ? nnz : 0), x_active ? std::size_t(n) : 0);
    spmv_vjp_kernel<Space>(pattern, transposed.get(), host_view(*av), host_view(*xv), yb, a_bar,
                           x_bar);
    Kokkos::fence();
  };
  auto results = tape->record_external(operands, yv, std::move(adjoint), "spmv");
  for (Index i = 0; i < m; ++i) y[std::size_t(i)] = results[std::size_t(i)];
  return y;
}

}  // namespace detail

// ---------------------------------------------------------------- forward product

/// y = A x into a caller's view (Kokkos kernel over rows in A's execution
/// space). Scalars may differ: a double A with a Dual x gives a Dual y.
/// @param x view of A.cols() entries; @param y view of A.rows() entries
///        (overwritten), whose value type holds A's value times x's.
/// @throws DimensionMismatch for wrong extents; InvalidArgument naming the
///         first non-finite value of A or x when y is not finite (y is then
///         unspecified). O(nnz) work + O(m) for the check of y.
template <class T, class MemorySpace, class XView, class YView>
void spmv(const CsrMatrix<T, MemorySpace>& a, const XView& x, const YView& y) {
  static_assert(
      !detail::is_reverse_v<T> && !detail::is_reverse_v<typename XView::non_const_value_type>,
      "Reverse operands are recorded sequentially on the thread's tape: use the "
      "std::vector overload of spmv");
  detail::require_size("spmv", "x", x.extent(0), std::size_t(a.cols()), "A's columns");
  detail::require_size("spmv", "y", y.extent(0), std::size_t(a.rows()), "A's rows");
  detail::spmv_kernel<typename MemorySpace::execution_space>(
      a.rows(), a.pattern().row_ptr(), a.pattern().col_idx(), a.values(), x, y);
  detail::check_output(y, [&] {
    detail::require_finite_matrix("spmv", "A", a);
    detail::require_finite_view("spmv", "x", x);
  });
}

/// y = A x for host vectors: a Kokkos kernel for double and Dual scalars; for
/// Reverse scalars (in A, x or both) the product is recorded on the thread's
/// tape (see the file comment). Returns y (A.rows() entries).
/// @throws DimensionMismatch when x.size() != A.cols(); InvalidArgument
///         naming the first non-finite value of A or x.
template <class T, class X>
std::vector<detail::product_t<T, X>> spmv(const CsrMatrix<T>& a, const std::vector<X>& x) {
  detail::require_size("spmv", "x", x.size(), std::size_t(a.cols()), "A's columns");
  if constexpr (detail::is_reverse_v<T> || detail::is_reverse_v<X>) {
    detail::require_finite_matrix("spmv", "A", a);
    detail::require_finite_values("spmv", "x", x);
    return detail::spmv_reverse(a, x);
  } else {
    std::vector<detail::product_t<T, X>> y(static_cast<std::size_t>(a.rows()));
    spmv(a, detail::host_view(x), detail::host_view(y));
    Kokkos::fence();
    return y;
  }
}

/// y = A x for a COO matrix (duplicates sum, in every mode: with Reverse
/// values the sums are recorded, so each duplicate gets the summed entry's
/// gradient). @throws as the CSR overload.
template <class T, class X>
std::vector<detail::product_t<T, X>> spmv(const CooMatrix<T>& a, const std::vector<X>& x) {
  const detail::TripletMap map(a);
  return spmv(map.sum(a), x);
}

// ---------------------------------------------------------------- forward rule

/// dy = dA x + A dx into a view (Kokkos kernel over rows).
/// @param da tangent of A's values (A.nnz() entries, pattern order) or an
///        extent-0 view for dA = 0; @param dx tangent of x (A.cols()) or extent 0.
/// @throws DimensionMismatch for wrong extents; InvalidArgument naming the
///         first non-finite entry. O(nnz).
template <class MemorySpace, class DaView, class XView, class DxView, class DyView>
void spmv_jvp(const CsrMatrix<double, MemorySpace>& a, const DaView& da, const XView& x,
              const DxView& dx, const DyView& dy) {
  const char* fn = "spmv_jvp";
  if (da.extent(0) > 0)
    detail::require_size(fn, "dA", da.extent(0), std::size_t(a.nnz()), "A's entries");
  detail::require_size(fn, "x", x.extent(0), std::size_t(a.cols()), "A's columns");
  if (dx.extent(0) > 0)
    detail::require_size(fn, "dx", dx.extent(0), std::size_t(a.cols()), "A's columns");
  detail::require_size(fn, "dy", dy.extent(0), std::size_t(a.rows()), "A's rows");
  detail::spmv_jvp_kernel<typename MemorySpace::execution_space>(
      a.rows(), a.pattern().row_ptr(), a.pattern().col_idx(), a.values(), da, x, dx, dy);
  detail::check_output(dy, [&] {
    detail::require_finite_matrix(fn, "A", a);
    detail::require_finite_view(fn, "dA", da);
    detail::require_finite_view(fn, "x", x);
    detail::require_finite_view(fn, "dx", dx);
  });
}

/// dy = dA x + A dx for host vectors; an empty da or dx is a zero tangent.
/// @param da A.nnz() values over A's pattern (pattern order) or empty.
/// @throws as the view overload. O(nnz).
inline std::vector<double> spmv_jvp(const CsrMatrix<double>& a, const std::vector<double>& da,
                                    const std::vector<double>& x, const std::vector<double>& dx) {
  std::vector<double> dy(static_cast<std::size_t>(a.rows()));
  spmv_jvp(a, detail::host_view(da), detail::host_view(x), detail::host_view(dx),
           detail::host_view(dy));
  Kokkos::fence();
  return dy;
}

/// dy = dA x + A dx for a COO matrix: da has one tangent per triplet
/// (duplicates add) or is empty. @throws DimensionMismatch for a da of the
/// wrong length; as the CSR overload.
inline std::vector<double> spmv_jvp(const CooMatrix<double>& a, const std::vector<double>& da,
                                    const std::vector<double>& x, const std::vector<double>& dx) {
  const detail::TripletMap map(a);
  return spmv_jvp(map.sum(a), map.scatter("spmv_jvp", da), x, dx);
}

// ---------------------------------------------------------------- reverse rule

/// ā += P_S(ȳ x^T) and x̄ += A^T ȳ into views (Kokkos kernels: over rows for
/// ā, over the columns of the transposed pattern for x̄).
/// @param transposed `a.pattern().transpose_with_map()`, computed once per pattern.
/// @param a_bar A.nnz() entries, pattern order, or extent 0 to skip ā.
/// @param x_bar A.cols() entries, or extent 0 to skip x̄.
/// @throws DimensionMismatch for wrong extents or a transpose of another
///         size; InvalidArgument naming the first non-finite input. O(nnz + n).
template <class MemorySpace, class XView, class YbarView, class AbarView, class XbarView>
void spmv_vjp(const CsrMatrix<double, MemorySpace>& a,
              const TransposedPattern<MemorySpace>& transposed, const XView& x,
              const YbarView& ybar, const AbarView& a_bar, const XbarView& x_bar) {
  const char* fn = "spmv_vjp";
  detail::require_size(fn, "x", x.extent(0), std::size_t(a.cols()), "A's columns");
  detail::require_size(fn, "ybar", ybar.extent(0), std::size_t(a.rows()), "A's rows");
  if (a_bar.extent(0) > 0)
    detail::require_size(fn, "a_bar", a_bar.extent(0), std::size_t(a.nnz()), "A's entries");
  if (x_bar.extent(0) > 0)
    detail::require_size(fn, "x_bar", x_bar.extent(0), std::size_t(a.cols()), "A's columns");
  SPARSEDIFF_REQUIRE(
      transposed.pattern.rows() == a.cols() && transposed.pattern.cols() == a.rows() &&
          transposed.pattern.nnz() == a.nnz(),
      DimensionMismatch,
      "the transpose is " << transposed.pattern.rows() << " x " << transposed.pattern.cols()
                          << " with " << transposed.pattern.nnz() << " entries; A is " << a.rows()
                          << " x " << a.cols() << " with " << a.nnz());
  detail::spmv_vjp_kernel<typename MemorySpace::execution_space>(a.pattern(), &transposed,
                                                                 a.values(), x, ybar, a_bar, x_bar);
  auto diagnose = [&] {
    detail::require_finite_matrix(fn, "A", a);
    detail::require_finite_view(fn, "x", x);
    detail::require_finite_view(fn, "ybar", ybar);
  };
  detail::check_output(a_bar, diagnose);
  detail::check_output(x_bar, diagnose);
}

/// ā = P_S(ȳ x^T) (pattern order) and x̄ = A^T ȳ for host vectors. Computes
/// the transpose of A's pattern (O(nnz + n)); keep one and call the view
/// overload in loops.
/// @throws DimensionMismatch for wrong sizes; InvalidArgument naming the
///         first non-finite input.
inline SpmvGradient spmv_vjp(const CsrMatrix<double>& a, const std::vector<double>& x,
                             const std::vector<double>& ybar) {
  SpmvGradient g{std::vector<double>(std::size_t(a.nnz()), 0.0),
                 std::vector<double>(std::size_t(a.cols()), 0.0)};
  detail::require_size("spmv_vjp", "x", x.size(), std::size_t(a.cols()), "A's columns");
  detail::require_size("spmv_vjp", "ybar", ybar.size(), std::size_t(a.rows()), "A's rows");
  const auto transposed = a.pattern().transpose_with_map();
  spmv_vjp(a, transposed, detail::host_view(x), detail::host_view(ybar), detail::host_view(g.a_bar),
           detail::host_view(g.x_bar));
  Kokkos::fence();
  return g;
}

/// The reverse rule for a COO matrix: ā has one entry per triplet, each
/// duplicate receiving the gradient of the summed entry.
/// @throws as the CSR overload.
inline SpmvGradient spmv_vjp(const CooMatrix<double>& a, const std::vector<double>& x,
                             const std::vector<double>& ybar) {
  const detail::TripletMap map(a);
  SpmvGradient g = spmv_vjp(map.sum(a), x, ybar);
  g.a_bar = map.gather(g.a_bar);
  return g;
}

}  // namespace sparsediff
