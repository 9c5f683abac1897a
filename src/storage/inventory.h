// What a store holds, per stream and roughly when: for the commands that must say where the data
// is when a query finds nothing (`ibstream query`), and that must tell a missing store from an
// empty answer.
//
// Closed files are known from their names alone (no file is opened): a stream's first and last
// closed hour of IB time. Journals not yet converted are scanned (they are at most a few hours),
// giving exact IB times. Damaged journals and unreadable directories are passed over: the
// inventory is a hint for messages, never a check (`ibstream verify` is the check).
#pragma once

#include <map>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"

namespace ibstream::storage {

// When one stream has data: [first, last] of IB time. From closed files the bounds are whole
// hours (first = the first hour's start, last = the last hour's end); journal ticks widen them
// to exact times.
struct StreamExtent {
  TimePoint first;
  TimePoint last;
};

struct StoreInventory {
  std::map<StreamKey, StreamExtent> streams;
};

// NotFound ("no store at DIR ...") when `root` does not exist or is not a store: a directory
// without any of the store's journal/, closed/ and gaps/ directories.
Status CheckIsStore(fs::FileSystem* fs, const std::string& root);

// CheckIsStore's errors, else what the store holds.
Result<StoreInventory> ReadInventory(fs::FileSystem* fs, const std::string& root);

}  // namespace ibstream::storage
