#pragma once
/// @file
/// Recovery of a sparse symmetric Hessian H from its compressed product
/// B = H S, for star colorings (direct) and acyclic colorings (substitution).
///
/// A symmetric coloring gives each column j of H a color c_j; the seed matrix
/// S (S(j, c) = 1 iff c_j = c) compresses H into B = H S, n x p for p colors,
/// so that B(i, c) is the sum of the entries of row i in columns of color c.
/// Symmetry lets an entry be read from either of its two copies, which is why
/// symmetric colorings need fewer colors than column colorings of the same
/// pattern (Gebremedhin, Manne & Pothen, "What color is your Jacobian?", SIAM
/// Review 47(4), 2005, sections 4-6; Gebremedhin, Tarafdar, Manne & Pothen,
/// "New acyclic and star coloring algorithms with application to computing
/// Hessians", INFORMS J. Computing 19(2), 2007):
///
/// - Direct (star colorings, GMP 2005 Thm 6.1): every entry (i, j) is alone in
///   its color in row i, H(i, j) = B(i, c_j), or its mirror is alone in row j,
///   H(i, j) = B(j, c_i). Recovery is a gather through a map computed once:
///   `values[k] = B[gather[k]]`, parallel over entries.
/// - Substitution (acyclic colorings, GTMP 2007 section 4): the edges between
///   two color classes form a forest. In each tree, an edge (u, v) whose end u
///   is a leaf satisfies H(u, v) = B(u, c_v) minus the entries of row u in
///   color c_v already found; removing leaves one by one orders every edge of
///   the tree. The numeric phase replays that order as B(u, c_v) -> H(u, v),
///   B(v, c_u) -= H(u, v): sequential along a tree, parallel over trees (the
///   entries B(u, c) of two trees never overlap). Acyclic colorings use fewer
///   colors than star colorings (4 vs 7-9 on the minimal-surface stencil) at
///   the price of this ordered, less parallel recovery.
///
/// `HessianSeed` is the symbolic phase, built once per pattern and coloring:
/// the storage layout (lower, upper or full), the gather map or the
/// elimination order, and the lane width of the compressed evaluation; it
/// validates the coloring for its recovery method and names the entry that
/// breaks it. `recover` is the numeric phase.
///
/// Layout of B: column-major n x p (color c occupies [c n, (c + 1) n)), the
/// layout of the vector blocks of `hvp` and `HvpOperator::apply`.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "sparsediff/coloring/symmetric.hpp"
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/jacobian/seed.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Which entries of the symmetric H a matrix stores.
enum class HessianStorage {
  lower,  ///< entries (i, j) with j <= i (CSR of the lower triangle)
  upper,  ///< entries (i, j) with j >= i
  full    ///< both triangles (what LinearSolver's CHOLMOD path takes)
};

/// How H is recovered from B = H S.
enum class HessianRecovery {
  direct,       ///< a gather; needs a star coloring (or any coloring passing the direct check)
  substitution  ///< ordered elimination along the 2-colored trees; needs an acyclic coloring
};

/// "lower", "upper" or "full".
inline std::string to_string(HessianStorage storage) {
  switch (storage) {
    case HessianStorage::lower:
      return "lower";
    case HessianStorage::upper:
      return "upper";
    case HessianStorage::full:
      return "full";
  }
  return "unknown";
}

/// "direct" or "substitution".
inline std::string to_string(HessianRecovery method) {
  return method == HessianRecovery::direct ? "direct" : "substitution";
}

/// The recovery method a symmetric coloring is meant for: direct for star,
/// substitution for acyclic.
inline HessianRecovery recovery_for(SymmetricColoringKind kind) {
  return kind == SymmetricColoringKind::star ? HessianRecovery::direct
                                             : HessianRecovery::substitution;
}

/// The entries of a symmetric pattern that a storage layout keeps, and where
/// each of the pattern's entries goes.
struct StoragePattern {
  /// The stored pattern (n x n; one triangle, or the whole pattern).
  Pattern pattern;
  /// stored_position[k] = position in `pattern` of entry k of the symmetric
  /// pattern, -1 when that entry is not stored.
  std::vector<Index> stored_position;
};

