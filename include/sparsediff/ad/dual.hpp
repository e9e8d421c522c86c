#pragma once
/// @file
/// `Dual<T, N>`: forward-mode dual numbers with N tangent lanes.
///
/// A dual number carries a value and N directional derivatives ("lanes"):
///
///     x = val + d[0] e_0 + ... + d[N-1] e_{N-1},   with e_i e_j = 0.
///
/// Evaluating a function on such numbers propagates the chain rule exactly:
/// f(x) = f(val) + f'(val) (d[0] e_0 + ...), so after one evaluation the lanes
/// of the outputs hold J * S, the Jacobian times the N seed directions. This is
/// the engine of the compressed Jacobian: with a column coloring of p <= N
/// colors, one evaluation on Dual<double, N> yields every nonzero of J
/// (Griewank & Walther, "Evaluating Derivatives", 2nd ed., ch. 3 and 8).
///
/// Design, after Ceres' `Jet`: a plain value type (trivially copyable, no heap,
/// lanes in a fixed-size array so every operation is a short loop the compiler
/// unrolls and vectorises), usable inside Kokkos kernels on any backend. All
/// elemental functions go through one chain-rule helper, so each is a one-liner
/// that computes its local derivative f'(val) once and scales the lanes by it.
///
/// Nesting, `Dual<Dual<double, M>, N>`, gives second derivatives: every
/// function is written on the generic value type T and calls the math of T
/// unqualified (`using std::exp; exp(v)`), so for T = double it reaches <cmath>
/// and for a nested dual it recurses through argument-dependent lookup. Code
/// templated on its scalar should call math functions the same way.
///
/// Conventions at kinks and domain edges (documented in docs/dual_numbers.md
/// and checked by tests/ad/dual_test.cpp):
/// - Structural zeros stay zero: where an elemental derivative f'(val) is
///   infinite or NaN (sqrt, cbrt at 0; log at 0; asin, acos, atanh at +-1;
///   pow at 0 with exponent < 1; c / x at 0; overflow), lanes whose incoming tangent is
///   exactly zero stay exactly zero, and only the lanes that move become
///   +-inf or NaN. A singularity in one variable thus never poisons the
///   derivatives with respect to the others, which matters for compressed
///   Jacobians where a lane is shared by many columns.
/// - abs, fabs: derivative sign(val) with sign(0) = 0 (also for -0.0);
///   copysign(x, y): derivative sign(x) * (signbit(y) ? -1 : 1) in x, 0 in y,
///   so copysign(x, 1.0) and abs(x) agree at 0; hypot at (0, 0): derivative 0.
/// - fmin, fmax, min, max: ties return the first argument (value and lanes);
///   fmin and fmax return the non-NaN argument like <cmath>.
/// - pow(x, c) for a constant c: c == 0 gives the constant 1 (derivative 0 even
///   at x = 0); otherwise c * x^(c-1), so integer powers are exact at x = 0
///   (pow(x, 1)' = 1, pow(x, 2)' = 0). pow(x, y) in y: x^y log(x), taken as 0
///   where x^y == 0 (the limit for x -> 0+, y > 0).
/// - floor, ceil, round, trunc: derivative 0 (lanes exactly zero).
/// - atan2 at (0, 0): 0/0, i.e. NaN in the lanes that move.
/// - + - * / between two duals follow IEEE arithmetic without special cases;
///   x / c scales the lanes by the reciprocal 1/c (the value is exactly x / c).
/// Comparisons and isfinite/isnan/isinf look at the value only.

#include <Kokkos_Core.hpp>
#include <cmath>
#include <ostream>
#include <type_traits>

