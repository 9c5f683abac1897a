// [storage]: where and how ticks are written, and the original's v3 files.
#include "config/settings.h"

namespace ibstream::config::internal {

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

Kind<V3OutputFormats> V3OutputKind() {
  return {
      "a list of distinct formats, \"json\" and/or \"protobuf\" (empty: no v3 output; a "
      "variable: \"json,protobuf\")",
      [](const RawValue& raw) -> Result<V3OutputFormats> {
        Result<std::vector<RawValue>> items = AsList(raw, ",");
        if (!items.ok()) return items.status();
        V3OutputFormats formats;
        for (const RawValue& item : *items) {
          Result<std::string> text = AsString(item);
          if (!text.ok()) return InvalidArgument(Shown(item) + ": " + text.status().message());
          const std::string_view name = Trim(*text);
          bool* flag = EqualsIgnoreCase(name, "json")       ? &formats.json
                       : EqualsIgnoreCase(name, "protobuf") ? &formats.protobuf
                                                            : nullptr;
          if (flag == nullptr) return InvalidArgument(Quote(*text) + ": unknown format");
          if (*flag) return InvalidArgument(Quote(*text) + " appears twice");
          *flag = true;
        }
        return formats;
      },
      [](const V3OutputFormats& formats) {
        std::string out = "[";
        if (formats.json) out += "\"json\"";
        if (formats.protobuf) out += formats.json ? ", \"protobuf\"" : "\"protobuf\"";
        return out + "]";
      },
      {}};
}

}  // namespace

void AddStorageSettings(std::vector<Setting<Config>>& s) {
  using C = Config;
  s.push_back(Bind<C>("storage.path", IBSTREAM_FIELD(storage.path),
                      StringKind("a non-empty directory path", NotEmpty))
                  .Original({"IB_STREAM_STORAGE_PATH"}));
  s.push_back(Bind<C>(
      "storage.fsync", IBSTREAM_FIELD(storage.fsync),
      EnumKind<storage::FsyncPolicy>(
          {storage::FsyncPolicy::kAlways, storage::FsyncPolicy::kBatch, storage::FsyncPolicy::kOff},
          storage::FsyncPolicyName)));
  s.push_back(Bind<C>("storage.batch_interval", IBSTREAM_FIELD(storage.batch_interval),
                      DurationKind(milliseconds(1), minutes(1))));
  s.push_back(Bind<C>("storage.retention", IBSTREAM_FIELD(storage.retention),
                      DurationKind(hours(1), hours(24 * 36600), /*allow_zero=*/true)));
  s.push_back(Bind<C>("storage.free_space_warning",
                      IBSTREAM_FIELD(storage.free_space_warning_bytes), ByteSizeKind()));
  s.push_back(Bind<C>("storage.free_space_warning_percent",
                      IBSTREAM_FIELD(storage.free_space_warning_percent),
                      IntKind<int32_t>(0, 100)));
  s.push_back(Bind<C>("storage.v3_output", IBSTREAM_FIELD(storage.v3_output), V3OutputKind())
                  .Flag("IB_STREAM_ENABLE_V3_JSON", "json",
                        [](C& c, bool on) { c.storage.v3_output.json = on; })
                  .Flag("IB_STREAM_ENABLE_V3_PROTOBUF", "protobuf",
                        [](C& c, bool on) { c.storage.v3_output.protobuf = on; }));
  s.push_back(Bind<C>(
      "storage.v3_path", IBSTREAM_FIELD(storage.v3_path),
      StringKind("empty (storage.path) or a directory path", [](std::string_view text) -> Status {
        return !text.empty() && Trim(text).empty() ? InvalidArgument("only spaces") : Status::Ok();
      })));
}

}  // namespace ibstream::config::internal
