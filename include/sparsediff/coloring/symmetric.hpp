#pragma once
/// @file
/// Symmetric colorings: which columns of a sparse *Hessian* may be evaluated
/// together.
///
/// A column coloring (coloring/coloring.hpp) of H ignores symmetry: every
/// entry H(i, j) must be read from row i of B = H S, so two columns sharing a
/// row must differ. Because H(i, j) = H(j, i), each off-diagonal entry only
/// has to be found *once*, at (i, color(j)) or at (j, color(i)), which needs
/// fewer colors. Seen on the adjacency graph of H (vertex j per column, edge
/// {i, j} per off-diagonal nonzero, the diagonal ignored) the two classic
/// requirements are (Gebremedhin, Manne, Pothen, "What color is your
/// Jacobian?", SIAM Review 47(4) 2005, sections 4 and 5):
///
///  - star coloring (direct recovery): a distance-1 coloring in which every
///    path on four vertices uses at least three colors, i.e. every two color
///    classes induce a forest of stars. In a 2-colored star every edge has an
///    end (a leaf, or either end of a lone edge) whose row holds it alone
///    among its color, so each H(i, j) is *read* from B;
///  - acyclic coloring (substitution recovery): a distance-1 coloring in which
///    every cycle uses at least three colors, i.e. every two color classes
///    induce a forest. Entries are *solved for* along each 2-colored tree,
///    from its leaves inward; fewer colors, at the price of an order of
///    evaluation and some rounding propagation.
///
/// Both are greedy colorings in a vertex order (the `Ordering` values of
/// column coloring, applied to the degrees of the adjacency graph). The native
/// algorithms follow Gebremedhin, Tarafdar, Manne, Pothen, "New acyclic and
/// star coloring algorithms with application to computing Hessians", SIAM J.
/// Sci. Comput. 29(3), 2007: Algorithm 4.1 (star coloring that keeps the
/// 2-colored stars and their hubs, coloring/star.hpp) and Algorithms 3.1/3.2
/// (acyclic coloring that keeps the 2-colored trees in a disjoint-set forest,
/// coloring/acyclic.hpp). ColPack's GraphColoringInterface ("STAR",
/// "ACYCLIC") is the other backend.
///
/// The result is colors only: the recovery (hessian/recover.hpp) recomputes
/// what it needs (which end of each edge to read, the 2-colored trees) from
/// the pattern and the colors, so a coloring from either backend, or one
/// written by hand and checked with `verify`, serves.

#include <string>
#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Which symmetric coloring.
enum class SymmetricColoringKind {
  star,    ///< every path on 4 vertices uses >= 3 colors: direct recovery
  acyclic  ///< every cycle uses >= 3 colors: recovery by substitution
};

/// What to compute and how.
struct SymmetricColoringOptions {
  SymmetricColoringKind kind = SymmetricColoringKind::star;
  /// Vertex order of the greedy; degrees are those of the adjacency graph
  /// (number of off-diagonal entries in a row), as in ColPack's graph
  /// orderings.
  Ordering ordering = Ordering::smallest_last;
  ColoringBackend backend = ColoringBackend::native;
  /// Seed of the permutation for `Ordering::random` (ignored otherwise); the
  /// same seed gives the same order with either backend.
  unsigned seed = 0;
};

/// A star or acyclic coloring of the columns (= rows) of a symmetric pattern.
struct SymmetricColoring {
  SymmetricColoringKind kind = SymmetricColoringKind::star;
  /// Color of each column, 0-based and contiguous: every color in
  /// 0 .. num_colors - 1 is used.
  std::vector<Index> colors;
  Index num_colors = 0;
  /// A number of colors no valid coloring of this kind can go below, from
  /// counting edges: two color classes of sizes a and b carry a forest (of
  /// stars, for the star kind) on their a + b vertices, hence at most
  /// a + b - 1 edges, so k colors on the n' vertices that have an
  /// off-diagonal entry carry at most (k - 1) n' - k (k - 1) / 2 edges. The
  /// smallest k that fits the pattern's edge count is the bound (1 for a
  /// diagonal pattern, 0 for an empty one). Note that the largest row count,
  /// the bound of column coloring, is not a bound here: an arrowhead has rows
  /// of n entries and a star coloring with 2 colors.
  Index lower_bound = 0;
  /// Wall time of ordering + coloring (not verification), seconds.
  double seconds = 0;
  Ordering ordering = Ordering::smallest_last;
  ColoringBackend backend = ColoringBackend::native;
};

