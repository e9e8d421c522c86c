// Native greedy partial distance-2 coloring and its vertex orderings.
//
// Everything works on the two compressed adjacency arrays of
// detail::BipartiteView; the conflict graph is never built. The orderings
// that depend on degrees keep the vertices in a bucket queue (one bucket per
// degree), so moving a vertex to the next degree is O(1) and each ordering
// costs O(n + sum over nets of size^2), like the coloring itself. The
// saturation greedy keeps one 64-ary bit tree over the ordering's ranks per
// saturation value.
#include "sparsediff/coloring/greedy.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

#include "sparsediff/coloring/detail/bipartite.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {
namespace detail {
namespace {

// How a DegreeQueue breaks ties among the vertices of one key.
enum class Ties {
  // ColPack's bucket vectors: the vertex taken is the bucket's last; a
  // vertex leaving a bucket is replaced by the bucket's last. Both backends
  // then give the same orders.
  colpack,
  // Intrusive lists: the vertex taken is the one that entered its bucket
  // last, and leaving does not reorder the others. For dynamic largest-first
  // this keeps the sweep local, where ColPack's slot swapping scatters it
  // over the whole graph (5 to 10 times slower on 10^6-column stencils, and
  // more colors).
  stable
};

// The vertices not yet ordered, keyed by a small integer (a degree), with
// O(1) insertion, move and removal. A vertex's key, bucket links and visit
// stamp share one record: walking the neighbors of a vertex, where the
// orderings spend their time, then touches one cache line per neighbor.
template <Ties ties>
class DegreeQueue {
 public:
  DegreeQueue(Index num_items, Index num_keys)
      : items_(static_cast<std::size_t>(num_items), Item{-1, -1, -1, -1}) {
    if constexpr (ties == Ties::colpack)
      buckets_.resize(static_cast<std::size_t>(num_keys));
    else
      heads_.assign(static_cast<std::size_t>(num_keys), -1);
  }

  void insert(Index v, Index key) {
    Item& item = items_[v];
    item.key = key;
    if constexpr (ties == Ties::colpack) {
      item.link = static_cast<Index>(buckets_[key].size());  // slot in the bucket
      buckets_[key].push_back(v);
    } else {
      item.link = -1;  // previous in the list
      item.next = heads_[key];
      if (item.next >= 0) items_[item.next].link = v;
      heads_[key] = v;
    }
  }
  /// Moves a vertex not yet ordered to another key.
  void move(Index v, Index key) {
    detach(v);
    insert(v, key);
  }
  Index key(Index v) const { return items_[v].key; }
  bool has(Index key) const {
    if constexpr (ties == Ties::colpack)
      return !buckets_[key].empty();
    else
      return heads_[key] >= 0;
  }
  /// Removes the vertex to take next among those with this key (there must
  /// be one) and marks it ordered.
  Index take(Index key) {
    Index v;
    if constexpr (ties == Ties::colpack)
      v = buckets_[key].back();
    else
      v = heads_[key];
    detach(v);
    items_[v].key = -1;
    return v;
  }
  /// Calls visit(w) once for each vertex w not yet ordered that shares a net
  /// with v (v itself excluded).
  template <class Visit>
  void for_each_waiting_neighbor(const BipartiteView& g, Index v, Visit visit) {
    items_[v].stamp = v;
    for (Index k = g.vertex_ptr[v]; k < g.vertex_ptr[v + 1]; ++k) {
      const Index net = g.vertex_nets[k];
      for (Index q = g.net_ptr[net]; q < g.net_ptr[net + 1]; ++q) {
        const Index w = g.net_vertices[q];
        Item& item = items_[w];
        if (item.stamp == v || item.key < 0) continue;
        item.stamp = v;
        visit(w);
      }
    }
  }

 private:
  struct Item {
    Index key;    // current key; -1 once ordered
    Index link;   // colpack: slot in buckets_[key]; stable: previous in the list
    Index next;   // stable: next in the list
    Index stamp;  // last vertex whose neighbors visited this one
  };
  void detach(Index v) {
    Item& item = items_[v];
    if constexpr (ties == Ties::colpack) {
      std::vector<Index>& bucket = buckets_[item.key];
      const Index last = bucket.back();
      bucket[item.link] = last;
      items_[last].link = item.link;
      bucket.pop_back();
    } else {
      if (item.link >= 0)
        items_[item.link].next = item.next;
      else
        heads_[item.key] = item.next;
      if (item.next >= 0) items_[item.next].link = item.link;
    }
  }

