// Matrix Market reader and writer (see the header for the format and the
// error behaviour).
#include "sparsediff/sparse/io/matrix_market.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <istream>
#include <limits>
#include <locale>
#include <ostream>
#include <sstream>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "detail/text.hpp"

namespace sparsediff {
namespace {

constexpr const char* kReadFunction = "read_matrix_market";
constexpr const char* kWriteFunction = "write_matrix_market";

/// Where the parser is: names the line in error messages.
struct Location {
  const std::string& source;
  std::size_t line_number = 0;
  std::string line;
  std::string spare;
};

template <class Exception = ParseError>
[[noreturn]] void fail(const char* function, const Location& at, const std::string& reason) {
  detail::text::fail_at_line<Exception>(function, at.source, at.line_number, at.line, reason);
}

using detail::text::is_space;
using detail::text::parse_integer;
using detail::text::split;
using detail::text::without_plus;

std::string lower(std::string_view word) {
  std::string out(word);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_blank(const std::string& line) { return std::all_of(line.begin(), line.end(), is_space); }

enum class NumberStatus { ok, not_a_number, out_of_range };

/// Parses the whole token as a double in the "C" locale ("nan" and "inf" are
/// numbers here; finiteness is the caller's check).
NumberStatus parse_double(std::string_view token, double& value) {
  token = without_plus(token);
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
  const char* end = token.data() + token.size();
  const auto result = std::from_chars(token.data(), end, value);
  if (result.ec == std::errc::result_out_of_range) return NumberStatus::out_of_range;
  return result.ec == std::errc() && result.ptr == end ? NumberStatus::ok
                                                       : NumberStatus::not_a_number;
#else
  std::istringstream stream{std::string(token)};
  stream.imbue(std::locale::classic());
  stream >> value;
  if (stream.fail() || stream.peek() != std::char_traits<char>::eof())
    return NumberStatus::not_a_number;
  return NumberStatus::ok;
#endif
}

enum class Field { real, integer, pattern };
enum class Symmetry { general, symmetric, skew_symmetric };

/// Triplets as read (0-based, expanded), before they become a COO or a pattern.
struct Contents {
  Index rows = 0, cols = 0;
  std::vector<Index> row, col;
  std::vector<double> value;
};

/// Reads the next line that is neither blank nor a comment; false at the end.
bool next_data_line(std::istream& in, Location& at) {
  // getline empties its string when it fails at the end, so lines are read
  // into a spare and swapped in: messages about a missing line then still
  // show the last line read.
  while (std::getline(in, at.spare)) {
    ++at.line_number;
    std::swap(at.line, at.spare);
    if (!at.line.empty() && at.line.back() == '\r') at.line.pop_back();
    if (is_blank(at.line)) continue;
    const auto first = at.line.find_first_not_of(" \t");
    if (at.line[first] == '%') continue;
    return true;
  }
  if (in.bad())
    detail::raise<Error>(kReadFunction,
                         at.source + ": read error after line " + std::to_string(at.line_number));
  return false;
}

std::pair<Field, Symmetry> parse_header(std::istream& in, Location& at) {
  if (!std::getline(in, at.line)) {
    if (in.bad()) detail::raise<Error>(kReadFunction, at.source + ": read error at line 1");
    at.line_number = 1;
    fail(kReadFunction, at, "empty input, expected a '%%MatrixMarket' header");
  }
  at.line_number = 1;
  if (!at.line.empty() && at.line.back() == '\r') at.line.pop_back();
  std::vector<std::string_view> words;
  split(at.line, words);
  const char* expected =
      "malformed header, expected '%%MatrixMarket matrix coordinate <field> <symmetry>'";
  if (words.size() != 5 || lower(words[0]) != "%%matrixmarket") fail(kReadFunction, at, expected);
  const std::string object = lower(words[1]), format = lower(words[2]), field = lower(words[3]),
                    symmetry = lower(words[4]);
  if (object != "matrix")
    fail(kReadFunction, at, "unknown object '" + std::string(words[1]) + "', expected 'matrix'");
  if (format == "array")
    fail<NotSupported>(kReadFunction, at,
                       "the dense 'array' format is not supported, only 'coordinate'");
  if (format != "coordinate")
    fail(kReadFunction, at,
         "unknown format '" + std::string(words[2]) + "', expected 'coordinate' or 'array'");

  Field f{};
  if (field == "real" || field == "double") {
    f = Field::real;
  } else if (field == "integer") {
    f = Field::integer;
  } else if (field == "pattern") {
    f = Field::pattern;
  } else if (field == "complex") {
    fail<NotSupported>(kReadFunction, at, "the 'complex' field is not supported");
  } else {
    fail(kReadFunction, at,
         "unknown field '" + std::string(words[3]) +
             "', expected 'real', 'integer', 'pattern' or 'complex'");
  }

  Symmetry s{};
  if (symmetry == "general") {
    s = Symmetry::general;
  } else if (symmetry == "symmetric") {
    s = Symmetry::symmetric;
  } else if (symmetry == "skew-symmetric") {
    s = Symmetry::skew_symmetric;
  } else if (symmetry == "hermitian") {
    fail<NotSupported>(kReadFunction, at, "the 'hermitian' symmetry is not supported");
  } else {
    fail(kReadFunction, at,
         "unknown symmetry '" + std::string(words[4]) +
             "', expected 'general', 'symmetric', 'skew-symmetric' or 'hermitian'");
  }
  if (f == Field::pattern && s == Symmetry::skew_symmetric)
    fail(kReadFunction, at, "a 'pattern' matrix cannot be 'skew-symmetric'");
  return {f, s};
}

/// Reads one 1-based index token and returns it 0-based.
Index parse_index(std::string_view token, const char* what, Index bound, const Location& at) {
  long long value = 0;
  if (!parse_integer(token, value))
    fail(kReadFunction, at,
         std::string(what) + " index '" + std::string(token) + "' is not an integer");
  if (value < 1)
    fail(kReadFunction, at,
         std::string(what) + " index " + std::to_string(value) +
             " is below 1 (indices are 1-based)");
  if (value > bound)
    fail(kReadFunction, at,
         std::string(what) + " index " + std::to_string(value) + " exceeds the " + what +
             " count " + std::to_string(bound));
  return Index(value - 1);
}

double parse_value(std::string_view token, Field field, const Location& at) {
  if (field == Field::integer) {
    long long value = 0;
    if (!parse_integer(token, value))
      fail(kReadFunction, at,
           "value '" + std::string(token) + "' is not an integer (the field is 'integer')");
    return double(value);
  }
  double value = 0;
  switch (parse_double(token, value)) {
    case NumberStatus::not_a_number:
      fail(kReadFunction, at, "value '" + std::string(token) + "' is not a number");
    case NumberStatus::out_of_range:
      fail(kReadFunction, at, "value '" + std::string(token) + "' is outside the range of double");
    case NumberStatus::ok:
      break;
  }
  if (!std::isfinite(value))
    fail(kReadFunction, at, "value '" + std::string(token) + "' is not finite");
  return value;
}

Contents parse(std::istream& in, const std::string& source_name) {
  Location at{source_name, 0, {}, {}};
  const auto [field, symmetry] = parse_header(in, at);

  std::vector<std::string_view> tokens;
  if (!next_data_line(in, at))
    fail(kReadFunction, at, "input ends before the size line 'rows columns entries'; last line");
  split(at.line, tokens);
  long long sizes[3] = {0, 0, 0};
  const char* names[3] = {"row count", "column count", "entry count"};
  if (tokens.size() != 3)
    fail(kReadFunction, at,
         "bad size line: expected 3 fields 'rows columns entries', found " +
             std::to_string(tokens.size()));
  for (int k = 0; k < 3; ++k) {
    if (!parse_integer(tokens[k], sizes[k]) || sizes[k] < 0)
      fail(kReadFunction, at,
           std::string("bad size line: ") + names[k] + " '" + std::string(tokens[k]) +
               "' is not a non-negative integer");
    if (sizes[k] > std::numeric_limits<Index>::max())
      fail(kReadFunction, at,
           std::string("bad size line: ") + names[k] + " " + std::to_string(sizes[k]) +
               " exceeds the index type's maximum " +
               std::to_string(std::numeric_limits<Index>::max()));
  }
  Contents out;
  out.rows = Index(sizes[0]);
  out.cols = Index(sizes[1]);
  const auto declared = std::size_t(sizes[2]);
  if (symmetry != Symmetry::general && out.rows != out.cols)
    fail(kReadFunction, at, "bad size line: a symmetric or skew-symmetric matrix must be square");

  // The declared count is not trusted for the allocation: a corrupt size line
  // should fail on its first missing entry, not on a huge reserve.
  const std::size_t reserve = std::min<std::size_t>(declared, std::size_t(1) << 20) *
                              (symmetry == Symmetry::general ? 1 : 2);
  out.row.reserve(reserve);
  out.col.reserve(reserve);
  out.value.reserve(reserve);

  const std::size_t fields = field == Field::pattern ? 2 : 3;
  std::size_t count = 0;
  while (next_data_line(in, at)) {
    if (count == declared)
      fail(kReadFunction, at,
           "more entries than the " + std::to_string(declared) + " declared in the size line");
    split(at.line, tokens);
    if (tokens.size() != fields)
      fail(kReadFunction, at,
           "entry " + std::to_string(count + 1) + " has " + std::to_string(tokens.size()) +
               " fields, expected " + std::to_string(fields) +
               (fields == 2 ? " (row column)" : " (row column value)"));
    const Index i = parse_index(tokens[0], "row", out.rows, at);
    const Index j = parse_index(tokens[1], "column", out.cols, at);
    const double v = fields == 2 ? 1.0 : parse_value(tokens[2], field, at);
    if (symmetry == Symmetry::skew_symmetric && i == j)
      fail(kReadFunction, at,
           "diagonal entry in a skew-symmetric file (its diagonal is zero and not stored)");
    out.row.push_back(i);
    out.col.push_back(j);
    out.value.push_back(v);
    if (symmetry != Symmetry::general && i != j) {
      out.row.push_back(j);
      out.col.push_back(i);
      out.value.push_back(symmetry == Symmetry::skew_symmetric ? -v : v);
    }
    ++count;
  }
  if (count < declared)
    fail(kReadFunction, at,
         "input ends after " + std::to_string(count) + " of the " + std::to_string(declared) +
             " entries declared in the size line; last line");
  return out;
}

std::ifstream open_for_reading(const std::string& path, const char* function) {
  std::ifstream in(path);
  if (!in) detail::raise<InvalidArgument>(function, "cannot open '" + path + "' for reading");
  return in;
}

/// Sets the "C" locale and the number format on a stream and restores the
/// caller's settings when done, also when an exception leaves.
class StreamFormat {
 public:
  explicit StreamFormat(std::ostream& out)
      : out_(out),
        locale_(out.imbue(std::locale::classic())),
        precision_(out.precision(std::numeric_limits<double>::max_digits10)),
        flags_(out.flags()) {
    // Default float notation (%g): exponent only when needed, max_digits10
    // significant digits, which reads back to the same double.
    out.unsetf(std::ios_base::floatfield | std::ios_base::showpos | std::ios_base::showpoint);
  }
  ~StreamFormat() {
    out_.flags(flags_);
    out_.precision(precision_);
    out_.imbue(locale_);
  }
  StreamFormat(const StreamFormat&) = delete;
  StreamFormat& operator=(const StreamFormat&) = delete;

 private:
  std::ostream& out_;
  std::locale locale_;
  std::streamsize precision_;
  std::ios_base::fmtflags flags_;
};

/// What the writers need, gathered on the host and checked before anything is
/// written, so that a refused matrix leaves no partial file behind.
struct HostEntries {
  Index rows = 0, cols = 0;
  std::vector<Index> ptr, idx;
  std::vector<double> values;  // empty for a pattern
  const char* field = "pattern";
};

HostEntries gather(const Pattern& pattern) {
  HostEntries e;
  e.rows = pattern.rows();
  e.cols = pattern.cols();
  std::tie(e.ptr, e.idx) = pattern.host_arrays();
  return e;
}

HostEntries gather(const CsrMatrix<double>& a) {
  HostEntries e = gather(a.pattern());
  e.values = a.host_values();
  e.field = "real";
  for (Index i = 0; i < e.rows; ++i)
    for (Index k = e.ptr[i]; k < e.ptr[i + 1]; ++k)
      if (!std::isfinite(e.values[k])) {
        std::ostringstream message;
        message << "entry (" << i << ", " << e.idx[k] << ") (0-based) has the non-finite value "
                << e.values[k] << "; Matrix Market files hold finite values only";
        detail::raise<InvalidArgument>(kWriteFunction, message.str());
      }
  return e;
}

void write_entries(std::ostream& out, const HostEntries& e) {
  const StreamFormat format(out);
  out << "%%MatrixMarket matrix coordinate " << e.field << " general\n"
      << "% written by sparsediff\n"
      << e.rows << ' ' << e.cols << ' ' << e.idx.size() << '\n';
  const bool with_values = !e.values.empty();
  for (Index i = 0; i < e.rows; ++i)
    for (Index k = e.ptr[i]; k < e.ptr[i + 1]; ++k) {
      out << i + 1 << ' ' << e.idx[k] + 1;
      if (with_values) out << ' ' << e.values[k];
      out << '\n';
    }
  out.flush();
  if (!out) detail::raise<Error>(kWriteFunction, "writing the matrix failed");
}

void write_file(const std::string& path, const HostEntries& e) {
  std::ofstream out(path);
  if (!out)
    detail::raise<InvalidArgument>(kWriteFunction, "cannot open '" + path + "' for writing");
  write_entries(out, e);
  out.close();
  if (!out) detail::raise<Error>(kWriteFunction, "writing '" + path + "' failed");
}

}  // namespace

CooMatrix<double> read_matrix_market(std::istream& in, const std::string& source_name) {
  Contents c = parse(in, source_name);
  return CooMatrix<double>(c.rows, c.cols, std::move(c.row), std::move(c.col), std::move(c.value));
}

CooMatrix<double> read_matrix_market(const std::string& path) {
  auto in = open_for_reading(path, kReadFunction);
  return read_matrix_market(in, path);
}

Pattern read_matrix_market_pattern(std::istream& in, const std::string& source_name) {
  const Contents c = parse(in, source_name);
  return Pattern::from_coo(c.rows, c.cols, c.row, c.col);
}

Pattern read_matrix_market_pattern(const std::string& path) {
  auto in = open_for_reading(path, kReadFunction);
  return read_matrix_market_pattern(in, path);
}

void write_matrix_market(std::ostream& out, const CsrMatrix<double>& a) {
  write_entries(out, gather(a));
}

void write_matrix_market(const std::string& path, const CsrMatrix<double>& a) {
  write_file(path, gather(a));
}

void write_matrix_market(std::ostream& out, const Pattern& pattern) {
  write_entries(out, gather(pattern));
}

void write_matrix_market(const std::string& path, const Pattern& pattern) {
  write_file(path, gather(pattern));
}

}  // namespace sparsediff
