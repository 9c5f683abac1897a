// Every request vector of the conformance file (testdata/conformance/client_requests.json), sent
// as its exact bytes to a running simulator, gets an answer that belongs to it: the messages IB
// answers that request with, or an error carrying the request's id (or, for a request without
// one, naming it). Requests IB answers with nothing (cancels, reqMarketDataType, an
// unsubscribe) leave the session healthy, and a cancel stops what it cancels.
//
// One row per request kind (the vectors' `method`): a vector without a row fails the test.
// Each vector is sent on its own session, so that whatever arrives can only answer it; a cancel
// first sends the vector that opened what it cancels. The market's clock is a ManualClock: an
// answer that comes with the market (ticks, depth, bars) is awaited by moving it one second at a
// time, at most kMaxSeconds.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/handshake.h"
#include "protocol/requests.h"
#include "protocol/requests_account.h"
#include "sim/catalog.h"
#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::vector_sweep_test {
namespace {

using nlohmann::json;

// Server message ids of the answers that carry no request id.
constexpr int kNextValidIdMsg = 9;
constexpr int kManagedAcctsMsg = 15;
constexpr int kCurrentTimeMsg = 49;
constexpr int kSymbolSamplesMsg = 79;
constexpr int kMktDepthExchangesMsg = 80;
constexpr int kHeadTimestampMsg = 88;

// How many virtual seconds an answer may take (real-time bars come every 5 s).
constexpr int kMaxSeconds = 8;
// The vectors name MNQ by this conId; the simulator's own MNQ conIds are derived from the month.
constexpr int32_t kVectorMnqConId = 711280073;
constexpr int32_t kMarkerReqId = 990000;

struct Vector {
  std::string name;
  int server_version = 0;
  std::string method;
  json args;
  std::string bytes;
  int message_id = 0;  // the request's, its first field
};

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

json LoadRequests() {
  std::ifstream in(std::string(IBSTREAM_TESTDATA_DIR) + "/conformance/client_requests.json");
  return json::parse(in);
}

std::vector<Vector> LoadVectors() {
  std::vector<Vector> out;
  const json file = LoadRequests();
  for (const json& r : file.at("requests")) {
    Vector v;
    v.name = r.at("name").get<std::string>();
    v.server_version = r.at("server_version").get<int>();
    v.method = r.at("method").get<std::string>();
    v.args = r.at("args");
    v.bytes = FromHex(r.at("bytes_hex").get<std::string>());
    v.message_id = std::stoi(r.at("fields").at(0).get<std::string>());
    out.push_back(std::move(v));
  }
  return out;
}

int32_t IdOf(const Vector& v) { return v.args.at(0).get<int32_t>(); }

template <typename Container, typename Pred>
size_t CountIf(const Container& c, Pred pred) {
  return static_cast<size_t>(std::count_if(c.begin(), c.end(), pred));
}

size_t EventsStartingWith(const TestClient& c, const std::string& prefix) {
  return CountIf(c.account_events, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
}

// The messages answering `v` that have arrived so far.
using CountFn = size_t (*)(const TestClient&, const Vector&);

struct Row {
  std::string_view method;
  // args[0] is the request id its answers and errors carry.
  bool has_id = false;
  // What answers it, as IB does (for the failure messages and the reader).
  std::string_view answer;
  // Null: IB sends nothing back.
  CountFn count = nullptr;
  // A cancel: the request kind whose stream or subscription it ends ("" for none), and whether
  // this vector is one (null: always).
  std::string_view ends;
  bool (*ends_if)(const Vector&) = nullptr;
  // The answer comes with the market: the clock has to move.
  bool streaming = false;
  // Not swept here: the handshake's startApi opens every session (StartApiVectorsStartASession).
  bool starts_session = false;
};

// A request IB answers; `count` counts its answers.
Row Answered(std::string_view method, bool has_id, std::string_view answer, CountFn count,
             bool streaming = false) {
  return Row{method, has_id, answer, count, "", nullptr, streaming, false};
}

// A request IB answers with nothing; a cancel when `ends` names the kind it ends.
Row Silent(std::string_view method, bool has_id, std::string_view answer,
           std::string_view ends = "", bool streaming = false) {
  return Row{method, has_id, answer, nullptr, ends, nullptr, streaming, false};
}

const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      Row{"startApi", false, "MANAGED_ACCTS and NEXT_VALID_ID: the session starts", nullptr, "",
          nullptr, false, true},
      Answered("reqContractDetails", true, "CONTRACT_DATA..., CONTRACT_DATA_END",
               [](const TestClient& c, const Vector& v) {
                 return CountIf(c.details_end, [&](int32_t id) { return id == IdOf(v); });
               }),
      Answered(
          "reqTickByTickData", true,
          "HISTORICAL_TICKS* of numberOfTicks, then TICK_BY_TICK with the market",
          [](const TestClient& c, const Vector& v) {
            return c.TicksFor(IdOf(v)) + CountIf(c.historical, [&](const ReceivedHistorical& h) {
                     return h.req_id == IdOf(v);
                   });
          },
          /*streaming=*/true),
      Silent("cancelTickByTickData", true, "nothing (IB acknowledges no cancel); the ticks stop",
             "reqTickByTickData", /*streaming=*/true),
      Answered(
          "reqMktData", true,
          "MARKET_DATA_TYPE, TICK_REQ_PARAMS, then TICK_PRICE/TICK_SIZE/TICK_STRING; a "
          "snapshot ends with TICK_SNAPSHOT_END",
          [](const TestClient& c, const Vector& v) {
            return CountIf(c.mkt_data,
                           [&](const ReceivedMktData& m) { return m.req_id == IdOf(v); }) +
                   CountIf(c.snapshot_ends, [&](int32_t id) { return id == IdOf(v); });
          },
          /*streaming=*/true),
      Silent("cancelMktData", true, "nothing; the ticks stop", "reqMktData", /*streaming=*/true),
      Silent("reqMarketDataType", false,
             "nothing: IB marks the answers of later reqMktData requests (MARKET_DATA_TYPE)"),
      Answered("reqCurrentTime", false, "CURRENT_TIME",
               [](const TestClient& c, const Vector&) {
                 return static_cast<size_t>(c.MessagesOf(kCurrentTimeMsg));
               }),
      Answered("reqIds", false, "NEXT_VALID_ID",
               [](const TestClient& c, const Vector&) {
                 return static_cast<size_t>(c.MessagesOf(kNextValidIdMsg));
               }),
      Answered("reqHeadTimeStamp", true, "HEAD_TIMESTAMP",
               [](const TestClient& c, const Vector&) {
                 return static_cast<size_t>(c.MessagesOf(kHeadTimestampMsg));
               }),
      Silent("cancelHeadTimeStamp", true,
             "nothing: the head time stamp is answered at once, nothing is left to cancel",
             "reqHeadTimeStamp"),
      Answered("reqHistoricalTicks", true, "HISTORICAL_TICKS / _BID_ASK / _LAST, done",
               [](const TestClient& c, const Vector& v) {
                 return CountIf(c.historical, [&](const ReceivedHistorical& h) {
                   return h.req_id == IdOf(v) && h.done;
                 });
               }),
      Answered("reqMatchingSymbols", true, "SYMBOL_SAMPLES",
               [](const TestClient& c, const Vector&) {
                 return static_cast<size_t>(c.MessagesOf(kSymbolSamplesMsg));
               }),
      // An unsubscribe (subscribe = false) is the cancel of a subscribe.
      Row{"reqAccountUpdates", false,
          "ACCT_VALUE..., ACCT_UPDATE_TIME, ACCT_DOWNLOAD_END; nothing for an unsubscribe",
          [](const TestClient& c, const Vector&) {
            return EventsStartingWith(c, "accountDownloadEnd ");
          },
          "reqAccountUpdates", [](const Vector& v) { return !v.args.at(0).get<bool>(); }, false,
          false},
      Answered("reqAccountSummary", true, "ACCOUNT_SUMMARY..., ACCOUNT_SUMMARY_END",
               [](const TestClient& c, const Vector& v) {
                 return EventsStartingWith(c, "accountSummaryEnd " + std::to_string(IdOf(v)));
               }),
      Silent("cancelAccountSummary", true, "nothing: the summary was complete",
             "reqAccountSummary"),
      Answered(
          "reqPositions", false, "POSITION_END (no positions)",
          [](const TestClient& c, const Vector&) { return EventsStartingWith(c, "positionEnd"); }),
      Silent("cancelPositions", false, "nothing: the positions were complete", "reqPositions"),
      Answered("reqExecutions", true, "EXECUTION_DATA_END (no executions)",
               [](const TestClient& c, const Vector& v) {
                 return EventsStartingWith(c, "execDetailsEnd " + std::to_string(IdOf(v)));
               }),
      Answered(
          "reqOpenOrders", false, "OPEN_ORDER_END (no orders)",
          [](const TestClient& c, const Vector&) { return EventsStartingWith(c, "openOrderEnd"); }),
      Answered(
          "reqAllOpenOrders", false, "OPEN_ORDER_END (no orders)",
          [](const TestClient& c, const Vector&) { return EventsStartingWith(c, "openOrderEnd"); }),
      Silent("reqAutoOpenOrders", false,
             "nothing for client 0 (it binds TWS's future orders); error 321 naming it for any "
             "other client"),
      Answered("reqCompletedOrders", false, "COMPLETED_ORDERS_END (no orders)",
               [](const TestClient& c, const Vector&) {
                 return EventsStartingWith(c, "completedOrdersEnd");
               }),
      Answered("reqManagedAccts", false, "MANAGED_ACCTS",
               [](const TestClient& c, const Vector&) {
                 return static_cast<size_t>(c.MessagesOf(kManagedAcctsMsg));
               }),
      Answered(
          "reqHistoricalData", true,
          "HISTORICAL_DATA (the bars and the end in one message), then "
          "HISTORICAL_DATA_UPDATE with keepUpToDate",
          [](const TestClient& c, const Vector& v) {
            return CountIf(c.historical_bars,
                           [&](const ReceivedBars& b) { return b.req_id == IdOf(v); }) +
                   CountIf(c.bar_updates,
                           [&](const ReceivedBar& b) { return b.req_id == IdOf(v); });
          },
          /*streaming=*/true),
      Silent("cancelHistoricalData", true, "nothing; the bar updates stop", "reqHistoricalData",
             /*streaming=*/true),
      Answered(
          "reqMktDepth", true, "UPDATE_MKT_DEPTH / UPDATE_MKT_DEPTH_L2",
          [](const TestClient& c, const Vector& v) {
            return CountIf(c.depth, [&](const ReceivedDepth& d) { return d.req_id == IdOf(v); });
          },
          /*streaming=*/true),
      Silent("cancelMktDepth", true, "nothing; the depth updates stop", "reqMktDepth",
             /*streaming=*/true),
      Answered("reqMktDepthExchanges", false, "MKT_DEPTH_EXCHANGES",
               [](const TestClient& c, const Vector&) {
                 return static_cast<size_t>(c.MessagesOf(kMktDepthExchangesMsg));
               }),
      Answered("reqSmartComponents", true, "SMART_COMPONENTS",
               [](const TestClient& c, const Vector& v) {
                 return EventsStartingWith(c, "smartComponents " + std::to_string(IdOf(v)) + " ");
               }),
      Answered("reqMarketRule", false, "MARKET_RULE",
               [](const TestClient& c, const Vector& v) {
                 return EventsStartingWith(c, "marketRule " + std::to_string(IdOf(v)) + " ");
               }),
      Answered(
          "reqRealTimeBars", true, "REAL_TIME_BARS every 5 s",
          [](const TestClient& c, const Vector& v) {
            return CountIf(c.realtime_bars,
                           [&](const protocol::RealTimeBar& b) { return b.req_id == IdOf(v); });
          },
          /*streaming=*/true),
      Silent("cancelRealTimeBars", true, "nothing; the bars stop", "reqRealTimeBars",
             /*streaming=*/true),
  };
  return rows;
}

