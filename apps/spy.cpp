// Spy plot rendering (see spy.hpp).
#include "spy.hpp"

#include <algorithm>
#include <cmath>

namespace sparsediff::cli {

void class_tint(Index c, std::uint8_t rgb[3]) {
  // HSV with the hue stepped by the golden angle, saturation and value high
  // enough to stand out on white.
  const double hue = std::fmod(137.50776405 * double(c), 360.0) / 60.0;
  const double saturation = 0.85, value = 0.85;
  const double chroma = value * saturation;
  const double x = chroma * (1.0 - std::fabs(std::fmod(hue, 2.0) - 1.0));
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(hue)) {
    case 0:
      r = chroma, g = x;
      break;
    case 1:
      r = x, g = chroma;
      break;
    case 2:
      g = chroma, b = x;
      break;
    case 3:
      g = x, b = chroma;
      break;
    case 4:
      r = x, b = chroma;
      break;
    default:
      r = chroma, b = x;
      break;
  }
  const double m = value - chroma;
  rgb[0] = static_cast<std::uint8_t>(std::lround(255.0 * (r + m)));
  rgb[1] = static_cast<std::uint8_t>(std::lround(255.0 * (g + m)));
  rgb[2] = static_cast<std::uint8_t>(std::lround(255.0 * (b + m)));
}

RgbImage render_spy(const Pattern& pattern, const Coloring* coloring, std::uint32_t size) {
  const Index m = pattern.rows(), n = pattern.cols();
  if (m == 0 || n == 0) return RgbImage(1, 1, 255);
  const std::uint32_t extent = static_cast<std::uint32_t>(std::max(m, n));
  // Either `block` pixels per entry or `per_pixel` entries per pixel.
  const std::uint32_t block = extent <= size ? size / extent : 1;
  const std::uint32_t per_pixel = extent <= size ? 1 : (extent + size - 1) / size;
  const auto pixels = [&](Index count) {
    return per_pixel == 1 ? static_cast<std::uint32_t>(count) * block
                          : (static_cast<std::uint32_t>(count) + per_pixel - 1) / per_pixel;
  };
  RgbImage image(pixels(n), pixels(m), 255);
  const std::uint8_t black[3] = {0, 0, 0};
  std::uint8_t tint[3];
  for (Index i = 0; i < m; ++i) {
    for (Index k = pattern.row_begin(i); k < pattern.row_end(i); ++k) {
      const Index j = pattern.col_idx()(k);
      const std::uint8_t* rgb = black;
      if (coloring != nullptr) {
        class_tint(coloring->colors[coloring->kind == ColoringKind::column ? j : i], tint);
        rgb = tint;
      }
      const std::uint32_t x0 = static_cast<std::uint32_t>(j) / per_pixel * block;
      const std::uint32_t y0 = static_cast<std::uint32_t>(i) / per_pixel * block;
      for (std::uint32_t dy = 0; dy < block; ++dy)
        for (std::uint32_t dx = 0; dx < block; ++dx) image.set(x0 + dx, y0 + dy, rgb);
    }
  }
  return image;
}

}  // namespace sparsediff::cli
