#include "python/tick_columns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ibstream::python::tick_columns_test {
namespace {

std::string Names(const std::vector<TickField>& fields) {
  std::string out;
  for (TickField f : fields) {
    if (!out.empty()) out += ',';
    out += TickFieldName(f);
  }
  return out;
}

TEST(TickFieldsOfTest, EachKindShowsWhatItStores) {
  const struct {
    std::vector<TickType> types;
    const char* fields;
  } cases[] = {
      {{TickType::kBidAsk},
       "exchange_time,receive_time,sequence,source,bid_price,bid_size,ask_price,ask_size,"
       "bid_past_low,ask_past_high"},
      {{TickType::kLast},
       "exchange_time,receive_time,sequence,source,price,size,exchange,special_conditions,"
       "past_limit,unreported"},
      {{TickType::kAllLast},
       "exchange_time,receive_time,sequence,source,price,size,exchange,special_conditions,"
       "past_limit,unreported"},
      {{TickType::kMidPoint}, "exchange_time,receive_time,sequence,source,price"},
      {{TickType::kQuote},
       "exchange_time,receive_time,sequence,source,bid_price,bid_size,ask_price,ask_size"},
      {{TickType::kTrade}, "exchange_time,receive_time,sequence,source,price,size,volume"},
      {{TickType::kMidPoint, TickType::kQuote},
       "type,exchange_time,receive_time,sequence,source,price,bid_price,bid_size,ask_price,"
       "ask_size"},
      {{TickType::kBidAsk, TickType::kLast, TickType::kAllLast, TickType::kMidPoint,
        TickType::kQuote, TickType::kTrade},
       "type,exchange_time,receive_time,sequence,source,price,size,bid_price,bid_size,ask_price,"
       "ask_size,volume,exchange,special_conditions,past_limit,unreported,bid_past_low,"
       "ask_past_high"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Names(TickFieldsOf(c.types)), c.fields) << c.fields;
  }
}

TEST(TickFieldsOfTest, EveryFieldButTheKindBelongsToSomeKind) {
  for (int i = 0; i < kTickFieldCount; ++i) {
    const auto field = static_cast<TickField>(i);
    bool stored = false;
    for (TickType type : kAllStreamKinds) stored = stored || KindStoresField(type, field);
    EXPECT_EQ(stored, field != TickField::kType) << TickFieldName(field);
  }
}

}  // namespace
}  // namespace ibstream::python::tick_columns_test
