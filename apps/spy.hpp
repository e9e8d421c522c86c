#pragma once
// Spy plots for the CLI: one pixel block per entry of a small pattern, or
// one pixel per block of entries of a large one, black on white, or tinted
// by the color class of the entry's column (row) when a coloring is given.
#include <cstdint>

#include "png.hpp"
#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff::cli {

/// Renders `pattern` into an image at most `size` pixels wide and high: a
/// pattern with at most `size` rows and columns gets floor(size / max(m, n))
/// pixels per entry; a larger one is downsampled, ceil(max(m, n) / size)
/// entries per pixel, a pixel taking the tint of the last entry drawn in it
/// (row by row). With `coloring`, an entry is tinted by the color of its
/// column (kind column) or row (kind row); otherwise it is black.
/// An empty pattern (0 rows or columns) gives a 1 x 1 white image.
RgbImage render_spy(const Pattern& pattern, const Coloring* coloring, std::uint32_t size);

/// Tint of color class `c`: hues spaced by the golden angle, so that
/// neighbouring classes differ strongly and no two of the first few hundred
/// coincide.
void class_tint(Index c, std::uint8_t rgb[3]);

}  // namespace sparsediff::cli
