#pragma once
/// @file
/// `HessianTracer`: the scalar that discovers a Hessian's sparsity pattern.
///
/// Second-order companion of `Tracer` (ad/tracer.hpp). A Hessian tracer
/// stands for a value y(x) and carries its first-order set S_y — the inputs
/// y may depend on — while every *nonlinear interaction* an operation creates
/// is added to one record shared by the whole evaluation. The rules
/// (Walther, ACM TOMS 34(1) 2008, the "nonlinear interaction domains" of
/// ADOL-C; Gower & Mello, Optim. Methods Softw. 27(2) 2012; the Hessian
/// tracers of SparseConnectivityTracer.jl) are:
///
/// | operation                          | S_result    | entries recorded                    |
/// |------------------------------------|-------------|-------------------------------------|
/// | a ± b, -a, a·c, a/c, c·a (c number)| S_a ∪ S_b   | none: linear                        |
/// | a · b                              | S_a ∪ S_b   | S_a × S_b and S_b × S_a             |
/// | a / b                              | S_a ∪ S_b   | as a·b, plus S_b × S_b              |
/// | c / b                              | S_b         | S_b × S_b                           |
/// | f(a), f smooth nonlinear           | S_a         | S_a × S_a                           |
/// | pow, hypot, atan2 of a and b       | S_a ∪ S_b   | (S_a ∪ S_b) × (S_a ∪ S_b)           |
/// | pow(a, 1) / pow(a, 0)              | S_a / empty | none                                |
/// | abs, fabs, fmin, fmax, min, max, select, copysign | union (copysign: S_a) | none: piecewise
/// linear | | fma(a, b, c)                       | S_a ∪ S_b ∪ S_c | as a·b | | floor, ceil, round,
/// trunc          | empty       | none: piecewise constant            |
///
/// The Hessian of a scalar function f is the union of the recorded entries:
/// `detect_hessian_pattern` (hessian/detect.hpp) runs f once on tracers and
/// assembles them. A diagonal entry (j, j) appears only where an operation
/// makes it structurally nonzero (x_j² or exp(x_j) do, x_j·x_k with k ≠ j
/// does not).
///
/// The record is global, so the result is a superset of the true pattern in
/// two situations: an intermediate that never reaches f (dead code) still
/// contributes its interactions, and so does a nonlinear value whose
/// derivative is cut later (`floor(x·y)`, the sign argument of `copysign`,
/// a value only compared). Otherwise the rules are exact: the pattern is the
/// union over all x of the patterns of H(x), up to cancellation.
///
/// Comparisons, `isfinite`/`isnan`/`isinf`, and `select` behave as for
/// `Tracer` (NaN-like comparisons; code branching on values contributes the
/// branch taken only). Call math functions unqualified, as for `Tracer`
/// (this header includes ad/tracer.hpp, which also gives `select` for
/// `double` and dual numbers).
///
/// Cost: a tracer is a trivially copyable 16-byte handle to its set (see
/// detail/hessian_tracer_sets.hpp: small sets are sorted arrays in an
/// arena, large unions lazy), a nonlinear operation appends one 8-byte pair
/// or 32-byte block to the record. Everything a detection call allocates is
/// freed when it returns; tracers must not outlive it. Outside a detection
/// call, operations use per-thread fallback storage that is only freed when
/// the thread ends (fine for tests, not for production loops).

#include <ostream>
#include <type_traits>
#include <vector>

#include "sparsediff/ad/detail/hessian_tracer_record.hpp"
#include "sparsediff/ad/detail/hessian_tracer_sets.hpp"
#include "sparsediff/ad/tracer.hpp"
#include "sparsediff/core/config.hpp"

namespace sparsediff {

class HessianTracer;

namespace detail {
struct HessianTracerAccess;
}

/// A scalar carrying the inputs a value depends on (no value); nonlinear
/// operations on it record Hessian entries in the current detection call.
class HessianTracer {
 public:
  /// A constant: depends on no input.
  HessianTracer() noexcept = default;

  /// A constant from a number (the number is dropped). Implicit, so that
  /// `T s = 0;` and `T(2.5)` work in generic code.
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  HessianTracer(Scalar /*value*/) noexcept {}  // NOLINT(google-explicit-constructor)

  /// The tracer of input j. O(1).
  static HessianTracer input(Index j) noexcept {
    return HessianTracer(detail::HessianSet::single(j));
  }

  /// True when the value depends on no input.
  bool is_constant() const noexcept { return set_.empty(); }

  /// The inputs this value depends on (its gradient's pattern), increasing.
  /// O(size of its set's representation) plus a sort when the set is lazy.
  std::vector<Index> gradient_pattern() const { return detail::sorted_indices(set_); }

