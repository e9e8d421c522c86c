// color(): dispatch to the native or ColPack backend; names of the options.
#include "sparsediff/coloring/coloring.hpp"

#include <algorithm>

#include "sparsediff/coloring/colpack.hpp"
#include "sparsediff/coloring/greedy.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {

Coloring color(const Pattern& pattern, const ColoringOptions& options) {
  switch (options.backend) {
    case ColoringBackend::native:
      return greedy_coloring(pattern, options);
    case ColoringBackend::colpack:
      return colpack_coloring(pattern, options);
  }
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown coloring backend value " << static_cast<int>(options.backend));
  return {};
}

Index coloring_lower_bound(const Pattern& pattern, ColoringKind kind) {
  if (kind == ColoringKind::column) return pattern.max_row_nnz();
  SPARSEDIFF_REQUIRE(kind == ColoringKind::row, InvalidArgument,
                     "unknown coloring kind value " << static_cast<int>(kind));
  // Largest column count, without building the transpose.
  std::vector<Index> count(static_cast<std::size_t>(pattern.cols()), 0);
  const Index* col_idx = pattern.col_idx().data();
  for (Index k = 0; k < pattern.nnz(); ++k) ++count[col_idx[k]];
  return count.empty() ? 0 : *std::max_element(count.begin(), count.end());
}

namespace {

struct OrderingName {
  Ordering ordering;
  const char* short_name;
  const char* full_name;
};

constexpr OrderingName ordering_names[] = {
    {Ordering::natural, "natural", "natural"},
    {Ordering::largest_first, "lf", "largest_first"},
    {Ordering::smallest_last, "sl", "smallest_last"},
    {Ordering::incidence_degree, "id", "incidence_degree"},
    {Ordering::dynamic_largest_first, "dlf", "dynamic_largest_first"},
    {Ordering::random, "random", "random"},
};

}  // namespace

std::string to_string(Ordering ordering) {
  for (const auto& name : ordering_names)
    if (name.ordering == ordering) return name.short_name;
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown ordering value " << static_cast<int>(ordering));
  return {};
}

std::string to_string(ColoringKind kind) {
  switch (kind) {
    case ColoringKind::column:
      return "column";
    case ColoringKind::row:
      return "row";
  }
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown coloring kind value " << static_cast<int>(kind));
  return {};
}

std::string to_string(ColoringBackend backend) {
  switch (backend) {
    case ColoringBackend::native:
      return "native";
    case ColoringBackend::colpack:
      return "colpack";
  }
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown coloring backend value " << static_cast<int>(backend));
  return {};
}

std::string to_string(GreedySelection selection) {
  switch (selection) {
    case GreedySelection::in_order:
      return "in_order";
    case GreedySelection::saturation:
      return "saturation";
    case GreedySelection::best:
      return "best";
  }
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown greedy selection value " << static_cast<int>(selection));
  return {};
}

Ordering parse_ordering(const std::string& name) {
  for (const auto& entry : ordering_names)
    if (name == entry.short_name || name == entry.full_name) return entry.ordering;
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown ordering \"" << name
                                           << "\" (expected natural, lf, sl, id, dlf or random, "
                                              "or largest_first, smallest_last, "
                                              "incidence_degree, dynamic_largest_first)");
  return Ordering::natural;
}

ColoringKind parse_coloring_kind(const std::string& name) {
  if (name == "column") return ColoringKind::column;
  if (name == "row") return ColoringKind::row;
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown coloring kind \"" << name << "\" (expected column or row)");
  return ColoringKind::column;
}

ColoringBackend parse_coloring_backend(const std::string& name) {
  if (name == "native") return ColoringBackend::native;
  if (name == "colpack") return ColoringBackend::colpack;
  SPARSEDIFF_REQUIRE(false, InvalidArgument,
                     "unknown coloring backend \"" << name << "\" (expected native or colpack)");
  return ColoringBackend::native;
}

GreedySelection parse_greedy_selection(const std::string& name) {
  if (name == "in_order") return GreedySelection::in_order;
  if (name == "saturation") return GreedySelection::saturation;
  if (name == "best") return GreedySelection::best;
  SPARSEDIFF_REQUIRE(
      false, InvalidArgument,
      "unknown greedy selection \"" << name << "\" (expected in_order, saturation or best)");
  return GreedySelection::best;
}

}  // namespace sparsediff
