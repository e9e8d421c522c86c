#pragma once
/// @file
/// Hessian-vector products H(x) v of a scalar objective, by forward-over-reverse.
///
/// Pearlmutter's method (Neural Computation 6, 1994; Griewank & Walther,
/// *Evaluating Derivatives*, 2nd ed., §5.4): record the objective on
/// Reverse<Dual<double, K>> with inputs x + ε v_l in the dual lanes. Every
/// value then carries its directional derivative along v_l, every recorded
/// partial too, and the reverse sweep of that tape computes, in the value part
/// of the input adjoints, ∇f(x), and in lane l, d/dε ∇f(x + ε v_l) = H v_l.
/// One recording and one sweep give K products; cost about twice a gradient per
/// product and lane, whatever n (no Hessian is formed).
///
/// `hvp(f, x, v)` does exactly that, `hvp(f, x, V, k)` for k vectors at once
/// through the lanes (blocks of up to 8). When H v is needed for many v at the
/// same x — the inner iterations of Newton-CG — `HvpOperator` records once per
/// x and keeps, for each non-linear node i, the second partials of its
/// elemental function scaled by the node's adjoint, ā_i ∂²φ_i/∂a_k∂a_l
/// (computed through Dual<double, r>, see ad/detail/tape_ops.hpp). A product
/// is then two linear sweeps over the double tape, no function evaluation:
///
///   forward (tangents):   ẋ = v,   u̇_i = Σ_k ∂φ_i/∂a_k · ȧ_k
///   reverse (adjoint tangents, seeded 0 at the output):
///                         ā̇_k += ∂φ_i/∂a_k · ā̇_i + Σ_l ā_i ∂²φ_i/∂a_k∂a_l · ȧ_l
///
/// which is the same forward-over-reverse recurrence with the values, partials
/// and adjoints at x computed once instead of per product. The objective is
/// `template <class T> T operator()(const T* x) const`, the same function
/// the rest of the library differentiates.
///
/// Partially separable objectives (hessian/elements.hpp) need no tape:
/// `ElementHvpOperator` evaluates each element once on nested duals
/// Dual<Dual<double, L>, K> — its gradient and its products with L directions
/// — and scatter-adds them in a Kokkos kernel, in parallel and in an order
/// independent of the thread count. `HvpOperator` of a `PartiallySeparable`
/// objective is that operator, so Newton-CG takes the element path for them.
///
/// Singular points: where an elemental second derivative is infinite (sqrt at
/// 0, log at 0, ...) and the node's adjoint is nonzero, the product is inf or
/// NaN, as the exact value is.

#include <algorithm>
#include <cstddef>
#include <sstream>
#include <utility>
#include <vector>

#include "sparsediff/ad/dual.hpp"
#include "sparsediff/ad/tape.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/hessian/elements.hpp"
#include "sparsediff/ops/detail/checks.hpp"

