#pragma once
/// @file
/// Row-sparse gradients: the gradient of Z = X W with respect to a dense
/// weight W when X is a sparse *data* batch, and optimizer steps that touch
/// only the rows it has.
///
/// In a linear model on sparse features (logistic regression on text or
/// click data: 10^6 features, a few nonzeros per sample) a batch of b samples
/// X (b x n) meets only the features that occur in it, so
///
///     W̄ = X^T Z̄        (n x k)
///
/// is zero except on the rows j of W whose column j of X holds an entry. A
/// `RowSparseGradient` stores just those rows: their sorted indices and a
/// dense (touched x k) block, so memory and update cost scale with the batch,
/// not with n (an embedding-bag gradient, as IndexedSlices in TensorFlow or
/// `sparse=True` embeddings in PyTorch).
///
/// Computing it. The batch's entries are sorted by column once (O(nnz log nnz)
/// on the host, with storage kept between batches), which gives the touched
/// rows and, per row, the entries that feed it; a Kokkos kernel then forms
/// each row's sum with one thread per touched row (deterministic, no atomics).
///
/// Updating with it. `sgd_update` changes only the touched rows. `LazyAdam`
/// is Adam (Kingma & Ba, ICLR 2015) restricted to them, with the semantics of
/// TensorFlow Addons' LazyAdam: the step count t advances once per call and
/// sets the bias correction lr_t = lr sqrt(1 - β2^t) / (1 - β1^t) for all
/// rows; the moments m, v of a touched row are updated with its gradient,
/// and those of untouched rows are left as they are — not decayed, and their
/// weights not moved by momentum. This differs from dense Adam, which decays
/// every moment each step and keeps moving rows by their past momentum; it is
/// what makes a step cost O(touched k) instead of O(n k). The moments are
/// dense (2 n k doubles) so that a row resumes where it stopped.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/ops/detail/checks.hpp"
#include "sparsediff/sparse/csr.hpp"

namespace sparsediff {

template <class MemorySpace = HostMemorySpace>
class RowSparseGradient;

/// Computes W̄ = X^T Z̄ of Z = X W in row-sparse form (see the file comment).
template <class MemorySpace, class ZbarView>
void row_sparse_vjp(const CsrMatrix<double, MemorySpace>& x, const ZbarView& z_bar,
                    RowSparseGradient<MemorySpace>& gradient);

/// The gradient of a dense rows x cols parameter in which only some rows are
/// nonzero: sorted row indices and one dense row of values for each.
///
/// Storage grows to the largest batch seen and is kept, so a training loop
/// allocates nothing after its first batches.
template <class MemorySpace>
class RowSparseGradient {
 public:
  using memory_space = MemorySpace;
  using execution_space = typename MemorySpace::execution_space;
  /// Row indices of the touched rows (increasing).
  using index_view = Kokkos::View<Index*, MemorySpace>;
  /// touched x cols values, row-major.
  using values_view = Kokkos::View<double**, Kokkos::LayoutRight, MemorySpace>;

  /// The zero gradient of a 0 x 0 parameter.
  RowSparseGradient() = default;

  /// The zero gradient of a rows x cols parameter (no row touched).
  /// @throws InvalidArgument for negative sizes.
  RowSparseGradient(Index rows, Index cols) : rows_(rows), cols_(cols) {
    SPARSEDIFF_REQUIRE(rows >= 0 && cols >= 0, InvalidArgument,
                       "negative size " << rows << " x " << cols);
  }

