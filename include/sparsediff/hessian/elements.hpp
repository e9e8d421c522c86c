#pragma once
/// @file
/// Partially separable objectives: f(x) = sum_e f_e(x restricted to the few
/// variables of element e), and their Hessians assembled element by element.
///
/// Most large objectives are written this way (finite-element energies,
/// stencil sums, least-squares terms): Griewank & Toint ("On the unconstrained
/// optimization of partially separable functions", 1981) showed every
/// objective with a sparse Hessian is, and the element form is how LANCELOT
/// and CUTE store them. When the elements are known, the Hessian needs no
/// coloring and no tape: each element's small dense Hessian comes from one
/// evaluation on nested duals `Dual<Dual<double, K>, K>` over its own K
/// variables (forward-over-forward; the value, gradient and Hessian of the
/// element in one pass), and is added into the sparse matrix at positions
/// computed once. For stencil objectives this is the fastest path by far (see
/// docs/sparse_hessians.md).
///
/// The element interface (a plain struct, no base class):
///
///     struct Elements {
///       Index num_elements() const;
///       // The variables of element e (distinct, in [0, n)); returns their
///       // number, at most MaxElementSize (writing no more than that).
///       // Called from several threads at once (element_pattern).
///       Index element_variables(Index e, Index* variables) const;
///       // f_e at the values of its variables, in the order given above.
///       template <class T> T element(Index e, const T* local) const;
///     };
///
/// `partially_separable<K>(elements)` wraps it into `PartiallySeparable<K, E>`,
/// which is also an ordinary objective (`operator()` sums the elements), so it
/// works with every other tool of the library (gradient, hvp, detection).
///
/// Assembly runs in parallel without atomics and with results independent of
/// the thread count: the elements are cut into fixed blocks, the blocks are
/// colored so that blocks of one color share no variable (greedy), and the
/// colors are processed one after another, the blocks of a color in parallel.
/// Every entry thus receives its contributions in the same order whatever the
/// number of threads.

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sparsediff/ad/dual.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/core/host_blocks.hpp"
#include "sparsediff/hessian/recover.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// An objective given as a sum of elements of at most MaxElementSize
/// variables each (see the file comment for the interface of E).
/// @tparam MaxElementSize the largest number of variables of one element
///         (a compile-time constant: it sizes the nested duals).
template <int MaxElementSize, class E>
class PartiallySeparable {
  static_assert(MaxElementSize >= 1, "PartiallySeparable: MaxElementSize must be >= 1");

 public:
  static constexpr int max_element_size = MaxElementSize;
  using element_type = E;

  PartiallySeparable() = default;
  explicit PartiallySeparable(E elements) : elements_(std::move(elements)) {}

  KOKKOS_INLINE_FUNCTION const E& elements() const { return elements_; }
  Index num_elements() const { return elements_.num_elements(); }
  Index element_variables(Index e, Index* variables) const {
    return elements_.element_variables(e, variables);
  }
  /// (Called from the element kernels, on the device too: E::element must
  /// then be a KOKKOS_INLINE_FUNCTION.)
  template <class T>
  KOKKOS_INLINE_FUNCTION T element(Index e, const T* local) const {
    return elements_.template element<T>(e, local);
  }

  /// f(x) = sum over the elements, in element order: the objective as an
  /// ordinary function of the whole vector (for tapes, tracers, gradients).
  template <class T>
  T operator()(const T* x) const {
    T sum = T(0.0);
    Index variables[MaxElementSize];
    T local[MaxElementSize]{};  // (read only up to the count; initialized for the compiler)
    const Index count = num_elements();
    for (Index e = 0; e < count; ++e) {
      const Index k = element_variables(e, variables);
      for (Index a = 0; a < k; ++a) local[a] = x[variables[a]];
      sum += element(e, static_cast<const T*>(local));
    }
    return sum;
  }

 private:
  E elements_;
};

/// Wraps an element functor: `partially_separable<3>(minimal_surface)`.
template <int MaxElementSize, class E>
PartiallySeparable<MaxElementSize, E> partially_separable(E elements) {
  return PartiallySeparable<MaxElementSize, E>(std::move(elements));
}

/// True for PartiallySeparable<K, E>.
template <class F>
struct is_partially_separable : std::false_type {};
template <int K, class E>
struct is_partially_separable<PartiallySeparable<K, E>> : std::true_type {};
template <class F>
inline constexpr bool is_partially_separable_v = is_partially_separable<F>::value;

