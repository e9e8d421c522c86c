#pragma once
/// @file
/// `InteractionRecord`: the nonlinear interactions found while a function
/// runs on Hessian tracers, and their assembly into the Hessian pattern.
///
/// Every nonlinear operation contributes a block of Hessian entries: a
/// product a·b the entries S_a × S_b and S_b × S_a, a nonlinear function of
/// a the entries S_a × S_a. The Hessian pattern of a scalar function is the
/// union of these blocks over all operations — a *global* set, as in
/// ADOL-C's nonlinear interaction domains — so no tracer carries pairs: the
/// record keeps one list of blocks per detection call, each block two
/// 16-byte set handles (the sets are immutable until the call returns), and
/// a compact list of index pairs for the commonest block, a product of two
/// single inputs. Consecutive repeats (`y = x * x; z = sin(y)` records
/// {x} × {x} once) are dropped on the way in.
///
/// Assembly: each block is turned into incidences (row i of S_a is to be
/// united with S_b, and row j of S_b with S_a), counted and bucketed by row;
/// then each row walks its incidences with a marker array, so repeated
/// columns are dropped in O(1) and only the distinct columns of the row are
/// sorted. Cost O(n + sum over blocks of |S_a| + |S_b| + sum over rows of the
/// sizes of the sets united into it), memory O(n + nnz + incidences); the
/// pair list never grows the quadratic way a list of all entries would.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/ad/detail/hessian_tracer_sets.hpp"
#include "sparsediff/ad/detail/tracer_arena.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff::detail {

/// An append-only list in fixed-size chunks: growing never copies (a
/// vector's doubling would move, and touch twice, hundreds of megabytes on
/// large objectives). The last elements can be removed.
template <class T>
class ChunkedList {
 public:
  static constexpr std::size_t chunk_bits = 14, chunk_size = std::size_t(1) << chunk_bits;

