#pragma once
/// @file
/// Differentiable sparse times dense product Y = A X (A m x n sparse with
/// its values as parameters on the pattern S, X n x r dense), the
/// several-column form of ops/spmv.hpp with the same rules per column:
///
///   forward (JVP)   dY = dA X + A dX
///   reverse (VJP)   X̄ += A^T Ȳ,   ā_k += Σ_c Ȳ(i_k, c) X(j_k, c)   (= P_S(Ȳ X^T))
///
/// ā is formed entry by entry in O(nnz r), never as the m x n product Ȳ X^T.
/// The view versions accept rank-2 Kokkos views of any layout and run as
/// Kokkos kernels (over rows of A for Y, dY and ā; over columns of A through
/// the transposed pattern for X̄, so without atomics). The std::vector
/// versions store blocks column-major — column c of X in x[c n, (c+1) n) —
/// as `LinearSolver`'s multi-right-hand-side solves do. As for SpMV, `spmm`
/// takes Dual scalars (forward mode) and Reverse scalars (recorded on the
/// tape, as one external operation on an `ExternalTape`), and COO matrices
/// (duplicates sum; each receives the summed entry's gradient).
///
/// For a *data* matrix X times a dense *weight* W, whose gradient lives on
/// the rows of W that the data touches, see ops/row_sparse.hpp.

#include <cstddef>
#include <memory>
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

/// Gradients of a scalar loss through Y = A X: ā over A's pattern (one per
/// triplet for a COO matrix) and X̄ (n x r, column-major).
struct SpmmGradient {
  std::vector<double> a_bar;
  std::vector<double> x_bar;
};

