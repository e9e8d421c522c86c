#pragma once
/// @file
/// The bipartite graph the greedy colorings work on, seen from the side being
/// colored, as two compressed adjacency arrays over plain pointers.
///
/// For a column coloring the *vertices* are the columns and the *nets* are
/// the rows: `vertex_ptr/vertex_nets` is the CSC structure (rows of each
/// column) and `net_ptr/net_vertices` the CSR structure (columns of each
/// row). A row coloring swaps the two. Two vertices conflict when they share
/// a net; no graph of conflicts is ever built: walking the nets of a vertex
/// and the vertices of each net visits its distance-2 neighbors, with
/// repetitions, in O(sum over its nets of the net sizes).

#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/core/config.hpp"

namespace sparsediff {
namespace detail {

/// Non-owning view of the two adjacency arrays (see the file comment).
struct BipartiteView {
  Index num_vertices = 0;
  Index num_nets = 0;
  const Index* vertex_ptr = nullptr;    ///< num_vertices + 1 offsets into vertex_nets
  const Index* vertex_nets = nullptr;   ///< nets of each vertex
  const Index* net_ptr = nullptr;       ///< num_nets + 1 offsets into net_vertices
  const Index* net_vertices = nullptr;  ///< vertices of each net
};

/// Transposes a CSR structure (rows x cols) by counting sort: the result
/// lists, for each column, its rows in increasing order. O(rows + cols + nnz).
void transpose_structure(Index rows, Index cols, const Index* row_ptr, const Index* col_idx,
                         std::vector<Index>& t_ptr, std::vector<Index>& t_idx);

/// Number of distinct other vertices sharing a net with each vertex.
/// O(num_vertices + sum over nets of size^2).
std::vector<Index> distance2_degrees(const BipartiteView& graph);

/// The order in which the greedy visits the vertices (a permutation of
/// 0 .. num_vertices - 1) for one of the orderings; bucket queues keep every
/// ordering in O(num_vertices + sum over nets of size^2).
std::vector<Index> order_vertices(const BipartiteView& graph, Ordering ordering, unsigned seed);

/// A permutation of 0 .. n - 1 drawn from `seed` by a Fisher-Yates shuffle
/// over std::mt19937 (whose output the standard fixes), so the same seed
/// gives the same permutation on every platform.
std::vector<Index> random_permutation(Index n, unsigned seed);

/// Greedy partial distance-2 coloring in the given order: each vertex takes
/// the smallest color no vertex sharing a net with it has. `colors` gets one
/// entry per vertex; returns the number of colors (contiguous from 0).
Index greedy_color(const BipartiteView& graph, const std::vector<Index>& order,
                   std::vector<Index>& colors);

/// Saturation greedy (DSATUR, Brelaz 1979, on the distance-2 graph): the
/// next vertex is one whose neighbors show the most distinct colors, ties
/// going to the vertex earliest in `order`; it takes the smallest color free
/// for it. Returns the number of colors (contiguous from 0).
/// O(n + sum over nets of size^2 + (number of saturation increases) log_64 n).
Index saturation_color(const BipartiteView& graph, const std::vector<Index>& order,
                       std::vector<Index>& colors);

}  // namespace detail
}  // namespace sparsediff
