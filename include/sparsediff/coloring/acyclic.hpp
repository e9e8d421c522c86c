#pragma once
/// @file
/// Native acyclic coloring of a symmetric pattern (Gebremedhin, Tarafdar,
/// Manne, Pothen, SIAM J. Sci. Comput. 29(3) 2007, Algorithms 3.1 and 3.2).
///
/// A greedy distance-1 coloring in a given vertex order that keeps the
/// 2-colored trees built so far as a disjoint-set forest over the edges (an
/// edge's set is the 2-colored tree holding it). When vertex v is colored,
/// a color c must be refused if v colored c would close a 2-colored cycle:
/// that happens exactly when v reaches one 2-colored tree of colors
/// {c, color(w)} through two different neighbors w. So for each colored
/// neighbor w of v and each neighbor x of w with a color not yet forbidden,
/// the tree of edge {w, x} is looked up and stamped with (v, w) on the first
/// visit; a second visit through another w forbids color(x).
///
/// v takes the smallest color left; then the trees are updated: edges from v
/// to neighbors of one color merge (v is the center of a new 2-colored
/// star), and each edge {v, w} merges with the trees of the edges {w, x} with
/// color(x) = color(v). Cost O(sum over v of the sum of the degrees of v's
/// neighbors) disjoint-set operations (union by rank, path compression:
/// nearly constant each), and O(n + nnz) memory.

#include "sparsediff/coloring/symmetric.hpp"

namespace sparsediff {

/// Native acyclic coloring (what `color_symmetric` runs for
/// `SymmetricColoringKind::acyclic` with `ColoringBackend::native`).
/// @param pattern square, structurally symmetric (the diagonal is ignored)
/// @param options ordering and seed; `kind` and `backend` are ignored
/// @throws InvalidArgument for a pattern that is not square and symmetric, or
///         an ordering outside its enum.
SymmetricColoring acyclic_coloring(const Pattern& pattern,
                                   const SymmetricColoringOptions& options = {});

}  // namespace sparsediff
