// rsmkit reference: walking the mappings over a range (see vma.h).
#include "os/vma.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rsmkit::os {

namespace {

// The PROCMAP_QUERY request of <linux/fs.h> (Linux 6.11), declared here
// because the build host's kernel headers may predate it. Layout and values
// are the kernel's ABI.
struct ProcmapQuery {
  uint64_t size;
  uint64_t query_flags;
  uint64_t query_addr;
  uint64_t vma_start;
  uint64_t vma_end;
  uint64_t vma_flags;
  uint64_t vma_page_size;
  uint64_t vma_offset;
  uint64_t inode;
  uint32_t dev_major;
  uint32_t dev_minor;
  uint32_t vma_name_size;
  uint32_t build_id_size;
  uint64_t vma_name_addr;
  uint64_t build_id_addr;
};
static_assert(sizeof(ProcmapQuery) == 104, "PROCMAP_QUERY ABI");
constexpr unsigned long kProcmapQuery = _IOWR('f', 17, ProcmapQuery);
constexpr uint64_t kVmaReadable = 0x01, kVmaWritable = 0x02, kVmaShared = 0x08;

// Whether this kernel answers PROCMAP_QUERY: unknown until first asked.
enum { kUnknown, kYes, kNo };
std::atomic<int> g_query_support{kUnknown};

int open_maps() {
  int fd;
  do {
    fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Walks with one ioctl per mapping. *fallback is set when the first query is
// refused (nothing was visited then).
int walk_by_query(int fd, uintptr_t lo, uintptr_t hi, bool want_names, VmaVisitor visit,
                  void *ctx, bool *fallback) {
  char name[PATH_MAX];
  uintptr_t at = lo;
  while (at < hi) {
    ProcmapQuery q{};
    q.size = sizeof q;
    q.query_addr = at;  // the mapping covering `at`, or ENOENT at a hole
    bool too_long = false;
    if (want_names) {
      // Zeroed: a checker that does not know the request (valgrind) then
      // sees the kernel's answer as initialised memory.
      std::memset(name, 0, sizeof name);
      q.vma_name_addr = reinterpret_cast<uintptr_t>(name);
      q.vma_name_size = sizeof name;
    }
    int rc = ioctl(fd, kProcmapQuery, &q);
    if (rc != 0 && errno == ENAMETOOLONG && want_names) {
      too_long = true;
      q.vma_name_addr = 0;
      q.vma_name_size = 0;
      rc = ioctl(fd, kProcmapQuery, &q);
    }
    if (rc != 0) {
      if (errno == ENOENT) return 0;  // a hole at `at`
      // Any other refusal of the first query (an old kernel; a seccomp or
      // security-module policy: EPERM, EACCES) falls back to the listing.
      if (at == lo) {
        *fallback = true;
        return 0;
      }
      return errno;
    }
    g_query_support.store(kYes, std::memory_order_relaxed);
    if (q.vma_name_size == 0) name[0] = '\0';
    name[sizeof name - 1] = '\0';
    Vma v{};
    v.start = q.vma_start;
    v.end = q.vma_end;
    v.offset = q.vma_offset;
    v.inode = q.inode;
    v.major = q.dev_major;
    v.minor = q.dev_minor;
    v.readable = q.vma_flags & kVmaReadable;
    v.writable = q.vma_flags & kVmaWritable;
    v.shared = q.vma_flags & kVmaShared;
    v.name = want_names ? name : "";
    v.name_len = std::strlen(v.name);
    v.name_too_long = too_long;
    if (!visit(v, ctx) || v.end <= at) return 0;
    at = v.end;
  }
  return 0;
}

// The whole listing in one read sequence (one consistent snapshot), NUL
// terminated; malloc'd. nullptr with *err set when it cannot be read.
char *read_listing(int fd, int *err) {
  size_t cap = 64 * 1024, have = 0;
  char *buf = static_cast<char *>(std::malloc(cap));
  *err = ENOMEM;
  while (buf) {
    if (cap - have < 4096) {
      char *bigger = static_cast<char *>(std::realloc(buf, cap * 2));
      if (!bigger) break;
      buf = bigger;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + have, cap - have - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = errno;
      break;
    }
    if (n == 0) {
      buf[have] = '\0';
      *err = 0;
      return buf;
    }
    have += static_cast<size_t>(n);
  }
  std::free(buf);
  return nullptr;
}

bool parse_line(char *line, Vma *out) {
  unsigned long start, end, offset, inode;
  unsigned major, minor;
  char perms[5];
  int name_at = 0;
  if (std::sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &start, &end, perms, &offset, &major,
                  &minor, &inode, &name_at) != 7 ||
      name_at == 0)
    return false;
  out->start = start;
  out->end = end;
  out->offset = offset;
  out->inode = inode;
  out->major = major;
  out->minor = minor;
  out->readable = perms[0] == 'r';
  out->writable = perms[1] == 'w';
  out->shared = perms[3] == 's';
  out->name = line + name_at;
  out->name_len = std::strlen(out->name);
  out->name_too_long = out->name_len >= PATH_MAX;
  return true;
}

int walk_listing(int fd, uintptr_t lo, uintptr_t hi, bool want_names, VmaVisitor visit,
                 void *ctx) {
  int err = 0;
  char *listing = read_listing(fd, &err);
  if (!listing) return err;
  uintptr_t covered = lo;
  char *line = listing;
  while (covered < hi && *line) {
    char *nl = std::strchr(line, '\n');
    if (nl) *nl = '\0';
    Vma v{};
    const bool parsed = parse_line(line, &v);
    line = nl ? nl + 1 : line + std::strlen(line);
    if (!parsed || v.end <= covered) continue;
    if (v.start > covered) break;  // a hole
    if (!want_names) {
      v.name = "";
      v.name_len = 0;
      v.name_too_long = false;
    }
    if (!visit(v, ctx)) break;
    covered = v.end;
  }
  std::free(listing);
  return 0;
}

}  // namespace

int walk_vmas(uintptr_t lo, uintptr_t hi, bool want_names, VmaVisitor visit, void *ctx) {
  int fd = open_maps();
  if (fd < 0) return errno;
  int err = 0;
  bool fallback = g_query_support.load(std::memory_order_relaxed) == kNo;
  if (!fallback) err = walk_by_query(fd, lo, hi, want_names, visit, ctx, &fallback);
  if (fallback) {
    g_query_support.store(kNo, std::memory_order_relaxed);
    err = walk_listing(fd, lo, hi, want_names, visit, ctx);
  }
  close(fd);
  return err;
}

int walk_vmas_by_listing(uintptr_t lo, uintptr_t hi, bool want_names, VmaVisitor visit,
                         void *ctx) {
  int fd = open_maps();
  if (fd < 0) return errno;
  int err = walk_listing(fd, lo, hi, want_names, visit, ctx);
  close(fd);
  return err;
}

}  // namespace rsmkit::os