  /// A gradient with the given rows and values.
  /// @param row_indices increasing indices in [0, rows).
  /// @param values row_indices.size() x cols values, row-major.
  /// @throws InvalidArgument for negative sizes, an index out of range or
  ///         not increasing (named), a non-finite value (named);
  ///         DimensionMismatch for a values array of the wrong length.
  RowSparseGradient(Index rows, Index cols, const std::vector<Index>& row_indices,
                    const std::vector<double>& values)
      : RowSparseGradient(rows, cols) {
    const std::size_t count = row_indices.size();
    for (std::size_t s = 0; s < count; ++s) {
      const Index j = row_indices[s];
      SPARSEDIFF_REQUIRE(j >= 0 && j < rows, InvalidArgument,
                         "row index " << s << " = " << j << " out of range [0, " << rows << ")");
      SPARSEDIFF_REQUIRE(s == 0 || row_indices[s - 1] < j, InvalidArgument,
                         "row index " << s << " = " << j << " does not increase (previous "
                                      << row_indices[s > 0 ? s - 1 : 0] << ")");
    }
    SPARSEDIFF_REQUIRE(values.size() == count * std::size_t(cols), DimensionMismatch,
                       values.size() << " values for " << count << " rows of " << cols);
    detail::require_finite_values("RowSparseGradient", "values", values);
    reserve(Index(count), 0);
    count_ = Index(count);
    auto host_indices = Kokkos::create_mirror_view(indices_);
    auto host_values = Kokkos::create_mirror_view(values_);
    for (std::size_t s = 0; s < count; ++s) {
      host_indices(s) = row_indices[s];
      for (Index c = 0; c < cols; ++c) host_values(s, c) = values[s * std::size_t(cols) + c];
    }
    Kokkos::deep_copy(indices_, host_indices);
    Kokkos::deep_copy(values_, host_values);
  }

  /// Size of the parameter (rows x cols).
  Index rows() const noexcept { return rows_; }
  Index cols() const noexcept { return cols_; }
  /// Number of rows with a stored gradient.
  Index num_touched() const noexcept { return count_; }

  /// The touched rows' indices (num_touched() entries, increasing).
  Kokkos::View<const Index*, MemorySpace> row_indices() const {
    return Kokkos::subview(indices_, std::make_pair(Index(0), count_));
  }
  /// Their values, num_touched() x cols().
  Kokkos::View<const double**, Kokkos::LayoutRight, MemorySpace> values() const {
    return Kokkos::subview(values_, std::make_pair(Index(0), count_), Kokkos::ALL);
  }

  /// The touched rows' indices in a host vector.
  std::vector<Index> host_row_indices() const {
    auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, indices_);
    return std::vector<Index>(host.data(), host.data() + count_);
  }
  /// Dense rows x cols row-major copy (for tests and small sizes).
  std::vector<double> to_dense() const {
    std::vector<double> dense(std::size_t(rows_) * std::size_t(cols_), 0.0);
    auto idx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, indices_);
    auto val = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, values_);
    for (Index s = 0; s < count_; ++s)
      for (Index c = 0; c < cols_; ++c)
        dense[std::size_t(idx(s)) * std::size_t(cols_) + std::size_t(c)] = val(s, c);
    return dense;
  }

  /// Bytes held: indices and values at their current capacity, plus the
  /// work arrays of `row_sparse_vjp`.
  std::size_t memory_bytes() const noexcept {
    return indices_.span() * sizeof(Index) + values_.span() * sizeof(double) +
           (order_.span() + entry_row_.span() + segment_.span()) * sizeof(Index) +
           keys_.capacity() * sizeof(std::uint64_t) +
           (host_order_.capacity() + host_entry_row_.capacity() + host_segment_.capacity() +
            host_indices_.capacity()) *
               sizeof(Index);
  }
  /// Bytes the stored rows need (num_touched() indices and rows).
  std::size_t used_bytes() const noexcept {
    return std::size_t(count_) * (sizeof(Index) + std::size_t(cols_) * sizeof(double));
  }
  /// Bytes of the dense gradient of the same parameter.
  std::size_t dense_bytes() const noexcept {
    return std::size_t(rows_) * std::size_t(cols_) * sizeof(double);
  }

 private:
  template <class M, class Z>
  friend void row_sparse_vjp(const CsrMatrix<double, M>&, const Z&, RowSparseGradient<M>&);

  /// Capacity for `touched` rows and `nnz` batch entries (grows only).
  void reserve(Index touched, Index nnz) {
    if (Index(indices_.extent(0)) < touched || Index(values_.extent(1)) != cols_) {
      const Index cap = std::max<Index>(touched, Index(indices_.extent(0)));
      indices_ = index_view(Kokkos::view_alloc(Kokkos::WithoutInitializing,
                                               std::string("sparsediff::RowSparseGradient::rows")),
                            std::size_t(cap));
      values_ =
          values_view(Kokkos::view_alloc(Kokkos::WithoutInitializing,
                                         std::string("sparsediff::RowSparseGradient::values")),
                      std::size_t(cap), std::size_t(cols_));
      segment_ =
          index_view(Kokkos::view_alloc(Kokkos::WithoutInitializing,
                                        std::string("sparsediff::RowSparseGradient::segment")),
                     std::size_t(cap) + 1);
    }
    if (Index(order_.extent(0)) < nnz) {
      order_ = index_view(Kokkos::view_alloc(Kokkos::WithoutInitializing,
                                             std::string("sparsediff::RowSparseGradient::order")),
                          std::size_t(nnz));
      entry_row_ =
          index_view(Kokkos::view_alloc(Kokkos::WithoutInitializing,
                                        std::string("sparsediff::RowSparseGradient::entry_row")),
                     std::size_t(nnz));
    }
  }

  Index rows_ = 0, cols_ = 0, count_ = 0;
  index_view indices_;
  values_view values_;
  // Work arrays of row_sparse_vjp: batch entries ordered by column, the batch
  // row of each entry, and where each touched row's entries start.
  index_view order_, entry_row_, segment_;
  std::vector<std::uint64_t> keys_;
  std::vector<Index> host_order_, host_entry_row_, host_segment_, host_indices_;
};