  std::vector<Item> items_;
  std::vector<std::vector<Index>> buckets_;  // Ties::colpack
  std::vector<Index> heads_;                 // Ties::stable
};

// A set of ranks in [0, n) with insert, erase and minimum in O(log_64 n):
// a 64-ary tree of bit words in which a bit is set iff the word below it
// is not zero. The saturation greedy keeps one per saturation value, so
// that among the vertices of largest saturation the one ranked first by
// the ordering is found without scanning.
class RankSet {
 public:
  explicit RankSet(Index n) {
    std::size_t count = static_cast<std::size_t>(std::max<Index>(n, 1));
    do {
      count = (count + 63) / 64;
      levels_.emplace_back(count, 0);
    } while (count > 1);
  }
  bool empty() const { return levels_.back()[0] == 0; }
  void insert(Index rank) {
    std::size_t i = static_cast<std::size_t>(rank);
    for (auto& level : levels_) {
      std::uint64_t& word = level[i / 64];
      const bool was_empty = word == 0;
      word |= std::uint64_t(1) << (i % 64);
      if (!was_empty) return;  // the levels above already point here
      i /= 64;
    }
  }
  void erase(Index rank) {
    std::size_t i = static_cast<std::size_t>(rank);
    for (auto& level : levels_) {
      std::uint64_t& word = level[i / 64];
      word &= ~(std::uint64_t(1) << (i % 64));
      if (word != 0) return;
      i /= 64;
    }
  }
  /// Smallest rank in the set, which must not be empty.
  Index min() const {
    std::size_t i = 0;
    for (auto level = levels_.rbegin(); level != levels_.rend(); ++level)
      i = i * 64 + static_cast<std::size_t>(__builtin_ctzll((*level)[i]));  // GCC/Clang
    return static_cast<Index>(i);
  }

 private:
  std::vector<std::vector<std::uint64_t>> levels_;  // levels_[0] holds one bit per rank
};

// An upper bound on every distance-2 degree (and so on every incidence
// degree), from net sizes alone: O(n + nnz), no visit of neighbors.
Index distance2_degree_bound(const BipartiteView& g) {
  Index bound = 0;
  for (Index v = 0; v < g.num_vertices; ++v) {
    std::int64_t sum = 0;
    for (Index k = g.vertex_ptr[v]; k < g.vertex_ptr[v + 1]; ++k) {
      const Index net = g.vertex_nets[k];
      sum += g.net_ptr[net + 1] - g.net_ptr[net] - 1;
    }
    bound = std::max<Index>(bound, static_cast<Index>(std::min<std::int64_t>(sum, g.num_vertices)));
  }
  return bound;
}

std::vector<Index> natural_order(Index n) {
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index v = 0; v < n; ++v) order[v] = v;
  return order;
}

// Decreasing static degree; ties in increasing index (counting sort).
std::vector<Index> largest_first_order(const BipartiteView& g) {
  const Index n = g.num_vertices;
  const std::vector<Index> degree = distance2_degrees(g);
  const Index max_degree = n == 0 ? 0 : *std::max_element(degree.begin(), degree.end());
  std::vector<Index> start(static_cast<std::size_t>(max_degree) + 2, 0);
  // Bucket of degree d is at position max_degree - d, so buckets run from high to low.
  for (Index v = 0; v < n; ++v) ++start[max_degree - degree[v] + 1];
  for (Index d = 0; d <= max_degree; ++d) start[d + 1] += start[d];
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index v = 0; v < n; ++v) order[start[max_degree - degree[v]]++] = v;
  return order;
}

