#include "storage/verify.h"

#include "storage/closed_file.h"
#include "storage/gap_ledger.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/route_log.h"

namespace ibstream::storage {

using fs::FileSystem;
using fs::JoinPath;
namespace {

using Severity = VerifiedFile::Severity;

struct Pending {
  std::string path;
  std::string kind;
  bool misplaced = false;  // a file where a (date or hour) directory should be
};

// Collects the files `depth` directory levels below `dir`. A file found higher up stands where
// a directory should be (readers cannot list it): it is collected as misplaced.
Status Collect(FileSystem* fs, const std::string& dir, int depth, const std::string& kind,
               std::vector<Pending>* out) {
  if (!fs->Exists(dir)) return Status::Ok();
  auto names = fs->ListDir(dir);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    const std::string path = JoinPath(dir, name);
    auto is_dir = fs->IsDirectory(path);
    if (!is_dir.ok()) return is_dir.status();
    if (*is_dir) {
      if (depth > 0) IBSTREAM_RETURN_IF_ERROR(Collect(fs, path, depth - 1, kind, out));
    } else if (!IsTempName(name)) {
      out->push_back({path, kind, depth > 0});
    }
  }
  return Status::Ok();
}

VerifiedFile CheckJournal(FileSystem* fs, const std::string& path) {
  VerifiedFile f{path, "journal", Severity::kOk, 0, ""};
  JournalScan scan;
  const Status status = ScanJournal(
      fs, path, [](std::string_view) {}, &scan);
  if (!status.ok()) return {path, "journal", Severity::kError, 0, status.ToString()};
  f.ticks = scan.ticks;
  if (!scan.header_ok) {
    if (scan.file_size <= 48) {
      f.severity = Severity::kWarning;
      f.detail = "header incomplete (crash while creating the file; recovery deletes it)";
    } else {
      f.severity = Severity::kError;
      f.detail = "unreadable header: " + scan.header_status.message();
    }
    return f;
  }
  if (scan.damage_before_valid || scan.read_error) {
    f.severity = Severity::kError;
    f.detail = "damaged in the middle";
    for (const std::string& p : scan.problems) f.detail += "; " + p;
  } else if (scan.valid_end < scan.file_size) {
    f.severity = Severity::kWarning;
    f.detail = "torn tail of " + std::to_string(scan.file_size - scan.valid_end) +
               " bytes (normal after a crash; recovery truncates it)";
  }
  return f;
}

VerifiedFile CheckClosed(FileSystem* fs, const std::string& path) {
  VerifiedFile f{path, "closed", Severity::kOk, 0, ""};
  auto reader = ClosedFileReader::Open(fs, path);
  Status status = reader.status();
  if (status.ok()) {
    f.ticks = (*reader)->header().tick_count;
    status = (*reader)->Verify();
  }
  if (!status.ok()) {
    f.severity = Severity::kError;
    f.detail = status.message();
  }
  return f;
}

// The gap ledger: any damage (including a generation cut short) is an error, and so is a
// quarantine copy of a damaged generation left by an earlier start (gaps in its damaged regions
// were lost; the operator deletes the copy once reviewed).
void CheckLedger(FileSystem* fs, const std::string& root, VerifyReport* report) {
  const std::string dir = GapsRoot(root);
  auto add = [&](VerifiedFile f) {
    if (f.severity == Severity::kError) ++report->errors;
    if (f.severity == Severity::kWarning) ++report->warnings;
    report->files.push_back(std::move(f));
  };
  LedgerDamage damage;
  auto gaps = GapLedger::ReadAllReporting(fs, root, &damage);
  if (!gaps.ok()) {
    add({dir, "ledger", Severity::kError, 0, gaps.status().ToString()});
  } else {
    for (const std::string& name : damage.damaged_files) {
      std::string detail;
      for (const std::string& problem : damage.problems) {
        if (problem.compare(0, name.size() + 2, name + ": ") != 0) continue;
        if (!detail.empty()) detail += "; ";
        detail += problem.substr(name.size() + 2);
      }
      add({JoinPath(dir, name), "ledger", Severity::kError, 0, detail});
    }
  }
  if (!fs->Exists(dir)) return;
  auto names = fs->ListDir(dir);
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    if (!IsLedgerQuarantineName(name)) continue;
    add({JoinPath(dir, name), "quarantine", Severity::kError, 0,
         "damaged gap ledger kept for forensics: what could be read was kept, gaps recorded in "
         "its damaged regions were lost (delete the copy once reviewed)"});
  }
}