namespace detail {

template <class ExecutionSpace, class Ptr, class Idx, class AView, class XView, class YView>
void spmm_kernel(Index rows, const Ptr& ptr, const Idx& idx, const AView& a, const XView& x,
                 const YView& y) {
  using R = typename YView::non_const_value_type;
  const Index r = Index(y.extent(1));
  Kokkos::parallel_for(
      "sparsediff::spmm", Kokkos::RangePolicy<ExecutionSpace>(0, rows),
      KOKKOS_LAMBDA(const Index i) {
        for (Index c = 0; c < r; ++c) {
          R sum(0.0);
          for (Index k = ptr(i); k < ptr(i + 1); ++k) sum += a(k) * x(idx(k), c);
          y(i, c) = sum;
        }
      });
}

template <class ExecutionSpace, class MemorySpace, class AView, class XView, class YbarView,
          class AbarView, class XbarView>
void spmm_vjp_kernel(const BasicPattern<MemorySpace>& pattern,
                     const TransposedPattern<MemorySpace>* transposed, const AView& a,
                     const XView& x, const YbarView& ybar, const AbarView& a_bar,
                     const XbarView& x_bar) {
  const auto ptr = pattern.row_ptr();
  const auto idx = pattern.col_idx();
  const Index r = Index(ybar.extent(1));
  if (a_bar.extent(0) > 0) {
    using R = typename AbarView::non_const_value_type;
    Kokkos::parallel_for(
        "sparsediff::spmm_vjp_a", Kokkos::RangePolicy<ExecutionSpace>(0, pattern.rows()),
        KOKKOS_LAMBDA(const Index i) {
          for (Index k = ptr(i); k < ptr(i + 1); ++k) {
            R sum(0.0);
            for (Index c = 0; c < r; ++c) sum += ybar(i, c) * x(idx(k), c);
            a_bar(k) += sum;
          }
        });
  }
  if (x_bar.extent(0) > 0) {
    const auto tptr = transposed->pattern.row_ptr();
    const auto tidx = transposed->pattern.col_idx();
    const auto position = transposed->position;
    using R = typename XbarView::non_const_value_type;
    Kokkos::parallel_for(
        "sparsediff::spmm_vjp_x", Kokkos::RangePolicy<ExecutionSpace>(0, pattern.cols()),
        KOKKOS_LAMBDA(const Index j) {
          for (Index c = 0; c < r; ++c) {
            R sum(0.0);
            for (Index t = tptr(j); t < tptr(j + 1); ++t) sum += a(position(t)) * ybar(tidx(t), c);
            x_bar(j, c) += sum;
          }
        });
  }
}

template <class ExecutionSpace, class Ptr, class Idx, class AView, class DaView, class XView,
          class DxView, class DyView>
void spmm_jvp_kernel(Index rows, const Ptr& ptr, const Idx& idx, const AView& a, const DaView& da,
                     const XView& x, const DxView& dx, const DyView& dy) {
  using R = typename DyView::non_const_value_type;
  const bool use_da = da.extent(0) > 0, use_dx = dx.extent(0) > 0;
  const Index r = Index(dy.extent(1));
  Kokkos::parallel_for(
      "sparsediff::spmm_jvp", Kokkos::RangePolicy<ExecutionSpace>(0, rows),
      KOKKOS_LAMBDA(const Index i) {
        for (Index c = 0; c < r; ++c) {
          R sum(0.0);
          for (Index k = ptr(i); k < ptr(i + 1); ++k) {
            if (use_da) sum += da(k) * x(idx(k), c);
            if (use_dx) sum += a(k) * dx(idx(k), c);
          }
          dy(i, c) = sum;
        }
      });
}

/// Y = A X on the thread's tape (column-major blocks).
template <class T, class X>
std::vector<product_t<T, X>> spmm_reverse(const CsrMatrix<T>& a, const std::vector<X>& x, Index r) {
  using R = product_t<T, X>;
  using V = typename R::value_type;
  constexpr bool a_active = is_reverse_v<T>, x_active = is_reverse_v<X>;
  const auto ptr = a.pattern().row_ptr();
  const auto idx = a.pattern().col_idx();
  const auto values = a.values();
  const Index m = a.rows(), n = a.cols(), nnz = a.nnz();
  const std::size_t mr = std::size_t(m) * std::size_t(r), nr = std::size_t(n) * std::size_t(r);
  std::vector<R> y(mr);
  ExternalTape<V>* tape = active_external_tape<V>();
  if (tape == nullptr) {
    for (Index c = 0; c < r; ++c)
      for (Index i = 0; i < m; ++i) {
        R sum(0.0);
        for (Index k = ptr(i); k < ptr(i + 1); ++k) {
          const R term = R(values(k)) * R(x[std::size_t(c) * std::size_t(n) + std::size_t(idx(k))]);
          sum = k == ptr(i) ? term : sum + term;
        }
        y[std::size_t(c) * std::size_t(m) + std::size_t(i)] = sum;
      }
    return y;
  }
  auto av = std::make_shared<std::vector<V>>(std::size_t(nnz));
  auto xv = std::make_shared<std::vector<V>>(nr);
  std::vector<R> operands;
  operands.reserve((a_active ? std::size_t(nnz) : 0) + (x_active ? nr : 0));
  for (Index k = 0; k < nnz; ++k) {
    (*av)[std::size_t(k)] = V(passive_value(values(k)));
    if constexpr (a_active) operands.push_back(values(k));
  }
  for (std::size_t t = 0; t < nr; ++t) {
    (*xv)[t] = V(passive_value(x[t]));
    if constexpr (x_active) operands.push_back(x[t]);
  }
  std::vector<V> yv(mr);
  using Space = Kokkos::DefaultHostExecutionSpace;
  spmm_kernel<Space>(m, ptr, idx, host_view(*av), host_block(*xv, std::size_t(n), std::size_t(r)),
                     host_block(yv, std::size_t(m), std::size_t(r)));
  Kokkos::fence();
  std::shared_ptr<TransposedPattern<HostMemorySpace>> transposed;
  if (x_active)
    transposed =
        std::make_shared<TransposedPattern<HostMemorySpace>>(a.pattern().transpose_with_map());
  const Pattern pattern = a.pattern();
  ExternalAdjoint<V> adjoint = [pattern, transposed, av, xv, m, n, nnz, r](const V* ybar, V* ubar) {
    using Block = Kokkos::View<V**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
    using ConstBlock =
        Kokkos::View<const V**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
    const ConstBlock yb(ybar, std::size_t(m), std::size_t(r));
    const Kokkos::View<V*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> a_bar(
        ubar, a_active ? std::size_t(nnz) : 0);
    const Block x_bar(ubar + (a_active ? nnz : 0), x_active ? std::size_t(n) : 0, std::size_t(r));
    spmm_vjp_kernel<Space>(pattern, transposed.get(), host_view(*av),
                           host_block(*xv, std::size_t(n), std::size_t(r)), yb, a_bar, x_bar);
    Kokkos::fence();
  };
  auto results = tape->record_external(operands, yv, std::move(adjoint), "spmm");
  for (std::size_t t = 0; t < mr; ++t) y[t] = results[t];
  return y;
}

inline void require_columns(const char* function, const char* name, std::size_t size, Index rows,
                            Index r) {
  SPARSEDIFF_REQUIRE(r >= 0, InvalidArgument, "negative number of columns " << r);
  const std::size_t expected = std::size_t(rows) * std::size_t(r);
  if (size != expected)
    raise<DimensionMismatch>(function, std::string(name) + " has " + std::to_string(size) +
                                           " entries, expected " + std::to_string(rows) + " x " +
                                           std::to_string(r) + " = " + std::to_string(expected));
}

}  // namespace detail

