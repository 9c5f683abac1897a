#include "python/pod_column.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

namespace ibstream::python::pod_column_test {
namespace {

// Whether this kernel maps pages in advance on request (Linux 5.14 and later).
bool KernelPopulatesOnRequest() {
  const size_t bytes = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  const bool ok = ::madvise(p, bytes, MADV_POPULATE_WRITE) == 0;
  ::munmap(p, bytes);
  return ok;
}

// How many pages of [data, data + bytes) are resident.
size_t ResidentPages(void* data, size_t bytes) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((bytes + page - 1) / page);
  if (::mincore(data, bytes, resident.data()) != 0) return 0;
  size_t count = 0;
  for (unsigned char r : resident) count += r & 1u;
  return count;
}

TEST(PodColumnTest, KeepsEveryValueAcrossGrowth) {
  PodColumn<int64_t> column;
  constexpr int64_t kRows = 3'000'000;  // 64 KiB doubled nine times
  for (int64_t i = 0; i < kRows; ++i) column.push_back(i * 7 - 5);
  ASSERT_EQ(column.size(), static_cast<size_t>(kRows));
  for (int64_t i = 0; i < kRows; ++i) ASSERT_EQ(column[static_cast<size_t>(i)], i * 7 - 5) << i;
  PodColumnMemory memory = column.Release();
  EXPECT_TRUE(column.empty());
  EXPECT_GE(memory.bytes, static_cast<size_t>(kRows) * sizeof(int64_t));
  EXPECT_EQ(static_cast<const int64_t*>(memory.data)[kRows - 1], (kRows - 1) * 7 - 5);
  PodColumnFree(memory);
}

TEST(PodColumnTest, MapsTheWholeStretchBeforeItIsWritten) {
  if (!KernelPopulatesOnRequest()) GTEST_SKIP() << "kernel without MADV_POPULATE_WRITE";
  PodColumn<double> column;
  column.push_back(1.5);  // the first 64 KiB
  PodColumnMemory memory = column.Release();
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  // One page written, all of them mapped: filling the rest takes no page fault.
  EXPECT_EQ(ResidentPages(memory.data, memory.bytes), memory.bytes / page);
  PodColumnFree(memory);
}

TEST(PodColumnTest, AnEmptyColumnHoldsNoMemory) {
  PodColumn<uint8_t> column;
  PodColumnMemory memory = column.Release();
  EXPECT_EQ(memory.data, nullptr);
  EXPECT_EQ(memory.bytes, 0u);
  PodColumnFree(memory);  // nothing to unmap
}

}  // namespace
}  // namespace ibstream::python::pod_column_test