// Matula & Beck: repeatedly remove a vertex of smallest degree in the graph
// of the vertices not yet removed; color in the reverse order of removal.
std::vector<Index> smallest_last_order(const BipartiteView& g) {
  const Index n = g.num_vertices;
  const std::vector<Index> degree = distance2_degrees(g);
  const Index max_degree = n == 0 ? 0 : *std::max_element(degree.begin(), degree.end());
  DegreeQueue<Ties::colpack> queue(n, max_degree + 1);
  for (Index v = 0; v < n; ++v) queue.insert(v, degree[v]);
  std::vector<Index> order(static_cast<std::size_t>(n));
  Index low = 0;
  for (Index step = 0; step < n; ++step) {
    while (!queue.has(low)) ++low;
    const Index v = queue.take(low);
    order[n - 1 - step] = v;
    queue.for_each_waiting_neighbor(g, v, [&](Index w) { queue.move(w, queue.key(w) - 1); });
    // Removing v lowered degrees by at most one.
    if (low > 0) --low;
  }
  return order;
}

// Repeatedly take the vertex of largest degree among the vertices not yet
// taken (degrees counted in the graph of those vertices). Ties: the vertex
// that entered its bucket last, initially the lowest index (Ties::stable).
std::vector<Index> dynamic_largest_first_order(const BipartiteView& g) {
  const Index n = g.num_vertices;
  const std::vector<Index> degree = distance2_degrees(g);
  const Index max_degree = n == 0 ? 0 : *std::max_element(degree.begin(), degree.end());
  DegreeQueue<Ties::stable> queue(n, max_degree + 1);
  for (Index v = n - 1; v >= 0; --v) queue.insert(v, degree[v]);
  std::vector<Index> order(static_cast<std::size_t>(n));
  Index high = max_degree;
  for (Index step = 0; step < n; ++step) {
    while (!queue.has(high)) --high;  // degrees only decrease
    const Index v = queue.take(high);
    order[step] = v;
    queue.for_each_waiting_neighbor(g, v, [&](Index w) { queue.move(w, queue.key(w) - 1); });
  }
  return order;
}

// Repeatedly take the vertex with the most neighbors already taken.
std::vector<Index> incidence_degree_order(const BipartiteView& g) {
  const Index n = g.num_vertices;
  DegreeQueue<Ties::colpack> queue(n, distance2_degree_bound(g) + 1);
  for (Index v = 0; v < n; ++v) queue.insert(v, 0);
  std::vector<Index> order(static_cast<std::size_t>(n));
  Index high = 0;
  for (Index step = 0; step < n; ++step) {
    while (!queue.has(high)) --high;
    const Index v = queue.take(high);
    order[step] = v;
    queue.for_each_waiting_neighbor(g, v, [&](Index w) {
      const Index key = queue.key(w) + 1;
      queue.move(w, key);
      high = std::max(high, key);
    });
  }
  return order;
}

}  // namespace

void transpose_structure(Index rows, Index cols, const Index* row_ptr, const Index* col_idx,
                         std::vector<Index>& t_ptr, std::vector<Index>& t_idx) {
  const Index nnz = rows == 0 ? 0 : row_ptr[rows];
  t_ptr.assign(static_cast<std::size_t>(cols) + 1, 0);
  t_idx.resize(static_cast<std::size_t>(nnz));
  for (Index k = 0; k < nnz; ++k) ++t_ptr[col_idx[k] + 1];
  for (Index j = 0; j < cols; ++j) t_ptr[j + 1] += t_ptr[j];
  std::vector<Index> next(t_ptr.begin(), t_ptr.end() - 1);
  for (Index i = 0; i < rows; ++i)
    for (Index k = row_ptr[i]; k < row_ptr[i + 1]; ++k) t_idx[next[col_idx[k]]++] = i;
}

std::vector<Index> distance2_degrees(const BipartiteView& g) {
  const Index n = g.num_vertices;
  std::vector<Index> degree(static_cast<std::size_t>(n), 0);
  // stamp[w] == v: w already counted for v (v's own slot too, so v is not).
  std::vector<Index> stamp(static_cast<std::size_t>(n), -1);
  for (Index v = 0; v < n; ++v) {
    Index count = 0;
    stamp[v] = v;
    for (Index k = g.vertex_ptr[v]; k < g.vertex_ptr[v + 1]; ++k) {
      const Index net = g.vertex_nets[k];
      for (Index q = g.net_ptr[net]; q < g.net_ptr[net + 1]; ++q) {
        const Index w = g.net_vertices[q];
        if (stamp[w] == v) continue;
        stamp[w] = v;
        ++count;
      }
    }
    degree[v] = count;
  }
  return degree;
}

