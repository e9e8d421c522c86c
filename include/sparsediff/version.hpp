#pragma once
/// @file
/// Library version.
#define SPARSEDIFF_VERSION_STRING "0.1.0"

namespace sparsediff {
/// The version of the compiled library ("major.minor.patch").
const char* version();
}  // namespace sparsediff