namespace sparsediff {

namespace detail {

/// Checks V (n x k, column-major: vector l is V[l n, (l+1) n)) for size and finiteness.
inline void require_directions(const char* function, std::size_t n, const std::vector<double>& v,
                               Index k) {
  if (k < 0) raise<InvalidArgument>(function, "negative number of vectors " + std::to_string(k));
  if (v.size() != n * std::size_t(k)) {
    std::ostringstream message;
    message << "the vectors hold " << v.size() << " entries, expected " << k << " x " << n
            << " (k vectors of the size of x)";
    raise<DimensionMismatch>(function, message.str());
  }
  for (std::size_t e = 0; e < v.size(); ++e)
    if (!std::isfinite(v[e])) {
      std::ostringstream message;
      message << "vector " << (n ? e / n : 0) << ", entry " << (n ? e % n : 0) << " is " << v[e]
              << ", not finite";
      raise<InvalidArgument>(function, message.str());
    }
}

/// Products with vectors [first, first + count) of V, count <= K, in one
/// recording on Dual<double, K> (unused lanes zero). Returns f(x).
template <int K, class F>
double hvp_block(const F& f, const std::vector<double>& x, const double* directions, Index first,
                 Index count, double* products, double* gradient) {
  using D = Dual<double, K>;
  const std::size_t n = x.size();
  std::vector<D> xd(n);
  for (std::size_t j = 0; j < n; ++j) {
    xd[j] = D(x[j]);
    for (Index l = 0; l < count; ++l) xd[j].d[l] = directions[j + n * std::size_t(first + l)];
  }
  ScratchTape<D> scratch;
  Tape<D>& tape = *scratch;
  const D y = tape.record(f, xd);
  std::vector<D> g;
  tape.gradient(g);
  for (std::size_t j = 0; j < n; ++j) {
    for (Index l = 0; l < count; ++l) products[j + n * std::size_t(first + l)] = g[j].d[l];
    if (gradient != nullptr) gradient[j] = g[j].val;
  }
  return y.val;
}

}  // namespace detail

/// H(x) V for k vectors at once: V and the result HV are n x k column-major
/// (vector l occupies [l n, (l+1) n)). Blocks of 8 vectors share a recording
/// on Dual<double, 8>; the last block uses the smallest of 1, 2, 4, 8 lanes
/// that holds it.
/// @param gradient if not null, receives ∇f(x).
/// @returns f(x).
/// @throws DimensionMismatch when V.size() != k n; InvalidArgument for a
/// non-finite entry of x or V (naming it), or k < 0.
/// Cost: ceil(k / 8) recordings with 8 lanes, each about 2-3 gradients.
template <class F>
double hvp(const F& f, const std::vector<double>& x, const std::vector<double>& V, Index k,
           std::vector<double>& HV, std::vector<double>* gradient = nullptr) {
  detail::require_finite("hvp", "x", x);
  detail::require_directions("hvp", x.size(), V, k);
  HV.resize(V.size());
  if (gradient != nullptr) gradient->resize(x.size());
  double* g = gradient != nullptr ? gradient->data() : nullptr;
  double value = 0;
  if (k == 0) {  // still a value and gradient
    std::vector<double> none;
    return detail::hvp_block<1>(f, x, none.data(), 0, 0, none.data(), g);
  }
  for (Index first = 0; first < k;) {
    const Index count = std::min<Index>(8, k - first);
    if (count > 4)
      value = detail::hvp_block<8>(f, x, V.data(), first, count, HV.data(), g);
    else if (count > 2)
      value = detail::hvp_block<4>(f, x, V.data(), first, count, HV.data(), g);
    else if (count > 1)
      value = detail::hvp_block<2>(f, x, V.data(), first, count, HV.data(), g);
    else
      value = detail::hvp_block<1>(f, x, V.data(), first, count, HV.data(), g);
    first += count;
  }
  return value;
}

/// H(x) V for k vectors (n x k column-major); see above.
template <class F>
std::vector<double> hvp(const F& f, const std::vector<double>& x, const std::vector<double>& V,
                        Index k) {
  std::vector<double> HV;
  hvp(f, x, V, k, HV);
  return HV;
}

/// H(x) v by one recording on Reverse<Dual<double, 1>> and one reverse sweep.
/// @param gradient if not null, receives ∇f(x).
/// @returns f(x).
/// @throws DimensionMismatch when v and x differ in size; InvalidArgument for
/// a non-finite entry of x or v (naming it).
template <class F>
double hvp(const F& f, const std::vector<double>& x, const std::vector<double>& v,
           std::vector<double>& hv, std::vector<double>* gradient = nullptr) {
  SPARSEDIFF_REQUIRE(v.size() == x.size(), DimensionMismatch,
                     "v has " << v.size() << " entries, x has " << x.size());
  return hvp(f, x, v, 1, hv, gradient);
}

/// H(x) v; see above.
template <class F>
std::vector<double> hvp(const F& f, const std::vector<double>& x, const std::vector<double>& v) {
  std::vector<double> hv;
  hvp(f, x, v, hv);
  return hv;
}

/// The Hessian of a scalar objective at a point, as an operator v -> H v,
/// for repeated products at the same x (Newton-CG, Lanczos).
///
/// `set_point(x)` records f once (or replays the previous recording when the
/// recorded comparisons still hold at x) and prepares the second-order data;
/// `apply` is then two sweeps over the tape per block of vectors, without
/// calling f. Memory: the tape plus 8 bytes per non-linear operation, plus
/// 16 bytes per node and lane while applying (at most 4 lanes per sweep).
///
///     sparsediff::HvpOperator H(objective, x);
///     std::vector<double> hv = H.apply(v);   // H(x) v
///
/// One object must not be used from two threads at once (work buffers).
/// @tparam F scalar objective `template <class T> T operator()(const T* x) const`.
template <class F>
class HvpOperator {
 public:
  /// Vectors per sweep in apply(V, k).
  static constexpr int max_lanes = 4;

