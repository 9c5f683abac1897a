#include "fs/fault_file_system.h"

#include <algorithm>

namespace ibstream::fs {
namespace {

Status Dead() { return IoError("simulated power loss: the machine is down"); }

bool IsChildOf(const std::string& path, const std::string& dir) { return ParentDir(path) == dir; }

}  // namespace

class FaultFileSystem::File final : public WritableFile {
 public:
  File(FaultFileSystem* fs, std::shared_ptr<Inode> inode, uint64_t epoch, std::string path)
      : fs_(fs), inode_(std::move(inode)), epoch_(epoch), path_(std::move(path)) {}
  Status Append(std::string_view data) override {
    return fs_->AppendTo(inode_, epoch_, path_, data);
  }
  Status Sync() override {
    fs_->RunSyncHook(path_);
    return fs_->SyncInode(inode_, epoch_);
  }
  Status Close() override { return Status::Ok(); }
  uint64_t Size() const override {
    std::lock_guard lock(fs_->mu_);
    return inode_->data.size();
  }

 private:
  FaultFileSystem* fs_;
  std::shared_ptr<Inode> inode_;
  uint64_t epoch_;
  std::string path_;  // the name it was opened by
};

class FaultFileSystem::Reader final : public RandomAccessFile {
 public:
  Reader(const FaultFileSystem* fs, std::shared_ptr<Inode> inode, bool fail)
      : fs_(fs), inode_(std::move(inode)), fail_(fail) {}
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (fail_) return IoError("simulated read error");
    std::lock_guard lock(fs_->mu_);
    out->clear();
    if (offset < inode_->data.size()) {
      out->assign(inode_->data, offset, std::min<uint64_t>(n, inode_->data.size() - offset));
    }
    return Status::Ok();
  }
  uint64_t Size() const override {
    std::lock_guard lock(fs_->mu_);
    return inode_->data.size();
  }

 private:
  const FaultFileSystem* fs_;
  std::shared_ptr<Inode> inode_;
  bool fail_;
};

FaultFileSystem::FaultFileSystem() {
  live_["/"] = Entry{true, nullptr};
  durable_ = live_;
}
FaultFileSystem::~FaultFileSystem() = default;

std::string FaultFileSystem::Normalize(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.empty() || p[0] != '/') p = "/" + p;
  return p;
}

void FaultFileSystem::SetNoSpace(bool on) {
  std::lock_guard lock(mu_);
  no_space_ = on;
}
void FaultFileSystem::SetNoSpaceOnly(std::string path_part) {
  std::lock_guard lock(mu_);
  no_space_only_ = std::move(path_part);
}
void FaultFileSystem::SetWriteError(bool on) {
  std::lock_guard lock(mu_);
  write_error_ = on;
}
void FaultFileSystem::SetSyncError(bool on) {
  std::lock_guard lock(mu_);
  sync_error_ = on;
}
void FaultFileSystem::SetSyncHook(std::function<void(const std::string& path)> hook) {
  std::lock_guard lock(mu_);
  sync_hook_ = std::move(hook);
}
void FaultFileSystem::RunSyncHook(const std::string& path) {
  std::function<void(const std::string&)> hook;
  {
    std::lock_guard lock(mu_);
    hook = sync_hook_;
  }
  if (hook) hook(path);  // without the lock: the hook may wait, other threads go on
}
void FaultFileSystem::SetReadErrorPath(const std::string& path) {
  std::lock_guard lock(mu_);
  read_error_path_ = path.empty() ? "" : Normalize(path);
}
void FaultFileSystem::DieAfterOperations(int64_t ops) {
  std::lock_guard lock(mu_);
  ops_left_ = ops;
  if (ops == 0) dead_ = true;
}
bool FaultFileSystem::dead() const {
  std::lock_guard lock(mu_);
  return dead_;
}
void FaultFileSystem::SetSpace(SpaceInfo space) {
  std::lock_guard lock(mu_);
  space_ = space;
}
uint64_t FaultFileSystem::mutating_operations() const {
  std::lock_guard lock(mu_);
  return mutating_ops_;
}

Status FaultFileSystem::BeginMutation() {
  if (dead_) return Dead();
  if (ops_left_ == 0) {
    dead_ = true;
    return Dead();
  }
  if (ops_left_ > 0) --ops_left_;
  ++mutating_ops_;
  return Status::Ok();
}

bool FaultFileSystem::ParentExists(const std::string& path) const {
  auto it = live_.find(ParentDir(path));
  return it != live_.end() && it->second.is_dir;
}

