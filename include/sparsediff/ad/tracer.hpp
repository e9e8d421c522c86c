#pragma once
/// @file
/// `Tracer`: the scalar that discovers a Jacobian's sparsity pattern.
///
/// A tracer stands for a value y(x) and carries only the set of input
/// indices j for which ∂y/∂x_j may be nonzero — never the value itself. Run
/// a function written as a template on its scalar type with T = Tracer, x_j
/// replaced by the tracer {j}, and output i comes back carrying row i of the
/// Jacobian pattern. Every operation maps sets to sets: a sum, product,
/// quotient or binary function of two tracers depends on the union of their
/// sets; a smooth unary function keeps its argument's set; a function whose
/// derivative is zero almost everywhere (floor, ceil, round, trunc, and the
/// sign argument of copysign) contributes the empty set. This is the
/// "index domain" propagation of Griewank & Walther, *Evaluating
/// Derivatives* (2nd ed., SIAM 2008), chapter 7, and of the global tracers
/// of SparseConnectivityTracer.jl (A. Hill, G. Dalle).
///
/// Global detection. The pattern found does not depend on the point x: it is
/// a superset of the structure of J(x) for every x — provided the function
/// takes the same branches everywhere. A tracer has no value, so a
/// comparison cannot be answered truthfully. Comparisons involving a tracer
/// behave like comparisons with NaN: `<`, `<=`, `>`, `>=` and `==` are
/// false, `!=` is true. Code that branches on values therefore contributes
/// the pattern of the branch actually taken, and misses the other one.
/// Write branch-free code for detection, or use the functions that union
/// both candidates: `fmin`, `fmax`, `min`, `max`, and
/// `select(condition, a, b)` (which returns a tracer depending on both a and
/// b whatever the condition). `isfinite` is true, `isnan` and `isinf` are
/// false, so guards against non-finite values take the ordinary path.
/// Comparisons and integer-valued functions carry no dependence: their
/// derivative is zero.
///
/// Calling math. Call math functions unqualified (`exp(x)`, or
/// `using std::exp; exp(x)` so the same code serves `double`), never as
/// `std::exp(x)`: argument-dependent lookup then finds the overloads here.
/// `std::min`/`std::max` on tracers would compare (and drop one operand);
/// unqualified `min`/`max` find the union-taking overloads below even after
/// `using std::max;`.
///
/// Cost. A tracer is a trivially copyable 16-byte value — one index inline,
/// larger sets as a pointer to an immutable sorted array in a per-thread
/// arena (detail/tracer_arena.hpp) — so copies are free and operations only
/// bump a pointer (the arena takes a new chunk now and then). A union of
/// stencil-sized sets is a merge of two short arrays into the arena; a union
/// adding indices beyond the largest of the newest array extends it in
/// place, so accumulating a dense row `s += x[j]` in increasing j is O(1)
/// per term (in any other order each term costs a merge, O(|s|)). Arrays
/// are freed when the detection call returns (row kernels: after each row),
/// so a whole-vector function holds every set of two or more indices it
/// forms until then.
///
/// Lifetime. Tracers made inside a detection call are valid until it
/// returns (a row kernel's, until its row is finished); do not keep them.
/// Outside detection, unions use a per-thread arena freed when the thread
/// ends.
///
/// Tracers are host objects: detection runs on the host (in parallel over
/// rows for row kernels, see jacobian/detect.hpp).

#include <algorithm>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "sparsediff/ad/accessor.hpp"
#include "sparsediff/ad/detail/tracer_arena.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {

/// A scalar carrying the set of inputs a value depends on (no value).
///
/// A trivially copyable 16-byte value: the number of inputs and either the
/// one input index or a pointer to a sorted array in the thread's tracer
/// arena (detail/tracer_arena.hpp). Tracers made during a detection call are
/// valid until that call returns (for a row kernel: until the row returns).
class Tracer {
 public:
  /// A constant: depends on no input.
  Tracer() noexcept = default;

  /// A constant from a number (the number itself is dropped). Implicit, so
  /// that `T s = 0;` and `T(2.5)` work in generic code.
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  Tracer(Scalar /*value*/) noexcept {}  // NOLINT(google-explicit-constructor)

