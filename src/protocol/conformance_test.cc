// Conformance against the vectors produced with the official TWS API client 10.30.1
// (testdata/conformance; see its README): every request vector,
// every server message vector and both handshake vectors are exercised, and their counts are
// asserted so a skipped vector fails. Vectors of requests and messages this library does not
// implement are listed by name (OutOfScopeRequests, OutOfScopeMessages) and checked to be
// reported as unknown, never misread.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/conformance_json.h"
#include "protocol/encoding_handler.h"
#include "protocol/field_codec.h"
#include "protocol/framing.h"
#include "protocol/handshake.h"
#include "protocol/requests.h"
#include "protocol/requests_account.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol::conformance_test {
namespace {

using nlohmann::json;

// The vector files hold exactly this many entries; a change must be looked at, not absorbed.
constexpr size_t kRequestVectors = 132;
constexpr size_t kServerMessageVectors = 202;
constexpr size_t kHandshakeVectors = 2;
// Of which this many are of requests / messages we do not implement (the lists below).
constexpr size_t kOutOfScopeRequestVectors = 0;
constexpr size_t kOutOfScopeServerMessageVectors = 0;
// Of the request vectors in scope, this many are account requests (requests_account.h).
constexpr size_t kAccountRequestVectors = 38;

// Request methods of the vectors we do not encode: none since the bar and account requests.
bool OutOfScopeRequest(const std::string& method) {
  static const auto* methods = new std::set<std::string>{};
  return methods->count(method) != 0;
}

// Server messages of the vectors (by the name's first part) we do not decode.
bool OutOfScopeMessage(const std::string& name) {
  static const auto* areas = new std::set<std::string>{};
  return areas->count(name.substr(0, name.find('/'))) != 0;
}

using conformance::JsonHandler;
using conformance::kUnsetDecimalText;

json LoadVectors(const std::string& file) {
  std::ifstream in(std::string(IBSTREAM_TESTDATA_DIR) + "/conformance/" + file);
  EXPECT_TRUE(in.good()) << "cannot open " << file;
  return json::parse(in);
}

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

// Splits a frame (length prefix + payload) into its fields; checks the prefix.
std::vector<std::string> FrameFields(std::string_view frame) {
  EXPECT_GE(frame.size(), 4u);
  const auto* b = reinterpret_cast<const unsigned char*>(frame.data());
  const size_t length = (size_t{b[0]} << 24) | (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | b[3];
  EXPECT_EQ(length, frame.size() - 4);
  std::vector<std::string> fields;
  std::string_view payload = frame.substr(4);
  EXPECT_TRUE(payload.empty() || payload.back() == '\0');
  while (!payload.empty()) {
    const size_t nul = payload.find('\0');
    fields.emplace_back(payload.substr(0, nul));
    payload.remove_prefix(nul == std::string_view::npos ? payload.size() : nul + 1);
  }
  return fields;
}

bool SameDouble(const std::string& a, const std::string& b) {
  Result<double> x = ParseDouble(a);
  Result<double> y = ParseDouble(b);
  return x.ok() && y.ok() && *x == *y;
}

// ---------------------------------------------------------------- client requests

Contract ContractFromJson(const json& arg) {
  const json& j = arg.at("contract");
  Contract c;
  for (const auto& [key, value] : j.items()) {
    if (key == "conId") {
      c.con_id = value.get<int32_t>();
    } else if (key == "symbol") {
      c.symbol = value.get<std::string>();
    } else if (key == "secType") {
      c.sec_type = value.get<std::string>();
    } else if (key == "lastTradeDateOrContractMonth") {
      c.last_trade_date_or_contract_month = value.get<std::string>();
    } else if (key == "strike") {
      c.strike = value.get<double>();
    } else if (key == "right") {
      c.right = value.get<std::string>();
    } else if (key == "multiplier") {
      c.multiplier = value.get<std::string>();
    } else if (key == "exchange") {
      c.exchange = value.get<std::string>();
    } else if (key == "primaryExchange") {
      c.primary_exchange = value.get<std::string>();
    } else if (key == "currency") {
      c.currency = value.get<std::string>();
    } else if (key == "localSymbol") {
      c.local_symbol = value.get<std::string>();
    } else if (key == "tradingClass") {
      c.trading_class = value.get<std::string>();
    } else if (key == "includeExpired") {
      c.include_expired = value.get<bool>();
    } else if (key == "secIdType") {
      c.sec_id_type = value.get<std::string>();
    } else if (key == "secId") {
      c.sec_id = value.get<std::string>();
    } else if (key == "issuerId") {
      c.issuer_id = value.get<std::string>();
    } else {
      ADD_FAILURE() << "contract field not mapped: " << key;
    }
  }
  return c;
}

// "tag=value;" text of the official client's TagValue lists (only empty lists in the vectors).
std::string TagValueList(const json& list) {
  std::string out;
  for (const json& tv : list) {
    out += tv.at(0).get<std::string>() + "=" + tv.at(1).get<std::string>() + ";";
  }
  return out;
}

// The request the official client was asked to send, and the 0-based indexes of its double fields.
struct BuiltRequest {
  ClientRequest request;
  std::set<size_t> double_fields;
};

BuiltRequest BuildRequest(const std::string& method, const json& a) {
  if (method == "reqContractDetails") {
    return {ReqContractDetails{a.at(0).get<int32_t>(), ContractFromJson(a.at(1))}, {7}};
  }
  if (method == "reqTickByTickData") {
    ReqTickByTickData r;
    r.req_id = a.at(0).get<int32_t>();
    r.contract = ContractFromJson(a.at(1));
    r.tick_type = a.at(2).get<std::string>();
    r.number_of_ticks = a.at(3).get<int32_t>();
    r.ignore_size = a.at(4).get<bool>();
    return {r, {6}};
  }
  if (method == "cancelTickByTickData") return {CancelTickByTickData{a.at(0).get<int32_t>()}, {}};
  if (method == "reqMktData") {
    ReqMktData r;
    r.req_id = a.at(0).get<int32_t>();
    r.contract = ContractFromJson(a.at(1));
    r.generic_tick_list = a.at(2).get<std::string>();
    r.snapshot = a.at(3).get<bool>();
    r.regulatory_snapshot = a.at(4).get<bool>();
    r.mkt_data_options = TagValueList(a.at(5));
    return {r, {7}};
  }
  if (method == "cancelMktData") return {CancelMktData{a.at(0).get<int32_t>()}, {}};
  if (method == "reqMarketDataType") return {ReqMarketDataType{a.at(0).get<int32_t>()}, {}};
  if (method == "reqCurrentTime") return {ReqCurrentTime{}, {}};
  if (method == "reqIds") return {ReqIds{a.at(0).get<int32_t>()}, {}};
  if (method == "reqHeadTimeStamp") {
    ReqHeadTimestamp r;
    r.req_id = a.at(0).get<int32_t>();
    r.contract = ContractFromJson(a.at(1));
    r.what_to_show = a.at(2).get<std::string>();
    r.use_rth = a.at(3).get<int>() != 0;
    r.format_date = a.at(4).get<int32_t>();
    return {r, {6}};
  }
  if (method == "cancelHeadTimeStamp") return {CancelHeadTimestamp{a.at(0).get<int32_t>()}, {}};
  if (method == "reqHistoricalTicks") {
    ReqHistoricalTicks r;
    r.req_id = a.at(0).get<int32_t>();
    r.contract = ContractFromJson(a.at(1));
    r.start_date_time = a.at(2).get<std::string>();
    r.end_date_time = a.at(3).get<std::string>();
    r.number_of_ticks = a.at(4).get<int32_t>();
    r.what_to_show = a.at(5).get<std::string>();
    r.use_rth = a.at(6).get<int>() != 0;
    r.ignore_size = a.at(7).get<bool>();
    r.misc_options = TagValueList(a.at(8));
    return {r, {6}};
  }
  if (method == "reqMatchingSymbols") {
    return {ReqMatchingSymbols{a.at(0).get<int32_t>(), a.at(1).get<std::string>()}, {}};
  }
  if (method == "reqMktDepth") {
    ReqMktDepth r;
    r.req_id = a.at(0).get<int32_t>();
    r.contract = ContractFromJson(a.at(1));
    r.num_rows = a.at(2).get<int32_t>();
    r.is_smart_depth = a.at(3).get<bool>();
    r.mkt_depth_options = TagValueList(a.at(4));
    return {r, {7}};
  }
  if (method == "cancelMktDepth") {
    return {CancelMktDepth{a.at(0).get<int32_t>(), a.at(1).get<bool>()}, {}};
  }
  if (method == "reqMktDepthExchanges") return {ReqMktDepthExchanges{}, {}};
  if (method == "reqHistoricalData") {
    ReqHistoricalData r;
    r.req_id = a.at(0).get<int32_t>();
    r.contract = ContractFromJson(a.at(1));
    r.end_date_time = a.at(2).get<std::string>();
    r.duration = a.at(3).get<std::string>();
    r.bar_size_setting = a.at(4).get<std::string>();
    r.what_to_show = a.at(5).get<std::string>();
    r.use_rth = a.at(6).get<int>() != 0;
    r.format_date = a.at(7).get<int32_t>();
    r.keep_up_to_date = a.at(8).get<bool>();
    r.chart_options = TagValueList(a.at(9));
    return {r, {6}};
  }
  if (method == "cancelHistoricalData") return {CancelHistoricalData{a.at(0).get<int32_t>()}, {}};
  if (method == "reqRealTimeBars") {
    ReqRealTimeBars r;
    r.req_id = a.at(0).get<int32_t>();
    r.contract = ContractFromJson(a.at(1));
    r.bar_size = a.at(2).get<int32_t>();
    r.what_to_show = a.at(3).get<std::string>();
    r.use_rth = a.at(4).get<bool>();
    r.real_time_bars_options = TagValueList(a.at(5));
    return {r, {7}};
  }
  if (method == "cancelRealTimeBars") return {CancelRealTimeBars{a.at(0).get<int32_t>()}, {}};
  if (method == "startApi") {
    StartApi r;
    r.client_id = a.at(0).get<int32_t>();
    if (!a.at(1).is_null()) r.optional_capabilities = a.at(1).get<std::string>();
    return {r, {}};
  }
  ADD_FAILURE() << "request method not mapped: " << method;
  return {UnknownRequest{}, {}};
}

// The account request the official client was asked to send, with our encoding of it; nullopt
// when `method` is not an account request.
struct BuiltAccountRequest {
  AccountRequest request;
  std::string bytes;
};

template <typename Request>
BuiltAccountRequest EncodeAccount(const Request& r, int sv) {
  BuiltAccountRequest built{r, {}};
  const Status st = EncodeRequest(r, sv, built.bytes);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return built;
}

std::optional<BuiltAccountRequest> BuildAccountRequest(const std::string& method, const json& a,
                                                       int sv) {
  if (method == "reqAccountUpdates") {
    return EncodeAccount(ReqAccountUpdates{a.at(0).get<bool>(), a.at(1).get<std::string>()}, sv);
  }
  if (method == "reqAccountSummary") {
    return EncodeAccount(ReqAccountSummary{a.at(0).get<int32_t>(), a.at(1).get<std::string>(),
                                           a.at(2).get<std::string>()},
                         sv);
  }
  if (method == "cancelAccountSummary") {
    return EncodeAccount(CancelAccountSummary{a.at(0).get<int32_t>()}, sv);
  }
  if (method == "reqPositions") return EncodeAccount(ReqPositions{}, sv);
  if (method == "cancelPositions") return EncodeAccount(CancelPositions{}, sv);
  if (method == "reqExecutions") {
    ReqExecutions r;
    r.req_id = a.at(0).get<int32_t>();
    for (const auto& [key, value] : a.at(1).at("execFilter").items()) {
      if (key == "clientId") {
        r.filter.client_id = value.get<int32_t>();
      } else if (key == "acctCode") {
        r.filter.acct_code = value.get<std::string>();
      } else if (key == "time") {
        r.filter.time = value.get<std::string>();
      } else if (key == "symbol") {
        r.filter.symbol = value.get<std::string>();
      } else if (key == "secType") {
        r.filter.sec_type = value.get<std::string>();
      } else if (key == "exchange") {
        r.filter.exchange = value.get<std::string>();
      } else if (key == "side") {
        r.filter.side = value.get<std::string>();
      } else {
        ADD_FAILURE() << "execution filter field not mapped: " << key;
      }
    }
    return EncodeAccount(r, sv);
  }
  if (method == "reqOpenOrders") return EncodeAccount(ReqOpenOrders{}, sv);
  if (method == "reqAllOpenOrders") return EncodeAccount(ReqAllOpenOrders{}, sv);
  if (method == "reqAutoOpenOrders") {
    return EncodeAccount(ReqAutoOpenOrders{a.at(0).get<bool>()}, sv);
  }
  if (method == "reqCompletedOrders") {
    return EncodeAccount(ReqCompletedOrders{a.at(0).get<bool>()}, sv);
  }
  if (method == "reqManagedAccts") return EncodeAccount(ReqManagedAccts{}, sv);
  if (method == "reqSmartComponents") {
    return EncodeAccount(ReqSmartComponents{a.at(0).get<int32_t>(), a.at(1).get<std::string>()},
                         sv);
  }
  if (method == "reqMarketRule") return EncodeAccount(ReqMarketRule{a.at(0).get<int32_t>()}, sv);
  return std::nullopt;
}

// An account request vector: our bytes are the official ones; the simulator's decoders report
// them as unknown to ClientRequest and read them back with DecodeAccountRequest.
void ExpectAccountRequestVector(const json& v, const BuiltAccountRequest& built) {
  const int sv = v.at("server_version").get<int>();
  const std::string official_bytes = FromHex(v.at("bytes_hex").get<std::string>());
  EXPECT_EQ(FrameFields(built.bytes), v.at("fields").get<std::vector<std::string>>());
  EXPECT_EQ(built.bytes, official_bytes);
  const std::string_view payload = std::string_view(official_bytes).substr(4);
  Result<ClientRequest> as_client = DecodeClientRequest(payload, sv);
  ASSERT_TRUE(as_client.ok()) << as_client.status().ToString();
  EXPECT_TRUE(std::holds_alternative<UnknownRequest>(*as_client)) << RequestName(*as_client);
  ProtocolCounters counters;
  Result<std::optional<AccountRequest>> decoded = DecodeAccountRequest(payload, sv, &counters);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_TRUE(decoded->has_value());
  EXPECT_TRUE(**decoded == built.request) << AccountRequestName(**decoded);
  EXPECT_EQ(counters.messages_decoded, 1u);
}

TEST(ConformanceTest, EveryRequestVectorEncodesLikeTheOfficialClient) {
  const json vectors = LoadVectors("client_requests.json");
  const json& requests = vectors.at("requests");
  ASSERT_EQ(requests.size(), kRequestVectors);
  size_t exercised = 0;
  size_t out_of_scope = 0;
  size_t byte_identical = 0;
  size_t account_vectors = 0;
  for (const json& v : requests) {
    SCOPED_TRACE(v.at("name").get<std::string>() + " sv " + v.at("server_version").dump());
    const int sv = v.at("server_version").get<int>();
    if (OutOfScopeRequest(v.at("method"))) {
      // The simulator reports the official bytes as an unknown request with their id.
      const std::string official_bytes = FromHex(v.at("bytes_hex").get<std::string>());
      Result<ClientRequest> decoded =
          DecodeClientRequest(std::string_view(official_bytes).substr(4), sv);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      ASSERT_TRUE(std::holds_alternative<UnknownRequest>(*decoded)) << RequestName(*decoded);
      EXPECT_EQ(std::to_string(std::get<UnknownRequest>(*decoded).message_id),
                v.at("fields").at(0).get<std::string>());
      ++out_of_scope;
      continue;
    }
    if (auto account = BuildAccountRequest(v.at("method"), v.at("args"), sv)) {
      ExpectAccountRequestVector(v, *account);
      ++account_vectors;
      ++exercised;
      ++byte_identical;
      continue;
    }
    const BuiltRequest built = BuildRequest(v.at("method"), v.at("args"));

    std::string ours;
    ASSERT_TRUE(EncodeRequest(built.request, sv, ours).ok());
    const std::vector<std::string> our_fields = FrameFields(ours);
    const auto want = v.at("fields").get<std::vector<std::string>>();
    ASSERT_EQ(our_fields.size(), want.size());
    bool identical = true;
    for (size_t i = 0; i < want.size(); ++i) {
      if (our_fields[i] == want[i]) continue;
      identical = false;
      EXPECT_TRUE(built.double_fields.count(i) && SameDouble(our_fields[i], want[i]))
          << "field " << i << ": ours '" << our_fields[i] << "', official '" << want[i] << "'";
    }
    const std::string official_bytes = FromHex(v.at("bytes_hex").get<std::string>());
    EXPECT_EQ(FrameFields(official_bytes), want) << "vector's bytes_hex and fields disagree";
    if (identical) {
      EXPECT_EQ(ours, official_bytes);
      ++byte_identical;
    }

    // The simulator reads the official client's bytes back into the same request.
    Result<ClientRequest> decoded =
        DecodeClientRequest(std::string_view(official_bytes).substr(4), sv);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_TRUE(*decoded == built.request) << RequestName(*decoded);
    ++exercised;
  }
  EXPECT_EQ(out_of_scope, kOutOfScopeRequestVectors);
  EXPECT_EQ(account_vectors, kAccountRequestVectors);
  EXPECT_EQ(exercised, kRequestVectors - kOutOfScopeRequestVectors);
  // Our doubles use the Python client's spelling, so every request is byte-identical.
  EXPECT_EQ(byte_identical, kRequestVectors - kOutOfScopeRequestVectors);
}

TEST(ConformanceTest, HandshakeVectorsEncodeAndParse) {
  const json vectors = LoadVectors("client_requests.json");
  const json& hellos = vectors.at("handshake");
  ASSERT_EQ(hellos.size(), kHandshakeVectors);
  size_t exercised = 0;
  for (const json& v : hellos) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const std::string text = v.at("text");
    const std::string official = FromHex(v.at("bytes_hex").get<std::string>());

    // Server side: FrameReader strips "API\0" and the length; ParseClientHello reads the range.
    FrameReader reader;
    reader.ExpectApiPrefix();
    reader.Append(official);
    auto frame = reader.Next();
    ASSERT_TRUE(frame.ok()) << frame.status().ToString();
    ASSERT_TRUE(frame->has_value());
    EXPECT_EQ(**frame, text);
    Result<ClientHello> hello = ParseClientHello(**frame);
    ASSERT_TRUE(hello.ok()) << hello.status().ToString();
    EXPECT_EQ(hello->min_version, 100);
    EXPECT_EQ(hello->max_version, 187);
    const size_t space = text.find(' ');
    EXPECT_EQ(hello->options, space == std::string::npos ? "" : text.substr(space + 1));

    // Client side: the same hello encodes to the same bytes.
    std::string ours;
    ASSERT_TRUE(EncodeClientHello(*hello, ours).ok());
    EXPECT_EQ(ours, official);
    ++exercised;
  }
  EXPECT_EQ(exercised, kHandshakeVectors);
}

// ---------------------------------------------------------------- server messages

// Official attributes we do not model: bond-only ContractDetails fields (bonds arrive as
// BOND_CONTRACT_DATA, out of scope) and combo/description parts of Contract. They must hold the
// official defaults in every vector, which the comparison checks.
const std::map<std::string, json>& UnmodelledDefaults() {
  static const auto* defaults = new std::map<std::string, json>{{"cusip", ""},
                                                                {"ratings", ""},
                                                                {"descAppend", ""},
                                                                {"bondType", ""},
                                                                {"couponType", ""},
                                                                {"callable", false},
                                                                {"putable", false},
                                                                {"coupon", 0},
                                                                {"convertible", false},
                                                                {"maturity", ""},
                                                                {"issueDate", ""},
                                                                {"nextOptionDate", ""},
                                                                {"nextOptionType", ""},
                                                                {"nextOptionPartial", false},
                                                                {"notes", ""},
                                                                {"comboLegsDescrip", ""},
                                                                {"comboLegs", json::array()},
                                                                {"deltaNeutralContract", nullptr},
                                                                {"description", ""},
                                                                {"lastTradeDate", ""}};
  return *defaults;
}

bool IsDecimal(const json& j) { return j.is_object() && j.size() == 1 && j.contains("decimal"); }

Decimal ParseVectorDecimal(const std::string& text) {
  if (text == kUnsetDecimalText) return Decimal::Unset();
  Result<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.value_or(Decimal::Unset());
}

// Compares our value with the official one: decimals exactly by value, numbers by value,
// everything else exactly; official keys we do not produce must be known and at their default.
void ExpectMatches(const json& ours, const json& official, const std::string& path) {
  if (IsDecimal(official)) {
    ASSERT_TRUE(IsDecimal(ours)) << path << ": ours " << ours.dump();
    EXPECT_EQ(ParseVectorDecimal(ours.at("decimal")), ParseVectorDecimal(official.at("decimal")))
        << path << ": ours " << ours.dump() << ", official " << official.dump();
    return;
  }
  if (official.is_number()) {
    ASSERT_TRUE(ours.is_number()) << path << ": ours " << ours.dump();
    EXPECT_EQ(ours.get<double>(), official.get<double>()) << path;
    return;
  }
  if (official.is_object()) {
    ASSERT_TRUE(ours.is_object()) << path << ": ours " << ours.dump();
    for (const auto& [key, value] : official.items()) {
      if (ours.contains(key)) {
        ExpectMatches(ours.at(key), value, path + "." + key);
      } else {
        auto known = UnmodelledDefaults().find(key);
        ASSERT_NE(known, UnmodelledDefaults().end())
            << path << ": official key not produced: " << key;
        EXPECT_EQ(value, known->second) << path << "." << key << " has a non-default value";
      }
    }
    for (const auto& [key, value] : ours.items()) {
      EXPECT_TRUE(official.contains(key))
          << path << ": we produce a key the official lacks: " << key;
    }
    return;
  }
  if (official.is_array()) {
    ASSERT_TRUE(ours.is_array()) << path << ": ours " << ours.dump();
    ASSERT_EQ(ours.size(), official.size()) << path << ": ours " << ours.dump();
    for (size_t i = 0; i < official.size(); ++i) {
      ExpectMatches(ours.at(i), official.at(i), path + "[" + std::to_string(i) + "]");
    }
    return;
  }
  EXPECT_EQ(ours, official) << path;
}

// Fields of our re-encoding that legitimately differ from the vector's text: the vector was not
// written by our encoder. Doubles compare by value; these are the remaining differences.
bool AllowedFieldDifference(const std::string& name, size_t index, const std::string& ours,
                            const std::string& vector) {
  // HISTORICAL_TICKS' unused field: the vector leaves it empty, we write the documented 0.
  if (name.rfind("historicalTicks/midpoint/", 0) == 0 && index == 4) {
    return vector.empty() && ours == "0";
  }
  return false;
}

TEST(ConformanceTest, EveryServerMessageDecodesLikeTheOfficialClientAndReencodes) {
  const json vectors = LoadVectors("server_messages.json");
  const json& messages = vectors.at("messages");
  ASSERT_EQ(messages.size(), kServerMessageVectors);
  size_t exercised = 0;
  size_t out_of_scope = 0;
  size_t canonical = 0;
  for (const json& v : messages) {
    const std::string name = v.at("name");
    SCOPED_TRACE(name);
    const int sv = v.at("server_version").get<int>();
    const std::string frame = FromHex(v.at("bytes_hex").get<std::string>());
    ASSERT_EQ(FrameFields(frame), v.at("fields").get<std::vector<std::string>>());
    if (OutOfScopeMessage(name)) {
      // Reported as unknown (counted), never misread as another message.
      ServerMessageDecoder decoder(sv);
      JsonHandler decoded;
      ASSERT_TRUE(decoder.Decode(std::string_view(frame).substr(4), decoded).ok());
      EXPECT_EQ(decoder.counters().unknown_ids_skipped, 1u);
      EXPECT_EQ(decoded.calls,
                json::array({{{"callback", "unknown"},
                              {"args", {std::stoi(v.at("fields").at(0).get<std::string>())}}}}));
      ++out_of_scope;
      continue;
    }

    // 1. Our client decoder gives the official decoder's values.
    FrameReader reader;
    reader.Append(frame);
    auto payload = reader.Next();
    ASSERT_TRUE(payload.ok() && payload->has_value());
    ServerMessageDecoder decoder(sv);
    JsonHandler decoded;
    ASSERT_TRUE(decoder.Decode(**payload, decoded).ok());
    EXPECT_EQ(decoder.counters().messages_decoded, 1u);
    EXPECT_EQ(decoder.counters().total_errors(), 0u);
    ExpectMatches(decoded.calls, v.at("official_decoder"), "official_decoder");

    // 2. Our simulator encoder re-encodes what we decoded; decoding that gives the same values.
    std::string reencoded;
    {
      ServerMessageDecoder redecoder(sv);
      EncodingHandler encoder(sv, reencoded);
      ASSERT_TRUE(redecoder.Decode(**payload, encoder).ok());
      ASSERT_TRUE(encoder.status().ok()) << encoder.status().ToString();
      ASSERT_EQ(encoder.encoded(), 1);
    }
    FrameReader reader2;
    reader2.Append(reencoded);
    auto payload2 = reader2.Next();
    ASSERT_TRUE(payload2.ok() && payload2->has_value());
    EXPECT_EQ(reader2.buffered(), 0u);
    ServerMessageDecoder decoder2(sv);
    JsonHandler decoded2;
    ASSERT_TRUE(decoder2.Decode(**payload2, decoded2).ok());
    EXPECT_EQ(decoded2.calls, decoded.calls);
    ExpectMatches(decoded2.calls, v.at("official_decoder"), "re-encoded");

    // 3. Field by field the re-encoding is the vector: byte-exact, doubles by value, and the
    // listed non-canonical fields of the vector.
    const std::vector<std::string> ours = FrameFields(reencoded);
    const auto want = v.at("fields").get<std::vector<std::string>>();
    ASSERT_EQ(ours.size(), want.size());
    bool identical = true;
    for (size_t i = 0; i < want.size(); ++i) {
      if (ours[i] == want[i]) continue;
      identical = false;
      EXPECT_TRUE(SameDouble(ours[i], want[i]) || AllowedFieldDifference(name, i, ours[i], want[i]))
          << "field " << i << ": ours '" << ours[i] << "', vector '" << want[i] << "'";
    }
    if (identical) {
      EXPECT_EQ(reencoded, frame);
      ++canonical;
    }
    ++exercised;
  }
  EXPECT_EQ(out_of_scope, kOutOfScopeServerMessageVectors);
  EXPECT_EQ(exercised, kServerMessageVectors - kOutOfScopeServerMessageVectors);
  // Most vectors are byte-identical after re-encoding; the rest differ only in double spelling
  // ("0" vs "0.0", "0.00005" vs "5e-05") or the unused historical-ticks field.
  EXPECT_GT(canonical, exercised / 2);
}

// Every message of the vectors, all in one buffer, fed one byte at a time: the same callbacks.
TEST(ConformanceTest, AllServerVectorsAsOneStreamByteByByte) {
  const json vectors = LoadVectors("server_messages.json");
  for (const int sv : {176, 187}) {
    std::string stream;
    JsonHandler expected;
    size_t count = 0;
    for (const json& v : vectors.at("messages")) {
      if (v.at("server_version").get<int>() != sv || OutOfScopeMessage(v.at("name"))) continue;
      stream += FromHex(v.at("bytes_hex").get<std::string>());
      for (const json& call : v.at("official_decoder")) expected.calls.push_back(call);
      ++count;
    }
    ASSERT_EQ(count, (kServerMessageVectors - kOutOfScopeServerMessageVectors) / 2);
    ProtocolCounters counters;
    FrameReader reader(&counters);
    ServerMessageDecoder decoder(sv);
    JsonHandler got;
    for (const char byte : stream) {
      reader.Append(std::string_view(&byte, 1));
      while (true) {
        auto frame = reader.Next();
        ASSERT_TRUE(frame.ok());
        if (!frame->has_value()) break;
        ASSERT_TRUE(decoder.Decode(**frame, got).ok());
      }
    }
    EXPECT_EQ(counters.frames_read, count);
    EXPECT_EQ(decoder.counters().messages_decoded, count);
    ExpectMatches(got.calls, expected.calls, "stream");
  }
}

}  // namespace
}  // namespace ibstream::protocol::conformance_test
