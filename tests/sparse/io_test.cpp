// Matrix Market and LibSVM I/O: exact round trips (streams and files),
// symmetric expansion and pattern files checked against dense matrices
// written out here, and every documented parse error checked for its type,
// line number and line text.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <locale>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sparsediff/sparse/convert.hpp"
#include "sparsediff/sparse/io/libsvm.hpp"
#include "sparsediff/sparse/io/matrix_market.hpp"

namespace sparsediff {
namespace {

std::string data_path(const std::string& name) {
  const std::string here = __FILE__;
  return here.substr(0, here.find_last_of('/')) + "/data/" + name;
}

/// A file name in the temporary directory, removed when the test ends.
class TempPath {
 public:
  explicit TempPath(const std::string& suffix) {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = (std::filesystem::temp_directory_path() /
             ("sparsediff_io_test_" + std::to_string(std::random_device{}()) + "_" + test->name() +
              suffix))
                .string();
  }
  ~TempPath() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  const std::string& str() const { return path_; }

 private:
  std::string path_;
};

std::vector<double> dense_of(const CooMatrix<double>& a) { return a.to_csr().to_dense(); }

CsrMatrix<double> random_csr(Index m, Index n, double density, std::mt19937& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> exponent(-30.0, 30.0);
  CooMatrix<double> coo(m, n);
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < n; ++j)
      if (unit(rng) < density)
        coo.add(i, j, (unit(rng) - 0.5) * std::pow(10.0, exponent(rng)));  // all magnitudes
  return coo.to_csr();
}

/// Bitwise equality, so that -0.0 and 0.0 differ.
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

void expect_same_matrix(const CsrMatrix<double>& got, const CsrMatrix<double>& want) {
  ASSERT_EQ(got.pattern(), want.pattern());
  const auto g = got.host_values(), w = want.host_values();
  for (std::size_t k = 0; k < w.size(); ++k)
    EXPECT_TRUE(same_bits(g[k], w[k])) << "entry " << k << ": " << g[k] << " vs " << w[k];
}

// ----------------------------------------------------------------------------
// Matrix Market: reading

TEST(MatrixMarket, ReadsGeneralRealWithCommentsBlankLinesAndCrlf) {
  std::istringstream in(
      "%%MatrixMarket MATRIX Coordinate REAL General\r\n"
      "% a comment\r\n"
      "\r\n"
      "%another comment\n"
      "  3\t4  4\n"
      "1 1 1.5\n"
      "\n"
      "3 4 -2e-3\n"
      "% comment between entries\n"
      "2 2 +7\n"
      "  1   4   1e+2  \n");
  const auto a = read_matrix_market(in);
  EXPECT_EQ(a.rows(), 3);
  EXPECT_EQ(a.cols(), 4);
  EXPECT_EQ(a.size(), 4u);
  // File order, 0-based.
  EXPECT_EQ(a.row_indices(), (std::vector<Index>{0, 2, 1, 0}));
  EXPECT_EQ(a.col_indices(), (std::vector<Index>{0, 3, 1, 3}));
  EXPECT_EQ(a.values(), (std::vector<double>{1.5, -2e-3, 7, 100}));
}

TEST(MatrixMarket, IntegerAndPatternFields) {
  std::istringstream integer(
      "%%MatrixMarket matrix coordinate integer general\n2 2 2\n2 1 -7\n1 2 +3\n");
  EXPECT_EQ(dense_of(read_matrix_market(integer)), (std::vector<double>{0, 3, -7, 0}));

  std::istringstream pattern(
      "%%MatrixMarket matrix coordinate pattern general\n2 3 3\n"
      "1 3\n2 1\n2 2\n");
  EXPECT_EQ(dense_of(read_matrix_market(pattern)), (std::vector<double>{0, 0, 1, 1, 1, 0}));
}

TEST(MatrixMarket, DuplicatesAreKeptAndSum) {
  const std::string text =
      "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 2 1.25\n2 1 1\n1 2 2.5\n";
  std::istringstream in(text);
  const auto a = read_matrix_market(in);
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(dense_of(a), (std::vector<double>{0, 3.75, 1, 0}));
  std::istringstream again(text);
  EXPECT_EQ(read_matrix_market_pattern(again), Pattern::from_coo(2, 2, {0, 1}, {1, 0}));
}

TEST(MatrixMarket, SymmetricFileExpandsToTheWholeMatrix) {
  const std::vector<double> want = {4,   -1, 0,  0,  0.5,  //
                                    -1,  4,  -1, 0,  0,    //
                                    0,   -1, 4,  -1, 0,    //
                                    0,   0,  -1, 4,  -1,   //
                                    0.5, 0,  0,  -1, 4};
  const auto a = read_matrix_market(data_path("symmetric_5x5.mtx"));
  EXPECT_EQ(a.rows(), 5);
  EXPECT_EQ(a.size(), 15u);  // 5 diagonal + 5 off-diagonal entries stored twice
  EXPECT_EQ(dense_of(a), want);
  const auto p = read_matrix_market_pattern(data_path("symmetric_5x5.mtx"));
  EXPECT_EQ(p, Pattern::from_dense_mask(5, 5, want));
  EXPECT_TRUE(p.is_symmetric());
}

TEST(MatrixMarket, SkewSymmetricAndSymmetricPattern) {
  std::istringstream skew(
      "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 3\n3 2 -0.5\n");
  EXPECT_EQ(dense_of(read_matrix_market(skew)),
            (std::vector<double>{0, -3, 0, 3, 0, 0.5, 0, -0.5, 0}));
  std::istringstream pattern(
      "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 3\n"
      "1 1\n3 1\n3 2\n");
  EXPECT_EQ(dense_of(read_matrix_market(pattern)),
            (std::vector<double>{1, 0, 1, 0, 0, 1, 1, 1, 0}));
}

TEST(MatrixMarket, EmptyMatrices) {
  std::istringstream none("%%MatrixMarket matrix coordinate real general\n0 0 0\n");
  const auto a = read_matrix_market(none);
  EXPECT_EQ(a.rows(), 0);
  EXPECT_EQ(a.size(), 0u);
  std::istringstream no_entries("%%MatrixMarket matrix coordinate real general\n3 2 0\n");
  const auto b = read_matrix_market(no_entries);
  EXPECT_EQ(b.rows(), 3);
  EXPECT_EQ(b.cols(), 2);
  EXPECT_EQ(b.size(), 0u);
}

// ----------------------------------------------------------------------------
// Matrix Market: writing and round trips

TEST(MatrixMarket, WritesTheExpectedText) {
  const auto a = CsrMatrix<double>::from_dense(2, 3, {1.5, 0, -2, 0, 0, 0.1});
  std::ostringstream out;
  write_matrix_market(out, a);
  EXPECT_EQ(out.str(),
            "%%MatrixMarket matrix coordinate real general\n"
            "% written by sparsediff\n"
            "2 3 3\n"
            "1 1 1.5\n"
            "1 3 -2\n"
            "2 3 0.10000000000000001\n");
  std::ostringstream pattern;
  write_matrix_market(pattern, a.pattern());
  EXPECT_EQ(pattern.str(),
            "%%MatrixMarket matrix coordinate pattern general\n"
            "% written by sparsediff\n"
            "2 3 3\n"
            "1 1\n"
            "1 3\n"
            "2 3\n");
}

TEST(MatrixMarket, RoundTripIsBitExactThroughStreams) {
  const std::vector<double> awkward = {0.1,
                                       1.0 / 3.0,
                                       -2.0 / 3.0,
                                       3.141592653589793e10,
                                       1e-300,
                                       std::numeric_limits<double>::denorm_min(),
                                       std::numeric_limits<double>::max(),
                                       -std::numeric_limits<double>::min(),
                                       123456789.123,
                                       -0.0,
                                       0.0,
                                       1e22};
  const Index n = Index(awkward.size());
  std::vector<Index> ri, ci;
  for (Index k = 0; k < n; ++k) {
    ri.push_back(k);
    ci.push_back((3 * k) % n);
  }
  const CsrMatrix<double> a = CooMatrix<double>(n, n, ri, ci, awkward).to_csr();
  std::stringstream io;
  write_matrix_market(io, a);
  expect_same_matrix(read_matrix_market(io).to_csr(), a);

  std::mt19937 rng(1);
  for (int trial = 0; trial < 20; ++trial) {
    const auto b = random_csr(Index(rng() % 30), Index(rng() % 30), 0.2, rng);
    std::stringstream s;
    write_matrix_market(s, b);
    expect_same_matrix(read_matrix_market(s).to_csr(), b);
    std::stringstream p;
    write_matrix_market(p, b.pattern());
    EXPECT_EQ(read_matrix_market_pattern(p), b.pattern());
  }
}

TEST(MatrixMarket, RoundTripThroughFiles) {
  std::mt19937 rng(2);
  const auto a = random_csr(23, 31, 0.15, rng);
  const TempPath values(".mtx"), structure("_pattern.mtx");
  write_matrix_market(values.str(), a);
  expect_same_matrix(read_matrix_market(values.str()).to_csr(), a);
  write_matrix_market(structure.str(), a.pattern());
  EXPECT_EQ(read_matrix_market_pattern(structure.str()), a.pattern());
  // A pattern file read as a matrix has ones on the pattern.
  const auto ones = read_matrix_market(structure.str()).to_csr();
  EXPECT_EQ(ones.pattern(), a.pattern());
  for (double v : ones.host_values()) EXPECT_EQ(v, 1.0);
}

// Decimal comma and digit grouping: the writer must not use them.
struct CommaDecimal : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(MatrixMarket, WriterIgnoresAndRestoresTheStreamFormat) {
  CooMatrix<double> coo(1500, 1500);
  coo.add(1200, 1300, 1234.5);
  std::ostringstream out;
  out.imbue(std::locale(std::locale::classic(), new CommaDecimal));
  out.precision(3);
  out.setf(std::ios_base::fixed | std::ios_base::showpos, std::ios_base::floatfield);
  write_matrix_market(out, coo.to_csr());
  const std::string text = out.str();
  EXPECT_NE(text.find("\n1500 1500 1\n1201 1301 1234.5\n"), std::string::npos) << text;
  EXPECT_EQ(std::use_facet<std::numpunct<char>>(out.getloc()).decimal_point(), ',');
  EXPECT_EQ(out.precision(), 3);
  EXPECT_TRUE(out.flags() & std::ios_base::fixed);
  std::istringstream in(text);
  EXPECT_EQ(dense_of(read_matrix_market(in))[std::size_t(1200) * 1500 + 1300], 1234.5);
}

TEST(MatrixMarket, WriterRefusesNonFiniteValuesAndWritesNothing) {
  const auto a = CsrMatrix<double>::from_dense(
      2, 3, {1, 0, 0, 0, 0, std::numeric_limits<double>::quiet_NaN()});
  std::ostringstream out;
  try {
    write_matrix_market(out, a);
    ADD_FAILURE() << "no exception";
  } catch (const InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("write_matrix_market"), std::string::npos) << m;
    EXPECT_NE(m.find("entry (1, 2)"), std::string::npos) << m;
    EXPECT_NE(m.find("non-finite"), std::string::npos) << m;
  }
  EXPECT_TRUE(out.str().empty());
  const TempPath path(".mtx");
  EXPECT_THROW(write_matrix_market(path.str(), a), InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path.str()));
  const auto inf = CsrMatrix<double>::from_dense(1, 1, {-HUGE_VAL});
  EXPECT_THROW(write_matrix_market(out, inf), InvalidArgument);
}

