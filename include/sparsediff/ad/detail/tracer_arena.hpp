#pragma once
/// @file
/// `TracerArena`: the bump allocator holding the index sets of Jacobian
/// tracers (ad/tracer.hpp).
///
/// A tracer is a 16-byte value — a size and either one index or a pointer to
/// a sorted array — so copying one is free and it travels in registers. The
/// arrays are immutable once written and live in an arena: a union merges
/// its operands into fresh space at the arena's top and gives back what the
/// merge did not use, so it never calls malloc. Two consequences make this
/// fast on the code detection sees:
///
///  - an array that ends exactly at the top can be *extended* in place when
///    every new index is larger than its last one: the old tracer still sees
///    its (unchanged) prefix, the new one the longer array. Accumulating
///    `s += x[j]` in increasing j is therefore O(1) per term, not O(|s|);
///  - a row kernel's temporaries all die when the row is written out, so
///    detection resets the arena per row and it stays in L1 cache.
///
/// Which arena a union uses is a per-thread setting: the detection functions
/// install a `ScopedTracerArena` for the duration of a call (one per worker
/// thread for row kernels); tracers combined outside any detection call use a
/// per-thread fallback arena that is freed when the thread ends.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sparsediff/core/config.hpp"

namespace sparsediff::detail {

/// Chunked bump allocator of Index arrays. Not thread-safe: one per thread.
class TracerArena {
 public:
  TracerArena() = default;
  TracerArena(const TracerArena&) = delete;
  TracerArena& operator=(const TracerArena&) = delete;

  /// Room for `count` indices at the top; valid until reset(). Amortised O(1).
  Index* allocate(Index count) {
    if (end_ - top_ < count) grow(count);
    Index* p = top_;
    top_ += count;
    return p;
  }

  /// Gives back the end of the last allocation: the top becomes `new_top`,
  /// which must lie within the last allocation.
  void shrink_to(Index* new_top) noexcept { top_ = new_top; }

  /// True when [p, p + count) ends at the top of the current chunk and
  /// `extra` more indices fit after it, so the array may be extended in place.
  bool can_extend(const Index* p, Index count, Index extra) const noexcept {
    return p + count == top_ && p >= chunk_begin_ && end_ - top_ >= extra;
  }

  /// Forgets every allocation (all arrays handed out become invalid) and
  /// keeps the largest chunk for reuse. O(number of chunks).
  void reset() noexcept {
    if (chunks_.empty()) return;
    if (chunks_.size() > 1) {
      std::swap(chunks_.front(), chunks_.back());
      chunks_.resize(1);
    }
    chunk_begin_ = top_ = chunks_.front().data.get();
    end_ = chunk_begin_ + chunks_.front().size;
  }

  /// Indices held by all chunks (for tests and diagnostics).
  std::size_t capacity() const noexcept {
    std::size_t total = 0;
    for (const auto& c : chunks_) total += c.size;
    return total;
  }

 private:
  struct Chunk {
    std::unique_ptr<Index[]> data;
    std::ptrdiff_t size;
  };

  // A new chunk at least twice the last (up to 16 Mi indices), so the
  // number of chunks stays logarithmic in the total.
  void grow(Index count) {
    constexpr std::ptrdiff_t first_size = 4096, largest_growth = std::ptrdiff_t(1) << 24;
    const std::ptrdiff_t last = chunks_.empty() ? 0 : chunks_.back().size;
    const std::ptrdiff_t size = std::max<std::ptrdiff_t>(
        {first_size, std::min(2 * last, last + largest_growth), std::ptrdiff_t(count)});
    chunks_.push_back(Chunk{std::unique_ptr<Index[]>(new Index[std::size_t(size)]), size});
    chunk_begin_ = top_ = chunks_.back().data.get();
    end_ = chunk_begin_ + size;
  }

  std::vector<Chunk> chunks_;
  Index* chunk_begin_ = nullptr;
  Index* top_ = nullptr;
  Index* end_ = nullptr;
};

/// The arena installed on this thread by a detection call, if any.
inline thread_local TracerArena* installed_tracer_arena = nullptr;

/// The arena unions on this thread allocate from.
inline TracerArena& current_tracer_arena() {
  if (installed_tracer_arena != nullptr) return *installed_tracer_arena;
  static thread_local TracerArena fallback;
  return fallback;
}

/// Installs a fresh arena on this thread for its lifetime (restoring the
/// previous one after), so that a detection call's arrays are freed with it.
class ScopedTracerArena {
 public:
  ScopedTracerArena() noexcept : previous_(installed_tracer_arena) {
    installed_tracer_arena = &arena_;
  }
  ~ScopedTracerArena() { installed_tracer_arena = previous_; }
  ScopedTracerArena(const ScopedTracerArena&) = delete;
  ScopedTracerArena& operator=(const ScopedTracerArena&) = delete;

  TracerArena& arena() noexcept { return arena_; }

 private:
  TracerArena arena_;
  TracerArena* previous_;
};

/// Merges the strictly increasing arrays a[0, na) and b[0, nb) into `out`
/// (room for na + nb entries), dropping duplicates; returns the length.
/// Branch-free apart from the loop tests, which pays off on the short
/// arrays tracers carry.
inline Index merge_sorted_unique(const Index* a, Index na, const Index* b, Index nb,
                                 Index* out) noexcept {
  Index i = 0, j = 0, k = 0;
  while (i < na && j < nb) {
    const Index x = a[i], y = b[j];
    out[k++] = x < y ? x : y;
    i += x <= y;
    j += y <= x;
  }
  while (i < na) out[k++] = a[i++];
  while (j < nb) out[k++] = b[j++];
  return k;
}

/// The union of two strictly increasing arrays as the tracers of both
/// ad/tracer.hpp and ad/hessian_tracer.hpp form it (not both operands of
/// size 1): one of the operands when it contains the other, else a sorted
/// array in `arena` — a's array extended in place when b lies beyond a's
/// last index and a ends at the arena's top (the old array still sees its
/// prefix), else a fresh merge. O(na + nb), amortised O(nb) when extending.
struct SortedUnion {
  enum class Source { a, b, arena };
  Source source;
  const Index* data;  ///< the array when source == arena
  Index size;
};

inline SortedUnion unite_sorted(TracerArena& arena, const Index* pa, Index na, const Index* pb,
                                Index nb) {
  if (na > 1 && pa[na - 1] < pb[0] && arena.can_extend(pa, na, nb)) {
    Index* tail = arena.allocate(nb);
    for (Index k = 0; k < nb; ++k) tail[k] = pb[k];
    return {SortedUnion::Source::arena, pa, na + nb};
  }
  Index* out = arena.allocate(na + nb);
  const Index count = merge_sorted_unique(pa, na, pb, nb, out);
  // When one operand contains the other, hand back the space and share it.
  if (count == na) {
    arena.shrink_to(out);
    return {SortedUnion::Source::a, pa, na};
  }
  if (count == nb) {
    arena.shrink_to(out);
    return {SortedUnion::Source::b, pb, nb};
  }
  arena.shrink_to(out + count);
  return {SortedUnion::Source::arena, out, count};
}

}  // namespace sparsediff::detail