void FaultFileSystem::Crash(uint64_t seed, const CrashOptions& options) {
  std::lock_guard lock(mu_);
  std::mt19937_64 rng(seed);
  // Directory entries fall back to their durable state; an entry whose parent directory entry
  // is not durable is gone with it.
  std::map<std::string, Entry> next;
  for (const auto& [path, entry] : durable_) {
    if (path == "/" || next.count(ParentDir(path)) > 0) next[path] = entry;
  }
  // Files fall back to their synced length, possibly with part of the lost tail.
  std::set<Inode*> seen;
  for (auto& [path, entry] : next) {
    if (entry.is_dir || !seen.insert(entry.inode.get()).second) continue;
    Inode& inode = *entry.inode;
    if (inode.data.size() > inode.synced) {
      const uint64_t lost = inode.data.size() - inode.synced;
      uint64_t keep = 0;
      if (options.keep_unsynced_prefix) keep = rng() % (lost + 1);
      inode.data.resize(inode.synced + keep);
      if (options.garble_sector && keep > 0 && rng() % 2 == 0) {
        const uint64_t sector = (inode.synced + rng() % keep) / 512 * 512;
        for (uint64_t i = std::max(sector, inode.synced);
             i < std::min<uint64_t>(sector + 512, inode.data.size()); ++i) {
          inode.data[i] = static_cast<char>(rng());
        }
      }
    } else if (inode.data.size() < inode.synced) {
      inode.synced = inode.data.size();
    }
    inode.synced = inode.data.size();
  }
  live_ = next;
  durable_ = next;
  ++epoch_;
  dead_ = false;
  ops_left_ = -1;
  no_space_ = write_error_ = sync_error_ = false;
  read_error_path_.clear();
}

Status FaultFileSystem::AppendTo(const std::shared_ptr<Inode>& inode, uint64_t epoch,
                                 const std::string& path, std::string_view data) {
  std::lock_guard lock(mu_);
  if (epoch != epoch_) return IoError("stale handle from before a crash");
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  const bool no_space =
      no_space_ && (no_space_only_.empty() || path.find(no_space_only_) != std::string::npos);
  if (no_space || write_error_) {
    const size_t part = data.empty() ? 0 : torn_rng_() % data.size();
    inode->data.append(data.substr(0, part));
    if (no_space) return ResourceExhausted("write: No space left on device (injected)");
    return IoError("write: Input/output error (injected)");
  }
  inode->data.append(data);
  return Status::Ok();
}