/// The stored part of a symmetric pattern. O(nnz).
inline StoragePattern storage_pattern(const Pattern& symmetric, HessianStorage storage) {
  auto [ptr, idx] = symmetric.host_arrays();
  const Index n = symmetric.rows();
  std::vector<Index> s_ptr(std::size_t(n) + 1, 0), s_idx;
  std::vector<Index> position(idx.size(), -1);
  s_idx.reserve(storage == HessianStorage::full ? idx.size() : idx.size() / 2 + std::size_t(n));
  for (Index i = 0; i < n; ++i) {
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
      const Index j = idx[k];
      const bool keep =
          storage == HessianStorage::full || (storage == HessianStorage::lower ? j <= i : j >= i);
      if (keep) {
        position[k] = Index(s_idx.size());
        s_idx.push_back(j);
      }
    }
    s_ptr[std::size_t(i) + 1] = Index(s_idx.size());
  }
  return {Pattern::from_csr(n, n, std::move(s_ptr), std::move(s_idx)), std::move(position)};
}

/// Seed matrix S and recovery maps of a symmetric coloring of a symmetric
/// pattern: the symbolic phase of compressed Hessian evaluation.
///
/// The pattern is the whole symmetric pattern of H (both triangles; diagonal
/// entries where H may have them). Its stored part (`storage`) is what
/// `recover` fills.
struct HessianSeed {
  using index_view = Kokkos::View<const Index*, HostMemorySpace>;
  using offset_view = Kokkos::View<const std::int64_t*, HostMemorySpace>;

  /// The whole symmetric pattern, and the stored part of it.
  Pattern symmetric_pattern;
  Pattern pattern;
  HessianStorage storage = HessianStorage::full;
  HessianRecovery method = HessianRecovery::direct;
  /// Color of each column (n entries), 0-based.
  index_view color;
  Index num_colors = 0;
  /// Dual lanes per compressed evaluation (1, 2, 4, 6, 8, 12 or 16) and the number
  /// of evaluations ceil(num_colors / lane_width).
  int lane_width = 1;
  Index num_chunks = 0;

  /// Direct: stored entry s reads B[gather[s]] (index r + n c of column-major B).
  offset_view gather;
  /// Substitution: stored position of each diagonal entry (i, i) read from
  /// B(i, c_i), and the elimination steps of every tree: step t reads
  /// B[step_source[t]] (the entry), writes it to stored positions
  /// step_target[2t], step_target[2t + 1] (-1: not stored), and subtracts it
  /// from B[step_update[t]]. Tree r owns steps [tree_ptr[r], tree_ptr[r + 1]).
  index_view diagonal_row, diagonal_position;
  offset_view step_source, step_update;
  index_view step_target;
  index_view tree_ptr;

  HessianSeed() = default;

  /// Builds the recovery of `coloring` (direct for a star coloring,
  /// substitution for an acyclic one); see the main constructor.
  HessianSeed(const Pattern& pattern, const SymmetricColoring& coloring,
              HessianStorage storage = HessianStorage::full, int width = 0)
      : HessianSeed(pattern, coloring.colors, recovery_for(coloring.kind), storage, width) {}