  /// Records f at x and prepares the products. @throws as set_point.
  HvpOperator(F f, const std::vector<double>& x) : f_(std::move(f)) {
    tape_.keep_adjoints(true);  // the second-order weights need every node's adjoint
    set_point(x);
  }

  /// Moves to a new point: replays the tape when its recorded comparisons
  /// hold at x (and x has the recorded size), records f again otherwise.
  /// @throws InvalidArgument for a non-finite x (naming the entry).
  /// Cost: one replay or one recording, one reverse sweep, and the second
  /// partials of the non-linear operations.
  void set_point(const std::vector<double>& x) {
    detail::require_finite("HvpOperator::set_point", "x", x);
    bool replayed = false;
    if (tape_.is_recorded() && x.size() == x_.size()) {
      try {
        value_ = tape_.replay(x);
        replayed = true;
      } catch (const BranchChanged&) {
        replayed = false;
      }
    }
    if (!replayed) {
      tape_.record(f_, x);
      ++recordings_;
      value_ = tape_.replay(x);  // node values, which the second partials need
    }
    x_ = x;
    tape_.gradient(gradient_);
    prepare_second_order();
  }

  Index size() const noexcept { return Index(x_.size()); }
  /// The current point, f there and ∇f there.
  const std::vector<double>& point() const noexcept { return x_; }
  double value() const noexcept { return value_; }
  const std::vector<double>& gradient() const noexcept { return gradient_; }
  /// Times f was recorded (1 + the set_point calls whose replay was refused or impossible).
  Index recordings() const noexcept { return recordings_; }
  const Tape<double>& tape() const noexcept { return tape_; }

  /// Bytes held: tape, second-order data and work buffers.
  std::size_t memory_bytes() const noexcept {
    return tape_.memory_bytes() +
           (weights_.capacity() + tangents_.capacity() + adjoint_tangents_.capacity()) *
               sizeof(double);
  }

  /// hv = H(x) v. @throws DimensionMismatch / InvalidArgument for a
  /// wrong-size or non-finite v. Cost: two sweeps over the tape.
  void apply(const std::vector<double>& v, std::vector<double>& hv) {
    SPARSEDIFF_REQUIRE(v.size() == x_.size(), DimensionMismatch,
                       "v has " << v.size() << " entries, x has " << x_.size());
    apply(v, 1, hv);
  }

  std::vector<double> apply(const std::vector<double>& v) {
    std::vector<double> hv;
    apply(v, hv);
    return hv;
  }

  /// HV = H(x) V for k vectors (n x k column-major), up to max_lanes per sweep.
  /// @throws DimensionMismatch when V.size() != k n; InvalidArgument for a
  /// non-finite entry (naming it).
  void apply(const std::vector<double>& V, Index k, std::vector<double>& HV) {
    detail::require_directions("HvpOperator::apply", x_.size(), V, k);
    HV.resize(V.size());
    for (Index first = 0; first < k;) {
      const Index count = std::min<Index>(max_lanes, k - first);
      if (count > 2)
        apply_block<4>(V.data(), first, count, HV.data());
      else if (count > 1)
        apply_block<2>(V.data(), first, count, HV.data());
      else
        apply_block<1>(V.data(), first, count, HV.data());
      first += count;
    }
  }