Status FaultFileSystem::SyncInode(const std::shared_ptr<Inode>& inode, uint64_t epoch) {
  std::lock_guard lock(mu_);
  if (epoch != epoch_) return IoError("stale handle from before a crash");
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  if (sync_error_) return IoError("fdatasync: Input/output error (injected)");
  inode->synced = inode->data.size();
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FaultFileSystem::NewWritableFile(const std::string& path,
                                                                       bool exclusive) {
  std::lock_guard lock(mu_);
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  const std::string p = Normalize(path);
  if (!ParentExists(p)) return NotFound("open " + path + ": No such file or directory");
  auto it = live_.find(p);
  if (it != live_.end()) {
    if (exclusive || it->second.is_dir) return IoError("open " + path + ": File exists");
  }
  // O_TRUNC keeps the inode (and its other names); a new file gets a new inode.
  std::shared_ptr<Inode> inode;
  if (it != live_.end()) {
    inode = it->second.inode;
    inode->data.clear();
    inode->synced = 0;  // O_TRUNC: nothing of the new contents is synced yet
  } else {
    inode = std::make_shared<Inode>();
    live_[p] = Entry{false, inode};
  }
  return std::unique_ptr<WritableFile>(new File(this, inode, epoch_, p));
}

Result<std::unique_ptr<WritableFile>> FaultFileSystem::NewAppendableFile(const std::string& path) {
  std::lock_guard lock(mu_);
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  const std::string p = Normalize(path);
  if (!ParentExists(p)) return NotFound("open " + path + ": No such file or directory");
  auto it = live_.find(p);
  if (it != live_.end() && it->second.is_dir) return IoError("open " + path + ": Is a directory");
  std::shared_ptr<Inode> inode;
  if (it != live_.end()) {
    inode = it->second.inode;  // appends follow the existing (synced or not) contents
  } else {
    inode = std::make_shared<Inode>();
    live_[p] = Entry{false, inode};
  }
  return std::unique_ptr<WritableFile>(new File(this, inode, epoch_, p));
}

Result<std::unique_ptr<RandomAccessFile>> FaultFileSystem::NewRandomAccessFile(
    const std::string& path) {
  std::lock_guard lock(mu_);
  if (dead_) return Dead();
  const std::string p = Normalize(path);
  auto it = live_.find(p);
  if (it == live_.end() || it->second.is_dir) {
    return NotFound("open " + path + ": No such file or directory");
  }
  return std::unique_ptr<RandomAccessFile>(
      new Reader(this, it->second.inode, p == read_error_path_));
}

Result<std::vector<std::string>> FaultFileSystem::ListDir(const std::string& path) {
  std::lock_guard lock(mu_);
  if (dead_) return Dead();
  const std::string p = Normalize(path);
  auto it = live_.find(p);
  if (it == live_.end() || !it->second.is_dir) {
    return NotFound("opendir " + path + ": No such file or directory");
  }
  std::vector<std::string> names;
  for (const auto& [child, entry] : live_) {
    if (child != "/" && IsChildOf(child, p)) names.push_back(child.substr(child.rfind('/') + 1));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<bool> FaultFileSystem::IsDirectory(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = live_.find(Normalize(path));
  if (it == live_.end()) return NotFound("stat " + path + ": No such file or directory");
  return it->second.is_dir;
}

bool FaultFileSystem::Exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return live_.count(Normalize(path)) > 0;
}

Status FaultFileSystem::CreateDir(const std::string& path) {
  std::lock_guard lock(mu_);
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  const std::string p = Normalize(path);
  auto it = live_.find(p);
  if (it != live_.end()) {
    return it->second.is_dir ? Status::Ok() : IoError("mkdir " + path + ": File exists");
  }
  if (!ParentExists(p)) return NotFound("mkdir " + path + ": No such file or directory");
  live_[p] = Entry{true, nullptr};
  return Status::Ok();
}

Status FaultFileSystem::SyncDir(const std::string& path) {
  std::lock_guard lock(mu_);
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  if (sync_error_) return IoError("fsync directory: Input/output error (injected)");
  const std::string p = Normalize(path);
  if (live_.count(p) == 0) return NotFound("open directory " + path);
  for (auto it = durable_.begin(); it != durable_.end();) {
    if (it->first != "/" && IsChildOf(it->first, p)) {
      it = durable_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [child, entry] : live_) {
    if (child != "/" && IsChildOf(child, p)) durable_[child] = entry;
  }
  return Status::Ok();
}

Status FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  const std::string f = Normalize(from);
  const std::string t = Normalize(to);
  auto it = live_.find(f);
  if (it == live_.end() || it->second.is_dir) return NotFound("rename " + from);
  if (!ParentExists(t)) return NotFound("rename to " + to + ": no such directory");
  Entry entry = it->second;
  live_.erase(it);
  live_[t] = entry;
  return Status::Ok();
}

Status FaultFileSystem::DeleteFile(const std::string& path) {
  std::lock_guard lock(mu_);
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  auto it = live_.find(Normalize(path));
  if (it == live_.end() || it->second.is_dir) return NotFound("unlink " + path);
  live_.erase(it);
  return Status::Ok();
}

Status FaultFileSystem::DeleteDir(const std::string& path) {
  std::lock_guard lock(mu_);
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  const std::string p = Normalize(path);
  auto it = live_.find(p);
  if (it == live_.end() || !it->second.is_dir) return NotFound("rmdir " + path);
  for (const auto& [child, entry] : live_) {
    if (child != "/" && IsChildOf(child, p)) return IoError("rmdir " + path + ": not empty");
  }
  live_.erase(it);
  return Status::Ok();
}

Status FaultFileSystem::TruncateAndSync(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  IBSTREAM_RETURN_IF_ERROR(BeginMutation());
  auto it = live_.find(Normalize(path));
  if (it == live_.end() || it->second.is_dir) return NotFound("truncate " + path);
  if (sync_error_) return IoError("fsync: Input/output error (injected)");
  it->second.inode->data.resize(size);
  it->second.inode->synced = size;
  return Status::Ok();
}

Result<uint64_t> FaultFileSystem::FileSize(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = live_.find(Normalize(path));
  if (it == live_.end() || it->second.is_dir) return NotFound("stat " + path);
  return static_cast<uint64_t>(it->second.inode->data.size());
}

Result<SpaceInfo> FaultFileSystem::GetSpace(const std::string&) {
  std::lock_guard lock(mu_);
  return space_;
}

Status FaultFileSystem::WriteRaw(const std::string& path, std::string_view data) {
  IBSTREAM_RETURN_IF_ERROR(CreateDirs(this, ParentDir(Normalize(path))));
  auto file = NewWritableFile(path, false);
  if (!file.ok()) return file.status();
  IBSTREAM_RETURN_IF_ERROR((*file)->Append(data));
  IBSTREAM_RETURN_IF_ERROR((*file)->Sync());
  return SyncDir(ParentDir(Normalize(path)));
}

}  // namespace ibstream::fs