// ---------------------------------------------------------------- projection

/// out_k += alpha Σ_c U(i_k, c) V(j_k, c) for every entry k = (i_k, j_k) of
/// `pattern`: the projection P_S(U V^T) of an outer product onto a pattern,
/// formed entry by entry in O(nnz r) (Kokkos kernel over rows), never as the
/// dense rows x cols product. The gradient of a matrix on its pattern in
/// SpMM (ā = P_S(Ȳ X^T)) and in a solve (Ā = -P_S(B̄ X^T)) has this form.
/// @param u rank-2 view pattern.rows() x r; @param v rank-2 view pattern.cols() x r.
/// @param out pattern.nnz() entries, pattern order (accumulated into).
/// @throws DimensionMismatch for wrong extents. O(nnz r).
template <class MemorySpace, class UView, class VView, class OutView>
void projected_outer_product(const BasicPattern<MemorySpace>& pattern, double alpha, const UView& u,
                             const VView& v, const OutView& out) {
  static_assert(UView::rank == 2 && VView::rank == 2, "U and V are rank-2 views");
  const char* fn = "projected_outer_product";
  const std::size_t r = u.extent(1);
  detail::require_shape(fn, "U", u.extent(0), r, std::size_t(pattern.rows()), r);
  detail::require_shape(fn, "V", v.extent(0), v.extent(1), std::size_t(pattern.cols()), r);
  detail::require_size(fn, "out", out.extent(0), std::size_t(pattern.nnz()),
                       "the pattern's entries");
  const auto ptr = pattern.row_ptr();
  const auto idx = pattern.col_idx();
  const Index cols = Index(r);
  Kokkos::parallel_for(
      "sparsediff::projected_outer_product",
      Kokkos::RangePolicy<typename MemorySpace::execution_space>(0, pattern.rows()),
      KOKKOS_LAMBDA(const Index i) {
        for (Index k = ptr(i); k < ptr(i + 1); ++k) {
          double sum = 0;
          for (Index c = 0; c < cols; ++c) sum += u(i, c) * v(idx(k), c);
          out(k) += alpha * sum;
        }
      });
}

// ---------------------------------------------------------------- forward product

/// Y = A X into a caller's view (Kokkos kernel over rows of A).
/// @param x rank-2 view, A.cols() x r; @param y rank-2 view, A.rows() x r
///        (overwritten). Any layouts; scalars as for `spmv`.
/// @throws DimensionMismatch for wrong extents; InvalidArgument naming the
///         first non-finite value of A or X. O(nnz r).
template <class T, class MemorySpace, class XView, class YView>
void spmm(const CsrMatrix<T, MemorySpace>& a, const XView& x, const YView& y) {
  static_assert(XView::rank == 2 && YView::rank == 2, "spmm takes rank-2 views");
  static_assert(
      !detail::is_reverse_v<T> && !detail::is_reverse_v<typename XView::non_const_value_type>,
      "Reverse operands are recorded sequentially on the thread's tape: use the "
      "std::vector overload of spmm");
  detail::require_shape("spmm", "X", x.extent(0), x.extent(1), std::size_t(a.cols()), x.extent(1));
  detail::require_shape("spmm", "Y", y.extent(0), y.extent(1), std::size_t(a.rows()), x.extent(1));
  detail::spmm_kernel<typename MemorySpace::execution_space>(
      a.rows(), a.pattern().row_ptr(), a.pattern().col_idx(), a.values(), x, y);
  detail::check_output(y, [&] {
    detail::require_finite_matrix("spmm", "A", a);
    detail::require_finite_view("spmm", "X", x);
  });
}

