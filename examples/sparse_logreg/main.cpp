// Logistic regression on sparse features (LibSVM data: 10^6 features, a few
// nonzeros per sample) trained with row-sparse gradients.
//
// For a batch X (b x n) the logits are z = X w + c and the gradient of the
// mean log-loss is w̄ = X^T z̄ with z̄ = (σ(z) - y) / b: nonzero only on the
// features the batch contains. `row_sparse_vjp` (ops/row_sparse.hpp) stores
// just those rows and `sgd_update` / `LazyAdam` update just them, so a step
// costs O(nnz of the batch) instead of O(n). The same training runs a second
// time with the dense-gradient variant — zero a dense w̄, scatter X^T z̄ into
// it, update all n weights — and the program reports memory and time per
// epoch of both. With SGD both variants compute the same weights (checked);
// lazy Adam differs from dense Adam by design (untouched rows keep their
// moments; see ops/row_sparse.hpp).
//
//   sparse_logreg [--data FILE.libsvm] [--samples S] [--features F] [--nnz K]
//                 [--epochs E] [--batch B] [--optimizer sgd|adam] [--lr LR]
// Without --data, a data set of S samples over F features with K nonzeros
// each is generated (defaults 200000, 1000000, 10): features drawn with a
// skewed popularity, labels from a planted logistic model. Defaults: 3
// epochs, batches of 256, lazy Adam with learning rate 0.1 (SGD: 2.0).
// Loss and accuracy are on the training set.
// Exit status 1 when the two SGD variants disagree or the loss does not drop.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sparsediff/ops/row_sparse.hpp>
#include <sparsediff/ops/spmv.hpp>
#include <sparsediff/sparse/io/libsvm.hpp>
#include <string>
#include <vector>

namespace {

using sparsediff::CsrMatrix;
using sparsediff::Index;
using Vector = Kokkos::View<double*, Kokkos::HostSpace>;

/// A Kokkos view over a std::vector's storage.
using VectorRef = Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
VectorRef view_of(std::vector<double>& v) { return VectorRef(v.data(), v.size()); }

struct Options {
  std::string data;
  Index samples = 200000, features = 1000000, nnz = 10;
  int epochs = 3;
  Index batch = 256;
  std::string optimizer = "adam";
  double lr = -1;  // default per optimizer
};

/// A generated data set: features with a skewed popularity (feature j drawn
/// as F u^3, u uniform, so low indices are common and most of the 10^6 rare),
/// values ±1/sqrt(K), labels from a planted model w* ~ N(0, 1).
sparsediff::LibsvmData generate(const Options& o, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::vector<double> w_true(std::size_t(o.features));
  for (double& w : w_true) w = 2.0 * gauss(rng);
  std::vector<Index> ptr(1, 0), idx;
  std::vector<double> val;
  std::vector<double> labels;
  const double scale = 1.0 / std::sqrt(double(o.nnz));
  std::vector<Index> row;
  for (Index i = 0; i < o.samples; ++i) {
    row.clear();
    while (Index(row.size()) < o.nnz) {
      const double r = u(rng);
      const Index j = std::min<Index>(o.features - 1, Index(double(o.features) * r * r * r));
      if (std::find(row.begin(), row.end(), j) == row.end()) row.push_back(j);
    }
    std::sort(row.begin(), row.end());
    double z = 0;
    for (Index j : row) {
      const double v = u(rng) < 0.5 ? scale : -scale;
      idx.push_back(j);
      val.push_back(v);
      z += v * w_true[std::size_t(j)];
    }
    ptr.push_back(Index(idx.size()));
    labels.push_back(u(rng) < 1.0 / (1.0 + std::exp(-z)) ? 1.0 : 0.0);
  }
  auto pattern =
      sparsediff::Pattern::from_csr(o.samples, o.features, std::move(ptr), std::move(idx));
  return {CsrMatrix<double>(std::move(pattern), val), std::move(labels)};
}

/// Rows [first, last) of a CSR matrix as a matrix of their own (a batch).
CsrMatrix<double> rows_of(const std::vector<Index>& ptr, const std::vector<Index>& idx,
                          const std::vector<double>& val, Index cols, Index first, Index last) {
  std::vector<Index> p(std::size_t(last - first) + 1);
  for (Index i = first; i <= last; ++i)
    p[std::size_t(i - first)] = ptr[std::size_t(i)] - ptr[std::size_t(first)];
  std::vector<Index> c(idx.begin() + ptr[std::size_t(first)], idx.begin() + ptr[std::size_t(last)]);
  std::vector<double> v(val.begin() + ptr[std::size_t(first)],
                        val.begin() + ptr[std::size_t(last)]);
  return CsrMatrix<double>(
      sparsediff::Pattern::from_csr(last - first, cols, std::move(p), std::move(c)), v);
}

struct Batch {
  CsrMatrix<double> x;
  std::vector<double> y;
};

double sigmoid(double z) {
  return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z));
}

