#pragma once
/// @file
/// Reverse mode: `Tape<V>` and the active scalar `Reverse<V>`.
///
/// Run a function written as a template on its scalar with T = Reverse<V>,
/// and every elemental operation it performs on values that depend on the
/// inputs is appended to a tape: an operation code, the tape positions
/// ("nodes") of its operands, and the partial derivatives of the result with
/// respect to them. The reverse sweep then walks the tape backwards once,
/// accumulating adjoints ā_operand += ∂φ/∂operand · ā_result, and leaves the
/// gradient of a scalar output — or w^T J for a vector output with weights w —
/// in the adjoints of the inputs, at a cost that is a small multiple of one
/// evaluation whatever the number of inputs (Griewank & Walther, *Evaluating
/// Derivatives*, 2nd ed., SIAM 2008, ch. 3 and 6; the "operation overloading"
/// tape of ADOL-C and CppAD).
///
/// Value types. V = double gives gradients. V = Dual<double, K> records a tape
/// whose values carry K directions: seeding the inputs with x + ε v_l, the
/// reverse sweep of that tape yields ∇f + ε H v_l, K Hessian-vector products in
/// one sweep (forward-over-reverse, Pearlmutter 1994; see hessian/hvp.hpp).
/// Values and partials are computed with V's own math (the `Dual` functions
/// for a dual), through the rules of ad/detail/tape_ops.hpp.
///
/// Replay. Because the tape stores operation codes and constants, not only
/// partials, it can be re-evaluated at a new x without running the user's
/// function again (`Tape::replay`), recomputing values and partials in one
/// forward pass — valid as long as the control flow is the same at the new x.
/// Every comparison on a `Reverse` value (`<`, `==`, ..., `isfinite`, and those
/// inside std::max & co.) records its outcome; replay re-evaluates them and
/// throws `BranchChanged`, naming the first comparison whose outcome differs,
/// so a replayed tape is never silently wrong. Control flow the tape cannot
/// see — on `value()` of a Reverse, or on data other than the inputs — is the
/// caller's responsibility. fmin/fmax/min/max/abs and the rounding functions
/// are operations, not comparisons: replay re-selects, it never refuses them.
///
/// Recording is per thread. The tape operations go to is the calling thread's
/// active tape, set by a `Recording` scope (RAII, nestable), so several
/// threads may record their own tapes at the same time; a Reverse value is
/// valid only inside the recording that made it. A Reverse is 16 bytes (for
/// V = double): its value and its node, -1 for a constant. Operations on
/// constants only are not recorded.
///
/// Memory. Per operation: 1 byte of code, 4 bytes per recorded operand (1 or
/// 2 for almost all operations), sizeof(V) per partial that is not implied by
/// the code (add, sub, neg, scaling by a constant store none), sizeof(V) per
/// constant operand; sizeof(V) more per node for the adjoints of a sweep and
/// the values of a replay. Storage grows geometrically and is kept by the
/// tape, so recording again on the same tape allocates nothing (see
/// statistics()); appending costs a counter decrement and plain stores.
///
///     struct Rosenbrock {
///       template <class T>
///       T operator()(const T* x) const {
///         T a = 1.0 - x[0], b = x[1] - x[0] * x[0];
///         return a * a + 100.0 * b * b;
///       }
///     };
///     std::vector<double> g = sparsediff::gradient(Rosenbrock{}, {-1.2, 1.0});
///
/// Math is found by argument-dependent lookup: write `using std::exp; exp(x)`
/// (or `exp(x)`), not `std::exp(x)`. Tapes are host objects (std containers,
/// exceptions); use them outside Kokkos kernels.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sparsediff/ad/detail/tape_ops.hpp"
#include "sparsediff/ad/detail/tape_stream.hpp"
#include "sparsediff/ad/dual.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {

template <class V = double>
class Tape;
template <class V = double>
class Reverse;
template <class V = double>
class Recording;

/// Replay of a tape at a point where a recorded comparison has another
/// outcome: the control flow of the function depends on x there, and the
/// tape must be recorded again. The message names the comparison.
class BranchChanged : public Error {
 public:
  using Error::Error;
};

/// Sizes and memory of a recorded tape.
struct TapeStatistics {
  std::size_t operations = 0;     ///< nodes: inputs, constants and operations
  std::size_t inputs = 0;         ///< independent variables
  std::size_t outputs = 0;        ///< dependent variables
  std::size_t operands = 0;       ///< recorded operand slots (4-byte node indices)
  std::size_t partials = 0;       ///< stored partials (those not implied by the code)
  std::size_t constants = 0;      ///< constant operands stored for replay
  std::size_t comparisons = 0;    ///< recorded comparison outcomes
  std::size_t bytes = 0;          ///< storage held by the tape (capacity, all buffers)
  std::size_t reallocations = 0;  ///< growths of the operation storage since construction
};

namespace detail {

/// True when S mixes with Reverse<V> as a constant: an arithmetic type (int
/// literals included), V itself, or a constant of V (for a dual V).
template <class S, class V>
inline constexpr bool is_constant_for_v =
    std::is_arithmetic_v<S> || std::is_same_v<S, V> || is_scalar_for_v<S, V>;
template <class S, class V>
using enable_constant_t = std::enable_if_t<is_constant_for_v<S, V>, int>;

/// Tag of the Reverse constructor that names a node (internal use).
struct NodeTag {};

/// The calling thread's active tape for value type V (nullptr: none).
template <class V>
inline Tape<V>*& active_tape_slot() noexcept {
  static thread_local Tape<V>* tape = nullptr;
  return tape;
}

[[noreturn]] inline void throw_not_recording() {
  throw Error(
      "Reverse: operation on a value that depends on the inputs, but this thread is not "
      "recording (a Reverse value is valid only inside the Recording that created it)");
}

template <class V>
inline Tape<V>& active_tape() {
  Tape<V>* tape = active_tape_slot<V>();
  if (tape == nullptr) throw_not_recording();
  return *tape;
}

/// Kinds of recorded comparisons.
enum class Compare : std::uint8_t { eq, ne, lt, le, gt, ge, isfinite, isnan, isinf };

inline const char* compare_symbol(Compare kind) {
  constexpr const char* symbols[] = {"==", "!=",       "<",     "<=",   ">",
                                     ">=", "isfinite", "isnan", "isinf"};
  return symbols[int(kind)];
}

template <class V>
inline bool evaluate_comparison(Compare kind, const V& a, const V& b) {
  using std::isfinite;
  using std::isinf;
  using std::isnan;
  switch (kind) {
    case Compare::eq:
      return a == b;
    case Compare::ne:
      return a != b;
    case Compare::lt:
      return a < b;
    case Compare::le:
      return a <= b;
    case Compare::gt:
      return a > b;
    case Compare::ge:
      return a >= b;
    case Compare::isfinite:
      return isfinite(a);
    case Compare::isnan:
      return isnan(a);
    default:
      return isinf(a);
  }
}

/// One recorded comparison: operands (node, or -1 and a constant value), the
/// outcome when recorded, and the number of nodes recorded before it.
template <class V>
struct RecordedComparison {
  Compare kind;
  bool outcome;
  Index lhs, rhs;
  V lhs_value, rhs_value;
  std::size_t position;
};

template <class V>
inline void require_finite(const char* function, const char* name, const std::vector<V>& x) {
  for (std::size_t j = 0; j < x.size(); ++j)
    if (!all_lanes_finite(x[j])) {
      std::ostringstream message;
      message << name << "[" << j << "] = " << x[j] << " is not finite";
      raise<InvalidArgument>(function, message.str());
    }
}

}  // namespace detail

