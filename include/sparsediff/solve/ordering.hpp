#pragma once
/// @file
/// Fill-reducing orderings for sparse direct factorizations.
///
/// Eliminating the unknowns of a sparse matrix in a bad order fills the
/// factors with entries that were zero in A (an "arrow" matrix whose dense
/// row and column come first fills completely; the same matrix with them last
/// does not fill at all). A fill-reducing ordering permutes the matrix before
/// factorization so that the factors stay sparse. Which algorithm fits depends
/// on the factorization:
///
/// - symmetric (Cholesky, or LU with diagonal pivoting): a symmetric
///   permutation P A P^T from the graph of A + A^T, by approximate minimum
///   degree (AMD: Amestoy, Davis & Duff, SIAM J. Matrix Anal. Appl. 17(4),
///   1996; 25(3), 2004 Algorithm 837) or by nested dissection (METIS: Karypis &
///   Kumar, SIAM J. Sci. Comput. 20(1), 1998), better for large 2-D/3-D meshes;
/// - unsymmetric (LU with row partial pivoting): a column permutation A Q
///   from the column intersection graph A^T A, which bounds the fill for any
///   row pivoting (COLAMD: Davis, Gilbert, Larimore & Ng, ACM TOMS 30(3),
///   2004, Algorithm 836).
///
/// `LinearSolver` (linear_solver.hpp) hands the choice to CHOLMOD or UMFPACK,
/// which run these same algorithms internally with their own refinements
/// (post-ordering of the elimination tree, dense-row handling). The free
/// function `fill_reducing_ordering` exposes the orderings themselves, for
/// inspection, for tools and for factorizations done elsewhere.

#include <string>
#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// The fill-reducing ordering a factorization uses.
enum class FillOrdering {
  /// The solver's own choice: CHOLMOD tries AMD and falls back to METIS when
  /// AMD fills a lot; UMFPACK picks AMD (symmetric strategy) or COLAMD
  /// (unsymmetric strategy) from the pattern's symmetry and diagonal.
  automatic,
  /// Approximate minimum degree on A + A^T (symmetric permutation).
  amd,
  /// Column approximate minimum degree on A^T A (column permutation; LU only).
  colamd,
  /// METIS nested dissection on A + A^T (symmetric permutation).
  metis,
  /// No permutation: eliminate in the given order.
  natural,
};

/// "automatic", "amd", "colamd", "metis" or "natural".
std::string to_string(FillOrdering ordering);

/// A fill-reducing permutation of the columns of `pattern`, computed by the
/// SuiteSparse library that implements `ordering` (AMD, COLAMD, or METIS
/// through CHOLMOD).
///
/// The result `perm` lists the columns in elimination order: `perm[k]` is the
/// column eliminated k-th (for symmetric orderings, also the row). Under
/// `automatic`, a square pattern with a symmetric structure gets AMD, any other
/// pattern COLAMD.
///
/// @param pattern the structure of A (rows x cols); AMD and METIS read
///        A + A^T and need a square pattern, COLAMD and natural take any shape.
/// @param ordering the algorithm.
/// @return a permutation of 0 .. pattern.cols() - 1.
/// @throws DimensionMismatch when `ordering` is amd or metis and the pattern
///         is not square.
/// @throws SolverError when the ordering library reports a failure (out of
///         memory), with its status.
/// Complexity: AMD and COLAMD run in about O(nnz(A + A^T)) and O(nnz(A))
/// in practice (no useful bound is known); METIS in O(nnz log n).
std::vector<Index> fill_reducing_ordering(const Pattern& pattern,
                                          FillOrdering ordering = FillOrdering::automatic);

}  // namespace sparsediff
