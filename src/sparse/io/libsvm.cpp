// LibSVM reader (see the header for the format and the error behaviour).
#include "sparsediff/sparse/io/libsvm.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <istream>
#include <limits>
#include <locale>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/text.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {
namespace {

constexpr const char* kFunction = "read_libsvm";

[[noreturn]] void fail(const std::string& source, std::size_t line_number, const std::string& line,
                       const std::string& reason) {
  detail::text::fail_at_line<ParseError>(kFunction, source, line_number, line, reason);
}

using detail::text::parse_integer;
using detail::text::split;
using detail::text::without_plus;

/// Parses the whole token as a finite double in the "C" locale.
bool parse_finite(std::string_view token, double& value) {
  token = without_plus(token);
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
  const char* end = token.data() + token.size();
  const auto result = std::from_chars(token.data(), end, value);
  if (result.ec != std::errc() || result.ptr != end) return false;
#else
  std::istringstream stream{std::string(token)};
  stream.imbue(std::locale::classic());
  stream >> value;
  if (stream.fail() || stream.peek() != std::char_traits<char>::eof()) return false;
#endif
  return std::isfinite(value);
}

}  // namespace

LibsvmData read_libsvm(std::istream& in, LibsvmIndexBase base, Index num_features,
                       const std::string& source_name) {
  SPARSEDIFF_REQUIRE(num_features >= -1, InvalidArgument,
                     "num_features = " << num_features << ", expected -1 (from the data) or >= 0");
  const long long first = base == LibsvmIndexBase::one ? 1 : 0;
  const char* base_name = base == LibsvmIndexBase::one ? "1-based" : "0-based";
  // Largest 0-based index the result can hold.
  const long long limit =
      num_features >= 0 ? num_features : (long long)std::numeric_limits<Index>::max();

  std::vector<Index> row_ptr{0}, col_idx;
  std::vector<double> values, labels;
  std::vector<std::pair<Index, double>> row;
  std::vector<std::string_view> tokens;
  Index max_index = -1;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const auto data = std::string_view(line).substr(0, line.find('#'));
    split(data, tokens);
    if (tokens.empty()) continue;
    auto error = [&](const std::string& reason) { fail(source_name, line_number, line, reason); };

    double label = 0;
    if (!parse_finite(tokens[0], label))
      error("label '" + std::string(tokens[0]) + "' is not a finite number");
    row.clear();
    for (std::size_t t = 1; t < tokens.size(); ++t) {
      const std::string_view token = tokens[t];
      const auto colon = token.find(':');
      if (colon == std::string_view::npos)
        error("feature '" + std::string(token) + "' is not index:value");
      const std::string_view index_text = token.substr(0, colon);
      const std::string_view value_text = token.substr(colon + 1);
      long long index = 0;
      if (!parse_integer(index_text, index))
        error("feature index '" + std::string(index_text) + "' is not an integer");
      if (index < first)
        error("feature index " + std::to_string(index) + " is below " + std::to_string(first) +
              " (the file is read as " + base_name + ")");
      if (index - first >= limit)
        error("feature index " + std::to_string(index) + " is beyond the " + std::to_string(limit) +
              " features allowed (" + base_name + " indices up to " +
              std::to_string(limit - 1 + first) + ")");
      double value = 0;
      if (!parse_finite(value_text, value))
        error("value '" + std::string(value_text) + "' of feature " + std::to_string(index) +
              " is not a finite number");
      row.emplace_back(Index(index - first), value);
    }
    // Files are usually sorted already; a stable sort keeps that cheap and
    // lines up repeated indices for the check.
    std::stable_sort(row.begin(), row.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 1; k < row.size(); ++k)
      if (row[k].first == row[k - 1].first)
        error("feature index " + std::to_string(row[k].first + first) + " appears more than once");
    if (col_idx.size() + row.size() > std::size_t(std::numeric_limits<Index>::max()))
      error("more features in the file than the index type can count");
    if (labels.size() == std::size_t(std::numeric_limits<Index>::max()))
      error("more samples than the index type can count");
    for (const auto& [j, v] : row) {
      col_idx.push_back(j);
      values.push_back(v);
    }
    if (!row.empty()) max_index = std::max(max_index, row.back().first);
    row_ptr.push_back(Index(col_idx.size()));
    labels.push_back(label);
  }
  if (in.bad())
    detail::raise<Error>(kFunction,
                         source_name + ": read error after line " + std::to_string(line_number));

  const Index rows = Index(labels.size());
  const Index cols = num_features >= 0 ? num_features : max_index + 1;
  auto pattern = Pattern::from_csr(rows, cols, std::move(row_ptr), std::move(col_idx));
  return {CsrMatrix<double>(std::move(pattern), values), std::move(labels)};
}

LibsvmData read_libsvm(const std::string& path, LibsvmIndexBase base, Index num_features) {
  SPARSEDIFF_REQUIRE(num_features >= -1, InvalidArgument,
                     "num_features = " << num_features << ", expected -1 (from the data) or >= 0");
  std::ifstream in(path);
  if (!in) detail::raise<InvalidArgument>(kFunction, "cannot open '" + path + "' for reading");
  return read_libsvm(in, base, num_features, path);
}

}  // namespace sparsediff
