// Bar requests (requests_bars.h): encoders for the client and the field readers the simulator's
// DecodeClientRequest calls. Kept apart from requests.cc so each file stays one concern.
#include "protocol/requests_bars.h"

#include "common/check.h"
#include "protocol/constants.h"
#include "protocol/field_codec.h"
#include "protocol/requests_internal.h"

namespace ibstream::protocol {
namespace {

// Legacy version fields the official clients send.
constexpr int kCancelHistoricalDataVersion = 1;
constexpr int kReqRealTimeBarsVersion = 3;
constexpr int kCancelRealTimeBarsVersion = 1;

constexpr const char* kReqHistoricalDataName = "REQ_HISTORICAL_DATA (20)";
constexpr const char* kCancelHistoricalDataName = "CANCEL_HISTORICAL_DATA (25)";
constexpr const char* kReqRealTimeBarsName = "REQ_REAL_TIME_BARS (50)";
constexpr const char* kCancelRealTimeBarsName = "CANCEL_REAL_TIME_BARS (51)";

using internal::CheckRequestServerVersion;

using internal::Id;

using internal::ReadContract12;
using internal::WriteComboLegs;
using internal::WriteContract12;

}  // namespace

Status EncodeRequest(const ReqHistoricalData& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqHistoricalDataName);
  w.Int(Id(OutgoingId::kReqHistoricalData)).Int(request.req_id);
  WriteContract12(request.contract, w);
  w.Bool(request.contract.include_expired)
      .String(request.end_date_time, "endDateTime")
      .String(request.bar_size_setting, "barSizeSetting")
      .String(request.duration, "durationStr")
      .Bool(request.use_rth)
      .String(request.what_to_show, "whatToShow")
      .Int(request.format_date);
  if (request.contract.sec_type == "BAG") WriteComboLegs(request.combo_legs, w);
  w.Bool(request.keep_up_to_date).String(request.chart_options, "chartOptions");
  return w.Finish();
}

Status EncodeRequest(const CancelHistoricalData& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kCancelHistoricalDataName);
  w.Int(Id(OutgoingId::kCancelHistoricalData))
      .Int(kCancelHistoricalDataVersion)
      .Int(request.req_id);
  return w.Finish();
}

Status EncodeRequest(const ReqRealTimeBars& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqRealTimeBarsName);
  w.Int(Id(OutgoingId::kReqRealTimeBars)).Int(kReqRealTimeBarsVersion).Int(request.req_id);
  WriteContract12(request.contract, w);
  w.Int(request.bar_size)
      .String(request.what_to_show, "whatToShow")
      .Bool(request.use_rth)
      .String(request.real_time_bars_options, "realTimeBarsOptions");
  return w.Finish();
}

Status EncodeRequest(const CancelRealTimeBars& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kCancelRealTimeBarsName);
  w.Int(Id(OutgoingId::kCancelRealTimeBars)).Int(kCancelRealTimeBarsVersion).Int(request.req_id);
  return w.Finish();
}

namespace internal {

void ReadRequest(FieldReader& r, ReqHistoricalData& m) {
  r.set_message_name(kReqHistoricalDataName);
  m.req_id = r.Int("reqId");
  ReadContract12(r, m.contract);
  m.contract.include_expired = r.Bool("includeExpired");
  m.end_date_time = r.String("endDateTime");
  m.bar_size_setting = r.String("barSizeSetting");
  m.duration = r.String("durationStr");
  m.use_rth = r.Bool("useRTH");
  m.what_to_show = r.String("whatToShow");
  m.format_date = r.Int("formatDate");
  if (r.ok() && m.contract.sec_type == "BAG") ReadComboLegs(r, m.combo_legs);
  m.keep_up_to_date = r.Bool("keepUpToDate");
  m.chart_options = r.String("chartOptions");
}

void ReadRequest(FieldReader& r, CancelHistoricalData& m) {
  r.set_message_name(kCancelHistoricalDataName);
  r.Skip("version");
  m.req_id = r.Int("reqId");
}

void ReadRequest(FieldReader& r, ReqRealTimeBars& m) {
  r.set_message_name(kReqRealTimeBarsName);
  r.Skip("version");
  m.req_id = r.Int("reqId");
  ReadContract12(r, m.contract);
  m.bar_size = r.Int("barSize");
  m.what_to_show = r.String("whatToShow");
  m.use_rth = r.Bool("useRTH");
  m.real_time_bars_options = r.String("realTimeBarsOptions");
}

void ReadRequest(FieldReader& r, CancelRealTimeBars& m) {
  r.set_message_name(kCancelRealTimeBarsName);
  r.Skip("version");
  m.req_id = r.Int("reqId");
}

}  // namespace internal
}  // namespace ibstream::protocol
