// Tests of Hessian recovery from B = H S (HessianSeed, recover).
//
// The reference is the matrix itself: for a random symmetric H over a given
// pattern the test forms B = H S densely, recovers, and compares with H
// (the round trip `expect_round_trip`, used by every test below). With
// small-integer values every sum and difference is exact, so the round trip
// must be exact for substitution too; with random reals the tolerance is
// 1e-13 relative. The colorings are built here by brute-force greedy
// searches against the definitions (star: no path on 4 vertices uses only
// 2 colors; acyclic: every 2-colored subgraph is a forest), independently of
// the library's colorings.
#include "sparsediff/hessian/recover.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "tests/common/execution_spaces.hpp"

namespace sparsediff {
namespace {

// ---------------------------------------------------------------- patterns

/// Random symmetric pattern: each pair i < j with probability `density`,
/// diagonal entries with probability `diagonal`.
Pattern random_symmetric(Index n, double density, double diagonal, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Index> r, c;
  for (Index i = 0; i < n; ++i) {
    if (u(rng) < diagonal) r.push_back(i), c.push_back(i);
    for (Index j = i + 1; j < n; ++j)
      if (u(rng) < density) r.push_back(i), c.push_back(j), r.push_back(j), c.push_back(i);
  }
  return Pattern::from_coo(n, n, r, c);
}

/// Band pattern |i - j| <= w (with diagonal).
Pattern band(Index n, Index w) {
  std::vector<Index> r, c;
  for (Index i = 0; i < n; ++i)
    for (Index j = std::max<Index>(0, i - w); j <= std::min<Index>(n - 1, i + w); ++j)
      r.push_back(i), c.push_back(j);
  return Pattern::from_coo(n, n, r, c);
}

/// The 7-point pattern of the minimal-surface Hessian on an N x N grid:
/// (i, j) couples with its 4 neighbours and with (i+1, j-1), (i-1, j+1).
Pattern minsurf_pattern(Index N) {
  std::vector<Index> r, c;
  const int di[] = {0, 1, -1, 0, 0, 1, -1}, dj[] = {0, 0, 0, 1, -1, -1, 1};
  for (Index j = 0; j < N; ++j)
    for (Index i = 0; i < N; ++i)
      for (int s = 0; s < 7; ++s) {
        const Index a = i + di[s], b = j + dj[s];
        if (a >= 0 && a < N && b >= 0 && b < N) r.push_back(i + N * j), c.push_back(a + N * b);
      }
  return Pattern::from_coo(N * N, N * N, r, c);
}

/// Arrow: a dense first row and column, plus the diagonal.
Pattern arrow(Index n) {
  std::vector<Index> r, c;
  for (Index i = 0; i < n; ++i) {
    r.push_back(i), c.push_back(i);
    if (i > 0) r.push_back(0), c.push_back(i), r.push_back(i), c.push_back(0);
  }
  return Pattern::from_coo(n, n, r, c);
}

std::vector<std::vector<Index>> neighbours(const Pattern& p) {
  auto [ptr, idx] = p.host_arrays();
  std::vector<std::vector<Index>> adj(std::size_t(p.rows()));
  for (Index i = 0; i < p.rows(); ++i)
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k)
      if (idx[k] != i) adj[i].push_back(idx[k]);
  return adj;
}

// ---------------------------------------------------------------- colorings by definition
// Colors -1 mean "not colored yet" and are ignored by the checks.

bool is_distance1(const std::vector<std::vector<Index>>& adj, const std::vector<Index>& c) {
  for (std::size_t i = 0; i < adj.size(); ++i)
    for (Index j : adj[i])
      if (c[i] >= 0 && c[i] == c[j]) return false;
  return true;
}

/// Star: distance-1, and no path a - b - c - d colored X, Y, X, Y.
bool is_star(const std::vector<std::vector<Index>>& adj, const std::vector<Index>& c) {
  if (!is_distance1(adj, c)) return false;
  for (std::size_t b = 0; b < adj.size(); ++b)
    for (Index cc : adj[b])
      for (Index a : adj[b])
        for (Index d : adj[cc]) {
          if (a == cc || d == Index(b) || a == d) continue;
          if (c[a] < 0 || c[b] < 0 || c[cc] < 0 || c[d] < 0) continue;
          if (c[a] == c[cc] && c[b] == c[d]) return false;
        }
  return true;
}

/// Acyclic: distance-1, and every subgraph induced by two colors is a forest.
bool is_acyclic(const std::vector<std::vector<Index>>& adj, const std::vector<Index>& c) {
  if (!is_distance1(adj, c)) return false;
  const Index p = c.empty() ? 0 : *std::max_element(c.begin(), c.end()) + 1;
  for (Index x = 0; x < p; ++x)
    for (Index y = x + 1; y < p; ++y) {
      std::vector<Index> parent(adj.size());
      std::iota(parent.begin(), parent.end(), 0);
      std::function<Index(Index)> find = [&](Index v) {
        return parent[v] == v ? v : parent[v] = find(parent[v]);
      };
      for (std::size_t i = 0; i < adj.size(); ++i)
        for (Index j : adj[i]) {
          if (Index(i) >= j) continue;
          const bool pair = (c[i] == x && c[j] == y) || (c[i] == y && c[j] == x);
          if (!pair) continue;
          const Index a = find(Index(i)), b = find(j);
          if (a == b) return false;
          parent[a] = b;
        }
    }
  return true;
}

/// Greedy over a random vertex order: the smallest color keeping `valid`.
std::vector<Index> greedy(const Pattern& p,
                          const std::function<bool(const std::vector<std::vector<Index>>&,
                                                   const std::vector<Index>&)>& valid,
                          unsigned seed) {
  const auto adj = neighbours(p);
  std::vector<Index> order(static_cast<std::size_t>(p.rows()));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<Index> c(std::size_t(p.rows()), -1);
  for (Index v : order)
    for (c[v] = 0; !valid(adj, c); ++c[v]) {
    }
  return c;
}

std::vector<Index> star_coloring(const Pattern& p, unsigned seed = 1) {
  return greedy(p, is_star, seed);
}
std::vector<Index> acyclic_coloring(const Pattern& p, unsigned seed = 1) {
  return greedy(p, is_acyclic, seed);
}

// ---------------------------------------------------------------- round trip

enum class Values { integers, reals };

/// Random symmetric values over `pattern`, row-major dense n x n.
std::vector<double> random_symmetric_values(const Pattern& pattern, Values kind, unsigned seed) {
  const Index n = pattern.rows();
  auto [ptr, idx] = pattern.host_arrays();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> integer(-50, 50);
  std::uniform_real_distribution<double> real(-3.0, 3.0);
  std::vector<double> dense(std::size_t(n) * n, 0.0);
  for (Index i = 0; i < n; ++i)
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
      const Index j = idx[k];
      if (j < i) continue;
      double v = kind == Values::integers ? double(integer(rng)) : real(rng);
      dense[std::size_t(i) * n + j] = dense[std::size_t(j) * n + i] = v;
    }
  return dense;
}