namespace sparsediff {

template <class T, int N>
struct Dual;

// ---------------------------------------------------------------- traits

/// True for `Dual<T, N>` (any T, N), false otherwise (cv-qualified types included).
template <class T>
struct is_dual : std::false_type {};
template <class T, int N>
struct is_dual<Dual<T, N>> : std::true_type {};
template <class T>
inline constexpr bool is_dual_v = is_dual<T>::value;

/// The innermost arithmetic type: double for double and for Dual<Dual<double, 2>, 4>.
template <class T>
struct scalar_type {
  using type = T;
};
template <class T, int N>
struct scalar_type<Dual<T, N>> {
  using type = typename scalar_type<T>::type;
};
template <class T>
using scalar_type_t = typename scalar_type<T>::type;

/// True when S mixes with dual type D as a constant: an arithmetic type
/// (int literals included), D's value type, or recursively a constant of it.
template <class S, class D>
struct is_scalar_for : std::false_type {};
template <class S, class T, int N>
struct is_scalar_for<S, Dual<T, N>>
    : std::bool_constant<std::is_arithmetic<S>::value || std::is_same<S, T>::value ||
                         is_scalar_for<S, T>::value> {};
template <class S, class D>
inline constexpr bool is_scalar_for_v = is_scalar_for<S, D>::value;

namespace detail {
/// Tag for a result whose every component is written right after construction.
struct NoInit {};
template <class T>
struct type_identity {
  using type = T;
};
/// Blocks template deduction, so Dual<float, N> accepts double-valued arguments.
template <class T>
using identity_t = typename type_identity<T>::type;
template <class S, class D>
using enable_scalar_t = std::enable_if_t<is_scalar_for_v<S, D>, int>;

/// 1/s in the precision the lanes of Dual<T, N> are scaled with: one division,
/// then a multiplication per lane.
template <class T, class S>
KOKKOS_INLINE_FUNCTION auto reciprocal(const S& s) {
  if constexpr (std::is_arithmetic<S>::value) {
    using R = std::common_type_t<scalar_type_t<T>, S>;
    return R(1) / R(s);
  } else {
    return T(1) / s;
  }
}
}  // namespace detail

// ---------------------------------------------------------------- the type

/// A value of type T with N tangent lanes (T = double, float or a Dual).
///
/// Trivially copyable, no heap; every member is callable in Kokkos kernels.
/// @tparam T value type; @tparam N number of lanes (N >= 1).
template <class T, int N>
struct Dual {
  static_assert(N >= 1, "sparsediff::Dual needs at least one tangent lane");

  using value_type = T;
  using scalar_type = scalar_type_t<T>;
  static constexpr int lanes = N;

  T val;   ///< the value
  T d[N];  ///< the tangent lanes: d[k] = directional derivative along seed k

  /// Zero value, zero lanes.
  KOKKOS_INLINE_FUNCTION Dual() : val(0) {
    for (int k = 0; k < N; ++k) d[k] = T(0);
  }
  /// A constant: value v, zero lanes. Implicit, so `Dual x = 1.0;` and `x + 2` work.
  template <class S, detail::enable_scalar_t<S, Dual> = 0>
  KOKKOS_INLINE_FUNCTION Dual(const S& v) : val(v) {
    for (int k = 0; k < N; ++k) d[k] = T(0);
  }
  /// Leaves the components to the caller (for T = double they are uninitialised).
  KOKKOS_INLINE_FUNCTION explicit Dual(detail::NoInit) {}

  /// The independent variable of lane k: value v, d[k] = 1, other lanes 0.
  /// @param k lane in [0, N) (checked by KOKKOS_ASSERT in debug builds). O(N).
  KOKKOS_INLINE_FUNCTION static Dual variable(const T& v, int k) {
    KOKKOS_ASSERT(0 <= k && k < N);
    // Every lane by a fixed loop (one-hot), never a store at the run-time
    // lane k: wider loads of the lanes could not forward from that store.
    Dual r{detail::NoInit{}};
    r.val = v;
    for (int l = 0; l < N; ++l) r.d[l] = T(l == k ? 1 : 0);
    return r;
  }

  KOKKOS_INLINE_FUNCTION T& value() { return val; }
  KOKKOS_INLINE_FUNCTION const T& value() const { return val; }
  /// Lane k, no range check.
  KOKKOS_INLINE_FUNCTION T& tangent(int k) { return d[k]; }
  KOKKOS_INLINE_FUNCTION const T& tangent(int k) const { return d[k]; }