namespace detail {
/// Entry (row, c) of a rank-2 view, or entry row of a rank-1 view (one
/// column, c = 0). The rank dispatch is here because a CUDA device lambda may
/// not capture a variable for the first time inside an `if constexpr`.
template <class View>
KOKKOS_INLINE_FUNCTION auto& entry(const View& v, Index row, Index c) {
  if constexpr (View::rank == 1) {
    (void)c;
    return v(row);
  } else {
    return v(row, c);
  }
}
}  // namespace detail

/// Computes W̄ = X^T Z̄ of Z = X W (X a sparse batch b x n, W dense n x k),
/// keeping only the rows of W that X touches, into `gradient` (reshaped to
/// n x k; its storage is reused).
/// @param x the batch (its values are data, not differentiated).
/// @param z_bar rank-2 view b x k (any layout), or rank-1 of b entries for k = 1.
/// @throws DimensionMismatch when z_bar has not x.rows() rows; InvalidArgument
///         naming the first non-finite value of X or Z̄.
/// Complexity O(nnz log nnz) host work for the ordering + O(nnz k) kernel.
template <class MemorySpace, class ZbarView>
void row_sparse_vjp(const CsrMatrix<double, MemorySpace>& x, const ZbarView& z_bar,
                    RowSparseGradient<MemorySpace>& gradient) {
  constexpr bool vector = ZbarView::rank == 1;
  const std::size_t k = vector ? 1 : z_bar.extent(1);
  detail::require_shape("row_sparse_vjp", "Zbar", z_bar.extent(0), k, std::size_t(x.rows()), k);
  detail::require_finite_matrix("row_sparse_vjp", "X", x);
  detail::require_finite_view("row_sparse_vjp", "Zbar", z_bar);
  auto& g = gradient;
  g.rows_ = x.cols();
  g.cols_ = Index(k);
  const Index nnz = x.nnz(), b = x.rows();
  // Order the batch entries by column (then position) on the host.
  const auto ptr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, x.pattern().row_ptr());
  const auto idx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, x.pattern().col_idx());
  g.keys_.resize(std::size_t(nnz));
  g.host_entry_row_.resize(std::size_t(nnz));
  for (Index i = 0; i < b; ++i)
    for (Index e = ptr(i); e < ptr(i + 1); ++e) {
      g.keys_[std::size_t(e)] = (std::uint64_t(std::uint32_t(idx(e))) << 32) | std::uint32_t(e);
      g.host_entry_row_[std::size_t(e)] = i;
    }
  std::sort(g.keys_.begin(), g.keys_.end());
  g.host_order_.resize(std::size_t(nnz));
  g.host_indices_.clear();
  g.host_segment_.clear();
  for (Index t = 0; t < nnz; ++t) {
    const std::uint64_t key = g.keys_[std::size_t(t)];
    const Index col = Index(key >> 32);
    g.host_order_[std::size_t(t)] = Index(key & 0xffffffffu);
    if (g.host_indices_.empty() || g.host_indices_.back() != col) {
      g.host_indices_.push_back(col);
      g.host_segment_.push_back(t);
    }
  }
  g.host_segment_.push_back(nnz);
  const Index count = Index(g.host_indices_.size());
  g.reserve(count, nnz);
  g.count_ = count;
  auto copy = [](const std::vector<Index>& from, const auto& to) {
    Kokkos::deep_copy(Kokkos::subview(to, std::make_pair(std::size_t(0), from.size())),
                      detail::host_view(from));
  };
  copy(g.host_order_, g.order_);
  copy(g.host_entry_row_, g.entry_row_);
  copy(g.host_segment_, g.segment_);
  copy(g.host_indices_, g.indices_);
  const auto order = g.order_;
  const auto entry_row = g.entry_row_;
  const auto segment = g.segment_;
  const auto values = g.values_;
  const auto xv = x.values();
  const Index kk = Index(k);
  Kokkos::parallel_for(
      "sparsediff::row_sparse_vjp",
      Kokkos::RangePolicy<typename MemorySpace::execution_space>(0, count),
      KOKKOS_LAMBDA(const Index s) {
        for (Index c = 0; c < kk; ++c) {
          double sum = 0;
          for (Index t = segment(s); t < segment(s + 1); ++t) {
            const Index e = order(t);
            sum += xv(e) * detail::entry(z_bar, entry_row(e), c);
          }
          values(s, c) = sum;
        }
      });
}