  /// The tracer of input j: depends on x_j alone. O(1), allocates nothing.
  static Tracer input(Index j) noexcept {
    Tracer t;
    t.size_ = 1;
    t.single_ = j;
    return t;
  }

  /// The tracer depending on the inputs of a and of b. O(|a| + |b|);
  /// amortised O(|b|) when b's inputs all exceed a's and a was the last set
  /// made on this thread (as in `s += x[j]` for increasing j).
  static Tracer union_of(const Tracer& a, const Tracer& b) {
    if (b.size_ == 0 || a.same_set(b)) return a;
    if (a.size_ == 0) return b;
    if (a.size_ == 1 && b.size_ == 1) return union_of_singletons(a.single_, b.single_);
    return union_general(a, b);
  }

  /// The inputs this value depends on, strictly increasing.
  const Index* begin() const noexcept { return size_ == 1 ? &single_ : data_; }
  const Index* end() const noexcept { return begin() + size_; }
  /// Number of inputs this value depends on.
  Index size() const noexcept { return size_; }
  /// True when the value depends on no input (a constant).
  bool is_constant() const noexcept { return size_ == 0; }
  /// True when the value may depend on input j. O(log size()).
  bool depends_on(Index j) const noexcept { return std::binary_search(begin(), end(), j); }

  /// Compound assignment: this depends on the inputs of both operands (a
  /// number operand changes nothing). Cost as union_of.
  Tracer& operator+=(const Tracer& other) { return *this = union_of(*this, other); }
  Tracer& operator-=(const Tracer& other) { return *this = union_of(*this, other); }
  Tracer& operator*=(const Tracer& other) { return *this = union_of(*this, other); }
  Tracer& operator/=(const Tracer& other) { return *this = union_of(*this, other); }
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  Tracer& operator+=(Scalar) noexcept {
    return *this;
  }
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  Tracer& operator-=(Scalar) noexcept {
    return *this;
  }
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  Tracer& operator*=(Scalar) noexcept {
    return *this;
  }
  template <class Scalar, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  Tracer& operator/=(Scalar) noexcept {
    return *this;
  }

 private:
  Tracer(const Index* data, Index size) noexcept : size_(size), data_(data) {}

  bool same_set(const Tracer& other) const noexcept {
    return size_ == other.size_ && (size_ == 1 ? single_ == other.single_ : data_ == other.data_);
  }

  static Tracer union_of_singletons(Index i, Index j) {
    if (i == j) return input(i);
    Index* out = detail::current_tracer_arena().allocate(2);
    out[0] = i < j ? i : j;
    out[1] = i < j ? j : i;
    return Tracer(out, 2);
  }

  static Tracer union_general(const Tracer& a, const Tracer& b) {
    const detail::SortedUnion u = detail::unite_sorted(detail::current_tracer_arena(), a.begin(),
                                                       a.size_, b.begin(), b.size_);
    if (u.source == detail::SortedUnion::Source::a) return a;
    if (u.source == detail::SortedUnion::Source::b) return b;
    return Tracer(u.data, u.size);
  }

  Index size_ = 0;
  Index single_ = 0;             // the index when size_ == 1
  const Index* data_ = nullptr;  // the sorted array when size_ > 1
};

namespace detail {

template <class T>
using remove_cvref_t = std::remove_cv_t<std::remove_reference_t<T>>;

template <class T>
inline constexpr bool is_tracer_v = std::is_same_v<remove_cvref_t<T>, Tracer>;

template <class T>
inline constexpr bool is_tracer_or_number_v =
    is_tracer_v<T> || std::is_arithmetic_v<remove_cvref_t<T>>;

/// Enables a function of one tracer (and nothing else: a math function taking
/// any argument convertible to Tracer would capture `exp(2.0)` written inside
/// namespace sparsediff).
template <class T>
using EnableIfTracer = std::enable_if_t<is_tracer_v<T>, int>;

/// Enables an operator for (Tracer or number, Tracer or number), at least one Tracer.
template <class A, class B>
using EnableIfTracerOperands = std::enable_if_t<
    (is_tracer_v<A> || is_tracer_v<B>)&&is_tracer_or_number_v<A> && is_tracer_or_number_v<B>, int>;

// The union of two operands, a number counting as a constant.
template <class A, class B>
Tracer combine(const A& a, const B& b) {
  if constexpr (!is_tracer_v<B>) {
    return a;
  } else if constexpr (!is_tracer_v<A>) {
    return b;
  } else {
    return Tracer::union_of(a, b);
  }
}

}  // namespace detail