// ---------------------------------------------------------------- Reverse

/// The active scalar of reverse mode: a value of type V and the tape node it
/// was recorded as (-1 for a constant, which is never recorded).
///
/// Trivially copyable, 16 bytes for V = double. Operations on it record onto
/// the calling thread's active tape (see `Recording`).
/// @tparam V value type: double, or Dual<double, K> for Hessian-vector products.
template <class V>
class Reverse {
 public:
  using value_type = V;

  /// The constant 0.
  Reverse() : value_(0.0) {}
  /// A constant (not recorded). Implicit, so `T s = 0;` and `x + 2` work.
  template <class S, detail::enable_constant_t<S, V> = 0>
  Reverse(const S& value) : value_(value) {}  // NOLINT(google-explicit-constructor)
  /// The value of tape node `node` (internal: made by the tape).
  Reverse(const V& value, Index node, detail::NodeTag) : value_(value), node_(node) {}

  /// The value. Branching on it escapes the tape's comparison record (see file comment).
  const V& value() const noexcept { return value_; }
  /// The tape node, -1 for a constant.
  Index node() const noexcept { return node_; }
  /// True when the value depends on the inputs of the recording.
  bool is_active() const noexcept { return node_ >= 0; }

  [[gnu::always_inline]] Reverse& operator+=(const Reverse& b) { return *this = *this + b; }
  [[gnu::always_inline]] Reverse& operator-=(const Reverse& b) { return *this = *this - b; }
  [[gnu::always_inline]] Reverse& operator*=(const Reverse& b) { return *this = *this * b; }
  [[gnu::always_inline]] Reverse& operator/=(const Reverse& b) { return *this = *this / b; }
  template <class S, detail::enable_constant_t<S, V> = 0>
  [[gnu::always_inline]] Reverse& operator+=(const S& b) {
    return *this = *this + Reverse(b);
  }
  template <class S, detail::enable_constant_t<S, V> = 0>
  [[gnu::always_inline]] Reverse& operator-=(const S& b) {
    return *this = *this - Reverse(b);
  }
  template <class S, detail::enable_constant_t<S, V> = 0>
  [[gnu::always_inline]] Reverse& operator*=(const S& b) {
    return *this = *this * Reverse(b);
  }
  template <class S, detail::enable_constant_t<S, V> = 0>
  [[gnu::always_inline]] Reverse& operator/=(const S& b) {
    return *this = *this / Reverse(b);
  }

 private:
  V value_;
  Index node_ = -1;
};

/// The innermost arithmetic value (through a dual V).
template <class V>
inline scalar_type_t<V> scalar_value(const Reverse<V>& x) {
  return scalar_value(x.value());
}

// ---------------------------------------------------------------- Tape

/// A recorded straight-line program, for reverse sweeps and replays.
///
/// Typical use is through `record` (runs a templated function on Reverse<V>
/// inputs) followed by `gradient` / `reverse`, and `replay` at new points.
/// A tape is recorded by one thread at a time; sweeps use work buffers owned
/// by the tape, so one tape must not be swept from two threads at once.
/// @tparam V value type: double, or Dual<double, K>.
template <class V>
class Tape {
 public:
  using value_type = V;

  Tape() = default;
  Tape(Tape&&) noexcept = default;
  Tape& operator=(Tape&&) noexcept = default;
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // ---------------------------------------------------------------- recording

  /// Records y = f(x) for a scalar objective
  /// `template <class T> T operator()(const T* x) const`; returns f(x).
  /// Clears the previous recording (keeping its storage).
  /// @throws InvalidArgument for a non-finite x (naming the entry). O(ops of f).
  template <class F>
  V record(const F& f, const std::vector<V>& x) {
    detail::require_finite("Tape::record", "x", x);
    Recording<V> recording(*this);
    make_inputs(x);
    const Reverse<V> y = f(static_cast<const Reverse<V>*>(input_buffer_.data()));
    add_output(y);
    return y.value();
  }

  /// Records y = f(x) for a whole-vector function
  /// `template <class T> void operator()(const T* x, T* y) const` with m
  /// outputs (y starts as m constant zeros); y receives f(x).
  /// @throws InvalidArgument for m < 0 or a non-finite x. O(ops of f).
  template <class F>
  void record(const F& f, Index m, const std::vector<V>& x, std::vector<V>& y) {
    SPARSEDIFF_REQUIRE(m >= 0, InvalidArgument, "negative number of outputs " << m);
    detail::require_finite("Tape::record", "x", x);
    Recording<V> recording(*this);
    make_inputs(x);
    output_buffer_.assign(std::size_t(m), Reverse<V>());
    f(static_cast<const Reverse<V>*>(input_buffer_.data()), output_buffer_.data());
    y.resize(std::size_t(m));
    for (Index i = 0; i < m; ++i) {
      add_output(output_buffer_[i]);
      y[i] = output_buffer_[i].value();
    }
  }

  /// A new independent variable with value v (input number num_inputs()).
  /// @throws Error when this tape is not the thread's active recording. O(1).
  Reverse<V> new_input(const V& v) {
    require_recording("Tape::new_input");
    inputs_.push_back(Index(codes_.size()));
    return push<detail::Op::input>(v, v, v, -1, -1, -1, v);
  }