 private:
  /// weights_: for each non-linear node, in node order, ā_i ∂²φ_i/∂a_k∂a_l
  /// over its operands (packed upper triangle, detail::hessian_slot).
  void prepare_second_order() {
    using detail::Op;
    const std::size_t num_nodes = tape_.num_operations();
    const Op* code = tape_.codes();
    const Index* arg = tape_.arguments();
    const double* constant = tape_.constants();
    const double* value = tape_.values();
    const double* adjoint = tape_.adjoints();
    weights_.clear();
    for (std::size_t i = 0; i < num_nodes; ++i) {
      const int c = int(code[i]);
      const detail::OpInfo info = detail::op_tables.info[c];
      const int entries = detail::op_tables.hessian_entries[c];
      if (entries > 0) {
        const double a[3] = {value[arg[0]], info.arity > 1 ? value[arg[1]] : 0.0,
                             info.arity > 2 ? value[arg[2]] : 0.0};
        const double k = info.constants ? *constant : 0.0;
        const std::size_t at = weights_.size();
        weights_.resize(at + std::size_t(entries), 0.0);
        double* h = weights_.data() + at;
        const double scale = adjoint[i];
        if (scale != 0) {  // a zero adjoint makes the terms vanish (even infinite ones)
          detail::visit_op(code[i], [&](auto tag) {
            constexpr Op op = decltype(tag)::value;
            if constexpr (op != Op::count_) detail::second_partials<op>(a, k, h);
          });
          for (int e = 0; e < entries; ++e) h[e] *= scale;
        }
      }
      arg += info.arity;
      constant += info.constants;
    }
  }