namespace detail {

/// The lowest failing element of a block of element_table, and what failed.
struct ElementFailure {
  enum Kind { none, bad_count, out_of_range, repeated, thrown };
  Kind kind = none;
  Index element = -1;
  Index count = 0;     // bad_count: the count returned
  Index position = 0;  // out_of_range: the variable's position in the list
  Index variable = 0;  // out_of_range: its index; repeated: the repeated variable
};

/// What is wrong with element e's list local[0, count) (which is wrong),
/// checked in the order the serial loop would: the count, then each
/// variable's range and its repeats of earlier ones.
inline ElementFailure element_failure(Index e, Index count, const Index* local, Index n,
                                      int max_size) {
  ElementFailure failure;
  failure.element = e;
  if (count < 0 || count > max_size) {
    failure.kind = ElementFailure::bad_count;
    failure.count = count;
    return failure;
  }
  for (Index a = 0; a < count; ++a) {
    if (local[a] < 0 || local[a] >= n) {
      failure.kind = ElementFailure::out_of_range;
      failure.position = a;
      failure.variable = local[a];
      return failure;
    }
    for (Index c = 0; c < a; ++c)
      if (local[c] == local[a]) {
        failure.kind = ElementFailure::repeated;
        failure.variable = local[a];
        return failure;
      }
  }
  return failure;  // (not reached for a wrong list)
}

/// Reads and checks the variables of the ne elements of f into variables[0,
/// ne K) (-1 past each count) and counts[0, ne), in parallel over blocks of
/// elements on `space`. Each block stops at its first bad element; the
/// lowest one over all blocks, i.e. the first bad element, is raised after
/// the kernel, as the serial loop would (an exception thrown by
/// element_variables is stored by its block and rethrown the same way).
template <class ExecutionSpace, int K, class E>
void element_table(const ExecutionSpace& space, const PartiallySeparable<K, E>& f, Index n,
                   Index ne, Index* variables, Index* counts) {
  static_assert(Kokkos::SpaceAccessibility<ExecutionSpace, Kokkos::HostSpace>::accessible,
                "element_table: element_variables is host code; use a host execution space");
  const Index blocks = host_blocks(space, ne);
  std::vector<ElementFailure> failures(static_cast<std::size_t>(blocks));
  std::vector<std::exception_ptr> thrown(static_cast<std::size_t>(blocks));
  // A plain host lambda: exceptions must not leave a parallel region.
  run_host_blocks(space, "sparsediff::element_table", blocks, [&](const Index b) {
    const Index last = block_first(ne, blocks, b + 1);
    for (Index e = block_first(ne, blocks, b); e < last; ++e) {
      Index local[K];
      for (int a = 0; a < K; ++a) local[a] = -1;
      Index count = 0;
      try {
        count = f.element_variables(e, local);
      } catch (...) {
        thrown[std::size_t(b)] = std::current_exception();
        failures[std::size_t(b)].kind = ElementFailure::thrown;
        failures[std::size_t(b)].element = e;
        return;
      }
      bool ok = count >= 0 && count <= K;
      for (Index a = 0; a < count && ok; ++a) {
        ok = local[a] >= 0 && local[a] < n;
        for (Index c = 0; c < a; ++c) ok = ok && local[c] != local[a];
      }
      if (!ok) {
        failures[std::size_t(b)] = element_failure(e, count, local, n, K);
        return;
      }
      Index* row = variables + std::size_t(e) * K;
      for (Index a = 0; a < K; ++a) row[a] = a < count ? local[a] : -1;
      counts[e] = count;
    }
  });
  for (Index b = 0; b < blocks; ++b) {
    const ElementFailure& bad = failures[std::size_t(b)];
    const Index e = bad.element;
    switch (bad.kind) {
      case ElementFailure::none:
        continue;
      case ElementFailure::thrown:
        std::rethrow_exception(thrown[std::size_t(b)]);
      case ElementFailure::bad_count:
        SPARSEDIFF_REQUIRE(false, InvalidArgument,
                           "element " << e << " has " << bad.count << " variables, expected 0 to "
                                      << K << " (MaxElementSize)");
        break;
      case ElementFailure::out_of_range:
        SPARSEDIFF_REQUIRE(false, InvalidArgument,
                           "element " << e << ", variable " << bad.position << ": index "
                                      << bad.variable << " out of range [0, " << n << ")");
        break;
      case ElementFailure::repeated:
        SPARSEDIFF_REQUIRE(false, InvalidArgument,
                           "element " << e << " lists variable " << bad.variable << " twice");
        break;
    }
  }
}

/// Reads and checks the variables of every element: count in [0, K], each
/// in [0, n), no repeats (the first bad element is named). Returns the
/// padded table (K per element, -1 past the count) and the counts. Runs in
/// parallel over the elements on ExecutionSpace (element_variables is called
/// from several threads at once); the result does not depend on the threads.
template <class ExecutionSpace = DefaultHostExecutionSpace, int K, class E>
void element_table(const PartiallySeparable<K, E>& f, Index n, std::vector<Index>& variables,
                   std::vector<Index>& counts) {
  const Index ne = f.num_elements();
  SPARSEDIFF_REQUIRE(ne >= 0, InvalidArgument, "negative number of elements " << ne);
  variables.resize(std::size_t(ne) * K);
  counts.resize(std::size_t(ne));
  element_table(ExecutionSpace(), f, n, ne, variables.data(), counts.data());
}

/// The same table in Views allocated without initialization.
template <class ExecutionSpace, int K, class E>
void element_table(const ExecutionSpace& space, const PartiallySeparable<K, E>& f, Index n,
                   Kokkos::View<Index*, HostMemorySpace>& variables,
                   Kokkos::View<Index*, HostMemorySpace>& counts) {
  const Index ne = f.num_elements();
  SPARSEDIFF_REQUIRE(ne >= 0, InvalidArgument, "negative number of elements " << ne);
  variables = Kokkos::View<Index*, HostMemorySpace>(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("sparsediff::element_table")),
      std::size_t(ne) * K);
  counts = Kokkos::View<Index*, HostMemorySpace>(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("sparsediff::element_counts")),
      std::size_t(ne));
  element_table(space, f, n, ne, variables.data(), counts.data());
}

}  // namespace detail