/// B = H S, column-major n x p, formed densely.
std::vector<double> compress_dense(const std::vector<double>& dense, Index n,
                                   const std::vector<Index>& colors) {
  const Index p = colors.empty() ? 0 : *std::max_element(colors.begin(), colors.end()) + 1;
  std::vector<double> b(std::size_t(n) * p, 0.0);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      b[i + std::size_t(n) * colors[j]] += dense[std::size_t(i) * n + j];
  return b;
}

/// Every stored entry of `h` equals the dense reference, and the stored
/// pattern is exactly the requested triangle of `pattern`.
void expect_matches_dense(const CsrMatrix<double>& h, const Pattern& pattern,
                          const std::vector<double>& dense, HessianStorage storage,
                          double tolerance) {
  const Index n = pattern.rows();
  auto [ptr, idx] = pattern.host_arrays();
  Index expected_nnz = 0;
  for (Index i = 0; i < n; ++i)
    for (Index k = ptr[i]; k < ptr[i + 1]; ++k) {
      const Index j = idx[k];
      const bool stored =
          storage == HessianStorage::full || (storage == HessianStorage::lower ? j <= i : j >= i);
      if (!stored) {
        EXPECT_LT(h.pattern().find(i, j), 0) << "(" << i << ", " << j << ") stored";
        continue;
      }
      ++expected_nnz;
      ASSERT_GE(h.pattern().find(i, j), 0) << "(" << i << ", " << j << ") missing";
      const double want = dense[std::size_t(i) * n + j];
      if (tolerance == 0)
        EXPECT_EQ(h.at(i, j), want) << "entry (" << i << ", " << j << ")";
      else
        EXPECT_NEAR(h.at(i, j), want, tolerance * std::max(1.0, std::abs(want)))
            << "entry (" << i << ", " << j << ")";
    }
  EXPECT_EQ(h.nnz(), expected_nnz);
}

