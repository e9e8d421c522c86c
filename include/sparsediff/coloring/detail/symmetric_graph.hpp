#pragma once
/// @file
/// The adjacency graph of a symmetric pattern, as the star and acyclic
/// colorings walk it: compressed neighbor lists without the diagonal, each
/// entry carrying the id of its undirected edge (both directions of an edge
/// share the id, so per-edge data — a star, a tree — is stored once).
///
/// The same arrays also form a bipartite view in which the *nets* are the
/// edges (two vertices each): two vertices share a net exactly when they are
/// adjacent, so the orderings of the column coloring (detail::order_vertices,
/// written for distance-2 degrees) give the distance-1 orderings of the
/// graph without a line of ordering code of their own.

#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/coloring/detail/bipartite.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff::detail {

/// Adjacency graph of a symmetric pattern (see the file comment).
struct SymmetricGraph {
  Index num_vertices = 0;
  Index num_edges = 0;
  std::vector<Index> ptr;        ///< num_vertices + 1 offsets into adj and edge
  std::vector<Index> adj;        ///< neighbors of each vertex, increasing
  std::vector<Index> edge;       ///< edge id of each entry of adj
  std::vector<Index> edge_ptr;   ///< 0, 2, 4, ...: the nets of the bipartite view
  std::vector<Index> edge_ends;  ///< the two ends of each edge, lower first

  /// The bipartite view whose nets are the edges (valid while *this lives).
  BipartiteView as_bipartite() const {
    return {num_vertices, num_edges, ptr.data(), edge.data(), edge_ptr.data(), edge_ends.data()};
  }
};

/// Builds the adjacency graph of `pattern`, dropping the diagonal.
/// @param function named in the error messages
/// @throws InvalidArgument when the pattern is not square, or not symmetric
///         (naming an entry whose mirror is missing). O(n + nnz).
SymmetricGraph make_symmetric_graph(const Pattern& pattern, const char* function);

/// The greedy's vertex order for `ordering` on the graph (distance-1 degrees).
/// @throws InvalidArgument when `ordering` is outside its enum.
std::vector<Index> symmetric_order(const SymmetricGraph& graph, Ordering ordering, unsigned seed);

/// Lower bound on the colors of any star or acyclic coloring of the graph
/// (see SymmetricColoring::lower_bound). O(n).
Index symmetric_lower_bound(const SymmetricGraph& graph);

}  // namespace sparsediff::detail
