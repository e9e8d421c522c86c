#pragma once
// Patterns the coloring tests run on, and a brute-force reference check of a
// coloring that shares no code with the library (dense pairwise comparison).
#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff::testing {

struct NamedPattern {
  std::string name;
  Pattern pattern;
};

/// Each entry present with probability `density`.
inline Pattern random_pattern(Index m, Index n, double density, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<char> mask(static_cast<std::size_t>(m) * static_cast<std::size_t>(n), 0);
  for (auto& x : mask) x = u(rng) < density ? 1 : 0;
  return Pattern::from_dense_mask(m, n, mask);
}

/// Entries (i, j) with -lower <= j - i <= upper.
inline Pattern banded(Index n, Index lower, Index upper) {
  std::vector<Index> r, c;
  for (Index i = 0; i < n; ++i)
    for (Index j = std::max<Index>(0, i - lower); j <= std::min<Index>(n - 1, i + upper); ++j) {
      r.push_back(i);
      c.push_back(j);
    }
  return Pattern::from_coo(n, n, r, c);
}

/// Diagonal plus a dense first row and a dense first column.
inline Pattern arrowhead(Index n) {
  std::vector<Index> r, c;
  for (Index i = 0; i < n; ++i) {
    r.insert(r.end(), {i, 0, i});
    c.insert(c.end(), {i, i, 0});
  }
  return Pattern::from_coo(n, n, r, c);
}

/// The Jacobian pattern of a 5-point (or 9-point) stencil on an N x N grid
/// with Dirichlet boundary, unknown k = x + N y.
inline Pattern stencil_2d(Index N, bool nine_point) {
  std::vector<Index> r, c;
  for (Index y = 0; y < N; ++y)
    for (Index x = 0; x < N; ++x)
      for (Index dy = -1; dy <= 1; ++dy)
        for (Index dx = -1; dx <= 1; ++dx) {
          if (!nine_point && dx != 0 && dy != 0) continue;
          const Index xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= N || yy >= N) continue;
          r.push_back(x + N * y);
          c.push_back(xx + N * yy);
        }
  return Pattern::from_coo(N * N, N * N, r, c);
}

