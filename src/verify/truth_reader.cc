#include "verify/truth_reader.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ibstream::verify {
namespace {

using Json = nlohmann::json;

// One record's top-level fields, read through nlohmann's SAX interface into a flat list: no
// document tree is built. A truth file holds a record per generated tick (hundreds of thousands
// per simulated hour), and building each line as a tree of maps was most of the time `verify`
// spent reading one. Reused from line to line. A nested value is kept as an empty object or
// array, so that a field of the wrong kind is reported as before.
class FlatRecord final : public nlohmann::json_sax<Json> {
 public:
  // False when `line` is not valid JSON.
  bool Parse(std::string_view line) {
    fields_.clear();
    depth_ = 0;
    object_ = false;
    return Json::sax_parse(line.begin(), line.end(), this);
  }
  bool is_object() const { return object_; }
  // The field's value (the last one when a key repeats, as a parsed document keeps); null when
  // absent.
  const Json* Find(std::string_view key) const {
    for (auto it = fields_.rbegin(); it != fields_.rend(); ++it) {
      if (it->first == key) return &it->second;
    }
    return nullptr;
  }

  bool null() override { return Value(Json(nullptr)); }
  bool boolean(bool value) override { return Value(Json(value)); }
  bool number_integer(number_integer_t value) override { return Value(Json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return Value(Json(value)); }
  bool number_float(number_float_t value, const string_t& /*text*/) override {
    return Value(Json(value));
  }
  bool string(string_t& value) override { return Value(Json(std::move(value))); }
  bool binary(binary_t& /*value*/) override { return Value(Json(nullptr)); }  // not in JSON text
  bool start_object(std::size_t /*elements*/) override {
    if (depth_ == 0) object_ = true;
    Value(Json::object());
    ++depth_;
    return true;
  }
  bool key(string_t& key) override {
    if (depth_ == 1) fields_.emplace_back(std::move(key), Json());
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t /*elements*/) override {
    Value(Json::array());
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) override {
    return false;
  }

 private:
  // A value at the top level of the record is the last key's; deeper ones are not kept.
  bool Value(Json value) {
    if (depth_ == 1 && !fields_.empty()) fields_.back().second = std::move(value);
    return true;
  }

  std::vector<std::pair<std::string, Json>> fields_;
  int depth_ = 0;
  bool object_ = false;
};

// Typed field access without exceptions: every accessor reports the field it wanted.
class Fields {
 public:
  explicit Fields(const FlatRecord& record) : record_(record) {}

  Result<const Json*> Get(const char* key) const {
    const Json* value = record_.Find(key);
    if (value == nullptr) return ParseError(std::string("missing \"") + key + "\"");
    return value;
  }
  Result<std::string> String(const char* key) const {
    auto value = Get(key);
    if (!value.ok()) return value.status();
    if (!(*value)->is_string()) return ParseError(std::string("\"") + key + "\" is not a string");
    return (*value)->get<std::string>();
  }
  Result<double> Number(const char* key) const {
    auto value = Get(key);
    if (!value.ok()) return value.status();
    if (!(*value)->is_number()) return ParseError(std::string("\"") + key + "\" is not a number");
    return (*value)->get<double>();
  }
  Result<int64_t> Integer(const char* key) const {
    auto value = Get(key);
    if (!value.ok()) return value.status();
    if ((*value)->is_number_unsigned()) {
      const uint64_t u = (*value)->get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) {
        return ParseError(std::string("\"") + key + "\" is out of range");
      }
      return static_cast<int64_t>(u);
    }
    if (!(*value)->is_number_integer()) {
      return ParseError(std::string("\"") + key + "\" is not an integer");
    }
    return (*value)->get<int64_t>();
  }
  Result<bool> Bool(const char* key) const {
    auto value = Get(key);
    if (!value.ok()) return value.status();
    if (!(*value)->is_boolean()) return ParseError(std::string("\"") + key + "\" is not a boolean");
    return (*value)->get<bool>();
  }
  // Absent optional booleans are false.
  Result<bool> OptionalBool(const char* key) const {
    if (!Has(key)) return false;
    return Bool(key);
  }
  Result<Decimal> DecimalText(const char* key) const {
    auto text = String(key);
    if (!text.ok()) return text.status();
    return Decimal::Parse(*text);
  }
  // Absent optional decimals are unset.
  Result<Decimal> OptionalDecimalText(const char* key) const {
    if (!Has(key)) return Decimal::Unset();
    return DecimalText(key);
  }
  bool Has(const char* key) const { return record_.Find(key) != nullptr; }
  Result<TimePoint> Time(const char* key) const {
    auto text = String(key);
    if (!text.ok()) return text.status();
    return ParseIsoTime(*text);
  }

