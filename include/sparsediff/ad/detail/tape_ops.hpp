#pragma once
/// @file
/// The elemental operations of the reverse-mode tape and their derivative rules.
///
/// Every operation a `Reverse<V>` records is one of the codes below. A code
/// fixes the operation's arity (how many recorded operands it reads), whether
/// it carries a constant operand (`x * 2.0` is `mul_c` with constant 2), and
/// whether it is linear (zero second derivatives, so a Hessian-vector sweep can
/// skip it). The rule of a code computes, for any value type W, the value and
/// the first partial derivatives with respect to its operands:
///
///   - W = V while recording and while replaying a tape at a new x;
///   - W = Dual<double, r> seeded on the r operands, to get the second partials
///     (the Dual lanes of the first partials), which the Hessian-vector
///     operator needs (Griewank & Walther, *Evaluating Derivatives*, 2nd ed.,
///     §4.3 and ch. 5).
///
/// One rule per code, written once on a generic W through argument-dependent
/// math, keeps the recorded partials, the replayed ones and the second-order
/// ones consistent. The conventions at kinks and singular points are those of
/// `Dual` (see ad/dual.hpp): |x|' = sign(x) with sign(0) = 0; pow(x, 0) is the
/// constant 1; x^y has y-derivative 0 where x^y == 0; hypot has derivative 0 at
/// the origin; fmin/fmax/min/max select one operand (ties pick the first);
/// floor/ceil/round/trunc have derivative 0.

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "sparsediff/ad/dual.hpp"

