#include "merge/merge_state.h"

#include <nlohmann/json.hpp>

namespace ibstream::merge {
namespace {

constexpr int kVersion = 1;
constexpr uint64_t kMaxStateBytes = 64 << 20;

}  // namespace

std::string MergeStatePath(const std::string& root) { return root + "/merge/state.json"; }

std::string EncodeMergeState(const MergeState& state) {
  nlohmann::json streams = nlohmann::json::array();
  for (const auto& [key, s] : state.streams) {
    streams.push_back({{"contract_id", key.contract_id},
                       {"type", std::string(TickTypeName(key.type))},
                       {"merged_to_ns", ToUnixNanos(s.merged_to)},
                       {"source", s.source},
                       {"open_gap_id", s.open_gap_id},
                       {"open_gap_start_ns", ToUnixNanos(s.open_gap_start)},
                       {"open_gap_cause", s.open_gap_cause},
                       {"open_gap_reason", s.open_gap_reason}});
  }
  nlohmann::json doc = {{"version", kVersion}, {"streams", std::move(streams)}};
  return doc.dump(1) + "\n";
}

Result<MergeState> DecodeMergeState(std::string_view text) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return ParseError("merge state: not a JSON object");
  if (!doc.contains("version") || doc["version"] != kVersion) {
    return ParseError("merge state: unknown version (expected 1)");
  }
  if (!doc.contains("streams") || !doc["streams"].is_array()) {
    return ParseError("merge state: no streams array");
  }
  MergeState state;
  for (const nlohmann::json& s : doc["streams"]) {
    const char* fields[] = {"contract_id",    "type",           "merged_to_ns",
                            "source",         "open_gap_id",    "open_gap_start_ns",
                            "open_gap_cause", "open_gap_reason"};
    if (!s.is_object()) return ParseError("merge state: a stream entry is not an object");
    for (const char* field : fields) {
      if (!s.contains(field))
        return ParseError(std::string("merge state: stream without ") + field);
    }
    if (!s["contract_id"].is_number_integer() || !s["merged_to_ns"].is_number_integer() ||
        !s["open_gap_id"].is_number_unsigned() || !s["open_gap_start_ns"].is_number_integer() ||
        !s["type"].is_string() || !s["source"].is_string() || !s["open_gap_cause"].is_string() ||
        !s["open_gap_reason"].is_string()) {
      return ParseError("merge state: a stream field has the wrong type");
    }
    auto type = ParseTickType(s["type"].get<std::string>());
    if (!type.ok()) return ParseError("merge state: " + type.status().message());
    StreamMergeState entry;
    entry.merged_to = FromUnixNanos(s["merged_to_ns"].get<int64_t>());
    entry.source = s["source"].get<std::string>();
    entry.open_gap_id = s["open_gap_id"].get<uint64_t>();
    entry.open_gap_start = FromUnixNanos(s["open_gap_start_ns"].get<int64_t>());
    entry.open_gap_cause = s["open_gap_cause"].get<std::string>();
    entry.open_gap_reason = s["open_gap_reason"].get<std::string>();
    state.streams[StreamKey{s["contract_id"].get<int64_t>(), *type}] = std::move(entry);
  }
  return state;
}

Result<MergeState> ReadMergeState(fs::FileSystem* fs, const std::string& root) {
  const std::string path = MergeStatePath(root);
  if (!fs->Exists(path)) return MergeState();
  auto text = fs::ReadFile(fs, path, kMaxStateBytes);
  if (!text.ok()) return text.status();
  if (text->size() > kMaxStateBytes) return ParseError(path + ": larger than 64 MiB");
  auto state = DecodeMergeState(*text);
  if (!state.ok()) return state.status().WithContext(path);
  return state;
}

Status WriteMergeState(fs::FileSystem* fs, const std::string& root, const MergeState& state) {
  IBSTREAM_RETURN_IF_ERROR(fs::CreateDirs(fs, root + "/merge"));
  return fs::WriteFileAtomically(fs, MergeStatePath(root), EncodeMergeState(state));
}

}  // namespace ibstream::merge