 private:
  const FlatRecord& record_;
};

#define TRUTH_ASSIGN(lhs, expr)               \
  do {                                        \
    auto _value = (expr);                     \
    if (!_value.ok()) return _value.status(); \
    lhs = std::move(_value).value();          \
  } while (0)

// A depth record: "operation" (insert, update, delete, reset), "side" (bid, ask), "position",
// "price", "size" (absent on a delete or reset) and "market_maker" (absent for L1 rows).
Status ReadDepthFields(const Fields& f, Tick* t) {
  std::string operation;
  TRUTH_ASSIGN(operation, f.String("operation"));
  bool known = false;
  for (BookOperation o : {BookOperation::kInsert, BookOperation::kUpdate, BookOperation::kDelete,
                          BookOperation::kReset}) {
    if (operation == BookOperationName(o)) {
      t->book_operation = o;
      known = true;
    }
  }
  if (!known) return ParseError("unknown depth \"operation\" '" + operation + "'");
  std::string side;
  TRUTH_ASSIGN(side, f.String("side"));
  if (side != "bid" && side != "ask") return ParseError("unknown depth \"side\" '" + side + "'");
  t->book_side = side == "bid" ? BookSide::kBid : BookSide::kAsk;
  int64_t position = 0;
  TRUTH_ASSIGN(position, f.Integer("position"));
  if (position < 0 || position > INT32_MAX) return ParseError("\"position\" out of range");
  t->book_position = static_cast<int32_t>(position);
  TRUTH_ASSIGN(t->price, f.Number("price"));
  TRUTH_ASSIGN(t->size, f.OptionalDecimalText("size"));
  if (f.Has("market_maker")) TRUTH_ASSIGN(t->exchange, f.String("market_maker"));
  return Status::Ok();
}

// The subscription a depth record was sent to ("client_id", "req_id"; both absent: unknown).
Status ReadDepthSubscription(const Fields& f, TruthTick& out) {
  if (!f.Has("client_id") && !f.Has("req_id")) return Status::Ok();
  int64_t client_id = 0;
  int64_t req_id = 0;
  TRUTH_ASSIGN(client_id, f.Integer("client_id"));
  TRUTH_ASSIGN(req_id, f.Integer("req_id"));
  if (client_id < INT32_MIN || client_id > INT32_MAX || req_id < INT32_MIN || req_id > INT32_MAX) {
    return ParseError("depth \"client_id\" or \"req_id\" out of range");
  }
  out.client_id = static_cast<int32_t>(client_id);
  out.req_id = static_cast<int32_t>(req_id);
  return Status::Ok();
}

Status ParseTick(const Fields& f, TruthTick& out) {
  Tick& t = out.tick;
  TRUTH_ASSIGN(t.contract_id, f.Integer("con_id"));
  TRUTH_ASSIGN(out.symbol, f.String("symbol"));
  std::string type_name;
  TRUTH_ASSIGN(type_name, f.String("tick_type"));
  auto type = ParseTickType(type_name);
  if (!type.ok()) return ParseError(type.status().message());
  t.type = *type;
  int64_t seconds = 0;
  int64_t nanos = 0;
  TRUTH_ASSIGN(seconds, f.Integer("time"));
  TRUTH_ASSIGN(nanos, f.Integer("time_ns"));
  t.exchange_time = FromUnixSeconds(seconds);
  t.receive_time = TimePoint(Duration(nanos));
  switch (t.type) {
    case TickType::kQuote:
      TRUTH_ASSIGN(t.bid_price, f.Number("bid"));
      TRUTH_ASSIGN(t.ask_price, f.Number("ask"));
      TRUTH_ASSIGN(t.bid_size, f.DecimalText("bid_size"));
      TRUTH_ASSIGN(t.ask_size, f.DecimalText("ask_size"));
      break;
    case TickType::kTrade:
      TRUTH_ASSIGN(t.price, f.Number("price"));
      TRUTH_ASSIGN(t.size, f.DecimalText("size"));
      TRUTH_ASSIGN(t.volume, f.OptionalDecimalText("volume"));
      break;
    case TickType::kBidAsk: {
      TRUTH_ASSIGN(t.bid_price, f.Number("bid"));
      TRUTH_ASSIGN(t.ask_price, f.Number("ask"));
      TRUTH_ASSIGN(t.bid_size, f.DecimalText("bid_size"));
      TRUTH_ASSIGN(t.ask_size, f.DecimalText("ask_size"));
      bool flag = false;
      TRUTH_ASSIGN(flag, f.OptionalBool("bid_past_low"));
      if (flag) t.attributes |= kAttrBidPastLow;
      TRUTH_ASSIGN(flag, f.OptionalBool("ask_past_high"));
      if (flag) t.attributes |= kAttrAskPastHigh;
      break;
    }
    case TickType::kLast:
    case TickType::kAllLast: {
      TRUTH_ASSIGN(t.price, f.Number("price"));
      TRUTH_ASSIGN(t.size, f.DecimalText("size"));
      TRUTH_ASSIGN(t.exchange, f.String("exchange"));
      TRUTH_ASSIGN(t.special_conditions, f.String("special_conditions"));
      bool flag = false;
      TRUTH_ASSIGN(flag, f.Bool("unreported"));
      if (flag) t.attributes |= kAttrUnreported;
      TRUTH_ASSIGN(flag, f.OptionalBool("past_limit"));
      if (flag) t.attributes |= kAttrPastLimit;
      break;
    }
    case TickType::kMidPoint:
      TRUTH_ASSIGN(t.price, f.Number("price"));
      break;
    case TickType::kDepth:
      IBSTREAM_RETURN_IF_ERROR(ReadDepthFields(f, &t));
      IBSTREAM_RETURN_IF_ERROR(ReadDepthSubscription(f, out));
      break;
  }
  TRUTH_ASSIGN(out.delivered, f.Bool("delivered"));
  int64_t subscribers = 0;
  TRUTH_ASSIGN(subscribers, f.Integer("subscribers"));
  if (subscribers < 0 || subscribers > INT32_MAX) return ParseError("\"subscribers\" out of range");
  out.subscribers = static_cast<int>(subscribers);
  return Status::Ok();
}

Status ParseRecord(const FlatRecord& record, const TruthVisitor& visitor, TruthReadStats* stats) {
  if (!record.is_object()) return ParseError("not a JSON object");
  const Fields f(record);
  std::string type;
  TRUTH_ASSIGN(type, f.String("type"));
  if (type == "tick") {
    if (!stats->has_header) return ParseError("tick before the header");
    TruthTick tick;
    IBSTREAM_RETURN_IF_ERROR(ParseTick(f, tick));
    ++stats->ticks;
    return visitor.on_tick ? visitor.on_tick(tick) : Status::Ok();
  }
  if (type == "header") {
    if (stats->has_header) return ParseError("a second header");
    TruthHeader header;
    int64_t version = 0;
    TRUTH_ASSIGN(version, f.Integer("version"));
    if (version != 1 && version != 2) {
      return ParseError("unsupported truth format version " + std::to_string(version));
    }
    header.version = static_cast<int>(version);
    int64_t seed = 0;
    TRUTH_ASSIGN(seed, f.Integer("seed"));
    header.seed = static_cast<uint64_t>(seed);
    TRUTH_ASSIGN(header.start, f.Time("start"));
    TRUTH_ASSIGN(header.speed, f.Number("speed"));
    stats->has_header = true;
    return visitor.on_header ? visitor.on_header(header) : Status::Ok();
  }
  if (!stats->has_header) return ParseError("the file does not start with a header");
  if (type == "fault") {
    TruthFault fault;
    TRUTH_ASSIGN(fault.kind, f.String("kind"));
    TRUTH_ASSIGN(fault.detail, f.String("detail"));
    TRUTH_ASSIGN(fault.start, f.Time("start"));
    TRUTH_ASSIGN(fault.end, f.Time("end"));
    TRUTH_ASSIGN(fault.open, f.Bool("open"));
    ++stats->faults;
    return visitor.on_fault ? visitor.on_fault(fault) : Status::Ok();
  }
  if (type == "subscription") {
    TruthSubscription sub;
    std::string event;
    TRUTH_ASSIGN(event, f.String("event"));
    if (event == "start") {
      sub.event = TruthSubscription::Event::kStart;
    } else if (event == "refused") {
      sub.event = TruthSubscription::Event::kRefused;
    } else if (event == "end") {
      sub.event = TruthSubscription::Event::kEnd;
    } else {
      return ParseError("unknown subscription event \"" + event + "\"");
    }
    int64_t n = 0;
    TRUTH_ASSIGN(n, f.Integer("client_id"));
    if (n < INT32_MIN || n > INT32_MAX) return ParseError("\"client_id\" out of range");
    sub.client_id = static_cast<int32_t>(n);
    TRUTH_ASSIGN(n, f.Integer("req_id"));
    if (n < INT32_MIN || n > INT32_MAX) return ParseError("\"req_id\" out of range");
    sub.req_id = static_cast<int32_t>(n);
    TRUTH_ASSIGN(n, f.Integer("con_id"));
    if (n < INT32_MIN || n > INT32_MAX) return ParseError("\"con_id\" out of range");
    sub.con_id = static_cast<int32_t>(n);
    TRUTH_ASSIGN(sub.symbol, f.String("symbol"));
    TRUTH_ASSIGN(sub.stream, f.String("stream"));
    TRUTH_ASSIGN(n, f.Integer("time_ns"));
    sub.time = TimePoint(Duration(n));
    TRUTH_ASSIGN(sub.reason, f.String("reason"));
    ++stats->subscriptions;
    return visitor.on_subscription ? visitor.on_subscription(sub) : Status::Ok();
  }
  if (type == "footer") {
    TruthFooter footer;
    TRUTH_ASSIGN(footer.end, f.Time("end"));
    int64_t n = 0;
    TRUTH_ASSIGN(n, f.Integer("ticks"));
    footer.ticks = static_cast<uint64_t>(n);
    TRUTH_ASSIGN(n, f.Integer("delivered"));
    footer.delivered = static_cast<uint64_t>(n);
    stats->has_footer = true;
    return visitor.on_footer ? visitor.on_footer(footer) : Status::Ok();
  }
  return ParseError("unknown record type \"" + type + "\"");
}

#undef TRUTH_ASSIGN

}  // namespace

