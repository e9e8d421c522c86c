// Tests of row-sparse gradients and updates (ops/row_sparse.hpp). References:
// W̄ = X^T Z̄ by a triplet loop into a dense array, central differences of
// L(W) = Σ Z̄ ∘ (X W) (linear in W: exact up to rounding, tolerance 1e-8), and
// SGD / lazy Adam steps written out by hand.
#include "sparsediff/ops/row_sparse.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "sparsediff/ops/spmm.hpp"
#include "tests/ops/random_sparse.hpp"

namespace sparsediff {
namespace {

using test::fd_gradient;
using test::random_vector;
using test::relative_error;

/// A batch of b samples over n features, `per_row` distinct features each,
/// drawn from a small subset so that features repeat across samples.
CsrMatrix<double> random_batch(Index b, Index n, Index per_row, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<Index> feature(0, n - 1);
  std::uniform_real_distribution<double> value(-1.0, 1.0);
  CooMatrix<double> x(b, n);
  for (Index i = 0; i < b; ++i) {
    std::set<Index> used;
    while (Index(used.size()) < per_row) used.insert(feature(rng) % std::max<Index>(n / 3, 1) * 3);
    for (Index j : used) x.add(i, j, value(rng));
  }
  return x.to_csr();
}

/// W̄ = X^T Z̄, dense n x k row-major, by a loop over the entries.
std::vector<double> dense_reference(const CsrMatrix<double>& x, const std::vector<double>& zbar,
                                    Index k) {
  auto [ptr, idx] = x.pattern().host_arrays();
  const auto val = x.host_values();
  std::vector<double> g(std::size_t(x.cols()) * std::size_t(k), 0.0);
  for (Index i = 0; i < x.rows(); ++i)
    for (Index e = ptr[i]; e < ptr[i + 1]; ++e)
      for (Index c = 0; c < k; ++c)
        g[std::size_t(idx[e]) * k + c] += val[e] * zbar[std::size_t(i) * k + c];
  return g;
}

using Block = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace>;

Block to_block(const std::vector<double>& v, Index rows, Index cols) {
  Block b("block", rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index c = 0; c < cols; ++c) b(i, c) = v[std::size_t(i) * cols + c];
  return b;
}

TEST(RowSparse, GradientHasExactlyTheTouchedRowsAndMatchesTheDenseProduct) {
  const Index b = 12, n = 200, k = 3;
  auto x = random_batch(b, n, 4, 1);
  // A stored zero is structural: its feature is touched (with a zero gradient).
  auto values = x.host_values();
  values[5] = 0.0;
  x = CsrMatrix<double>(x.pattern(), values);
  const auto zbar = random_vector(std::size_t(b * k), 2);
  RowSparseGradient<> g;
  row_sparse_vjp(x, to_block(zbar, b, k), g);
  EXPECT_EQ(g.rows(), n);
  EXPECT_EQ(g.cols(), k);
  auto [ptr, idx] = x.pattern().host_arrays();
  const std::set<Index> features(idx.begin(), idx.end());
  const auto rows = g.host_row_indices();
  EXPECT_EQ(std::vector<Index>(features.begin(), features.end()), rows);
  EXPECT_LT(g.num_touched(), n / 2);
  EXPECT_LE(relative_error(g.to_dense(), dense_reference(x, zbar, k)), 1e-15);
  // Central differences of L(W) = Σ Z̄ ∘ (X W) with respect to every entry of W.
  const auto w0 = random_vector(std::size_t(n * k), 3);
  auto loss = [&](const std::vector<double>& w) {
    Block y("y", b, k);
    spmm(x, to_block(w, n, k), y);
    Kokkos::fence();
    double l = 0;
    for (Index i = 0; i < b; ++i)
      for (Index c = 0; c < k; ++c) l += zbar[std::size_t(i) * k + c] * y(i, c);
    return l;
  };
  EXPECT_LE(relative_error(g.to_dense(), fd_gradient(loss, w0)), 1e-8);
  EXPECT_EQ(g.used_bytes(), std::size_t(g.num_touched()) * (sizeof(Index) + 3 * sizeof(double)));
  EXPECT_EQ(g.dense_bytes(), std::size_t(n) * 3 * sizeof(double));
}

TEST(RowSparse, VectorCotangentAndStorageReuse) {
  const Index b = 8, n = 1000;
  RowSparseGradient<> g;
  std::size_t bytes = 0;
  for (unsigned batch = 0; batch < 4; ++batch) {
    const auto x = random_batch(b, n, 3, 10 + batch);
    const auto zbar = random_vector(std::size_t(b), 20 + batch);
    row_sparse_vjp(x, detail::host_view(zbar), g);
    EXPECT_EQ(g.cols(), 1);
    EXPECT_LE(relative_error(g.to_dense(), dense_reference(x, zbar, 1)), 1e-15);
    if (batch == 0) bytes = g.memory_bytes();
  }
  // Same batch sizes: the storage of the first batch served all of them
  // (capacities grow only when a batch needs more).
  EXPECT_LE(g.memory_bytes(), 2 * bytes);
}

TEST(RowSparse, SgdChangesOnlyTheTouchedRows) {
  const Index n = 50, k = 2;
  const RowSparseGradient<> g(n, k, {3, 17, 40}, {1, 2, 3, 4, 5, 6});
  const auto w0 = random_vector(std::size_t(n * k), 31);
  Block w = to_block(w0, n, k);
  sgd_update(w, g, 0.5);
  Kokkos::fence();
  const auto dense = g.to_dense();
  for (Index j = 0; j < n; ++j)
    for (Index c = 0; c < k; ++c) {
      const std::size_t t = std::size_t(j) * k + c;
      if (j == 3 || j == 17 || j == 40)
        EXPECT_DOUBLE_EQ(w(j, c), w0[t] - 0.5 * dense[t]);
      else
        EXPECT_EQ(w(j, c), w0[t]) << "row " << j << " must not move";
    }
}

TEST(RowSparse, LazyAdamUpdatesTouchedRowsWithGlobalBiasCorrection) {
  const Index n = 6;
  AdamOptions options;
  options.learning_rate = 0.1;
  LazyAdam<> adam(n, 1, options);
  std::vector<double> w(std::size_t(n), 1.0);
  Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> wv(w.data(), w.size());
  // Step 1 touches rows 1 and 4; step 2 touches rows 4 and 5.
  adam.step(wv, RowSparseGradient<>(n, 1, {1, 4}, {0.5, -2.0}));
  adam.step(wv, RowSparseGradient<>(n, 1, {4, 5}, {1.0, 3.0}));
  Kokkos::fence();
  // By hand (β1 = 0.9, β2 = 0.999, ε = 1e-8).
  auto lr_t = [](int t) {
    return 0.1 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
  };
  auto moved = [&](std::vector<std::pair<int, double>> steps) {
    double m = 0, v = 0, x = 1;
    for (auto [t, gt] : steps) {
      m = 0.9 * m + 0.1 * gt;
      v = 0.999 * v + 0.001 * gt * gt;
      x -= lr_t(t) * m / (std::sqrt(v) + 1e-8);
    }
    return x;
  };
  EXPECT_EQ(w[0], 1.0);
  EXPECT_EQ(w[2], 1.0);
  EXPECT_EQ(w[3], 1.0);
  // Row 1 was touched at step 1 only: step 2 leaves it (no momentum drift).
  EXPECT_NEAR(w[1], moved({{1, 0.5}}), 1e-15);
  EXPECT_NEAR(w[4], moved({{1, -2.0}, {2, 1.0}}), 1e-15);
  // Row 5 starts at step 2 with the step-2 bias correction.
  EXPECT_NEAR(w[5], moved({{2, 3.0}}), 1e-15);
  EXPECT_EQ(adam.steps(), 2);
  EXPECT_EQ(adam.first_moment()(0, 0), 0.0);
  EXPECT_EQ(adam.memory_bytes(), 2 * std::size_t(n) * sizeof(double));
}

TEST(RowSparse, ErrorsNameTheOffendingItem) {
  EXPECT_THROW(RowSparseGradient<>(10, 1, {3, 3}, {1, 2}), InvalidArgument);
  try {
    RowSparseGradient<>(10, 1, {4, 2}, {1, 2});
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("row index 1 = 2 does not increase"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(RowSparseGradient<>(10, 1, {12}, {1}), InvalidArgument);
  EXPECT_THROW(RowSparseGradient<>(10, 2, {1}, {1}), DimensionMismatch);
  EXPECT_THROW(RowSparseGradient<>(10, 1, {1}, {std::nan("")}), InvalidArgument);
  const auto x = random_batch(4, 30, 2, 5);
  RowSparseGradient<> g;
  const std::vector<double> zbar3(3, 1.0);
  EXPECT_THROW(row_sparse_vjp(x, detail::host_view(zbar3), g), DimensionMismatch);
  std::vector<double> zbar4(4, 1.0);
  zbar4[2] = std::numeric_limits<double>::infinity();
  try {
    row_sparse_vjp(x, detail::host_view(zbar4), g);
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("Zbar[2]"), std::string::npos) << e.what();
  }
  const RowSparseGradient<> g2(10, 1, {1}, {1.0});
  std::vector<double> w(9, 0.0);
  EXPECT_THROW(sgd_update(detail::host_view(w), g2, 0.1), DimensionMismatch);
  std::vector<double> w10(10, 0.0);
  EXPECT_THROW(sgd_update(detail::host_view(w10), g2, std::nan("")), InvalidArgument);
  LazyAdam<> adam(9, 1);
  EXPECT_THROW(adam.step(detail::host_view(w10), g2), DimensionMismatch);
  AdamOptions bad;
  bad.beta1 = 1.0;
  EXPECT_THROW(LazyAdam<>(3, 1, bad), InvalidArgument);
}

}  // namespace
}  // namespace sparsediff
