#pragma once
/// @file
/// `SparseJacobian`: the exact sparse Jacobian of a function written once as
/// a template.
///
/// Built once per function and sizes (symbolic phase): the pattern is
/// detected with the tracer scalar (or given), its columns are colored, and
/// the seed with its recovery map is precomputed. Each `evaluate(x)` (numeric
/// phase) is then ceil(colors / W) evaluations with `Dual<double, W>` lanes,
/// recovered straight into the CSR values, without allocation when the
/// output storage is passed in.
///
///     struct Residual {   // a row kernel: F_i(x)
///       template <class T>
///       KOKKOS_INLINE_FUNCTION T operator()(int i, sparsediff::Accessor<T> x) const { ... }
///     };
///     sparsediff::SparseJacobian jac(Residual{}, m, n);
///     sparsediff::CsrMatrix<double> J = jac.evaluate(x);
///
/// The object owns work buffers: one object must not be evaluated from two
/// threads at once (make one object per thread, they may share nothing).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/coloring/verify.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/core/timing.hpp"
#include "sparsediff/jacobian/compress.hpp"
#include "sparsediff/jacobian/detect.hpp"
#include "sparsediff/jacobian/recover.hpp"
#include "sparsediff/jacobian/seed.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Options of `SparseJacobian`.
struct JacobianOptions {
  /// Column coloring used for compression (kind must be column).
  ColoringOptions coloring{};
  /// Whole-vector functions: evaluate chunks concurrently on the host threads
  /// (the function must then be safe to call concurrently, as const code is).
  bool parallel_chunks = true;
  /// Run `check(x)` after every evaluation in builds without NDEBUG, and
  /// throw when its error exceeds `check_tolerance` (catches a stale pattern).
  bool check_each_evaluation = false;
  /// Largest relative error `check` accepts in `check_each_evaluation`.
  double check_tolerance = 1e-8;
  /// Dual lanes per evaluation: 0 chooses from the number of colors (the
  /// smallest of 1, 2, 4, 6, 8, 12, 16 that holds them all); one of those
  /// forces it.
  int lane_width = 0;
};

/// Time spent in the symbolic phase, in seconds.
struct JacobianSetupTimes {
  double detection = 0;  ///< pattern detection (0 when a pattern was given)
  double coloring = 0;   ///< column coloring
  double seed = 0;       ///< seed and recovery map
};

/// The sparse Jacobian of `F` (m outputs, n inputs); see the file comment.
/// @tparam F a whole-vector function or a row kernel (`FunctionKind`).
/// @tparam ExecutionSpace host execution space of the kernels (rows of a row
///         kernel, chunks of a whole-vector function), e.g. Kokkos::Serial
///         to run single-threaded.
template <class F, class ExecutionSpace = DefaultHostExecutionSpace>
class SparseJacobian {
 public:
  static constexpr FunctionKind kind = detail::function_kind<F>();

  /// Detects the pattern of f, colors it and builds the seed.
  /// @throws InvalidArgument for negative sizes; NotSupported for a row coloring.
  SparseJacobian(F f, Index m, Index n, const JacobianOptions& options = {})
      : f_(std::move(f)), options_(options) {
    SPARSEDIFF_REQUIRE(m >= 0 && n >= 0, InvalidArgument, "negative size " << m << " x " << n);
    const auto start = std::chrono::steady_clock::now();
    if constexpr (kind == FunctionKind::row_kernel)
      pattern_ = detect_row_pattern(ExecutionSpace(), f_, m, n);
    else
      pattern_ = detect_jacobian_pattern(f_, m, n);
    times_.detection = detail::seconds_since(start);
    setup();
  }

  /// Uses a known pattern (no detection). The pattern must contain every
  /// structural nonzero of J; `check` tells when it does not.
  SparseJacobian(F f, Pattern pattern, const JacobianOptions& options = {})
      : f_(std::move(f)), options_(options), pattern_(std::move(pattern)) {
    setup();
  }

  /// Uses a known pattern and a known column coloring (e.g. the 7-coloring
  /// (i + 2j + 3k) mod 7 of a 3-D 7-point stencil, which greedy orderings do
  /// not find), checked by the independent verifier.
  /// @throws DimensionMismatch when colors.size() != pattern.cols();
  ///         InvalidColoring when two columns of one color share a row.
  SparseJacobian(F f, Pattern pattern, std::vector<Index> colors,
                 const JacobianOptions& options = {})
      : f_(std::move(f)), options_(options), pattern_(std::move(pattern)) {
    SPARSEDIFF_REQUIRE(colors.size() == static_cast<std::size_t>(pattern_.cols()),
                       DimensionMismatch,
                       colors.size() << " colors for " << pattern_.cols() << " columns");
    Coloring given;
    given.num_colors = colors.empty() ? 0 : *std::max_element(colors.begin(), colors.end()) + 1;
    given.colors = std::move(colors);
    given.lower_bound = coloring_lower_bound(pattern_, ColoringKind::column);
    verify(pattern_, given);
    setup(std::move(given));
  }