namespace sparsediff::detail {

/// Codes of the taped operations. `_c` marks a constant operand: `add_c` is
/// a + k, `sub_ca` is k - a, `div_ac` is a / k, `div_ca` is k / a, and so on.
enum class Op : std::uint8_t {
  input,     ///< an independent variable (no operand)
  constant,  ///< a constant promoted to a node (for min, atan2, ... with a constant)
  neg,
  add_c,
  sub_ca,
  mul_c,
  div_ac,
  div_ca,
  add,
  sub,
  mul,
  div,
  square,  ///< a * a with both operands the same node
  exp,
  exp2,
  expm1,
  log,
  log2,
  log10,
  log1p,
  sqrt,
  cbrt,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  tanh,
  asinh,
  acosh,
  atanh,
  erf,
  erfc,
  abs,
  floor,
  ceil,
  round,
  trunc,
  pow_ac,  ///< a^k
  pow_ca,  ///< k^a
  pow,
  hypot,
  atan2,
  fmin,
  fmax,
  min,
  max,
  copysign,
  fma,
  count_  ///< number of codes (not an operation)
};

inline constexpr int op_count = int(Op::count_);

/// Number of recorded operands of an operation (0 to 3).
constexpr int arity(Op op) {
  switch (op) {
    case Op::input:
    case Op::constant:
    case Op::count_:
      return 0;
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
    case Op::pow:
    case Op::hypot:
    case Op::atan2:
    case Op::fmin:
    case Op::fmax:
    case Op::min:
    case Op::max:
    case Op::copysign:
      return 2;
    case Op::fma:
      return 3;
    default:
      return 1;
  }
}

/// True for operations that carry a constant operand.
constexpr bool has_constant(Op op) {
  switch (op) {
    case Op::constant:
    case Op::add_c:
    case Op::sub_ca:
    case Op::mul_c:
    case Op::div_ac:
    case Op::div_ca:
    case Op::pow_ac:
    case Op::pow_ca:
      return true;
    default:
      return false;
  }
}

/// True for operations whose second partial derivatives all vanish (almost
/// everywhere, for the piecewise-linear ones).
constexpr bool is_linear(Op op) {
  switch (op) {
    case Op::input:
    case Op::constant:
    case Op::neg:
    case Op::add_c:
    case Op::sub_ca:
    case Op::mul_c:
    case Op::div_ac:
    case Op::add:
    case Op::sub:
    case Op::abs:
    case Op::floor:
    case Op::ceil:
    case Op::round:
    case Op::trunc:
    case Op::fmin:
    case Op::fmax:
    case Op::min:
    case Op::max:
    case Op::copysign:
    case Op::count_:
      return true;
    default:
      return false;
  }
}

/// Number of distinct second partials of an operation (r(r+1)/2 when non-linear).
constexpr int hessian_entries(Op op) { return is_linear(op) ? 0 : arity(op) * (arity(op) + 1) / 2; }

/// Position of the second partial (k, l) in the packed upper triangle, k, l < arity.
constexpr int hessian_slot(int r, int k, int l) {
  return k <= l ? k * r - k * (k - 1) / 2 + (l - k) : l * r - l * (l - 1) / 2 + (k - l);
}

/// How the reverse sweep gets an operation's partials. Linear operations
/// with known partials store none: add (1, 1), sub (1, -1), add_c (1),
/// neg and sub_ca (-1), mul_c (its constant), and the rounding functions (0).
/// That saves sizeof(V) per operand on the tape and a load per operand in
/// every sweep; all other operations store theirs (`stored`).
enum class PartialKind : std::uint8_t {
  none,            ///< no operand (input, constant)
  stored,          ///< arity(op) partials in the partials stream
  add,             ///< (1, 1)
  sub,             ///< (1, -1)
  plus_one,        ///< (1)
  minus_one,       ///< (-1)
  constant_scale,  ///< (k), k the operation's constant
  zero             ///< (0)
};

constexpr PartialKind partial_kind(Op op) {
  switch (op) {
    case Op::input:
    case Op::constant:
    case Op::count_:
      return PartialKind::none;
    case Op::add:
      return PartialKind::add;
    case Op::sub:
      return PartialKind::sub;
    case Op::add_c:
      return PartialKind::plus_one;
    case Op::neg:
    case Op::sub_ca:
      return PartialKind::minus_one;
    case Op::mul_c:
      return PartialKind::constant_scale;
    case Op::floor:
    case Op::ceil:
    case Op::round:
    case Op::trunc:
      return PartialKind::zero;
    default:
      return PartialKind::stored;
  }
}

/// Number of partials an operation keeps in the partials stream.
constexpr int stored_partials(Op op) {
  return partial_kind(op) == PartialKind::stored ? arity(op) : 0;
}

/// What a sweep needs to know of a code read at run time, in one 4-byte load.
struct OpInfo {
  std::uint8_t arity;            ///< operands (entries of the arguments stream)
  std::uint8_t stored_partials;  ///< entries of the partials stream
  std::uint8_t constants;        ///< entries of the constants stream (0 or 1)
  PartialKind kind;
};
struct OpTables {
  OpInfo info[op_count];
  std::uint8_t hessian_entries[op_count];
};
inline constexpr OpTables op_tables = [] {
  OpTables t{};
  for (int i = 0; i < op_count; ++i) {
    const Op op = Op(i);
    t.info[i] = OpInfo{std::uint8_t(arity(op)), std::uint8_t(stored_partials(op)),
                       std::uint8_t(has_constant(op) ? 1 : 0), partial_kind(op)};
    t.hessian_entries[i] = std::uint8_t(hessian_entries(op));
  }
  return t;
}();

/// The partials p[0..info.arity) of a node, from its stored partials (if
/// any) and its constant (if any), for sweeps that want them uniformly.
template <class V>
inline void node_partials(const OpInfo& info, const V* stored, const V* constant, V* p) {
  switch (info.kind) {
    case PartialKind::stored:
      for (int k = 0; k < info.arity; ++k) p[k] = stored[k];
      break;
    case PartialKind::add:
      p[0] = V(1.0);
      p[1] = V(1.0);
      break;
    case PartialKind::sub:
      p[0] = V(1.0);
      p[1] = V(-1.0);
      break;
    case PartialKind::plus_one:
      p[0] = V(1.0);
      break;
    case PartialKind::minus_one:
      p[0] = V(-1.0);
      break;
    case PartialKind::constant_scale:
      p[0] = *constant;
      break;
    case PartialKind::zero:
      p[0] = V(0.0);
      break;
    default:
      break;
  }
}

/// Readable name of an operation (error messages, tape dumps).
constexpr const char* op_name(Op op) {
  constexpr const char* names[] = {
      "input", "constant", "neg",  "add_c",  "sub_ca", "mul_c",    "div_ac", "div_ca", "add",
      "sub",   "mul",      "div",  "square", "exp",    "exp2",     "expm1",  "log",    "log2",
      "log10", "log1p",    "sqrt", "cbrt",   "sin",    "cos",      "tan",    "asin",   "acos",
      "atan",  "sinh",     "cosh", "tanh",   "asinh",  "acosh",    "atanh",  "erf",    "erfc",
      "abs",   "floor",    "ceil", "round",  "trunc",  "pow_ac",   "pow_ca", "pow",    "hypot",
      "atan2", "fmin",     "fmax", "min",    "max",    "copysign", "fma"};
  static_assert(sizeof(names) / sizeof(names[0]) == op_count, "one name per code");
  return int(op) < op_count ? names[int(op)] : "?";
}

// Constants of the rules (kept here so the rules depend only on Dual's public math).
inline constexpr double rule_ln2 = 0.693147180559945309417232121458176568;
inline constexpr double rule_ln10 = 2.30258509299404568401799145468436421;
inline constexpr double rule_two_over_sqrt_pi = 1.12837916709551257389615890312154517;

/// sign(v) in {-1, 0, +1}, with sign(+-0) = 0 and sign(NaN) = 0 (as Dual's abs).
inline double rule_sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

/// Value and every lane exactly zero (recursively through duals).
template <class T>
inline bool all_zero(const T& x) {
  if constexpr (is_dual_v<T>) {
    bool zero = all_zero(x.val);
    for (int k = 0; k < T::lanes; ++k) zero = zero && all_zero(x.d[k]);
    return zero;
  } else {
    return x == T(0);
  }
}

/// Value and every lane finite (recursively through duals).
template <class T>
inline bool all_lanes_finite(const T& x) {
  if constexpr (is_dual_v<T>) {
    bool finite = all_lanes_finite(x.val);
    for (int k = 0; k < T::lanes; ++k) finite = finite && all_lanes_finite(x.d[k]);
    return finite;
  } else {
    using std::isfinite;
    return isfinite(x);
  }
}

/// The innermost value, so that branches of the rules follow the plain-double path.
template <class W>
inline auto plain(const W& w) {
  return scalar_value(w);
}

/// Value v and partials p[0..arity) of operation `op` at operands a, b, c
/// (only the first arity(op) are read) and constant k (read when
/// has_constant(op)). W is the value type (double, a Dual); K the constant's.
template <Op op, class W, class K>
inline void rule(const W& a, const W& b, const W& c, const K& k, W& v, W* p) {
  using std::abs;
  using std::acos;
  using std::acosh;
  using std::asin;
  using std::asinh;
  using std::atan;
  using std::atan2;
  using std::atanh;
  using std::cbrt;
  using std::ceil;
  using std::copysign;
  using std::cos;
  using std::cosh;
  using std::erf;
  using std::erfc;
  using std::exp;
  using std::exp2;
  using std::expm1;
  using std::floor;
  using std::fma;
  using std::fmax;
  using std::fmin;
  using std::hypot;
  using std::isnan;
  using std::log;
  using std::log10;
  using std::log1p;
  using std::log2;
  using std::pow;
  using std::round;
  using std::signbit;
  using std::sin;
  using std::sinh;
  using std::sqrt;
  using std::tan;
  using std::tanh;
  using std::trunc;
  (void)b;
  (void)c;
  (void)k;
  const W one(1.0);
  const W zero(0.0);
  if constexpr (op == Op::constant) {
    v = W(k);
  } else if constexpr (op == Op::neg) {
    v = -a;
    p[0] = -one;
  } else if constexpr (op == Op::add_c) {
    v = a + k;
    p[0] = one;
  } else if constexpr (op == Op::sub_ca) {
    v = k - a;
    p[0] = -one;
  } else if constexpr (op == Op::mul_c) {
    v = a * k;
    p[0] = W(k);
  } else if constexpr (op == Op::div_ac) {
    v = a / k;
    p[0] = one / W(k);
  } else if constexpr (op == Op::div_ca) {
    v = k / a;
    p[0] = -v / a;
  } else if constexpr (op == Op::add) {
    v = a + b;
    p[0] = one;
    p[1] = one;
  } else if constexpr (op == Op::sub) {
    v = a - b;
    p[0] = one;
    p[1] = -one;
  } else if constexpr (op == Op::mul) {
    v = a * b;
    p[0] = b;
    p[1] = a;
  } else if constexpr (op == Op::div) {
    v = a / b;
    const W inv = one / b;
    p[0] = inv;
    p[1] = -v * inv;
  } else if constexpr (op == Op::square) {
    v = a * a;
    p[0] = a + a;
  } else if constexpr (op == Op::exp) {
    v = exp(a);
    p[0] = v;
  } else if constexpr (op == Op::exp2) {
    v = exp2(a);
    p[0] = v * rule_ln2;
  } else if constexpr (op == Op::expm1) {
    v = expm1(a);
    p[0] = v + one;
  } else if constexpr (op == Op::log) {
    v = log(a);
    p[0] = one / a;
  } else if constexpr (op == Op::log2) {
    v = log2(a);
    p[0] = one / (a * rule_ln2);
  } else if constexpr (op == Op::log10) {
    v = log10(a);
    p[0] = one / (a * rule_ln10);
  } else if constexpr (op == Op::log1p) {
    v = log1p(a);
    p[0] = one / (one + a);
  } else if constexpr (op == Op::sqrt) {
    v = sqrt(a);
    p[0] = W(0.5) / v;
  } else if constexpr (op == Op::cbrt) {
    v = cbrt(a);
    p[0] = one / (W(3.0) * v * v);
  } else if constexpr (op == Op::sin) {
    v = sin(a);
    p[0] = cos(a);
  } else if constexpr (op == Op::cos) {
    v = cos(a);
    p[0] = -sin(a);
  } else if constexpr (op == Op::tan) {
    v = tan(a);
    p[0] = one + v * v;
  } else if constexpr (op == Op::asin) {
    v = asin(a);
    p[0] = one / sqrt((one - a) * (one + a));
  } else if constexpr (op == Op::acos) {
    v = acos(a);
    p[0] = -one / sqrt((one - a) * (one + a));
  } else if constexpr (op == Op::atan) {
    v = atan(a);
    p[0] = one / (one + a * a);
  } else if constexpr (op == Op::sinh) {
    v = sinh(a);
    p[0] = cosh(a);
  } else if constexpr (op == Op::cosh) {
    v = cosh(a);
    p[0] = sinh(a);
  } else if constexpr (op == Op::tanh) {
    v = tanh(a);
    p[0] = one - v * v;
  } else if constexpr (op == Op::asinh) {
    v = asinh(a);
    p[0] = one / sqrt(a * a + one);
  } else if constexpr (op == Op::acosh) {
    v = acosh(a);
    p[0] = one / sqrt((a - one) * (a + one));
  } else if constexpr (op == Op::atanh) {
    v = atanh(a);
    p[0] = one / ((one - a) * (one + a));
  } else if constexpr (op == Op::erf) {
    v = erf(a);
    p[0] = rule_two_over_sqrt_pi * exp(-a * a);
  } else if constexpr (op == Op::erfc) {
    v = erfc(a);
    p[0] = -rule_two_over_sqrt_pi * exp(-a * a);
  } else if constexpr (op == Op::abs) {
    v = abs(a);
    p[0] = W(rule_sign(plain(a)));
  } else if constexpr (op == Op::floor) {
    v = floor(a);
    p[0] = zero;
  } else if constexpr (op == Op::ceil) {
    v = ceil(a);
    p[0] = zero;
  } else if constexpr (op == Op::round) {
    v = round(a);
    p[0] = zero;
  } else if constexpr (op == Op::trunc) {
    v = trunc(a);
    p[0] = zero;
  } else if constexpr (op == Op::pow_ac) {
    v = pow(a, k);
    p[0] = plain(k) == 0 ? zero : W(k * pow(a, k - 1.0));
  } else if constexpr (op == Op::pow_ca) {
    v = pow(k, a);
    p[0] = plain(v) == 0 ? zero : W(log(k) * v);
  } else if constexpr (op == Op::pow) {
    v = pow(a, b);
    p[0] = plain(b) == 0 ? zero : W(b * pow(a, b - one));
    p[1] = plain(v) == 0 ? zero : W(log(a) * v);
  } else if constexpr (op == Op::hypot) {
    v = hypot(a, b);
    if (plain(v) == 0) {
      p[0] = zero;
      p[1] = zero;
    } else {
      p[0] = a / v;
      p[1] = b / v;
    }
  } else if constexpr (op == Op::atan2) {
    v = atan2(a, b);
    const W inv_r2 = one / (a * a + b * b);
    p[0] = b * inv_r2;
    p[1] = -a * inv_r2;
  } else if constexpr (op == Op::fmin || op == Op::fmax || op == Op::min || op == Op::max) {
    bool first;  // the rules of Dual: ties and NaNs as <cmath> and std::min/max
    if constexpr (op == Op::fmin) {
      first = (isnan(plain(b)) || !(plain(b) < plain(a))) && !isnan(plain(a));
    } else if constexpr (op == Op::fmax) {
      first = (isnan(plain(b)) || !(plain(a) < plain(b))) && !isnan(plain(a));
    } else if constexpr (op == Op::min) {
      first = !(plain(b) < plain(a));
    } else {
      first = !(plain(a) < plain(b));
    }
    v = first ? a : b;
    p[0] = first ? one : zero;
    p[1] = first ? zero : one;
  } else if constexpr (op == Op::copysign) {
    v = copysign(a, b);
    const double s = rule_sign(plain(a));
    p[0] = W(signbit(plain(b)) ? -s : s);
    p[1] = zero;
  } else if constexpr (op == Op::fma) {
    v = fma(a, b, c);
    p[0] = b;
    p[1] = a;
    p[2] = one;
  } else {
    static_assert(op == Op::input, "no rule for this operation");
  }
}

/// Calls `visitor(std::integral_constant<Op, op>{})` for the run-time code
/// `op`: the one switch over all codes, so sweeps stay in sync with the list.
template <class Visitor>
[[gnu::always_inline]] inline decltype(auto) visit_op(Op op, Visitor&& visitor) {
  using O = Op;
  switch (op) {
    case O::input:
      return visitor(std::integral_constant<O, O::input>{});
    case O::constant:
      return visitor(std::integral_constant<O, O::constant>{});
    case O::neg:
      return visitor(std::integral_constant<O, O::neg>{});
    case O::add_c:
      return visitor(std::integral_constant<O, O::add_c>{});
    case O::sub_ca:
      return visitor(std::integral_constant<O, O::sub_ca>{});
    case O::mul_c:
      return visitor(std::integral_constant<O, O::mul_c>{});
    case O::div_ac:
      return visitor(std::integral_constant<O, O::div_ac>{});
    case O::div_ca:
      return visitor(std::integral_constant<O, O::div_ca>{});
    case O::add:
      return visitor(std::integral_constant<O, O::add>{});
    case O::sub:
      return visitor(std::integral_constant<O, O::sub>{});
    case O::mul:
      return visitor(std::integral_constant<O, O::mul>{});
    case O::div:
      return visitor(std::integral_constant<O, O::div>{});
    case O::square:
      return visitor(std::integral_constant<O, O::square>{});
    case O::exp:
      return visitor(std::integral_constant<O, O::exp>{});
    case O::exp2:
      return visitor(std::integral_constant<O, O::exp2>{});
    case O::expm1:
      return visitor(std::integral_constant<O, O::expm1>{});
    case O::log:
      return visitor(std::integral_constant<O, O::log>{});
    case O::log2:
      return visitor(std::integral_constant<O, O::log2>{});
    case O::log10:
      return visitor(std::integral_constant<O, O::log10>{});
    case O::log1p:
      return visitor(std::integral_constant<O, O::log1p>{});
    case O::sqrt:
      return visitor(std::integral_constant<O, O::sqrt>{});
    case O::cbrt:
      return visitor(std::integral_constant<O, O::cbrt>{});
    case O::sin:
      return visitor(std::integral_constant<O, O::sin>{});
    case O::cos:
      return visitor(std::integral_constant<O, O::cos>{});
    case O::tan:
      return visitor(std::integral_constant<O, O::tan>{});
    case O::asin:
      return visitor(std::integral_constant<O, O::asin>{});
    case O::acos:
      return visitor(std::integral_constant<O, O::acos>{});
    case O::atan:
      return visitor(std::integral_constant<O, O::atan>{});
    case O::sinh:
      return visitor(std::integral_constant<O, O::sinh>{});
    case O::cosh:
      return visitor(std::integral_constant<O, O::cosh>{});
    case O::tanh:
      return visitor(std::integral_constant<O, O::tanh>{});
    case O::asinh:
      return visitor(std::integral_constant<O, O::asinh>{});
    case O::acosh:
      return visitor(std::integral_constant<O, O::acosh>{});
    case O::atanh:
      return visitor(std::integral_constant<O, O::atanh>{});
    case O::erf:
      return visitor(std::integral_constant<O, O::erf>{});
    case O::erfc:
      return visitor(std::integral_constant<O, O::erfc>{});
    case O::abs:
      return visitor(std::integral_constant<O, O::abs>{});
    case O::floor:
      return visitor(std::integral_constant<O, O::floor>{});
    case O::ceil:
      return visitor(std::integral_constant<O, O::ceil>{});
    case O::round:
      return visitor(std::integral_constant<O, O::round>{});
    case O::trunc:
      return visitor(std::integral_constant<O, O::trunc>{});
    case O::pow_ac:
      return visitor(std::integral_constant<O, O::pow_ac>{});
    case O::pow_ca:
      return visitor(std::integral_constant<O, O::pow_ca>{});
    case O::pow:
      return visitor(std::integral_constant<O, O::pow>{});
    case O::hypot:
      return visitor(std::integral_constant<O, O::hypot>{});
    case O::atan2:
      return visitor(std::integral_constant<O, O::atan2>{});
    case O::fmin:
      return visitor(std::integral_constant<O, O::fmin>{});
    case O::fmax:
      return visitor(std::integral_constant<O, O::fmax>{});
    case O::min:
      return visitor(std::integral_constant<O, O::min>{});
    case O::max:
      return visitor(std::integral_constant<O, O::max>{});
    case O::copysign:
      return visitor(std::integral_constant<O, O::copysign>{});
    case O::fma:
      return visitor(std::integral_constant<O, O::fma>{});
    default:
      return visitor(std::integral_constant<O, O::count_>{});
  }
}

/// Second partials of a non-linear operation at operand values a[0..r) and
/// constant k (double-valued tapes): h[hessian_slot(r, i, j)] = ∂²φ/∂a_i∂a_j.
/// Evaluates the rule on Dual<double, r> seeded on the operands: the lanes of
/// the first partials are the second partials.
template <Op op>
inline void second_partials(const double* a, double k, double* h) {
  constexpr int r = arity(op);
  if constexpr (r >= 1 && !is_linear(op)) {
    using W = Dual<double, r>;
    W in[3] = {W(0.0), W(0.0), W(0.0)};
    for (int i = 0; i < r; ++i) in[i] = W::variable(a[i], i);
    W v, p[3];
    rule<op, W, double>(in[0], in[1], in[2], k, v, p);
    for (int i = 0; i < r; ++i)
      for (int j = i; j < r; ++j) h[hessian_slot(r, i, j)] = p[i].d[j];
  } else {
    (void)a;
    (void)k;
    (void)h;
  }
}

}  // namespace sparsediff::detail