/// 7-point stencil on an N x N x N grid, k = x + N (y + N z).
inline Pattern stencil_3d(Index N) {
  std::vector<Index> r, c;
  const Index offsets[7][3] = {{0, 0, 0},  {1, 0, 0}, {-1, 0, 0}, {0, 1, 0},
                               {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  for (Index z = 0; z < N; ++z)
    for (Index y = 0; y < N; ++y)
      for (Index x = 0; x < N; ++x)
        for (const auto& o : offsets) {
          const Index xx = x + o[0], yy = y + o[1], zz = z + o[2];
          if (xx < 0 || yy < 0 || zz < 0 || xx >= N || yy >= N || zz >= N) continue;
          r.push_back(x + N * (y + N * z));
          c.push_back(xx + N * (yy + N * zz));
        }
  return Pattern::from_coo(N * N * N, N * N * N, r, c);
}

/// Two species on a periodic N x N grid (the 2-D Brusselator), unknown
/// x + N y + N^2 s: each row couples a 5-point stencil of its species with the
/// other species at the same point.
inline Pattern brusselator_2d(Index N) {
  std::vector<Index> r, c;
  const Index nn = N * N;
  auto wrap = [N](Index i) { return (i + N) % N; };
  for (Index s = 0; s < 2; ++s)
    for (Index y = 0; y < N; ++y)
      for (Index x = 0; x < N; ++x) {
        const Index row = x + N * y + nn * s;
        for (auto [dx, dy] : {std::pair<Index, Index>{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
          r.push_back(row);
          c.push_back(wrap(x + dx) + N * wrap(y + dy) + nn * s);
        }
        r.push_back(row);
        c.push_back(x + N * y + nn * (1 - s));
      }
  return Pattern::from_coo(2 * nn, 2 * nn, r, c);
}

/// Small and corner-case patterns every coloring must handle.
inline std::vector<NamedPattern> small_patterns() {
  std::vector<NamedPattern> out;
  out.push_back({"empty_0x0", Pattern()});
  out.push_back({"empty_0x5", Pattern::from_coo(0, 5, {}, {})});
  out.push_back({"empty_4x0", Pattern::from_coo(4, 0, {}, {})});
  out.push_back({"no_entries_3x4", Pattern::from_coo(3, 4, {}, {})});
  out.push_back({"one_by_one", Pattern::identity(1)});
  out.push_back({"identity_7", Pattern::identity(7)});
  out.push_back({"dense_6x5", Pattern::dense(6, 5)});
  out.push_back({"dense_row", Pattern::from_dense_mask(1, 9, std::vector<char>(9, 1))});
  out.push_back({"dense_column", Pattern::from_dense_mask(9, 1, std::vector<char>(9, 1))});
  out.push_back({"arrowhead_12", arrowhead(12)});
  out.push_back({"tridiagonal_20", banded(20, 1, 1)});
  out.push_back({"banded_30_2_3", banded(30, 2, 3)});
  out.push_back({"stencil5_6x6", stencil_2d(6, false)});
  out.push_back({"stencil9_7x7", stencil_2d(7, true)});
  out.push_back({"stencil7_4x4x4", stencil_3d(4)});
  out.push_back({"brusselator_5x5", brusselator_2d(5)});
  // Columns and rows without entries mixed with entries.
  out.push_back({"gaps_5x8", Pattern::from_coo(5, 8, {0, 0, 2, 4, 4}, {1, 6, 1, 3, 6})});
  for (unsigned seed = 0; seed < 12; ++seed) {
    const Index m = 1 + Index(seed * 7 % 23), n = 1 + Index(seed * 11 % 29);
    const double density = 0.05 + 0.04 * (seed % 6);
    out.push_back(
        {"random_" + std::to_string(m) + "x" + std::to_string(n) + "_s" + std::to_string(seed),
         random_pattern(m, n, density, 1000 + seed)});
  }
  return out;
}

/// Brute-force reference: every pair of columns (rows) sharing a row
/// (column) has different colors, colors lie in [0, num_colors) and all are
/// used. O(m n^2) for the column kind; for small patterns only.
inline bool brute_force_valid(const Pattern& p, const Coloring& coloring) {
  const bool column = coloring.kind == ColoringKind::column;
  const Index m = p.rows(), n = p.cols();
  const Index count = column ? n : m;
  if (coloring.colors.size() != static_cast<std::size_t>(count)) return false;
  std::vector<char> dense(static_cast<std::size_t>(m) * static_cast<std::size_t>(n), 0);
  for (Index i = 0; i < m; ++i)
    for (Index k = p.row_begin(i); k < p.row_end(i); ++k)
      dense[std::size_t(i) * n + p.col_idx()(k)] = 1;
  auto at = [&](Index i, Index j) { return dense[std::size_t(i) * n + j] != 0; };
  std::vector<char> used(static_cast<std::size_t>(std::max<Index>(coloring.num_colors, 0)), 0);
  for (Index a = 0; a < count; ++a) {
    const Index ca = coloring.colors[a];
    if (ca < 0 || ca >= coloring.num_colors) return false;
    used[ca] = 1;
    for (Index b = a + 1; b < count; ++b) {
      if (coloring.colors[b] != ca) continue;
      const Index other = column ? m : n;
      for (Index t = 0; t < other; ++t)
        if (column ? (at(t, a) && at(t, b)) : (at(a, t) && at(b, t))) return false;
    }
  }
  return std::all_of(used.begin(), used.end(), [](char u) { return u != 0; });
}

/// Largest row count (column kind) or column count (row kind), by counting.
inline Index brute_force_lower_bound(const Pattern& p, ColoringKind kind) {
  std::vector<Index> count(
      static_cast<std::size_t>(kind == ColoringKind::column ? p.rows() : p.cols()), 0);
  for (Index i = 0; i < p.rows(); ++i)
    for (Index k = p.row_begin(i); k < p.row_end(i); ++k)
      ++count[kind == ColoringKind::column ? i : p.col_idx()(k)];
  return count.empty() ? 0 : *std::max_element(count.begin(), count.end());
}

inline const std::vector<Ordering>& all_orderings() {
  static const std::vector<Ordering> orderings = {
      Ordering::natural,          Ordering::largest_first,         Ordering::smallest_last,
      Ordering::incidence_degree, Ordering::dynamic_largest_first, Ordering::random};
  return orderings;
}

}  // namespace sparsediff::testing
