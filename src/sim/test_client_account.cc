// TestClient's record of the account family's answers (account_events).
#include <fmt/format.h>

#include "sim/test_client.h"

namespace ibstream::sim {

void TestClient::OnAccountValue(const protocol::AccountValue& m) {
  account_events.push_back(
      fmt::format("accountValue {} {} {} {}", m.key, m.value, m.currency, m.account_name));
}

void TestClient::OnPortfolioValue(const protocol::PortfolioValue& m) {
  account_events.push_back(
      fmt::format("portfolio {} {} {}", m.contract.con_id, m.position.ToString(), m.account_name));
}

void TestClient::OnAccountUpdateTime(const protocol::AccountUpdateTime& m) {
  account_events.push_back(fmt::format("accountTime {}", m.time_stamp));
}

void TestClient::OnAccountDownloadEnd(const protocol::AccountDownloadEnd& m) {
  account_events.push_back(fmt::format("accountDownloadEnd {}", m.account_name));
}

void TestClient::OnAccountSummary(const protocol::AccountSummary& m) {
  account_events.push_back(fmt::format("accountSummary {} {} {} {} {}", m.req_id, m.account, m.tag,
                                       m.value, m.currency));
}

void TestClient::OnAccountSummaryEnd(const protocol::AccountSummaryEnd& m) {
  account_events.push_back(fmt::format("accountSummaryEnd {}", m.req_id));
}

void TestClient::OnPositionData(const protocol::PositionData& m) {
  account_events.push_back(
      fmt::format("position {} {} {}", m.account, m.contract.con_id, m.position.ToString()));
}

void TestClient::OnPositionEnd(const protocol::PositionEnd&) {
  account_events.push_back("positionEnd");
}

void TestClient::OnExecutionDataEnd(const protocol::ExecutionDataEnd& m) {
  account_events.push_back(fmt::format("execDetailsEnd {}", m.req_id));
}

void TestClient::OnOpenOrderEnd(const protocol::OpenOrderEnd&) {
  account_events.push_back("openOrderEnd");
}

void TestClient::OnCompletedOrdersEnd(const protocol::CompletedOrdersEnd&) {
  account_events.push_back("completedOrdersEnd");
}

void TestClient::OnSmartComponents(const protocol::SmartComponents& m) {
  std::string line = fmt::format("smartComponents {} {}", m.req_id, m.components.size());
  for (const protocol::SmartComponent& c : m.components) {
    line += fmt::format(" {}:{}:{}", c.bit_number, c.exchange, c.exchange_letter);
  }
  account_events.push_back(std::move(line));
}

void TestClient::OnMarketRule(const protocol::MarketRule& m) {
  std::string line = fmt::format("marketRule {}", m.market_rule_id);
  for (const protocol::PriceIncrement& p : m.increments) {
    line += fmt::format(" {}:{}", p.low_edge, p.increment);
  }
  account_events.push_back(std::move(line));
}

}  // namespace ibstream::sim