  Index rows() const { return pattern_.rows(); }
  Index cols() const { return pattern_.cols(); }
  const Pattern& pattern() const { return pattern_; }
  const Coloring& coloring() const { return coloring_; }
  const Seed& seed() const { return seed_; }
  const JacobianSetupTimes& setup_times() const { return times_; }
  const F& function() const { return f_; }

  /// J(x) in new storage. @throws DimensionMismatch / InvalidArgument for a
  /// wrong-size or non-finite x (naming the entry).
  CsrMatrix<double> evaluate(const std::vector<double>& x) {
    CsrMatrix<double> jacobian(pattern_);
    evaluate(x, jacobian);
    return jacobian;
  }

  /// J(x) into existing storage over this object's pattern (no allocation).
  void evaluate(const std::vector<double>& x, CsrMatrix<double>& jacobian) {
    evaluate_impl(x, jacobian, nullptr);
  }

  /// J(x) and F(x) in one pass (the dual values carry F for free).
  void evaluate(const std::vector<double>& x, CsrMatrix<double>& jacobian,
                std::vector<double>& value) {
    value.resize(static_cast<std::size_t>(rows()));
    evaluate_impl(x, jacobian, value.data());
  }

  /// F(x) with plain doubles.
  std::vector<double> value(const std::vector<double>& x) {
    std::vector<double> y(static_cast<std::size_t>(rows()));
    value(x, y);
    return y;
  }
  void value(const std::vector<double>& x, std::vector<double>& y) {
    check_input("value", x);
    y.resize(static_cast<std::size_t>(rows()));
    if constexpr (kind == FunctionKind::row_kernel) {
      Kokkos::parallel_for("sparsediff::SparseJacobian::value",
                           Kokkos::RangePolicy<ExecutionSpace>(0, rows()),
                           detail::RowKernelValue<F>{f_, x.data(), cols(), y.data()});
      Kokkos::fence();
    } else {
      f_(x.data(), y.data());
    }
  }

  /// J(x) v with one dual lane (no Jacobian formed).
  std::vector<double> jvp(const std::vector<double>& x, const std::vector<double>& v) {
    check_input("jvp", x);
    SPARSEDIFF_REQUIRE(v.size() == static_cast<std::size_t>(cols()), DimensionMismatch,
                       "v has " << v.size() << " entries, expected " << cols());
    std::vector<double> jv(static_cast<std::size_t>(rows()));
    if constexpr (kind == FunctionKind::row_kernel) {
      Kokkos::parallel_for(
          "sparsediff::SparseJacobian::jvp", Kokkos::RangePolicy<ExecutionSpace>(0, rows()),
          detail::RowKernelJvp<F>{f_, x.data(), v.data(), cols(), jv.data(), nullptr});
      Kokkos::fence();
    } else {
      std::vector<Dual<double, 1>> xd(x.size()), yd(static_cast<std::size_t>(rows()));
      for (std::size_t j = 0; j < x.size(); ++j) {
        xd[j] = Dual<double, 1>(x[j]);
        xd[j].d[0] = v[j];
      }
      f_(static_cast<const Dual<double, 1>*>(xd.data()), yd.data());
      for (std::size_t i = 0; i < jv.size(); ++i) jv[i] = yd[i].d[0];
    }
    return jv;
  }