/// The Hessian pattern of a partially separable objective: the union of the
/// elements' cliques (every pair of variables of one element, diagonal
/// included), symmetric. A superset of the exact pattern when an element's
/// Hessian has structural zeros; entries stay structural. A variable in no
/// element has an empty row.
///
/// Built in parallel on `space` (a host execution space), the same pattern
/// (arrays and hash) for every space and thread count: the element table is
/// read over blocks of elements; the elements of each variable are listed in
/// increasing order (a counting sort without atomics: per-thread counters,
/// one per thread and variable, their prefix sum, then each thread places
/// its range of elements); row i is the sorted union of the variables of
/// the elements of i. Rows are formed over blocks of variables, each block
/// into its own buffer, then copied in place into the pattern's arrays and
/// hashed (as detect_row_pattern does).
///
/// @throws InvalidArgument for n < 0, an element with a bad variable list
///         (naming the lowest such element), or a pattern of more than
///         2^31 - 1 entries; an exception thrown by element_variables
///         propagates (the lowest element's).
///
/// Complexity: O(T n + sum of the element sizes) for the table and the
/// lists, T the number of counter rows (one per thread, but no more than
/// keep T n within 4 times the table, so O(n + sum of sizes) in all), plus
/// O(sum of the squared element sizes) for the rows (each row sorted:
/// insertion when its elements have at most 64 slots, degree x K, in all,
/// std::sort past that), all
/// spread over the threads; O(threads) serial work. Memory O(n + nnz + sum
/// of the element sizes).
template <class ExecutionSpace, int K, class E>
Pattern element_pattern(const ExecutionSpace& space, const PartiallySeparable<K, E>& f, Index n) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "element_pattern: the first argument must be a Kokkos execution space");
  static_assert(Kokkos::SpaceAccessibility<ExecutionSpace, Kokkos::HostSpace>::accessible,
                "element_pattern: use a host execution space");
  SPARSEDIFF_REQUIRE(n >= 0, InvalidArgument, "negative size " << n);
  using IndexView = Kokkos::View<Index*, HostMemorySpace>;
  using OffsetView = Kokkos::View<std::int64_t*, HostMemorySpace>;
  using Policy = Kokkos::RangePolicy<ExecutionSpace>;
  IndexView variables, counts;
  detail::element_table(space, f, n, variables, counts);
  const Index ne = Index(counts.extent(0));

  // The elements of each variable, in increasing order and without atomics:
  // the elements are cut into `parts` consecutive ranges (one per thread, no
  // more than keep the parts' counters within 4 times the table); each part
  // counts its incidences per variable in its own row of `slot`; a scan over
  // the variables turns the counts into each part's first position in the
  // variable's list (parts in order); each part then places its elements.
  const std::int64_t table_size = std::int64_t(ne) * K;
  std::int64_t parts = std::min<std::int64_t>(std::int64_t(space.concurrency()), ne);
  if (n > 0) parts = std::min<std::int64_t>(parts, 4 * table_size / n);
  parts = std::max<std::int64_t>(parts, 1);
  OffsetView start(Kokkos::view_alloc(Kokkos::WithoutInitializing,
                                      std::string("sparsediff::element_pattern::start")),
                   std::size_t(n) + 1),
      slot(Kokkos::view_alloc(Kokkos::WithoutInitializing,
                              std::string("sparsediff::element_pattern::slot")),
           std::size_t(parts) * std::size_t(n));
  Kokkos::parallel_for(
      "sparsediff::element_pattern::incidences", Policy(space, 0, Index(parts)),
      KOKKOS_LAMBDA(const Index p) {
        std::int64_t* count = slot.data() + std::size_t(p) * std::size_t(n);
        for (Index v = 0; v < n; ++v) count[v] = 0;
        const Index last = Index(std::int64_t(ne) * (p + 1) / parts);
        for (Index e = Index(std::int64_t(ne) * p / parts); e < last; ++e)
          for (Index a = 0; a < counts(e); ++a) ++count[variables(std::size_t(e) * K + a)];
      });
  std::int64_t incidences = 0;
  Kokkos::parallel_scan(
      "sparsediff::element_pattern::offsets", Policy(space, 0, n),
      KOKKOS_LAMBDA(const Index v, std::int64_t& sum, const bool final) {
        std::int64_t degree = 0;
        for (std::int64_t p = 0; p < parts; ++p) {
          std::int64_t& s = slot(std::size_t(p) * std::size_t(n) + std::size_t(v));
          const std::int64_t count = s;
          if (final) s = sum + degree;
          degree += count;
        }
        if (final) start(v) = sum;
        sum += degree;
      },
      incidences);
  start(n) = incidences;
  IndexView elements_of(Kokkos::view_alloc(Kokkos::WithoutInitializing,
                                           std::string("sparsediff::element_pattern::elements")),
                        std::size_t(incidences));
  Kokkos::parallel_for(
      "sparsediff::element_pattern::lists", Policy(space, 0, Index(parts)),
      KOKKOS_LAMBDA(const Index p) {
        std::int64_t* next = slot.data() + std::size_t(p) * std::size_t(n);
        const Index last = Index(std::int64_t(ne) * (p + 1) / parts);
        for (Index e = Index(std::int64_t(ne) * p / parts); e < last; ++e)
          for (Index a = 0; a < counts(e); ++a)
            elements_of(next[variables(std::size_t(e) * K + a)]++) = e;
      });
  space.fence();

  // Rows over blocks of variables, each block into its own buffer; row_ptr
  // first holds each row's end relative to its block's start.
  const Index blocks = detail::host_blocks(space, n);
  std::vector<std::vector<Index>> columns(static_cast<std::size_t>(blocks));
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(blocks));
  IndexView row_ptr(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("sparsediff::Pattern::row_ptr")),
      static_cast<std::size_t>(n) + 1);
  row_ptr(0) = 0;
  // Each block also hashes its rows while they are in cache.
  std::vector<std::uint64_t> block_hash(static_cast<std::size_t>(blocks), 0);
  detail::run_host_blocks(space, "sparsediff::element_pattern::rows", blocks, [&](const Index b) {
    try {
      std::vector<Index>& out = columns[std::size_t(b)];
      const Index first = detail::block_first(n, blocks, b),
                  last = detail::block_first(n, blocks, b + 1);
      out.reserve(std::size_t(last - first) * 8);
      std::uint64_t hash = 0;
      constexpr std::int64_t short_row = 64;
      Index buffer[short_row];
      for (Index i = first; i < last; ++i) {
        const std::size_t row_start = out.size();
        if ((start(i + 1) - start(i)) * K <= short_row) {
          // At most 64 candidates: insertion into a sorted, duplicate-free buffer.
          Index length = 0;
          for (std::int64_t p = start(i); p < start(i + 1); ++p) {
            const Index e = elements_of(p);
            for (Index a = 0; a < counts(e); ++a) {
              const Index j = variables(std::size_t(e) * K + a);
              Index k = length;
              while (k > 0 && buffer[k - 1] > j) --k;
              if (k > 0 && buffer[k - 1] == j) continue;
              for (Index m = length; m > k; --m) buffer[m] = buffer[m - 1];
              buffer[k] = j;
              ++length;
            }
          }
          out.insert(out.end(), buffer, buffer + length);
        } else {
          for (std::int64_t p = start(i); p < start(i + 1); ++p) {
            const Index e = elements_of(p);
            for (Index a = 0; a < counts(e); ++a) out.push_back(variables(std::size_t(e) * K + a));
          }
          const auto row_begin = out.begin() + std::ptrdiff_t(row_start);
          std::sort(row_begin, out.end());
          out.erase(std::unique(row_begin, out.end()), out.end());
        }
        hash += detail::PatternHash::row(i, out.data() + row_start, Index(out.size() - row_start));
        // Truncation past 2^31 - 1 entries is caught by the count check below.
        row_ptr(i + 1) = Index(out.size());
      }
      block_hash[std::size_t(b)] = hash;
    } catch (...) {
      failures[std::size_t(b)] = std::current_exception();
    }
  });
  detail::rethrow_first(failures);

  const auto block_start = detail::block_starts("element_pattern", columns);
  const std::int64_t nnz = block_start[blocks];

  // Each block copies its columns into the pattern's array and shifts its
  // rows' ends by its start (columns are in range, sorted and distinct by
  // construction).
  IndexView col_idx(
      Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("sparsediff::Pattern::col_idx")),
      static_cast<std::size_t>(nnz));
  detail::run_host_blocks(space, "sparsediff::element_pattern::gather", blocks, [&](const Index b) {
    const Index first = detail::block_first(n, blocks, b),
                last = detail::block_first(n, blocks, b + 1);
    const Index offset = Index(block_start[b]);
    const std::vector<Index>& source = columns[std::size_t(b)];
    Index* target = col_idx.data() + offset;
    std::copy(source.begin(), source.end(), target);
    for (Index i = first; i < last; ++i) row_ptr(i + 1) += offset;
    std::vector<Index>().swap(columns[std::size_t(b)]);
  });
  std::uint64_t row_sum = 0;
  for (std::uint64_t h : block_hash) row_sum += h;
  return detail::PatternBuilder::adopt<HostMemorySpace>(
      n, n, row_ptr, col_idx, detail::PatternHash::finish(n, n, Index(nnz), row_sum));
}

