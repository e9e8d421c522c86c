#pragma once
/// @file
/// `TapeStream<T>`: the growable arrays a reverse-mode tape is made of.
///
/// A tape appends a few entries per recorded operation, tens of millions of
/// times for a large objective, so appending must cost a compare and a store:
/// no allocation per operation, storage grown geometrically (amortised O(1),
/// O(log n) reallocations per recording) and kept across recordings, so that
/// re-recording the same function on the same tape allocates nothing. Unlike
/// std::vector, growing does not initialise the new capacity (the entries are
/// written before they are read), and the number of
/// reallocations is counted so that tests and benchmarks can measure it.
/// Storage is malloc'd and grown with realloc, which for large blocks remaps
/// pages instead of copying them. A fresh tape still pays the page faults of
/// its first touch; reusing a tape avoids them (bench/reverse.cpp measures
/// fresh vs reused tapes).

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace sparsediff::detail {

/// Frees tape storage (malloc'd).
struct TapeMemoryDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};

/// Growable array of a trivially copyable T (the entries are raw storage:
/// written before they are read, never constructed or destroyed one by one).
template <class T>
class TapeStream {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "tape streams hold trivially copyable values");

 public:
  TapeStream() = default;
  TapeStream(TapeStream&&) noexcept = default;
  TapeStream& operator=(TapeStream&&) noexcept = default;
  TapeStream(const TapeStream&) = delete;
  TapeStream& operator=(const TapeStream&) = delete;

  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  /// Times the storage was (re)allocated since construction.
  std::size_t reallocations() const noexcept { return reallocations_; }
  T* data() noexcept { return static_cast<T*>(data_.get()); }
  const T* data() const noexcept { return static_cast<const T*>(data_.get()); }
  T& operator[](std::size_t i) noexcept { return data()[i]; }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }

  /// Forgets the entries, keeps the storage.
  void clear() noexcept { size_ = 0; }

  /// Entries that fit without growing.
  std::size_t room() const noexcept { return capacity_ - size_; }

  /// Appends k entries left for the caller to write; returns the first. Amortised O(k).
  T* extend(std::size_t k) {
    if (k > capacity_ - size_) grow(size_ + k);
    return unchecked_extend(k);
  }

  /// extend(k) when the caller knows that room() >= k.
  T* unchecked_extend(std::size_t k) noexcept {
    T* first = data() + size_;
    size_ += k;
    return first;
  }

  void push_back(const T& value) { *extend(1) = value; }
  void unchecked_push_back(const T& value) noexcept { data()[size_++] = value; }

  /// Makes room() >= k, growing geometrically.
  void ensure_room(std::size_t k) {
    if (k > capacity_ - size_) grow(size_ + k);
  }

  /// Makes room for `capacity` entries in all (no-op when there is room).
  void reserve(std::size_t capacity) {
    if (capacity > capacity_) reallocate(capacity);
  }

  /// Sets the size to `size` (growing the storage if needed, new entries unwritten).
  void resize(std::size_t size) {
    reserve(size);
    size_ = size;
  }

 private:
  [[gnu::noinline]] void grow(std::size_t needed) {
    reallocate(std::max({needed, 2 * capacity_, std::size_t(1024)}));
  }
  // realloc, not allocate-and-copy: for large blocks glibc moves the pages
  // (mremap) instead of copying them and faulting in a second buffer.
  void reallocate(std::size_t capacity) {
    void* grown = std::realloc(data_.get(), std::max<std::size_t>(capacity * sizeof(T), 1));
    if (grown == nullptr) throw std::bad_alloc();
    data_.release();
    data_.reset(grown);
    capacity_ = capacity;
    ++reallocations_;
  }

  std::unique_ptr<void, TapeMemoryDeleter> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t reallocations_ = 0;
};

}  // namespace sparsediff::detail
