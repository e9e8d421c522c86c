#pragma once
/// @file
/// `SparseHessian`: the exact sparse Hessian of a scalar objective written
/// once as a template, or of a partially separable sum of elements.
///
/// Built once per objective and size (symbolic phase): the pattern is
/// detected (or given, or the union of the element cliques), a symmetric
/// coloring is computed and the recovery map precomputed (`HessianSeed`).
/// Each `evaluate(x)` (numeric phase) then forms the compressed product
/// B = H S and recovers H from it, straight into the lower, upper or full
/// CSR storage asked for. Three ways to form H:
///
/// - `second_order_sweeps` (objectives; the default): f is recorded once on
///   Reverse<double> (`HvpOperator`; later points replay the tape), and B is
///   p Hessian-vector products by forward/reverse second-order sweeps over
///   the tape with the p seed vectors, four per sweep (forward-over-reverse
///   without calling f again: Griewank & Walther, *Evaluating Derivatives*,
///   2nd ed., ch. 5 and 7; what ADOL-C's `sparse_hess` does). The fastest
///   tape path measured on the benchmark objectives (bench/hessian.cpp).
/// - `dual_tape` (objectives): f is recorded on Reverse<Dual<double, W>>
///   with the seeds in the W lanes; one reverse sweep gives W columns of B
///   (Pearlmutter's forward-over-reverse). Lane widths 1, 2, 4, 6, 8, 12, 16 as for
///   Jacobians; chunks of W colors replay the tape with new seeds. Heavier
///   than the sweeps (every partial is a W-lane dual), kept for comparison
///   and for functions whose tapes cannot be swept in second order.
/// - `elements` (`PartiallySeparable` objectives, elements.hpp): no coloring
///   and no tape; every element's dense Hessian by nested duals over its own
///   variables, added in at precomputed positions, in parallel. Value and
///   gradient come in the same pass. Much the fastest where it applies.
///
///     sparsediff::SparseHessian hessian(objective, n);          // detect, color, seed
///     sparsediff::CsrMatrix<double> H = hessian.evaluate(x);    // numeric
///
///     auto elements = sparsediff::partially_separable<3>(minimal_surface);
///     sparsediff::SparseHessian by_elements(elements, n);       // element path
///
/// Coloring and recovery: star colorings recover directly (a gather),
/// acyclic colorings by substitution (fewer colors, ordered recovery), see
/// hessian/recover.hpp.
///
/// The object owns work buffers and tapes: one object must not be evaluated
/// from two threads at once.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "sparsediff/ad/dual.hpp"
#include "sparsediff/ad/tape.hpp"
#include "sparsediff/coloring/symmetric.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/core/timing.hpp"
#include "sparsediff/hessian/detect.hpp"
#include "sparsediff/hessian/elements.hpp"
#include "sparsediff/hessian/hvp.hpp"
#include "sparsediff/hessian/recover.hpp"
#include "sparsediff/jacobian/compress.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// How `SparseHessian` forms H (see the file comment).
enum class HessianEvaluation {
  automatic,            ///< elements for a PartiallySeparable objective, else second_order_sweeps
  elements,             ///< nested duals per element, assembled (PartiallySeparable only)
  second_order_sweeps,  ///< one tape on Reverse<double>, p Hessian-vector products by sweeps
  dual_tape             ///< tape on Reverse<Dual<double, W>>, W seed columns per reverse sweep
};

/// "automatic", "elements", "second_order_sweeps" or "dual_tape".
inline std::string to_string(HessianEvaluation evaluation) {
  switch (evaluation) {
    case HessianEvaluation::automatic:
      return "automatic";
    case HessianEvaluation::elements:
      return "elements";
    case HessianEvaluation::second_order_sweeps:
      return "second_order_sweeps";
    case HessianEvaluation::dual_tape:
      return "dual_tape";
  }
  return "unknown";
}