const HessianStorage storages[] = {HessianStorage::lower, HessianStorage::upper,
                                   HessianStorage::full};

/// The round trip recover(H S) == H for one pattern, coloring and method,
/// with integer values (exact) and real values (1e-13), in every storage.
template <class Space = DefaultHostExecutionSpace>
void expect_round_trip(const Pattern& pattern, const std::vector<Index>& colors,
                       HessianRecovery method, unsigned seed = 3) {
  for (HessianStorage storage : storages) {
    const HessianSeed hs(pattern, colors, method, storage);
    EXPECT_EQ(hs.method, method);
    EXPECT_EQ(hs.storage, storage);
    for (Values kind : {Values::integers, Values::reals}) {
      const auto dense = random_symmetric_values(pattern, kind, seed);
      const auto b = compress_dense(dense, pattern.rows(), colors);
      const auto h = recover<Space>(hs, b);
      SCOPED_TRACE("storage " + to_string(storage) + ", method " + to_string(method));
      expect_matches_dense(h, pattern, dense, storage, kind == Values::integers ? 0.0 : 1e-13);
    }
  }
}

// ---------------------------------------------------------------- tests

TEST(HessianRecovery, StarColoringsRecoverDirectlyOnRandomPatterns) {
  for (unsigned seed = 0; seed < 6; ++seed) {
    const Pattern p = random_symmetric(20 + Index(seed), 0.12, 0.7, seed);
    const auto colors = star_coloring(p, seed);
    ASSERT_TRUE(is_star(neighbours(p), colors));
    expect_round_trip(p, colors, HessianRecovery::direct, seed);
    // A star coloring is acyclic: substitution works as well.
    expect_round_trip(p, colors, HessianRecovery::substitution, seed);
  }
}

TEST(HessianRecovery, AcyclicColoringsRecoverBySubstitutionOnRandomPatterns) {
  for (unsigned seed = 0; seed < 6; ++seed) {
    const Pattern p = random_symmetric(24, 0.1 + 0.04 * seed, 0.5, 100 + seed);
    const auto colors = acyclic_coloring(p, seed);
    ASSERT_TRUE(is_acyclic(neighbours(p), colors));
    expect_round_trip(p, colors, HessianRecovery::substitution, seed);
  }
}

TEST(HessianRecovery, StructuredPatterns) {
  const std::vector<Pattern> patterns = {band(17, 1),        band(20, 2), band(9, 8),
                                         minsurf_pattern(6), arrow(12),   Pattern::identity(5)};
  for (const Pattern& p : patterns) {
    const auto star = star_coloring(p, 4);
    const auto acyclic = acyclic_coloring(p, 4);
    expect_round_trip(p, star, HessianRecovery::direct);
    expect_round_trip(p, acyclic, HessianRecovery::substitution);
    // A distance-2 column coloring (of H as a Jacobian) is a star coloring.
    const auto d2 = color(p).colors;
    expect_round_trip(p, d2, HessianRecovery::direct);
    expect_round_trip(p, d2, HessianRecovery::substitution);
  }
}

TEST(HessianRecovery, AcyclicUsesFewerColorsThanStarOnATridiagonalMatrix) {
  // The path 0 - 1 - ... - n-1 alternately colored is acyclic with 2 colors
  // (the 2-colored subgraph is the path, a tree) but not star; star needs 3.
  const Pattern p = band(10, 1);
  std::vector<Index> two(10);
  for (Index i = 0; i < 10; ++i) two[i] = i % 2;
  ASSERT_TRUE(is_acyclic(neighbours(p), two));
  ASSERT_FALSE(is_star(neighbours(p), two));
  expect_round_trip(p, two, HessianRecovery::substitution);
  EXPECT_THROW(HessianSeed(p, two, HessianRecovery::direct), InvalidColoring);
  std::vector<Index> three(10);
  for (Index i = 0; i < 10; ++i) three[i] = i % 3;
  expect_round_trip(p, three, HessianRecovery::direct);
}

