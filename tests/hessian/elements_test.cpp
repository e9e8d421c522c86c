// Tests of the symbolic element path: detail::element_table (the checked
// table of the elements' variables) and element_pattern (the union of the
// element cliques), both parallel over the host execution space.
//
// References are built here, independently of the code under test: the
// table from the test's own variable lists, the pattern with
// Pattern::from_coo over every pair of every element (a serial sort of the
// coordinates). Element sets are random, with sizes 0 to K, unused
// variables and a "hub" variable shared by many elements (rows of many
// candidates take the library's std::sort path, short rows its insertion).
#include "sparsediff/hessian/elements.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/common/execution_spaces.hpp"

namespace sparsediff {
namespace {

constexpr int K = 4;

// Elements given by explicit variable lists; the elements listed in
// `throwing` throw from element_variables instead.
struct ListedElements {
  std::vector<std::vector<Index>> lists;
  std::vector<Index> throwing;
  Index num_elements() const { return Index(lists.size()); }
  Index element_variables(Index e, Index* v) const {
    for (Index t : throwing)
      if (t == e) throw std::runtime_error("element_variables failed at " + std::to_string(e));
    const auto& list = lists[std::size_t(e)];
    // (A list longer than K is reported by its length, not written past K.)
    for (std::size_t a = 0; a < list.size() && a < std::size_t(K); ++a) v[a] = list[a];
    return Index(list.size());
  }
  template <class T>
  T element(Index, const T* v) const {
    return v[0] * v[0];
  }
};

// ne elements over n variables: sizes uniform in 0..K (0 when n is 0),
// distinct variables; with probability `hub_share` an element holds variable
// 0 (n > 0) as one of them.
ListedElements random_elements(Index n, Index ne, double hub_share, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<Index> size(0, K);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  ListedElements f;
  for (Index e = 0; e < ne; ++e) {
    std::vector<Index> list;
    const Index want = n == 0 ? 0 : std::min<Index>(size(rng), n);
    if (want > 0 && u(rng) < hub_share) list.push_back(0);
    while (Index(list.size()) < want) {
      const Index j = std::uniform_int_distribution<Index>(0, n - 1)(rng);
      if (std::find(list.begin(), list.end(), j) == list.end()) list.push_back(j);
    }
    std::shuffle(list.begin(), list.end(), rng);
    f.lists.push_back(list);
  }
  return f;
}

// The Hessian pattern as the union of the cliques, through from_coo.
Pattern reference_pattern(const ListedElements& f, Index n) {
  std::vector<Index> rows, cols;
  for (const auto& list : f.lists)
    for (Index i : list)
      for (Index j : list) {
        rows.push_back(i);
        cols.push_back(j);
      }
  return Pattern::from_coo(n, n, rows, cols);
}

template <class Space>
class ElementPatternOn : public ::testing::Test {};
TYPED_TEST_SUITE(ElementPatternOn, test::HostExecutionSpaces);

TYPED_TEST(ElementPatternOn, EqualsTheUnionOfCliquesWithEqualHash) {
  struct Case {
    Index n, ne;
    double hub_share;
  };
  const Case cases[] = {{0, 0, 0.0},       {0, 5, 0.0},      {1, 3, 0.0},        {5, 0, 0.0},
                        {7, 20, 0.0},      {50, 10, 0.0},    {100, 300, 0.3},    {1000, 2500, 0.05},
                        {3000, 9000, 0.0}, {3000, 500, 0.9}, {4000, 12000, 0.02}};
  unsigned seed = 1;
  for (const Case& c : cases) {
    const auto elements = random_elements(c.n, c.ne, c.hub_share, seed++);
    const auto f = partially_separable<K>(elements);
    const Pattern reference = reference_pattern(elements, c.n);
    const Pattern pattern = element_pattern(TypeParam(), f, c.n);
    const std::string where = "n " + std::to_string(c.n) + ", elements " + std::to_string(c.ne);
    EXPECT_EQ(pattern.rows(), c.n) << where;
    EXPECT_EQ(pattern.cols(), c.n) << where;
    EXPECT_EQ(pattern.nnz(), reference.nnz()) << where;
    EXPECT_EQ(pattern.hash(), reference.hash()) << where;
    EXPECT_TRUE(pattern.host_arrays() == reference.host_arrays()) << where;
    EXPECT_TRUE(pattern == reference) << where;
    // The default space gives the same pattern.
    EXPECT_TRUE(element_pattern(f, c.n) == reference) << where;
    if (c.n > 0 && c.hub_share > 0.5) {
      EXPECT_GT(reference.row_nnz(0), 64) << where;
    }
  }
}

TYPED_TEST(ElementPatternOn, UnusedVariablesHaveEmptyRows) {
  ListedElements elements;
  elements.lists = {{4, 2}, {}, {2}};
  const Pattern pattern = element_pattern(TypeParam(), partially_separable<K>(elements), 6);
  const auto [ptr, idx] = pattern.host_arrays();
  EXPECT_EQ(ptr, (std::vector<Index>{0, 0, 0, 2, 2, 4, 4}));
  EXPECT_EQ(idx, (std::vector<Index>{2, 4, 2, 4}));
}

TYPED_TEST(ElementPatternOn, TableIsPaddedWithMinusOne) {
  const auto elements = random_elements(500, 2000, 0.1, 42);
  std::vector<Index> variables, counts;
  detail::element_table<TypeParam>(partially_separable<K>(elements), 500, variables, counts);
  ASSERT_EQ(counts.size(), elements.lists.size());
  ASSERT_EQ(variables.size(), elements.lists.size() * K);
  for (std::size_t e = 0; e < elements.lists.size(); ++e) {
    const auto& list = elements.lists[e];
    EXPECT_EQ(counts[e], Index(list.size())) << "element " << e;
    for (std::size_t a = 0; a < std::size_t(K); ++a)
      EXPECT_EQ(variables[e * K + a], a < list.size() ? list[a] : -1)
          << "element " << e << ", slot " << a;
  }
}

// The message of the Error (or other std::exception) fn throws; "" if none.
template <class Fn>
std::string message(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// 1000 elements of 2 variables over n = 10, correct except those changed
// by the caller: the first bad element must be named, whichever block of
// threads sees it, and later bad ones ignored.
ListedElements good_elements() {
  ListedElements f;
  for (Index e = 0; e < 1000; ++e) f.lists.push_back({e % 10, (e + 1) % 10});
  return f;
}

// Element 77 claims -2 variables. (At namespace scope: nvcc refuses a local
// type as a template argument of a function holding a device lambda.)
struct NegativeCount {
  Index num_elements() const { return 100; }
  Index element_variables(Index e, Index* v) const { return e == 77 ? -2 : (v[0] = 0, 1); }
};

TYPED_TEST(ElementPatternOn, ErrorsNameTheFirstBadElement) {
  const Index n = 10;
  auto table = [n](const ListedElements& elements) {
    return message([&] {
      std::vector<Index> variables, counts;
      detail::element_table<TypeParam>(partially_separable<K>(elements), n, variables, counts);
    });
  };
  auto pattern = [n](const ListedElements& elements) {
    return message([&] { element_pattern(TypeParam(), partially_separable<K>(elements), n); });
  };
  auto assembly = [n](const ListedElements& elements) {
    return message([&] { ElementAssembly<K>(partially_separable<K>(elements), n, 16); });
  };
  struct Case {
    ListedElements elements;
    std::string expected;
  };
  std::vector<Case> cases;
  {
    auto f = good_elements();
    f.lists[613] = {1, 2, 3, 4, 5};  // too many
    f.lists[700] = {11};             // a later error
    cases.push_back({f,
                     "element_table: element 613 has 5 variables, expected 0 to 4 "
                     "(MaxElementSize)"});
  }
  {
    auto f = good_elements();
    f.lists[998] = {3, 10};  // out of range (n)
    f.lists[999] = {-1};
    cases.push_back({f, "element_table: element 998, variable 1: index 10 out of range [0, 10)"});
  }
  {
    auto f = good_elements();
    f.lists[250] = {4, -1, 2};  // negative
    f.lists[251] = {4, 4};
    cases.push_back({f, "element_table: element 250, variable 1: index -1 out of range [0, 10)"});
  }
  {
    auto f = good_elements();
    f.lists[0] = {7, 1, 7};  // repeated, first element
    f.lists[1] = {1, 2, 3, 4, 5};
    cases.push_back({f, "element_table: element 0 lists variable 7 twice"});
  }
  {
    auto f = good_elements();
    f.lists[555] = {1, 2, 3, 2};  // repeated, before elements that throw
    f.throwing = {556, 900};
    cases.push_back({f, "element_table: element 555 lists variable 2 twice"});
  }
  {
    auto f = good_elements();
    f.throwing = {444, 800};  // element_variables throws; a later bad list too
    f.lists[445] = {20};
    cases.push_back({f, "element_variables failed at 444"});
  }
  for (const Case& c : cases) {
    EXPECT_EQ(table(c.elements), c.expected);
    EXPECT_EQ(pattern(c.elements), c.expected);
    EXPECT_EQ(assembly(c.elements), c.expected);
  }
  // A negative count names the element too (and n < 0 is refused).
  EXPECT_EQ(
      message([&] { element_pattern(TypeParam(), partially_separable<K>(NegativeCount{}), 1); }),
      "element_table: element 77 has -2 variables, expected 0 to 4 (MaxElementSize)");
  EXPECT_THROW(element_pattern(TypeParam(), partially_separable<K>(good_elements()), -1),
               InvalidArgument);
}

}  // namespace
}  // namespace sparsediff