std::optional<TickType> TruthSubscription::tick_type() const {
  for (TickType t : kAllTickTypes) {
    if (TickTypeIbName(t) == stream) return t;
  }
  return std::nullopt;
}

std::vector<TickType> TruthSubscription::stream_kinds() const {
  if (stream == "MktData") {
    return std::vector<TickType>(std::begin(kFallbackTickTypes), std::end(kFallbackTickTypes));
  }
  if (const std::optional<TickType> type = tick_type()) return {*type};
  return {};
}

namespace {

Status ParseTruthLineInto(FlatRecord& record, std::string_view line, const TruthVisitor& visitor,
                          TruthReadStats* stats) {
  ++stats->lines;
  if (!record.Parse(line)) return ParseError("not valid JSON");
  return ParseRecord(record, visitor, stats);
}

}  // namespace

Status ParseTruthLine(std::string_view line, const TruthVisitor& visitor, TruthReadStats* stats) {
  FlatRecord record;
  return ParseTruthLineInto(record, line, visitor, stats);
}

Status ReadTruthFile(const std::string& path, const TruthVisitor& visitor, TruthReadStats* stats) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (file == nullptr) return IoError("cannot open truth file " + path);
  *stats = TruthReadStats{};
  FlatRecord record;
  std::string line;
  char buffer[1 << 16];
  bool at_end = false;
  while (!at_end) {
    line.clear();
    bool complete = false;
    while (true) {
      if (std::fgets(buffer, sizeof(buffer), file.get()) == nullptr) {
        if (std::ferror(file.get())) return IoError("reading truth file " + path + " failed");
        at_end = true;
        break;
      }
      line += buffer;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        complete = true;
        break;
      }
    }
    if (line.empty()) continue;
    if (!complete && !Json::accept(line)) {  // the last line, cut short by a crash
      stats->torn_last_line = true;
      break;
    }
    const Status st = ParseTruthLineInto(record, line, visitor, stats);
    if (!st.ok()) {
      return st.WithContext("truth line " + std::to_string(stats->lines));
    }
  }
  if (!stats->has_header) return ParseError("truth file " + path + " has no header");
  return Status::Ok();
}

}  // namespace ibstream::verify
