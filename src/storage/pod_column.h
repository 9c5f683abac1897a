// A growable array of a trivially copyable type in its own anonymous memory mapping.
//
// Growing remaps the pages (mremap) instead of copying them as std::vector does, and the kernel
// maps each new stretch at once (MADV_POPULATE_WRITE), so filling a column of millions of rows
// costs one write per value and no page fault per page. The memory can be handed over (Release)
// to whoever frees it later with PodColumnFree, e.g. a numpy array's owner. Reserve maps a known
// number of rows at once (the column reader sizes its columns from the files' indexes). One
// owner: growing needs every writer stopped, but threads may write (and PopulateRows) distinct
// rows at once through mutable_data().
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace ibstream::storage {

// Memory released by a PodColumn: unmap it with PodColumnFree.
struct PodColumnMemory {
  void* data = nullptr;
  size_t bytes = 0;  // the mapping's size (0: nothing mapped)
};

inline void PodColumnFree(PodColumnMemory memory) {
  if (memory.bytes != 0) ::munmap(memory.data, memory.bytes);
}

template <typename T>
class PodColumn {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  PodColumn() = default;
  ~PodColumn() { PodColumnFree({data_, capacity_ * sizeof(T)}); }
  PodColumn(const PodColumn&) = delete;
  PodColumn& operator=(const PodColumn&) = delete;
  PodColumn(PodColumn&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  PodColumn& operator=(PodColumn&& other) noexcept {
    if (this != &other) {
      PodColumnFree(Release());
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }

  void push_back(T value) {
    if (size_ == capacity_) [[unlikely]]
      Grow(0);
    data_[size_++] = value;
  }
  // Makes room for `rows` values in all: one mapping, whose new pages are mapped at once unless
  // `populate` is false (then PopulateRows maps stretches of it, or writes fault them in).
  void Reserve(size_t rows, bool populate = true) {
    if (rows > capacity_) Grow(rows * sizeof(T), populate);
  }
  // Maps the pages holding values [first, first + count) (< capacity()) now, so writing them
  // takes no page fault. Several threads may populate (and write) distinct stretches at once.
  void PopulateRows(size_t first, size_t count) const {
    if (count == 0) return;
    constexpr uintptr_t kPageMask = 4095;
    const auto begin = reinterpret_cast<uintptr_t>(data_ + first) & ~kPageMask;
    const auto end = reinterpret_cast<uintptr_t>(data_ + first + count);
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
  }
  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* data() const { return data_; }
  T operator[](size_t i) const { return data_[i]; }

  // For writers that fill rows by index (no size check per value): the capacity() values of the
  // column, of which the first `rows` count once SetSize(rows) is called (rows <= capacity()).
  // Invalidated by Reserve and push_back.
  T* mutable_data() { return data_; }
  void SetSize(size_t rows) { size_ = rows <= capacity_ ? rows : capacity_; }

  // Hands the memory over (data() stays valid until PodColumnFree); the column is empty after.
  PodColumnMemory Release() {
    PodColumnMemory memory{data_, capacity_ * sizeof(T)};
    data_ = nullptr;
    size_ = capacity_ = 0;
    return memory;
  }

 private:
  // Grows to at least `min_bytes` (0: the next doubling).
  void Grow(size_t min_bytes, bool populate = true) {
    constexpr size_t kFirstBytes = 64 * 1024;
    constexpr size_t kHugePageBytes = 2 * 1024 * 1024;
    const size_t old_bytes = capacity_ * sizeof(T);
    size_t new_bytes = old_bytes == 0 ? kFirstBytes : old_bytes * 2;
    constexpr size_t kPageBytes = 4096;
    if (min_bytes > new_bytes) new_bytes = (min_bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
    void* p = old_bytes == 0 ? ::mmap(nullptr, new_bytes, PROT_READ | PROT_WRITE,
                                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                             : ::mremap(data_, old_bytes, new_bytes, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // Large columns in transparent huge pages where the system allows it: a page fault per 2 MiB
    // rather than per 4 KiB (advice only; an error changes nothing).
    if (new_bytes >= kHugePageBytes) ::madvise(p, new_bytes, MADV_HUGEPAGE);
    // The new pages are written next: have the kernel map them in one call rather than take a
    // fault per page (a third less CPU to fill a column where faults are dear, as under a
    // hypervisor). Advice only: kernels before 5.14 refuse it and fault as before.
    if (populate) {
      ::madvise(static_cast<char*>(p) + old_bytes, new_bytes - old_bytes, MADV_POPULATE_WRITE);
    }
    data_ = static_cast<T*>(p);
    capacity_ = new_bytes / sizeof(T);
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace ibstream::storage
