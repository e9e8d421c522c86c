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
///
/// Device data (row kernels): the seed (colors, recovery map) and the
/// pattern's row pointers are also kept in the execution space's memory
/// space (copied once at set-up; on host spaces these are the host arrays
/// themselves), and the overloads taking `Kokkos::View`s in that memory space
/// read and write device data only. The `std::vector` overloads copy x to
/// that space and the result back when the execution space cannot read host
/// memory (see docs/sparse_jacobians.md, "Device data").

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <type_traits>
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
#include "sparsediff/ops/detail/checks.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// How a row kernel's inputs are seeded (whole-vector functions are always
/// seeded by color).
enum class Seeding {
  /// By row when that needs fewer lane evaluations per row than the
  /// coloring (passes x lanes), else by color: 3-D 7-point stencils go by
  /// row (8 lanes instead of 12), 5-point ones by color (6 lanes either way,
  /// and the color seeds cost less to build).
  automatic,
  /// Each row with its own columns: lane l of row i's evaluation is its l-th
  /// nonzero, so the lanes are the Jacobian row in pattern order (no
  /// recovery gather) and a row of r nonzeros needs r lanes, never more than
  /// the colors a column coloring needs (all columns of a row differ in
  /// color) and often fewer: 8 lanes instead of 12 on a 3-D 7-point stencil.
  by_row,
  /// By the column coloring: lane c - first is 1 for a column of color c,
  /// the row's values gathered from the lanes of their columns' colors.
  by_color
};

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
  /// Dual lanes per evaluation: 0 chooses from the number of colors (row
  /// kernels seeded by row: from the longest row), the smallest of 1, 2, 4,
  /// 6, 8, 12, 16 that holds them all; one of those forces it.
  int lane_width = 0;
  /// Row kernels: seeding by row, by the column coloring, or the cheaper of
  /// the two (default). The coloring is computed either way (whole-vector
  /// functions, `recover`, `coloring()`); all give the same J bit for bit.
  Seeding seeding = Seeding::automatic;
};

/// Time spent in the symbolic phase, in seconds.
struct JacobianSetupTimes {
  double detection = 0;  ///< pattern detection (0 when a pattern was given)
  double coloring = 0;   ///< column coloring
  double seed = 0;       ///< seed and recovery map
};

/// The sparse Jacobian of `F` (m outputs, n inputs); see the file comment.
/// @tparam F a whole-vector function or a row kernel (`FunctionKind`).
/// @tparam ExecutionSpace execution space of the kernels (rows of a row
///         kernel, chunks of a whole-vector function), e.g. Kokkos::Serial
///         to run single-threaded, or a `Kokkos::Device<Exec, Memory>`.
///         Row kernels may use a device space (e.g. Kokkos::Cuda); whole-vector
///         functions are host code and need a space that can read host memory.
template <class F, class ExecutionSpace = DefaultHostExecutionSpace>
class SparseJacobian {
 public:
  static constexpr FunctionKind kind = detail::function_kind<F>();
  using execution_space = typename ExecutionSpace::execution_space;
  using memory_space = typename ExecutionSpace::memory_space;
  /// Vectors and matrices in memory_space (the View overloads).
  using vector_view = Kokkos::View<double*, memory_space>;
  using const_vector_view = Kokkos::View<const double*, memory_space>;
  using matrix_type = CsrMatrix<double, memory_space>;
  /// True when the kernels can read host memory: the std::vector overloads
  /// then pass their data straight to the kernels (no copies).
  static constexpr bool reads_host_memory =
      Kokkos::SpaceAccessibility<execution_space, HostMemorySpace>::accessible;
  static_assert(kind == FunctionKind::row_kernel ||
                    (reads_host_memory &&
                     Kokkos::SpaceAccessibility<Kokkos::HostSpace, memory_space>::accessible),
                "sparsediff::SparseJacobian: a whole-vector function is host code; use a row "
                "kernel (template <class T> T operator()(int i, Accessor<T> x) const) on a "
                "device execution space, or a host execution space");

