#pragma once
/// @file
/// Hessian sparsity detection: the symmetric `Pattern` of ∇²f for a scalar
/// objective f: R^n -> R, found by running the user's templated function once
/// with Hessian tracers (ad/hessian_tracer.hpp).
///
/// The function is called with x_j = the tracer {j}; every nonlinear
/// operation records its block of Hessian entries (S_a × S_b for a product,
/// S_a × S_a for a nonlinear function of a, ...), and the union of the blocks,
/// mirrored, is the pattern. Linear operations record nothing, so f = c·x + d
/// has an empty pattern. A diagonal entry (j, j) is present only where
/// some operation makes it structurally nonzero: x_j², exp(x_j), 1/x_j do;
/// x_j·x_k with k ≠ j and x_j alone do not. The pattern is global (valid at
/// every x) provided f does not branch on values; it includes what dead code
/// and values cut by floor/comparisons recorded (see ad/hessian_tracer.hpp).
///
/// Cost: one evaluation of f with tracers (O(1) per operation plus set
/// unions, small sets merged, large ones lazy) and an assembly in
/// O(n + recorded incidences + sum over rows of the sizes united into them),
/// with a per-row sort of its distinct columns. Measured against one `double`
/// evaluation in docs/hessian_sparsity.md.

#include <vector>

#include "sparsediff/ad/hessian_tracer.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// The sparsity pattern of the Hessian of a scalar function f: R^n -> R.
///
/// @param f  callable with `template <class T> T operator()(const T* x) const`
///           reading x[0, n) and returning f(x). It must not branch on values
///           (see ad/hessian_tracer.hpp for what comparisons return).
/// @param n  number of inputs, n >= 0.
/// @return the n x n structurally symmetric pattern of ∇²f: (i, j) present
///         when some operation of f makes ∂²f/∂x_i∂x_j structurally nonzero;
///         the diagonal only where structurally nonzero.
/// @throws InvalidArgument when n is negative, when an index outside [0, n)
///         turns up (a tracer made outside this call stored into f's
///         computation) or the pattern has more than 2^31 - 1 entries;
///         whatever f throws propagates.
///
/// Memory: n input tracers (16 bytes each), the sets f forms, 8 bytes per
/// nonlinear product of two single inputs and 32 per other nonlinear
/// operation (consecutive repeats dropped), all freed on return.
template <class F>
Pattern detect_hessian_pattern(const F& f, Index n) {
  SPARSEDIFF_REQUIRE(n >= 0, InvalidArgument, "negative number of inputs n = " << n);
  // The sets, lazy unions and recorded interactions of this call live here
  // and are freed on return.
  detail::ScopedHessianDetection detection;
  std::vector<HessianTracer> x;
  x.reserve(static_cast<std::size_t>(n));
  for (Index j = 0; j < n; ++j) x.push_back(HessianTracer::input(j));
  // Only the interactions matter: the output's first-order set is not needed.
  static_cast<void>(f(static_cast<const HessianTracer*>(x.data())));
  return detection.record().assemble(n, "detect_hessian_pattern");
}

}  // namespace sparsediff
