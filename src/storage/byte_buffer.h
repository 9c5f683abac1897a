// A growable byte buffer whose new bytes are not initialised: the writer's queue frames records
// straight into it (reserve, encode in place, checksum in place), so growing it must not cost a
// memset per record the way std::string::resize does.
//
// Capacity only grows (clear() keeps it), so a buffer that is reused batch after batch stops
// allocating once it has reached the size of the largest batch. A moved-from buffer is empty.
// Not thread-safe; one owner.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace ibstream::storage {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ByteBuffer(ByteBuffer&& other) noexcept { swap(other); }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    ByteBuffer moved(std::move(other));
    swap(moved);
    return *this;
  }

  // Appends `n` bytes the caller must write and returns where they start. Pointers returned
  // earlier are invalid afterwards (the buffer may move).
  char* Extend(size_t n) {
    if (capacity_ - size_ < n) Grow(n);
    char* at = data_.get() + size_;
    size_ += n;
    return at;
  }
  void Append(std::string_view bytes) {
    if (!bytes.empty()) std::memcpy(Extend(bytes.size()), bytes.data(), bytes.size());
  }
  void AppendZeros(size_t n) {
    if (n > 0) std::memset(Extend(n), 0, n);
  }
  void clear() { size_ = 0; }

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_.get(), size_}; }

  void swap(ByteBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  // Makes room for `n` more bytes: at least doubles, so appends are amortised O(1).
  void Grow(size_t n) {
    const size_t capacity = std::max({size_ + n, 2 * capacity_, size_t{4096}});
    auto data = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0) std::memcpy(data.get(), data_.get(), size_);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace ibstream::storage