  /// Detects the pattern of f, colors it and builds the seed.
  /// @throws InvalidArgument for negative sizes; NotSupported for a row coloring.
  SparseJacobian(F f, Index m, Index n, const JacobianOptions& options = {})
      : f_(std::move(f)), options_(options) {
    SPARSEDIFF_REQUIRE(m >= 0 && n >= 0, InvalidArgument, "negative size " << m << " x " << n);
    const auto start = std::chrono::steady_clock::now();
    if constexpr (kind == FunctionKind::row_kernel && reads_host_memory)
      pattern_ = detect_row_pattern(execution_space(), f_, m, n);
    else if constexpr (kind == FunctionKind::row_kernel)  // tracers are host objects
      pattern_ = detect_row_pattern(DefaultHostExecutionSpace(), f_, m, n);
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
  /// Dual lanes per evaluation: from the longest row for a row kernel seeded
  /// by row (JacobianOptions::seeding), else the seed's.
  int lane_width() const { return seeded_by_row() ? row_lane_width_ : seed_.lane_width; }
  /// The seeding in use: by_row or by_color (JacobianOptions::seeding resolved).
  Seeding seeding() const { return seeding_; }
  const JacobianSetupTimes& setup_times() const { return times_; }
  const F& function() const { return f_; }
  /// The pattern with its arrays in memory_space (the same arrays as
  /// `pattern()` when memory_space is the host space): build the output of
  /// the View overloads over it, `matrix_type J(jac.device_pattern())`.
  const BasicPattern<memory_space>& device_pattern() const { return device_pattern_; }

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
    if constexpr (reads_host_memory) {
      value_kernel(x.data(), y.data());
    } else {  // stage through memory_space
      const auto xd = to_space(x, "sparsediff::SparseJacobian::x");
      const vector_view yd("sparsediff::SparseJacobian::y", std::size_t(rows()));
      value_kernel(xd.data(), yd.data());
      copy_to_host(yd, y.data());
    }
  }

  /// J(x) v with one dual lane (no Jacobian formed).
  std::vector<double> jvp(const std::vector<double>& x, const std::vector<double>& v) {
    check_input("jvp", x);
    SPARSEDIFF_REQUIRE(v.size() == static_cast<std::size_t>(cols()), DimensionMismatch,
                       "v has " << v.size() << " entries, expected " << cols());
    std::vector<double> jv(static_cast<std::size_t>(rows()));
    if constexpr (reads_host_memory) {
      jvp_kernel(x.data(), v.data(), jv.data());
    } else {  // stage through memory_space
      const auto xd = to_space(x, "sparsediff::SparseJacobian::x");
      const auto vd = to_space(v, "sparsediff::SparseJacobian::v");
      const vector_view jvd("sparsediff::SparseJacobian::jv", std::size_t(rows()));
      jvp_kernel(xd.data(), vd.data(), jvd.data());
      copy_to_host(jvd, jv.data());
    }
    return jv;
  }

  /// @name Views in memory_space (device data)
  /// The same results as the std::vector overloads (bitwise), reading and
  /// writing only memory_space: x is checked there (sizes, and a parallel
  /// reduction for the first non-finite entry), the kernels read the seed and
  /// row pointers kept in memory_space, nothing is copied.
  /// @throws DimensionMismatch for a wrong-size argument or an output matrix
  ///         not over `device_pattern()`; InvalidArgument for a non-finite
  ///         x (naming the first such entry).
  /// @{
  /// J(x) in new storage over `device_pattern()`.
  matrix_type evaluate(const const_vector_view& x) {
    matrix_type jacobian(device_pattern_);
    evaluate(x, jacobian);
    return jacobian;
  }
  /// J(x) into existing storage over this object's pattern (no allocation).
  void evaluate(const const_vector_view& x, matrix_type& jacobian) {
    evaluate_view(x, jacobian, nullptr);
  }
  /// J(x) and F(x) (value must have rows() entries).
  void evaluate(const const_vector_view& x, matrix_type& jacobian, const vector_view& value) {
    check_size("evaluate", "value", value.extent(0), rows());
    evaluate_view(x, jacobian, value.data());
  }
  /// F(x) into y (rows() entries).
  void value(const const_vector_view& x, const vector_view& y) {
    check_view("value", x);
    check_size("value", "y", y.extent(0), rows());
    value_kernel(x.data(), y.data());
  }
  /// J(x) v into jv (rows() entries).
  void jvp(const const_vector_view& x, const const_vector_view& v, const vector_view& jv) {
    check_view("jvp", x);
    check_size("jvp", "v", v.extent(0), cols());
    check_size("jvp", "jv", jv.extent(0), rows());
    jvp_kernel(x.data(), v.data(), jv.data());
  }
  /// @}

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
    seeding_ = Seeding::by_color;
    if (kind == FunctionKind::row_kernel && options_.seeding != Seeding::by_color) {
      Index longest = 0;
      for (Index i = 0; i < rows(); ++i) longest = std::max(longest, pattern_.row_nnz(i));
      row_lane_width_ = options_.lane_width != 0 ? options_.lane_width : lane_width_for(longest);
      // Lane evaluations per row: passes x lanes.
      const auto cost = [](Index needed, Index width) {
        return std::max<Index>(1, (needed + width - 1) / width) * width;
      };
      if (options_.seeding == Seeding::by_row ||
          cost(longest, row_lane_width_) < cost(seed_.num_colors, seed_.lane_width))
        seeding_ = Seeding::by_row;
    }
    // What the kernels read, in memory_space: the host views themselves on
    // the host space, one copy at set-up otherwise.
    device_pattern_ = pattern_.template to<memory_space>();
    if constexpr (std::is_same_v<memory_space, HostMemorySpace>) {
      device_color_ = seed_.color;
      device_gather_ = seed_.compressed_index;
    } else {
      device_color_ = copy_to_space(seed_.color, "sparsediff::SparseJacobian::color");
      device_gather_ = copy_to_space(seed_.compressed_index, "sparsediff::SparseJacobian::gather");
    }
    if constexpr (kind == FunctionKind::whole_vector) {
      // One pair of dual buffers (x: n, y: m) per thread that may run a chunk.
      const int threads = execution_space().concurrency();
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
    // A parallel scan on the kernels' threads: a serial one cost ~20 % of a
    // Jacobian of a cheap stencil on 2 threads.
    using host_space =
        std::conditional_t<reads_host_memory, execution_space, DefaultHostExecutionSpace>;
    detail::require_finite_view<host_space>(
        function, "x",
        Kokkos::View<const double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(x.data(),
                                                                                x.size()));
  }