/// Options of `SparseHessian`.
struct HessianOptions {
  /// Star (direct recovery) or acyclic (substitution) coloring, ordering,
  /// backend. Not used by the element path.
  SymmetricColoringOptions coloring{};
  /// Which triangle(s) `evaluate` returns.
  HessianStorage storage = HessianStorage::full;
  /// How H is formed.
  HessianEvaluation evaluation = HessianEvaluation::automatic;
  /// `dual_tape` only: dual lanes per reverse sweep, 0 (the smallest of 1, 2,
  /// 4, 8, 16 holding every color) or one of those.
  int lane_width = 0;
  /// `elements` only: elements per block of parallel work (results do not
  /// depend on the thread count, they do on this).
  Index element_block_size = 256;
};

/// Time spent in the symbolic phase, in seconds.
struct HessianSetupTimes {
  double detection = 0;  ///< pattern detection, or the element pattern (0 when given)
  double coloring = 0;   ///< symmetric coloring (0 for the element path)
  double seed = 0;       ///< recovery map, or element positions and block coloring
};

namespace detail {

struct NoElementAssembly {};

template <class F>
struct element_assembly_of {
  using type = NoElementAssembly;
};
template <int K, class E>
struct element_assembly_of<PartiallySeparable<K, E>> {
  using type = ElementAssembly<K>;
};

/// y = H v for H stored as one triangle or both (host memory).
inline std::vector<double> symmetric_multiply(const CsrMatrix<double>& h, HessianStorage storage,
                                              const std::vector<double>& v) {
  if (storage == HessianStorage::full) return h.multiply(v);
  auto [ptr, idx] = h.pattern().host_arrays();
  const auto values = h.host_values();
  std::vector<double> y(v.size(), 0.0);
  for (Index i = 0; i < h.rows(); ++i)
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
      const Index j = idx[k];
      y[i] += values[k] * v[j];
      if (j != i) y[j] += values[k] * v[i];
    }
  return y;
}

}  // namespace detail

/// The sparse Hessian of `F`; see the file comment.
/// @tparam F an objective `template <class T> T operator()(const T* x) const`,
///         or a `PartiallySeparable<K, E>` (which is one too).
/// @tparam ExecutionSpace host execution space of the kernels (recovery,
///         element assembly), e.g. Kokkos::Serial to run single-threaded.
template <class F, class ExecutionSpace = DefaultHostExecutionSpace>
class SparseHessian {
 public:
  static constexpr bool has_elements = is_partially_separable_v<F>;

  /// Finds the pattern (element cliques for a PartiallySeparable objective
  /// evaluated by elements, `detect_hessian_pattern` otherwise), colors it
  /// and builds the recovery map (or the element positions).
  /// @throws InvalidArgument for n < 0 or a bad element (named);
  ///         NotSupported for `elements` with an objective that has none.
  SparseHessian(F f, Index n, const HessianOptions& options = {})
      : f_(std::move(f)), options_(options) {
    SPARSEDIFF_REQUIRE(n >= 0, InvalidArgument, "negative size " << n);
    resolve_evaluation();
    const auto start = std::chrono::steady_clock::now();
    if constexpr (has_elements)
      symmetric_ = element_pattern(f_, n);
    else
      symmetric_ = detect_hessian_pattern(f_, n);
    times_.detection = detail::seconds_since(start);
    setup();
  }

  /// Uses a known symmetric pattern (both triangles). It must contain every
  /// structural nonzero of H (and, for the element path, every element pair);
  /// `check` tells when it does not.
  /// @throws InvalidArgument when the pattern is not square and symmetric
  ///         (naming an entry), or misses an element pair (named).
  SparseHessian(F f, Pattern pattern, const HessianOptions& options = {})
      : f_(std::move(f)), options_(options), symmetric_(std::move(pattern)) {
    SPARSEDIFF_REQUIRE(symmetric_.rows() == symmetric_.cols(), InvalidArgument,
                       "the Hessian pattern is " << symmetric_.rows() << " x " << symmetric_.cols()
                                                 << ", not square");
    resolve_evaluation();
    setup();
  }