  /// Products with vectors [first, first + count) of V, K lanes per node.
  /// The adjoint tangents are cleared as they are consumed, so the array is
  /// all zero again after a sweep and needs clearing only when it grows.
  template <int K>
  void apply_block(const double* V, Index first, Index count, double* HV) {
    using detail::PartialKind;
    const std::size_t num_nodes = tape_.num_operations();
    const std::size_t n = x_.size();
    if (tangents_.size() < num_nodes * K) tangents_.resize(num_nodes * K);
    if (adjoint_tangents_.size() < num_nodes * K) {
      adjoint_tangents_.assign(num_nodes * K, 0.0);
    }
    const detail::Op* code = tape_.codes();
    double* const dot = tangents_.data();
    double* const adot = adjoint_tangents_.data();
    const double* vectors = V + n * std::size_t(first);

    // Forward: tangents of every node along the K directions.
    const Index* arg = tape_.arguments();
    const double* stored = tape_.partials();
    const double* constant = tape_.constants();
    std::size_t next_input = 0;
    for (std::size_t i = 0; i < num_nodes; ++i) {
      const detail::OpInfo info = detail::op_tables.info[int(code[i])];
      double* d = dot + i * K;
      // Operand rows (no operand read for arity 0: the stream may end here).
      const std::size_t i0 = info.arity > 0 ? std::size_t(arg[0]) : 0;
      const std::size_t i1 = info.arity > 1 ? std::size_t(arg[1]) : i0;
      const double* a = dot + i0 * K;
      const double* b = dot + i1 * K;
      switch (info.kind) {
        case PartialKind::stored:
          if (info.arity == 1) {
            for (int l = 0; l < K; ++l) d[l] = stored[0] * a[l];
          } else {
            for (int l = 0; l < K; ++l) d[l] = stored[0] * a[l] + stored[1] * b[l];
            if (info.arity == 3) {
              const double* e = dot + std::size_t(arg[2]) * K;
              for (int l = 0; l < K; ++l) d[l] += stored[2] * e[l];
            }
          }
          break;
        case PartialKind::add:
          for (int l = 0; l < K; ++l) d[l] = a[l] + b[l];
          break;
        case PartialKind::sub:
          for (int l = 0; l < K; ++l) d[l] = a[l] - b[l];
          break;
        case PartialKind::plus_one:
          for (int l = 0; l < K; ++l) d[l] = a[l];
          break;
        case PartialKind::minus_one:
          for (int l = 0; l < K; ++l) d[l] = -a[l];
          break;
        case PartialKind::constant_scale:
          for (int l = 0; l < K; ++l) d[l] = *constant * a[l];
          break;
        case PartialKind::zero:
          for (int l = 0; l < K; ++l) d[l] = 0.0;
          break;
        case PartialKind::none:
          if (code[i] == detail::Op::input) {
            for (int l = 0; l < K; ++l) d[l] = l < count ? vectors[next_input + n * l] : 0.0;
            ++next_input;
          } else {
            for (int l = 0; l < K; ++l) d[l] = 0.0;
          }
          break;
      }
      arg += info.arity;
      stored += info.stored_partials;
      constant += info.constants;
    }

    // Reverse: adjoint tangents, seeded zero (the output adjoint 1 is constant).
    const double* w = weights_.data() + weights_.size();
    for (std::size_t i = num_nodes; i-- > 0;) {
      const int c = int(code[i]);
      const detail::OpInfo info = detail::op_tables.info[c];
      arg -= info.arity;
      stored -= info.stored_partials;
      constant -= info.constants;
      w -= detail::op_tables.hessian_entries[c];
      double g[K];
      bool zero = true;
      for (int l = 0; l < K; ++l) {
        g[l] = adot[i * K + l];
        adot[i * K + l] = 0.0;
        zero = zero && g[l] == 0.0;
      }
      const std::size_t i0 = info.arity > 0 ? std::size_t(arg[0]) : 0;
      const std::size_t i1 = info.arity > 1 ? std::size_t(arg[1]) : i0;
      double* ta = adot + i0 * K;
      double* tb = adot + i1 * K;
      switch (info.kind) {
        case PartialKind::stored: {
          const int r = info.arity;
          const bool second = detail::op_tables.hessian_entries[c] > 0;
          // A zero adjoint tangent contributes nothing, even through an
          // infinite partial (as in the gradient sweep).
          if (!zero) {
            for (int l = 0; l < K; ++l) ta[l] += stored[0] * g[l];
            if (r > 1)
              for (int l = 0; l < K; ++l) tb[l] += stored[1] * g[l];
            if (r > 2) {
              double* tc = adot + std::size_t(arg[2]) * K;
              for (int l = 0; l < K; ++l) tc[l] += stored[2] * g[l];
            }
          }
          if (second) {
            const double* da = dot + i0 * K;
            if (r == 1) {
              for (int l = 0; l < K; ++l) ta[l] += w[0] * da[l];
            } else if (r == 2) {
              const double* db = dot + i1 * K;
              for (int l = 0; l < K; ++l) {
                ta[l] += w[0] * da[l] + w[1] * db[l];
                tb[l] += w[1] * da[l] + w[2] * db[l];
              }
            } else {
              for (int k = 0; k < r; ++k) {
                double* t = adot + std::size_t(arg[k]) * K;
                for (int m = 0; m < r; ++m) {
                  const double h = w[detail::hessian_slot(r, k, m)];
                  const double* s = dot + std::size_t(arg[m]) * K;
                  for (int l = 0; l < K; ++l) t[l] += h * s[l];
                }
              }
            }
          }
          break;
        }
        case PartialKind::add:
          for (int l = 0; l < K; ++l) {
            ta[l] += g[l];
            tb[l] += g[l];
          }
          break;
        case PartialKind::sub:
          for (int l = 0; l < K; ++l) {
            ta[l] += g[l];
            tb[l] -= g[l];
          }
          break;
        case PartialKind::plus_one:
          for (int l = 0; l < K; ++l) ta[l] += g[l];
          break;
        case PartialKind::minus_one:
          for (int l = 0; l < K; ++l) ta[l] -= g[l];
          break;
        case PartialKind::constant_scale:
          for (int l = 0; l < K; ++l) ta[l] += *constant * g[l];
          break;
        case PartialKind::zero:
          break;
        case PartialKind::none:
          if (code[i] == detail::Op::input) {
            --next_input;
            for (Index l = 0; l < count; ++l) HV[next_input + n * std::size_t(first + l)] = g[l];
          }
          break;
      }
    }
  }

