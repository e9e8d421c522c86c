#pragma once
/// @file
/// `Seed`: the symbolic part of compressed Jacobian evaluation.
///
/// A column coloring partitions the columns of J into groups whose columns
/// share no row. Evaluating f with dual inputs whose tangent lane c is 1 for
/// the columns of color c gives the compressed product B = J S (m x colors):
/// B(i, c) is the one entry of row i in a column of color c. Colors are
/// processed in chunks of W lanes (W in {1, 2, 4, 6, 8, 12, 16}, chosen from the
/// number of colors), so a chunk is one evaluation with `Dual<double, W>`.
///
/// Recovery is a gather: nonzero k of J (row i, column j) reads
/// B(i, color(j)). The seed precomputes that gather map once per pattern
/// (`compressed_index[k] = color(col_idx[k])`, as SparseMatrixColorings.jl
/// does), so the numeric phase does no lookups.

#include <algorithm>
#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Lane widths compiled for compressed evaluation.
inline constexpr int max_lane_width = 16;

/// The smallest compiled lane width >= colors (16 when colors exceed 16).
/// 6 and 12 are compiled besides the powers of two because the stencils'
/// colorings need 5-6 and 10-12 colors: every idle lane costs as much as a
/// used one in the dual arithmetic.
inline int lane_width_for(Index colors) {
  for (int w : {1, 2, 4, 6, 8, 12}) {
    if (colors <= w) return w;
  }
  return max_lane_width;
}

/// True for 0 (automatic) and the compiled lane widths.
inline bool is_lane_width(int width) {
  for (int w : {0, 1, 2, 4, 6, 8, 12, 16})
    if (width == w) return true;
  return false;
}

/// Seed matrix S and recovery map of a column coloring of a pattern.
struct Seed {
  /// Color of each column (n entries), 0-based.
  Kokkos::View<const Index*, HostMemorySpace> color;
  /// compressed_index[k] = color of the column of nonzero k (nnz entries).
  Kokkos::View<const Index*, HostMemorySpace> compressed_index;
  Index num_colors = 0;
  /// Dual lanes per evaluation.
  int lane_width = 1;
  /// Evaluations per Jacobian: ceil(num_colors / lane_width).
  Index num_chunks = 0;

  Seed() = default;

  /// Builds the seed of `colors` (one per column of `pattern`), with
  /// `lane_width` lanes per evaluation (0: chosen by `lane_width_for`).
  /// @throws DimensionMismatch when colors.size() != pattern.cols().
  /// @throws InvalidArgument when a color is negative or the width is not
  ///         one of 0, 1, 2, 4, 6, 8, 12, 16.
  Seed(const Pattern& pattern, const std::vector<Index>& colors, int width = 0) {
    SPARSEDIFF_REQUIRE(is_lane_width(width), InvalidArgument,
                       "lane width " << width << " is not 0, 1, 2, 4, 6, 8, 12 or 16");
    SPARSEDIFF_REQUIRE(colors.size() == static_cast<std::size_t>(pattern.cols()), DimensionMismatch,
                       colors.size() << " colors for " << pattern.cols() << " columns");
    Index max_color = -1;
    for (std::size_t j = 0; j < colors.size(); ++j) {
      SPARSEDIFF_REQUIRE(colors[j] >= 0, InvalidArgument,
                         "column " << j << " has negative color " << colors[j]);
      max_color = std::max(max_color, colors[j]);
    }
    num_colors = max_color + 1;
    lane_width = width == 0 ? lane_width_for(num_colors) : width;
    num_chunks = (num_colors + lane_width - 1) / lane_width;

    Kokkos::View<Index*, HostMemorySpace> c(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("sparsediff::Seed::color")),
        colors.size());
    for (std::size_t j = 0; j < colors.size(); ++j) c(j) = colors[j];
    Kokkos::View<Index*, HostMemorySpace> gather(
        Kokkos::view_alloc(Kokkos::WithoutInitializing,
                           std::string("sparsediff::Seed::compressed_index")),
        static_cast<std::size_t>(pattern.nnz()));
    const auto idx = pattern.col_idx();
    for (Index k = 0; k < pattern.nnz(); ++k) gather(k) = c(idx(k));
    color = c;
    compressed_index = gather;
  }
};

}  // namespace sparsediff