std::vector<Index> random_permutation(Index n, unsigned seed) {
  std::vector<Index> order = natural_order(n);
  std::mt19937 engine(seed);
  for (Index i = n - 1; i > 0; --i) {
    // 64 random bits make the modulo bias negligible (n < 2^31).
    const std::uint64_t bits = (std::uint64_t(engine()) << 32) | std::uint64_t(engine());
    const Index j = static_cast<Index>(bits % std::uint64_t(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

std::vector<Index> order_vertices(const BipartiteView& g, Ordering ordering, unsigned seed) {
  switch (ordering) {
    case Ordering::natural:
      return natural_order(g.num_vertices);
    case Ordering::largest_first:
      return largest_first_order(g);
    case Ordering::smallest_last:
      return smallest_last_order(g);
    case Ordering::incidence_degree:
      return incidence_degree_order(g);
    case Ordering::dynamic_largest_first:
      return dynamic_largest_first_order(g);
    case Ordering::random:
      return random_permutation(g.num_vertices, seed);
  }
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown ordering value " << static_cast<int>(ordering));
  return {};
}

Index greedy_color(const BipartiteView& g, const std::vector<Index>& order,
                   std::vector<Index>& colors) {
  const Index n = g.num_vertices;
  colors.assign(static_cast<std::size_t>(n), -1);
  // forbidden[c] == v: color c is taken by a vertex sharing a net with v.
  // Stamping with the current vertex avoids clearing the array.
  std::vector<Index> forbidden;
  forbidden.reserve(64);
  Index num_colors = 0;
  Index* color = colors.data();
  for (const Index v : order) {
    Index* taken = forbidden.data();
    for (Index k = g.vertex_ptr[v]; k < g.vertex_ptr[v + 1]; ++k) {
      const Index net = g.vertex_nets[k];
      for (Index q = g.net_ptr[net]; q < g.net_ptr[net + 1]; ++q) {
        const Index c = color[g.net_vertices[q]];
        if (c >= 0) taken[c] = v;
      }
    }
    Index c = 0;
    while (c < num_colors && taken[c] == v) ++c;
    if (c == num_colors) {
      ++num_colors;
      forbidden.push_back(-1);
    }
    color[v] = c;
  }
  return num_colors;
}

Index saturation_color(const BipartiteView& g, const std::vector<Index>& order,
                       std::vector<Index>& colors) {
  const Index n = g.num_vertices;
  colors.assign(static_cast<std::size_t>(n), -1);
  if (n == 0) return 0;
  // What the selection needs about a vertex, in one record so that visiting
  // a neighbor touches one cache line. `seen` has bit c % 64 set when a
  // neighbor has color c; its population count is the saturation (exact up
  // to 64 colors, a lower estimate beyond, which only affects the choice of
  // the next vertex, never the validity of the coloring).
  struct Vertex {
    Index color;
    Index rank;
    int saturation;
    std::uint64_t seen;
  };
  std::vector<Vertex> vertex(static_cast<std::size_t>(n), Vertex{-1, 0, 0, 0});
  for (Index r = 0; r < n; ++r) vertex[order[r]].rank = r;
  std::vector<RankSet> by_saturation;
  by_saturation.reserve(65);
  by_saturation.emplace_back(n);
  for (Index r = 0; r < n; ++r) by_saturation[0].insert(r);
  std::vector<Index> forbidden;
  forbidden.reserve(64);
  // Uncolored neighbors of the current vertex (with repetitions), gathered
  // while reading the colored ones, so that the adjacency is walked once.
  std::vector<Index> waiting;
  Index num_colors = 0;
  int high = 0;
  for (Index step = 0; step < n; ++step) {
    while (by_saturation[high].empty()) --high;  // a vertex is left, so high stays >= 0
    const Index v = order[by_saturation[high].min()];
    by_saturation[high].erase(vertex[v].rank);
    Index* taken = forbidden.data();
    waiting.clear();
    for (Index k = g.vertex_ptr[v]; k < g.vertex_ptr[v + 1]; ++k) {
      const Index net = g.vertex_nets[k];
      for (Index q = g.net_ptr[net]; q < g.net_ptr[net + 1]; ++q) {
        const Index w = g.net_vertices[q];
        const Index c = vertex[w].color;
        if (c >= 0)
          taken[c] = v;
        else if (w != v)
          waiting.push_back(w);
      }
    }
    Index c = 0;
    while (c < num_colors && taken[c] == v) ++c;
    if (c == num_colors) {
      ++num_colors;
      forbidden.push_back(-1);
    }
    vertex[v].color = c;
    const std::uint64_t bit = std::uint64_t(1) << (c % 64);
    for (const Index w : waiting) {
      Vertex& u = vertex[w];
      if ((u.seen & bit) != 0) continue;
      u.seen |= bit;
      by_saturation[u.saturation].erase(u.rank);
      const int s = ++u.saturation;
      if (s == static_cast<int>(by_saturation.size())) by_saturation.emplace_back(n);
      by_saturation[s].insert(u.rank);
      high = std::max(high, s);
    }
  }
  for (Index v = 0; v < n; ++v) colors[v] = vertex[v].color;
  return num_colors;
}

}  // namespace detail

namespace {

void check_kind(ColoringKind kind) {
  SPARSEDIFF_REQUIRE(kind == ColoringKind::column || kind == ColoringKind::row, InvalidArgument,
                     "unknown coloring kind value " << static_cast<int>(kind));
}

void check_ordering(Ordering ordering) {
  SPARSEDIFF_REQUIRE(static_cast<int>(ordering) >= static_cast<int>(Ordering::natural) &&
                         static_cast<int>(ordering) <= static_cast<int>(Ordering::random),
                     InvalidArgument, "unknown ordering value " << static_cast<int>(ordering));
}

// The pattern's CSR arrays and the transpose's, arranged so that the
// vertices are the side being colored.
struct Adjacency {
  std::vector<Index> t_ptr, t_idx;
  detail::BipartiteView view;
};

Adjacency make_adjacency(const Pattern& pattern, ColoringKind kind) {
  Adjacency a;
  const Index m = pattern.rows(), n = pattern.cols();
  const Index* row_ptr = pattern.row_ptr().data();
  const Index* col_idx = pattern.col_idx().data();
  detail::transpose_structure(m, n, row_ptr, col_idx, a.t_ptr, a.t_idx);
  if (kind == ColoringKind::column) {
    a.view = {n, m, a.t_ptr.data(), a.t_idx.data(), row_ptr, col_idx};
  } else {
    a.view = {m, n, row_ptr, col_idx, a.t_ptr.data(), a.t_idx.data()};
  }
  return a;
}

}  // namespace

std::vector<Index> greedy_order(const Pattern& pattern, ColoringKind kind, Ordering ordering,
                                unsigned seed) {
  check_kind(kind);
  check_ordering(ordering);
  const Adjacency adjacency = make_adjacency(pattern, kind);
  return detail::order_vertices(adjacency.view, ordering, seed);
}

Coloring greedy_coloring(const Pattern& pattern, const ColoringOptions& options) {
  check_kind(options.kind);
  check_ordering(options.ordering);
  const GreedySelection selection = options.selection;
  SPARSEDIFF_REQUIRE(
      selection == GreedySelection::in_order || selection == GreedySelection::saturation ||
          selection == GreedySelection::best,
      InvalidArgument, "unknown greedy selection value " << static_cast<int>(selection));
  const auto start = std::chrono::steady_clock::now();
  Coloring result;
  result.kind = options.kind;
  result.ordering = options.ordering;
  result.backend = ColoringBackend::native;
  result.lower_bound = coloring_lower_bound(pattern, options.kind);
  {
    const Adjacency adjacency = make_adjacency(pattern, options.kind);
    const std::vector<Index> order =
        detail::order_vertices(adjacency.view, options.ordering, options.seed);
    if (selection != GreedySelection::saturation) {
      result.num_colors = detail::greedy_color(adjacency.view, order, result.colors);
      result.selection = GreedySelection::in_order;
    }
    // No coloring beats the lower bound, so `best` stops when it is met.
    if (selection == GreedySelection::saturation ||
        (selection == GreedySelection::best && result.num_colors > result.lower_bound)) {
      std::vector<Index> colors;
      const Index num_colors = detail::saturation_color(adjacency.view, order, colors);
      if (selection == GreedySelection::saturation || num_colors < result.num_colors) {
        result.colors = std::move(colors);
        result.num_colors = num_colors;
        result.selection = GreedySelection::saturation;
      }
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace sparsediff
