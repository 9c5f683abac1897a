#include "storage/route_log.h"

#include <spdlog/spdlog.h>

#include "storage/coding.h"
#include "storage/generation_log.h"
#include "storage/journal.h"
#include "storage/log_format.h"
#include "storage/log_writer.h"
#include "storage/tick_codec.h"
#include "storage/tick_writer.h"

namespace ibstream::storage {

using fs::FileSystem;
using fs::JoinPath;

namespace {

constexpr std::string_view kRoutesMagic = "IBSROUT1";
constexpr uint8_t kRouteChangeKind = 32;
constexpr uint8_t kRouteRecordVersion = 1;
constexpr uint8_t kFlagSessionStart = 1;
constexpr size_t kChangeFixedSize = 16;
constexpr size_t kEntryFixedSize = 14;
constexpr size_t kAsyncCapacity = 1024;

constexpr std::string_view kRoutesPrefix = "routes";

bool IsRouteKind(uint8_t v) { return v <= static_cast<uint8_t>(RouteKind::kUnserved); }

}  // namespace

std::string_view RouteKindName(RouteKind route) {
  switch (route) {
    case RouteKind::kNone:
      return "none";
    case RouteKind::kTickByTick:
      return "tick_by_tick";
    case RouteKind::kFallback:
      return "fallback";
    case RouteKind::kUnserved:
      return "unserved";
  }
  return "unknown";
}

Result<std::string> EncodeRouteChange(const RouteChange& change) {
  if (change.entries.size() > 0xffff) {
    return InvalidArgument("route change with more than 65535 streams");
  }
  std::string out(kChangeFixedSize, '\0');
  out[0] = static_cast<char>(kRouteRecordVersion);
  out[1] = static_cast<char>(change.session_start ? kFlagSessionStart : 0);
  EncodeFixed16(out.data() + 2, static_cast<uint16_t>(change.entries.size()));
  // 4..7 reserved
  EncodeFixed64(out.data() + 8, static_cast<uint64_t>(ToUnixNanos(change.at)));
  for (const RouteEntry& e : change.entries) {
    if (e.reason.size() > 0xffff) return InvalidArgument("route reason longer than 65535 bytes");
    char entry[kEntryFixedSize] = {};
    EncodeFixed64(entry, static_cast<uint64_t>(e.stream.contract_id));
    entry[8] = static_cast<char>(e.stream.type);
    entry[9] = static_cast<char>(e.from);
    entry[10] = static_cast<char>(e.to);
    // 11 reserved
    EncodeFixed16(entry + 12, static_cast<uint16_t>(e.reason.size()));
    out.append(entry, kEntryFixedSize);
    out += e.reason;
  }
  return out;
}

Result<RouteChange> DecodeRouteChange(std::string_view bytes) {
  if (bytes.size() < kChangeFixedSize) return Corruption("route record: too short");
  const char* p = bytes.data();
  if (static_cast<uint8_t>(p[0]) != kRouteRecordVersion) {
    return Corruption("route record: unknown version " +
                      std::to_string(static_cast<uint8_t>(p[0])));
  }
  const auto flags = static_cast<uint8_t>(p[1]);
  if ((flags & ~kFlagSessionStart) != 0 || DecodeFixed32(p + 4) != 0) {
    return Corruption("route record: unknown flags or reserved bytes set");
  }
  RouteChange change;
  change.session_start = (flags & kFlagSessionStart) != 0;
  const size_t count = DecodeFixed16(p + 2);
  change.at = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 8)));
  size_t offset = kChangeFixedSize;
  for (size_t i = 0; i < count; ++i) {
    if (bytes.size() - offset < kEntryFixedSize) return Corruption("route record: too short");
    const char* e = p + offset;
    const auto type = static_cast<uint8_t>(e[8]);
    const auto from = static_cast<uint8_t>(e[9]);
    const auto to = static_cast<uint8_t>(e[10]);
    if (!IsStoredTickType(type) || !IsRouteKind(from) || !IsRouteKind(to) || e[11] != 0) {
      return Corruption("route record: bad tick type, route or reserved byte");
    }
    const size_t reason_len = DecodeFixed16(e + 12);
    offset += kEntryFixedSize;
    if (bytes.size() - offset < reason_len) return Corruption("route record: too short");
    RouteEntry entry;
    entry.stream.contract_id = static_cast<int64_t>(DecodeFixed64(e));
    entry.stream.type = static_cast<TickType>(type);
    entry.from = static_cast<RouteKind>(from);
    entry.to = static_cast<RouteKind>(to);
    entry.reason.assign(p + offset, reason_len);
    offset += reason_len;
    change.entries.push_back(std::move(entry));
  }
  if (offset != bytes.size()) return Corruption("route record: length mismatch");
  return change;
}