  /// Compound assignment: as the binary operators below.
  HessianTracer& operator+=(const HessianTracer& other);
  HessianTracer& operator-=(const HessianTracer& other);
  HessianTracer& operator*=(const HessianTracer& other);
  HessianTracer& operator/=(const HessianTracer& other);
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  HessianTracer& operator+=(Scalar) noexcept {
    return *this;
  }
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  HessianTracer& operator-=(Scalar) noexcept {
    return *this;
  }
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  HessianTracer& operator*=(Scalar) noexcept {
    return *this;
  }
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  HessianTracer& operator/=(Scalar) noexcept {
    return *this;
  }

 private:
  friend struct detail::HessianTracerAccess;
  explicit HessianTracer(const detail::HessianSet& set) noexcept : set_(set) {}

  detail::HessianSet set_;
};

namespace detail {

struct HessianTracerAccess {
  static const HessianSet& set(const HessianTracer& t) noexcept { return t.set_; }
  static HessianTracer make(const HessianSet& s) noexcept { return HessianTracer(s); }
};

template <class T>
inline constexpr bool is_hessian_tracer_v = std::is_same_v<remove_cvref_t<T>, HessianTracer>;

template <class T>
inline constexpr bool is_hessian_tracer_or_number_v =
    is_hessian_tracer_v<T> || std::is_arithmetic_v<remove_cvref_t<T>>;

/// Enables a function of one Hessian tracer (only: see the same guard in tracer.hpp).
template <class T>
using EnableIfHessianTracer = std::enable_if_t<is_hessian_tracer_v<T>, int>;

/// Enables (Hessian tracer or number, Hessian tracer or number), at least one tracer.
template <class A, class B>
using EnableIfHessianOperands =
    std::enable_if_t<(is_hessian_tracer_v<A> ||
                      is_hessian_tracer_v<B>)&&is_hessian_tracer_or_number_v<A> &&
                         is_hessian_tracer_or_number_v<B>,
                     int>;

// The set of an operand, a number counting as a constant.
template <class A>
HessianSet set_of(const A& a) noexcept {
  if constexpr (is_hessian_tracer_v<A>) {
    return HessianTracerAccess::set(a);
  } else {
    return HessianSet();
  }
}

inline HessianTracer make_hessian_tracer(const HessianSet& s) noexcept {
  return HessianTracerAccess::make(s);
}

// Linear in every operand: the union, nothing recorded.
template <class A, class B>
HessianTracer linear(const A& a, const B& b) {
  return make_hessian_tracer(unite(set_of(a), set_of(b)));
}

// a · b: S_a × S_b recorded when both are tracers.
template <class A, class B>
HessianTracer product(const A& a, const B& b) {
  const HessianSet sa = set_of(a), sb = set_of(b);
  current_interaction_record().product(sa, sb);
  return make_hessian_tracer(unite(sa, sb));
}

// A smooth nonlinear function of its operands jointly: (S_a ∪ S_b)².
template <class A, class B>
HessianTracer nonlinear(const A& a, const B& b) {
  const HessianSet s = unite(set_of(a), set_of(b));
  current_interaction_record().square(s);
  return make_hessian_tracer(s);
}

inline HessianTracer nonlinear(const HessianTracer& a) {
  const HessianSet& s = HessianTracerAccess::set(a);
  current_interaction_record().square(s);
  return a;
}

}  // namespace detail

/// @name Arithmetic (operands: Hessian tracers or numbers, at least one tracer).
/// Sums and differences are linear; a product records S_a × S_b; a quotient
/// records S_a × S_b and S_b × S_b (only S_b × S_b for number / tracer).
/// O(|S_a| + |S_b|).
/// @{
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer operator+(const A& a, const B& b) {
  return detail::linear(a, b);
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer operator-(const A& a, const B& b) {
  return detail::linear(a, b);
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer operator*(const A& a, const B& b) {
  return detail::product(a, b);
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer operator/(const A& a, const B& b) {
  if constexpr (detail::is_hessian_tracer_v<B>) {
    // d²(a/b)/db² = 2a/b³: S_b × S_b, besides the a·b cross terms.
    detail::current_interaction_record().square(detail::set_of(b));
    return detail::product(a, b);
  } else {
    return detail::linear(a, b);
  }
}
inline HessianTracer operator+(const HessianTracer& a) noexcept { return a; }
inline HessianTracer operator-(const HessianTracer& a) noexcept { return a; }

inline HessianTracer& HessianTracer::operator+=(const HessianTracer& other) {
  return *this = *this + other;
}
inline HessianTracer& HessianTracer::operator-=(const HessianTracer& other) {
  return *this = *this - other;
}
inline HessianTracer& HessianTracer::operator*=(const HessianTracer& other) {
  return *this = *this * other;
}
inline HessianTracer& HessianTracer::operator/=(const HessianTracer& other) {
  return *this = *this / other;
}
/// @}

/// @name Comparisons: NaN-like, as for `Tracer` (all false but `!=`).
/// @{
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
constexpr bool operator<(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
constexpr bool operator<=(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
constexpr bool operator>(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
constexpr bool operator>=(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
constexpr bool operator==(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
constexpr bool operator!=(const A&, const B&) noexcept {
  return true;
}
/// @}

/// @name Classification: a tracer stands for an ordinary finite number.
/// @{
template <class T, detail::EnableIfHessianTracer<T> = 0>
bool isfinite(const T&) noexcept {
  return true;
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
bool isnan(const T&) noexcept {
  return false;
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
bool isinf(const T&) noexcept {
  return false;
}
/// @}

/// @name Smooth nonlinear unary functions: S_x, recording S_x × S_x. O(1)
/// (an append to the record).
/// @{
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer exp(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer exp2(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer expm1(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer log(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer log2(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer log10(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer log1p(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer sqrt(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer cbrt(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer sin(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer cos(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer tan(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer asin(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer acos(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer atan(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer sinh(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer cosh(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer tanh(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer asinh(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer acosh(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer atanh(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer erf(const T& x) {
  return detail::nonlinear(x);
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer erfc(const T& x) {
  return detail::nonlinear(x);
}
/// @}

/// @name Piecewise linear unary functions: abs and fabs have derivative ±1
/// and second derivative zero away from the kink, so S_x and nothing recorded.
/// @{
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer abs(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer fabs(const T& x) noexcept {
  return x;
}
/// @}

/// @name Integer-valued functions: derivative zero almost everywhere, so a
/// constant. (What the argument recorded stays recorded: the record is global.)
/// @{
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer floor(const T&) noexcept {
  return HessianTracer();
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer ceil(const T&) noexcept {
  return HessianTracer();
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer round(const T&) noexcept {
  return HessianTracer();
}
template <class T, detail::EnableIfHessianTracer<T> = 0>
HessianTracer trunc(const T&) noexcept {
  return HessianTracer();
}
/// @}

/// @name Binary functions.
/// pow, hypot and atan2 are nonlinear in their tracer arguments jointly:
/// (S_a ∪ S_b)² is recorded — except pow(a, 1) = a (linear) and pow(a, 0) = 1
/// (constant) for a number exponent. fmin, fmax, min and max are piecewise
/// linear and depend on both arguments whatever their values: the union,
/// nothing recorded. O(|S_a| + |S_b|).
/// @{
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer pow(const A& a, const B& b) {
  if constexpr (!detail::is_hessian_tracer_v<B>) {
    if (b == B(1)) return a;
    if (b == B(0)) return HessianTracer();
  }
  return detail::nonlinear(a, b);
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer hypot(const A& a, const B& b) {
  return detail::nonlinear(a, b);
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer atan2(const A& a, const B& b) {
  return detail::nonlinear(a, b);
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer fmin(const A& a, const B& b) {
  return detail::linear(a, b);
}
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer fmax(const A& a, const B& b) {
  return detail::linear(a, b);
}
/// Non-templates (a number converts to a constant tracer) so that, after
/// `using std::max;`, they beat `std::max<HessianTracer>`, which compares.
inline HessianTracer min(const HessianTracer& a, const HessianTracer& b) {
  return detail::linear(a, b);
}
inline HessianTracer max(const HessianTracer& a, const HessianTracer& b) {
  return detail::linear(a, b);
}
/// @}

/// copysign(magnitude, sign) = ±magnitude: piecewise linear in the
/// magnitude, piecewise constant in the sign. S_magnitude, nothing recorded.
template <class A, class B, detail::EnableIfHessianOperands<A, B> = 0>
HessianTracer copysign(const A& magnitude, const B& /*sign*/) {
  return detail::make_hessian_tracer(detail::set_of(magnitude));
}

/// fma(a, b, c) = a·b + c: S_a ∪ S_b ∪ S_c, recording S_a × S_b when a and b
/// are both tracers.
template <
    class A, class B, class C,
    std::enable_if_t<(detail::is_hessian_tracer_v<A> || detail::is_hessian_tracer_v<B> ||
                      detail::is_hessian_tracer_v<C>)&&detail::is_hessian_tracer_or_number_v<A> &&
                         detail::is_hessian_tracer_or_number_v<B> &&
                         detail::is_hessian_tracer_or_number_v<C>,
                     int> = 0>
HessianTracer fma(const A& a, const B& b, const C& c) {
  const HessianTracer ab = detail::product(a, b);
  return detail::linear(ab, c);
}

/// The branch-free choice: depends on both candidates whatever the condition.
inline HessianTracer select(bool /*condition*/, const HessianTracer& if_true,
                            const HessianTracer& if_false) {
  return detail::linear(if_true, if_false);
}

/// Prints the first-order set, e.g. `{0, 3, 7}` (for test diagnostics).
inline std::ostream& operator<<(std::ostream& out, const HessianTracer& t) {
  out << '{';
  const char* separator = "";
  for (Index j : t.gradient_pattern()) {
    out << separator << j;
    separator = ", ";
  }
  return out << '}';
}

}  // namespace sparsediff