  /// Builds the seed and the recovery map of `colors` (one per column).
  /// @param pattern the symmetric pattern of H (both triangles).
  /// @param colors color of each column, >= 0.
  /// @param method direct or substitution recovery.
  /// @param storage which triangle(s) recover() fills.
  /// @param width dual lanes per evaluation: 0 (chosen by `lane_width_for`),
  ///        1, 2, 4, 6, 8, 12 or 16.
  /// @throws InvalidArgument when the pattern is not square and symmetric
  ///         (naming an entry without mirror), a color is negative or the
  ///         width is not one of the above; DimensionMismatch when
  ///         colors.size() != n.
  /// @throws InvalidColoring when the coloring does not allow the method:
  ///         direct names an entry neither of whose copies is alone in its
  ///         color; substitution names two adjacent columns of one color or
  ///         a cycle in the subgraph of two colors.
  /// Complexity: O(nnz) for direct, O(sum of squared row counts) for
  /// substitution (each vertex scans its row once per 2-colored tree).
  HessianSeed(const Pattern& symmetric, const std::vector<Index>& colors, HessianRecovery method,
              HessianStorage storage = HessianStorage::full, int width = 0)
      : symmetric_pattern(symmetric), storage(storage), method(method) {
    SPARSEDIFF_REQUIRE(is_lane_width(width), InvalidArgument,
                       "lane width " << width << " is not 0, 1, 2, 4, 6, 8, 12 or 16");
    SPARSEDIFF_REQUIRE(symmetric.rows() == symmetric.cols(), InvalidArgument,
                       "the Hessian pattern is " << symmetric.rows() << " x " << symmetric.cols()
                                                 << ", not square");
    const Index n = symmetric.rows();
    SPARSEDIFF_REQUIRE(colors.size() == std::size_t(n), DimensionMismatch,
                       colors.size() << " colors for " << n << " columns");
    Index max_color = -1;
    for (std::size_t j = 0; j < colors.size(); ++j) {
      SPARSEDIFF_REQUIRE(colors[j] >= 0, InvalidArgument,
                         "column " << j << " has negative color " << colors[j]);
      max_color = std::max(max_color, colors[j]);
    }
    num_colors = max_color + 1;
    lane_width = width == 0 ? lane_width_for(num_colors) : width;
    num_chunks = (num_colors + lane_width - 1) / lane_width;
    color = to_view("sparsediff::HessianSeed::color", colors);

    auto [ptr, idx] = symmetric.host_arrays();
    const auto mirror = mirror_map(symmetric, ptr, idx);
    auto stored = storage_pattern(symmetric, storage);
    pattern = stored.pattern;
    if (method == HessianRecovery::direct)
      build_direct(ptr, idx, mirror, colors, stored.stored_position);
    else
      build_substitution(ptr, idx, mirror, colors, stored.stored_position);
  }

  Index size() const { return symmetric_pattern.rows(); }
  /// Number of 2-colored trees (substitution; 0 for direct).
  Index num_trees() const { return tree_ptr.extent(0) > 0 ? Index(tree_ptr.extent(0)) - 1 : 0; }

 private:
  template <class T>
  static Kokkos::View<const T*, HostMemorySpace> to_view(const std::string& label,
                                                         const std::vector<T>& values) {
    Kokkos::View<T*, HostMemorySpace> view(Kokkos::view_alloc(Kokkos::WithoutInitializing, label),
                                           values.size());
    for (std::size_t k = 0; k < values.size(); ++k) view(k) = values[k];
    return view;
  }

  /// mirror[k] = position of (j, i) for entry k = (i, j); throws when absent.
  static std::vector<Index> mirror_map(const Pattern& symmetric, const std::vector<Index>& ptr,
                                       const std::vector<Index>& idx) {
    const auto transposed = symmetric.transpose_with_map();
    if (!(transposed.pattern == symmetric)) {
      for (Index i = 0; i < symmetric.rows(); ++i)
        for (Index k = ptr[i]; k < ptr[i + 1]; ++k)
          SPARSEDIFF_REQUIRE(symmetric.find(idx[k], i) >= 0, InvalidArgument,
                             "the Hessian pattern is not symmetric: entry ("
                                 << i << ", " << idx[k] << ") has no mirror (" << idx[k] << ", "
                                 << i << ")");
    }
    // The transpose has the same structure, so its entry k is (i, j) and
    // the map sends it to the original's (j, i).
    std::vector<Index> mirror(idx.size());
    for (std::size_t k = 0; k < idx.size(); ++k) mirror[k] = transposed.position(k);
    return mirror;
  }

