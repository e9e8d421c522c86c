#pragma once
/// @file
/// The native coloring backend: greedy partial distance-2 coloring.
///
/// The greedy visits the columns in some order and gives each the smallest
/// color not already taken by a column sharing a row with it (Gebremedhin,
/// Manne, Pothen, SIAM Review 47(4) 2005, Algorithm 3.1 for partial
/// distance-2 coloring; Coleman & Moré, SIAM J. Numer. Anal. 20(1) 1983 for
/// the orderings). Colors taken by the neighbors are marked in a `forbidden`
/// array indexed by color and stamped with the current column, so nothing is
/// cleared between columns and no conflict graph is built: coloring costs
/// O(n + sum over rows of nnz_row^2), one walk of each row per column in it.
///
/// Orderings follow ColPack's definitions for partial distance-2 coloring,
/// with the distance-2 degree of a column (the number of other columns
/// sharing a row with it) as its degree. The degree-based orderings keep the
/// columns in bucket queues, so each costs the same O(n + sum nnz_row^2) as
/// the coloring. Natural, largest-first, smallest-last and incidence-degree
/// break ties by ColPack's rules (its bucket vectors: the vertex taken is the
/// last in its bucket, a removed vertex's slot is filled by the bucket's
/// last), so in order both backends give the same coloring; the tests check
/// it. Dynamic largest-first breaks ties by recency without reordering the
/// bucket (ColPack's slot swapping scatters that ordering over the whole
/// graph: on 10^6-column stencils it is 5 to 18 times slower and gives more
/// colors).
///
/// `GreedySelection::saturation` replaces the fixed order by DSATUR's
/// dynamic one (Brelaz, CACM 22(4) 1979): the next column is one whose
/// conflicting columns show the most distinct colors, ties going to the
/// column the ordering puts first (found through 64-ary bit trees over the
/// ordering's ranks, one per saturation value). `GreedySelection::best`
/// keeps the better of the two; it is what reaches the lower bound on the
/// 2-D 5- and 9-point stencils (see `GreedySelection`).
///
/// Row coloring is column coloring of the transpose; the transpose's
/// structure is built once by counting sort (O(m + n + nnz)).

#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Native greedy coloring (what `color` runs for `ColoringBackend::native`).
/// @param pattern the sparsity pattern (m x n)
/// @param options kind, ordering, seed and selection; `options.backend` is ignored
/// @throws InvalidArgument when an option holds a value outside its enum.
/// Complexity O(m + n + nnz + sum over rows of nnz_row^2) (column kind; the
/// sum runs over columns for the row kind), plus O(log_64 n) per increase of
/// a saturation for the saturation greedy.
Coloring greedy_coloring(const Pattern& pattern, const ColoringOptions& options = {});

/// The order in which the native greedy visits the columns (kind column) or
/// rows (kind row) for an ordering: a permutation of 0 .. n - 1 (m - 1).
/// @throws InvalidArgument when `ordering` or `kind` is outside its enum.
/// Complexity as `greedy_coloring`.
std::vector<Index> greedy_order(const Pattern& pattern, ColoringKind kind, Ordering ordering,
                                unsigned seed = 0);

}  // namespace sparsediff