const Row* RowOf(std::string_view method) {
  for (const Row& r : Rows()) {
    if (r.method == method) return &r;
  }
  return nullptr;
}

bool IsCancel(const Row& row, const Vector& v) {
  return !row.ends.empty() && (row.ends_if == nullptr || row.ends_if(v));
}

// The vectors the simulator refuses, as a paper gateway would, and the error code: contracts it
// does not list (200), and reqAutoOpenOrders from a client other than 0 (321).
const std::map<std::string, int32_t, std::less<>>& Refused() {
  static const std::map<std::string, int32_t, std::less<>> refused = {
      {"reqContractDetails/SPX", 200},
      {"reqContractDetails/FDAX", 200},
      {"reqContractDetails/AAPL_OPT", 200},
      {"reqAutoOpenOrders/true", 321},
  };
  return refused;
}

// Farm and connectivity notices (id -1) are not answers.
bool IsNotice(const ReceivedError& e) { return e.code >= 2100 && e.code < 2200; }

class VectorSweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vectors_ = LoadVectors();
    ASSERT_FALSE(vectors_.empty());
  }

  void StartSim() {
    SimulatorOptions options;
    options.listen_port = 0;
    options.quiet = true;
    options.seed = 11;
    // The simulator's front-month MNQ under the conId the vectors name, and every other built-in
    // contract. Each vector has its own session and the sessions of earlier vectors may still be
    // closing: the account-wide allowances are generous here (limits_test.cc tests IB's).
    auto builtin = Catalog::BuiltIn(clock_.Now());
    ASSERT_TRUE(builtin.ok()) << builtin.status().ToString();
    const SimContract* front = nullptr;
    for (const auto& c : builtin->contracts()) {
      if (c->symbol() == "MNQ" && (front == nullptr || c->con_id() < front->con_id())) {
        front = c.get();
      }
    }
    ASSERT_NE(front, nullptr);
    SimContract mnq = *front;
    mnq.details.contract.con_id = kVectorMnqConId;
    options.extra_contracts.push_back(std::move(mnq));
    options.builtin_symbols = {"ES", "AAPL", "EUR", "ESTX50"};
    options.max_tick_by_tick = 1000;
    options.market_depth_limit = 1000;
    sim_ = std::make_unique<Simulator>(clock_, std::move(options));
    const Status st = sim_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::unique_ptr<TestClient> Connect(int server_version, int32_t client_id, bool start_api = true,
                                      std::string connect_options = "") {
    TestClient::Options o;
    o.client_id = client_id;
    o.max_version = server_version;
    o.start_api = start_api;
    o.connect_options = std::move(connect_options);
    auto c = TestClient::Connect(sim_->port(), o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return nullptr;
    EXPECT_EQ((*c)->server_version(), server_version);
    return std::move(c).value();
  }

  // Waits until everything the simulator had queued for `c` has arrived: a reqContractDetails
  // of AAPL, answered at once, after it.
  bool Marker(TestClient& c) {
    protocol::ReqContractDetails r;
    r.req_id = kMarkerReqId + marker_++;
    r.contract.con_id = 265598;
    if (!c.Send(r).ok()) return false;
    return c.WaitFor([&] {
      return std::find(c.details_end.begin(), c.details_end.end(), r.req_id) != c.details_end.end();
    });
  }

  // Moves the market one second and waits until what it released has arrived.
  bool Tick(TestClient& c) {
    clock_.Advance(std::chrono::seconds(1));
    sim_->Sync();
    return Marker(c);
  }

  // The errors from index `from` on that answer `v`: its id, or (id -1) naming it.
  static std::vector<ReceivedError> ErrorsOf(const TestClient& c, const Vector& v, const Row& row,
                                             size_t from) {
    const std::string name = protocol::RequestNameOfId(v.message_id);
    std::vector<ReceivedError> out;
    for (size_t i = from; i < c.errors.size(); ++i) {
      const ReceivedError& e = c.errors[i];
      if (IsNotice(e)) continue;
      if ((row.has_id && e.id == IdOf(v)) ||
          (e.id == -1 && e.text.find(name) != std::string::npos)) {
        out.push_back(e);
      }
    }
    return out;
  }

  // Sends `v` and waits for its answer or an error of its own: at once (before the marker's
  // answer), or for a streaming request within kMaxSeconds of the market's clock. True when
  // either came.
  bool SendAndAwait(TestClient& c, const Vector& v, const Row& row) {
    const size_t errors_before = c.errors.size();
    const size_t before = row.count(c, v);
    if (!c.SendRaw(v.bytes).ok() || !Marker(c)) return false;
    for (int second = 0;; ++second) {
      if (row.count(c, v) > before || !ErrorsOf(c, v, row, errors_before).empty()) return true;
      if (!row.streaming || second == kMaxSeconds || c.closed()) return false;
      if (!Tick(c)) return false;
    }
  }

  // The vector that opened what `cancel` ends: the last one before it, of the same server
  // version and the request kind it ends, with the same id when it has one (and, ending the
  // same kind, one that is not itself a cancel).
  const Vector* Opener(const Vector& cancel, const Row& row) const {
    const Vector* found = nullptr;
    for (const Vector& v : vectors_) {
      if (&v == &cancel) break;
      if (v.server_version != cancel.server_version || v.method != row.ends) continue;
      const Row* r = RowOf(v.method);
      if (r == nullptr || IsCancel(*r, v)) continue;
      if (row.has_id && IdOf(v) != IdOf(cancel)) continue;
      found = &v;
    }
    return found;
  }

  void Sweep(const Vector& v, int32_t client_id) {
    SCOPED_TRACE(v.name + " at server version " + std::to_string(v.server_version));
    const Row* row = RowOf(v.method);
    ASSERT_NE(row, nullptr);
    auto c = Connect(v.server_version, client_id);
    ASSERT_NE(c, nullptr);

    // A cancel ends what its opener started, once that has been answered.
    const Vector* opener = nullptr;
    const Row* opener_row = nullptr;
    if (IsCancel(*row, v)) {
      opener = Opener(v, *row);
      ASSERT_NE(opener, nullptr) << "no vector opens what " << v.name << " ends";
      opener_row = RowOf(opener->method);
      ASSERT_TRUE(SendAndAwait(*c, *opener, *opener_row)) << opener->name << " is not answered";
      ASSERT_GT(opener_row->count(*c, *opener), 0u) << opener->name << " is refused";
    }

    const size_t errors_before = c->errors.size();
    const auto refused = Refused().find(v.name);
    const bool expect_error = refused != Refused().end();
    if (row->count != nullptr && !IsCancel(*row, v)) {
      EXPECT_TRUE(SendAndAwait(*c, v, *row))
          << v.name << " is not answered"
          << (row->streaming ? " within " + std::to_string(kMaxSeconds) + " virtual seconds" : "")
          << "; expected: " << row->answer;
    } else if (expect_error) {
      ASSERT_TRUE(c->SendRaw(v.bytes).ok());
      ASSERT_TRUE(Marker(*c));
    } else {
      // IB answers it with nothing: the session goes on, and a cancel stops what it ends.
      ASSERT_TRUE(c->SendRaw(v.bytes).ok());
      ASSERT_TRUE(Marker(*c));
      if (opener != nullptr && row->streaming) {
        const size_t after_cancel = opener_row->count(*c, *opener);
        for (int second = 0; second < kMaxSeconds; ++second) {
          ASSERT_TRUE(Tick(*c));
        }
        EXPECT_EQ(opener_row->count(*c, *opener), after_cancel)
            << opener->name << " goes on after " << v.name;
      }
    }

    const std::vector<ReceivedError> own = ErrorsOf(*c, v, *row, errors_before);
    if (expect_error) {
      ASSERT_EQ(own.size(), 1u) << v.name << " should be refused with " << refused->second;
      EXPECT_EQ(own[0].code, refused->second) << own[0].text;
      if (row->count != nullptr) {
        EXPECT_EQ(row->count(*c, v), 0u);
      }
    } else {
      for (const ReceivedError& e : own) {
        ADD_FAILURE() << v.name << " answered by error " << e.code << ": " << e.text;
      }
    }
    // Nothing else went wrong, and the session is healthy: a following reqCurrentTime is
    // answered.
    for (size_t i = errors_before; i < c->errors.size(); ++i) {
      const ReceivedError& e = c->errors[i];
      if (!IsNotice(e) && !(expect_error && e.code == refused->second)) {
        ADD_FAILURE() << "after " << v.name << ": error " << e.id << " " << e.code << ": "
                      << e.text;
      }
    }
    EXPECT_FALSE(c->protocol_error());
    EXPECT_FALSE(c->closed());
    EXPECT_TRUE(c->RoundTrip()) << "no reqCurrentTime answer after " << v.name;
  }

  // Closed sessions are gone from the simulator (a client id can be used again).
  bool AwaitNoClients() {
    for (int i = 0; i < 500; ++i) {
      if (sim_->stats().active_clients == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  ManualClock clock_{ParseIsoTime("2025-08-11T14:05:00Z").value()};
  std::unique_ptr<Simulator> sim_;
  std::vector<Vector> vectors_;
  int32_t marker_ = 0;
};

TEST_F(VectorSweepTest, EveryRequestKindOfTheVectorsHasARow) {
  std::set<std::string> methods;
  for (const Vector& v : vectors_) {
    methods.insert(v.method);
    EXPECT_NE(RowOf(v.method), nullptr) << "request vector " << v.name << " (" << v.method
                                        << ") has no row: add one saying what answers it";
  }
  for (const Row& r : Rows()) {
    EXPECT_EQ(methods.count(std::string(r.method)), 1u) << "row " << r.method << " has no vector";
  }
  for (const auto& refused : Refused()) {
    const std::string& name = refused.first;
    EXPECT_TRUE(std::any_of(vectors_.begin(), vectors_.end(),
                            [&](const Vector& v) { return v.name == name; }))
        << "refused vector " << name << " does not exist";
  }
}

// The handshake vectors are the hello TestClient sends; every startApi vector starts a session
// (managedAccounts and nextValidId), at both server versions.
TEST_F(VectorSweepTest, HandshakeAndStartApiVectorsStartASession) {
  StartSim();
  const json file = LoadRequests();
  const json& handshake = file.at("handshake");
  ASSERT_EQ(handshake.size(), 2u);
  for (const json& h : handshake) {
    SCOPED_TRACE(h.at("name").get<std::string>());
    const std::string text = h.at("text").get<std::string>();
    const std::string options = text.find(' ') == std::string::npos ? "" : text.substr(10);
    std::string hello;
    ASSERT_TRUE(protocol::EncodeClientHello({100, 187, options}, hello).ok());
    EXPECT_EQ(hello, FromHex(h.at("bytes_hex").get<std::string>()));
    auto c = Connect(187, options.empty() ? 1 : 2, /*start_api=*/true, options);
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->RoundTrip());
  }
  int started = 0;
  for (const Vector& v : vectors_) {
    if (v.method != "startApi") continue;
    SCOPED_TRACE(v.name + " at server version " + std::to_string(v.server_version));
    ASSERT_TRUE(AwaitNoClients());  // every vector starts client id 7
    auto c = Connect(v.server_version, 0, /*start_api=*/false);
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->SendRaw(v.bytes).ok());
    EXPECT_TRUE(c->WaitFor([&] { return !c->accounts().empty() && c->next_valid_id() >= 0; }));
    EXPECT_EQ(c->accounts(), "DU1234567");
    EXPECT_TRUE(std::none_of(c->errors.begin(), c->errors.end(),
                             [](const ReceivedError& e) { return !IsNotice(e); }));
    EXPECT_TRUE(c->RoundTrip());
    ++started;
  }
  EXPECT_EQ(started, 6);
}

// Every other request vector, at both server versions, on a session of its own.
TEST_F(VectorSweepTest, EveryRequestVectorIsAnsweredOrRefusedByName) {
  StartSim();
  int32_t client_id = 100;
  int swept = 0;
  for (const Vector& v : vectors_) {
    const Row* row = RowOf(v.method);
    ASSERT_NE(row, nullptr) << v.name;
    if (row->starts_session) continue;
    Sweep(v, client_id++);
    ++swept;
  }
  EXPECT_EQ(swept, static_cast<int>(vectors_.size()) - 6);
  EXPECT_EQ(sim_->stats().malformed_requests, 0u);
}

}  // namespace
}  // namespace ibstream::sim::vector_sweep_test