  F f_;
  Tape<double> tape_;
  std::vector<double> x_;
  double value_ = 0;
  std::vector<double> gradient_;
  Index recordings_ = 0;
  std::vector<double> weights_;
  std::vector<double> tangents_;
  std::vector<double> adjoint_tangents_;
};

/// H(x) v for a partially separable objective, by elements and without a
/// tape: set_point evaluates every element once on Dual<double, K> (value
/// and gradient); a product evaluates every element once on
/// Dual<Dual<double, L>, K>, whose inner lanes carry up to L = 4 directions,
/// so r.d[a].d[l] = (H_e v_l)_a, and scatter-adds the element products. The
/// elements run as a Kokkos kernel on ExecutionSpace, grouped into blocks
/// that share no variable (ElementAssembly), so the result is the same for
/// every thread count. Costs one element pass per block of 4 vectors; no
/// storage beyond the element table (O(K) per element) and the point.
///
///     auto f = sparsediff::partially_separable<3>(minimal_surface);
///     sparsediff::ElementHvpOperator H(f, x);     // or HvpOperator H(f, x)
///     std::vector<double> hv = H.apply(v);
///
/// Device data: the View overloads take x, v and V in the execution space's
/// memory_space and compute there; the std::vector overloads go through
/// copies in memory_space only when it is not host memory. The elements must
/// then be device functions (KOKKOS_INLINE_FUNCTION, trivially copyable).
///
/// One object must not be used from two threads at once.
/// @tparam K, E the PartiallySeparable objective's element size and elements.
/// @tparam ExecutionSpace where the element kernels run (an execution space
///         or a Kokkos::Device<Exec, Memory>).
template <int K, class E, class ExecutionSpace = DefaultHostExecutionSpace>
class ElementHvpOperator {
 public:
  using objective_type = PartiallySeparable<K, E>;
  using execution_space = typename ExecutionSpace::execution_space;
  /// Where the kernels read and write: the point, the gradient, the vectors.
  using memory_space = typename ExecutionSpace::memory_space;
  using vector_view = Kokkos::View<double*, memory_space>;
  using const_vector_view = Kokkos::View<const double*, memory_space>;
  /// k vectors of size n as the columns of an n x k view.
  using multi_view = Kokkos::View<double**, Kokkos::LayoutLeft, memory_space>;
  using const_multi_view = Kokkos::View<const double**, Kokkos::LayoutLeft, memory_space>;
  /// Vectors per element pass in apply(V, k).
  static constexpr int max_lanes = 4;

  /// Reads the element table (n = x.size()) and moves to x.
  /// @throws InvalidArgument for a bad element (named), block_size <= 0 or a
  ///         non-finite x. Cost: O(sum of element sizes) + set_point.
  ElementHvpOperator(PartiallySeparable<K, E> f, const std::vector<double>& x,
                     Index block_size = 256)
      : ElementHvpOperator(std::move(f), Index(x.size()), block_size) {
    set_point(x);
  }

  /// The same from x in memory_space (device data).
  ElementHvpOperator(PartiallySeparable<K, E> f, const const_vector_view& x, Index block_size = 256)
      : ElementHvpOperator(std::move(f), Index(x.extent(0)), block_size) {
    set_point(x);
  }

  /// Moves to x: f(x) and its gradient, one element pass.
  /// @throws DimensionMismatch when x's size is not the n of construction;
  ///         InvalidArgument for a non-finite entry (named).
  void set_point(const std::vector<double>& x) {
    require_size("x", x.size());
    detail::require_finite("ElementHvpOperator::set_point", "x", x);
    std::copy(x.begin(), x.end(), x_.begin());
    if constexpr (!host_memory) Kokkos::deep_copy(x_view_, host_view(x_));
    move_to_point();
  }

  /// The same for x in memory_space (checked there); point() and gradient()
  /// get host copies.
  void set_point(const const_vector_view& x) {
    require_size("x", x.extent(0));
    detail::require_finite_view("ElementHvpOperator::set_point", "x", x);
    if constexpr (host_memory) {
      Kokkos::deep_copy(host_view(x_), x);
    } else {
      Kokkos::deep_copy(x_view_, x);
      Kokkos::deep_copy(host_view(x_), x_view_);
    }
    move_to_point();
  }