TEST(MatrixMarket, UnopenableFilesAreRefused) {
  const std::string missing = "/nonexistent-dir-sparsediff/matrix.mtx";
  try {
    read_matrix_market(missing);
    ADD_FAILURE() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_matrix_market_pattern(missing), InvalidArgument);
  EXPECT_THROW(write_matrix_market(missing, Pattern::identity(2)), InvalidArgument);
}

// ----------------------------------------------------------------------------
// Matrix Market: errors. Each case names the line the message must point at
// (by number and text) and a fragment of the reason; both readers must agree.

template <class Expected>
void expect_mm_error(const std::string& text, int line, const std::string& line_text,
                     const std::string& reason) {
  for (int reader = 0; reader < 2; ++reader) {
    std::istringstream in(text);
    try {
      if (reader == 0)
        read_matrix_market(in, "t.mtx");
      else
        read_matrix_market_pattern(in, "t.mtx");
      ADD_FAILURE() << "no exception for:\n" << text;
    } catch (const Expected& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("read_matrix_market: t.mtx:" + std::to_string(line) + ": "),
                std::string::npos)
          << m;
      EXPECT_NE(m.find("\"" + line_text + "\""), std::string::npos) << m;
      EXPECT_NE(m.find(reason), std::string::npos) << m;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception type: " << e.what() << "\nfor:\n" << text;
    }
  }
}