  /// Declares y a dependent variable (output number num_outputs()); a
  /// constant y is allowed (its derivatives are zero).
  /// @throws Error when this tape is not the thread's active recording. O(1).
  void add_output(const Reverse<V>& y) {
    require_recording("Tape::add_output");
    outputs_.push_back(y.node());
    output_values_.push_back(y.value());
  }

  /// Empties the tape, keeping its storage.
  void clear() noexcept {
    codes_.clear();
    args_.clear();
    partials_.clear();
    constants_.clear();
    comparisons_.clear();
    inputs_.clear();
    outputs_.clear();
    output_values_.clear();
    state_ = State::empty;
    values_valid_ = false;
    adjoints_valid_ = false;
  }

  // ---------------------------------------------------------------- sizes

  Index num_inputs() const noexcept { return Index(inputs_.size()); }
  Index num_outputs() const noexcept { return Index(outputs_.size()); }
  /// Recorded nodes: inputs, promoted constants and operations.
  std::size_t num_operations() const noexcept { return codes_.size(); }
  std::size_t num_comparisons() const noexcept { return comparisons_.size(); }
  /// True when a recording finished (and no replay was refused since).
  bool is_recorded() const noexcept { return state_ == State::recorded; }

  TapeStatistics statistics() const {
    TapeStatistics s;
    s.operations = codes_.size();
    s.inputs = inputs_.size();
    s.outputs = outputs_.size();
    s.operands = args_.size();
    s.partials = partials_.size();
    s.constants = constants_.size();
    s.comparisons = comparisons_.size();
    s.bytes = memory_bytes();
    s.reallocations = codes_.reallocations() + args_.reallocations() + partials_.reallocations() +
                      constants_.reallocations();
    return s;
  }

  /// Bytes of storage held (capacities of all buffers, work buffers included).
  std::size_t memory_bytes() const noexcept {
    return codes_.capacity() * sizeof(detail::Op) + args_.capacity() * sizeof(Index) +
           (partials_.capacity() + constants_.capacity() + values_.capacity() +
            adjoints_.capacity()) *
               sizeof(V) +
           comparisons_.capacity() * sizeof(detail::RecordedComparison<V>) +
           (inputs_.capacity() + outputs_.capacity()) * sizeof(Index) +
           output_values_.capacity() * sizeof(V);
  }

  /// The outputs at the last recording or replay.
  const std::vector<V>& output_values() const noexcept { return output_values_; }

  // ---------------------------------------------------------------- sweeps

  /// Re-evaluates a one-output tape at a new x (values and partials), without
  /// calling the function again; returns the output.
  /// @throws DimensionMismatch for a wrong-size x, InvalidArgument for a
  /// non-finite entry or a tape without exactly one output, BranchChanged
  /// when a recorded comparison has another outcome at x (the tape is then
  /// unusable until recorded again). O(ops).
  V replay(const std::vector<V>& x) {
    SPARSEDIFF_REQUIRE(
        outputs_.size() == 1, InvalidArgument,
        "the tape has " << outputs_.size() << " outputs; use replay(x, y) for several");
    replay_impl(x);
    return output_values_[0];
  }

  /// Re-evaluates the tape at a new x; y receives the outputs. See replay(x).
  void replay(const std::vector<V>& x, std::vector<V>& y) {
    replay_impl(x);
    y = output_values_;
  }

  /// The gradient of the single output with respect to the inputs, at the
  /// point of the last recording or replay.
  /// @throws InvalidArgument for a tape without exactly one output; Error for
  /// a tape not (validly) recorded. O(ops).
  void gradient(std::vector<V>& g) {
    SPARSEDIFF_REQUIRE(
        outputs_.size() == 1, InvalidArgument,
        "the tape has " << outputs_.size() << " outputs; use reverse(w, result) for several");
    const V one(1.0);
    sweep(&one, g);
  }

  /// result = w^T J, the vector-Jacobian product at the point of the last
  /// recording or replay (w has one weight per output).
  /// @throws DimensionMismatch for a wrong-size w; InvalidArgument for a
  /// non-finite weight. O(ops).
  void reverse(const std::vector<V>& w, std::vector<V>& result) {
    SPARSEDIFF_REQUIRE(
        w.size() == outputs_.size(), DimensionMismatch,
        "w has " << w.size() << " entries, the tape " << outputs_.size() << " outputs");
    detail::require_finite("Tape::reverse", "w", w);
    sweep(w.data(), result);
  }

  // ---------------------------------------------------------------- raw access
  // For library algorithms that walk the tape (Hessian-vector products,
  // sparse Hessians). Node i has code codes()[i]; reading the streams in node
  // order, its operands are the next arity(code) entries of arguments(), its
  // stored partials the next stored_partials(code) entries of partials(),
  // its constant (if has_constant(code)) the next entry of constants();
  // detail::node_partials gives all its partials (ad/detail/tape_ops.hpp).

  const detail::Op* codes() const noexcept { return codes_.data(); }
  const Index* arguments() const noexcept { return args_.data(); }
  const V* partials() const noexcept { return partials_.data(); }
  const V* constants() const noexcept { return constants_.data(); }
  std::size_t num_operands() const noexcept { return args_.size(); }
  std::size_t num_stored_partials() const noexcept { return partials_.size(); }
  /// Node of each input, in input order.
  const std::vector<Index>& input_nodes() const noexcept { return inputs_; }
  /// Node of each output (-1 for a constant output).
  const std::vector<Index>& output_nodes() const noexcept { return outputs_; }
  /// Node values at the last replay; nullptr when the tape was not replayed
  /// since it was recorded.
  const V* values() const noexcept { return values_valid_ ? values_.data() : nullptr; }
  /// Node adjoints of the last sweep (gradient/reverse) when keep_adjoints(true)
  /// was set before it; nullptr otherwise.
  const V* adjoints() const noexcept { return adjoints_valid_ ? adjoints_.data() : nullptr; }
  /// Whether sweeps keep every node's adjoint readable through adjoints().
  /// Off by default: a sweep then clears each adjoint as it consumes it,
  /// which saves clearing the array before the next sweep.
  void keep_adjoints(bool keep) noexcept { keep_adjoints_ = keep; }

 private:
  enum class State : std::uint8_t { empty, recording, recorded, invalid };

  friend class Recording<V>;
  template <detail::Op op, class W>
  friend Reverse<W> detail_record(const Reverse<W>&, const Reverse<W>&, const Reverse<W>&,
                                  const W&);
  template <class W>
  friend Index detail_node_of(Tape<W>&, const Reverse<W>&);
  template <class W>
  friend void detail_record_comparison(detail::Compare, const Reverse<W>&, const Reverse<W>&, bool);

