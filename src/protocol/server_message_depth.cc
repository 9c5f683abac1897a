// Market depth messages, both directions: the ServerMessageDecoder's DecodeMarketDepth,
// DecodeMarketDepthL2 and DecodeMktDepthExchanges (client side) and their EncodeServerMessage
// overloads (simulator side). Kept apart from server_message_decoder.cc / _encoder.cc so each
// file stays one screenful of concerns.
#include <string>

#include "common/check.h"
#include "protocol/field_codec.h"
#include "protocol/server_messages.h"
#include "protocol/server_messages_internal.h"

namespace ibstream::protocol {
namespace {

// Legacy version fields real TWS sends; decoders skip them.
constexpr int kMarketDepthVersion = 1;
constexpr int kMarketDepthL2Version = 1;

// Reads position, operation and side checking their ranges; an out-of-range value fails the
// reader (kBadValue) so the message is refused as a whole.
int32_t ReadPosition(FieldReader& r) {
  const int32_t position = r.Int("position");
  if (r.ok() && position < 0) {
    r.Fail(DecodeErrorKind::kBadValue, "position", "must not be negative");
  }
  return position;
}

DepthOperation ReadOperation(FieldReader& r) {
  const int32_t operation = r.Int("operation");
  if (r.ok() && (operation < 0 || operation > 2)) {
    r.Fail(DecodeErrorKind::kBadValue, "operation", "must be 0 (insert), 1 (update) or 2 (delete)");
  }
  return static_cast<DepthOperation>(operation);
}

DepthSide ReadSide(FieldReader& r) {
  const int32_t side = r.Int("side");
  if (r.ok() && (side < 0 || side > 1)) {
    r.Fail(DecodeErrorKind::kBadValue, "side", "must be 0 (ask) or 1 (bid)");
  }
  return static_cast<DepthSide>(side);
}

Status CheckPosition(int32_t position, const char* message_name) {
  if (position < 0) {
    return InvalidArgument(std::string(message_name) + ": position must not be negative");
  }
  return Status::Ok();
}

}  // namespace

Status ServerMessageDecoder::DecodeMarketDepth(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kMarketDepthName);
  MarketDepth m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.position = ReadPosition(r);
  m.operation = ReadOperation(r);
  m.side = ReadSide(r);
  m.price = r.Double("price");
  m.size = r.Dec("size");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnMarketDepth, m);
}

Status ServerMessageDecoder::DecodeMarketDepthL2(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kMarketDepthL2Name);
  MarketDepthL2 m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.position = ReadPosition(r);
  m.market_maker = r.String("marketMaker");
  m.operation = ReadOperation(r);
  m.side = ReadSide(r);
  m.price = r.Double("price");
  m.size = r.Dec("size");
  m.is_smart_depth = r.Bool("isSmartDepth");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnMarketDepthL2, m);
}

Status ServerMessageDecoder::DecodeMktDepthExchanges(FieldReader& r,
                                                     ServerMessageHandler& handler) {
  r.set_message_name(kMktDepthExchangesName);
  MktDepthExchanges m;
  const int32_t count = r.Count("count", 5);
  m.descriptions.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    DepthMktDataDescription& d = m.descriptions.emplace_back();
    d.exchange = r.String("exchange");
    d.sec_type = r.String("secType");
    d.listing_exch = r.String("listingExch");
    d.service_data_type = r.String("serviceDataType");
    d.agg_group = r.Int("aggGroup");
  }
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnMktDepthExchanges, m);
}

Status EncodeServerMessage(const MarketDepth& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  IBSTREAM_RETURN_IF_ERROR(CheckPosition(m.position, kMarketDepthName));
  MessageWriter w(out, TextPolicy::kNoNul, kMarketDepthName);
  w.Int(Id(IncomingId::kMarketDepth))
      .Int(kMarketDepthVersion)
      .Int(m.req_id)
      .Int(m.position)
      .Int(static_cast<int32_t>(m.operation))
      .Int(static_cast<int32_t>(m.side))
      .Double(m.price)
      .Dec(m.size);
  return w.Finish();
}

Status EncodeServerMessage(const MarketDepthL2& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  IBSTREAM_RETURN_IF_ERROR(CheckPosition(m.position, kMarketDepthL2Name));
  MessageWriter w(out, TextPolicy::kNoNul, kMarketDepthL2Name);
  w.Int(Id(IncomingId::kMarketDepthL2))
      .Int(kMarketDepthL2Version)
      .Int(m.req_id)
      .Int(m.position)
      .String(m.market_maker, "marketMaker")
      .Int(static_cast<int32_t>(m.operation))
      .Int(static_cast<int32_t>(m.side))
      .Double(m.price)
      .Dec(m.size)
      .Bool(m.is_smart_depth);
  return w.Finish();
}

Status EncodeServerMessage(const MktDepthExchanges& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kMktDepthExchangesName);
  w.Int(Id(IncomingId::kMktDepthExchanges)).Int(static_cast<int64_t>(m.descriptions.size()));
  for (const DepthMktDataDescription& d : m.descriptions) {
    w.String(d.exchange, "exchange")
        .String(d.sec_type, "secType")
        .String(d.listing_exch, "listingExch")
        .String(d.service_data_type, "serviceDataType")
        .Int(d.agg_group);
  }
  return w.Finish();
}

}  // namespace ibstream::protocol
