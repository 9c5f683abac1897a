// [gateway]: the TWS / IB Gateway the recorder connects to.
#include <algorithm>
#include <limits>

#include "config/settings.h"

namespace ibstream::config::internal {

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Kind<std::vector<uint16_t>> PortListKind() {
  return {"a list of 1 to 16 distinct ports, each from 1 to 65535 (a variable: \"7497,4002\")",
          [](const RawValue& raw) -> Result<std::vector<uint16_t>> {
            Result<std::vector<RawValue>> items = AsList(raw, ",");
            if (!items.ok()) return items.status();
            if (items->empty() || items->size() > 16) {
              return InvalidArgument(std::to_string(items->size()) + " ports");
            }
            std::vector<uint16_t> ports;
            for (const RawValue& item : *items) {
              Result<int64_t> port = AsInteger(item);
              if (!port.ok()) return InvalidArgument(Shown(item) + ": " + port.status().message());
              if (*port < 1 || *port > 65535) {
                return InvalidArgument(std::to_string(*port) + " is not a port");
              }
              if (std::find(ports.begin(), ports.end(), *port) != ports.end()) {
                return InvalidArgument("port " + std::to_string(*port) + " appears twice");
              }
              ports.push_back(static_cast<uint16_t>(*port));
            }
            return ports;
          },
          [](const std::vector<uint16_t>& ports) {
            std::string out = "[";
            for (size_t i = 0; i < ports.size(); ++i) {
              out += (i == 0 ? "" : ", ") + std::to_string(ports[i]);
            }
            return out + "]";
          },
          {}};
}

// 0..1000, or "auto" (nullopt): learned from IB's answers.
Kind<std::optional<int32_t>> TickByTickLimitKind() {
  return {"an integer from 0 to 1000, or \"auto\" (no limit until IB refuses one: 10190)",
          [](const RawValue& raw) -> Result<std::optional<int32_t>> {
            if (raw.node == nullptr || raw.node->is_string()) {
              Result<std::string> text = AsString(raw);
              if (!text.ok()) return text.status();
              if (EqualsIgnoreCase(Trim(*text), "auto")) return std::optional<int32_t>();
              if (raw.node != nullptr) return InvalidArgument("neither an integer nor \"auto\"");
            }
            Result<int64_t> value = AsInteger(raw);
            if (!value.ok()) return value.status();
            if (*value < 0 || *value > 1000) return InvalidArgument("out of range");
            return std::optional<int32_t>(static_cast<int32_t>(*value));
          },
          [](const std::optional<int32_t>& limit) {
            return limit ? std::to_string(*limit) : Quote("auto");
          },
          {}};
}

}  // namespace

void AddGatewaySettings(std::vector<Setting<Config>>& s) {
  using C = Config;
  s.push_back(Bind<C>("gateway.host", IBSTREAM_FIELD(gateway.host),
                      StringKind("a host name or IP address without spaces", Word))
                  .Original({"IB_STREAM_HOST"}));
  s.push_back(Bind<C>("gateway.ports", IBSTREAM_FIELD(gateway.ports), PortListKind())
                  .Original({"IB_STREAM_PORTS"}));
  s.push_back(Bind<C>("gateway.client_id", IBSTREAM_FIELD(gateway.client_id),
                      IntKind<int32_t>(0, std::numeric_limits<int32_t>::max() - 1000))
                  .Original({"IB_STREAM_CLIENT_ID"}));
  s.push_back(Bind<C>("gateway.connect_timeout", IBSTREAM_FIELD(gateway.connect_timeout),
                      DurationKind(milliseconds(100), minutes(10)))
                  .Original({"IB_STREAM_CONNECTION_TIMEOUT"}));
  s.push_back(Bind<C>("gateway.probe_interval", IBSTREAM_FIELD(gateway.probe_interval),
                      DurationKind(seconds(1), hours(1))));
  s.push_back(Bind<C>("gateway.probe_deadline", IBSTREAM_FIELD(gateway.probe_deadline),
                      DurationKind(milliseconds(100), minutes(10))));
  s.push_back(Bind<C>("gateway.tick_by_tick_limit", IBSTREAM_FIELD(gateway.tick_by_tick_limit),
                      TickByTickLimitKind()));
  s.push_back(Bind<C>("gateway.market_data_lines", IBSTREAM_FIELD(gateway.market_data_lines),
                      IntKind<int32_t>(1, 10000)));
  s.push_back(Bind<C>("gateway.market_depth_limit", IBSTREAM_FIELD(gateway.market_depth_limit),
                      IntKind<int32_t>(0, 1000)));
}

}  // namespace ibstream::config::internal