/// element_pattern on the default host execution space
/// (`DefaultHostExecutionSpace`: OpenMP threads when enabled, else serial).
template <int K, class E>
Pattern element_pattern(const PartiallySeparable<K, E>& f, Index n) {
  return element_pattern(DefaultHostExecutionSpace(), f, n);
}

/// Symbolic phase of element-wise assembly: the element table, the position
/// in the stored matrix of every pair of every element, and the block
/// coloring that makes the assembly parallel and deterministic.
/// @tparam K the largest element size.
template <int K>
struct ElementAssembly {
  using index_view = Kokkos::View<const Index*, HostMemorySpace>;

  Index n = 0;
  Index num_elements = 0;
  /// Elements per block (the unit of parallel work).
  Index block_size = 0;
  /// variables(e K + a), -1 past counts(e).
  index_view variables, counts;
  /// positions((e K + a) K + b): stored position of (variable a, variable b)
  /// of element e, -1 when that copy is not stored (other triangle) or past
  /// the element's count.
  index_view positions;
  /// Blocks grouped by color: color c owns block ids
  /// blocks[color_ptr[c], color_ptr[c + 1]). The last group may conflict
  /// within itself (blocks that found no free color among 64): it runs
  /// sequentially (`last_group_sequential`).
  index_view blocks;
  std::vector<Index> color_ptr;
  bool last_group_sequential = false;
  /// The stored pattern the positions refer to.
  Pattern pattern;

