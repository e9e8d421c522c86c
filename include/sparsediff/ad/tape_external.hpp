#pragma once
/// @file
/// `ExternalTape<V>`: a reverse-mode tape that also records *external*
/// operations — a block y = φ(u) whose derivative is given by a user rule
/// (ū += (∂φ/∂u)^T ȳ) instead of being taped operation by operation.
///
/// Why. Some operations are cheap to differentiate as a whole and expensive or
/// impossible to tape elementwise: a sparse direct solve x = A^{-1} b (the
/// factorization would be taped flop by flop, its adjoint is one transposed
/// solve), a sparse product (two tape entries per nonzero instead of one
/// pass), a call into a library. This is the "external function" of ADOL-C
/// and the atomic function of CppAD (Griewank & Walther, *Evaluating
/// Derivatives*, 2nd ed., SIAM 2008, §15.4 on checkpointed and user-supplied
/// adjoints).
///
/// How, without changing `Tape`. The results y of an external operation are
/// recorded as fresh nodes of the tape (as if they were independent inputs, a
/// contiguous run of nodes), and this class keeps, beside the tape, the list
/// of external operations: the nodes of their operands u, the node of their
/// first result and the adjoint rule. The reverse sweep of this class walks
/// the tape's raw streams (`Tape::codes()/arguments()/partials()`) backwards
/// like `Tape::reverse`, and when it reaches the first result node of an
/// external operation — all nodes after it are then done, so ȳ is complete —
/// it calls the rule and adds ū into the adjoints of the operand nodes, which
/// come earlier and are swept afterwards. One sweep, whatever the number of
/// external operations. Inputs created by `new_input` are told apart from the
/// result nodes, so `gradient` returns the derivatives with respect to the
/// true inputs only.
///
/// Limits. A tape with external operations cannot be replayed at a new x (the
/// external values would be read as inputs): record it again. The sweep is
/// first order in V: with V = Dual<double, K> the rule must itself propagate
/// the lanes. Like `Tape`, recording is per thread; `ExternalRecording` makes
/// an external tape the thread's active one, and code that wants to record an
/// external operation asks `active_external_tape<V>()` (nullptr when the
/// thread records on a plain `Tape`: such code should then fall back to
/// elementary operations, which `Tape` records correctly anyway).
///
/// A native `Op::external` code in tape.hpp would make this class a thin
/// wrapper; its sweep is the same.

#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/ad/tape.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {

template <class V = double>
class ExternalTape;
template <class V = double>
class ExternalRecording;

/// The adjoint rule of an external operation y = φ(u).
///
/// Called during the reverse sweep with `result_adjoints` (ȳ, one per result)
/// and `operand_adjoints` (one slot per operand, zeroed): it must write
/// (∂φ/∂u)^T ȳ there. Slots of constant operands are ignored afterwards. The
/// rule is not called when every ȳ is exactly zero.
template <class V>
using ExternalAdjoint = std::function<void(const V* result_adjoints, V* operand_adjoints)>;

namespace detail {
template <class V>
inline ExternalTape<V>*& active_external_tape_slot() noexcept {
  static thread_local ExternalTape<V>* tape = nullptr;
  return tape;
}
}  // namespace detail

/// The external tape the calling thread is recording on, or nullptr when it
/// records on a plain `Tape` (or not at all, or on a plain `Recording` nested
/// inside an external one).
template <class V = double>
inline ExternalTape<V>* active_external_tape() noexcept {
  ExternalTape<V>* tape = detail::active_external_tape_slot<V>();
  if (tape == nullptr || detail::active_tape_slot<V>() != &tape->tape()) return nullptr;
  return tape;
}

/// A `Tape` plus external operations (see the file comment).
///
///     sparsediff::ExternalTape<> tape;
///     double f = tape.record(objective, x);   // objective may call ops that
///     std::vector<double> g;                  // record external operations
///     tape.gradient(g);
///
/// Not copyable or movable (the thread's recording slot points to it).
/// @tparam V value type of the tape (double; Dual<double, K> when the
///         external rules propagate lanes).
template <class V>
class ExternalTape {
 public:
  using value_type = V;

  ExternalTape() = default;
  ExternalTape(const ExternalTape&) = delete;
  ExternalTape& operator=(const ExternalTape&) = delete;

  /// Records a scalar objective `template <class T> T operator()(const T* x) const`
  /// at x (as `Tape::record`); returns f(x).
  /// @throws InvalidArgument for a non-finite x (naming the entry). O(ops of f).
  template <class F>
  V record(const F& f, const std::vector<V>& x) {
    detail::require_finite("ExternalTape::record", "x", x);
    ExternalRecording<V> recording(*this);
    make_inputs(x);
    const Reverse<V> y = f(static_cast<const Reverse<V>*>(input_buffer_.data()));
    add_output(y);
    return y.value();
  }

