// Symmetric colorings: the adjacency graph of a symmetric pattern, its
// orderings and lower bound, dispatch to the native or ColPack backend, and
// the names of the kinds.
#include "sparsediff/coloring/symmetric.hpp"

#include <cstdint>
#include <string>

#include "sparsediff/coloring/acyclic.hpp"
#include "sparsediff/coloring/detail/symmetric_graph.hpp"
#include "sparsediff/coloring/star.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {
namespace detail {

namespace {

[[noreturn]] void raise_asymmetric(const char* function, Index i, Index j) {
  raise<InvalidArgument>(function, "the pattern is not symmetric: entry (" + std::to_string(i) +
                                       ", " + std::to_string(j) + ") is present but (" +
                                       std::to_string(j) + ", " + std::to_string(i) + ") is not");
}

}  // namespace

SymmetricGraph make_symmetric_graph(const Pattern& pattern, const char* function) {
  if (pattern.rows() != pattern.cols())
    raise<InvalidArgument>(function, "the pattern is " + std::to_string(pattern.rows()) + " x " +
                                         std::to_string(pattern.cols()) +
                                         ", a symmetric coloring needs a square one");
  SymmetricGraph g;
  const Index n = pattern.rows();
  const Index* row_ptr = pattern.row_ptr().data();
  const Index* col_idx = pattern.col_idx().data();
  g.num_vertices = n;
  g.ptr.assign(static_cast<std::size_t>(n) + 1, 0);
  for (Index i = 0; i < n; ++i) {
    Index degree = row_ptr[i + 1] - row_ptr[i];
    if (pattern.find(i, i) >= 0) --degree;
    g.ptr[i + 1] = g.ptr[i] + degree;
  }
  g.adj.resize(static_cast<std::size_t>(g.ptr[n]));
  g.edge.resize(g.adj.size());
  for (Index i = 0, out = 0; i < n; ++i)
    for (Index k = row_ptr[i]; k < row_ptr[i + 1]; ++k)
      if (col_idx[k] != i) g.adj[out++] = col_idx[k];

  // Rows are sorted, so the entries below the diagonal of row j come in the
  // increasing order in which the rows i < j are visited: a cursor per row
  // pairs each upper entry (i, j) with its mirror (j, i) and finds the first
  // entry without one.
  std::vector<Index> cursor(g.ptr.begin(), g.ptr.end() - 1);
  g.edge_ends.reserve(g.adj.size());
  for (Index i = 0; i < n; ++i) {
    if (cursor[i] < g.ptr[i + 1] && g.adj[cursor[i]] < i)
      raise_asymmetric(function, i, g.adj[cursor[i]]);
    for (Index k = g.ptr[i]; k < g.ptr[i + 1]; ++k) {
      const Index j = g.adj[k];
      if (j < i) continue;
      const Index c = cursor[j];
      if (c == g.ptr[j + 1] || g.adj[c] > i) raise_asymmetric(function, i, j);
      if (g.adj[c] < i) raise_asymmetric(function, j, g.adj[c]);
      g.edge[k] = g.edge[c] = g.num_edges++;
      ++cursor[j];
      g.edge_ends.push_back(i);
      g.edge_ends.push_back(j);
    }
  }
  g.edge_ptr.resize(static_cast<std::size_t>(g.num_edges) + 1);
  for (Index e = 0; e <= g.num_edges; ++e) g.edge_ptr[e] = 2 * e;
  return g;
}

std::vector<Index> symmetric_order(const SymmetricGraph& graph, Ordering ordering, unsigned seed) {
  SPARSEDIFF_REQUIRE(static_cast<int>(ordering) >= static_cast<int>(Ordering::natural) &&
                         static_cast<int>(ordering) <= static_cast<int>(Ordering::random),
                     InvalidArgument, "unknown ordering value " << static_cast<int>(ordering));
  return order_vertices(graph.as_bipartite(), ordering, seed);
}

Index symmetric_lower_bound(const SymmetricGraph& graph) {
  if (graph.num_vertices == 0) return 0;
  if (graph.num_edges == 0) return 1;
  std::int64_t touched = 0;
  for (Index v = 0; v < graph.num_vertices; ++v) touched += graph.ptr[v + 1] > graph.ptr[v];
  // k colors on `touched` vertices carry at most (k - 1) touched - k (k - 1) / 2
  // edges; k = touched always fits (the complete graph).
  const std::int64_t edges = graph.num_edges;
  std::int64_t k = 2;
  while ((k - 1) * touched - k * (k - 1) / 2 < edges) ++k;
  return static_cast<Index>(k);
}

}  // namespace detail

SymmetricColoring color_symmetric(const Pattern& pattern, const SymmetricColoringOptions& options) {
  SPARSEDIFF_REQUIRE(
      options.kind == SymmetricColoringKind::star || options.kind == SymmetricColoringKind::acyclic,
      InvalidArgument, "unknown symmetric coloring kind value " << static_cast<int>(options.kind));
  switch (options.backend) {
    case ColoringBackend::native:
      return options.kind == SymmetricColoringKind::star ? star_coloring(pattern, options)
                                                         : acyclic_coloring(pattern, options);
    case ColoringBackend::colpack:
      return colpack_symmetric_coloring(pattern, options);
  }
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown coloring backend value " << static_cast<int>(options.backend));
  return {};
}

Index symmetric_coloring_lower_bound(const Pattern& pattern) {
  return detail::symmetric_lower_bound(
      detail::make_symmetric_graph(pattern, "symmetric_coloring_lower_bound"));
}

std::string to_string(SymmetricColoringKind kind) {
  switch (kind) {
    case SymmetricColoringKind::star:
      return "star";
    case SymmetricColoringKind::acyclic:
      return "acyclic";
  }
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown symmetric coloring kind value " << static_cast<int>(kind));
  return {};
}

SymmetricColoringKind parse_symmetric_coloring_kind(const std::string& name) {
  if (name == "star") return SymmetricColoringKind::star;
  if (name == "acyclic") return SymmetricColoringKind::acyclic;
  SPARSEDIFF_REQUIRE(
      false, InvalidArgument,
      "unknown symmetric coloring kind \"" << name << "\" (expected star or acyclic)");
  return SymmetricColoringKind::star;
}

}  // namespace sparsediff
