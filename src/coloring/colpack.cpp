// The ColPack adapter: the only file that includes ColPack's headers.
//
// ColPack takes the pattern in ADOL-C's row-compressed format (row i is an
// array whose first element is the number of entries, followed by their
// column indices), copies it into its own bipartite graph, orders one side
// and colors it. Colors come back 0-based in a std::vector<int>.
#include "sparsediff/coloring/colpack.hpp"

#include <ColPackHeaders.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "detail/colpack_input.hpp"
#include "sparsediff/coloring/detail/bipartite.hpp"
#include "sparsediff/coloring/greedy.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {
namespace {

using detail::RowCompressed;
using detail::SingleThreadScope;

// Gives access to ColPack's ordering slot, so that a permutation drawn here
// (Ordering::random) can be colored by ColPack.
class PartialColoring : public ColPack::BipartiteGraphPartialColoringInterface {
 public:
  PartialColoring(unsigned int** pattern, int rows, int cols)
      : ColPack::BipartiteGraphPartialColoringInterface(SRC_MEM_ADOLC, pattern, rows, cols) {}

  void set_order(std::vector<int> order, const std::string& variant) {
    m_vi_OrderedVertices = std::move(order);
    m_s_VertexOrderingVariant = variant;
  }
  const std::vector<int>& order() const { return m_vi_OrderedVertices; }
};

// Runs ColPack's ordering for `ordering` on the side given by `kind`.
int colpack_order(PartialColoring& colpack, ColoringKind kind, Ordering ordering, Index count,
                  Index offset, unsigned seed) {
  const bool column = kind == ColoringKind::column;
  switch (ordering) {
    case Ordering::natural:
      return column ? colpack.ColumnNaturalOrdering() : colpack.RowNaturalOrdering();
    case Ordering::largest_first:
      return column ? colpack.ColumnLargestFirstOrdering() : colpack.RowLargestFirstOrdering();
    case Ordering::smallest_last:
      return column ? colpack.ColumnSmallestLastOrdering_serial()
                    : colpack.RowSmallestLastOrdering_serial();
    case Ordering::incidence_degree:
      return column ? colpack.ColumnIncidenceDegreeOrdering()
                    : colpack.RowIncidenceDegreeOrdering();
    case Ordering::dynamic_largest_first:
      return column ? colpack.ColumnDynamicLargestFirstOrdering()
                    : colpack.RowDynamicLargestFirstOrdering();
    case Ordering::random: {
      // ColPack numbers the column vertices after the row vertices.
      std::vector<int> order = detail::random_permutation(count, seed);
      for (int& v : order) v += offset;
      colpack.set_order(std::move(order), column ? "COLUMN_RANDOM" : "ROW_RANDOM");
      return 1;
    }
  }
  return 0;
}

// True when ColPack's ordering is a permutation of its vertices
// offset .. offset + count - 1.
bool is_permutation(const std::vector<int>& order, Index count, Index offset) {
  if (order.size() != static_cast<std::size_t>(count)) return false;
  std::vector<char> seen(static_cast<std::size_t>(count), 0);
  for (const int vertex : order) {
    const int v = vertex - offset;
    if (v < 0 || v >= count || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

}  // namespace

Coloring colpack_coloring(const Pattern& pattern, const ColoringOptions& options) {
  SPARSEDIFF_REQUIRE(options.kind == ColoringKind::column || options.kind == ColoringKind::row,
                     InvalidArgument,
                     "unknown coloring kind value " << static_cast<int>(options.kind));
  SPARSEDIFF_REQUIRE(static_cast<int>(options.ordering) >= static_cast<int>(Ordering::natural) &&
                         static_cast<int>(options.ordering) <= static_cast<int>(Ordering::random),
                     InvalidArgument,
                     "unknown ordering value " << static_cast<int>(options.ordering));
  SPARSEDIFF_REQUIRE(options.selection != GreedySelection::saturation, NotSupported,
                     "ColPack colors in order only; GreedySelection::saturation needs the "
                     "native backend");
  SPARSEDIFF_REQUIRE(
      options.selection == GreedySelection::in_order || options.selection == GreedySelection::best,
      InvalidArgument, "unknown greedy selection value " << static_cast<int>(options.selection));
  const auto start = std::chrono::steady_clock::now();
  const bool column = options.kind == ColoringKind::column;
  const Index count = column ? pattern.cols() : pattern.rows();

  Coloring result;
  result.kind = options.kind;
  result.ordering = options.ordering;
  result.backend = ColoringBackend::colpack;
  result.selection = GreedySelection::in_order;
  if (pattern.nnz() == 0) {
    // Nothing conflicts; ColPack's orderings are not written for empty graphs.
    result.colors.assign(static_cast<std::size_t>(count), 0);
    result.num_colors = count > 0 ? 1 : 0;
  } else {
    std::vector<int> colors;
    {
      SingleThreadScope single_thread;
      RowCompressed input(pattern);
      PartialColoring colpack(input.data(), pattern.rows(), pattern.cols());
      const Index offset = column ? pattern.rows() : 0;
      SPARSEDIFF_REQUIRE(
          colpack_order(colpack, options.kind, options.ordering, count, offset, options.seed) == 1,
          NotSupported, "ColPack's " << to_string(options.ordering) << " ordering failed");
      if (options.ordering == Ordering::largest_first &&
          !is_permutation(colpack.order(), count, offset)) {
        // ColPack 1.0.10's largest-first tracks the smallest degree only
        // when a degree is not a new maximum, and drops the vertices below
        // that value (e.g. column degrees 1, 2, 3, 2). Its intended order,
        // decreasing degree with ties by index, is the native one (the
        // tests check both agree wherever ColPack's is complete).
        std::vector<Index> order = greedy_order(pattern, options.kind, Ordering::largest_first);
        for (Index& v : order) v += offset;
        colpack.set_order(std::vector<int>(order.begin(), order.end()),
                          column ? "COLUMN_LARGEST_FIRST" : "ROW_LARGEST_FIRST");
      }
      SPARSEDIFF_REQUIRE(is_permutation(colpack.order(), count, offset), NotSupported,
                         "ColPack's " << to_string(options.ordering)
                                      << " ordering is not a permutation of the " << count << " "
                                      << to_string(options.kind) << "s");
      // The serial greedy: ColPack's default under OpenMP is its speculative
      // parallel coloring, which with one thread colors the same way at the
      // cost of an extra conflict-detection pass.
      const int status = column ? colpack.PartialDistanceTwoColumnColoring_serial()
                                : colpack.PartialDistanceTwoRowColoring_serial();
      SPARSEDIFF_REQUIRE(
          status == 1, NotSupported,
          "ColPack's partial distance-2 " << to_string(options.kind) << " coloring failed");
      colpack.GetVertexPartialColors(colors);
    }
    SPARSEDIFF_REQUIRE(colors.size() == static_cast<std::size_t>(count), NotSupported,
                       "ColPack returned " << colors.size() << " colors for " << count << " "
                                           << to_string(options.kind) << "s");
    // Renumber the colors used, in increasing order, to 0 .. k - 1.
    const int max_color = count == 0 ? -1 : *std::max_element(colors.begin(), colors.end());
    std::vector<Index> renumber(static_cast<std::size_t>(max_color) + 1, -1);
    for (std::size_t v = 0; v < colors.size(); ++v) {
      SPARSEDIFF_REQUIRE(colors[v] >= 0, NotSupported,
                         "ColPack left " << to_string(options.kind) << " " << v << " uncolored");
      renumber[colors[v]] = 0;
    }
    Index next = 0;
    for (Index& c : renumber)
      if (c == 0) c = next++;
    result.colors.resize(colors.size());
    for (std::size_t v = 0; v < colors.size(); ++v) result.colors[v] = renumber[colors[v]];
    result.num_colors = next;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.lower_bound = coloring_lower_bound(pattern, options.kind);
  return result;
}

}  // namespace sparsediff