  void push_back(const T& value) {
    if (size_ == chunks_.size() * chunk_size) chunks_.emplace_back(new T[chunk_size]);
    (*this)[size_++] = value;
  }
  void pop_back() noexcept { --size_; }
  T& operator[](std::size_t k) noexcept { return chunks_[k >> chunk_bits][k & (chunk_size - 1)]; }
  const T& operator[](std::size_t k) const noexcept {
    return chunks_[k >> chunk_bits][k & (chunk_size - 1)];
  }
  T& back() noexcept { return (*this)[size_ - 1]; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

/// The blocks of Hessian entries found so far (see the file comment).
///
/// Besides exact repeats of the last entry, a small window of recent entries
/// is searched for entries covered by a new small square, which is how
/// element-wise objectives read: sqrt(1 + dx·dx + dy·dy) records {dx}²,
/// {dy}², then the square of their union, which covers both and replaces
/// them. (A new single pair is also dropped when a recent small square
/// holds it.) The window is a few entries and the sets a few indices, so
/// this costs a few comparisons per nonlinear operation.
class InteractionRecord {
 public:
  /// Recent entries searched for cover, and the largest set searched.
  static constexpr std::size_t window = 4;
  static constexpr Index window_set_limit = 8;

  /// Records S_a × S_b ∪ S_b × S_a (S_a × S_a when a and b are one set).
  void product(const HessianSet& a, const HessianSet& b) {
    if (a.empty() || b.empty()) return;
    if (is_single(a) && is_single(b)) {
      pair(*a.begin(), *b.begin());
      return;
    }
    if (a.same(b) && is_small(a)) {
      // A small square drops the recent entries it covers.
      for (std::size_t k = blocks_.size(); k-- > first_in_window(blocks_.size());)
        if (is_small(blocks_[k].a) && is_small(blocks_[k].b) && contains(a, blocks_[k].a) &&
            contains(a, blocks_[k].b)) {
          blocks_[k] = blocks_.back();
          blocks_.pop_back();
        }
      for (std::size_t k = pairs_.size(); k-- > first_in_window(pairs_.size());)
        if (contains(a, pairs_[k].first) && contains(a, pairs_[k].second)) {
          pairs_[k] = pairs_.back();
          pairs_.pop_back();
        }
    }
    if (!blocks_.empty()) {
      const Block& last = blocks_.back();
      if ((last.a.same(a) && last.b.same(b)) || (last.a.same(b) && last.b.same(a))) return;
    }
    blocks_.push_back(Block{a, b});
  }

  /// Records S_a × S_a.
  void square(const HessianSet& a) { product(a, a); }

  std::size_t num_pairs() const noexcept { return pairs_.size(); }
  std::size_t num_blocks() const noexcept { return blocks_.size(); }

  /// The symmetric n x n pattern of the recorded blocks.
  /// @throws InvalidArgument naming `function` when an index lies outside
  ///         [0, n) (a tracer made outside the detection call).
  Pattern assemble(Index n, const char* function) {
    if (blocks_.size() >= (std::size_t(1) << 30))
      raise<InvalidArgument>(function, "more than 2^30 nonlinear interaction blocks");
    make_blocks_eager();
    // Row counts of incidences, then the incidences bucketed by row. An
    // incidence is a column (>= 0), or -(2 b + side) - 1: unite the row with
    // side `side` (0: b, 1: a) of block b.
    std::vector<std::int64_t> start(static_cast<std::size_t>(n) + 1, 0);
    auto check = [n, function](Index j) {
      if (j < 0 || j >= n)
        raise<InvalidArgument>(function, "input index " + std::to_string(j) + " out of range [0, " +
                                             std::to_string(n) +
                                             "): a tracer made outside this detection call?");
    };
    for (std::size_t q = 0; q < pairs_.size(); ++q) {
      const auto [i, j] = pairs_[q];
      check(i);
      check(j);
      ++start[i + 1];
      if (i != j) ++start[j + 1];
    }
    for (std::size_t b = 0; b < blocks_.size(); ++b) {
      const Block& block = blocks_[b];
      for (const Index i : block.a) {
        check(i);
        ++start[i + 1];
      }
      if (!block.a.same(block.b))
        for (const Index j : block.b) {
          check(j);
          ++start[j + 1];
        }
    }
    for (Index i = 0; i < n; ++i) start[i + 1] += start[i];
    std::vector<Index> incidences(static_cast<std::size_t>(start[n]));
    {
      std::vector<std::int64_t> next(start.begin(), start.end() - 1);
      for (std::size_t q = 0; q < pairs_.size(); ++q) {
        const auto [i, j] = pairs_[q];
        incidences[next[i]++] = j;
        if (i != j) incidences[next[j]++] = i;
      }
      for (std::size_t b = 0; b < blocks_.size(); ++b) {
        const Block& block = blocks_[b];
        const Index unite_b = -Index(2 * b) - 1, unite_a = -Index(2 * b + 1) - 1;
        for (const Index i : block.a) incidences[next[i]++] = unite_b;
        if (!block.a.same(block.b))
          for (const Index j : block.b) incidences[next[j]++] = unite_a;
      }
    }

    std::vector<Index> row_ptr(static_cast<std::size_t>(n) + 1, 0);
    std::vector<Index> col_idx;
    col_idx.reserve(incidences.size());
    std::vector<Index> mark(static_cast<std::size_t>(n), -1);
    for (Index i = 0; i < n; ++i) {
      const std::size_t row_start = col_idx.size();
      auto add = [&](Index j) {
        if (mark[j] == i) return;
        mark[j] = i;
        col_idx.push_back(j);
      };
      for (std::int64_t k = start[i]; k < start[i + 1]; ++k) {
        const Index e = incidences[k];
        if (e >= 0) {
          add(e);
          continue;
        }
        const Index code = -e - 1;
        const Block& block = blocks_[std::size_t(code / 2)];
        for (const Index j : code % 2 == 0 ? block.b : block.a) add(j);
      }
      std::sort(col_idx.begin() + std::ptrdiff_t(row_start), col_idx.end());
      if (col_idx.size() > std::size_t(std::numeric_limits<Index>::max()))
        raise<InvalidArgument>(function, "the Hessian pattern has more than 2^31 - 1 entries");
      row_ptr[i + 1] = Index(col_idx.size());
    }
    return Pattern::from_csr(n, n, std::move(row_ptr), std::move(col_idx));
  }

 private:
  struct Block {
    HessianSet a, b;
  };

  // Replaces lazy sides by sorted arrays (in the tracer arena), each lazy set
  // enumerated once however many blocks hold it.
  void make_blocks_eager() {
    std::map<std::pair<const void*, Index>, HessianSet> done;
    TracerArena& arena = current_tracer_arena();
    auto eager = [&](const HessianSet& s) {
      if (!s.is_lazy()) return s;
      const auto key = std::make_pair(static_cast<const void*>(s.node()), s.bag_count());
      auto found = done.find(key);
      if (found != done.end()) return found->second;
      const std::vector<Index> indices = sorted_indices(s);
      Index* copy = arena.allocate(Index(indices.size()));
      std::copy(indices.begin(), indices.end(), copy);
      const HessianSet result = HessianSet::eager(copy, Index(indices.size()));
      done.emplace(key, result);
      return result;
    };
    for (std::size_t b = 0; b < blocks_.size(); ++b) {
      Block& block = blocks_[b];
      const bool square = block.a.same(block.b);
      block.a = eager(block.a);
      block.b = square ? block.a : eager(block.b);
    }
  }

  static bool is_single(const HessianSet& s) noexcept {
    return !s.is_lazy() && s.eager_size() == 1;
  }
  static bool is_small(const HessianSet& s) noexcept {
    return !s.is_lazy() && s.eager_size() <= window_set_limit;
  }
  static bool is_small_square(const Block& block) noexcept {
    return block.a.same(block.b) && is_small(block.a);
  }
  static std::size_t first_in_window(std::size_t size) noexcept {
    return size > window ? size - window : 0;
  }
  // Whether the sorted eager set `large` holds every index of `small`.
  static bool contains(const HessianSet& large, const HessianSet& small) noexcept {
    const Index *p = large.begin(), *end = large.end();
    for (const Index j : small) {
      while (p != end && *p < j) ++p;
      if (p == end || *p != j) return false;
    }
    return true;
  }
  static bool contains(const HessianSet& large, Index j) noexcept {
    return std::binary_search(large.begin(), large.end(), j);
  }

  // {i} x {j}: a pair, unless recent entries hold it.
  void pair(Index i, Index j) {
    const std::pair<Index, Index> p(std::min(i, j), std::max(i, j));
    for (std::size_t k = pairs_.size(); k-- > first_in_window(pairs_.size());)
      if (pairs_[k] == p) return;
    for (std::size_t k = blocks_.size(); k-- > first_in_window(blocks_.size());)
      if (is_small_square(blocks_[k]) && contains(blocks_[k].a, i) && contains(blocks_[k].a, j))
        return;
    pairs_.push_back(p);
  }

  ChunkedList<std::pair<Index, Index>> pairs_;  // {i} x {j}, i <= j
  ChunkedList<Block> blocks_;
};

/// The record installed on this thread by a detection call, if any.
inline thread_local InteractionRecord* installed_interaction_record = nullptr;

/// The record nonlinear operations on this thread add to (a per-thread
/// fallback outside detection, which only grows).
inline InteractionRecord& current_interaction_record() {
  if (installed_interaction_record != nullptr) return *installed_interaction_record;
  static thread_local InteractionRecord fallback;
  return fallback;
}

/// Installs, for its lifetime, a fresh tracer arena, lazy-set store and
/// interaction record on this thread (restoring the previous ones after):
/// everything one Hessian detection call allocates is freed with it.
class ScopedHessianDetection {
 public:
  ScopedHessianDetection() noexcept
      : previous_store_(installed_hessian_set_store),
        previous_record_(installed_interaction_record) {
    installed_hessian_set_store = &store_;
    installed_interaction_record = &record_;
  }
  ~ScopedHessianDetection() {
    installed_hessian_set_store = previous_store_;
    installed_interaction_record = previous_record_;
  }
  ScopedHessianDetection(const ScopedHessianDetection&) = delete;
  ScopedHessianDetection& operator=(const ScopedHessianDetection&) = delete;

  InteractionRecord& record() noexcept { return record_; }
  HessianSetStore& store() noexcept { return store_; }

 private:
  ScopedTracerArena arena_;  // declared first: destroyed last
  HessianSetStore store_;
  InteractionRecord record_;
  HessianSetStore* previous_store_;
  InteractionRecord* previous_record_;
};

}  // namespace sparsediff::detail
