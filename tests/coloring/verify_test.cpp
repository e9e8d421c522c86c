// verify / is_valid: hand-made invalid colorings are caught with messages
// that name the conflict, and on random colorings is_valid agrees with the
// brute-force reference.
#include "sparsediff/coloring/verify.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "test_patterns.hpp"

namespace sparsediff {
namespace {

Coloring make(ColoringKind kind, std::vector<Index> colors, Index num_colors) {
  Coloring c;
  c.kind = kind;
  c.colors = std::move(colors);
  c.num_colors = num_colors;
  return c;
}

template <class Exception>
std::string message_of(const Pattern& p, const Coloring& c) {
  try {
    verify(p, c);
  } catch (const Exception& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no exception";
}

// 3 x 4: row 0 = {0, 1}, row 1 = {0, 2}, row 2 = {3}.
Pattern small() { return Pattern::from_coo(3, 4, {0, 0, 1, 1, 2}, {0, 1, 0, 2, 3}); }

TEST(Verify, AcceptsAValidColoring) {
  // Columns 1 and 2 share no row; 3 meets nobody.
  const Coloring c = make(ColoringKind::column, {0, 1, 1, 0}, 2);
  EXPECT_TRUE(is_valid(small(), c));
  EXPECT_NO_THROW(verify(small(), c));
  // Rows 0 and 1 share column 0; row 2 is alone.
  const Coloring r = make(ColoringKind::row, {0, 1, 0}, 2);
  EXPECT_TRUE(is_valid(small(), r));
}

TEST(Verify, NamesTheConflictingColumnsAndTheirRow) {
  const Coloring c = make(ColoringKind::column, {0, 1, 0, 1}, 2);  // columns 0 and 2 share row 1
  EXPECT_FALSE(is_valid(small(), c));
  EXPECT_EQ(message_of<InvalidColoring>(small(), c),
            "verify: columns 0 and 2 both have color 0 and share row 1");
}

TEST(Verify, NamesTheConflictingRowsAndTheirColumn) {
  const Coloring r = make(ColoringKind::row, {1, 1, 0}, 2);  // rows 0 and 1 share column 0
  EXPECT_FALSE(is_valid(small(), r));
  EXPECT_EQ(message_of<InvalidColoring>(small(), r),
            "verify: rows 0 and 1 both have color 1 and share column 0");
}

TEST(Verify, RefusesWrongSizesRangesAndGaps) {
  EXPECT_EQ(message_of<DimensionMismatch>(small(), make(ColoringKind::column, {0, 1, 1}, 2)),
            "verify: 3 colors for 4 columns");
  EXPECT_EQ(message_of<DimensionMismatch>(small(), make(ColoringKind::row, {0, 1, 1, 0}, 2)),
            "verify: 4 colors for 3 rows");
  EXPECT_EQ(message_of<InvalidColoring>(small(), make(ColoringKind::column, {0, 5, 1, 0}, 2)),
            "verify: column 1 has color 5, outside [0, 2)");
  EXPECT_EQ(message_of<InvalidColoring>(small(), make(ColoringKind::column, {0, -1, 1, 0}, 2)),
            "verify: column 1 has color -1, outside [0, 2)");
  EXPECT_EQ(message_of<InvalidColoring>(small(), make(ColoringKind::column, {0, 2, 2, 0}, 3)),
            "verify: color 1 of 3 is used by no column (colors must be contiguous)");
  EXPECT_FALSE(is_valid(small(), make(ColoringKind::column, {0, 1, 1}, 2)));
  EXPECT_FALSE(is_valid(small(), make(static_cast<ColoringKind>(4), {0, 1, 1, 0}, 2)));
  EXPECT_THROW(verify(small(), make(static_cast<ColoringKind>(4), {0, 1, 1, 0}, 2)),
               InvalidColoring);
}

TEST(Verify, EmptyPatterns) {
  EXPECT_TRUE(is_valid(Pattern(), make(ColoringKind::column, {}, 0)));
  EXPECT_TRUE(is_valid(Pattern::from_coo(0, 3, {}, {}), make(ColoringKind::column, {0, 0, 0}, 1)));
  EXPECT_TRUE(is_valid(Pattern::from_coo(0, 3, {}, {}), make(ColoringKind::row, {}, 0)));
  EXPECT_FALSE(is_valid(Pattern::from_coo(2, 2, {}, {}), make(ColoringKind::column, {0, 0}, 2)));
}

// Random colorings with few colors (so that many are invalid) of random
// patterns: is_valid must agree with the dense pairwise check.
TEST(Verify, AgreesWithBruteForceOnRandomColorings) {
  std::mt19937 rng(2024);
  int valid = 0, invalid = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const Index m = 1 + Index(rng() % 12), n = 1 + Index(rng() % 12);
    const Pattern p = testing::random_pattern(m, n, 0.1 + 0.05 * (trial % 5), 7000 + trial);
    const ColoringKind kind = trial % 2 == 0 ? ColoringKind::column : ColoringKind::row;
    const Index count = kind == ColoringKind::column ? n : m;
    const Index k = 1 + Index(rng() % std::max<Index>(1, count));
    Coloring c = make(kind, std::vector<Index>(static_cast<std::size_t>(count)), k);
    for (auto& x : c.colors) x = Index(rng() % k);
    // Keep the colors contiguous so that the interesting failures are conflicts.
    std::vector<Index> renumber(static_cast<std::size_t>(k), -1);
    Index next = 0;
    for (auto& x : c.colors) {
      if (renumber[x] < 0) renumber[x] = next++;
      x = renumber[x];
    }
    c.num_colors = next;
    const bool expected = testing::brute_force_valid(p, c);
    EXPECT_EQ(is_valid(p, c), expected) << "trial " << trial;
    (expected ? valid : invalid) += 1;
  }
  // Both outcomes were exercised.
  EXPECT_GT(valid, 20);
  EXPECT_GT(invalid, 20);
}

}  // namespace
}  // namespace sparsediff
