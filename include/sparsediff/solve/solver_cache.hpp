#pragma once
/// @file
/// `SolverCache`: one analyzed `LinearSolver` per pattern.
///
/// The symbolic analysis of a sparse factorization depends only on the
/// pattern, and codes that solve with matrices of a few patterns over and
/// over (a Newton solver called per time step, a Jacobian and its adjoint,
/// a multigrid hierarchy, a mesh that adapts now and then) should pay for it
/// once per pattern. The cache maps a pattern, by its hash and then by
/// structural equality (a hash collision never returns a wrong solver), to a
/// shared solver analyzed for it; when full, it evicts the least recently
/// used pattern.
///
/// Solvers are shared, not copied: two callers asking for the same pattern
/// get the same object and each `factorize` replaces the factors the other
/// may still want. Keep the returned pointer while the factors are in use
/// (e.g. from the forward solve to the adjoint solve). Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sparsediff/core/error.hpp"
#include "sparsediff/solve/linear_solver.hpp"

namespace sparsediff {

/// Least-recently-used cache of analyzed `LinearSolver`s keyed by pattern.
class SolverCache {
 public:
  /// @param options the options of every solver the cache creates.
  /// @param capacity the most patterns kept (>= 1).
  /// @throws InvalidArgument when capacity is 0; NotSupported as `LinearSolver`.
  explicit SolverCache(LinearSolverOptions options = {}, std::size_t capacity = 8)
      : options_(options), capacity_(capacity) {
    SPARSEDIFF_REQUIRE(capacity >= 1, InvalidArgument, "capacity must be at least 1");
    LinearSolver check(options_);  // refuses invalid options now, not at the first get()
  }

  /// A solver analyzed for `pattern`: the cached one when an equal pattern
  /// was seen (a hit), else a new one, analyzed now (a miss; may evict the
  /// least recently used entry).
  /// @throws as `LinearSolver::analyze` on a miss (nothing is cached then).
  /// Complexity: O(size()) hash comparisons, plus O(nnz) for the equality
  /// check when the pattern is not the very same object's arrays.
  std::shared_ptr<LinearSolver> get(const Pattern& pattern) {
    ++clock_;
    for (auto& entry : entries_)
      if (entry.hash == pattern.hash() && entry.solver->pattern() == pattern) {
        entry.last_used = clock_;
        ++hits_;
        return entry.solver;
      }
    auto solver = std::make_shared<LinearSolver>(pattern, options_);
    ++misses_;
    if (entries_.size() == capacity_) {
      std::size_t oldest = 0;
      for (std::size_t e = 1; e < entries_.size(); ++e)
        if (entries_[e].last_used < entries_[oldest].last_used) oldest = e;
      entries_.erase(entries_.begin() + std::ptrdiff_t(oldest));
    }
    entries_.push_back({pattern.hash(), clock_, solver});
    return solver;
  }

  /// `get(a.pattern())` then `factorize(a)` on it; returns the solver,
  /// ready to solve.
  /// @throws as `get` and `LinearSolver::factorize`.
  std::shared_ptr<LinearSolver> factorize(const CsrMatrix<double>& a) {
    auto solver = get(a.pattern());
    solver->factorize(a);
    return solver;
  }

  /// Number of patterns held.
  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }
  /// Lookups answered from the cache, and those that analyzed a new pattern.
  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }
  const LinearSolverOptions& options() const { return options_; }
  /// Drops every solver (callers' shared pointers stay valid).
  void clear() { entries_.clear(); }

 private:
  struct Entry {
    std::uint64_t hash;
    std::uint64_t last_used;
    std::shared_ptr<LinearSolver> solver;
  };

  LinearSolverOptions options_;
  std::size_t capacity_;
  std::vector<Entry> entries_;
  std::uint64_t clock_ = 0;
  std::size_t hits_ = 0, misses_ = 0;
};

}  // namespace sparsediff