  void build_direct(const std::vector<Index>& ptr, const std::vector<Index>& idx,
                    const std::vector<Index>& mirror, const std::vector<Index>& colors,
                    const std::vector<Index>& stored_position) {
    const Index n = size();
    // alone[k]: entry k = (i, j) is the only entry of row i in color c_j.
    std::vector<char> alone(idx.size());
    std::vector<Index> tally(std::size_t(std::max<Index>(num_colors, 1)), 0);
    for (Index i = 0; i < n; ++i) {
      for (Index k = ptr[i]; k < ptr[i + 1]; ++k) ++tally[colors[idx[k]]];
      for (Index k = ptr[i]; k < ptr[i + 1]; ++k) alone[k] = tally[colors[idx[k]]] == 1;
      for (Index k = ptr[i]; k < ptr[i + 1]; ++k) tally[colors[idx[k]]] = 0;
    }
    // Both copies of an entry read the same element of B, so the recovered
    // matrix is exactly symmetric (a solver may check that): the lower copy
    // (i >= j) decides, the upper copy follows its mirror.
    std::vector<std::int64_t> source(idx.size());
    for (Index i = 0; i < n; ++i)
      for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
        const Index j = idx[k];
        if (j > i) continue;
        if (alone[k])
          source[k] = std::int64_t(i) + std::int64_t(n) * colors[j];
        else if (alone[mirror[k]])
          source[k] = std::int64_t(j) + std::int64_t(n) * colors[i];
        else
          detail::raise<InvalidColoring>(
              "HessianSeed", "direct recovery impossible for entry (" + std::to_string(i) + ", " +
                                 std::to_string(j) + "): row " + std::to_string(i) +
                                 " has another column of color " + std::to_string(colors[j]) +
                                 " and row " + std::to_string(j) + " another column of color " +
                                 std::to_string(colors[i]) + " (not a star coloring)");
        source[mirror[k]] = source[k];
      }
    std::vector<std::int64_t> map(std::size_t(pattern.nnz()));
    for (std::size_t k = 0; k < idx.size(); ++k)
      if (stored_position[k] >= 0) map[stored_position[k]] = source[k];
    gather = to_view("sparsediff::HessianSeed::gather", map);
  }

  void build_substitution(const std::vector<Index>& ptr, const std::vector<Index>& idx,
                          const std::vector<Index>& mirror, const std::vector<Index>& colors,
                          const std::vector<Index>& stored_position) {
    const Index n = size();
    std::vector<Index> diag_row, diag_pos;
    for (Index i = 0; i < n; ++i)
      for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
        const Index j = idx[k];
        if (j == i) {
          if (stored_position[k] >= 0) {
            diag_row.push_back(i);
            diag_pos.push_back(stored_position[k]);
          }
        } else {
          SPARSEDIFF_REQUIRE(colors[i] != colors[j], InvalidColoring,
                             "adjacent columns " << i << " and " << j << " share color "
                                                 << colors[i]
                                                 << " (substitution needs an acyclic coloring)");
        }
      }

    std::vector<std::int64_t> source, update;
    std::vector<Index> target, trees{0};
    std::vector<char> visited(idx.size(), 0);
    std::vector<Index> local(std::size_t(n), -1);
    std::vector<Index> vertices, queue;
    struct Edge {
      Index a, b;    // local vertices
      Index ab, ba;  // positions of (a, b) and (b, a)
    };
    std::vector<Edge> edges;
    std::vector<Index> degree, adj_ptr, adj;
    std::vector<char> used;
    for (Index root = 0; root < n; ++root)
      for (Index k0 = ptr[root]; k0 < ptr[root + 1]; ++k0) {
        if (idx[k0] == root || visited[k0]) continue;
        // Breadth-first search of the tree of colors {c_root, c_j} holding root.
        const Index color_a = colors[root], color_b = colors[idx[k0]];
        vertices.assign(1, root);
        local[root] = 0;
        edges.clear();
        for (std::size_t head = 0; head < vertices.size(); ++head) {
          const Index x = vertices[head];
          const Index other = colors[x] == color_a ? color_b : color_a;
          for (Index k = ptr[x]; k < ptr[x + 1]; ++k) {
            const Index y = idx[k];
            if (colors[y] != other || visited[k]) continue;
            visited[k] = visited[mirror[k]] = 1;
            if (local[y] >= 0) {
              for (Index v : vertices) local[v] = -1;
              detail::raise<InvalidColoring>(
                  "HessianSeed", "the columns of colors " + std::to_string(color_a) + " and " +
                                     std::to_string(color_b) + " form a cycle through (" +
                                     std::to_string(x) + ", " + std::to_string(y) +
                                     ") (substitution needs an acyclic coloring)");
            }
            local[y] = Index(vertices.size());
            vertices.push_back(y);
            edges.push_back({local[x], local[y], k, mirror[k]});
          }
        }
        // Remove leaves one at a time; each removal orders one edge.
        const Index count = Index(vertices.size());
        degree.assign(std::size_t(count), 0);
        for (const Edge& e : edges) ++degree[e.a], ++degree[e.b];
        adj_ptr.assign(std::size_t(count) + 1, 0);
        for (Index v = 0; v < count; ++v) adj_ptr[std::size_t(v) + 1] = adj_ptr[v] + degree[v];
        adj.resize(2 * edges.size());
        {
          std::vector<Index> fill(adj_ptr.begin(), adj_ptr.end() - 1);
          for (std::size_t e = 0; e < edges.size(); ++e) {
            adj[fill[edges[e].a]++] = Index(e);
            adj[fill[edges[e].b]++] = Index(e);
          }
        }
        used.assign(edges.size(), 0);
        queue.clear();
        for (Index v = 0; v < count; ++v)
          if (degree[v] == 1) queue.push_back(v);
        for (std::size_t head = 0; head < queue.size(); ++head) {
          const Index u = queue[head];
          if (degree[u] != 1) continue;  // the last vertex of the tree
          Index e = -1;
          for (Index t = adj_ptr[u]; t < adj_ptr[std::size_t(u) + 1]; ++t)
            if (!used[adj[t]]) e = adj[t];
          used[e] = 1;
          const Edge& edge = edges[e];
          const bool forward = edge.a == u;
          const Index v = forward ? edge.b : edge.a;
          const Index gu = vertices[u], gv = vertices[v];
          const Index uv = forward ? edge.ab : edge.ba, vu = forward ? edge.ba : edge.ab;
          source.push_back(std::int64_t(gu) + std::int64_t(n) * colors[gv]);
          update.push_back(std::int64_t(gv) + std::int64_t(n) * colors[gu]);
          target.push_back(stored_position[uv]);
          target.push_back(stored_position[vu]);
          degree[u] = 0;
          if (--degree[v] == 1) queue.push_back(v);
        }
        for (Index v : vertices) local[v] = -1;
        trees.push_back(Index(source.size()));
      }
    diagonal_row = to_view("sparsediff::HessianSeed::diagonal_row", diag_row);
    diagonal_position = to_view("sparsediff::HessianSeed::diagonal_position", diag_pos);
    step_source = to_view("sparsediff::HessianSeed::step_source", source);
    step_update = to_view("sparsediff::HessianSeed::step_update", update);
    step_target = to_view("sparsediff::HessianSeed::step_target", target);
    tree_ptr = to_view("sparsediff::HessianSeed::tree_ptr", trees);
  }
};