  /// Records a whole-vector function `template <class T> void operator()(const T* x, T* y) const`
  /// with m outputs (as `Tape::record`); y receives f(x).
  /// @throws InvalidArgument for m < 0 or a non-finite x. O(ops of f).
  template <class F>
  void record(const F& f, Index m, const std::vector<V>& x, std::vector<V>& y) {
    SPARSEDIFF_REQUIRE(m >= 0, InvalidArgument, "negative number of outputs " << m);
    detail::require_finite("ExternalTape::record", "x", x);
    ExternalRecording<V> recording(*this);
    make_inputs(x);
    std::vector<Reverse<V>> out(static_cast<std::size_t>(m));
    f(static_cast<const Reverse<V>*>(input_buffer_.data()), out.data());
    y.resize(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      add_output(out[i]);
      y[i] = out[i].value();
    }
  }

  /// A new independent variable (input number num_inputs()).
  /// @throws Error when this tape is not the thread's active recording. O(1).
  Reverse<V> new_input(const V& v) {
    require_recording("ExternalTape::new_input");
    Reverse<V> x = tape_.new_input(v);
    inputs_.push_back(x.node());
    return x;
  }

  /// Declares y a dependent variable. @throws Error when not recording. O(1).
  void add_output(const Reverse<V>& y) {
    require_recording("ExternalTape::add_output");
    tape_.add_output(y);
  }

  /// Records the external operation y = φ(u) and returns y as active values.
  /// @param operands u: active or constant values of this recording
  ///        (constants receive no adjoint).
  /// @param results the values φ(u).
  /// @param adjoint the rule ū = (∂φ/∂u)^T ȳ (see `ExternalAdjoint`); it is
  ///        called during sweeps, so whatever it captures must outlive them.
  /// @param name names the operation in error messages.
  /// @throws Error when this tape is not the thread's active recording;
  ///         InvalidArgument for a non-finite result (naming it).
  /// Cost: O(|u| + |y|) tape storage, the closure's captures.
  std::vector<Reverse<V>> record_external(const std::vector<Reverse<V>>& operands,
                                          const std::vector<V>& results, ExternalAdjoint<V> adjoint,
                                          const std::string& name = "external") {
    require_recording("ExternalTape::record_external");
    for (std::size_t k = 0; k < results.size(); ++k)
      SPARSEDIFF_REQUIRE(detail::all_lanes_finite(results[k]), InvalidArgument,
                         name << ": result " << k << " = " << results[k] << " is not finite");
    External op;
    op.name = name;
    op.operand_nodes.reserve(operands.size());
    for (const auto& u : operands) op.operand_nodes.push_back(u.node());
    op.num_results = results.size();
    op.adjoint = std::move(adjoint);
    std::vector<Reverse<V>> y;
    y.reserve(results.size());
    op.first_result = Index(tape_.num_operations());
    for (const V& v : results) y.push_back(tape_.new_input(v));
    externals_.push_back(std::move(op));
    return y;
  }

  /// The gradient of the single output with respect to the inputs made by
  /// `new_input`/`record`, through the external operations.
  /// @throws InvalidArgument when the tape has not exactly one output; Error
  ///         when nothing valid is recorded. O(ops + cost of the rules).
  void gradient(std::vector<V>& g) {
    SPARSEDIFF_REQUIRE(
        tape_.num_outputs() == 1, InvalidArgument,
        "the tape has " << tape_.num_outputs() << " outputs; use reverse(w, result) for several");
    const V one(1.0);
    sweep(&one, g);
  }

  /// result = w^T J (one weight per output). @throws DimensionMismatch for a
  /// wrong-size w; InvalidArgument for a non-finite weight. O(ops + rules).
  void reverse(const std::vector<V>& w, std::vector<V>& result) {
    SPARSEDIFF_REQUIRE(
        w.size() == std::size_t(tape_.num_outputs()), DimensionMismatch,
        "w has " << w.size() << " entries, the tape " << tape_.num_outputs() << " outputs");
    detail::require_finite("ExternalTape::reverse", "w", w);
    sweep(w.data(), result);
  }

  /// Empties the tape and the external operations (keeps the tape's storage).
  void clear() {
    tape_.clear();
    externals_.clear();
    inputs_.clear();
  }

  /// Independent variables (external results excluded).
  Index num_inputs() const noexcept { return Index(inputs_.size()); }
  Index num_outputs() const noexcept { return tape_.num_outputs(); }
  /// External operations recorded.
  std::size_t num_external() const noexcept { return externals_.size(); }
  /// The underlying tape (read-only: its own gradient/replay would treat the
  /// external results as inputs).
  const Tape<V>& tape() const noexcept { return tape_; }
  /// Bytes held: the tape's, the node lists of the external operations and
  /// the adjoint buffer (not what the rules' closures capture).
  std::size_t memory_bytes() const noexcept {
    std::size_t bytes = tape_.memory_bytes() + inputs_.capacity() * sizeof(Index) +
                        adjoints_.capacity() * sizeof(V) + externals_.capacity() * sizeof(External);
    for (const auto& op : externals_) bytes += op.operand_nodes.capacity() * sizeof(Index);
    return bytes;
  }

