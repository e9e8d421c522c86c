#pragma once
// Line-oriented text parsing shared by the Matrix Market and LibSVM readers:
// whitespace splitting, integers in the "C" locale, and the one format of
// their error messages ("source:line: reason: "line text"").
#include <charconv>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sparsediff/core/error.hpp"

namespace sparsediff::detail::text {

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/// The whitespace-separated tokens of `line` (views into it).
inline void split(std::string_view line, std::vector<std::string_view>& tokens) {
  tokens.clear();
  std::size_t k = 0;
  while (k < line.size()) {
    while (k < line.size() && is_space(line[k])) ++k;
    const std::size_t start = k;
    while (k < line.size() && !is_space(line[k])) ++k;
    if (k > start) tokens.push_back(line.substr(start, k - start));
  }
}

/// A leading '+' is valid in the files ("+1" labels) but not for std::from_chars.
inline std::string_view without_plus(std::string_view token) {
  if (token.size() > 1 && token[0] == '+' && token[1] != '+' && token[1] != '-')
    token.remove_prefix(1);
  return token;
}

/// The whole token as an integer.
inline bool parse_integer(std::string_view token, long long& value) {
  token = without_plus(token);
  const char* end = token.data() + token.size();
  const auto result = std::from_chars(token.data(), end, value);
  return result.ec == std::errc() && result.ptr == end;
}

/// Throws `Exception` from `function` with "source:line_number: reason: "line""
/// (long lines cut: the number and the start are enough to find them).
template <class Exception>
[[noreturn]] void fail_at_line(const char* function, const std::string& source,
                               std::size_t line_number, const std::string& line,
                               const std::string& reason) {
  constexpr std::size_t kMaxShown = 80;
  std::string shown = line.substr(0, kMaxShown);
  if (line.size() > kMaxShown) shown += "...";
  std::ostringstream message;
  message << source << ":" << line_number << ": " << reason << ": \"" << shown << "\"";
  raise<Exception>(function, message.str());
}

}  // namespace sparsediff::detail::text