namespace detail {

/// The numeric recovery from column-major B into `values` (the stored
/// entries, pattern order). Substitution overwrites B (it is the elimination's
/// work array); direct only reads it. Parallel over entries (direct) or over
/// trees (substitution) in ExecutionSpace; fences before returning.
template <class ExecutionSpace>
void recover_direct(const HessianSeed& seed, const double* compressed, double* values) {
  const auto gather = seed.gather;
  Kokkos::parallel_for(
      "sparsediff::HessianSeed::recover_direct",
      Kokkos::RangePolicy<ExecutionSpace>(0, Index(gather.extent(0))),
      KOKKOS_LAMBDA(const Index s) { values[s] = compressed[gather(s)]; });
  Kokkos::fence();
}

template <class ExecutionSpace>
void recover_in_place(const HessianSeed& seed, double* compressed, double* values) {
  if (seed.method == HessianRecovery::direct) {
    recover_direct<ExecutionSpace>(seed, compressed, values);
  } else {
    const Index n = seed.size();
    const auto color = seed.color;
    const auto row = seed.diagonal_row;
    const auto position = seed.diagonal_position;
    Kokkos::parallel_for(
        "sparsediff::HessianSeed::recover_diagonal",
        Kokkos::RangePolicy<ExecutionSpace>(0, Index(row.extent(0))), KOKKOS_LAMBDA(const Index t) {
          const Index i = row(t);
          values[position(t)] = compressed[std::int64_t(i) + std::int64_t(n) * color(i)];
        });
    const auto tree_ptr = seed.tree_ptr;
    const auto source = seed.step_source;
    const auto update = seed.step_update;
    const auto target = seed.step_target;
    Kokkos::parallel_for(
        "sparsediff::HessianSeed::recover_substitution",
        Kokkos::RangePolicy<ExecutionSpace>(0, seed.num_trees()), KOKKOS_LAMBDA(const Index r) {
          for (Index t = tree_ptr(r); t < tree_ptr(r + 1); ++t) {
            const double h = compressed[source(t)];
            compressed[update(t)] -= h;
            const Index a = target(2 * t), b = target(2 * t + 1);
            if (a >= 0) values[a] = h;
            if (b >= 0) values[b] = h;
          }
        });
  }
  Kokkos::fence();
}

}  // namespace detail