  ElementAssembly() = default;

  /// @param f the elements; @param stored the pattern of the stored matrix
  ///        (one triangle or both) which must hold every element pair.
  /// @param storage the layout of `stored`.
  /// @param block_size elements per block (> 0).
  /// @throws InvalidArgument for a bad element (named), a pair missing from
  ///         the pattern (named), or block_size <= 0.
  template <class E>
  ElementAssembly(const PartiallySeparable<K, E>& f, const Pattern& stored, HessianStorage storage,
                  Index block_size)
      : n(stored.rows()), block_size(block_size), pattern(stored) {
    std::vector<Index> vars, cnt;
    read_elements(f, vars, cnt);
    std::vector<Index> pos(std::size_t(num_elements) * K * K, -1);
    for (Index e = 0; e < num_elements; ++e)
      for (Index a = 0; a < cnt[e]; ++a)
        for (Index b = 0; b < cnt[e]; ++b) {
          const Index i = vars[std::size_t(e) * K + a], j = vars[std::size_t(e) * K + b];
          const bool kept = storage == HessianStorage::full ||
                            (storage == HessianStorage::lower ? j <= i : j >= i);
          if (!kept) continue;
          const Index p = stored.find(i, j);
          SPARSEDIFF_REQUIRE(p >= 0, InvalidArgument,
                             "element " << e << " couples variables " << i << " and " << j
                                        << " but the Hessian pattern has no entry (" << i << ", "
                                        << j << ")");
          pos[(std::size_t(e) * K + a) * K + b] = p;
        }
    positions = to_view("sparsediff::ElementAssembly::positions", pos);
  }

  /// Without a Hessian pattern: for the value, gradient and Hessian-vector
  /// passes only (`positions` stays empty).
  /// @throws InvalidArgument for n < 0, a bad element (named) or block_size <= 0.
  template <class E>
  ElementAssembly(const PartiallySeparable<K, E>& f, Index n, Index block_size)
      : n(n), block_size(block_size) {
    SPARSEDIFF_REQUIRE(n >= 0, InvalidArgument, "negative size " << n);
    std::vector<Index> vars, cnt;
    read_elements(f, vars, cnt);
  }