  Index size() const { return symmetric_.rows(); }
  /// The stored pattern (the triangle(s) of `HessianOptions::storage`).
  const Pattern& pattern() const { return stored_; }
  /// The whole symmetric pattern (both triangles).
  const Pattern& symmetric_pattern() const { return symmetric_; }
  HessianStorage storage() const { return options_.storage; }
  /// The evaluation in use (never `automatic`).
  HessianEvaluation evaluation() const { return evaluation_; }
  /// The coloring (empty, 0 colors, for the element path).
  const SymmetricColoring& coloring() const { return coloring_; }
  /// Seed and recovery map (default-constructed for the element path).
  const HessianSeed& seed() const { return seed_; }
  const HessianSetupTimes& setup_times() const { return times_; }
  const HessianOptions& options() const { return options_; }
  const F& function() const { return f_; }
  /// Colors of the element blocks (element path; 0 otherwise).
  Index element_block_colors() const {
    if constexpr (has_elements)
      return evaluation_ == HessianEvaluation::elements ? elements_.num_colors() : 0;
    else
      return 0;
  }

  /// H(x) in new storage over pattern().
  /// @throws DimensionMismatch for a wrong-size x; InvalidArgument for a
  ///         non-finite entry (naming it).
  CsrMatrix<double> evaluate(const std::vector<double>& x) {
    CsrMatrix<double> hessian(stored_);
    evaluate(x, hessian);
    return hessian;
  }

  /// H(x) into existing storage over pattern() (no allocation on the element
  /// path; the tape paths reuse their buffers).
  /// @throws as above; DimensionMismatch when `hessian` is not over pattern().
  void evaluate(const std::vector<double>& x, CsrMatrix<double>& hessian) {
    evaluate_impl(x, hessian, nullptr);
  }

  /// H(x), ∇f(x) and f(x) in one pass (all three fall out of every path).
  /// @returns f(x). @throws as above.
  double evaluate(const std::vector<double>& x, CsrMatrix<double>& hessian,
                  std::vector<double>& gradient) {
    gradient.resize(std::size_t(size()));
    return evaluate_impl(x, hessian, gradient.data());
  }

  /// f(x) with plain doubles (elements: in parallel blocks, summed in block
  /// order, as `evaluate` sums them). @throws as evaluate.
  double value(const std::vector<double>& x) {
    check_input("value", x);
    if constexpr (has_elements) {
      if (evaluation_ == HessianEvaluation::elements)
        return detail::run_element_pass<ExecutionSpace, detail::ElementPass::value>(
            f_, elements_, {x.data(), nullptr, nullptr, block_values_.data()});
    }
    return f_(x.data());
  }

  /// ∇f(x) (elements: Dual<double, K> per element; otherwise reverse mode on
  /// a tape recorded once and replayed while its branches hold).
  /// @returns f(x). @throws as evaluate.
  double gradient(const std::vector<double>& x, std::vector<double>& g) {
    check_input("gradient", x);
    g.resize(std::size_t(size()));
    if constexpr (has_elements) {
      if (evaluation_ == HessianEvaluation::elements)
        return detail::run_element_pass<ExecutionSpace, detail::ElementPass::gradient>(
            f_, elements_, {x.data(), g.data(), nullptr, block_values_.data()});
    }
    double y = 0;
    bool replayed = false;
    if (gradient_tape_.is_recorded()) {
      try {
        y = gradient_tape_.replay(x);
        replayed = true;
      } catch (const BranchChanged&) {
      }
    }
    if (!replayed) y = gradient_tape_.record(f_, x);
    gradient_tape_.gradient(g);
    return y;
  }

