#pragma once
// What both ColPack adapters (colpack.cpp, colpack_symmetric.cpp) hand to
// ColPack: the pattern in ADOL-C's row-compressed format, and OpenMP held at
// one thread while it runs (Debian's ColPack is built with OpenMP, and its
// multi-threaded colorings are non-deterministic and worse).
#include <vector>

#include "sparsediff/sparse/pattern.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace sparsediff::detail {

/// Holds OpenMP at one thread while ColPack runs and restores the caller's
/// setting on every way out.
class SingleThreadScope {
 public:
#ifdef _OPENMP
  SingleThreadScope() : previous_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~SingleThreadScope() { omp_set_num_threads(previous_); }
#else
  SingleThreadScope() = default;
#endif
  SingleThreadScope(const SingleThreadScope&) = delete;
  SingleThreadScope& operator=(const SingleThreadScope&) = delete;

 private:
#ifdef _OPENMP
  int previous_;
#endif
};

/// ADOL-C row-compressed copy of a pattern (row i: its count, then its
/// columns), in one buffer owned here (ColPack copies it and never frees it).
class RowCompressed {
 public:
  explicit RowCompressed(const Pattern& pattern)
      : buffer_(static_cast<std::size_t>(pattern.rows()) + static_cast<std::size_t>(pattern.nnz())),
        rows_(static_cast<std::size_t>(pattern.rows())) {
    const Index* row_ptr = pattern.row_ptr().data();
    const Index* col_idx = pattern.col_idx().data();
    std::size_t out = 0;
    for (Index i = 0; i < pattern.rows(); ++i) {
      rows_[i] = buffer_.data() + out;
      buffer_[out++] = static_cast<unsigned int>(row_ptr[i + 1] - row_ptr[i]);
      for (Index k = row_ptr[i]; k < row_ptr[i + 1]; ++k)
        buffer_[out++] = static_cast<unsigned int>(col_idx[k]);
    }
  }
  unsigned int** data() { return rows_.data(); }

 private:
  std::vector<unsigned int> buffer_;
  std::vector<unsigned int*> rows_;
};

}  // namespace sparsediff::detail
