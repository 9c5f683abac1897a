#include "cli/tick_printer.h"

#include <gtest/gtest.h>

namespace ibstream::cli::tick_printer_test {
namespace {

constexpr int64_t kMnq = 711280073;

Tick QuoteTick() {
  Tick t;
  t.contract_id = kMnq;
  t.type = TickType::kQuote;
  t.exchange_time = FromUnixSeconds(1754925330);  // 2025-08-11T15:15:30Z
  t.bid_price = 21500.25;
  t.ask_price = 21500.5;
  t.bid_size = Decimal::FromInt(3);
  t.ask_size = Decimal::FromInt(5);
  return t;
}

Tick TradeTick() {
  Tick t;
  t.contract_id = kMnq;
  t.type = TickType::kTrade;
  t.exchange_time = FromUnixSeconds(1754925330);
  t.price = 21500.5;
  t.size = Decimal::FromInt(2);
  t.volume = Decimal::FromInt(183456);
  return t;
}

TEST(TickPrinterTest, QuoteLines) {
  TickPrinter json(kMnq, TickType::kQuote, true, -1);
  json.Print(QuoteTick());
  EXPECT_EQ(json.pending(),
            R"({"contract_id":711280073,"tick_type":"quote","time":"2025-08-11T15:15:30Z",)"
            R"("bid_price":21500.25,"ask_price":21500.5,"bid_size":"3","ask_size":"5"})"
            "\n");
  TickPrinter text(kMnq, TickType::kQuote, false, -1);
  text.Print(QuoteTick());
  EXPECT_EQ(text.pending(),
            "2025-08-11T15:15:30Z 711280073 quote bid 21500.25 x 3  ask 21500.5 x 5\n");
  EXPECT_EQ(text.printed(), 1);
}

TEST(TickPrinterTest, TradeLinesCarryTheVolume) {
  TickPrinter json(kMnq, TickType::kTrade, true, -1);
  json.Print(TradeTick());
  Tick unknown_volume = TradeTick();
  unknown_volume.volume = Decimal::Unset();
  json.Print(unknown_volume);
  EXPECT_EQ(json.pending(),
            R"({"contract_id":711280073,"tick_type":"trade","time":"2025-08-11T15:15:30Z",)"
            R"("price":21500.5,"size":"2","volume":"183456"})"
            "\n"
            R"({"contract_id":711280073,"tick_type":"trade","time":"2025-08-11T15:15:30Z",)"
            R"("price":21500.5,"size":"2","volume":null})"
            "\n");
  TickPrinter text(kMnq, TickType::kTrade, false, -1);
  text.Print(TradeTick());
  text.Print(unknown_volume);
  EXPECT_EQ(text.pending(),
            "2025-08-11T15:15:30Z 711280073 trade 21500.5 x 2 volume 183456\n"
            "2025-08-11T15:15:30Z 711280073 trade 21500.5 x 2\n");
}

TEST(TickPrinterTest, AFailedWriteIsReported) {
  TickPrinter printer(kMnq, TickType::kTrade, false, -1);  // not a descriptor
  printer.Print(TradeTick());
  EXPECT_FALSE(printer.Flush());
  EXPECT_TRUE(printer.write_failed());
  EXPECT_EQ(printer.write_errno(), EBADF);
  EXPECT_TRUE(printer.pending().empty());
}

}  // namespace
}  // namespace ibstream::cli::tick_printer_test