/// Mean log-loss and accuracy over all batches.
std::pair<double, double> evaluate(const std::vector<Batch>& batches, const Vector& w,
                                   double bias) {
  double loss = 0, correct = 0, count = 0;
  for (const Batch& b : batches) {
    std::vector<double> z(b.y.size());
    sparsediff::spmv(b.x, w, view_of(z));
    Kokkos::fence();
    for (std::size_t i = 0; i < z.size(); ++i) {
      const double zi = z[i] + bias;
      // log(1 + e^z) - y z, stable
      loss += (zi > 0 ? zi + std::log1p(std::exp(-zi)) : std::log1p(std::exp(zi))) - b.y[i] * zi;
      correct += ((zi > 0) == (b.y[i] > 0.5));
      count += 1;
    }
  }
  return {loss / count, correct / count};
}

enum class Variant { row_sparse, dense };

struct Trainer {
  Options options;
  Index features = 0;
  Vector w;
  double bias = 0;
  // Row-sparse state.
  sparsediff::RowSparseGradient<> gradient;
  sparsediff::LazyAdam<> lazy_adam;
  // Dense state.
  Vector dense_gradient, m, v;
  long step = 0;
  double bias_m = 0, bias_v = 0;
  std::size_t max_touched = 0, sum_touched = 0, batches_seen = 0;

  Trainer(const Options& o, Index n, sparsediff::AdamOptions adam)
      : options(o), features(n), w("w", std::size_t(n)), lazy_adam(n, 1, adam) {}

  void train_batch(const Batch& b, Variant variant, const sparsediff::AdamOptions& adam) {
    const std::size_t size = b.y.size();
    std::vector<double> z(size);
    sparsediff::spmv(b.x, w, view_of(z));
    Kokkos::fence();
    double bias_grad = 0;
    for (std::size_t i = 0; i < size; ++i) {
      z[i] = (sigmoid(z[i] + bias) - b.y[i]) / double(size);  // z̄
      bias_grad += z[i];
    }
    ++step;
    const bool sgd = options.optimizer == "sgd";
    if (variant == Variant::row_sparse) {
      sparsediff::row_sparse_vjp(b.x, view_of(z), gradient);
      max_touched = std::max(max_touched, std::size_t(gradient.num_touched()));
      sum_touched += std::size_t(gradient.num_touched());
      ++batches_seen;
      if (sgd)
        sparsediff::sgd_update(w, gradient, options.lr);
      else
        lazy_adam.step(w, gradient);
    } else {
      // The dense-gradient variant: zero n entries, scatter X^T z̄, update n weights.
      if (dense_gradient.extent(0) == 0) {
        dense_gradient = Vector("dense_gradient", std::size_t(features));
        if (!sgd) {
          m = Vector("m", std::size_t(features));
          v = Vector("v", std::size_t(features));
        }
      }
      const auto g = dense_gradient;
      Kokkos::deep_copy(g, 0.0);
      const auto ptr = b.x.pattern().row_ptr();
      const auto idx = b.x.pattern().col_idx();
      const auto val = b.x.values();
      const double* zbar = z.data();
      Kokkos::parallel_for("dense_scatter",
                           Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, Index(size)),
                           [=](const Index i) {
                             for (Index e = ptr(i); e < ptr(i + 1); ++e)
                               Kokkos::atomic_add(&g(idx(e)), val(e) * zbar[i]);
                           });
      const auto weights = w;
      const double lr = options.lr;
      if (sgd) {
        Kokkos::parallel_for("dense_sgd",
                             Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, features),
                             [=](const Index j) { weights(j) -= lr * g(j); });
      } else {
        const double b1 = adam.beta1, b2 = adam.beta2, eps = adam.epsilon;
        const double lr_t =
            lr * std::sqrt(1 - std::pow(b2, double(step))) / (1 - std::pow(b1, double(step)));
        const auto mm = m, vv = v;
        Kokkos::parallel_for("dense_adam",
                             Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, features),
                             [=](const Index j) {
                               mm(j) = b1 * mm(j) + (1 - b1) * g(j);
                               vv(j) = b2 * vv(j) + (1 - b2) * g(j) * g(j);
                               weights(j) -= lr_t * mm(j) / (std::sqrt(vv(j)) + eps);
                             });
      }
      Kokkos::fence();
    }
    if (sgd) {
      bias -= options.lr * bias_grad;
    } else {  // the bias is one dense parameter: plain Adam
      bias_m = adam.beta1 * bias_m + (1 - adam.beta1) * bias_grad;
      bias_v = adam.beta2 * bias_v + (1 - adam.beta2) * bias_grad * bias_grad;
      const double lr_t = options.lr * std::sqrt(1 - std::pow(adam.beta2, double(step))) /
                          (1 - std::pow(adam.beta1, double(step)));
      bias -= lr_t * bias_m / (std::sqrt(bias_v) + adam.epsilon);
    }
  }
};