  Index num_blocks() const { return (num_elements + block_size - 1) / block_size; }
  Index num_colors() const { return Index(color_ptr.size()) - 1; }

 private:
  /// The element table, the block coloring and their views.
  template <class E>
  void read_elements(const PartiallySeparable<K, E>& f, std::vector<Index>& vars,
                     std::vector<Index>& cnt) {
    SPARSEDIFF_REQUIRE(block_size > 0, InvalidArgument, "block size " << block_size << " <= 0");
    detail::element_table(f, n, vars, cnt);
    num_elements = Index(cnt.size());
    color_blocks(vars, cnt);
    variables = to_view("sparsediff::ElementAssembly::variables", vars);
    counts = to_view("sparsediff::ElementAssembly::counts", cnt);
  }

  static index_view to_view(const std::string& label, const std::vector<Index>& values) {
    Kokkos::View<Index*, HostMemorySpace> view(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, label), values.size());
    for (std::size_t k = 0; k < values.size(); ++k) view(k) = values[k];
    return view;
  }

  // Greedy: each block takes the smallest color not used by an earlier block
  // sharing a variable (64 colors tracked as bits per variable; blocks that
  // find none go to a final group run sequentially).
  void color_blocks(const std::vector<Index>& vars, const std::vector<Index>& cnt) {
    const Index nb = num_blocks();
    std::vector<std::uint64_t> used(std::size_t(n), 0);
    std::vector<Index> block_color(static_cast<std::size_t>(nb));
    Index max_color = -1;
    for (Index b = 0; b < nb; ++b) {
      const Index first = b * block_size, last = std::min(num_elements, first + block_size);
      std::uint64_t forbidden = 0;
      for (Index e = first; e < last; ++e)
        for (Index a = 0; a < cnt[e]; ++a) forbidden |= used[vars[std::size_t(e) * K + a]];
      Index c = 0;
      while (c < 64 && ((forbidden >> c) & 1u)) ++c;
      if (c < 64)
        for (Index e = first; e < last; ++e)
          for (Index a = 0; a < cnt[e]; ++a)
            used[vars[std::size_t(e) * K + a]] |= std::uint64_t(1) << c;
      block_color[b] = c;
      max_color = std::max(max_color, c);
    }
    last_group_sequential = max_color == 64;
    color_ptr.assign(std::size_t(max_color + 2), 0);
    for (Index c : block_color) ++color_ptr[std::size_t(c) + 1];
    for (Index c = 0; c <= max_color; ++c) color_ptr[std::size_t(c) + 1] += color_ptr[c];
    std::vector<Index> order(static_cast<std::size_t>(nb)),
        next(color_ptr.begin(), color_ptr.end() - 1);
    for (Index b = 0; b < nb; ++b) order[next[block_color[b]]++] = b;
    blocks = to_view("sparsediff::ElementAssembly::blocks", order);
  }
};

namespace detail {

/// What one element pass computes.
enum class ElementPass { value, gradient, hessian, hvp };

/// One block of elements: value (always), gradient (scatter-add), Hessian
/// (scatter-add at the precomputed positions) or L Hessian-vector products
/// (scatter-add), per `pass`.
template <class F, int K, ElementPass pass, int L = 1>
struct ElementBlockKernel {
  F f;
  const double* x;
  const Index* variables;
  const Index* counts;
  const Index* positions;
  const Index* blocks;  // block ids of the group
  Index block_size;
  Index num_elements;
  double* block_values;
  double* gradient;
  double* hessian;
  /// hvp: L directions and their products, n x L column-major (stride n).
  const double* directions = nullptr;
  double* products = nullptr;
  Index n = 0;

