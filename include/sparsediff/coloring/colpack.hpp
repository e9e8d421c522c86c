#pragma once
/// @file
/// The ColPack coloring backend (Gebremedhin, Tarafdar, Pothen, Walther,
/// "Efficient computation of sparse Hessians using coloring and automatic
/// differentiation", INFORMS J. Computing 21(2), 2009; the library at
/// https://github.com/CSCsw/ColPack).
///
/// The pattern is handed to ColPack's BipartiteGraphPartialColoringInterface
/// in the ADOL-C row-compressed format, ordered with the ColPack ordering
/// that matches `Ordering` and colored with COLUMN_PARTIAL_DISTANCE_TWO or
/// ROW_PARTIAL_DISTANCE_TWO. The adapter (src/coloring/colpack.cpp) is the
/// only place ColPack's headers are included.
///
/// Two deviations from calling ColPack's string interface, both for
/// reproducibility: ColPack's parallel coloring (the default when it is built
/// with OpenMP, as Debian's is) gives different colorings from run to run and
/// more colors with more threads, so the adapter runs ColPack's serial greedy
/// (the same first-fit greedy, in the same order) with OpenMP held at one
/// thread; and ColPack's RANDOM ordering seeds rand() with the time, so for
/// `Ordering::random` the adapter hands ColPack the permutation drawn from
/// `ColoringOptions::seed` (the one the native backend uses). ColPack's
/// string dispatch does not know DYNAMIC_LARGEST_FIRST; the adapter calls
/// ColPack's orderings directly. ColPack 1.0.10's LARGEST_FIRST drops
/// vertices on some patterns (it updates the smallest degree only when a
/// degree is not a new maximum: column degrees 1, 2, 3, 2 lose the first
/// column); the adapter then hands ColPack the order it intends, decreasing
/// degree with ties by index, which is the native largest-first order.

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Colors with ColPack (what `color` runs for `ColoringBackend::colpack`).
/// Colors are renumbered 0-based and contiguous. Patterns without entries
/// are colored without calling ColPack (every column gets color 0).
/// @param pattern the sparsity pattern (m x n)
/// @param options kind, ordering and seed; `options.backend` is ignored
/// @throws InvalidArgument when an option holds a value outside its enum.
/// @throws NotSupported for `GreedySelection::saturation` (ColPack colors in
///         order only; `best` is taken as `in_order`), or when ColPack reports a
///         failure or returns an ordering that is not a permutation.
/// Complexity: ColPack's, O(m + n + sum over rows of nnz_row^2) for the
/// column kind, plus O(m + nnz) to build its input.
Coloring colpack_coloring(const Pattern& pattern, const ColoringOptions& options = {});

}  // namespace sparsediff