void expect_parse_error(const std::string& text, int line, const std::string& line_text,
                        const std::string& reason) {
  expect_mm_error<ParseError>(text, line, line_text, reason);
}

const std::string kGeneral = "%%MatrixMarket matrix coordinate real general\n";

TEST(MatrixMarketErrors, Header) {
  expect_parse_error("", 1, "", "empty input");
  expect_parse_error("%%MatrixMarket matrix coordinate real\n3 3 0\n", 1,
                     "%%MatrixMarket matrix coordinate real", "malformed header");
  expect_parse_error("%MatrixMarket matrix coordinate real general\n", 1,
                     "%MatrixMarket matrix coordinate real general", "malformed header");
  expect_parse_error("3 3 1\n1 1 1\n", 1, "3 3 1", "malformed header");
  expect_parse_error("%%MatrixMarket vector coordinate real general\n", 1,
                     "%%MatrixMarket vector coordinate real general", "unknown object 'vector'");
  expect_parse_error("%%MatrixMarket matrix sparse real general\n", 1,
                     "%%MatrixMarket matrix sparse real general", "unknown format 'sparse'");
  expect_parse_error("%%MatrixMarket matrix coordinate float general\n", 1,
                     "%%MatrixMarket matrix coordinate float general", "unknown field 'float'");
  expect_parse_error("%%MatrixMarket matrix coordinate real upper\n", 1,
                     "%%MatrixMarket matrix coordinate real upper", "unknown symmetry 'upper'");
  expect_parse_error("%%MatrixMarket matrix coordinate pattern skew-symmetric\n2 2 0\n", 1,
                     "%%MatrixMarket matrix coordinate pattern skew-symmetric",
                     "cannot be 'skew-symmetric'");
}

