#pragma once
/// @file
/// `Accessor<T>`: how a row kernel reads its input vector.
///
/// A row kernel (function kind (b)) computes output row i from an accessor
/// over x:
///
///     struct Residual {
///       template <class T>
///       KOKKOS_INLINE_FUNCTION T operator()(int i, sparsediff::Accessor<T> x) const {
///         return x(i) * x(i) - x(i + 1);
///       }
///     };
///
/// The same kernel runs with T = double (plain evaluation), T = Tracer
/// (sparsity detection) and T = Dual<double, N> (compressed Jacobian): each
/// scalar family specialises `Accessor<T>` to produce the right input on the
/// fly — a tracer carrying index j, or a dual seeded with the lane of column
/// j's color — so the kernel never sees how it is being differentiated.
/// An accessor is a small value type, cheap to copy into a Kokkos kernel.

#include "sparsediff/ad/dual.hpp"
#include "sparsediff/core/config.hpp"

namespace sparsediff {

/// Plain values: x(j) returns the stored value.
template <class T>
class Accessor {
 public:
  using value_type = T;
  KOKKOS_INLINE_FUNCTION Accessor(const T* values, Index size) : values_(values), size_(size) {}
  KOKKOS_INLINE_FUNCTION T operator()(Index j) const { return values_[j]; }
  KOKKOS_INLINE_FUNCTION T operator[](Index j) const { return values_[j]; }
  /// Number of inputs n.
  KOKKOS_INLINE_FUNCTION Index size() const { return size_; }

 private:
  const T* values_;
  Index size_;
};

/// Dual numbers: x(j) is a dual with value x_j and tangent lanes seeded in
/// one of two ways, chosen at construction:
///  - by color (compressed Jacobian): lane `color[j] - first_color` is 1 when
///    it falls in [0, N), all other lanes 0;
///  - by direction (Jacobian-vector product): lane 0 is direction[j];
/// or, third, x(j) returns stored duals (a row kernel applied to a vector of
/// duals, e.g. from a whole-vector function).
template <class V, int N>
class Accessor<Dual<V, N>> {
 public:
  using value_type = Dual<V, N>;

  /// Color seeding: the lanes of this evaluation are colors
  /// [first_color, first_color + N).
  KOKKOS_INLINE_FUNCTION Accessor(const V* values, Index size, const Index* color,
                                  Index first_color)
      : values_(values),
        color_(color),
        columns_(nullptr),
        direction_(nullptr),
        duals_(nullptr),
        first_color_(first_color),
        size_(size) {}

  /// Row seeding: lane l is 1 when j == columns[l] (the N columns of one
  /// row's pattern that this evaluation differentiates, -1 past its end).
  /// Each row gets its own seed, so a row of r nonzeros needs r lanes and the
  /// lanes are its Jacobian row in pattern order: no coloring, no gather.
  struct RowColumns {};
  KOKKOS_INLINE_FUNCTION Accessor(const V* values, Index size, const Index* columns, RowColumns)
      : values_(values),
        color_(nullptr),
        columns_(columns),
        direction_(nullptr),
        duals_(nullptr),
        first_color_(0),
        size_(size) {}

  /// Direction seeding: lane 0 carries direction[j] (a JVP).
  KOKKOS_INLINE_FUNCTION Accessor(const V* values, Index size, const V* direction)
      : values_(values),
        color_(nullptr),
        columns_(nullptr),
        direction_(direction),
        duals_(nullptr),
        first_color_(0),
        size_(size) {}

  /// Stored duals: x(j) = duals[j].
  KOKKOS_INLINE_FUNCTION Accessor(const value_type* duals, Index size)
      : values_(nullptr),
        color_(nullptr),
        columns_(nullptr),
        direction_(nullptr),
        duals_(duals),
        first_color_(0),
        size_(size) {}

  KOKKOS_INLINE_FUNCTION value_type operator()(Index j) const {
    if (color_ != nullptr || columns_ != nullptr) {  // the hot path
      // The lane of j (none: outside [0, N)), then one-hot lanes against
      // constants, branch-free and the same for both seeds. (Comparing every
      // lane with the row's columns instead vectorized the dual arithmetic
      // after it worse: 20 % slower on 8 lanes.)
      Index lane = -1;
      if (color_ != nullptr) {
        lane = color_[j] - first_color_;
      } else {
        for (int l = 0; l < N; ++l) lane = columns_[l] == j ? l : lane;
      }
      value_type x{detail::NoInit{}};
      x.val = values_[j];
      for (int l = 0; l < N; ++l) x.d[l] = V(l == lane ? 1 : 0);
      return x;
    }
    if (duals_ != nullptr) return duals_[j];
    value_type x(values_[j]);
    x.d[0] = direction_[j];
    return x;
  }
  KOKKOS_INLINE_FUNCTION value_type operator[](Index j) const { return (*this)(j); }
  KOKKOS_INLINE_FUNCTION Index size() const { return size_; }

 private:
  const V* values_;
  const Index* color_;
  const Index* columns_;
  const V* direction_;
  const value_type* duals_;
  Index first_color_;
  Index size_;
};

}  // namespace sparsediff
