#include "sim/historical_answers.h"

#include <gtest/gtest.h>

namespace ibstream::sim::historical_answers_test {
namespace {

TEST(ParseIbDateTimeTest, Table) {
  struct Case {
    const char* text;
    const char* utc;  // nullptr: an error
  };
  const Case cases[] = {
      {"20250811 14:30:05", "2025-08-11T14:30:05Z"},
      {"20250811-14:30:05", "2025-08-11T14:30:05Z"},
      {"20250811 14:30:05 UTC", "2025-08-11T14:30:05Z"},
      {"20250811 14:30:05 GMT", "2025-08-11T14:30:05Z"},
      {"20250811 09:30:00 US/Central", "2025-08-11T14:30:00Z"},
      {"20250111 09:30:00 US/Eastern", "2025-01-11T14:30:00Z"},
      {"20250811 14:30:05  UTC", "2025-08-11T14:30:05Z"},
      {"20250811T14:30:05", nullptr},
      {"20250231 14:30:05", nullptr},
      {"20250811 24:00:00", nullptr},
      {"20250811 14:60:00", nullptr},
      {"2025081", nullptr},
      {"", nullptr},
      {"20250811 14:30:05 Not/AZone", nullptr},
  };
  for (const Case& c : cases) {
    const Result<TimePoint> t = ParseIbDateTime(c.text);
    if (c.utc == nullptr) {
      EXPECT_FALSE(t.ok()) << c.text;
    } else {
      ASSERT_TRUE(t.ok()) << c.text << ": " << t.status().ToString();
      EXPECT_EQ(FormatIsoUtc(*t), c.utc) << c.text;
    }
  }
}

}  // namespace
}  // namespace ibstream::sim::historical_answers_test