  /// Consistency check: for `vectors` random v, compares the recovered J v
  /// with a JVP and returns the largest relative error
  /// max_i |(J v)_i - jvp_i| / max(1, max_i |jvp_i|). Near machine precision
  /// when the pattern is right; O(1) when the function's sparsity changed
  /// since detection (a stale pattern).
  double check(const std::vector<double>& x, int vectors = 3, unsigned seed = 12345) {
    const CsrMatrix<double> jacobian = evaluate_unchecked(x);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    double worst = 0;
    for (int t = 0; t < vectors; ++t) {
      std::vector<double> v(static_cast<std::size_t>(cols()));
      for (auto& vj : v) vj = uniform(rng);
      const auto recovered = jacobian.multiply(v);
      const auto exact = jvp(x, v);
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
  void setup() {
    SPARSEDIFF_REQUIRE(options_.coloring.kind == ColoringKind::column, NotSupported,
                       "compressed forward-mode evaluation needs a column coloring");
    const auto start = std::chrono::steady_clock::now();
    auto computed = color(pattern_, options_.coloring);
    times_.coloring = detail::seconds_since(start);
    setup(std::move(computed));
  }

  void setup(Coloring coloring) {
    coloring_ = std::move(coloring);
    const auto start = std::chrono::steady_clock::now();
    seed_ = Seed(pattern_, coloring_.colors, options_.lane_width);
    if constexpr (kind == FunctionKind::whole_vector) {
      // One pair of dual buffers (x: n, y: m) per thread that may run a chunk.
      const int threads = ExecutionSpace().concurrency();
      slots_ = options_.parallel_chunks ? std::max(1, std::min<int>(threads, seed_.num_chunks)) : 1;
      const std::size_t per_slot =
          (std::size_t(rows()) + std::size_t(cols())) * std::size_t(seed_.lane_width + 1);
      buffers_ = Kokkos::View<double*, HostMemorySpace>(
          Kokkos::view_alloc(Kokkos::WithoutInitializing,
                             std::string("sparsediff::SparseJacobian::buffers")),
          per_slot * std::size_t(slots_));
    }
    times_.seed = detail::seconds_since(start);
  }

  void check_input(const char* function, const std::vector<double>& x) const {
    if (x.size() != static_cast<std::size_t>(cols()))
      detail::raise<DimensionMismatch>(
          function,
          "x has " + std::to_string(x.size()) + " entries, expected " + std::to_string(cols()));
    for (std::size_t j = 0; j < x.size(); ++j)
      if (!std::isfinite(x[j]))
        detail::raise<InvalidArgument>(
            function, "x[" + std::to_string(j) + "] = " + std::to_string(x[j]) + " is not finite");
  }

  CsrMatrix<double> evaluate_unchecked(const std::vector<double>& x) {
    CsrMatrix<double> jacobian(pattern_);
    compressed_evaluation(x, jacobian, nullptr);
    return jacobian;
  }

  void evaluate_impl(const std::vector<double>& x, CsrMatrix<double>& jacobian, double* y) {
    SPARSEDIFF_REQUIRE(jacobian.pattern() == pattern_, DimensionMismatch,
                       "the output matrix ("
                           << jacobian.rows() << " x " << jacobian.cols() << ", " << jacobian.nnz()
                           << " nonzeros) is not over this Jacobian's pattern (" << rows() << " x "
                           << cols() << ", " << pattern_.nnz() << " nonzeros)");
    compressed_evaluation(x, jacobian, y);
#ifndef NDEBUG
    if (options_.check_each_evaluation) {
      const double error = check(x);
      SPARSEDIFF_REQUIRE(error <= options_.check_tolerance, Error,
                         "Jacobian check failed: relative error "
                             << error << " > " << options_.check_tolerance
                             << " (has the function's sparsity changed since detection?)");
    }
#endif
  }

  void compressed_evaluation(const std::vector<double>& x, CsrMatrix<double>& jacobian, double* y) {
    check_input("evaluate", x);
    double* values = jacobian.values().data();
    detail::dispatch_lane_width(seed_.lane_width, [&](auto width) {
      constexpr int W = decltype(width)::value;
      if constexpr (kind == FunctionKind::row_kernel)
        evaluate_rows<W>(x, values, y);
      else
        evaluate_chunks<W>(x, values, y);
    });
  }

  template <int W>
  void evaluate_rows(const std::vector<double>& x, double* values, double* y) {
    const detail::RowKernelJacobian<F, W> kernel{f_,
                                                 x.data(),
                                                 cols(),
                                                 seed_.color.data(),
                                                 pattern_.row_ptr().data(),
                                                 seed_.compressed_index.data(),
                                                 seed_.num_colors,
                                                 values,
                                                 y};
    Kokkos::parallel_for("sparsediff::SparseJacobian::evaluate",
                         Kokkos::RangePolicy<ExecutionSpace>(0, rows()), kernel);
    Kokkos::fence();
  }

  template <int W>
  void evaluate_chunks(const std::vector<double>& x, double* values, double* y) {
    using D = Dual<double, W>;
    const Index m = rows(), n = cols();
    const Index chunks = std::max<Index>(seed_.num_chunks, 1);
    const std::size_t per_slot = (std::size_t(m) + std::size_t(n)) * (W + 1);
    const Index* color = seed_.color.data();
    const Index* ptr = pattern_.row_ptr().data();
    const Index* gather = seed_.compressed_index.data();
    double* buffers = buffers_.data();
    detail::for_each_chunk<ExecutionSpace>(chunks, slots_, [&](Index chunk, int slot) {
      D* xd = reinterpret_cast<D*>(buffers + per_slot * std::size_t(slot));
      D* yd = xd + n;
      const Index first = chunk * W;
      const Accessor<D> seeded(x.data(), n, color, first);
      for (Index j = 0; j < n; ++j) xd[j] = seeded(j);
      for (Index i = 0; i < m; ++i) yd[i] = D(0.0);
      f_(static_cast<const D*>(xd), yd);
      for (Index i = 0; i < m; ++i)
        detail::recover_row(yd[i], first, ptr[i], ptr[i + 1], gather, values);
      if (chunk == 0 && y != nullptr)
        for (Index i = 0; i < m; ++i) y[i] = yd[i].val;
    });
  }

  F f_;
  JacobianOptions options_;
  Pattern pattern_;
  Coloring coloring_;
  Seed seed_;
  JacobianSetupTimes times_;
  int slots_ = 1;
  Kokkos::View<double*, HostMemorySpace> buffers_;
};

/// J(x) v for a function of either kind, without forming J.
/// @param m number of outputs of f.
template <class F>
std::vector<double> jvp(const F& f, Index m, const std::vector<double>& x,
                        const std::vector<double>& v) {
  SparseJacobian<F> jacobian(f, Pattern::from_coo(m, Index(x.size()), {}, {}));
  return jacobian.jvp(x, v);
}

}  // namespace sparsediff
