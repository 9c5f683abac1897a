#include "storage/inventory.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {
namespace {

using fs::JoinPath;

void Widen(StoreInventory* inventory, const StreamKey& stream, TimePoint first, TimePoint last) {
  auto [it, inserted] = inventory->streams.try_emplace(stream, StreamExtent{first, last});
  if (inserted) return;
  it->second.first = std::min(it->second.first, first);
  it->second.last = std::max(it->second.last, last);
}

std::vector<std::string> ListOrEmpty(fs::FileSystem* fs, const std::string& dir) {
  auto names = fs->ListDir(dir);
  return names.ok() ? *names : std::vector<std::string>{};
}

void AddClosedFiles(fs::FileSystem* fs, const std::string& root, StoreInventory* inventory) {
  const std::string closed_root = ClosedRoot(root);
  for (const std::string& date : ListOrEmpty(fs, closed_root)) {
    const std::string date_dir = JoinPath(closed_root, date);
    for (const std::string& hh : ListOrEmpty(fs, date_dir)) {
      const std::optional<TimePoint> hour = ParseHour(date, hh);
      if (!hour) continue;
      for (const std::string& name : ListOrEmpty(fs, JoinPath(date_dir, hh))) {
        const std::optional<StreamKey> stream = ParseClosedFileName(name);
        if (!stream) continue;
        Widen(inventory, *stream, *hour, *hour + std::chrono::hours(1));
      }
    }
  }
}

void AddJournals(fs::FileSystem* fs, const std::string& root, StoreInventory* inventory) {
  const std::string journal_root = JournalRoot(root);
  for (const std::string& date : ListOrEmpty(fs, journal_root)) {
    const std::string date_dir = JoinPath(journal_root, date);
    for (const std::string& name : ListOrEmpty(fs, date_dir)) {
      if (!ParseJournalName(name)) continue;
      JournalScan scan;
      // A journal converted meanwhile, or damaged, adds what could be read (nothing or a part).
      (void)ScanJournal(
          fs, JoinPath(date_dir, name),
          [&](std::string_view record) {
            const TickOrderKey key = OrderKeyOfRecord(record.data());
            const TimePoint at = FromUnixNanos(key.exchange_ns);
            Widen(inventory, StreamKey{key.contract_id, static_cast<TickType>(key.type)}, at, at);
          },
          &scan);
    }
  }
}

}  // namespace

Status CheckIsStore(fs::FileSystem* fs, const std::string& root) {
  auto is_dir = fs->IsDirectory(root);
  if (!is_dir.ok() || !*is_dir) return NotFound("no store at " + root + " (no such directory)");
  if (!fs->Exists(JournalRoot(root)) && !fs->Exists(ClosedRoot(root)) &&
      !fs->Exists(GapsRoot(root))) {
    return NotFound("no store at " + root +
                    " (the directory has none of a store's journal/, closed/ and gaps/)");
  }
  return Status::Ok();
}

Result<StoreInventory> ReadInventory(fs::FileSystem* fs, const std::string& root) {
  IBSTREAM_RETURN_IF_ERROR(CheckIsStore(fs, root));
  StoreInventory inventory;
  AddClosedFiles(fs, root, &inventory);
  AddJournals(fs, root, &inventory);
  return inventory;
}

}  // namespace ibstream::storage
