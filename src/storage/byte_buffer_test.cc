#include "storage/byte_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace ibstream::storage::byte_buffer_test {
namespace {

TEST(ByteBufferTest, ExtendAppendAndGrowKeepTheBytes) {
  ByteBuffer buffer;
  EXPECT_TRUE(buffer.empty());
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    const std::string piece = std::to_string(i) + ",";
    if (i % 2 == 0) {
      buffer.Append(piece);
    } else {
      char* at = buffer.Extend(piece.size());
      piece.copy(at, piece.size());
    }
    expected += piece;
    if (i % 997 == 0) {
      buffer.AppendZeros(3);
      expected.append(3, '\0');
    }
  }
  EXPECT_EQ(buffer.view(), expected);
  EXPECT_GE(buffer.capacity(), buffer.size());
}

TEST(ByteBufferTest, ClearKeepsCapacitySoReuseDoesNotAllocate) {
  ByteBuffer buffer;
  buffer.Extend(100000);
  const char* data = buffer.data();
  const size_t capacity = buffer.capacity();
  buffer.clear();
  EXPECT_EQ(buffer.size(), 0u);
  buffer.Extend(100000);
  EXPECT_EQ(buffer.data(), data);
  EXPECT_EQ(buffer.capacity(), capacity);
}

TEST(ByteBufferTest, SwapAndMoveExchangeContents) {
  ByteBuffer a;
  ByteBuffer b;
  a.Append("first");
  b.Append("second");
  a.swap(b);
  EXPECT_EQ(a.view(), "second");
  EXPECT_EQ(b.view(), "first");
  ByteBuffer c(std::move(a));
  EXPECT_EQ(c.view(), "second");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  b = std::move(c);
  EXPECT_EQ(b.view(), "second");
}

}  // namespace
}  // namespace ibstream::storage::byte_buffer_test