  Index size() const noexcept { return assembly_.n; }
  const std::vector<double>& point() const noexcept { return x_; }
  double value() const noexcept { return value_; }
  const std::vector<double>& gradient() const noexcept { return gradient_; }
  /// The point and the gradient in memory_space.
  /// (On host memory, views of point() and gradient().)
  const_vector_view point_view() const noexcept {
    if constexpr (host_memory) return const_vector_view(x_.data(), x_.size());
    return x_view_;
  }
  const_vector_view gradient_view() const noexcept {
    if constexpr (host_memory) return const_vector_view(gradient_.data(), gradient_.size());
    return gradient_view_;
  }
  /// Always 0: nothing is recorded (kept for the interface of HvpOperator).
  Index recordings() const noexcept { return 0; }
  const ElementAssembly<K>& assembly() const noexcept { return assembly_; }

  /// Bytes held: element table, block coloring, point, gradient, work, and
  /// their memory_space copies.
  std::size_t memory_bytes() const noexcept {
    const std::size_t doubles = x_.size() + gradient_.size() + block_values_.extent(0) +
                                (host_memory ? 0 : x_view_.extent(0) + gradient_view_.extent(0));
    return (assembly_.variables.size() + assembly_.counts.size() + assembly_.blocks.size()) *
               sizeof(Index) +
           tables_.memory_bytes() + doubles * sizeof(double);
  }

  /// hv = H(x) v. @throws DimensionMismatch / InvalidArgument for a
  /// wrong-size or non-finite v. Cost: one element pass on 1 lane.
  void apply(const std::vector<double>& v, std::vector<double>& hv) {
    require_size("v", v.size());
    apply(v, 1, hv);
  }

  std::vector<double> apply(const std::vector<double>& v) {
    std::vector<double> hv;
    apply(v, hv);
    return hv;
  }

  /// HV = H(x) V for k vectors (n x k column-major), up to max_lanes per pass.
  /// @throws DimensionMismatch when V.size() != k n; InvalidArgument for a
  /// non-finite entry (naming it) or k < 0.
  void apply(const std::vector<double>& V, Index k, std::vector<double>& HV) {
    detail::require_directions("ElementHvpOperator::apply", x_.size(), V, k);
    HV.resize(V.size());
    if constexpr (host_memory) {
      products(V.data(), k, HV.data());
    } else {  // through copies in memory_space
      const std::size_t n = x_.size();
      multi_view staged_v("sparsediff::ElementHvpOperator::V", n, std::size_t(k));
      multi_view staged_hv("sparsediff::ElementHvpOperator::HV", n, std::size_t(k));
      Kokkos::deep_copy(staged_v, host_view(V, n, k));
      products(staged_v.data(), k, staged_hv.data());
      Kokkos::deep_copy(host_view(HV, n, k), staged_hv);
    }
  }

  /// hv = H(x) v on vectors in memory_space (no host copies).
  /// @throws DimensionMismatch for a wrong size; InvalidArgument for a
  /// non-finite entry of v (named).
  void apply(const const_vector_view& v, const vector_view& hv) {
    require_size("v", v.extent(0));
    require_size("hv", hv.extent(0));
    detail::require_finite_view("ElementHvpOperator::apply", "v", v);
    products(v.data(), 1, hv.data());
  }

  /// HV = H(x) V for the k = V.extent(1) columns of V, in memory_space.
  /// @throws DimensionMismatch when V or HV is not n x k, or not contiguous;
  /// InvalidArgument for a non-finite entry of V (named as V(entry, vector)).
  void apply(const const_multi_view& V, const multi_view& HV) {
    require_size("V's column", V.extent(0));
    require_size("HV's column", HV.extent(0));
    SPARSEDIFF_REQUIRE(HV.extent(1) == V.extent(1), DimensionMismatch,
                       "HV has " << HV.extent(1) << " columns, V has " << V.extent(1));
    SPARSEDIFF_REQUIRE(V.span_is_contiguous() && HV.span_is_contiguous(), DimensionMismatch,
                       "V and HV must be contiguous n x k views (not strided subviews)");
    detail::require_finite_view("ElementHvpOperator::apply", "V", V);
    products(V.data(), Index(V.extent(1)), HV.data());
  }