/// Recovers H's stored values from a compressed product B = H S computed by
/// any means (dual numbers, Hessian-vector products, finite differences).
/// @param compressed column-major n x seed.num_colors (color c in [c n, (c+1) n)).
/// @param hessian a matrix over seed.pattern (the stored part).
/// @tparam ExecutionSpace a space that reads host memory (B, the seed and H
///         are host arrays).
/// @throws DimensionMismatch when B's size does not fit or `hessian` is not
///         over the seed's stored pattern.
/// Complexity O(nnz); parallel over entries (direct) or trees (substitution).
template <class ExecutionSpace = DefaultHostExecutionSpace>
void recover(const HessianSeed& seed, const std::vector<double>& compressed,
             CsrMatrix<double>& hessian) {
  static_assert(Kokkos::SpaceAccessibility<ExecutionSpace, Kokkos::HostSpace>::accessible,
                "sparsediff::recover: B, the seed and H are in host memory; use a host space");
  const Index n = seed.size(), p = seed.num_colors;
  SPARSEDIFF_REQUIRE(
      compressed.size() == std::size_t(n) * std::size_t(p), DimensionMismatch,
      "compressed product has " << compressed.size() << " entries, expected " << n << " x " << p);
  SPARSEDIFF_REQUIRE(hessian.pattern() == seed.pattern, DimensionMismatch,
                     "the output matrix (" << hessian.rows() << " x " << hessian.cols() << ", "
                                           << hessian.nnz() << " nonzeros) is not over the seed's "
                                           << to_string(seed.storage) << " pattern (" << n << " x "
                                           << n << ", " << seed.pattern.nnz() << " nonzeros)");
  if (seed.method == HessianRecovery::direct) {
    detail::recover_direct<ExecutionSpace>(seed, compressed.data(), hessian.values().data());
  } else {
    std::vector<double> work = compressed;
    detail::recover_in_place<ExecutionSpace>(seed, work.data(), hessian.values().data());
  }
}

/// H's stored values from B, in a new matrix over seed.pattern; see above.
template <class ExecutionSpace = DefaultHostExecutionSpace>
CsrMatrix<double> recover(const HessianSeed& seed, const std::vector<double>& compressed) {
  CsrMatrix<double> hessian(seed.pattern);
  recover<ExecutionSpace>(seed, compressed, hessian);
  return hessian;
}

}  // namespace sparsediff