double mib(std::size_t bytes) { return double(bytes) / (1024.0 * 1024.0); }

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  Options o;
  for (int a = 1; a < argc; ++a) {
    const std::string key = argv[a];
    const char* value = a + 1 < argc ? argv[a + 1] : nullptr;
    auto need = [&]() {
      if (value == nullptr) {
        std::fprintf(stderr, "%s needs a value\n", key.c_str());
        std::exit(2);
      }
      ++a;
      return value;
    };
    if (key == "--data")
      o.data = need();
    else if (key == "--samples")
      o.samples = std::atoi(need());
    else if (key == "--features")
      o.features = std::atoi(need());
    else if (key == "--nnz")
      o.nnz = std::atoi(need());
    else if (key == "--epochs")
      o.epochs = std::atoi(need());
    else if (key == "--batch")
      o.batch = std::atoi(need());
    else if (key == "--optimizer")
      o.optimizer = need();
    else if (key == "--lr")
      o.lr = std::atof(need());
    else {
      std::fprintf(stderr,
                   "usage: sparse_logreg [--data FILE] [--samples S] [--features F] [--nnz K] "
                   "[--epochs E] [--batch B] [--optimizer sgd|adam] [--lr LR]\n");
      return 2;
    }
  }
  if (o.samples < 1 || o.features < 1 || o.nnz < 1 || o.nnz > o.features || o.epochs < 1 ||
      o.batch < 1 || (o.optimizer != "sgd" && o.optimizer != "adam")) {
    std::fprintf(stderr, "sparse_logreg: invalid options\n");
    return 2;
  }
  if (o.lr < 0) o.lr = o.optimizer == "sgd" ? 2.0 : 0.1;
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };

  auto start = Clock::now();
  sparsediff::LibsvmData data;
  try {
    data = o.data.empty() ? generate(o, 7) : sparsediff::read_libsvm(o.data);
  } catch (const sparsediff::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  for (double& y : data.labels) y = y > 0 ? 1.0 : 0.0;  // LibSVM's ±1 (or 0/1) to {0, 1}
  const Index samples = data.features.rows(), n = data.features.cols();
  const Index nnz = data.features.nnz();
  std::printf("data: %s, %d samples, %d features, %d nonzeros (%.1f per sample), %.2f s\n",
              o.data.empty() ? "generated" : o.data.c_str(), samples, n, nnz, double(nnz) / samples,
              seconds(start));

  // The batches (a data loader's job, outside the timed epochs).
  std::vector<Batch> batches;
  {
    auto [ptr, idx] = data.features.pattern().host_arrays();
    const auto val = data.features.host_values();
    for (Index first = 0; first < samples; first += o.batch) {
      const Index last = std::min(samples, first + o.batch);
      batches.push_back(
          {rows_of(ptr, idx, val, n, first, last),
           std::vector<double>(data.labels.begin() + first, data.labels.begin() + last)});
    }
  }
  sparsediff::AdamOptions adam;
  adam.learning_rate = o.lr;
  std::printf("training: %zu batches of %d, %d epochs, %s (lr %g), Kokkos %s with %d threads\n\n",
              batches.size(), o.batch, o.epochs, o.optimizer.c_str(), o.lr,
              Kokkos::DefaultHostExecutionSpace::name(),
              Kokkos::DefaultHostExecutionSpace().concurrency());

  Trainer sparse(o, n, adam), dense(o, n, adam);
  const auto [loss0, acc0] = evaluate(batches, sparse.w, 0.0);
  std::printf("%-10s %5s %12s %10s %10s\n", "variant", "epoch", "time [s]", "train loss",
              "accuracy");
  std::printf("%-10s %5d %12s %10.5f %10.4f\n", "(start)", 0, "-", loss0, acc0);
  double time_sparse = 0, time_dense = 0, final_loss = loss0;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    start = Clock::now();
    for (const Batch& b : batches) sparse.train_batch(b, Variant::row_sparse, adam);
    const double ts = seconds(start);
    time_sparse += ts;
    const auto [ls, as] = evaluate(batches, sparse.w, sparse.bias);
    final_loss = ls;
    std::printf("%-10s %5d %12.4f %10.5f %10.4f\n", "row-sparse", epoch, ts, ls, as);
    start = Clock::now();
    for (const Batch& b : batches) dense.train_batch(b, Variant::dense, adam);
    const double td = seconds(start);
    time_dense += td;
    const auto [ld, ad] = evaluate(batches, dense.w, dense.bias);
    std::printf("%-10s %5d %12.4f %10.5f %10.4f\n", "dense", epoch, td, ld, ad);
  }
  double max_difference = 0;
  for (Index j = 0; j < n; ++j)
    max_difference = std::max(max_difference, std::abs(sparse.w(j) - dense.w(j)));

  const std::size_t weights = std::size_t(n) * sizeof(double);
  std::printf("\nmemory:\n");
  std::printf("  weights (dense, both variants)            %10.3f MiB\n", mib(weights));
  std::printf("  gradient, dense                           %10.3f MiB\n", mib(weights));
  std::printf(
      "  gradient, row-sparse: rows of one batch   %10.3f MiB on average (%.0f rows), "
      "%.3f MiB at most (%zu rows)\n",
      mib(std::size_t(double(sparse.sum_touched) / double(sparse.batches_seen) *
                      (sizeof(Index) + sizeof(double)))),
      double(sparse.sum_touched) / double(sparse.batches_seen),
      mib(sparse.max_touched * (sizeof(Index) + sizeof(double))), sparse.max_touched);
  std::printf(
      "  gradient, row-sparse: storage held        %10.3f MiB (values, indices and "
      "work arrays at the largest batch)\n",
      mib(sparse.gradient.memory_bytes()));
  if (o.optimizer == "adam")
    std::printf("  Adam moments (both variants)              %10.3f MiB\n",
                mib(sparse.lazy_adam.memory_bytes()));
  std::printf("  data (CSR)                                %10.3f MiB\n",
              mib(std::size_t(nnz) * (sizeof(Index) + sizeof(double)) +
                  std::size_t(samples + 1) * sizeof(Index)));
  std::printf(
      "\ntime per epoch: row-sparse %.4f s, dense gradient %.4f s (dense / row-sparse = %.1f)\n",
      time_sparse / o.epochs, time_dense / o.epochs, time_dense / time_sparse);
  if (o.optimizer == "sgd") {
    std::printf("max |w_row_sparse - w_dense| = %.2e (SGD: the same update)\n", max_difference);
    if (!(max_difference < 1e-10)) {
      std::printf("VARIANTS DISAGREE\n");
      return 1;
    }
  } else {
    std::printf(
        "max |w_lazy_adam - w_dense_adam| = %.2e (different semantics, see ops/row_sparse.hpp)\n",
        max_difference);
  }
  if (!(final_loss < loss0)) {
    std::printf("LOSS DID NOT DECREASE\n");
    return 1;
  }
  return 0;
}
