#pragma once
/// @file
/// Independent check of a coloring.
///
/// The check shares no code with the coloring algorithms: for a column
/// coloring it walks each row of the pattern once with a table "which column
/// of this row took color c", so two columns of one row with one color are
/// found in O(nnz + m + colors) time; row colorings are checked the same way
/// on the columns of the transpose (built with `Pattern::transpose`, not with
/// the coloring code's own adjacency). Besides conflicts it checks the
/// contract of `Coloring`: one color per column (row), colors in
/// [0, num_colors), every color used.

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// True when `coloring` is a valid coloring of `pattern` (see `verify`).
/// Never throws for a bad coloring. O(nnz + m + n + num_colors).
bool is_valid(const Pattern& pattern, const Coloring& coloring);

/// Checks `coloring` against `pattern`.
/// @throws DimensionMismatch when there is not one color per column (row).
/// @throws InvalidColoring naming the first problem found: a color outside
///         [0, num_colors) ("column 4 has color 7, outside [0, 5)"), an unused
///         color, or a conflict naming the two columns (rows), their color
///         and the row (column) they share ("columns 3 and 8 both have color
///         2 and share row 5").
/// Complexity O(nnz + m + n + num_colors).
void verify(const Pattern& pattern, const Coloring& coloring);

}  // namespace sparsediff
