#pragma once
/// @file
/// `HessianSet`: the first-order index set a Hessian tracer carries
/// (ad/hessian_tracer.hpp), and the store holding its lazy unions.
///
/// Small sets are what the Jacobian tracer uses (ad/tracer.hpp): one index
/// inline, or an immutable sorted array in the thread's tracer arena,
/// united eagerly by merging. That is the right thing for the short sets of
/// stencil code, but an objective is typically a *sum over the whole
/// domain*, `f += term(x_i, x_j, ...)`, visiting the indices in no
/// increasing order: merging each term into a sorted array of everything
/// seen so far would cost O(n) per term and O(n^2) in all. A Hessian tracer
/// needs such a sum's set only if the sum later enters a nonlinear operation
/// (`exp(sum)`), and usually it does not. So a union whose result would
/// exceed `eager_limit` indices is made *lazy*: a node {left, right, bag}
/// standing for left ∪ right ∪ bag, where the bag is an unsorted array of
/// indices (duplicates allowed) in a separate arena. Adding a small set to a
/// lazy one appends to its bag, in place when the bag ends at the top of the
/// bag arena — the handle carries how many bag items it sees, so older
/// handles keep seeing their prefix, exactly like the in-place extension of
/// sorted arrays. Accumulating `f += term` therefore costs O(|term|) per
/// term and one node only when another lazy set was extended in between.
///
/// A lazy set's elements are enumerated only when needed (the Hessian
/// assembly, `gradient_pattern()`), by a depth-first walk over the nodes
/// with a visit stamp per node, so shared sub-unions are walked once.
/// This follows the lazy index domains of ADOL-C's Hessian sparsity drivers
/// (Walther, "Computing sparse Hessians with automatic differentiation",
/// ACM TOMS 34(1), 2008) and the recursive sets of SparseConnectivityTracer.jl.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "sparsediff/ad/detail/tracer_arena.hpp"
#include "sparsediff/core/config.hpp"

namespace sparsediff::detail {

struct LazyNode;

/// A set of input indices: empty, one index, a sorted array (eager), or a
/// lazy union (see the file comment). A trivially copyable 16-byte handle.
class HessianSet {
 public:
  /// Largest set formed by merging two eager sets; larger unions are lazy
  /// (unless they extend an array in place, which stays eager at any size).
  static constexpr Index eager_limit = 64;

  HessianSet() noexcept = default;

  static HessianSet single(Index j) noexcept {
    HessianSet s;
    s.size_ = 1;
    s.single_ = j;
    return s;
  }
  static HessianSet eager(const Index* data, Index size) noexcept {
    if (size == 1) return single(data[0]);
    HessianSet s;
    s.size_ = size;
    s.pointer_ = data;
    return s;
  }
  static HessianSet lazy(const LazyNode* node, Index bag_count) noexcept {
    HessianSet s;
    s.size_ = -bag_count - 1;
    s.pointer_ = node;
    return s;
  }

  bool empty() const noexcept { return size_ == 0; }
  bool is_lazy() const noexcept { return size_ < 0; }
  /// Number of indices of an eager set.
  Index eager_size() const noexcept { return size_; }
  /// The sorted indices of an eager set.
  const Index* begin() const noexcept {
    return size_ == 1 ? &single_ : static_cast<const Index*>(pointer_);
  }
  const Index* end() const noexcept { return begin() + size_; }
  /// The node of a lazy set, and how many items of its bag this handle sees.
  const LazyNode* node() const noexcept { return static_cast<const LazyNode*>(pointer_); }
  Index bag_count() const noexcept { return -size_ - 1; }

  /// Same representation (hence same set; different representations may
  /// still hold equal sets).
  bool same(const HessianSet& other) const noexcept {
    return size_ == other.size_ &&
           (size_ == 1 ? single_ == other.single_ : pointer_ == other.pointer_ || size_ == 0);
  }

 private:
  Index size_ = 0;  // >= 0: eager, the number of indices; < 0: lazy, -(bag items seen) - 1
  Index single_ = 0;
  const void* pointer_ = nullptr;  // sorted array (eager, size >= 2) or LazyNode (lazy)
};

/// left ∪ right ∪ bag[0, count), count carried by each handle. The visit
/// fields are scratch for enumeration.
struct LazyNode {
  HessianSet left, right;
  const Index* bag = nullptr;
  mutable std::uint32_t visit_stamp = 0;
  mutable Index visited_count = 0;  // bag items already enumerated in this visit
};

/// Owner of the lazy nodes and bags of one detection call (or of a thread,
/// outside detection). Not thread-safe: one per thread.
class HessianSetStore {
 public:
  HessianSetStore() = default;
  HessianSetStore(const HessianSetStore&) = delete;
  HessianSetStore& operator=(const HessianSetStore&) = delete;

  LazyNode* new_node(const HessianSet& left, const HessianSet& right) {
    nodes_.push_back(LazyNode{left, right, nullptr, 0, 0});
    return &nodes_.back();
  }
  TracerArena& bags() noexcept { return bags_; }
  std::uint32_t next_stamp() noexcept { return ++stamp_; }
  std::size_t num_nodes() const noexcept { return nodes_.size(); }

