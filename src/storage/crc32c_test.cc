#include "storage/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ibstream::storage::crc32c::crc32c_test {
namespace {

TEST(Crc32cTest, PublishedCheckValues) {
  // RFC 3720 B.4 and the common "check" value of the Castagnoli CRC.
  EXPECT_EQ(Value("123456789"), 0xE3069283u);
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Value(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Value(ascending), 0x46DD794Eu);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  const std::string data = "hello world, this is a longer message for crc32c";
  for (size_t split = 0; split <= data.size(); ++split) {
    EXPECT_EQ(Extend(Value(data.substr(0, split)), data.data() + split, data.size() - split),
              Value(data));
  }
}

TEST(Crc32cTest, HardwareAndTableAgree) {
  std::mt19937_64 rng(7);
  for (int n = 0; n < 300; ++n) {
    std::string data(static_cast<size_t>(n), '\0');
    for (char& c : data) c = static_cast<char>(rng());
    EXPECT_EQ(Value(data), ExtendPortableForTest(0, data.data(), data.size())) << n;
  }
}

}  // namespace
}  // namespace ibstream::storage::crc32c::crc32c_test
