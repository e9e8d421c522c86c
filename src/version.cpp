#include "sparsediff/version.hpp"

namespace sparsediff {
const char* version() { return SPARSEDIFF_VERSION_STRING; }
}  // namespace sparsediff