 private:
  std::deque<LazyNode> nodes_;  // a deque never moves its elements
  TracerArena bags_;
  std::uint32_t stamp_ = 0;
};

/// The store installed on this thread by a detection call, if any.
inline thread_local HessianSetStore* installed_hessian_set_store = nullptr;

/// The store lazy unions on this thread use (a per-thread fallback outside
/// detection, freed when the thread ends).
inline HessianSetStore& current_hessian_set_store() {
  if (installed_hessian_set_store != nullptr) return *installed_hessian_set_store;
  static thread_local HessianSetStore fallback;
  return fallback;
}

/// Appends the small eager set s to the bag of the lazy set l.
inline HessianSet append_to_bag(const HessianSet& l, const HessianSet& s) {
  HessianSetStore& store = current_hessian_set_store();
  TracerArena& bags = store.bags();
  LazyNode* node = const_cast<LazyNode*>(l.node());  // the store owns it; bags only grow
  const Index count = l.bag_count(), extra = s.eager_size();
  if (node->bag != nullptr && bags.can_extend(node->bag, count, extra)) {
    std::copy(s.begin(), s.end(), bags.allocate(extra));
    return HessianSet::lazy(node, count + extra);
  }
  if (node->bag == nullptr && count == 0) {
    // No handle sees a bag yet: this one starts it.
    Index* bag = bags.allocate(extra);
    std::copy(s.begin(), s.end(), bag);
    node->bag = bag;
    return HessianSet::lazy(node, extra);
  }
  LazyNode* fresh = store.new_node(l, HessianSet());
  Index* bag = bags.allocate(extra);
  std::copy(s.begin(), s.end(), bag);
  fresh->bag = bag;
  return HessianSet::lazy(fresh, extra);
}

/// a ∪ b (see the file comment for when the result is lazy).
inline HessianSet unite(const HessianSet& a, const HessianSet& b) {
  if (b.empty() || a.same(b)) return a;
  if (a.empty()) return b;
  constexpr Index limit = HessianSet::eager_limit;
  if (!a.is_lazy() && !b.is_lazy()) {
    const Index na = a.eager_size(), nb = b.eager_size();
    if (na == 1 && nb == 1) {
      const Index i = *a.begin(), j = *b.begin();
      if (i == j) return a;
      Index* out = current_tracer_arena().allocate(2);
      out[0] = std::min(i, j);
      out[1] = std::max(i, j);
      return HessianSet::eager(out, 2);
    }
    TracerArena& arena = current_tracer_arena();
    const bool extends = na > 1 && a.end()[-1] < *b.begin() && arena.can_extend(a.begin(), na, nb);
    if (extends || na + nb <= limit) {
      const SortedUnion u = unite_sorted(arena, a.begin(), na, b.begin(), nb);
      if (u.source == SortedUnion::Source::a) return a;
      if (u.source == SortedUnion::Source::b) return b;
      return HessianSet::eager(u.data, u.size);
    }
    if (nb <= limit)
      return append_to_bag(
          HessianSet::lazy(current_hessian_set_store().new_node(a, HessianSet()), 0), b);
    if (na <= limit)
      return append_to_bag(
          HessianSet::lazy(current_hessian_set_store().new_node(b, HessianSet()), 0), a);
  } else if (a.is_lazy() && !b.is_lazy() && b.eager_size() <= limit) {
    return append_to_bag(a, b);
  } else if (b.is_lazy() && !a.is_lazy() && a.eager_size() <= limit) {
    return append_to_bag(b, a);
  }
  return HessianSet::lazy(current_hessian_set_store().new_node(a, b), 0);
}

/// Appends the indices of s to `out`, possibly repeated (sort and unique to
/// get the set). Walks shared lazy nodes once. O(size of the nodes and bags
/// reachable from s).
inline void append_indices(const HessianSet& s, std::vector<Index>& out) {
  if (!s.is_lazy()) {
    out.insert(out.end(), s.begin(), s.end());
    return;
  }
  const std::uint32_t stamp = current_hessian_set_store().next_stamp();
  std::vector<HessianSet> stack{s};
  while (!stack.empty()) {
    const HessianSet h = stack.back();
    stack.pop_back();
    if (!h.is_lazy()) {
      out.insert(out.end(), h.begin(), h.end());
      continue;
    }
    const LazyNode& node = *h.node();
    if (node.visit_stamp != stamp) {
      node.visit_stamp = stamp;
      node.visited_count = 0;
      if (!node.left.empty()) stack.push_back(node.left);
      if (!node.right.empty()) stack.push_back(node.right);
    }
    // Handles of one node see prefixes of its bag: take what is new.
    const Index count = h.bag_count();
    if (count > node.visited_count) {
      out.insert(out.end(), node.bag + node.visited_count, node.bag + count);
      node.visited_count = count;
    }
  }
}

/// The indices of s, increasing and distinct.
inline std::vector<Index> sorted_indices(const HessianSet& s) {
  std::vector<Index> out;
  append_indices(s, out);
  if (s.is_lazy()) {
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

}  // namespace sparsediff::detail