  void require_recording(const char* function) const {
    if (detail::active_tape_slot<V>() != this || state_ != State::recording)
      detail::raise<Error>(function, "this tape is not the active recording of this thread");
  }

  void make_inputs(const std::vector<V>& x) {
    SPARSEDIFF_REQUIRE(x.size() <= std::size_t(std::numeric_limits<Index>::max()), InvalidArgument,
                       "too many inputs: " << x.size());
    input_buffer_.clear();
    input_buffer_.reserve(x.size());
    for (const V& v : x) input_buffer_.push_back(new_input(v));
  }

  /// Appends node `op` with operands (a, b, c) at nodes (ia, ib, ic) — the
  /// first arity(op) of them — and constant k; returns its Reverse value.
  /// The fast path is a counter decrement and unchecked stores: make_room()
  /// guarantees room for `room_` more operations of any kind.
  template <detail::Op op>
  [[gnu::always_inline]] inline Reverse<V> push(const V& a, const V& b, const V& c, Index ia,
                                                Index ib, Index ic, const V& k) {
    constexpr int r = detail::arity(op);
    constexpr int stored = detail::stored_partials(op);
    if (room_ == 0) make_room();
    --room_;
    const Index node = Index(codes_.size());
    codes_.unchecked_push_back(op);
    if constexpr (r >= 1) {
      Index* slots = args_.unchecked_extend(r);
      slots[0] = ia;
      if constexpr (r >= 2) slots[1] = ib;
      if constexpr (r >= 3) slots[2] = ic;
    } else {
      (void)ia;
      (void)ib;
      (void)ic;
    }
    if constexpr (detail::has_constant(op)) constants_.unchecked_push_back(k);
    if constexpr (op == detail::Op::input) {
      return Reverse<V>(a, node, detail::NodeTag{});
    } else {
      V v;
      if constexpr (stored > 0) {
        detail::rule<op, V, V>(a, b, c, k, v, partials_.unchecked_extend(stored));
      } else {
        V unused[3];
        detail::rule<op, V, V>(a, b, c, k, v, unused);
      }
      return Reverse<V>(v, node, detail::NodeTag{});
    }
  }

  /// Room for at least one more batch of operations (each at most 3
  /// operands, 3 partials and 1 constant); sets room_.
  [[gnu::noinline]] void make_room() {
    constexpr std::size_t batch = 4096;
    const std::size_t limit = std::size_t(std::numeric_limits<Index>::max());
    if (codes_.size() >= limit)
      detail::raise<NotSupported>("Tape::record", "more than 2^31 - 1 recorded operations");
    codes_.ensure_room(batch);
    args_.ensure_room(3 * batch);
    partials_.ensure_room(3 * batch);
    constants_.ensure_room(batch);
    room_ = std::min({codes_.room(), args_.room() / 3, partials_.room() / 3, constants_.room(),
                      limit - codes_.size()});
  }

  Index push_constant(const V& k) {
    return push<detail::Op::constant>(k, k, k, -1, -1, -1, k).node();
  }

  void record_comparison(detail::Compare kind, const Reverse<V>& a, const Reverse<V>& b,
                         bool outcome) {
    comparisons_.push_back(detail::RecordedComparison<V>{kind, outcome, a.node(), b.node(),
                                                         a.value(), b.value(), codes_.size()});
  }

  void require_swept_state(const char* function) const {
    if (state_ != State::recorded)
      detail::raise<Error>(function, state_ == State::invalid
                                         ? "the last replay was refused or the recording "
                                           "failed: record the tape again"
                                         : "nothing recorded (or still recording)");
  }

  void replay_impl(const std::vector<V>& x) {
    require_swept_state("Tape::replay");
    SPARSEDIFF_REQUIRE(
        x.size() == inputs_.size(), DimensionMismatch,
        "x has " << x.size() << " entries, the tape " << inputs_.size() << " inputs");
    detail::require_finite("Tape::replay", "x", x);
    forward(x.data());
    check_comparisons();
    for (std::size_t i = 0; i < outputs_.size(); ++i)
      if (outputs_[i] >= 0) output_values_[i] = values_[std::size_t(outputs_[i])];
  }

  /// One forward pass over the tape: node values and stored partials at x.
  void forward(const V* x) {
    using detail::Op;
    const std::size_t num_nodes = codes_.size();
    values_.resize(num_nodes);
    adjoints_valid_ = false;
    const Op* code = codes_.data();
    const Index* arg = args_.data();
    V* partial = partials_.data();
    const V* constant = constants_.data();
    V* value = values_.data();
    const V zero(0.0);
    V unused[3];
    std::size_t next_input = 0;
    for (std::size_t i = 0; i < num_nodes; ++i) {
      detail::visit_op(code[i], [&](auto tag) {
        constexpr Op op = decltype(tag)::value;
        if constexpr (op == Op::input) {
          value[i] = x[next_input++];
        } else if constexpr (op != Op::count_) {
          constexpr int r = detail::arity(op);
          constexpr int stored = detail::stored_partials(op);
          const V& a = r >= 1 ? value[arg[0]] : zero;
          const V& b = r >= 2 ? value[arg[1]] : zero;
          const V& c = r >= 3 ? value[arg[2]] : zero;
          const V& k = detail::has_constant(op) ? *constant : zero;
          detail::rule<op, V, V>(a, b, c, k, value[i], stored > 0 ? partial : unused);
          arg += r;
          partial += stored;
          constant += detail::has_constant(op) ? 1 : 0;
        }
      });
    }
    values_valid_ = true;
  }

  void check_comparisons() {
    const V* value = values_.data();
    for (std::size_t c = 0; c < comparisons_.size(); ++c) {
      const auto& cmp = comparisons_[c];
      const V& a = cmp.lhs >= 0 ? value[cmp.lhs] : cmp.lhs_value;
      const V& b = cmp.rhs >= 0 ? value[cmp.rhs] : cmp.rhs_value;
      if (detail::evaluate_comparison(cmp.kind, a, b) == cmp.outcome) continue;
      state_ = State::invalid;
      values_valid_ = false;
      std::ostringstream message;
      message << "comparison " << c << " of " << comparisons_.size() << " (";
      const bool unary = cmp.kind >= detail::Compare::isfinite;
      if (unary) {
        message << detail::compare_symbol(cmp.kind) << "(" << describe(cmp.lhs, cmp.lhs_value)
                << ")";
      } else {
        message << describe(cmp.lhs, cmp.lhs_value) << " " << detail::compare_symbol(cmp.kind)
                << " " << describe(cmp.rhs, cmp.rhs_value);
      }
      message << ", recorded after operation " << cmp.position << " of " << codes_.size()
              << ") was " << (cmp.outcome ? "true" : "false") << " when recorded and is "
              << (cmp.outcome ? "false" : "true")
              << " at the new point: the control flow depends on x here; record the tape again";
      detail::raise<BranchChanged>("Tape::replay", message.str());
    }
  }