  // Flattened: the element function and the dual arithmetic inline into
  // one body, so the nested duals live in registers (see SPARSEDIFF_FLATTEN).
  SPARSEDIFF_FLATTEN KOKKOS_INLINE_FUNCTION void operator()(const Index t) const {
    const Index b = blocks[t];
    const Index first = b * block_size;
    const Index last = first + block_size < num_elements ? first + block_size : num_elements;
    double sum = 0;
    for (Index e = first; e < last; ++e) {
      const Index* var = variables + std::size_t(e) * K;
      const Index count = counts[e];
      if constexpr (pass == ElementPass::value) {
        double local[K] = {};
        for (Index a = 0; a < count; ++a) local[a] = x[var[a]];
        sum += f.element(e, static_cast<const double*>(local));
      } else if constexpr (pass == ElementPass::gradient) {
        using D = Dual<double, K>;
        D local[K];
        // Dual::variable writes every lane (one-hot by a fixed loop): a store
        // at the run-time lane a alone would be read back by wider loads,
        // which cannot forward from it (a stall per variable, ~10x f here).
        for (Index a = 0; a < count; ++a) local[a] = D::variable(x[var[a]], int(a));
        const D r = f.element(e, static_cast<const D*>(local));
        sum += r.val;
        for (Index a = 0; a < count; ++a) gradient[var[a]] += r.d[a];
      } else if constexpr (pass == ElementPass::hvp) {
        // Forward over forward with the directions inside: inner lanes carry
        // d/dt along v_l, outer lanes d/dx_a, so r.d[a].val = df_e/dx_a and
        // r.d[a].d[l] = sum_b d2 f_e/dx_a dx_b v_l[b] = (H_e v_l)_a.
        using Inner = Dual<double, L>;
        using D = Dual<Inner, K>;
        D local[K];
        for (Index a = 0; a < count; ++a) {
          Inner value(x[var[a]]);
          for (int l = 0; l < L; ++l) value.d[l] = directions[var[a] + std::size_t(n) * l];
          local[a] = D::variable(value, int(a));
        }
        const D r = f.element(e, static_cast<const D*>(local));
        sum += r.val.val;
        for (Index a = 0; a < count; ++a) {
          if (gradient != nullptr) gradient[var[a]] += r.d[a].val;
          for (int l = 0; l < L; ++l) products[var[a] + std::size_t(n) * l] += r.d[a].d[l];
        }
      } else {
        // Forward over forward: inner lanes carry d/dx_b, outer lanes d/dx_a,
        // so r.d[a].d[b] = d2 f_e / dx_a dx_b and r.d[a].val = df_e/dx_a.
        using Inner = Dual<double, K>;
        using D = Dual<Inner, K>;
        D local[K];
        for (Index a = 0; a < count; ++a)
          local[a] = D::variable(Inner::variable(x[var[a]], int(a)), int(a));
        const D r = f.element(e, static_cast<const D*>(local));
        sum += r.val.val;
        const Index* pos = positions + std::size_t(e) * K * K;
        // Both copies of a pair take r.d[a].d[c] with a <= c (the two nested
        // derivatives may differ in the last bit): the matrix is exactly symmetric.
        for (Index a = 0; a < count; ++a) {
          if (gradient != nullptr) gradient[var[a]] += r.d[a].val;
          for (Index c = a; c < count; ++c) {
            const double h = r.d[a].d[c];
            const Index p = pos[a * K + c], q = pos[c * K + a];
            if (p >= 0) hessian[p] += h;
            if (q >= 0 && c != a) hessian[q] += h;
          }
        }
      }
    }
    block_values[b] = sum;
  }
};

/// What the element kernels read of an ElementAssembly, as pointers into
/// one memory space: the assembly's own host views, or an
/// ElementTablesIn<MemorySpace> copy of them.
struct ElementTables {
  const Index* variables = nullptr;
  const Index* counts = nullptr;
  const Index* positions = nullptr;
  const Index* blocks = nullptr;

  template <int K>
  static ElementTables of(const ElementAssembly<K>& assembly) {
    return {assembly.variables.data(), assembly.counts.data(), assembly.positions.data(),
            assembly.blocks.data()};
  }
};

/// The element tables in MemorySpace: the host views themselves when
/// MemorySpace is host memory, one copy made at construction otherwise.
template <class MemorySpace>
class ElementTablesIn {
 public:
  using view = Kokkos::View<const Index*, MemorySpace>;

  ElementTablesIn() = default;
  template <int K>
  explicit ElementTablesIn(const ElementAssembly<K>& assembly)
      : variables_(copy(assembly.variables, "variables")),
        counts_(copy(assembly.counts, "counts")),
        positions_(copy(assembly.positions, "positions")),
        blocks_(copy(assembly.blocks, "blocks")) {}

  ElementTables tables() const {
    return {variables_.data(), counts_.data(), positions_.data(), blocks_.data()};
  }
  std::size_t memory_bytes() const {
    if constexpr (std::is_same_v<MemorySpace, HostMemorySpace>) return 0;  // shared
    return (variables_.extent(0) + counts_.extent(0) + positions_.extent(0) + blocks_.extent(0)) *
           sizeof(Index);
  }

 private:
  template <class HostView>
  static view copy(const HostView& host, const char* what) {
    if constexpr (std::is_same_v<MemorySpace, HostMemorySpace>) {
      return host;
    } else {
      Kokkos::View<Index*, MemorySpace> copy(
          Kokkos::view_alloc(Kokkos::WithoutInitializing,
                             std::string("sparsediff::ElementAssembly::") + what),
          host.extent(0));
      Kokkos::deep_copy(copy, host);
      return copy;
    }
  }

