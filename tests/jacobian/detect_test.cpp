// detect_row_pattern's assembly: the pattern built in place from the traced
// blocks equals the one from_csr builds from independently computed rows,
// on every host space (same entries, same hash), and a bad column that
// reaches the assembly is refused naming its row and entry.
#include "sparsediff/jacobian/detect.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/common/execution_spaces.hpp"

namespace sparsediff {
namespace {

// Row i depends on i, on (3 i + 1) mod n when i is odd, and on the inputs
// i % 7 + 1 places below i (for i >= 7); every 5th row is constant (empty),
// so rows have 0 to 9 entries.
struct MixedRows {
  Index n;
  template <class T>
  T operator()(int i, Accessor<T> x) const {
    if (i % 5 == 4) return T(1.0);
    T y = x(i % n) * x(i % n);
    if (i % 2 == 1) y = y + x((3 * i + 1) % n);
    if (i >= 7)
      for (int d = 1; d <= i % 7 + 1; ++d) y = y * x((i - d) % n);
    return y;
  }
};

// The rows of MixedRows computed directly (sorted sets), as CSR.
Pattern mixed_reference(Index m, Index n) {
  std::vector<Index> ptr{0}, idx;
  for (Index i = 0; i < m; ++i) {
    std::vector<Index> row;
    if (i % 5 != 4) {
      row.push_back(i % n);
      if (i % 2 == 1) row.push_back((3 * i + 1) % n);
      if (i >= 7)
        for (Index d = 1; d <= i % 7 + 1; ++d) row.push_back((i - d) % n);
    }
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    idx.insert(idx.end(), row.begin(), row.end());
    ptr.push_back(Index(idx.size()));
  }
  return Pattern::from_csr(m, n, ptr, idx);
}

template <class ExecutionSpace>
class DetectAssemblyOn : public ::testing::Test {};
TYPED_TEST_SUITE(DetectAssemblyOn, test::HostExecutionSpaces);

TYPED_TEST(DetectAssemblyOn, MatchesReferenceAndSerialWithEqualHash) {
  for (const Index m : {0, 1, 2, 7, 64, 1000, 5003}) {
    const Index n = std::max<Index>(m, 1) + 3;
    const Pattern expected = mixed_reference(m, n);
    const Pattern on_space = detect_row_pattern(TypeParam(), MixedRows{n}, m, n);
    const Pattern serial = detect_row_pattern(Kokkos::Serial(), MixedRows{n}, m, n);
    EXPECT_EQ(on_space.rows(), m);
    EXPECT_EQ(on_space.cols(), n);
    EXPECT_EQ(on_space.host_arrays(), expected.host_arrays()) << "m = " << m;
    EXPECT_EQ(on_space.hash(), expected.hash()) << "m = " << m;
    EXPECT_EQ(on_space, serial) << "m = " << m;
    EXPECT_EQ(on_space.hash(), serial.hash()) << "m = " << m;
  }
}

TYPED_TEST(DetectAssemblyOn, ColumnOutsideInputsNamesLowestRowAndEntry) {
  // The accessor refuses x(j) for j outside [0, n); a tracer made by hand
  // bypasses it and reaches the assembly. Rows 37 and 900 carry column n + 4;
  // rows before 37 have one entry each, so row 37's bad column is entry 38.
  const Index n = 1000;
  const auto r = [n](int i, Accessor<Tracer> x) -> Tracer {
    if (i == 37 || i == 900) return x(i) + Tracer::input(n + 4);
    return x(i);
  };
  try {
    detect_row_pattern(TypeParam(), r, n, n);
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("detect_row_pattern"), std::string::npos) << what;
    EXPECT_NE(what.find("row 37, entry 38: column 1004 out of range [0, 1000)"), std::string::npos)
        << what;
  }
}

TYPED_TEST(DetectAssemblyOn, NegativeColumnIsRefused) {
  const auto r = [](int i, Accessor<Tracer> x) -> Tracer {
    if (i == 5) return Tracer::input(-3) + x(i);
    return x(i);
  };
  try {
    detect_row_pattern(TypeParam(), r, 50, 50);
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("row 5, entry 5: column -3 out of range [0, 50)"), std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace sparsediff