  std::string describe(Index node, const V& constant) const {
    std::ostringstream s;
    if (node < 0)
      s << "constant " << constant;
    else
      s << "node " << node << " (" << detail::op_name(codes_[std::size_t(node)]) << ")";
    return s.str();
  }

  /// Reverse sweep seeded with weights w on the outputs; result = adjoints of
  /// the inputs. Unless keep_adjoints_, each adjoint is reset to zero once
  /// read, so the next sweep starts from a clean array without clearing it.
  void sweep(const V* w, std::vector<V>& result) {
    using detail::PartialKind;
    require_swept_state("Tape::reverse");
    const std::size_t num_nodes = codes_.size();
    if (adjoints_.size() != num_nodes || adjoints_dirty_) {
      adjoints_.resize(num_nodes);
      std::fill(adjoints_.data(), adjoints_.data() + num_nodes, V(0.0));
    }
    V* adj = adjoints_.data();
    for (std::size_t k = 0; k < outputs_.size(); ++k)
      if (outputs_[k] >= 0) adj[outputs_[k]] += w[k];
    result.resize(inputs_.size());
    std::size_t next_input = inputs_.size();
    const detail::Op* code = codes_.data();
    const Index* arg = args_.data() + args_.size();
    const V* partial = partials_.data() + partials_.size();
    const V* constant = constants_.data() + constants_.size();
    const bool keep = keep_adjoints_;
    // The contribution to node i - 1 stays in a register until node i - 1 is
    // processed: most nodes feed the very next one, and going through memory
    // would make every step wait on the previous step's store.
    V pending(0.0);
    for (std::size_t i = num_nodes; i-- > 0;) {
      const detail::OpInfo info = detail::op_tables.info[int(code[i])];
      arg -= info.arity;
      partial -= info.stored_partials;
      constant -= info.constants;
      const V g = adj[i] + pending;
      pending = V(0.0);
      adj[i] = keep ? g : V(0.0);
      // A zero adjoint contributes nothing, even through an infinite partial
      // (the structural-zero rule of Dual, e.g. sqrt at 0 in an unused term).
      if (detail::all_zero(g)) {
        if (code[i] == detail::Op::input) result[--next_input] = g;
        continue;
      }
      const Index previous = Index(i) - 1;
      auto add = [&](Index a, const V& c) {
        if (a == previous)
          pending += c;
        else
          adj[a] += c;
      };
      switch (info.kind) {
        case PartialKind::stored:
          add(arg[0], partial[0] * g);
          if (info.arity > 1) add(arg[1], partial[1] * g);
          if (info.arity > 2) add(arg[2], partial[2] * g);
          break;
        case PartialKind::add:
          add(arg[0], g);
          add(arg[1], g);
          break;
        case PartialKind::sub:
          add(arg[0], g);
          add(arg[1], -g);
          break;
        case PartialKind::plus_one:
          add(arg[0], g);
          break;
        case PartialKind::minus_one:
          add(arg[0], -g);
          break;
        case PartialKind::constant_scale:
          add(arg[0], *constant * g);
          break;
        case PartialKind::zero:
          break;
        case PartialKind::none:
          if (code[i] == detail::Op::input) result[--next_input] = g;
          break;
      }
    }
    adjoints_valid_ = keep;
    adjoints_dirty_ = keep;
  }

  detail::TapeStream<detail::Op> codes_;
  detail::TapeStream<Index> args_;
  detail::TapeStream<V> partials_;
  detail::TapeStream<V> constants_;
  detail::TapeStream<V> values_;
  detail::TapeStream<V> adjoints_;
  std::vector<detail::RecordedComparison<V>> comparisons_;
  std::vector<Index> inputs_;
  std::vector<Index> outputs_;
  std::vector<V> output_values_;
  std::vector<Reverse<V>> input_buffer_;
  std::vector<Reverse<V>> output_buffer_;
  std::size_t room_ = 0;  // operations that fit before make_room() must run
  State state_ = State::empty;
  bool values_valid_ = false;
  bool adjoints_valid_ = false;
  bool adjoints_dirty_ = false;
  bool keep_adjoints_ = false;
};

// ---------------------------------------------------------------- Recording

/// Makes a tape the calling thread's active recording for its lifetime.
///
/// Construction clears the tape (keeping its storage); operations on Reverse
/// values of this thread record onto it until the scope ends, when the
/// previously active tape (if any) is restored, so recordings nest. If the
/// scope ends by an exception, the tape is marked unusable.
///
///     sparsediff::Tape<> tape;
///     {
///       sparsediff::Recording<> recording(tape);
///       auto x = tape.new_input(2.0), y = tape.new_input(3.0);
///       tape.add_output(x * sin(y));
///     }
///     std::vector<double> g;
///     tape.gradient(g);
template <class V>
class Recording {
 public:
  explicit Recording(Tape<V>& tape)
      : tape_(tape),
        previous_(detail::active_tape_slot<V>()),
        exceptions_(std::uncaught_exceptions()) {
    tape_.clear();
    tape_.state_ = Tape<V>::State::recording;
    detail::active_tape_slot<V>() = &tape_;
  }
  ~Recording() {
    tape_.state_ = std::uncaught_exceptions() > exceptions_ ? Tape<V>::State::invalid
                                                            : Tape<V>::State::recorded;
    detail::active_tape_slot<V>() = previous_;
  }
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

 private:
  Tape<V>& tape_;
  Tape<V>* previous_;
  int exceptions_;
};

// ---------------------------------------------------------------- recording helpers
// Free functions befriended by Tape (names outside detail so the friend
// declarations stay simple).

/// Records `op` on operands that are all active (the first arity(op) of a, b, c).
template <detail::Op op, class W>
[[gnu::always_inline]] inline Reverse<W> detail_record(const Reverse<W>& a, const Reverse<W>& b,
                                                       const Reverse<W>& c, const W& k) {
  return detail::active_tape<W>().template push<op>(a.value(), b.value(), c.value(), a.node(),
                                                    b.node(), c.node(), k);
}

