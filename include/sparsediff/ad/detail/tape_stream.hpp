#pragma once
/// @file
/// `TapeStream<T>`: the growable arrays a reverse-mode tape is made of.
///
/// A tape appends a few entries per recorded operation, tens of millions of
/// times for a large objective, so appending must cost a compare and a store:
/// no allocation per operation, storage grown geometrically (amortised O(1),
/// O(log n) reallocations per recording) and kept across recordings, so that
/// re-recording the same function on the same tape allocates nothing. Unlike
/// std::vector, growing does not value-initialise the new capacity (the
/// entries are written before they are read), and the number of
/// reallocations is counted so that tests and benchmarks can measure it.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>

namespace sparsediff::detail {

template <class T>
class TapeStream {
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
  T* data() noexcept { return data_.get(); }
  const T* data() const noexcept { return data_.get(); }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }

  /// Forgets the entries, keeps the storage.
  void clear() noexcept { size_ = 0; }

  /// Appends k entries left for the caller to write; returns the first. Amortised O(k).
  T* extend(std::size_t k) {
    if (k > capacity_ - size_) grow(size_ + k);
    T* first = data_.get() + size_;
    size_ += k;
    return first;
  }

  void push_back(const T& value) { *extend(1) = value; }

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
  void grow(std::size_t needed) {
    reallocate(std::max({needed, 2 * capacity_, std::size_t(1024)}));
  }
  void reallocate(std::size_t capacity) {
    // new T[] default-initialises: no writes for double (and the lanes of a
    // Dual are zeroed once per growth, not per entry).
    std::unique_ptr<T[]> fresh(new T[capacity]);
    std::copy(data_.get(), data_.get() + size_, fresh.get());
    data_ = std::move(fresh);
    capacity_ = capacity;
    ++reallocations_;
  }

  std::unique_ptr<T[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t reallocations_ = 0;
};

}  // namespace sparsediff::detail