  KOKKOS_INLINE_FUNCTION Dual& operator+=(const Dual& b) {
    val += b.val;
    for (int k = 0; k < N; ++k) d[k] += b.d[k];
    return *this;
  }
  KOKKOS_INLINE_FUNCTION Dual& operator-=(const Dual& b) {
    val -= b.val;
    for (int k = 0; k < N; ++k) d[k] -= b.d[k];
    return *this;
  }
  // Lane k reads only lane k of both operands before writing it, and val is
  // updated last, so `x *= x` and `x /= x` are safe.
  KOKKOS_INLINE_FUNCTION Dual& operator*=(const Dual& b) {
    for (int k = 0; k < N; ++k) d[k] = d[k] * b.val + val * b.d[k];
    val *= b.val;
    return *this;
  }
  KOKKOS_INLINE_FUNCTION Dual& operator/=(const Dual& b) {
    const T q = val / b.val;
    const T inv = T(1) / b.val;
    for (int k = 0; k < N; ++k) d[k] = (d[k] - q * b.d[k]) * inv;
    val = q;
    return *this;
  }
  template <class S, detail::enable_scalar_t<S, Dual> = 0>
  KOKKOS_INLINE_FUNCTION Dual& operator+=(const S& s) {
    val += s;
    return *this;
  }
  template <class S, detail::enable_scalar_t<S, Dual> = 0>
  KOKKOS_INLINE_FUNCTION Dual& operator-=(const S& s) {
    val -= s;
    return *this;
  }
  template <class S, detail::enable_scalar_t<S, Dual> = 0>
  KOKKOS_INLINE_FUNCTION Dual& operator*=(const S& s) {
    val *= s;
    for (int k = 0; k < N; ++k) d[k] *= s;
    return *this;
  }
  template <class S, detail::enable_scalar_t<S, Dual> = 0>
  KOKKOS_INLINE_FUNCTION Dual& operator/=(const S& s) {
    val /= s;  // the value exactly as the plain-scalar code computes it
    const auto inv = detail::reciprocal<T>(s);
    for (int k = 0; k < N; ++k) d[k] *= inv;
    return *this;
  }
};

/// The value as the innermost arithmetic type (recursing through nested duals).
template <class T, std::enable_if_t<std::is_arithmetic<T>::value, int> = 0>
KOKKOS_INLINE_FUNCTION constexpr T scalar_value(const T& x) {
  return x;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION constexpr scalar_type_t<T> scalar_value(const Dual<T, N>& x) {
  return scalar_value(x.val);
}

namespace detail {

template <class T>
KOKKOS_INLINE_FUNCTION bool all_finite(const T& x) {
  using std::isfinite;
  return isfinite(x);
}
/// Value and every lane finite, recursively.
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool all_finite(const Dual<T, N>& x) {
  bool ok = all_finite(x.val);
  for (int k = 0; k < N; ++k) ok = ok && all_finite(x.d[k]);
  return ok;
}

template <class T>
KOKKOS_INLINE_FUNCTION bool is_zero(const T& x) {
  return x == T(0);
}
/// Value and every lane exactly zero, recursively.
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool is_zero(const Dual<T, N>& x) {
  bool z = is_zero(x.val);
  for (int k = 0; k < N; ++k) z = z && is_zero(x.d[k]);
  return z;
}

/// df * t, except that a zero tangent stays zero when df is inf or NaN.
template <class T>
KOKKOS_INLINE_FUNCTION T singular_product(const T& df, const T& t) {
  return is_zero(t) ? T(0) : df * t;
}

/// Chain rule for an elemental function f at a: value fa, lanes df * a.d[k]
/// with df = f'(a.val). The finiteness test is one branch per call, outside
/// the lane loop, so the common path is a plain scaling loop.
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> chain(const Dual<T, N>& a, const identity_t<T>& fa,
                                        const identity_t<T>& df) {
  Dual<T, N> r{NoInit{}};
  r.val = fa;
  if (all_finite(df)) {
    for (int k = 0; k < N; ++k) r.d[k] = df * a.d[k];
  } else {
    for (int k = 0; k < N; ++k) r.d[k] = singular_product(df, a.d[k]);
  }
  return r;
}

/// Chain rule for f(a, b): value f, lanes dfa * a.d[k] + dfb * b.d[k].
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> chain(const Dual<T, N>& a, const Dual<T, N>& b,
                                        const identity_t<T>& f, const identity_t<T>& dfa,
                                        const identity_t<T>& dfb) {
  Dual<T, N> r{NoInit{}};
  r.val = f;
  if (all_finite(dfa) && all_finite(dfb)) {
    for (int k = 0; k < N; ++k) r.d[k] = dfa * a.d[k] + dfb * b.d[k];
  } else {
    for (int k = 0; k < N; ++k)
      r.d[k] = singular_product(dfa, a.d[k]) + singular_product(dfb, b.d[k]);
  }
  return r;
}

/// The dual type among two arguments of which exactly one is a Dual and the
/// other a constant for it; no type otherwise (removes the overload).
template <class A, class B, class = void>
struct mixed_dual {};
template <class A, class B>
struct mixed_dual<A, B, std::enable_if_t<is_dual_v<A> && is_scalar_for_v<B, A>>> {
  using type = A;
};
template <class A, class B>
struct mixed_dual<A, B, std::enable_if_t<is_dual_v<B> && is_scalar_for_v<A, B>>> {
  using type = B;
};
template <class A, class B>
using mixed_dual_t = typename mixed_dual<A, B>::type;

/// The dual type of fma(a, b, c) when its arguments are one Dual type and constants for it.
template <class D, class... Ts>
using fma_dual_t =
    std::enable_if_t<is_dual_v<D> && ((std::is_same<Ts, D>::value || is_scalar_for_v<Ts, D>)&&...),
                     D>;

// Functions, not variables: namespace-scope constants are not visible in CUDA device code.
KOKKOS_INLINE_FUNCTION constexpr double ln2() { return 0.693147180559945309417232121458176568; }
KOKKOS_INLINE_FUNCTION constexpr double ln10() { return 2.30258509299404568401799145468436421; }
KOKKOS_INLINE_FUNCTION constexpr double two_over_sqrt_pi() {
  return 1.12837916709551257389615890312154517;
}

/// An arithmetic constant in the scalar type of T (double, float), so that
/// two-argument math never mixes float with double (the promoting templates
/// of <cmath> are host-only under CUDA); other constants pass through.
template <class T, class S>
KOKKOS_INLINE_FUNCTION auto as_scalar(const S& c) {
  if constexpr (std::is_arithmetic<S>::value) {
    return static_cast<scalar_type_t<T>>(c);
  } else {
    return c;
  }
}

/// sign(v) in {-1, 0, +1}, with sign(+-0) = 0 and sign(NaN) = 0.
template <class T>
KOKKOS_INLINE_FUNCTION T sign(const T& v) {
  return v > 0 ? T(1) : (v < 0 ? T(-1) : T(0));
}

}  // namespace detail

// ---------------------------------------------------------------- arithmetic
// Each operator is one loop over the lanes; results are built in place.

template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator+(const Dual<T, N>& a) {
  return a;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator-(const Dual<T, N>& a) {
  Dual<T, N> r{detail::NoInit{}};
  r.val = -a.val;
  for (int k = 0; k < N; ++k) r.d[k] = -a.d[k];
  return r;
}

template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator+(const Dual<T, N>& a, const Dual<T, N>& b) {
  Dual<T, N> r{detail::NoInit{}};
  r.val = a.val + b.val;
  for (int k = 0; k < N; ++k) r.d[k] = a.d[k] + b.d[k];
  return r;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator-(const Dual<T, N>& a, const Dual<T, N>& b) {
  Dual<T, N> r{detail::NoInit{}};
  r.val = a.val - b.val;
  for (int k = 0; k < N; ++k) r.d[k] = a.d[k] - b.d[k];
  return r;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator*(const Dual<T, N>& a, const Dual<T, N>& b) {
  Dual<T, N> r{detail::NoInit{}};
  r.val = a.val * b.val;
  for (int k = 0; k < N; ++k) r.d[k] = a.d[k] * b.val + a.val * b.d[k];
  return r;
}
/// (a/b)' = (a' - (a/b) b') / b, with one division shared by all lanes.
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator/(const Dual<T, N>& a, const Dual<T, N>& b) {
  Dual<T, N> r{detail::NoInit{}};
  r.val = a.val / b.val;
  const T inv = T(1) / b.val;
  for (int k = 0; k < N; ++k) r.d[k] = (a.d[k] - r.val * b.d[k]) * inv;
  return r;
}

template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator+(const Dual<T, N>& a, const S& s) {
  Dual<T, N> r = a;
  r.val = a.val + s;
  return r;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator+(const S& s, const Dual<T, N>& a) {
  Dual<T, N> r = a;
  r.val = s + a.val;
  return r;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator-(const Dual<T, N>& a, const S& s) {
  Dual<T, N> r = a;
  r.val = a.val - s;
  return r;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator-(const S& s, const Dual<T, N>& a) {
  Dual<T, N> r{detail::NoInit{}};
  r.val = s - a.val;
  for (int k = 0; k < N; ++k) r.d[k] = -a.d[k];
  return r;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator*(const Dual<T, N>& a, const S& s) {
  Dual<T, N> r{detail::NoInit{}};
  r.val = a.val * s;
  for (int k = 0; k < N; ++k) r.d[k] = a.d[k] * s;
  return r;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator*(const S& s, const Dual<T, N>& a) {
  Dual<T, N> r{detail::NoInit{}};
  r.val = s * a.val;
  for (int k = 0; k < N; ++k) r.d[k] = s * a.d[k];
  return r;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator/(const Dual<T, N>& a, const S& s) {
  Dual<T, N> r = a;
  r /= s;
  return r;
}
/// (s/b)' = -(s/b) b' / b.
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> operator/(const S& s, const Dual<T, N>& b) {
  const T q = s / b.val;
  return detail::chain(b, q, -q / b.val);
}

// ---------------------------------------------------------------- comparisons
// On the value only, so branches in user code follow the plain-double path.

template <class T, int N>
KOKKOS_INLINE_FUNCTION bool operator==(const Dual<T, N>& a, const Dual<T, N>& b) {
  return a.val == b.val;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool operator!=(const Dual<T, N>& a, const Dual<T, N>& b) {
  return a.val != b.val;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool operator<(const Dual<T, N>& a, const Dual<T, N>& b) {
  return a.val < b.val;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool operator<=(const Dual<T, N>& a, const Dual<T, N>& b) {
  return a.val <= b.val;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool operator>(const Dual<T, N>& a, const Dual<T, N>& b) {
  return a.val > b.val;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool operator>=(const Dual<T, N>& a, const Dual<T, N>& b) {
  return a.val >= b.val;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator==(const Dual<T, N>& a, const S& s) {
  return a.val == s;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator==(const S& s, const Dual<T, N>& a) {
  return s == a.val;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator!=(const Dual<T, N>& a, const S& s) {
  return a.val != s;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator!=(const S& s, const Dual<T, N>& a) {
  return s != a.val;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator<(const Dual<T, N>& a, const S& s) {
  return a.val < s;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator<(const S& s, const Dual<T, N>& a) {
  return s < a.val;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator<=(const Dual<T, N>& a, const S& s) {
  return a.val <= s;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator<=(const S& s, const Dual<T, N>& a) {
  return s <= a.val;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator>(const Dual<T, N>& a, const S& s) {
  return a.val > s;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator>(const S& s, const Dual<T, N>& a) {
  return s > a.val;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator>=(const Dual<T, N>& a, const S& s) {
  return a.val >= s;
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION bool operator>=(const S& s, const Dual<T, N>& a) {
  return s >= a.val;
}

/// Classification of the value (lanes are not inspected).
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool isfinite(const Dual<T, N>& a) {
  using std::isfinite;
  return isfinite(a.val);
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool isnan(const Dual<T, N>& a) {
  using std::isnan;
  return isnan(a.val);
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION bool isinf(const Dual<T, N>& a) {
  using std::isinf;
  return isinf(a.val);
}

// ---------------------------------------------------------------- elemental functions
// Each line: value f(v) and local derivative f'(v), then the chain rule.

template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> exp(const Dual<T, N>& a) {
  using std::exp;
  const T e = exp(a.val);
  return detail::chain(a, e, e);
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> exp2(const Dual<T, N>& a) {
  using std::exp2;
  const T e = exp2(a.val);
  return detail::chain(a, e, e * detail::ln2());
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> expm1(const Dual<T, N>& a) {
  using std::exp;
  using std::expm1;
  return detail::chain(a, expm1(a.val), exp(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> log(const Dual<T, N>& a) {
  using std::log;
  return detail::chain(a, log(a.val), T(1) / a.val);
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> log2(const Dual<T, N>& a) {
  using std::log2;
  return detail::chain(a, log2(a.val), T(1) / (a.val * detail::ln2()));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> log10(const Dual<T, N>& a) {
  using std::log10;
  return detail::chain(a, log10(a.val), T(1) / (a.val * detail::ln10()));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> log1p(const Dual<T, N>& a) {
  using std::log1p;
  return detail::chain(a, log1p(a.val), T(1) / (T(1) + a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> sqrt(const Dual<T, N>& a) {
  using std::sqrt;
  const T s = sqrt(a.val);
  return detail::chain(a, s, T(0.5) / s);
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> cbrt(const Dual<T, N>& a) {
  using std::cbrt;
  const T c = cbrt(a.val);
  return detail::chain(a, c, T(1) / (T(3) * c * c));
}

template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> sin(const Dual<T, N>& a) {
  using std::cos;
  using std::sin;
  return detail::chain(a, sin(a.val), cos(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> cos(const Dual<T, N>& a) {
  using std::cos;
  using std::sin;
  return detail::chain(a, cos(a.val), -sin(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> tan(const Dual<T, N>& a) {
  using std::tan;
  const T t = tan(a.val);
  return detail::chain(a, t, T(1) + t * t);
}
// (1 - v)(1 + v) rather than 1 - v^2: no cancellation near |v| = 1.
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> asin(const Dual<T, N>& a) {
  using std::asin;
  using std::sqrt;
  return detail::chain(a, asin(a.val), T(1) / sqrt((T(1) - a.val) * (T(1) + a.val)));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> acos(const Dual<T, N>& a) {
  using std::acos;
  using std::sqrt;
  return detail::chain(a, acos(a.val), T(-1) / sqrt((T(1) - a.val) * (T(1) + a.val)));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> atan(const Dual<T, N>& a) {
  using std::atan;
  return detail::chain(a, atan(a.val), T(1) / (T(1) + a.val * a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> sinh(const Dual<T, N>& a) {
  using std::cosh;
  using std::sinh;
  return detail::chain(a, sinh(a.val), cosh(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> cosh(const Dual<T, N>& a) {
  using std::cosh;
  using std::sinh;
  return detail::chain(a, cosh(a.val), sinh(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> tanh(const Dual<T, N>& a) {
  using std::tanh;
  const T t = tanh(a.val);
  return detail::chain(a, t, T(1) - t * t);
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> asinh(const Dual<T, N>& a) {
  using std::asinh;
  using std::sqrt;
  return detail::chain(a, asinh(a.val), T(1) / sqrt(a.val * a.val + T(1)));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> acosh(const Dual<T, N>& a) {
  using std::acosh;
  using std::sqrt;
  return detail::chain(a, acosh(a.val), T(1) / sqrt((a.val - T(1)) * (a.val + T(1))));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> atanh(const Dual<T, N>& a) {
  using std::atanh;
  return detail::chain(a, atanh(a.val), T(1) / ((T(1) - a.val) * (T(1) + a.val)));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> erf(const Dual<T, N>& a) {
  using std::erf;
  using std::exp;
  return detail::chain(a, erf(a.val), detail::two_over_sqrt_pi() * exp(-a.val * a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> erfc(const Dual<T, N>& a) {
  using std::erfc;
  using std::exp;
  return detail::chain(a, erfc(a.val), -detail::two_over_sqrt_pi() * exp(-a.val * a.val));
}

/// |a| with derivative sign(a.val), sign(0) = 0.
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> abs(const Dual<T, N>& a) {
  using std::abs;
  return detail::chain(a, abs(a.val), detail::sign(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> fabs(const Dual<T, N>& a) {
  return abs(a);
}

// Piecewise constant: the value rounded, lanes exactly zero (not 0 * lane,
// which would turn an infinite lane into NaN).
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> floor(const Dual<T, N>& a) {
  using std::floor;
  return Dual<T, N>(floor(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> ceil(const Dual<T, N>& a) {
  using std::ceil;
  return Dual<T, N>(ceil(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> round(const Dual<T, N>& a) {
  using std::round;
  return Dual<T, N>(round(a.val));
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> trunc(const Dual<T, N>& a) {
  using std::trunc;
  return Dual<T, N>(trunc(a.val));
}

// ---------------------------------------------------------------- pow, hypot, atan2

namespace detail {
template <class T, int N, class S>
KOKKOS_INLINE_FUNCTION Dual<T, N> pow_constant(const Dual<T, N>& a, const S& c) {
  using std::pow;
  if (is_zero(c)) return Dual<T, N>(pow(a.val, c));
  return chain(a, pow(a.val, c), c * pow(a.val, c - 1));
}
}  // namespace detail

/// a^c for a constant c (arithmetic, int included, or the value type T):
/// c * a^(c-1), and exactly zero lanes when c is exactly zero.
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> pow(const Dual<T, N>& a, const S& c) {
  // Integer exponents stay integers: pow(x, int) is its own overload on devices.
  if constexpr (std::is_integral<S>::value) {
    return detail::pow_constant(a, c);
  } else {
    return detail::pow_constant(a, detail::as_scalar<T>(c));
  }
}
/// c^b for a constant c: c^b log(c), taken as 0 where c^b == 0.
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> pow(const S& base, const Dual<T, N>& b) {
  using std::log;
  using std::pow;
  const auto c = detail::as_scalar<T>(base);
  const T p = pow(c, b.val);
  return detail::chain(b, p, detail::is_zero(p) ? T(0) : T(log(c) * p));
}
/// a^b: both rules above combined.
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> pow(const Dual<T, N>& a, const Dual<T, N>& b) {
  using std::log;
  using std::pow;
  const T p = pow(a.val, b.val);
  const T dfa = detail::is_zero(b.val) ? T(0) : T(b.val * pow(a.val, b.val - T(1)));
  const T dfb = detail::is_zero(p) ? T(0) : T(log(a.val) * p);
  return detail::chain(a, b, p, dfa, dfb);
}

/// sqrt(a^2 + b^2) without overflow; derivative 0 at the origin (as abs at 0).
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> hypot(const Dual<T, N>& a, const Dual<T, N>& b) {
  using std::hypot;
  const T h = hypot(a.val, b.val);
  if (h == 0) return Dual<T, N>(h);
  return detail::chain(a, b, h, a.val / h, b.val / h);
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> hypot(const Dual<T, N>& a, const S& other) {
  using std::hypot;
  const auto c = detail::as_scalar<T>(other);
  const T h = hypot(a.val, c);
  if (h == 0) return Dual<T, N>(h);
  return detail::chain(a, h, a.val / h);
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> hypot(const S& c, const Dual<T, N>& b) {
  return hypot(b, c);
}

/// The angle of (x, y) = (b, a): d = (b da - a db) / (a^2 + b^2).
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> atan2(const Dual<T, N>& a, const Dual<T, N>& b) {
  using std::atan2;
  const T inv_r2 = T(1) / (a.val * a.val + b.val * b.val);
  return detail::chain(a, b, atan2(a.val, b.val), b.val * inv_r2, -a.val * inv_r2);
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> atan2(const Dual<T, N>& a, const S& x) {
  using std::atan2;
  const auto c = detail::as_scalar<T>(x);
  return detail::chain(a, atan2(a.val, c), c / (a.val * a.val + c * c));
}
template <class T, int N, class S, detail::enable_scalar_t<S, Dual<T, N>> = 0>
KOKKOS_INLINE_FUNCTION Dual<T, N> atan2(const S& y, const Dual<T, N>& b) {
  using std::atan2;
  const auto c = detail::as_scalar<T>(y);
  return detail::chain(b, atan2(c, b.val), -c / (c * c + b.val * b.val));
}

// ---------------------------------------------------------------- selection

/// Smaller/larger of a and b by value; ties return a. fmin/fmax skip a NaN
/// argument like <cmath>; min/max follow std::min/std::max ((b < a) ? b : a).
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> fmin(const Dual<T, N>& a, const Dual<T, N>& b) {
  return (isnan(b) || !(b < a)) && !isnan(a) ? a : b;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> fmax(const Dual<T, N>& a, const Dual<T, N>& b) {
  return (isnan(b) || !(a < b)) && !isnan(a) ? a : b;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> min(const Dual<T, N>& a, const Dual<T, N>& b) {
  return (b < a) ? b : a;
}
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> max(const Dual<T, N>& a, const Dual<T, N>& b) {
  return (a < b) ? b : a;
}

/// |a| with the sign of b: derivative sign(a) * (signbit(b) ? -1 : 1) in a, 0 in b.
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> copysign(const Dual<T, N>& a, const Dual<T, N>& b) {
  using std::copysign;
  using std::signbit;
  const T s = detail::sign(a.val);
  return detail::chain(a, copysign(a.val, b.val), signbit(scalar_value(b)) ? T(-s) : s);
}

/// a * b + c with one rounding in the value.
template <class T, int N>
KOKKOS_INLINE_FUNCTION Dual<T, N> fma(const Dual<T, N>& a, const Dual<T, N>& b,
                                      const Dual<T, N>& c) {
  using std::fma;
  Dual<T, N> r{detail::NoInit{}};
  r.val = fma(a.val, b.val, c.val);
  for (int k = 0; k < N; ++k) r.d[k] = a.d[k] * b.val + a.val * b.d[k] + c.d[k];
  return r;
}

// Mixed dual/constant arguments of the selection functions and fma: the
// constant is promoted to a Dual with zero lanes.
template <class A, class B, class D = detail::mixed_dual_t<A, B>>
KOKKOS_INLINE_FUNCTION D fmin(const A& a, const B& b) {
  return fmin(D(a), D(b));
}
template <class A, class B, class D = detail::mixed_dual_t<A, B>>
KOKKOS_INLINE_FUNCTION D fmax(const A& a, const B& b) {
  return fmax(D(a), D(b));
}
template <class A, class B, class D = detail::mixed_dual_t<A, B>>
KOKKOS_INLINE_FUNCTION D min(const A& a, const B& b) {
  return min(D(a), D(b));
}
template <class A, class B, class D = detail::mixed_dual_t<A, B>>
KOKKOS_INLINE_FUNCTION D max(const A& a, const B& b) {
  return max(D(a), D(b));
}
template <class A, class B, class D = detail::mixed_dual_t<A, B>>
KOKKOS_INLINE_FUNCTION D copysign(const A& a, const B& b) {
  return copysign(D(a), D(b));
}
template <class T, int N, class B, class C, class D = detail::fma_dual_t<Dual<T, N>, B, C>>
KOKKOS_INLINE_FUNCTION D fma(const Dual<T, N>& a, const B& b, const C& c) {
  return fma(a, D(b), D(c));
}
template <class A, class T, int N, class C, class D = detail::fma_dual_t<Dual<T, N>, A, C>,
          std::enable_if_t<!is_dual_v<A>, int> = 0>
KOKKOS_INLINE_FUNCTION D fma(const A& a, const Dual<T, N>& b, const C& c) {
  return fma(D(a), b, D(c));
}
template <class A, class B, class T, int N, class D = detail::fma_dual_t<Dual<T, N>, A, B>,
          std::enable_if_t<!is_dual_v<A> && !is_dual_v<B>, int> = 0>
KOKKOS_INLINE_FUNCTION D fma(const A& a, const B& b, const Dual<T, N>& c) {
  return fma(D(a), D(b), c);
}

// ---------------------------------------------------------------- output (host only)

/// Writes `(val; d0, d1, ...)`, recursing into nested duals.
template <class T, int N>
std::ostream& operator<<(std::ostream& os, const Dual<T, N>& a) {
  os << '(' << a.val << ';';
  for (int k = 0; k < N; ++k) os << (k ? ", " : " ") << a.d[k];
  return os << ')';
}

}  // namespace sparsediff
