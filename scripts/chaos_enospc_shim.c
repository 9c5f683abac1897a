// A full disk for one directory tree, switched on and off from outside the process: an LD_PRELOAD
// library for the chaos suite (scripts/chaos.py builds it into its results directory; it is
// never linked into ibstream).
//
//   IBSTREAM_CHAOS_ENOSPC_ROOT   absolute path of the tree (the recorder's store)
//   IBSTREAM_CHAOS_ENOSPC_FLAG   a file: while it exists the disk under the root is full
//
// While full, writes to files under the root fail with ENOSPC (nothing written), creating a file
// or a directory there fails with ENOSPC, and statvfs of a path there reports no free blocks.
// Reading, renaming, syncing and removing work as on a real full disk.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static const char* chaos_root(void) {
  static const char* root = NULL;
  if (!root) {
    const char* r = getenv("IBSTREAM_CHAOS_ENOSPC_ROOT");
    root = (r && r[0] == '/') ? r : "";
  }
  return root;
}

static int chaos_disk_full(void) {
  const char* flag = getenv("IBSTREAM_CHAOS_ENOSPC_FLAG");
  if (!flag || !flag[0] || !chaos_root()[0]) return 0;
  struct stat st;
  return stat(flag, &st) == 0;
}

static int chaos_path_under_root(const char* path) {
  const char* root = chaos_root();
  const size_t n = strlen(root);
  if (!path || n == 0 || strncmp(path, root, n) != 0) return 0;
  return path[n] == '\0' || path[n] == '/' || root[n - 1] == '/';
}

static int chaos_fd_under_root(int fd) {
  char link[64], target[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t len = readlink(link, target, sizeof target - 1);
  if (len <= 0) return 0;
  target[len] = '\0';
  return chaos_path_under_root(target);
}

// A relative path is resolved against the working directory (or the directory of dirfd).
static int chaos_at_under_root(int dirfd, const char* path) {
  if (!path) return 0;
  if (path[0] == '/') return chaos_path_under_root(path);
  if (dirfd != AT_FDCWD) return chaos_fd_under_root(dirfd);
  char cwd[4096];
  return getcwd(cwd, sizeof cwd) && chaos_path_under_root(cwd);
}

static int chaos_refuse_fd(int fd) { return chaos_disk_full() && chaos_fd_under_root(fd); }

static int chaos_refuse_create(int dirfd, const char* path, int flags) {
  if (!(flags & O_CREAT) || !chaos_disk_full() || !chaos_at_under_root(dirfd, path)) return 0;
  struct stat st;
  return fstatat(dirfd, path, &st, 0) != 0;  // an existing file opens as usual
}

#define CHAOS_NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void* buf, size_t count) {
  if (count > 0 && chaos_refuse_fd(fd)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(write)(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  if (count > 0 && chaos_refuse_fd(fd)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(pwrite)(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  if (count > 0 && chaos_refuse_fd(fd)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(pwrite64)(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  if (iovcnt > 0 && chaos_refuse_fd(fd)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(writev)(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  if (iovcnt > 0 && chaos_refuse_fd(fd)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(pwritev)(fd, iov, iovcnt, offset);
}

int fallocate(int fd, int mode, off_t offset, off_t len) {
  if (chaos_refuse_fd(fd)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(fallocate)(fd, mode, offset, len);
}

int posix_fallocate(int fd, off_t offset, off_t len) {
  if (chaos_refuse_fd(fd)) return ENOSPC;
  return CHAOS_NEXT(posix_fallocate)(fd, offset, len);
}

static mode_t chaos_mode(int flags, va_list ap) {
  return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = chaos_mode(flags, ap);
  va_end(ap);
  if (chaos_refuse_create(AT_FDCWD, path, flags)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(open)(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = chaos_mode(flags, ap);
  va_end(ap);
  if (chaos_refuse_create(AT_FDCWD, path, flags)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(open64)(path, flags, mode);
}

int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = chaos_mode(flags, ap);
  va_end(ap);
  if (chaos_refuse_create(dirfd, path, flags)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(openat)(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = chaos_mode(flags, ap);
  va_end(ap);
  if (chaos_refuse_create(dirfd, path, flags)) return errno = ENOSPC, -1;
  return CHAOS_NEXT(openat64)(dirfd, path, flags, mode);
}

int mkdir(const char* path, mode_t mode) {
  if (chaos_disk_full() && chaos_at_under_root(AT_FDCWD, path)) {
    struct stat st;
    if (stat(path, &st) != 0) return errno = ENOSPC, -1;
  }
  return CHAOS_NEXT(mkdir)(path, mode);
}

static void chaos_no_free_blocks(struct statvfs* sv) {
  sv->f_bfree = 0;
  sv->f_bavail = 0;
}

int statvfs(const char* path, struct statvfs* sv) {
  const int rc = CHAOS_NEXT(statvfs)(path, sv);
  if (rc == 0 && chaos_disk_full() && chaos_path_under_root(path)) chaos_no_free_blocks(sv);
  return rc;
}

int statvfs64(const char* path, struct statvfs64* sv) {
  const int rc = CHAOS_NEXT(statvfs64)(path, sv);
  if (rc == 0 && chaos_disk_full() && chaos_path_under_root(path)) {
    sv->f_bfree = 0;
    sv->f_bavail = 0;
  }
  return rc;
}
