#pragma once
/// @file
/// COO support of the differentiable operations: a COO matrix is its CSR sum
/// (duplicates add), so the forward rules run on the CSR matrix and the
/// gradient of every triplet is the gradient of the CSR entry it lands on
/// (`CooMatrix::positions_in`): each duplicate receives the gradient of the
/// summed entry, and tangents of the triplets add into their entry.

#include <cstddef>
#include <vector>

#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/coo.hpp"

namespace sparsediff::detail {

/// A COO matrix's CSR pattern and the CSR position of each triplet.
struct TripletMap {
  Pattern pattern;
  std::vector<Index> position;

  template <class T>
  explicit TripletMap(const CooMatrix<T>& a)
      : pattern(a.pattern()), position(a.positions_in(pattern)) {}

  /// Per-triplet gradient from the gradient of the CSR values.
  std::vector<double> gather(const std::vector<double>& csr_bar) const {
    std::vector<double> out(position.size());
    for (std::size_t t = 0; t < position.size(); ++t) out[t] = csr_bar[std::size_t(position[t])];
    return out;
  }

  /// CSR tangent from per-triplet tangents (duplicates add); empty stays empty.
  std::vector<double> scatter(const char* function,
                              const std::vector<double>& triplet_values) const {
    if (triplet_values.empty()) return {};
    if (triplet_values.size() != position.size())
      raise<DimensionMismatch>(function, "dA has " + std::to_string(triplet_values.size()) +
                                             " values, expected one per triplet (" +
                                             std::to_string(position.size()) + ")");
    std::vector<double> out(std::size_t(pattern.nnz()), 0.0);
    for (std::size_t t = 0; t < position.size(); ++t)
      out[std::size_t(position[t])] += triplet_values[t];
    return out;
  }

  /// The CSR matrix of a COO matrix's values (duplicates add).
  template <class T>
  CsrMatrix<T> sum(const CooMatrix<T>& a) const {
    std::vector<T> values(std::size_t(pattern.nnz()), T(0.0));
    const auto& v = a.values();
    for (std::size_t t = 0; t < position.size(); ++t) values[std::size_t(position[t])] += v[t];
    return CsrMatrix<T>(pattern, values);
  }
};

}  // namespace sparsediff::detail