  static void check_size(const char* function, const char* name, std::size_t size, Index expected) {
    if (size != static_cast<std::size_t>(expected))
      detail::raise<DimensionMismatch>(function, std::string(name) + " has " +
                                                     std::to_string(size) + " entries, expected " +
                                                     std::to_string(expected));
  }

  /// Size and finiteness of x, checked in memory_space.
  void check_view(const char* function, const const_vector_view& x) const {
    check_size(function, "x", x.extent(0), cols());
    detail::require_finite_view(function, "x", x);
  }

  template <class Matrix>
  void check_output(const Matrix& jacobian) const {
    SPARSEDIFF_REQUIRE(jacobian.pattern() == jacobian_pattern<typename Matrix::memory_space>(),
                       DimensionMismatch,
                       "the output matrix ("
                           << jacobian.rows() << " x " << jacobian.cols() << ", " << jacobian.nnz()
                           << " nonzeros) is not over this Jacobian's pattern (" << rows() << " x "
                           << cols() << ", " << pattern_.nnz() << " nonzeros)");
  }
  template <class Space>
  const BasicPattern<Space>& jacobian_pattern() const {
    if constexpr (std::is_same_v<Space, HostMemorySpace>)
      return pattern_;
    else
      return device_pattern_;
  }

  template <class View>
  static Kokkos::View<const Index*, memory_space> copy_to_space(const View& host,
                                                                const char* label) {
    Kokkos::View<Index*, memory_space> copy(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)), host.extent(0));
    Kokkos::deep_copy(copy, host);
    return copy;
  }
  static vector_view to_space(const std::vector<double>& x, const char* label) {
    vector_view copy(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)), x.size());
    Kokkos::deep_copy(copy, Kokkos::View<const double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
                                x.data(), x.size()));
    return copy;
  }
  /// from (memory_space) into the host array `to` of from.extent(0) entries.
  static void copy_to_host(const const_vector_view& from, double* to) {
    Kokkos::deep_copy(
        Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(to, from.extent(0)),
        from);
  }

  CsrMatrix<double> evaluate_unchecked(const std::vector<double>& x) {
    check_input("check", x);
    CsrMatrix<double> jacobian(pattern_);
    evaluate_host(x, jacobian, nullptr);
    return jacobian;
  }

  void evaluate_impl(const std::vector<double>& x, CsrMatrix<double>& jacobian, double* y) {
    check_output(jacobian);
    check_input("evaluate", x);
    evaluate_host(x, jacobian, y);
    check_each_evaluation(x);
  }

  void evaluate_view(const const_vector_view& x, matrix_type& jacobian, double* y) {
    check_output(jacobian);
    check_view("evaluate", x);
    compressed_evaluation(x.data(), kernel_arrays(), jacobian.values().data(), y);
#ifndef NDEBUG
    if (options_.check_each_evaluation) {
      std::vector<double> host(x.extent(0));
      copy_to_host(x, host.data());
      check_each_evaluation(host);
    }
#endif
  }

  void check_each_evaluation([[maybe_unused]] const std::vector<double>& x) {
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

  /// J (and F when y is not null) at a checked host x into host storage:
  /// straight from the host arrays when the kernels read host memory, else
  /// through copies in memory_space.
  void evaluate_host(const std::vector<double>& x, CsrMatrix<double>& jacobian, double* y) {
    if constexpr (reads_host_memory) {
      compressed_evaluation(x.data(), kernel_arrays(), jacobian.values().data(), y);
    } else {
      const auto xd = to_space(x, "sparsediff::SparseJacobian::x");
      matrix_type staged(device_pattern_);
      vector_view yd;
      if (y != nullptr) yd = vector_view("sparsediff::SparseJacobian::y", std::size_t(rows()));
      compressed_evaluation(xd.data(), kernel_arrays(), staged.values().data(),
                            y != nullptr ? yd.data() : nullptr);
      Kokkos::deep_copy(jacobian.values(), staged.values());
      if (y != nullptr) copy_to_host(yd, y);
    }
  }

  /// What the row kernels read of the pattern and the seed, in memory_space
  /// (the host views themselves on the host space).
  struct KernelArrays {
    const Index* color;
    const Index* row_ptr;
    const Index* col;
    const Index* gather;
  };
  KernelArrays kernel_arrays() const {
    return {device_color_.data(), device_pattern_.row_ptr().data(),
            device_pattern_.col_idx().data(), device_gather_.data()};
  }

  bool seeded_by_row() const { return seeding_ == Seeding::by_row; }

  /// The kernels on raw pointers, all in one memory space the kernels read
  /// (the host arrays, or the memory_space copies).
  void compressed_evaluation(const double* x, const KernelArrays& arrays, double* values,
                             double* y) {
    detail::dispatch_lane_width(lane_width(), [&](auto w) {
      constexpr int W = decltype(w)::value;
      if constexpr (kind == FunctionKind::row_kernel)
        evaluate_rows<W>(x, arrays, values, y);
      else
        evaluate_chunks<W>(x, values, y);
    });
  }

  template <int W>
  void evaluate_rows(const double* x, const KernelArrays& a, double* values, double* y) {
    const Kokkos::RangePolicy<execution_space> rows_policy(0, rows());
    if (seeded_by_row())
      Kokkos::parallel_for(
          "sparsediff::SparseJacobian::evaluate", rows_policy,
          detail::RowSeededJacobian<F, W>{f_, x, cols(), a.row_ptr, a.col, values, y});
    else
      Kokkos::parallel_for("sparsediff::SparseJacobian::evaluate", rows_policy,
                           detail::RowKernelJacobian<F, W>{f_, x, cols(), a.color, a.row_ptr,
                                                           a.gather, seed_.num_colors, values, y});
    Kokkos::fence();
  }

  void value_kernel(const double* x, double* y) {
    if constexpr (kind == FunctionKind::row_kernel) {
      Kokkos::parallel_for("sparsediff::SparseJacobian::value",
                           Kokkos::RangePolicy<execution_space>(0, rows()),
                           detail::RowKernelValue<F>{f_, x, cols(), y});
      Kokkos::fence();
    } else {
      f_(x, y);
    }
  }

  void jvp_kernel(const double* x, const double* v, double* jv) {
    if constexpr (kind == FunctionKind::row_kernel) {
      Kokkos::parallel_for("sparsediff::SparseJacobian::jvp",
                           Kokkos::RangePolicy<execution_space>(0, rows()),
                           detail::RowKernelJvp<F>{f_, x, v, cols(), jv, nullptr});
      Kokkos::fence();
    } else {
      const std::size_t n = std::size_t(cols()), m = std::size_t(rows());
      std::vector<Dual<double, 1>> xd(n), yd(m);
      for (std::size_t j = 0; j < n; ++j) {
        xd[j] = Dual<double, 1>(x[j]);
        xd[j].d[0] = v[j];
      }
      f_(static_cast<const Dual<double, 1>*>(xd.data()), yd.data());
      for (std::size_t i = 0; i < m; ++i) jv[i] = yd[i].d[0];
    }
  }

  template <int W>
  void evaluate_chunks(const double* x, double* values, double* y) {
    using D = Dual<double, W>;
    const Index m = rows(), n = cols();
    const Index chunks = std::max<Index>(seed_.num_chunks, 1);
    const std::size_t per_slot = (std::size_t(m) + std::size_t(n)) * (W + 1);
    const Index* color = seed_.color.data();
    const Index* ptr = pattern_.row_ptr().data();
    const Index* gather = seed_.compressed_index.data();
    double* buffers = buffers_.data();
    detail::for_each_chunk<execution_space>(chunks, slots_, [&](Index chunk, int slot) {
      D* xd = reinterpret_cast<D*>(buffers + per_slot * std::size_t(slot));
      D* yd = xd + n;
      const Index first = chunk * W;
      const Accessor<D> seeded(x, n, color, first);
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
  Seeding seeding_ = Seeding::by_color;  // resolved at set-up
  int row_lane_width_ = 1;               // lanes of a row kernel seeded by row
  JacobianSetupTimes times_;
  int slots_ = 1;
  Kokkos::View<double*, HostMemorySpace> buffers_;
  // What the kernels read in memory_space (the host views on the host space).
  BasicPattern<memory_space> device_pattern_;
  Kokkos::View<const Index*, memory_space> device_color_, device_gather_;
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