  view variables_, counts_, positions_, blocks_;
};

/// The last group of blocks when it may conflict within itself: its blocks
/// one after another, by one thread of the execution space.
template <class Kernel>
struct SequentialBlocks {
  Kernel kernel;
  Index count;
  KOKKOS_INLINE_FUNCTION void operator()(const Index) const {
    for (Index t = 0; t < count; ++t) kernel(t);
  }
};

/// Zeroes `count` doubles at `data` in ExecutionSpace's memory.
template <class ExecutionSpace>
void zero_on(double* data, std::size_t count) {
  Kokkos::deep_copy(
      typename ExecutionSpace::execution_space(),
      Kokkos::View<double*, typename ExecutionSpace::memory_space, Kokkos::MemoryUnmanaged>(data,
                                                                                            count),
      0.0);
}

/// The arrays of one element pass, all in the execution space's memory (null
/// where the pass does not use them): x (n), gradient (n, zeroed first),
/// hessian (the stored entries, zeroed first), block_values (num_blocks()),
/// and for the hvp pass L directions and their products (n x L,
/// column-major, products zeroed first).
struct ElementPassArrays {
  const double* x = nullptr;
  double* gradient = nullptr;
  double* hessian = nullptr;
  double* block_values = nullptr;
  const double* directions = nullptr;
  double* products = nullptr;
};

/// Runs one element pass over all blocks, color group by color group, on
/// ExecutionSpace reading `tables` and `arrays` (both in its memory space);
/// returns f(x) summed in block order (the same for any thread count).
template <class ExecutionSpace, ElementPass pass, int K, class F, int L = 1>
double run_element_pass(const F& f, const ElementAssembly<K>& assembly, const ElementTables& tables,
                        const ElementPassArrays& arrays) {
  using Exec = typename ExecutionSpace::execution_space;
  if (arrays.gradient != nullptr) zero_on<ExecutionSpace>(arrays.gradient, std::size_t(assembly.n));
  if (arrays.hessian != nullptr)
    zero_on<ExecutionSpace>(arrays.hessian, std::size_t(assembly.pattern.nnz()));
  if (arrays.products != nullptr)
    zero_on<ExecutionSpace>(arrays.products, std::size_t(assembly.n) * L);
  const ElementBlockKernel<F, K, pass, L> kernel_base{f,
                                                      arrays.x,
                                                      tables.variables,
                                                      tables.counts,
                                                      tables.positions,
                                                      tables.blocks,
                                                      assembly.block_size,
                                                      assembly.num_elements,
                                                      arrays.block_values,
                                                      arrays.gradient,
                                                      arrays.hessian,
                                                      arrays.directions,
                                                      arrays.products,
                                                      assembly.n};
  const Index groups = assembly.num_colors();
  for (Index c = 0; c < groups; ++c) {
    auto kernel = kernel_base;
    kernel.blocks = tables.blocks + assembly.color_ptr[c];
    const Index count = assembly.color_ptr[std::size_t(c) + 1] - assembly.color_ptr[c];
    if (assembly.last_group_sequential && c == groups - 1)
      Kokkos::parallel_for("sparsediff::ElementAssembly::sequential_pass",
                           Kokkos::RangePolicy<Exec>(0, 1),
                           SequentialBlocks<decltype(kernel)>{kernel, count});
    else
      Kokkos::parallel_for("sparsediff::ElementAssembly::pass", Kokkos::RangePolicy<Exec>(0, count),
                           kernel);
  }
  Kokkos::fence();
  // The block values summed in block order, on the host (a copy first when
  // they live where the host cannot read).
  const std::size_t blocks = std::size_t(assembly.num_blocks());
  const double* values = arrays.block_values;
  std::vector<double> copy;
  using memory_space = typename ExecutionSpace::memory_space;
  if constexpr (!Kokkos::SpaceAccessibility<Kokkos::HostSpace, memory_space>::accessible) {
    copy.resize(blocks);
    Kokkos::deep_copy(
        Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(copy.data(), blocks),
        Kokkos::View<const double*, memory_space, Kokkos::MemoryUnmanaged>(values, blocks));
    values = copy.data();
  }
  double sum = 0;
  for (std::size_t b = 0; b < blocks; ++b) sum += values[b];
  return sum;
}

/// The same on the host arrays of the assembly (ExecutionSpace reads host memory).
template <class ExecutionSpace, ElementPass pass, int K, class F, int L = 1>
double run_element_pass(const F& f, const ElementAssembly<K>& assembly,
                        const ElementPassArrays& arrays) {
  return run_element_pass<ExecutionSpace, pass, K, F, L>(f, assembly, ElementTables::of(assembly),
                                                         arrays);
}

}  // namespace detail

}  // namespace sparsediff
