// The ColPack adapter for symmetric (star and acyclic) colorings: ColPack's
// GraphColoringInterface on the adjacency graph of the pattern. ColPack
// takes the pattern in ADOL-C's row-compressed format (row i: the number of
// entries, then their columns; it drops the diagonal itself), orders the
// vertices and colors them with its star coloring (GraphColoring::
// StarColoring, what Coloring(..., "STAR") runs) or acyclic coloring.
//
// As in the Jacobian adapter (colpack.cpp), OpenMP is held at one thread for
// reproducible results, the ordering is called directly (the serial
// smallest-last; ColPack's string dispatch picks its OpenMP one) and
// Ordering::random hands ColPack the permutation drawn from the seed (its
// RANDOM ordering seeds rand() with the time).
#include <ColPackHeaders.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "detail/colpack_input.hpp"
#include "sparsediff/coloring/detail/bipartite.hpp"
#include "sparsediff/coloring/detail/symmetric_graph.hpp"
#include "sparsediff/coloring/symmetric.hpp"
#include "sparsediff/core/error.hpp"

namespace sparsediff {
namespace {

using detail::RowCompressed;
using detail::SingleThreadScope;

class SymmetricColPack : public ColPack::GraphColoringInterface {
 public:
  SymmetricColPack(unsigned int** rows, int n) : GraphColoringInterface(SRC_MEM_ADOLC, rows, n) {}

  // ColPack's ordering for `ordering`, or the permutation `random_order`.
  int order(Ordering ordering, std::vector<int> random_order) {
    switch (ordering) {
      case Ordering::natural:
        return NaturalOrdering();
      case Ordering::largest_first:
        return LargestFirstOrdering();
      case Ordering::smallest_last:
        return SmallestLastOrdering_serial();
      case Ordering::incidence_degree:
        return IncidenceDegreeOrdering();
      case Ordering::dynamic_largest_first:
        return DynamicLargestFirstOrdering();
      case Ordering::random:
        m_vi_OrderedVertices = std::move(random_order);
        m_s_VertexOrderingVariant = "RANDOM";
        return 1;
    }
    return 0;
  }
  const std::vector<int>& ordered_vertices() const { return m_vi_OrderedVertices; }

  int color(SymmetricColoringKind kind) {
    return kind == SymmetricColoringKind::star ? ColPack::GraphColoring::StarColoring()
                                               : ColPack::GraphColoring::AcyclicColoring();
  }
};

void check_order(const std::vector<int>& order, Index n, Ordering ordering) {
  SPARSEDIFF_REQUIRE(order.size() == static_cast<std::size_t>(n), NotSupported,
                     "ColPack's " << to_string(ordering) << " ordering returned " << order.size()
                                  << " of " << n << " vertices");
  std::vector<char> seen(static_cast<std::size_t>(n), 0);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const int v = order[k];
    SPARSEDIFF_REQUIRE(v >= 0 && v < n && !seen[v], NotSupported,
                       "ColPack's " << to_string(ordering) << " ordering is not a permutation "
                                    << "(position " << k << ": vertex " << v << ")");
    seen[v] = 1;
  }
}

}  // namespace

SymmetricColoring colpack_symmetric_coloring(const Pattern& pattern,
                                             const SymmetricColoringOptions& options) {
  SPARSEDIFF_REQUIRE(
      options.kind == SymmetricColoringKind::star || options.kind == SymmetricColoringKind::acyclic,
      InvalidArgument, "unknown symmetric coloring kind value " << static_cast<int>(options.kind));
  SPARSEDIFF_REQUIRE(static_cast<int>(options.ordering) >= static_cast<int>(Ordering::natural) &&
                         static_cast<int>(options.ordering) <= static_cast<int>(Ordering::random),
                     InvalidArgument,
                     "unknown ordering value " << static_cast<int>(options.ordering));
  const auto start = std::chrono::steady_clock::now();
  // Checks squareness and symmetry (ColPack would take any pattern) and gives
  // the lower bound.
  const detail::SymmetricGraph graph =
      detail::make_symmetric_graph(pattern, "colpack_symmetric_coloring");
  const Index n = pattern.rows();
  SymmetricColoring result;
  result.kind = options.kind;
  result.ordering = options.ordering;
  result.backend = ColoringBackend::colpack;
  if (graph.num_edges == 0) {
    // Nothing conflicts; ColPack's orderings are not written for graphs without edges.
    result.colors.assign(static_cast<std::size_t>(n), 0);
    result.num_colors = n > 0 ? 1 : 0;
  } else {
    std::vector<int> colors;
    {
      SingleThreadScope one_thread;
      RowCompressed input(pattern);
      SymmetricColPack colpack(input.data(), n);
      std::vector<int> random_order;
      if (options.ordering == Ordering::random)
        random_order = detail::random_permutation(n, options.seed);
      SPARSEDIFF_REQUIRE(colpack.order(options.ordering, std::move(random_order)) == 1,
                         NotSupported,
                         "ColPack's " << to_string(options.ordering) << " ordering failed");
      check_order(colpack.ordered_vertices(), n, options.ordering);
      SPARSEDIFF_REQUIRE(colpack.color(options.kind) == 1, NotSupported,
                         "ColPack's " << to_string(options.kind) << " coloring failed");
      colpack.GetVertexColors(colors);
    }
    SPARSEDIFF_REQUIRE(colors.size() == static_cast<std::size_t>(n), NotSupported,
                       "ColPack returned " << colors.size() << " colors for " << n << " vertices");
    // Renumber the colors used, in increasing order, to 0 .. k - 1.
    const int max_color = *std::max_element(colors.begin(), colors.end());
    std::vector<Index> renumber(static_cast<std::size_t>(std::max(max_color, 0)) + 1, -1);
    for (std::size_t v = 0; v < colors.size(); ++v) {
      SPARSEDIFF_REQUIRE(colors[v] >= 0, NotSupported, "ColPack left vertex " << v << " uncolored");
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
  result.lower_bound = detail::symmetric_lower_bound(graph);
  return result;
}

}  // namespace sparsediff