  /// Consistency check: for `vectors` random v, compares H v from the
  /// recovered matrix with an independent Hessian-vector product
  /// (`HvpOperator`) and returns max_i |(H v)_i - hvp_i| / max(1, |hvp|∞).
  /// Near machine precision when the pattern is right; O(1) when it misses
  /// an entry of H (a stale or wrong pattern).
  double check(const std::vector<double>& x, int vectors = 3, unsigned seed = 12345) {
    const CsrMatrix<double> hessian = evaluate(x);
    HvpOperator<F> reference(f_, x);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    double worst = 0;
    for (int t = 0; t < vectors; ++t) {
      std::vector<double> v(static_cast<std::size_t>(size()));
      for (auto& vj : v) vj = uniform(rng);
      const auto recovered = detail::symmetric_multiply(hessian, options_.storage, v);
      const auto exact = reference.apply(v);
      double scale = 1, diff = 0;
      for (std::size_t i = 0; i < exact.size(); ++i) {
        scale = std::max(scale, std::abs(exact[i]));
        diff = std::max(diff, std::abs(recovered[i] - exact[i]));
      }
      worst = std::max(worst, diff / scale);
    }
    return worst;
  }

 private:
  void resolve_evaluation() {
    evaluation_ = options_.evaluation;
    if (evaluation_ == HessianEvaluation::automatic)
      evaluation_ =
          has_elements ? HessianEvaluation::elements : HessianEvaluation::second_order_sweeps;
    SPARSEDIFF_REQUIRE(has_elements || evaluation_ != HessianEvaluation::elements, NotSupported,
                       "element evaluation needs a PartiallySeparable objective "
                       "(sparsediff::partially_separable<K>(elements))");
  }

  void setup() {
    auto start = std::chrono::steady_clock::now();
    if (evaluation_ == HessianEvaluation::elements) {
      if constexpr (has_elements) {
        auto stored = storage_pattern(symmetric_, options_.storage);
        stored_ = stored.pattern;
        elements_ = typename detail::element_assembly_of<F>::type(f_, stored_, options_.storage,
                                                                  options_.element_block_size);
        block_values_.assign(std::size_t(elements_.num_blocks()), 0.0);
        coloring_.kind = options_.coloring.kind;
      }
      times_.seed = detail::seconds_since(start);
      return;
    }
    coloring_ = color_symmetric(symmetric_, options_.coloring);
    times_.coloring = detail::seconds_since(start);
    start = std::chrono::steady_clock::now();
    seed_ = HessianSeed(symmetric_, coloring_, options_.storage, options_.lane_width);
    stored_ = seed_.pattern;
    const std::size_t n = std::size_t(size()), p = std::size_t(seed_.num_colors);
    compressed_.assign(n * p, 0.0);
    if (evaluation_ == HessianEvaluation::second_order_sweeps) {
      directions_.assign(n * p, 0.0);
      for (std::size_t j = 0; j < n; ++j) directions_[j + n * std::size_t(seed_.color(j))] = 1.0;
    }
    times_.seed = detail::seconds_since(start);
  }

  void check_input(const char* function, const std::vector<double>& x) const {
    if (x.size() != std::size_t(size()))
      detail::raise<DimensionMismatch>(
          function,
          "x has " + std::to_string(x.size()) + " entries, expected " + std::to_string(size()));
    for (std::size_t j = 0; j < x.size(); ++j)
      if (!std::isfinite(x[j]))
        detail::raise<InvalidArgument>(
            function, "x[" + std::to_string(j) + "] = " + std::to_string(x[j]) + " is not finite");
  }