TEST(MatrixMarketErrors, UnsupportedKindsNameTheHeader) {
  expect_mm_error<NotSupported>("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n", 1,
                                "%%MatrixMarket matrix array real general", "'array'");
  expect_mm_error<NotSupported>(
      "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", 1,
      "%%MatrixMarket matrix coordinate complex general", "'complex'");
  expect_mm_error<NotSupported>("%%MatrixMarket matrix coordinate real hermitian\n1 1 0\n", 1,
                                "%%MatrixMarket matrix coordinate real hermitian", "'hermitian'");
}

TEST(MatrixMarketErrors, SizeLine) {
  expect_parse_error(kGeneral + "% only a comment\n", 2, "% only a comment",
                     "input ends before the size line");
  expect_parse_error(kGeneral + "% c\n3 3\n", 3, "3 3", "bad size line: expected 3 fields");
  expect_parse_error(kGeneral + "3 x 3\n", 2, "3 x 3", "column count 'x' is not a non-negative");
  expect_parse_error(kGeneral + "3 -3 1\n", 2, "3 -3 1", "column count '-3' is not a non-negative");
  expect_parse_error(kGeneral + "3000000000 1 1\n", 2, "3000000000 1 1",
                     "row count 3000000000 exceeds the index type's maximum");
  expect_parse_error("%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n", 2, "3 4 1",
                     "must be square");
}