// The route log: every damaged generation is an error (what the recorder needed when is then
// partly unknown to `verify --truth`).
void CheckRoutes(FileSystem* fs, const std::string& root, VerifyReport* report) {
  RouteLogDamage damage;
  auto routes = RouteLog::ReadAll(fs, root, &damage);
  if (!routes.ok()) {
    ++report->errors;
    report->files.push_back(
        {RouteLog::Dir(root), "routes", Severity::kError, 0, routes.status().ToString()});
    return;
  }
  for (const std::string& path : damage.damaged_files) {
    std::string detail;
    for (const std::string& problem : damage.problems) {
      if (problem.compare(0, path.size() + 2, path + ": ") != 0) continue;
      if (!detail.empty()) detail += "; ";
      detail += problem.substr(path.size() + 2);
    }
    ++report->errors;
    report->files.push_back({path, "routes", Severity::kError, 0, detail});
  }
}

}  // namespace

bool VerifyReport::ok() const {
  if (errors > 0) return false;
  for (const CheckResult& c : checks) {
    if (!c.status.ok() || !c.problems.empty()) return false;
  }
  return true;
}

Result<VerifyReport> VerifyStore(FileSystem* fs, const std::string& root,
                                 const std::vector<VerifyCheck*>& checks,
                                 const std::function<void(size_t, size_t)>& progress) {
  if (!fs->Exists(root)) return NotFound("no store at " + root);
  std::vector<Pending> files;
  IBSTREAM_RETURN_IF_ERROR(Collect(fs, JournalRoot(root), 1, "journal", &files));
  IBSTREAM_RETURN_IF_ERROR(Collect(fs, ClosedRoot(root), 2, "closed", &files));
  IBSTREAM_RETURN_IF_ERROR(Collect(fs, QuarantineRoot(root), 0, "quarantine", &files));
  VerifyReport report;
  for (size_t i = 0; i < files.size(); ++i) {
    const Pending& p = files[i];
    const std::string name = p.path.substr(p.path.rfind('/') + 1);
    VerifiedFile f;
    if (p.misplaced) {
      f = {p.path, p.kind, Severity::kError, 0,
           "a file where a directory should be: readers cannot list the data of this date or "
           "hour"};
    } else if (p.kind == "journal") {
      if (name.size() > 10 && name.substr(name.size() - 10) == ".converted") {
        f = {p.path, "journal", Severity::kWarning, 0,
             "conversion manifest left by an interrupted conversion (finished at next start)"};
      } else if (!ParseJournalName(name)) {
        f = {p.path, "journal", Severity::kWarning, 0, "unexpected file name"};
      } else {
        f = CheckJournal(fs, p.path);
      }
    } else if (p.kind == "closed") {
      f = ParseClosedFileName(name)
              ? CheckClosed(fs, p.path)
              : VerifiedFile{p.path, "closed", Severity::kWarning, 0, "unexpected file name"};
    } else {
      f = {p.path, "quarantine", Severity::kWarning, 0,
           "damaged journal kept for forensics (its valid records were salvaged)"};
    }
    report.ticks += f.ticks;
    if (f.severity == Severity::kError) ++report.errors;
    if (f.severity == Severity::kWarning) ++report.warnings;
    report.files.push_back(std::move(f));
    if (progress) progress(i + 1, files.size());
  }
  CheckLedger(fs, root, &report);
  CheckRoutes(fs, root, &report);
  for (VerifyCheck* check : checks) {
    VerifyReport::CheckResult result{check->name(), Status::Ok(), {}};
    result.status = check->Run(fs, root, &result.problems);
    report.checks.push_back(std::move(result));
  }
  return report;
}

}  // namespace ibstream::storage