namespace detail {
template <class WView, class MemorySpace>
void require_parameter_shape(const char* function, const WView& w,
                             const RowSparseGradient<MemorySpace>& g) {
  std::size_t cols = 1;
  if constexpr (WView::rank == 2) cols = w.extent(1);
  require_shape(function, "W", w.extent(0), cols, std::size_t(g.rows()), std::size_t(g.cols()));
}
}  // namespace detail

/// W[j, :] -= learning_rate * W̄[j, :] for the touched rows j only.
/// @param w the parameter, rank 2 (rows x cols) or rank 1 when cols == 1.
/// @throws DimensionMismatch when W's shape is not the gradient's;
///         InvalidArgument for a non-finite learning rate. O(touched cols).
template <class WView, class MemorySpace>
void sgd_update(const WView& w, const RowSparseGradient<MemorySpace>& gradient,
                double learning_rate) {
  detail::require_parameter_shape("sgd_update", w, gradient);
  SPARSEDIFF_REQUIRE(std::isfinite(learning_rate), InvalidArgument,
                     "learning rate " << learning_rate << " is not finite");
  const auto rows = gradient.row_indices();
  const auto values = gradient.values();
  const Index cols = gradient.cols();
  Kokkos::parallel_for(
      "sparsediff::sgd_update",
      Kokkos::RangePolicy<typename MemorySpace::execution_space>(0, gradient.num_touched()),
      KOKKOS_LAMBDA(const Index s) {
        for (Index c = 0; c < cols; ++c)
          detail::entry(w, rows(s), c) -= learning_rate * values(s, c);
      });
}

/// Options of `LazyAdam` (Kingma & Ba's defaults).
struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

/// Adam restricted to the rows a row-sparse gradient touches (semantics in
/// the file comment: TensorFlow Addons' LazyAdam).
template <class MemorySpace = HostMemorySpace>
class LazyAdam {
 public:
  using moments_view = Kokkos::View<double**, Kokkos::LayoutRight, MemorySpace>;

