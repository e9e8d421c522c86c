// Native star coloring: Gebremedhin, Tarafdar, Manne, Pothen (2007),
// Algorithm 4.1, on the adjacency graph of detail::SymmetricGraph. See
// coloring/star.hpp for the two forbidden shapes and the star updates.
#include <chrono>
#include <vector>

#include "sparsediff/coloring/detail/symmetric_graph.hpp"
#include "sparsediff/coloring/star.hpp"

namespace sparsediff {
namespace {

constexpr Index no_hub = -1;  // a star of one edge has no hub yet

class StarColorer {
 public:
  explicit StarColorer(const detail::SymmetricGraph& g)
      : g_(g),
        color_(static_cast<std::size_t>(g.num_vertices), -1),
        treated_(static_cast<std::size_t>(g.num_vertices), -1),
        star_(static_cast<std::size_t>(g.num_edges), -1) {}

  Index run(const std::vector<Index>& order) {
    for (const Index v : order) {
      forbid_for(v);
      Index c = 0;
      while (c < num_colors_ && forbidden_[c] == v) ++c;
      if (c == num_colors_) add_color();
      color_[v] = c;
      update_stars(v);
    }
    return num_colors_;
  }

  std::vector<Index>& colors() { return color_; }

 private:
  // The first colored neighbor of the vertex being colored seen with a
  // color, and the entry of adj holding it (valid while `vertex` is current).
  struct FirstNeighbor {
    Index vertex = -1;
    Index neighbor = -1;
    Index entry = -1;
  };

  void add_color() {
    ++num_colors_;
    forbidden_.push_back(-1);
    first_neighbor_.push_back(FirstNeighbor{});
  }

  // Forbids every color around w (colors of its neighbors) for v.
  void treat(Index v, Index w) {
    for (Index k = g_.ptr[w]; k < g_.ptr[w + 1]; ++k) {
      const Index c = color_[g_.adj[k]];
      if (c >= 0) forbidden_[c] = v;
    }
    treated_[w] = v;
  }

  void forbid_for(Index v) {
    for (Index k = g_.ptr[v]; k < g_.ptr[v + 1]; ++k) {
      const Index w = g_.adj[k];
      const Index cw = color_[w];
      if (cw < 0) continue;
      forbidden_[cw] = v;
      FirstNeighbor& first = first_neighbor_[cw];
      if (first.vertex == v) {
        // Two neighbors of v with color cw: v will be the hub of their star.
        if (treated_[first.neighbor] != v) treat(v, first.neighbor);
        treat(v, w);
      } else {
        first = FirstNeighbor{v, w, k};
        // A neighbor x of w that is the hub of the star of edge {w, x}: that
        // star has another leaf colored like w.
        for (Index q = g_.ptr[w]; q < g_.ptr[w + 1]; ++q) {
          const Index x = g_.adj[q];
          const Index cx = color_[x];
          if (cx < 0 || x == v) continue;
          if (hub_[star_[g_.edge[q]]] == x) forbidden_[cx] = v;
        }
      }
    }
  }

  void update_stars(Index v) {
    const Index cv = color_[v];
    for (Index k = g_.ptr[v]; k < g_.ptr[v + 1]; ++k) {
      const Index w = g_.adj[k];
      const Index cw = color_[w];
      if (cw < 0) continue;
      Index joined = -1;
      // An edge {w, x} with x colored like v: {v, w} joins its star, hub w.
      for (Index q = g_.ptr[w]; q < g_.ptr[w + 1]; ++q) {
        const Index x = g_.adj[q];
        if (x != v && color_[x] == cv) {
          joined = star_[g_.edge[q]];
          hub_[joined] = w;
          break;
        }
      }
      if (joined < 0) {
        const FirstNeighbor& first = first_neighbor_[cw];
        if (first.vertex == v && first.neighbor != w) {
          // v has another neighbor colored like w: their star, hub v.
          joined = star_[g_.edge[first.entry]];
          hub_[joined] = v;
        } else {
          joined = static_cast<Index>(hub_.size());
          hub_.push_back(no_hub);
        }
      }
      star_[g_.edge[k]] = joined;
    }
  }

  const detail::SymmetricGraph& g_;
  std::vector<Index> color_;
  std::vector<Index> treated_;  // treated_[w] == v: colors around w already forbidden for v
  std::vector<Index> star_;     // star of each edge between colored vertices
  std::vector<Index> hub_;      // hub of each star, or no_hub
  std::vector<Index> forbidden_;
  std::vector<FirstNeighbor> first_neighbor_;
  Index num_colors_ = 0;
};

}  // namespace

SymmetricColoring star_coloring(const Pattern& pattern, const SymmetricColoringOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SymmetricColoring result;
  result.kind = SymmetricColoringKind::star;
  result.ordering = options.ordering;
  result.backend = ColoringBackend::native;
  const detail::SymmetricGraph graph = detail::make_symmetric_graph(pattern, "star_coloring");
  {
    StarColorer colorer(graph);
    result.num_colors = colorer.run(detail::symmetric_order(graph, options.ordering, options.seed));
    result.colors = std::move(colorer.colors());
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.lower_bound = detail::symmetric_lower_bound(graph);
  return result;
}

}  // namespace sparsediff