std::string RouteLog::Dir(const std::string& root) { return JoinPath(root, "routes"); }

RouteLog::RouteLog(FileSystem* fs, std::string dir, uint32_t generation, size_t capacity)
    : fs_(fs), dir_(std::move(dir)), generation_(generation), worker_("route log", capacity) {}

RouteLog::~RouteLog() { Stop(); }

Result<std::unique_ptr<RouteLog>> RouteLog::Open(FileSystem* fs, const std::string& root) {
  const std::string dir = Dir(root);
  auto generations = log::ListGenerations(fs, dir, kRoutesPrefix);
  if (!generations.ok()) return generations.status().WithContext("route log");
  const uint32_t next = generations->empty() ? 1 : generations->back().first + 1;
  return std::unique_ptr<RouteLog>(new RouteLog(fs, dir, next, kAsyncCapacity));
}

Result<std::vector<RouteChange>> RouteLog::ReadAll(FileSystem* fs, const std::string& root,
                                                   RouteLogDamage* damage) {
  RouteLogDamage ignored;
  if (damage == nullptr) damage = &ignored;
  const std::string dir = Dir(root);
  auto generations = log::ListGenerations(fs, dir, kRoutesPrefix);
  if (!generations.ok()) return generations.status();
  std::vector<RouteChange> out;
  const log::GenerationReadOptions options{kRoutesMagic, {kRouteChangeKind}, /*log_event=*/{}};
  const log::GenerationRecordFn on_record = [&out](uint8_t, std::string_view payload) {
    auto change = DecodeRouteChange(payload);
    if (!change.ok()) return change.status();
    out.push_back(std::move(*change));
    return Status::Ok();
  };
  for (const auto& [n, name] : *generations) {
    const std::string path = JoinPath(dir, name);
    IBSTREAM_RETURN_IF_ERROR(log::ReadGenerationFile(fs, path, path, options, on_record, damage));
  }
  return out;
}

Status RouteLog::Append(const RouteChange& change) {
  auto payload = EncodeRouteChange(change);
  if (!payload.ok()) return payload.status();
  std::string record(1, static_cast<char>(kRouteChangeKind));
  record += *payload;
  std::lock_guard lock(mu_);
  if (failed_) {
    ++failures_;
    return Unavailable("route log stopped after a write error");
  }
  std::string bytes;
  if (file_ == nullptr) {
    // The generation's first record: the file and its header are written with it.
    Status status = fs::CreateDirs(fs_, dir_);
    log::FileHeader header;
    header.magic = std::string(kRoutesMagic);
    header.content_version = 1;
    header.salt = NewSalt();
    header.generation = generation_;
    const std::string path = JoinPath(dir_, log::GenerationName(kRoutesPrefix, generation_));
    if (status.ok()) {
      auto file = fs_->NewWritableFile(path, /*exclusive=*/true);
      status = file.status();
      if (file.ok()) file_ = std::move(*file);
    }
    if (status.ok()) status = fs_->SyncDir(dir_);
    if (!status.ok()) {
      ++failures_;
      file_.reset();
      return status.WithContext("route log " + path);
    }
    bytes = log::EncodeFileHeader(header);
    writer_ = std::make_unique<log::Writer>(header.salt);
  }
  writer_->AddRecord(record, &bytes);
  Status status = file_->Append(bytes);
  if (!status.ok()) {
    failed_ = true;  // never append after a torn write
    ++failures_;
    return status;
  }
  status = file_->Sync();
  if (!status.ok()) {
    failed_ = true;
    ++failures_;
    FatalStorageError(status.WithContext("fdatasync route log"));
    return status;
  }
  ++appended_;
  return Status::Ok();
}

Status RouteLog::AppendAsync(RouteChange change, RouteLogCompletion done) {
  return worker_.Post([this, change = std::move(change), done = std::move(done)] {
    Status status = Append(change);
    if (done) done(std::move(status));
  });
}

void RouteLog::Stop() { worker_.Stop(); }

uint64_t RouteLog::appended() const {
  std::lock_guard lock(mu_);
  return appended_;
}

uint64_t RouteLog::failed() const {
  std::lock_guard lock(mu_);
  return failures_;
}

}  // namespace ibstream::storage