 private:
  static constexpr bool host_memory = std::is_same_v<memory_space, Kokkos::HostSpace>;
  using host_vector = Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
  using host_multi =
      Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
  using const_host_multi =
      Kokkos::View<const double**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;

  /// Reads the elements and allocates; set_point follows.
  ElementHvpOperator(PartiallySeparable<K, E> f, Index n, Index block_size)
      : f_(std::move(f)),
        assembly_(f_, n, block_size),
        tables_(assembly_),
        x_(std::size_t(n)),
        gradient_(std::size_t(n)),
        block_values_("sparsediff::ElementHvpOperator::block_values",
                      std::size_t(assembly_.num_blocks())) {
    if constexpr (!host_memory) {
      x_view_ = vector_view("sparsediff::ElementHvpOperator::x", x_.size());
      gradient_view_ = vector_view("sparsediff::ElementHvpOperator::gradient", x_.size());
    }
  }

  // On host memory the kernels work on the host vectors themselves (no views
  // kept into them, so the operator copies safely).
  double* x_data() { return host_memory ? x_.data() : x_view_.data(); }
  double* gradient_data() { return host_memory ? gradient_.data() : gradient_view_.data(); }

  static host_vector host_view(std::vector<double>& v) { return host_vector(v.data(), v.size()); }
  static const_host_multi host_view(const std::vector<double>& v, std::size_t n, Index k) {
    return const_host_multi(v.data(), n, std::size_t(k));
  }
  static host_multi host_view(std::vector<double>& v, std::size_t n, Index k) {
    return host_multi(v.data(), n, std::size_t(k));
  }

  void require_size(const char* name, std::size_t size) const {
    SPARSEDIFF_REQUIRE(
        Index(size) == assembly_.n, DimensionMismatch,
        name << " has " << size << " entries, the operator was built for " << assembly_.n);
  }

  /// f(x) and the gradient at x_view_, into gradient_view_ and the host copy.
  void move_to_point() {
    value_ = detail::run_element_pass<ExecutionSpace, detail::ElementPass::gradient>(
        f_, assembly_, tables_.tables(),
        {x_data(), gradient_data(), nullptr, block_values_.data()});
    if constexpr (!host_memory) Kokkos::deep_copy(host_view(gradient_), gradient_view_);
  }

  /// HV = H V for k vectors of n at V (column-major, memory_space), in
  /// passes of 4, 2 and 1 lanes.
  void products(const double* V, Index k, double* HV) {
    const std::size_t n = x_.size();
    for (Index first = 0; first < k;) {
      const Index left = k - first;
      const double* in = V + n * std::size_t(first);
      double* out = HV + n * std::size_t(first);
      if (left >= 4) {
        pass<4>(in, out);
        first += 4;
      } else if (left >= 2) {
        pass<2>(in, out);
        first += 2;
      } else {
        pass<1>(in, out);
        first += 1;
      }
    }
  }

  template <int L>
  void pass(const double* directions, double* products) {
    detail::run_element_pass<ExecutionSpace, detail::ElementPass::hvp, K, objective_type, L>(
        f_, assembly_, tables_.tables(),
        {x_data(), nullptr, nullptr, block_values_.data(), directions, products});
  }

  objective_type f_;
  ElementAssembly<K> assembly_;
  detail::ElementTablesIn<memory_space> tables_;
  std::vector<double> x_, gradient_;    // host copies (the kernels' own on host memory)
  vector_view x_view_, gradient_view_;  // memory_space copies (empty on host memory)
  vector_view block_values_;
  double value_ = 0;
};

/// For a partially separable objective, HvpOperator is the element operator
/// (no tape), on the default host execution space.
template <int K, class E>
class HvpOperator<PartiallySeparable<K, E>> : public ElementHvpOperator<K, E> {
 public:
  using ElementHvpOperator<K, E>::ElementHvpOperator;
};

}  // namespace sparsediff