/// Star or acyclic coloring of a symmetric pattern (the sparsity pattern of a
/// Hessian), with the backend and ordering of `options`.
///
/// @param pattern square, structurally symmetric pattern; the diagonal is
///        ignored (it never conflicts: H(j, j) is B(j, color(j)) whatever the
///        coloring).
/// @param options kind, ordering, backend, seed.
/// @return a valid coloring with contiguous colors (the tests check every
///         result with the independent `verify`; call it to check).
/// @throws InvalidArgument when the pattern is not square, or not symmetric
///         (naming an entry (i, j) whose mirror (j, i) is missing), or when an
///         option holds a value outside its enum.
/// @throws NotSupported when ColPack fails.
/// Complexity (native): O(n + nnz + sum over vertices v of the sum of the
/// degrees of v's neighbors), with near-constant disjoint-set operations for
/// the acyclic kind; memory O(n + nnz).
SymmetricColoring color_symmetric(const Pattern& pattern,
                                  const SymmetricColoringOptions& options = {});

/// ColPack's star or acyclic coloring (what `color_symmetric` runs for
/// `ColoringBackend::colpack`): GraphColoringInterface with the ordering of
/// `options` and "STAR" or "ACYCLIC", OpenMP held at one thread. Colors are
/// renumbered 0-based and contiguous. For `Ordering::random` ColPack colors in
/// the permutation drawn from `options.seed` (the native one); patterns
/// without off-diagonal entries are colored without calling ColPack.
/// @throws as color_symmetric; NotSupported when ColPack reports a failure,
///         leaves a vertex uncolored or returns an order that is not a
///         permutation.
SymmetricColoring colpack_symmetric_coloring(const Pattern& pattern,
                                             const SymmetricColoringOptions& options = {});

/// The lower bound stored in `SymmetricColoring::lower_bound` (see there).
/// @throws InvalidArgument as color_symmetric for a pattern that is not
///         square and symmetric. O(n + nnz).
Index symmetric_coloring_lower_bound(const Pattern& pattern);

/// True when `coloring` is a valid coloring of its kind for `pattern` (see
/// `verify`). Never throws for a bad coloring.
/// @throws InvalidArgument when the pattern is not square and symmetric.
bool is_valid(const Pattern& pattern, const SymmetricColoring& coloring);

/// Checks a symmetric coloring, independently of the coloring algorithms.
///
/// Star: adjacent vertices differ, and no path on four vertices is colored
/// with two colors. Acyclic: adjacent vertices differ, and for every pair of
/// colors the subgraph they induce is a forest (union-find over its edges).
/// Also checked: one color per column, colors in [0, num_colors), every color
/// used.
/// @throws DimensionMismatch when there is not one color per column.
/// @throws InvalidColoring naming the first problem found: a color out of
///         range or unused, two adjacent vertices with one color ("vertices 3
///         and 8 are adjacent and both have color 2"), a 2-colored path
///         ("path 4 - 1 - 7 - 2 uses only colors 0 and 3") or a 2-colored
///         cycle ("cycle 0 - 1 - 5 - 4 - 0 uses only colors 0 and 1").
/// @throws InvalidArgument when the pattern is not square and symmetric.
/// Complexity: star O(n + nnz + num_colors); acyclic O(n + nnz log nnz).
void verify(const Pattern& pattern, const SymmetricColoring& coloring);

/// "star" or "acyclic".
std::string to_string(SymmetricColoringKind kind);

/// Parses "star" or "acyclic". @throws InvalidArgument otherwise.
SymmetricColoringKind parse_symmetric_coloring_kind(const std::string& name);

}  // namespace sparsediff
