// Native acyclic coloring: Gebremedhin, Tarafdar, Manne, Pothen (2007),
// Algorithm 3.1 with the disjoint-set forest of 2-colored trees of
// Algorithm 3.2, on the adjacency graph of detail::SymmetricGraph. See
// coloring/acyclic.hpp for the cycle test and the tree updates.
#include <chrono>
#include <utility>
#include <vector>

#include "sparsediff/coloring/acyclic.hpp"
#include "sparsediff/coloring/detail/symmetric_graph.hpp"

namespace sparsediff {
namespace {

// Disjoint sets over the edges: union by rank, path halving.
class EdgeForest {
 public:
  explicit EdgeForest(Index count)
      : parent_(static_cast<std::size_t>(count)), rank_(static_cast<std::size_t>(count), 0) {
    for (Index e = 0; e < count; ++e) parent_[e] = e;
  }
  Index find(Index e) {
    while (parent_[e] != e) {
      parent_[e] = parent_[parent_[e]];
      e = parent_[e];
    }
    return e;
  }
  void unite(Index a, Index b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (rank_[a] < rank_[b]) std::swap(a, b);
    parent_[b] = a;
    if (rank_[a] == rank_[b]) ++rank_[a];
  }

 private:
  std::vector<Index> parent_;
  std::vector<unsigned char> rank_;  // <= log2(count) < 256
};

class AcyclicColorer {
 public:
  explicit AcyclicColorer(const detail::SymmetricGraph& g)
      : g_(g),
        color_(static_cast<std::size_t>(g.num_vertices), -1),
        visit_(static_cast<std::size_t>(g.num_edges)),
        forest_(g.num_edges) {}

  Index run(const std::vector<Index>& order) {
    for (const Index v : order) {
      forbid_for(v);
      Index c = 0;
      while (c < num_colors_ && forbidden_[c] == v) ++c;
      if (c == num_colors_) {
        ++num_colors_;
        forbidden_.push_back(-1);
        first_neighbor_.push_back(FirstNeighbor{});
      }
      color_[v] = c;
      grow_stars(v);
      merge_trees(v);
    }
    return num_colors_;
  }

  std::vector<Index>& colors() { return color_; }

 private:
  struct FirstNeighbor {  // first neighbor of `vertex` seen with a color
    Index vertex = -1;
    Index entry = -1;
  };
  struct Visit {  // the last vertex that reached a tree, and through which neighbor
    Index vertex = -1;
    Index through = -1;
  };

  void forbid_for(Index v) {
    for (Index k = g_.ptr[v]; k < g_.ptr[v + 1]; ++k) {
      const Index c = color_[g_.adj[k]];
      if (c >= 0) forbidden_[c] = v;
    }
    for (Index k = g_.ptr[v]; k < g_.ptr[v + 1]; ++k) {
      const Index w = g_.adj[k];
      if (color_[w] < 0) continue;
      for (Index q = g_.ptr[w]; q < g_.ptr[w + 1]; ++q) {
        const Index cx = color_[g_.adj[q]];  // v itself is not colored yet
        if (cx < 0 || forbidden_[cx] == v) continue;
        // v reaching the 2-colored tree of {w, x} through a second neighbor
        // would close a cycle colored {cx, color(w)} if v took cx.
        Visit& visit = visit_[forest_.find(g_.edge[q])];
        if (visit.vertex != v) {
          visit = Visit{v, w};
        } else if (visit.through != w) {
          forbidden_[cx] = v;
        }
      }
    }
  }

  // Edges from v to neighbors of one color form a 2-colored star around v.
  void grow_stars(Index v) {
    for (Index k = g_.ptr[v]; k < g_.ptr[v + 1]; ++k) {
      const Index cw = color_[g_.adj[k]];
      if (cw < 0) continue;
      FirstNeighbor& first = first_neighbor_[cw];
      if (first.vertex != v) {
        first = FirstNeighbor{v, k};
      } else {
        forest_.unite(g_.edge[k], g_.edge[first.entry]);
      }
    }
  }

  // {v, w} joins the trees of the edges {w, x} with x colored like v.
  void merge_trees(Index v) {
    const Index cv = color_[v];
    for (Index k = g_.ptr[v]; k < g_.ptr[v + 1]; ++k) {
      const Index w = g_.adj[k];
      if (color_[w] < 0) continue;
      for (Index q = g_.ptr[w]; q < g_.ptr[w + 1]; ++q) {
        const Index x = g_.adj[q];
        if (x != v && color_[x] == cv) forest_.unite(g_.edge[k], g_.edge[q]);
      }
    }
  }

  const detail::SymmetricGraph& g_;
  std::vector<Index> color_;
  std::vector<Visit> visit_;  // per tree root (edge id)
  EdgeForest forest_;
  std::vector<Index> forbidden_;
  std::vector<FirstNeighbor> first_neighbor_;
  Index num_colors_ = 0;
};

}  // namespace

SymmetricColoring acyclic_coloring(const Pattern& pattern,
                                   const SymmetricColoringOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SymmetricColoring result;
  result.kind = SymmetricColoringKind::acyclic;
  result.ordering = options.ordering;
  result.backend = ColoringBackend::native;
  const detail::SymmetricGraph graph = detail::make_symmetric_graph(pattern, "acyclic_coloring");
  {
    AcyclicColorer colorer(graph);
    result.num_colors = colorer.run(detail::symmetric_order(graph, options.ordering, options.seed));
    result.colors = std::move(colorer.colors());
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.lower_bound = detail::symmetric_lower_bound(graph);
  return result;
}

}  // namespace sparsediff