  double evaluate_impl(const std::vector<double>& x, CsrMatrix<double>& hessian, double* gradient) {
    check_input("evaluate", x);
    SPARSEDIFF_REQUIRE(hessian.pattern() == stored_, DimensionMismatch,
                       "the output matrix ("
                           << hessian.rows() << " x " << hessian.cols() << ", " << hessian.nnz()
                           << " nonzeros) is not over this Hessian's "
                           << to_string(options_.storage) << " pattern (" << size() << " x "
                           << size() << ", " << stored_.nnz() << " nonzeros)");
    double* values = hessian.values().data();
    switch (evaluation_) {
      case HessianEvaluation::elements:
        if constexpr (has_elements)
          return detail::run_element_pass<ExecutionSpace, detail::ElementPass::hessian>(
              f_, elements_, {x.data(), gradient, values, block_values_.data()});
        return 0;
      case HessianEvaluation::dual_tape: {
        double y = 0;
        detail::dispatch_lane_width(seed_.lane_width, [&](auto width) {
          y = evaluate_dual_tape<decltype(width)::value>(x, values, gradient);
        });
        return y;
      }
      default:
        return evaluate_sweeps(x, values, gradient);
    }
  }

  double evaluate_sweeps(const std::vector<double>& x, double* values, double* gradient) {
    if (!hvp_)
      hvp_.emplace(f_, x);
    else
      hvp_->set_point(x);
    hvp_->apply(directions_, seed_.num_colors, compressed_);
    detail::recover_in_place<ExecutionSpace>(seed_, compressed_.data(), values);
    if (gradient != nullptr) std::copy(hvp_->gradient().begin(), hvp_->gradient().end(), gradient);
    return hvp_->value();
  }

  template <int W>
  double evaluate_dual_tape(const std::vector<double>& x, double* values, double* gradient) {
    using D = Dual<double, W>;
    auto& tape = std::get<Tape<D>>(dual_tapes_);
    const Index n = size(), p = seed_.num_colors;
    const Index* color = seed_.color.data();
    std::vector<D> xd(static_cast<std::size_t>(n)), g;
    double y = 0;
    for (Index chunk = 0; chunk < std::max<Index>(seed_.num_chunks, 1); ++chunk) {
      const Index first = chunk * W;
      for (Index j = 0; j < n; ++j) {
        xd[j] = D(x[j]);
        const Index lane = color[j] - first;
        if (lane >= 0 && lane < W) xd[j].d[lane] = 1.0;
      }
      // One recording serves every chunk and point: replay recomputes values
      // and partials from the new seeds, until a recorded branch changes.
      bool replayed = false;
      if (tape.is_recorded() && tape.num_inputs() == n) {
        try {
          y = tape.replay(xd).val;
          replayed = true;
        } catch (const BranchChanged&) {
        }
      }
      if (!replayed) y = tape.record(f_, xd).val;
      tape.gradient(g);
      const Index lanes = std::min<Index>(W, p - first);
      for (Index l = 0; l < lanes; ++l) {
        double* column = compressed_.data() + std::size_t(n) * std::size_t(first + l);
        for (Index j = 0; j < n; ++j) column[j] = g[j].d[l];
      }
      if (chunk == 0 && gradient != nullptr)
        for (Index j = 0; j < n; ++j) gradient[j] = g[j].val;
    }
    detail::recover_in_place<ExecutionSpace>(seed_, compressed_.data(), values);
    return y;
  }

  F f_;
  HessianOptions options_;
  HessianEvaluation evaluation_ = HessianEvaluation::second_order_sweeps;
  Pattern symmetric_, stored_;
  SymmetricColoring coloring_;
  HessianSeed seed_;
  HessianSetupTimes times_;
  std::vector<double> compressed_, directions_;
  std::optional<HvpOperator<F>> hvp_;
  // One tape per compiled lane width (jacobian/seed.hpp).
  std::tuple<Tape<Dual<double, 1>>, Tape<Dual<double, 2>>, Tape<Dual<double, 4>>,
             Tape<Dual<double, 6>>, Tape<Dual<double, 8>>, Tape<Dual<double, 12>>,
             Tape<Dual<double, 16>>>
      dual_tapes_;
  Tape<double> gradient_tape_;
  typename detail::element_assembly_of<F>::type elements_;
  std::vector<double> block_values_;
};

}  // namespace sparsediff