TEST(MatrixMarketErrors, Entries) {
  const std::string sizes = kGeneral + "3 3 2\n";
  expect_parse_error(sizes + "1 1\n2 2 1\n", 3, "1 1", "entry 1 has 2 fields, expected 3");
  expect_parse_error(sizes + "1 1 1\n2 2 1 5\n", 4, "2 2 1 5", "entry 2 has 4 fields");
  expect_parse_error("%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 1 1\n", 3, "1 1 1",
                     "has 3 fields, expected 2 (row column)");
  // Indices: which one, which bound.
  expect_parse_error(sizes + "0 1 1.0\n", 3, "0 1 1.0", "row index 0 is below 1");
  expect_parse_error(sizes + "1 1 1\n4 1 1.0\n", 4, "4 1 1.0",
                     "row index 4 exceeds the row count 3");
  expect_parse_error(sizes + "1 0 1.0\n", 3, "1 0 1.0", "column index 0 is below 1");
  expect_parse_error(sizes + "1 5 1.0\n", 3, "1 5 1.0",
                     "column index 5 exceeds the column count 3");
  expect_parse_error(sizes + "1.5 1 2\n", 3, "1.5 1 2", "row index '1.5' is not an integer");
  expect_parse_error(sizes + "1 a 2\n", 3, "1 a 2", "column index 'a' is not an integer");
  // Values.
  expect_parse_error(sizes + "1 1 abc\n", 3, "1 1 abc", "value 'abc' is not a number");
  expect_parse_error(sizes + "1 1 1,5\n", 3, "1 1 1,5", "value '1,5' is not a number");
  expect_parse_error(sizes + "1 1 1\n2 2 nan\n", 4, "2 2 nan", "value 'nan' is not finite");
  expect_parse_error(sizes + "1 1 inf\n", 3, "1 1 inf", "value 'inf' is not finite");
  expect_parse_error(sizes + "1 1 -Infinity\n", 3, "1 1 -Infinity", "not finite");
  expect_parse_error(sizes + "1 1 1e400\n", 3, "1 1 1e400", "outside the range of double");
  expect_parse_error("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 2.5\n", 3,
                     "1 1 2.5", "value '2.5' is not an integer");
  expect_parse_error("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 2 1.0\n", 3,
                     "2 2 1.0", "diagonal entry in a skew-symmetric file");
}

TEST(MatrixMarketErrors, EntryCount) {
  const std::string sizes = kGeneral + "3 3 3\n";
  expect_parse_error(sizes + "1 1 1\n2 2 2\n", 4, "2 2 2",
                     "input ends after 2 of the 3 entries declared");
  expect_parse_error(sizes + "1 1 1\n2 2 2\n% trailing comment\n", 5, "% trailing comment",
                     "input ends after 2 of the 3 entries declared");
  expect_parse_error(kGeneral + "3 3 1\n1 1 1\n\n3 3 3\n", 5, "3 3 3",
                     "more entries than the 1 declared");
}

TEST(MatrixMarketErrors, LongLinesAreShortenedInMessages) {
  const std::string long_value(200, '7');
  std::istringstream in(kGeneral + "1 1 1\n1 1 x" + long_value + "\n");
  try {
    read_matrix_market(in);
    ADD_FAILURE() << "no exception";
  } catch (const ParseError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("<stream>:3: "), std::string::npos) << m;
    EXPECT_NE(m.find("...\""), std::string::npos) << m;
  }
}

// ----------------------------------------------------------------------------
// LibSVM

// The contents of data/small.libsvm, as a dense matrix.
const std::vector<double> kSmallFeatures = {0.5, 0,    -1.25, 0, 0, 0, 2,  //
                                            0,   1e-3, 0,     4, 0, 0, 0,  //
                                            3,   0,    0,     0, 0, 0, 1,  //
                                            0,   0,    0,     0, 0, 0, 0,  //
                                            0,   0,    0,     0, 0, 0, 0};
const std::vector<double> kSmallLabels = {1, -1, 1, -1, 0.5};

TEST(Libsvm, ReadsOneBasedFile) {
  const auto data = read_libsvm(data_path("small.libsvm"));
  EXPECT_EQ(data.features.rows(), 5);
  EXPECT_EQ(data.features.cols(), 7);
  EXPECT_EQ(data.features.to_dense(), kSmallFeatures);
  EXPECT_EQ(data.labels, kSmallLabels);
  // "5:0" is an entry with the value zero: the pattern is structural.
  EXPECT_EQ(data.features.nnz(), 8);
  EXPECT_GE(data.features.pattern().find(4, 4), 0);
}

TEST(Libsvm, ZeroBasedGivesTheSameMatrix) {
  std::istringstream in(
      "+1 0:0.5 2:-1.25 6:2\n"
      "-1\t1:1e-3 3:4\r\n"
      "\n"
      "# a comment line\n"
      "+1 6:1 0:3\n"
      "-1   \n"
      "0.5 4:0 # trailing comment\n");
  const auto data = read_libsvm(in, LibsvmIndexBase::zero);
  EXPECT_EQ(data.features.rows(), 5);
  EXPECT_EQ(data.features.cols(), 7);
  EXPECT_EQ(data.features.to_dense(), kSmallFeatures);
  EXPECT_EQ(data.labels, kSmallLabels);
}