/// @name Arithmetic: the result depends on the union of the operands' inputs.
/// Operands are tracers or numbers (at least one tracer). O(|a| + |b|).
/// @{
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer operator+(const A& a, const B& b) {
  return detail::combine(a, b);
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer operator-(const A& a, const B& b) {
  return detail::combine(a, b);
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer operator*(const A& a, const B& b) {
  return detail::combine(a, b);
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer operator/(const A& a, const B& b) {
  return detail::combine(a, b);
}
inline Tracer operator+(const Tracer& a) noexcept { return a; }
inline Tracer operator-(const Tracer& a) noexcept { return a; }
/// @}

/// @name Comparisons: a tracer has no value and compares like NaN — every
/// comparison is false except `!=`, which is true. A branch on a comparison
/// contributes only the pattern of the branch taken (see the file comment).
/// @{
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
constexpr bool operator<(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
constexpr bool operator<=(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
constexpr bool operator>(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
constexpr bool operator>=(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
constexpr bool operator==(const A&, const B&) noexcept {
  return false;
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
constexpr bool operator!=(const A&, const B&) noexcept {
  return true;
}
/// @}

/// @name Classification: a tracer stands for an ordinary finite number.
/// @{
template <class T, detail::EnableIfTracer<T> = 0>
bool isfinite(const T&) noexcept {
  return true;
}
template <class T, detail::EnableIfTracer<T> = 0>
bool isnan(const T&) noexcept {
  return false;
}
template <class T, detail::EnableIfTracer<T> = 0>
bool isinf(const T&) noexcept {
  return false;
}
/// @}

/// @name Smooth unary functions: the result depends on the argument's inputs.
/// (abs and fabs too: their derivative is ±1 away from 0.) O(|x|).
/// @{
template <class T, detail::EnableIfTracer<T> = 0>
Tracer exp(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer exp2(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer expm1(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer log(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer log2(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer log10(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer log1p(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer sqrt(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer cbrt(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer sin(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer cos(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer tan(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer asin(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer acos(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer atan(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer sinh(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer cosh(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer tanh(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer asinh(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer acosh(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer atanh(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer erf(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer erfc(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer abs(const T& x) noexcept {
  return x;
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer fabs(const T& x) noexcept {
  return x;
}
/// @}

/// @name Integer-valued functions: piecewise constant, derivative zero almost
/// everywhere, so the result is a constant (empty set).
/// @{
template <class T, detail::EnableIfTracer<T> = 0>
Tracer floor(const T&) noexcept {
  return Tracer();
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer ceil(const T&) noexcept {
  return Tracer();
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer round(const T&) noexcept {
  return Tracer();
}
template <class T, detail::EnableIfTracer<T> = 0>
Tracer trunc(const T&) noexcept {
  return Tracer();
}
/// @}

/// @name Binary functions: the result depends on the union of the arguments'
/// inputs (a number argument contributes nothing). The pattern is global:
/// fmin/fmax/min/max depend on both arguments whatever their values, which
/// makes them the branch-free way to write a choice. O(|a| + |b|).
/// @{
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer pow(const A& a, const B& b) {
  return detail::combine(a, b);
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer hypot(const A& a, const B& b) {
  return detail::combine(a, b);
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer atan2(const A& a, const B& b) {
  return detail::combine(a, b);
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer fmin(const A& a, const B& b) {
  return detail::combine(a, b);
}
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer fmax(const A& a, const B& b) {
  return detail::combine(a, b);
}
/// min and max are non-templates (a number argument converts to a constant
/// tracer) so that, after `using std::max;`, they beat `std::max<Tracer>`,
/// which would compare and return one operand.
inline Tracer min(const Tracer& a, const Tracer& b) { return Tracer::union_of(a, b); }
inline Tracer max(const Tracer& a, const Tracer& b) { return Tracer::union_of(a, b); }
/// @}

/// copysign(magnitude, sign) depends on the magnitude only: as a function of
/// the sign argument it is piecewise constant. O(|magnitude|).
template <class A, class B, detail::EnableIfTracerOperands<A, B> = 0>
Tracer copysign(const A& magnitude, const B& /*sign*/) {
  if constexpr (detail::is_tracer_v<A>) {
    return magnitude;
  } else {
    return Tracer();
  }
}

/// fma(a, b, c) = a·b + c depends on all three arguments (tracers or
/// numbers, at least one tracer). O(|a| + |b| + |c|).
template <class A, class B, class C,
          std::enable_if_t<(detail::is_tracer_v<A> || detail::is_tracer_v<B> ||
                            detail::is_tracer_v<C>)&&detail::is_tracer_or_number_v<A> &&
                               detail::is_tracer_or_number_v<B> && detail::is_tracer_or_number_v<C>,
                           int> = 0>
Tracer fma(const A& a, const B& b, const C& c) {
  return detail::combine(detail::combine(a, b), c);
}

/// The branch-free choice `condition ? if_true : if_false`, for code that must
/// also run with tracers: the result depends on both candidates whatever the
/// condition (which has no derivative). O(|if_true| + |if_false|).
inline Tracer select(bool /*condition*/, const Tracer& if_true, const Tracer& if_false) {
  return Tracer::union_of(if_true, if_false);
}

/// select for every other scalar (double, Dual, ...): `condition ? if_true :
/// if_false`, so one generic kernel serves evaluation, differentiation and
/// detection.
template <class T, std::enable_if_t<!detail::is_tracer_v<T>, int> = 0>
KOKKOS_INLINE_FUNCTION T select(bool condition, const T& if_true, const T& if_false) {
  return condition ? if_true : if_false;
}

/// Prints the index set, e.g. `{0, 3, 7}` (for test diagnostics).
inline std::ostream& operator<<(std::ostream& out, const Tracer& t) {
  out << '{';
  const char* separator = "";
  for (Index j : t) {
    out << separator << j;
    separator = ", ";
  }
  return out << '}';
}

/// Tracer inputs for a row kernel. In detection, x(j) is the tracer of input
/// j, made on the fly (nothing is stored per input). Like every accessor it
/// can also read stored values (x(j) = values[j]), which lets a row kernel
/// serve inside a whole-vector function. The index is checked in both
/// modes: detection runs on the host and is the natural place to catch a
/// stencil reaching outside the vector.
template <>
class Accessor<Tracer> {
 public:
  using value_type = Tracer;

  /// Inputs of a function of `size` variables, read while computing output
  /// `row`: x(j) = Tracer::input(j).
  Accessor(Index size, Index row) noexcept : values_(nullptr), size_(size), row_(row) {}

  /// Stored tracers: x(j) = values[j], j in [0, size).
  Accessor(const Tracer* values, Index size) noexcept : values_(values), size_(size), row_(-1) {}

  /// The tracer of input j. @throws InvalidArgument naming the row (when
  /// known) and j when j is outside [0, size()).
  Tracer operator()(Index j) const {
    if (j < 0 || j >= size_) out_of_range(j);
    return values_ != nullptr ? values_[j] : Tracer::input(j);
  }
  Tracer operator[](Index j) const { return (*this)(j); }

  /// Number of inputs n.
  Index size() const noexcept { return size_; }
  /// The output row being traced (-1 for stored values).
  Index row() const noexcept { return row_; }

 private:
  [[noreturn]] void out_of_range(Index j) const {
    const std::string range =
        "input index " + std::to_string(j) + ", out of range [0, " + std::to_string(size_) + ")";
    if (row_ >= 0)
      detail::raise<InvalidArgument>("detect_row_pattern",
                                     "row " + std::to_string(row_) + " reads " + range);
    detail::raise<InvalidArgument>("Accessor<Tracer>", "read of " + range);
  }

  const Tracer* values_;
  Index size_;
  Index row_;
};

}  // namespace sparsediff