/// Y = A X for host blocks stored column-major (X: A.cols() x r, returns Y:
/// A.rows() x r). Kokkos kernel for double and Dual scalars; recorded on the
/// tape for Reverse ones.
/// @throws InvalidArgument for r < 0 or a non-finite value (named);
///         DimensionMismatch when x.size() != A.cols() * r.
template <class T, class X>
std::vector<detail::product_t<T, X>> spmm(const CsrMatrix<T>& a, const std::vector<X>& x, Index r) {
  detail::require_columns("spmm", "X", x.size(), a.cols(), r);
  if constexpr (detail::is_reverse_v<T> || detail::is_reverse_v<X>) {
    detail::require_finite_matrix("spmm", "A", a);
    detail::require_finite_values("spmm", "X", x);
    return detail::spmm_reverse(a, x, r);
  } else {
    std::vector<detail::product_t<T, X>> y(std::size_t(a.rows()) * std::size_t(r));
    spmm(a, detail::host_block(x, std::size_t(a.cols()), std::size_t(r)),
         detail::host_block(y, std::size_t(a.rows()), std::size_t(r)));
    Kokkos::fence();
    return y;
  }
}

/// Y = A X for a COO matrix (duplicates sum). @throws as the CSR overload.
template <class T, class X>
std::vector<detail::product_t<T, X>> spmm(const CooMatrix<T>& a, const std::vector<X>& x, Index r) {
  const detail::TripletMap map(a);
  return spmm(map.sum(a), x, r);
}

// ---------------------------------------------------------------- forward rule

/// dY = dA X + A dX into a view.
/// @param da A.nnz() tangents of A's values (pattern order), or extent 0 for dA = 0.
/// @param dx A.cols() x r, or extent(0) == 0 for dX = 0; @param dy A.rows() x r.
/// @throws DimensionMismatch for wrong extents; InvalidArgument naming the
///         first non-finite entry. O(nnz r).
template <class MemorySpace, class DaView, class XView, class DxView, class DyView>
void spmm_jvp(const CsrMatrix<double, MemorySpace>& a, const DaView& da, const XView& x,
              const DxView& dx, const DyView& dy) {
  const char* fn = "spmm_jvp";
  const std::size_t r = x.extent(1);
  if (da.extent(0) > 0)
    detail::require_size(fn, "dA", da.extent(0), std::size_t(a.nnz()), "A's entries");
  detail::require_shape(fn, "X", x.extent(0), r, std::size_t(a.cols()), r);
  if (dx.extent(0) > 0)
    detail::require_shape(fn, "dX", dx.extent(0), dx.extent(1), std::size_t(a.cols()), r);
  detail::require_shape(fn, "dY", dy.extent(0), dy.extent(1), std::size_t(a.rows()), r);
  detail::spmm_jvp_kernel<typename MemorySpace::execution_space>(
      a.rows(), a.pattern().row_ptr(), a.pattern().col_idx(), a.values(), da, x, dx, dy);
  detail::check_output(dy, [&] {
    detail::require_finite_matrix(fn, "A", a);
    detail::require_finite_view(fn, "dA", da);
    detail::require_finite_view(fn, "X", x);
    detail::require_finite_view(fn, "dX", dx);
  });
}

/// dY = dA X + A dX for column-major host blocks; an empty da or dx is zero.
/// @throws as the view overload; InvalidArgument for r < 0.
inline std::vector<double> spmm_jvp(const CsrMatrix<double>& a, const std::vector<double>& da,
                                    const std::vector<double>& x, const std::vector<double>& dx,
                                    Index r) {
  detail::require_columns("spmm_jvp", "X", x.size(), a.cols(), r);
  if (!dx.empty()) detail::require_columns("spmm_jvp", "dX", dx.size(), a.cols(), r);
  std::vector<double> dy(std::size_t(a.rows()) * std::size_t(r));
  spmm_jvp(a, detail::host_view(da), detail::host_block(x, std::size_t(a.cols()), std::size_t(r)),
           detail::host_block(dx, dx.empty() ? 0 : std::size_t(a.cols()), std::size_t(r)),
           detail::host_block(dy, std::size_t(a.rows()), std::size_t(r)));
  Kokkos::fence();
  return dy;
}