TEST(HessianRecovery, MethodSucceedsExactlyForItsColoringClass) {
  // For random distance-1 colorings, direct recovery is accepted iff the
  // coloring is star, substitution iff it is acyclic.
  int star_count = 0, acyclic_count = 0, neither = 0;
  for (unsigned seed = 0; seed < 60; ++seed) {
    const Pattern p = random_symmetric(14, 0.2, 0.5, 500 + seed);
    const auto adj = neighbours(p);
    std::mt19937 rng(seed);
    // A random proper coloring with few colors.
    std::vector<Index> c(14, -1);
    for (Index v = 0; v < 14; ++v) {
      const Index start = Index(rng() % 3);
      for (Index t = 0;; ++t) {
        c[v] = (start + t) % 3 + 3 * (t / 3);
        if (is_distance1(adj, c)) break;
      }
    }
    const bool star = is_star(adj, c), acyclic = is_acyclic(adj, c);
    star_count += star;
    acyclic_count += acyclic;
    neither += !acyclic;
    if (star) {
      expect_round_trip(p, c, HessianRecovery::direct, seed);
    } else {
      EXPECT_THROW(HessianSeed(p, c, HessianRecovery::direct), InvalidColoring) << "seed " << seed;
    }
    if (acyclic) {
      expect_round_trip(p, c, HessianRecovery::substitution, seed);
    } else {
      EXPECT_THROW(HessianSeed(p, c, HessianRecovery::substitution), InvalidColoring)
          << "seed " << seed;
    }
  }
  // The sample exercises every case.
  EXPECT_GT(star_count, 0);
  EXPECT_GT(acyclic_count, star_count);
  EXPECT_GT(neither, 0);
}

TEST(HessianRecovery, SymmetricColoringSelectsTheMethod) {
  const Pattern p = minsurf_pattern(5);
  for (auto kind : {SymmetricColoringKind::star, SymmetricColoringKind::acyclic}) {
    SymmetricColoringOptions options;
    options.kind = kind;
    const SymmetricColoring coloring = color_symmetric(p, options);
    const HessianSeed hs(p, coloring, HessianStorage::lower);
    EXPECT_EQ(hs.method, kind == SymmetricColoringKind::star ? HessianRecovery::direct
                                                             : HessianRecovery::substitution);
    EXPECT_EQ(hs.num_colors, coloring.num_colors);
    expect_round_trip(p, coloring.colors, hs.method);
  }
}

TEST(HessianRecovery, EdgeCases) {
  // Empty pattern, no entries, a diagonal only.
  expect_round_trip(Pattern::from_coo(0, 0, {}, {}), {}, HessianRecovery::direct);
  expect_round_trip(Pattern::from_coo(0, 0, {}, {}), {}, HessianRecovery::substitution);
  expect_round_trip(Pattern::from_coo(4, 4, {}, {}), {0, 0, 0, 0}, HessianRecovery::direct);
  expect_round_trip(Pattern::identity(6), {0, 0, 0, 0, 0, 0}, HessianRecovery::substitution);
  expect_round_trip(Pattern::identity(6), {0, 0, 0, 0, 0, 0}, HessianRecovery::direct);
  // Off-diagonal entries without diagonal.
  const Pattern p = Pattern::from_coo(3, 3, {0, 1, 1, 2}, {1, 0, 2, 1});
  expect_round_trip(p, {0, 1, 2}, HessianRecovery::direct);
  expect_round_trip(p, {0, 1, 0}, HessianRecovery::substitution);
}

TEST(HessianRecovery, SeedSizesAndLaneWidths) {
  const Pattern p = band(12, 2);
  const auto colors = star_coloring(p);
  const Index num_colors = *std::max_element(colors.begin(), colors.end()) + 1;
  for (int width : {0, 1, 2, 4, 6, 8, 12, 16}) {
    const HessianSeed hs(p, colors, HessianRecovery::direct, HessianStorage::full, width);
    EXPECT_EQ(hs.num_colors, num_colors);
    EXPECT_EQ(hs.lane_width, width == 0 ? lane_width_for(num_colors) : width);
    EXPECT_EQ(hs.num_chunks, (num_colors + hs.lane_width - 1) / hs.lane_width);
    EXPECT_EQ(hs.pattern, p);
  }
  const HessianSeed lower(p, colors, HessianRecovery::substitution, HessianStorage::lower);
  EXPECT_EQ(lower.pattern.nnz(), (p.nnz() + 12) / 2);
  EXPECT_EQ(lower.num_trees() > 0, true);
}