  /// Zero moments for a rows x cols parameter.
  /// @throws InvalidArgument for negative sizes, a non-positive or non-finite
  ///         learning rate or epsilon, or a beta outside [0, 1).
  LazyAdam(Index rows, Index cols, AdamOptions options = {})
      : options_(options),
        m_("sparsediff::LazyAdam::m", std::size_t(std::max<Index>(rows, 0)),
           std::size_t(std::max<Index>(cols, 0))),
        v_("sparsediff::LazyAdam::v", std::size_t(std::max<Index>(rows, 0)),
           std::size_t(std::max<Index>(cols, 0))) {
    SPARSEDIFF_REQUIRE(rows >= 0 && cols >= 0, InvalidArgument,
                       "negative size " << rows << " x " << cols);
    SPARSEDIFF_REQUIRE(options.learning_rate > 0 && std::isfinite(options.learning_rate),
                       InvalidArgument,
                       "learning rate " << options.learning_rate << " is not positive and finite");
    SPARSEDIFF_REQUIRE(options.beta1 >= 0 && options.beta1 < 1, InvalidArgument,
                       "beta1 = " << options.beta1 << " outside [0, 1)");
    SPARSEDIFF_REQUIRE(options.beta2 >= 0 && options.beta2 < 1, InvalidArgument,
                       "beta2 = " << options.beta2 << " outside [0, 1)");
    SPARSEDIFF_REQUIRE(options.epsilon > 0 && std::isfinite(options.epsilon), InvalidArgument,
                       "epsilon = " << options.epsilon << " is not positive and finite");
  }

  /// One step: t += 1, then for each touched row j
  /// m_j = β1 m_j + (1-β1) g_j, v_j = β2 v_j + (1-β2) g_j², W_j -= lr_t m_j / (sqrt(v_j) + ε).
  /// @param w the parameter (rank 2, or rank 1 when cols == 1).
  /// @throws DimensionMismatch when W or the gradient is not rows x cols. O(touched cols).
  template <class WView>
  void step(const WView& w, const RowSparseGradient<MemorySpace>& gradient) {
    detail::require_parameter_shape("LazyAdam::step", w, gradient);
    detail::require_shape("LazyAdam::step", "the gradient", std::size_t(gradient.rows()),
                          std::size_t(gradient.cols()), m_.extent(0), m_.extent(1));
    ++steps_;
    const double b1 = options_.beta1, b2 = options_.beta2, eps = options_.epsilon;
    const double lr_t = options_.learning_rate * std::sqrt(1 - std::pow(b2, double(steps_))) /
                        (1 - std::pow(b1, double(steps_)));
    const auto rows = gradient.row_indices();
    const auto values = gradient.values();
    const auto m = m_, v = v_;
    const Index cols = gradient.cols();
    Kokkos::parallel_for(
        "sparsediff::LazyAdam::step",
        Kokkos::RangePolicy<typename MemorySpace::execution_space>(0, gradient.num_touched()),
        KOKKOS_LAMBDA(const Index s) {
          using std::sqrt;
          const Index j = rows(s);
          for (Index c = 0; c < cols; ++c) {
            const double g = values(s, c);
            m(j, c) = b1 * m(j, c) + (1 - b1) * g;
            v(j, c) = b2 * v(j, c) + (1 - b2) * g * g;
            detail::entry(w, j, c) -= lr_t * m(j, c) / (sqrt(v(j, c)) + eps);
          }
        });
  }

  /// Steps taken.
  long steps() const noexcept { return steps_; }
  const AdamOptions& options() const noexcept { return options_; }
  /// First and second moments (rows x cols).
  const moments_view& first_moment() const noexcept { return m_; }
  const moments_view& second_moment() const noexcept { return v_; }
  /// Bytes of the moments.
  std::size_t memory_bytes() const noexcept { return (m_.span() + v_.span()) * sizeof(double); }

 private:
  AdamOptions options_;
  moments_view m_, v_;
  long steps_ = 0;
};

}  // namespace sparsediff
