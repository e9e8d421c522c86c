// The independent coloring check. Deliberately shares nothing with the
// coloring code: it reads the pattern's own CSR arrays (or those of
// Pattern::transpose for the row kind) and keeps, per color, the last
// column (row) of the current row (column) that had it.
#include "sparsediff/coloring/verify.hpp"

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {
namespace {

struct Problem {
  bool dimension = false;  // DimensionMismatch rather than InvalidColoring
  std::string message;
};

std::optional<Problem> find_problem(const Pattern& pattern, const Coloring& coloring) {
  const bool column = coloring.kind == ColoringKind::column;
  if (!column && coloring.kind != ColoringKind::row)
    return Problem{
        false, "unknown coloring kind value " + std::to_string(static_cast<int>(coloring.kind))};
  const char* item = column ? "column" : "row";
  const char* other = column ? "row" : "column";
  // The side being colored is the columns of `lines` (rows of the pattern
  // for the column kind, rows of the transpose for the row kind).
  const Pattern lines = column ? pattern : pattern.transpose();
  const Index count = lines.cols();
  std::ostringstream out;
  if (coloring.colors.size() != static_cast<std::size_t>(count)) {
    out << coloring.colors.size() << " colors for " << count << " " << item << "s";
    return Problem{true, out.str()};
  }
  if (coloring.num_colors < 0) {
    out << "negative number of colors " << coloring.num_colors;
    return Problem{false, out.str()};
  }
  std::vector<char> used(static_cast<std::size_t>(coloring.num_colors), 0);
  for (Index v = 0; v < count; ++v) {
    const Index c = coloring.colors[v];
    if (c < 0 || c >= coloring.num_colors) {
      out << item << " " << v << " has color " << c << ", outside [0, " << coloring.num_colors
          << ")";
      return Problem{false, out.str()};
    }
    used[c] = 1;
  }
  for (Index c = 0; c < coloring.num_colors; ++c) {
    if (!used[c]) {
      out << "color " << c << " of " << coloring.num_colors << " is used by no " << item
          << " (colors must be contiguous)";
      return Problem{false, out.str()};
    }
  }
  // holder[c]: the item of color c met last, valid while holder_line[c] is
  // the current line.
  std::vector<Index> holder(static_cast<std::size_t>(coloring.num_colors), -1);
  std::vector<Index> holder_line(static_cast<std::size_t>(coloring.num_colors), -1);
  for (Index i = 0; i < lines.rows(); ++i) {
    for (Index k = lines.row_begin(i); k < lines.row_end(i); ++k) {
      const Index v = lines.col_idx()(k);
      const Index c = coloring.colors[v];
      if (holder_line[c] == i) {
        out << item << "s " << holder[c] << " and " << v << " both have color " << c
            << " and share " << other << " " << i;
        return Problem{false, out.str()};
      }
      holder_line[c] = i;
      holder[c] = v;
    }
  }
  return std::nullopt;
}

}  // namespace

bool is_valid(const Pattern& pattern, const Coloring& coloring) {
  return !find_problem(pattern, coloring).has_value();
}

void verify(const Pattern& pattern, const Coloring& coloring) {
  const std::optional<Problem> problem = find_problem(pattern, coloring);
  if (!problem) return;
  if (problem->dimension) detail::raise<DimensionMismatch>("verify", problem->message);
  detail::raise<InvalidColoring>("verify", problem->message);
}

}  // namespace sparsediff
