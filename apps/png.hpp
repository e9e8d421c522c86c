#pragma once
// A minimal PNG encoder for the CLI's spy plots: 8-bit RGB, no interlace,
// the image data in a zlib stream of *stored* (uncompressed) deflate blocks,
// so that no compression library is needed. The chunks carry CRC-32 (the
// PNG/zlib polynomial 0xEDB88320) and the zlib stream an Adler-32, both
// computed here (PNG specification, 2nd ed., W3C 2003; RFC 1950, RFC 1951).
#include <cstdint>
#include <string>
#include <vector>

namespace sparsediff::cli {

/// An RGB image, row-major, 3 bytes per pixel.
struct RgbImage {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  // width * height * 3

  RgbImage(std::uint32_t w, std::uint32_t h, std::uint8_t fill)
      : width(w), height(h), pixels(std::size_t(w) * h * 3, fill) {}
  void set(std::uint32_t x, std::uint32_t y, const std::uint8_t rgb[3]) {
    std::uint8_t* p = &pixels[(std::size_t(y) * width + x) * 3];
    p[0] = rgb[0];
    p[1] = rgb[1];
    p[2] = rgb[2];
  }
};

/// The bytes of a PNG file holding `image` (width and height at least 1).
std::vector<std::uint8_t> encode_png(const RgbImage& image);

/// CRC-32 as PNG and zlib use it, over `size` bytes, continuing from `crc`
/// (pass 0 to start).
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

/// Adler-32 of `size` bytes (RFC 1950).
std::uint32_t adler32(const std::uint8_t* data, std::size_t size);

/// Writes `bytes` to `path`. @throws sparsediff::InvalidArgument when the
/// file cannot be opened, sparsediff::Error when writing fails.
void write_file(const std::string& path, const std::vector<std::uint8_t>& bytes);

}  // namespace sparsediff::cli