/// The node of x, promoting a constant to a node.
template <class W>
inline Index detail_node_of(Tape<W>& tape, const Reverse<W>& x) {
  return x.is_active() ? x.node() : tape.push_constant(x.value());
}

template <class W>
inline void detail_record_comparison(detail::Compare kind, const Reverse<W>& a, const Reverse<W>& b,
                                     bool outcome) {
  detail::active_tape<W>().record_comparison(kind, a, b, outcome);
}

namespace detail {

/// The value of `op` on constants (no recording).
template <Op op, class V>
[[gnu::always_inline]] inline Reverse<V> passive(const V& a, const V& b, const V& c, const V& k) {
  V v, p[3];
  rule<op, V, V>(a, b, c, k, v, p);
  return Reverse<V>(v);
}

template <Op op, class V>
[[gnu::always_inline]] inline Reverse<V> unary(const Reverse<V>& a) {
  if (!a.is_active()) return passive<op>(a.value(), a.value(), a.value(), a.value());
  return detail_record<op>(a, a, a, a.value());
}

/// A binary function without constant-operand codes: a constant operand
/// becomes a constant node.
template <Op op, class V>
[[gnu::always_inline]] inline Reverse<V> binary(const Reverse<V>& a, const Reverse<V>& b) {
  if (!a.is_active() && !b.is_active())
    return passive<op>(a.value(), b.value(), b.value(), a.value());
  Tape<V>& tape = active_tape<V>();
  const Reverse<V> na(a.value(), detail_node_of(tape, a), NodeTag{});
  const Reverse<V> nb(b.value(), detail_node_of(tape, b), NodeTag{});
  return detail_record<op>(na, nb, nb, a.value());
}

template <Compare kind, class V>
inline bool compare(const Reverse<V>& a, const Reverse<V>& b) {
  const bool outcome = evaluate_comparison(kind, a.value(), b.value());
  if (a.is_active() || b.is_active()) detail_record_comparison(kind, a, b, outcome);
  return outcome;
}

}  // namespace detail

// ---------------------------------------------------------------- arithmetic