/// dY for a COO matrix: da has one tangent per triplet (duplicates add) or is empty.
inline std::vector<double> spmm_jvp(const CooMatrix<double>& a, const std::vector<double>& da,
                                    const std::vector<double>& x, const std::vector<double>& dx,
                                    Index r) {
  const detail::TripletMap map(a);
  return spmm_jvp(map.sum(a), map.scatter("spmm_jvp", da), x, dx, r);
}

// ---------------------------------------------------------------- reverse rule

/// ā += P_S(Ȳ X^T) and X̄ += A^T Ȳ into views.
/// @param transposed `a.pattern().transpose_with_map()` (once per pattern).
/// @param a_bar A.nnz() entries or extent 0 to skip; @param x_bar A.cols() x r
///        or extent(0) == 0 to skip.
/// @throws DimensionMismatch for wrong extents; InvalidArgument naming the
///         first non-finite input. O(nnz r + n r).
template <class MemorySpace, class XView, class YbarView, class AbarView, class XbarView>
void spmm_vjp(const CsrMatrix<double, MemorySpace>& a,
              const TransposedPattern<MemorySpace>& transposed, const XView& x,
              const YbarView& ybar, const AbarView& a_bar, const XbarView& x_bar) {
  const char* fn = "spmm_vjp";
  const std::size_t r = x.extent(1);
  detail::require_shape(fn, "X", x.extent(0), r, std::size_t(a.cols()), r);
  detail::require_shape(fn, "Ybar", ybar.extent(0), ybar.extent(1), std::size_t(a.rows()), r);
  if (a_bar.extent(0) > 0)
    detail::require_size(fn, "a_bar", a_bar.extent(0), std::size_t(a.nnz()), "A's entries");
  if (x_bar.extent(0) > 0)
    detail::require_shape(fn, "Xbar", x_bar.extent(0), x_bar.extent(1), std::size_t(a.cols()), r);
  SPARSEDIFF_REQUIRE(
      transposed.pattern.rows() == a.cols() && transposed.pattern.cols() == a.rows() &&
          transposed.pattern.nnz() == a.nnz(),
      DimensionMismatch,
      "the transpose is " << transposed.pattern.rows() << " x " << transposed.pattern.cols()
                          << " with " << transposed.pattern.nnz() << " entries; A is " << a.rows()
                          << " x " << a.cols() << " with " << a.nnz());
  detail::spmm_vjp_kernel<typename MemorySpace::execution_space>(a.pattern(), &transposed,
                                                                 a.values(), x, ybar, a_bar, x_bar);
  auto diagnose = [&] {
    detail::require_finite_matrix(fn, "A", a);
    detail::require_finite_view(fn, "X", x);
    detail::require_finite_view(fn, "Ybar", ybar);
  };
  detail::check_output(a_bar, diagnose);
  detail::check_output(x_bar, diagnose);
}

/// ā = P_S(Ȳ X^T) and X̄ = A^T Ȳ for column-major host blocks (computes the
/// transpose of A's pattern each call).
/// @throws DimensionMismatch for wrong sizes; InvalidArgument for r < 0 or a
///         non-finite input (named).
inline SpmmGradient spmm_vjp(const CsrMatrix<double>& a, const std::vector<double>& x,
                             const std::vector<double>& ybar, Index r) {
  detail::require_columns("spmm_vjp", "X", x.size(), a.cols(), r);
  detail::require_columns("spmm_vjp", "Ybar", ybar.size(), a.rows(), r);
  SpmmGradient g{std::vector<double>(std::size_t(a.nnz()), 0.0),
                 std::vector<double>(std::size_t(a.cols()) * std::size_t(r), 0.0)};
  const auto transposed = a.pattern().transpose_with_map();
  spmm_vjp(a, transposed, detail::host_block(x, std::size_t(a.cols()), std::size_t(r)),
           detail::host_block(ybar, std::size_t(a.rows()), std::size_t(r)),
           detail::host_view(g.a_bar),
           detail::host_block(g.x_bar, std::size_t(a.cols()), std::size_t(r)));
  Kokkos::fence();
  return g;
}

/// The reverse rule for a COO matrix: ā has one entry per triplet.
inline SpmmGradient spmm_vjp(const CooMatrix<double>& a, const std::vector<double>& x,
                             const std::vector<double>& ybar, Index r) {
  const detail::TripletMap map(a);
  SpmmGradient g = spmm_vjp(map.sum(a), x, ybar, r);
  g.a_bar = map.gather(g.a_bar);
  return g;
}

}  // namespace sparsediff
