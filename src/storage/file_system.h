// Temporary: the file-system interface moved to fs/file_system.h (namespace ibstream::fs). These
// using-declarations keep the files that still say storage::FileSystem building until they are
// renamed; new code includes fs/file_system.h.
#pragma once

#include "fs/file_system.h"

namespace ibstream::storage {

using fs::CreateDirs;
using fs::FileSystem;
using fs::IsNoSpace;
using fs::JoinPath;
using fs::ParentDir;
using fs::PosixFileSystem;
using fs::RandomAccessFile;
using fs::ReadFileToString;
using fs::SpaceInfo;
using fs::WritableFile;
using fs::WriteFileAtomically;

}  // namespace ibstream::storage
