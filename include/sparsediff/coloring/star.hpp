#pragma once
/// @file
/// Native star coloring of a symmetric pattern (Gebremedhin, Tarafdar, Manne,
/// Pothen, SIAM J. Sci. Comput. 29(3) 2007, Algorithm 4.1).
///
/// A greedy distance-1 coloring in a given vertex order that also keeps the
/// 2-colored stars built so far, each edge knowing its star and each star its
/// hub (the center, once the star has two edges). When vertex v is colored,
/// a color is forbidden when it would create a 2-colored path on four
/// vertices, and only two shapes can do so:
///
///  1. v has two colored neighbors q and w of one color: v becomes the hub of
///     their star, so no neighbor of q or w may share v's color (the path
///     x - q - v - w would use two colors); every color around q and w is
///     forbidden;
///  2. v has a colored neighbor w whose neighbor x is the hub of the star
///     holding edge {w, x}: that star has another leaf y of w's color, and
///     v colored like x would make v - w - x - y 2-colored; x's color is
///     forbidden.
///
/// v takes the smallest color left; then each edge {v, w} joins a star: the
/// one of an edge {w, x} with color(x) = color(v) (w becomes its hub), else
/// the one of an edge {v, q} with color(q) = color(w) (v becomes its hub),
/// else it starts a new star. Cost O(sum over v of the sum of the degrees of
/// v's neighbors), like a distance-2 coloring, and O(n + nnz) memory.

#include "sparsediff/coloring/symmetric.hpp"

namespace sparsediff {

/// Native star coloring (what `color_symmetric` runs for
/// `SymmetricColoringKind::star` with `ColoringBackend::native`).
/// @param pattern square, structurally symmetric (the diagonal is ignored)
/// @param options ordering and seed; `kind` and `backend` are ignored
/// @throws InvalidArgument for a pattern that is not square and symmetric, or
///         an ordering outside its enum.
SymmetricColoring star_coloring(const Pattern& pattern,
                                const SymmetricColoringOptions& options = {});

}  // namespace sparsediff