 private:
  friend class ExternalRecording<V>;

  struct External {
    std::string name;
    std::vector<Index> operand_nodes;
    Index first_result = 0;
    std::size_t num_results = 0;
    ExternalAdjoint<V> adjoint;
  };

  // Tape::tape() is used by active_external_tape (a const accessor suffices).
  Tape<V>& mutable_tape() noexcept { return tape_; }

  void require_recording(const char* function) const {
    if (detail::active_external_tape_slot<V>() != this || detail::active_tape_slot<V>() != &tape_)
      detail::raise<Error>(function,
                           "this external tape is not the active recording of this thread");
  }

  void make_inputs(const std::vector<V>& x) {
    SPARSEDIFF_REQUIRE(x.size() <= std::size_t(std::numeric_limits<Index>::max()), InvalidArgument,
                       "too many inputs: " << x.size());
    input_buffer_.clear();
    input_buffer_.reserve(x.size());
    for (const V& v : x) input_buffer_.push_back(new_input(v));
  }

  void sweep(const V* w, std::vector<V>& result) {
    SPARSEDIFF_REQUIRE(tape_.is_recorded(), Error,
                       "nothing validly recorded (still recording, or the recording failed)");
    const std::size_t num_nodes = tape_.num_operations();
    adjoints_.assign(num_nodes, V(0.0));
    V* adj = adjoints_.data();
    const auto& outputs = tape_.output_nodes();
    for (std::size_t k = 0; k < outputs.size(); ++k)
      if (outputs[k] >= 0) adj[outputs[k]] += w[k];
    // The raw-access contract of Tape: reading the streams backwards, node i
    // owns the last arity operands, stored_partials partials and constants
    // entries not yet consumed; detail::node_partials expands its partials.
    const detail::Op* code = tape_.codes();
    const Index* arg = tape_.arguments() + tape_.num_operands();
    const V* stored = tape_.partials() + tape_.num_stored_partials();
    const V* constant = tape_.constants() + tape_.statistics().constants;
    std::size_t next_external = externals_.size();
    std::vector<V> result_adjoints, operand_adjoints;
    V p[3];
    for (std::size_t i = num_nodes; i-- > 0;) {
      const detail::OpInfo info = detail::op_tables.info[int(code[i])];
      arg -= info.arity;
      stored -= info.stored_partials;
      constant -= info.constants;
      if (next_external > 0 && std::size_t(externals_[next_external - 1].first_result) == i) {
        const External& op = externals_[--next_external];
        result_adjoints.assign(adj + i, adj + i + op.num_results);
        bool all_zero = true;
        for (const V& y : result_adjoints) all_zero = all_zero && detail::all_zero(y);
        if (!all_zero) {
          operand_adjoints.assign(op.operand_nodes.size(), V(0.0));
          op.adjoint(result_adjoints.data(), operand_adjoints.data());
          for (std::size_t k = 0; k < op.operand_nodes.size(); ++k)
            if (op.operand_nodes[k] >= 0) adj[op.operand_nodes[k]] += operand_adjoints[k];
        }
      }
      // A zero adjoint contributes nothing, even through an infinite partial
      // (the structural-zero rule of Tape::reverse).
      if (info.arity == 0 || detail::all_zero(adj[i])) continue;
      detail::node_partials(info, stored, constant, p);
      const V g = adj[i];
      for (int k = 0; k < info.arity; ++k) adj[arg[k]] += p[k] * g;
    }
    result.resize(inputs_.size());
    for (std::size_t j = 0; j < inputs_.size(); ++j) result[j] = adj[inputs_[j]];
  }

  Tape<V> tape_;
  std::vector<External> externals_;
  std::vector<Index> inputs_;
  std::vector<Reverse<V>> input_buffer_;
  std::vector<V> adjoints_;
};

/// Makes an external tape the calling thread's active recording for its
/// lifetime (clearing it first); nests like `Recording`.
///
///     sparsediff::ExternalTape<> tape;
///     {
///       sparsediff::ExternalRecording<> recording(tape);
///       auto a = tape.new_input(2.0);
///       auto y = some_external_op(a);     // records through active_external_tape()
///       tape.add_output(y * y);
///     }
template <class V>
class ExternalRecording {
 public:
  explicit ExternalRecording(ExternalTape<V>& tape)
      : tape_(tape),
        previous_(detail::active_external_tape_slot<V>()),
        recording_((tape.externals_.clear(), tape.inputs_.clear(), tape.mutable_tape())) {
    detail::active_external_tape_slot<V>() = &tape_;
  }
  ~ExternalRecording() { detail::active_external_tape_slot<V>() = previous_; }
  ExternalRecording(const ExternalRecording&) = delete;
  ExternalRecording& operator=(const ExternalRecording&) = delete;

 private:
  ExternalTape<V>& tape_;
  ExternalTape<V>* previous_;
  Recording<V> recording_;
};

}  // namespace sparsediff
