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

}  // namespace sparsediff