template <class V>
inline Reverse<V> operator+(const Reverse<V>& a) {
  return a;
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> operator-(const Reverse<V>& a) {
  return detail::unary<detail::Op::neg>(a);
}

template <class V>
[[gnu::always_inline]] inline Reverse<V> operator+(const Reverse<V>& a, const Reverse<V>& b) {
  using detail::Op;
  if (a.is_active()) {
    if (b.is_active()) return detail_record<Op::add>(a, b, b, a.value());
    return detail_record<Op::add_c>(a, a, a, b.value());
  }
  if (b.is_active()) return detail_record<Op::add_c>(b, b, b, a.value());
  return Reverse<V>(a.value() + b.value());
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> operator-(const Reverse<V>& a, const Reverse<V>& b) {
  using detail::Op;
  if (a.is_active()) {
    if (b.is_active()) return detail_record<Op::sub>(a, b, b, a.value());
    // a - k == a + (-k) exactly in IEEE arithmetic.
    return detail_record<Op::add_c>(a, a, a, V(-b.value()));
  }
  if (b.is_active()) return detail_record<Op::sub_ca>(b, b, b, a.value());
  return Reverse<V>(a.value() - b.value());
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> operator*(const Reverse<V>& a, const Reverse<V>& b) {
  using detail::Op;
  if (a.is_active()) {
    if (b.is_active()) {
      if (a.node() == b.node()) return detail_record<Op::square>(a, a, a, a.value());
      return detail_record<Op::mul>(a, b, b, a.value());
    }
    return detail_record<Op::mul_c>(a, a, a, b.value());
  }
  if (b.is_active()) return detail_record<Op::mul_c>(b, b, b, a.value());
  return Reverse<V>(a.value() * b.value());
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> operator/(const Reverse<V>& a, const Reverse<V>& b) {
  using detail::Op;
  if (a.is_active()) {
    if (b.is_active()) return detail_record<Op::div>(a, b, b, a.value());
    return detail_record<Op::div_ac>(a, a, a, b.value());
  }
  if (b.is_active()) return detail_record<Op::div_ca>(b, b, b, a.value());
  return Reverse<V>(a.value() / b.value());
}

template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> operator+(const Reverse<V>& a, const S& b) {
  return a + Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> operator+(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) + b;
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> operator-(const Reverse<V>& a, const S& b) {
  return a - Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> operator-(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) - b;
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> operator*(const Reverse<V>& a, const S& b) {
  return a * Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> operator*(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) * b;
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> operator/(const Reverse<V>& a, const S& b) {
  return a / Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> operator/(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) / b;
}

// ---------------------------------------------------------------- comparisons
// On the values; each one involving an active value is recorded for replay.

template <class V>
inline bool operator==(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::compare<detail::Compare::eq>(a, b);
}
template <class V>
inline bool operator!=(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::compare<detail::Compare::ne>(a, b);
}
template <class V>
inline bool operator<(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::compare<detail::Compare::lt>(a, b);
}
template <class V>
inline bool operator<=(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::compare<detail::Compare::le>(a, b);
}
template <class V>
inline bool operator>(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::compare<detail::Compare::gt>(a, b);
}
template <class V>
inline bool operator>=(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::compare<detail::Compare::ge>(a, b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator==(const Reverse<V>& a, const S& b) {
  return a == Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator==(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) == b;
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator!=(const Reverse<V>& a, const S& b) {
  return a != Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator!=(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) != b;
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator<(const Reverse<V>& a, const S& b) {
  return a < Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator<(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) < b;
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator<=(const Reverse<V>& a, const S& b) {
  return a <= Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator<=(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) <= b;
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator>(const Reverse<V>& a, const S& b) {
  return a > Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator>(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) > b;
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator>=(const Reverse<V>& a, const S& b) {
  return a >= Reverse<V>(b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
inline bool operator>=(const S& a, const Reverse<V>& b) {
  return Reverse<V>(a) >= b;
}

/// Classification of the value (recorded like a comparison).
template <class V>
inline bool isfinite(const Reverse<V>& a) {
  return detail::compare<detail::Compare::isfinite>(a, a);
}
template <class V>
inline bool isnan(const Reverse<V>& a) {
  return detail::compare<detail::Compare::isnan>(a, a);
}
template <class V>
inline bool isinf(const Reverse<V>& a) {
  return detail::compare<detail::Compare::isinf>(a, a);
}

// ---------------------------------------------------------------- elemental functions

template <class V>
[[gnu::always_inline]] inline Reverse<V> exp(const Reverse<V>& a) {
  return detail::unary<detail::Op::exp>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> exp2(const Reverse<V>& a) {
  return detail::unary<detail::Op::exp2>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> expm1(const Reverse<V>& a) {
  return detail::unary<detail::Op::expm1>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> log(const Reverse<V>& a) {
  return detail::unary<detail::Op::log>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> log2(const Reverse<V>& a) {
  return detail::unary<detail::Op::log2>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> log10(const Reverse<V>& a) {
  return detail::unary<detail::Op::log10>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> log1p(const Reverse<V>& a) {
  return detail::unary<detail::Op::log1p>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> sqrt(const Reverse<V>& a) {
  return detail::unary<detail::Op::sqrt>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> cbrt(const Reverse<V>& a) {
  return detail::unary<detail::Op::cbrt>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> sin(const Reverse<V>& a) {
  return detail::unary<detail::Op::sin>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> cos(const Reverse<V>& a) {
  return detail::unary<detail::Op::cos>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> tan(const Reverse<V>& a) {
  return detail::unary<detail::Op::tan>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> asin(const Reverse<V>& a) {
  return detail::unary<detail::Op::asin>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> acos(const Reverse<V>& a) {
  return detail::unary<detail::Op::acos>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> atan(const Reverse<V>& a) {
  return detail::unary<detail::Op::atan>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> sinh(const Reverse<V>& a) {
  return detail::unary<detail::Op::sinh>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> cosh(const Reverse<V>& a) {
  return detail::unary<detail::Op::cosh>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> tanh(const Reverse<V>& a) {
  return detail::unary<detail::Op::tanh>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> asinh(const Reverse<V>& a) {
  return detail::unary<detail::Op::asinh>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> acosh(const Reverse<V>& a) {
  return detail::unary<detail::Op::acosh>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> atanh(const Reverse<V>& a) {
  return detail::unary<detail::Op::atanh>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> erf(const Reverse<V>& a) {
  return detail::unary<detail::Op::erf>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> erfc(const Reverse<V>& a) {
  return detail::unary<detail::Op::erfc>(a);
}
/// |a| with derivative sign(a), sign(0) = 0.
template <class V>
[[gnu::always_inline]] inline Reverse<V> abs(const Reverse<V>& a) {
  return detail::unary<detail::Op::abs>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> fabs(const Reverse<V>& a) {
  return detail::unary<detail::Op::abs>(a);
}
/// Rounding: derivative 0, but recorded so that replay recomputes the value.
template <class V>
[[gnu::always_inline]] inline Reverse<V> floor(const Reverse<V>& a) {
  return detail::unary<detail::Op::floor>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> ceil(const Reverse<V>& a) {
  return detail::unary<detail::Op::ceil>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> round(const Reverse<V>& a) {
  return detail::unary<detail::Op::round>(a);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> trunc(const Reverse<V>& a) {
  return detail::unary<detail::Op::trunc>(a);
}

// ---------------------------------------------------------------- pow and binary functions

/// a^b; with a constant exponent c (an int included) the derivative is
/// c a^(c-1), exactly 0 for c == 0, so integer powers are exact at a = 0.
template <class V>
[[gnu::always_inline]] inline Reverse<V> pow(const Reverse<V>& a, const Reverse<V>& b) {
  using detail::Op;
  if (a.is_active()) {
    if (b.is_active()) return detail_record<Op::pow>(a, b, b, a.value());
    return detail_record<Op::pow_ac>(a, a, a, b.value());
  }
  if (b.is_active()) return detail_record<Op::pow_ca>(b, b, b, a.value());
  return detail::passive<Op::pow>(a.value(), b.value(), b.value(), a.value());
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> pow(const Reverse<V>& a, const S& b) {
  return pow(a, Reverse<V>(b));
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> pow(const S& a, const Reverse<V>& b) {
  return pow(Reverse<V>(a), b);
}

/// sqrt(a^2 + b^2) without overflow; derivative 0 at the origin.
template <class V>
[[gnu::always_inline]] inline Reverse<V> hypot(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::binary<detail::Op::hypot>(a, b);
}
/// The angle of the point (b, a).
template <class V>
[[gnu::always_inline]] inline Reverse<V> atan2(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::binary<detail::Op::atan2>(a, b);
}
/// Selections: the chosen operand's value and derivative (ties pick a);
/// fmin/fmax skip a NaN operand like <cmath>. Replay re-selects.
template <class V>
[[gnu::always_inline]] inline Reverse<V> fmin(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::binary<detail::Op::fmin>(a, b);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> fmax(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::binary<detail::Op::fmax>(a, b);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> min(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::binary<detail::Op::min>(a, b);
}
template <class V>
[[gnu::always_inline]] inline Reverse<V> max(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::binary<detail::Op::max>(a, b);
}
/// |a| with the sign of b: derivative sign(a) (signbit(b) ? -1 : 1) in a, 0 in b.
template <class V>
[[gnu::always_inline]] inline Reverse<V> copysign(const Reverse<V>& a, const Reverse<V>& b) {
  return detail::binary<detail::Op::copysign>(a, b);
}

template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> hypot(const Reverse<V>& a, const S& b) {
  return hypot(a, Reverse<V>(b));
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> hypot(const S& a, const Reverse<V>& b) {
  return hypot(Reverse<V>(a), b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> atan2(const Reverse<V>& a, const S& b) {
  return atan2(a, Reverse<V>(b));
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> atan2(const S& a, const Reverse<V>& b) {
  return atan2(Reverse<V>(a), b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> fmin(const Reverse<V>& a, const S& b) {
  return fmin(a, Reverse<V>(b));
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> fmin(const S& a, const Reverse<V>& b) {
  return fmin(Reverse<V>(a), b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> fmax(const Reverse<V>& a, const S& b) {
  return fmax(a, Reverse<V>(b));
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> fmax(const S& a, const Reverse<V>& b) {
  return fmax(Reverse<V>(a), b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> min(const Reverse<V>& a, const S& b) {
  return min(a, Reverse<V>(b));
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> min(const S& a, const Reverse<V>& b) {
  return min(Reverse<V>(a), b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> max(const Reverse<V>& a, const S& b) {
  return max(a, Reverse<V>(b));
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> max(const S& a, const Reverse<V>& b) {
  return max(Reverse<V>(a), b);
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> copysign(const Reverse<V>& a, const S& b) {
  return copysign(a, Reverse<V>(b));
}
template <class V, class S, detail::enable_constant_t<S, V> = 0>
[[gnu::always_inline]] inline Reverse<V> copysign(const S& a, const Reverse<V>& b) {
  return copysign(Reverse<V>(a), b);
}

/// a * b + c with one rounding in the value.
template <class V>
[[gnu::always_inline]] inline Reverse<V> fma(const Reverse<V>& a, const Reverse<V>& b,
                                             const Reverse<V>& c) {
  using detail::Op;
  if (!a.is_active() && !b.is_active() && !c.is_active())
    return detail::passive<Op::fma>(a.value(), b.value(), c.value(), a.value());
  Tape<V>& tape = detail::active_tape<V>();
  const Reverse<V> na(a.value(), detail_node_of(tape, a), detail::NodeTag{});
  const Reverse<V> nb(b.value(), detail_node_of(tape, b), detail::NodeTag{});
  const Reverse<V> nc(c.value(), detail_node_of(tape, c), detail::NodeTag{});
  return detail_record<Op::fma>(na, nb, nc, a.value());
}
template <class V, class B, class C,
          std::enable_if_t<(std::is_same_v<B, Reverse<V>> || detail::is_constant_for_v<B, V>)&&(
                               std::is_same_v<C, Reverse<V>> || detail::is_constant_for_v<C, V>),
                           int> = 0>
[[gnu::always_inline]] inline Reverse<V> fma(const Reverse<V>& a, const B& b, const C& c) {
  return fma(a, Reverse<V>(b), Reverse<V>(c));
}
template <class A, class V, class C,
          std::enable_if_t<detail::is_constant_for_v<A, V> &&
                               (std::is_same_v<C, Reverse<V>> || detail::is_constant_for_v<C, V>),
                           int> = 0>
[[gnu::always_inline]] inline Reverse<V> fma(const A& a, const Reverse<V>& b, const C& c) {
  return fma(Reverse<V>(a), b, Reverse<V>(c));
}
template <
    class A, class B, class V,
    std::enable_if_t<detail::is_constant_for_v<A, V> && detail::is_constant_for_v<B, V>, int> = 0>
[[gnu::always_inline]] inline Reverse<V> fma(const A& a, const B& b, const Reverse<V>& c) {
  return fma(Reverse<V>(a), Reverse<V>(b), c);
}

/// Writes the value.
template <class V>
std::ostream& operator<<(std::ostream& os, const Reverse<V>& x) {
  return os << x.value();
}

// ---------------------------------------------------------------- drivers

namespace detail {

/// A tape for a one-shot driver (gradient, vjp, hvp): the calling thread's
/// cached tape for value type V when it is free, a fresh one when it is in
/// use (a driver called from inside a function being recorded). Reusing the
/// storage saves the page faults of a fresh tape, which cost more than the
/// recording itself for large tapes. After use, a cached tape holding more
/// than `retained_tape_bytes` gives its storage back, so what a thread keeps
/// is bounded.
template <class V>
class ScratchTape {
 public:
  static constexpr std::size_t retained_tape_bytes = std::size_t(256) << 20;

  ScratchTape() {
    Slot& slot = thread_slot();
    if (!slot.busy) {
      slot.busy = true;
      tape_ = &slot.tape;
    } else {
      own_ = std::make_unique<Tape<V>>();
      tape_ = own_.get();
    }
  }
  ~ScratchTape() {
    if (own_) return;
    if (tape_->memory_bytes() > retained_tape_bytes) *tape_ = Tape<V>();
    thread_slot().busy = false;
  }
  ScratchTape(const ScratchTape&) = delete;
  ScratchTape& operator=(const ScratchTape&) = delete;

  Tape<V>& operator*() noexcept { return *tape_; }

 private:
  struct Slot {
    Tape<V> tape;
    bool busy = false;
  };
  static Slot& thread_slot() {
    static thread_local Slot slot;
    return slot;
  }

  Tape<V>* tape_ = nullptr;
  std::unique_ptr<Tape<V>> own_;
};

}  // namespace detail

/// The gradient of a scalar objective `template <class T> T operator()(const T* x) const`
/// at x, recorded on `tape` (whose storage is reused: no allocation when the
/// tape held a recording of the same size). Returns f(x); g receives ∇f(x).
/// @throws InvalidArgument for a non-finite x (naming the entry).
/// Cost: one recording (a few times f) and one reverse sweep; memory O(ops of f).
template <class F>
double gradient(Tape<double>& tape, const F& f, const std::vector<double>& x,
                std::vector<double>& g) {
  const double y = tape.record(f, x);
  tape.gradient(g);
  return y;
}

/// The gradient of a scalar objective at x; returns f(x). Records on the
/// calling thread's scratch tape (storage of up to 256 MB kept between calls,
/// larger tapes freed after each call); pass your own Tape to keep any size.
template <class F>
double gradient(const F& f, const std::vector<double>& x, std::vector<double>& g) {
  detail::ScratchTape<double> tape;
  return gradient(*tape, f, x, g);
}

/// The gradient of a scalar objective at x.
template <class F>
std::vector<double> gradient(const F& f, const std::vector<double>& x) {
  std::vector<double> g;
  gradient(f, x, g);
  return g;
}

/// The vector-Jacobian product w^T J(x) of a whole-vector function
/// `template <class T> void operator()(const T* x, T* y) const` with m outputs.
/// @param y if not null, receives f(x).
/// @throws DimensionMismatch when w does not have m entries; InvalidArgument
/// for m < 0 or a non-finite x or w entry.
/// Cost: one recording and one reverse sweep, whatever m (on the thread's
/// scratch tape, as gradient(f, x, g)).
template <class F>
void vjp(const F& f, Index m, const std::vector<double>& x, const std::vector<double>& w,
         std::vector<double>& result, std::vector<double>* y = nullptr) {
  SPARSEDIFF_REQUIRE(m >= 0, InvalidArgument, "negative number of outputs " << m);
  SPARSEDIFF_REQUIRE(w.size() == std::size_t(m), DimensionMismatch,
                     "w has " << w.size() << " entries, f has " << m << " outputs");
  detail::require_finite("vjp", "x", x);
  detail::require_finite("vjp", "w", w);
  detail::ScratchTape<double> tape;
  std::vector<double> values;
  (*tape).record(f, m, x, y != nullptr ? *y : values);
  (*tape).reverse(w, result);
}

/// w^T J(x), see above.
template <class F>
std::vector<double> vjp(const F& f, Index m, const std::vector<double>& x,
                        const std::vector<double>& w) {
  std::vector<double> result;
  vjp(f, m, x, w, result);
  return result;
}

}  // namespace sparsediff
