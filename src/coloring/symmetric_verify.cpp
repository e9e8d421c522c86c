// The independent check of star and acyclic colorings. It shares nothing
// with the coloring algorithms: it reads the pattern's own CSR arrays and
// tests the definitions directly.
//
// Star: a path x - u - v - y on two colors has a middle edge {u, v} such that
// u has a neighbor other than v colored like v and v a neighbor other than u
// colored like u; conversely two such neighbors make such a path (they
// differ, having different colors). So counting, for every vertex, its
// neighbors of each color finds every 2-colored P4 in O(n + nnz).
//
// Acyclic: the edges are grouped by their pair of colors, and each group is
// fed to a union-find over its vertices: an edge joining two vertices that
// are already connected closes a 2-colored cycle, found again by a
// breadth-first search among the group's earlier edges to name it.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <queue>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sparsediff/coloring/symmetric.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {
namespace {

struct Problem {
  bool dimension = false;  // DimensionMismatch rather than InvalidColoring
  std::string message;
};

void require_symmetric(const Pattern& pattern, const char* function) {
  if (pattern.rows() != pattern.cols())
    detail::raise<InvalidArgument>(function, "the pattern is " + std::to_string(pattern.rows()) +
                                                 " x " + std::to_string(pattern.cols()) +
                                                 ", a symmetric coloring needs a square one");
  if (pattern.is_symmetric()) return;
  const Index* row_ptr = pattern.row_ptr().data();
  const Index* col_idx = pattern.col_idx().data();
  for (Index i = 0; i < pattern.rows(); ++i)
    for (Index k = row_ptr[i]; k < row_ptr[i + 1]; ++k)
      if (pattern.find(col_idx[k], i) < 0)
        detail::raise<InvalidArgument>(
            function, "the pattern is not symmetric: entry (" + std::to_string(i) + ", " +
                          std::to_string(col_idx[k]) + ") is present but (" +
                          std::to_string(col_idx[k]) + ", " + std::to_string(i) + ") is not");
}

std::optional<Problem> check_contract(const Pattern& pattern, const SymmetricColoring& coloring) {
  std::ostringstream out;
  if (coloring.kind != SymmetricColoringKind::star &&
      coloring.kind != SymmetricColoringKind::acyclic) {
    out << "unknown symmetric coloring kind value " << static_cast<int>(coloring.kind);
    return Problem{false, out.str()};
  }
  const Index n = pattern.rows();
  if (coloring.colors.size() != static_cast<std::size_t>(n)) {
    out << coloring.colors.size() << " colors for " << n << " columns";
    return Problem{true, out.str()};
  }
  if (coloring.num_colors < 0) {
    out << "negative number of colors " << coloring.num_colors;
    return Problem{false, out.str()};
  }
  std::vector<char> used(static_cast<std::size_t>(coloring.num_colors), 0);
  for (Index v = 0; v < n; ++v) {
    const Index c = coloring.colors[v];
    if (c < 0 || c >= coloring.num_colors) {
      out << "column " << v << " has color " << c << ", outside [0, " << coloring.num_colors << ")";
      return Problem{false, out.str()};
    }
    used[c] = 1;
  }
  for (Index c = 0; c < coloring.num_colors; ++c)
    if (!used[c]) {
      out << "color " << c << " of " << coloring.num_colors
          << " is used by no column (colors must be contiguous)";
      return Problem{false, out.str()};
    }
  return std::nullopt;
}

std::optional<Problem> check_distance1(const Pattern& pattern, const std::vector<Index>& color) {
  const Index* row_ptr = pattern.row_ptr().data();
  const Index* col_idx = pattern.col_idx().data();
  for (Index u = 0; u < pattern.rows(); ++u)
    for (Index k = row_ptr[u]; k < row_ptr[u + 1]; ++k) {
      const Index v = col_idx[k];
      if (v > u && color[u] == color[v]) {
        std::ostringstream out;
        out << "vertices " << u << " and " << v << " are adjacent and both have color " << color[u];
        return Problem{false, out.str()};
      }
    }
  return std::nullopt;
}

// A neighbor of u other than `except` with color c (one exists when called).
Index neighbor_with_color(const Pattern& pattern, const std::vector<Index>& color, Index u,
                          Index except, Index c) {
  for (Index k = pattern.row_begin(u); k < pattern.row_end(u); ++k) {
    const Index x = pattern.col_idx()(k);
    if (x != u && x != except && color[x] == c) return x;
  }
  return -1;
}

std::optional<Problem> check_star(const Pattern& pattern, const std::vector<Index>& color,
                                  Index num_colors) {
  const Index n = pattern.rows();
  const Index* row_ptr = pattern.row_ptr().data();
  const Index* col_idx = pattern.col_idx().data();
  // several[k]: row u of entry k has two or more neighbors colored like col_idx[k].
  std::vector<char> several(static_cast<std::size_t>(pattern.nnz()), 0);
  std::vector<Index> count(static_cast<std::size_t>(num_colors), 0);
  std::vector<Index> owner(static_cast<std::size_t>(num_colors), -1);
  for (Index u = 0; u < n; ++u) {
    for (Index k = row_ptr[u]; k < row_ptr[u + 1]; ++k) {
      const Index v = col_idx[k];
      if (v == u) continue;
      const Index c = color[v];
      if (owner[c] != u) {
        owner[c] = u;
        count[c] = 0;
      }
      ++count[c];
    }
    for (Index k = row_ptr[u]; k < row_ptr[u + 1]; ++k)
      if (col_idx[k] != u) several[k] = count[color[col_idx[k]]] >= 2;
  }
  for (Index u = 0; u < n; ++u)
    for (Index k = row_ptr[u]; k < row_ptr[u + 1]; ++k) {
      const Index v = col_idx[k];
      if (v <= u || !several[k]) continue;
      if (!several[pattern.find(v, u)]) continue;
      // u has another neighbor x colored like v, v another neighbor y colored like u.
      const Index x = neighbor_with_color(pattern, color, u, v, color[v]);
      const Index y = neighbor_with_color(pattern, color, v, u, color[u]);
      std::ostringstream out;
      out << "path " << x << " - " << u << " - " << v << " - " << y << " uses only colors "
          << std::min(color[u], color[v]) << " and " << std::max(color[u], color[v]);
      return Problem{false, out.str()};
    }
  return std::nullopt;
}

// The path from `from` to `to` along `edges` (which connect them), by BFS.
std::vector<Index> find_path(const std::vector<std::pair<Index, Index>>& edges, Index from,
                             Index to) {
  std::unordered_map<Index, std::vector<Index>> neighbors;
  for (const auto& [a, b] : edges) {
    neighbors[a].push_back(b);
    neighbors[b].push_back(a);
  }
  std::unordered_map<Index, Index> parent{{from, from}};
  std::queue<Index> queue;
  queue.push(from);
  while (!queue.empty() && parent.count(to) == 0) {
    const Index a = queue.front();
    queue.pop();
    for (const Index b : neighbors[a])
      if (parent.emplace(b, a).second) queue.push(b);
  }
  std::vector<Index> path{to};
  while (path.back() != from) path.push_back(parent.at(path.back()));
  return path;  // to ... from
}

std::optional<Problem> check_acyclic(const Pattern& pattern, const std::vector<Index>& color) {
  const Index n = pattern.rows();
  const Index* row_ptr = pattern.row_ptr().data();
  const Index* col_idx = pattern.col_idx().data();
  struct Edge {
    std::uint64_t colors;  // low color * 2^32 + high color
    Index u, v;
  };
  std::vector<Edge> edges;
  for (Index u = 0; u < n; ++u)
    for (Index k = row_ptr[u]; k < row_ptr[u + 1]; ++k) {
      const Index v = col_idx[k];
      if (v <= u) continue;
      const std::uint64_t lo = std::uint64_t(std::min(color[u], color[v]));
      const std::uint64_t hi = std::uint64_t(std::max(color[u], color[v]));
      edges.push_back(Edge{(lo << 32) | hi, u, v});
    }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return a.colors != b.colors ? a.colors < b.colors : (a.u != b.u ? a.u < b.u : a.v < b.v);
  });
  std::vector<Index> parent(static_cast<std::size_t>(n));
  for (Index v = 0; v < n; ++v) parent[v] = v;
  auto root = [&parent](Index v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  std::vector<Index> touched;
  for (std::size_t first = 0; first < edges.size();) {
    std::size_t last = first;
    while (last < edges.size() && edges[last].colors == edges[first].colors) ++last;
    for (std::size_t e = first; e < last; ++e) {
      const Index a = root(edges[e].u), b = root(edges[e].v);
      touched.push_back(edges[e].u);
      touched.push_back(edges[e].v);
      if (a != b) {
        parent[a] = b;
        continue;
      }
      std::vector<std::pair<Index, Index>> earlier;
      for (std::size_t f = first; f < e; ++f) earlier.emplace_back(edges[f].u, edges[f].v);
      const std::vector<Index> path = find_path(earlier, edges[e].u, edges[e].v);
      std::ostringstream out;
      out << "cycle " << edges[e].u;
      for (const Index v : path) out << " - " << v;
      out << " uses only colors " << (edges[e].colors >> 32) << " and "
          << (edges[e].colors & 0xffffffffu);
      return Problem{false, out.str()};
    }
    for (const Index v : touched) parent[v] = v;
    touched.clear();
    first = last;
  }
  return std::nullopt;
}

std::optional<Problem> find_problem(const Pattern& pattern, const SymmetricColoring& coloring) {
  if (auto problem = check_contract(pattern, coloring)) return problem;
  if (auto problem = check_distance1(pattern, coloring.colors)) return problem;
  if (coloring.kind == SymmetricColoringKind::star)
    return check_star(pattern, coloring.colors, coloring.num_colors);
  return check_acyclic(pattern, coloring.colors);
}

}  // namespace

bool is_valid(const Pattern& pattern, const SymmetricColoring& coloring) {
  require_symmetric(pattern, "is_valid");
  return !find_problem(pattern, coloring).has_value();
}

void verify(const Pattern& pattern, const SymmetricColoring& coloring) {
  require_symmetric(pattern, "verify");
  const auto problem = find_problem(pattern, coloring);
  if (!problem) return;
  const char* kind = coloring.kind == SymmetricColoringKind::star      ? "star coloring: "
                     : coloring.kind == SymmetricColoringKind::acyclic ? "acyclic coloring: "
                                                                       : "";
  const std::string message = kind + problem->message;
  if (problem->dimension) detail::raise<DimensionMismatch>("verify", message);
  detail::raise<InvalidColoring>("verify", message);
}

}  // namespace sparsediff