TEST(HessianRecovery, ErrorsNameTheOffendingItem) {
  const Pattern p = band(5, 1);
  const std::vector<Index> good = {0, 1, 2, 0, 1};
  auto message = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  // Unsymmetric pattern.
  const Pattern unsym = Pattern::from_coo(3, 3, {0, 0, 1, 2}, {0, 2, 1, 2});
  EXPECT_THROW(HessianSeed(unsym, {0, 1, 2}, HessianRecovery::direct), InvalidArgument);
  EXPECT_NE(message([&] {
              HessianSeed(unsym, {0, 1, 2}, HessianRecovery::direct);
            }).find("entry (0, 2) has no mirror (2, 0)"),
            std::string::npos);
  // Not square.
  EXPECT_THROW(HessianSeed(Pattern::from_coo(2, 3, {}, {}), {0, 0, 0}, HessianRecovery::direct),
               InvalidArgument);
  // Sizes, colors, widths.
  EXPECT_THROW(HessianSeed(p, {0, 1, 2}, HessianRecovery::direct), DimensionMismatch);
  EXPECT_NE(message([&] {
              HessianSeed(p, {0, 1, -2, 0, 1}, HessianRecovery::direct);
            }).find("column 2 has negative color -2"),
            std::string::npos);
  EXPECT_THROW(HessianSeed(p, good, HessianRecovery::direct, HessianStorage::full, 3),
               InvalidArgument);
  // Adjacent columns with one color.
  EXPECT_NE(message([&] {
              HessianSeed(p, {0, 0, 1, 2, 0}, HessianRecovery::substitution);
            }).find("adjacent columns 0 and 1 share color 0"),
            std::string::npos);
  EXPECT_NE(message([&] {
              HessianSeed(p, {0, 0, 1, 2, 0}, HessianRecovery::direct);
            }).find("entry (0, 0)"),
            std::string::npos);
  // A 4-cycle colored 0, 1, 0, 1.
  const Pattern cycle = Pattern::from_coo(4, 4, {0, 1, 1, 2, 2, 3, 3, 0}, {1, 0, 2, 1, 3, 2, 0, 3});
  EXPECT_NE(message([&] {
              HessianSeed(cycle, {0, 1, 0, 1}, HessianRecovery::substitution);
            }).find("colors 0 and 1 form a cycle"),
            std::string::npos);
  // B and output sizes.
  const HessianSeed hs(p, good, HessianRecovery::direct, HessianStorage::lower);
  EXPECT_THROW(recover(hs, std::vector<double>(7)), DimensionMismatch);
  CsrMatrix<double> wrong(p);  // full pattern, seed stores the lower triangle
  EXPECT_THROW(recover(hs, std::vector<double>(15), wrong), DimensionMismatch);
}

template <class Space>
class HessianRecoverySpaces : public ::testing::Test {};
TYPED_TEST_SUITE(HessianRecoverySpaces, test::HostExecutionSpaces);

TYPED_TEST(HessianRecoverySpaces, RoundTripAndMatchesSerial) {
  const Pattern p = minsurf_pattern(9);
  const auto star = color(p).colors;
  const auto acyclic = acyclic_coloring(p, 2);
  expect_round_trip<TypeParam>(p, star, HessianRecovery::direct);
  expect_round_trip<TypeParam>(p, acyclic, HessianRecovery::substitution);
  for (auto [colors, method] : {std::pair{star, HessianRecovery::direct},
                                std::pair{acyclic, HessianRecovery::substitution}}) {
    const HessianSeed hs(p, colors, method, HessianStorage::full);
    const auto dense = random_symmetric_values(p, Values::reals, 9);
    const auto b = compress_dense(dense, p.rows(), colors);
    EXPECT_EQ(recover<TypeParam>(hs, b).host_values(),
              recover<Kokkos::Serial>(hs, b).host_values());
  }
}

}  // namespace
}  // namespace sparsediff