TEST(Libsvm, NumFeaturesSetsTheColumnCount) {
  const auto wide = read_libsvm(data_path("small.libsvm"), LibsvmIndexBase::one, 10);
  EXPECT_EQ(wide.features.cols(), 10);
  EXPECT_EQ(wide.features.at(0, 6), 2.0);
  const auto exact = read_libsvm(data_path("small.libsvm"), LibsvmIndexBase::one, 7);
  EXPECT_EQ(exact.features.to_dense(), kSmallFeatures);

  std::istringstream labels_only("1\n-1\n");
  const auto no_features = read_libsvm(labels_only);
  EXPECT_EQ(no_features.features.rows(), 2);
  EXPECT_EQ(no_features.features.cols(), 0);
  EXPECT_EQ(no_features.labels, (std::vector<double>{1, -1}));

  std::istringstream empty("# nothing\n\n");
  const auto none = read_libsvm(empty, LibsvmIndexBase::one, 4);
  EXPECT_EQ(none.features.rows(), 0);
  EXPECT_EQ(none.features.cols(), 4);
  EXPECT_TRUE(none.labels.empty());
}

void expect_libsvm_error(const std::string& text, int line, const std::string& line_text,
                         const std::string& reason, LibsvmIndexBase base = LibsvmIndexBase::one,
                         Index num_features = -1) {
  std::istringstream in(text);
  try {
    read_libsvm(in, base, num_features, "t.svm");
    ADD_FAILURE() << "no exception for:\n" << text;
  } catch (const ParseError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("read_libsvm: t.svm:" + std::to_string(line) + ": "), std::string::npos) << m;
    EXPECT_NE(m.find("\"" + line_text + "\""), std::string::npos) << m;
    EXPECT_NE(m.find(reason), std::string::npos) << m;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

TEST(LibsvmErrors, MalformedLinesNameTheLine) {
  const std::string ok = "1 1:1 2:2\n# comment\n";
  expect_libsvm_error(ok + "1 2:1 3:1 2:5\n", 3, "1 2:1 3:1 2:5",
                      "feature index 2 appears more than once");
  expect_libsvm_error(ok + "-1 0:1\n", 3, "-1 0:1", "feature index 0 is below 1");
  expect_libsvm_error(ok + "-1 -1:1\n", 3, "-1 -1:1", "feature index -1 is below 0",
                      LibsvmIndexBase::zero);
  expect_libsvm_error(ok + "1 3:1\n1 4:1\n", 4, "1 4:1", "feature index 4 is beyond the 3",
                      LibsvmIndexBase::one, 3);
  expect_libsvm_error(ok + "1 3:1\n", 3, "1 3:1", "feature index 3 is beyond the 3",
                      LibsvmIndexBase::zero, 3);
  expect_libsvm_error(ok + "1 3\n", 3, "1 3", "feature '3' is not index:value");
  expect_libsvm_error(ok + "1 a:2\n", 3, "1 a:2", "feature index 'a' is not an integer");
  expect_libsvm_error(ok + "1 qid:2 1:1\n", 3, "1 qid:2 1:1", "'qid' is not an integer");
  expect_libsvm_error(ok + "1 3:x\n", 3, "1 3:x", "value 'x' of feature 3 is not a finite");
  expect_libsvm_error(ok + "1 3:\n", 3, "1 3:", "value '' of feature 3 is not a finite");
  expect_libsvm_error(ok + "1 3:nan\n", 3, "1 3:nan", "value 'nan' of feature 3");
  expect_libsvm_error(ok + "abc 1:2\n", 3, "abc 1:2", "label 'abc' is not a finite number");
  expect_libsvm_error(ok + "1:2 3:4\n", 3, "1:2 3:4", "label '1:2' is not a finite number");
  expect_libsvm_error("inf 1:2\n", 1, "inf 1:2", "label 'inf'");
}

TEST(LibsvmErrors, BadArguments) {
  std::istringstream in("1 1:1\n");
  EXPECT_THROW(read_libsvm(in, LibsvmIndexBase::one, -2), InvalidArgument);
  EXPECT_THROW(read_libsvm(data_path("small.libsvm"), LibsvmIndexBase::one, -2), InvalidArgument);
  EXPECT_THROW(read_libsvm("/nonexistent-dir-sparsediff/data.svm"), InvalidArgument);
}

}  // namespace
}  // namespace sparsediff
