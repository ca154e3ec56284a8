// rsmkit shm backend: what backs an exported range, and the binding record
// through which importers find it.
//
// Private memory is copied into the segment's memory object, which is then
// mapped over the caller's range. Memory that is already shared with others
// (a System V segment, a MAP_SHARED file) cannot be treated that way: the
// other attachments would keep the old pages. It stays in place, and the
// header records how importers reach the same pages (shmid, or file path,
// and the offset of the range in it).
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "backends/shm/shm_internal.h"
#include "os/vma.h"

namespace rsmkit::shm {

namespace {

constexpr char kDeleted[] = " (deleted)";

bool ends_with(const char *s, size_t n, const char *suffix) {
  size_t k = std::strlen(suffix);
  return n >= k && std::memcmp(s + n - k, suffix, k) == 0;
}

// "/SYSV" + 8 hex digits, as the kernel names System V segments.
bool is_sysv_name(const char *name, size_t n) {
  if (n < 13 || std::strncmp(name, "/SYSV", 5) != 0) return false;
  for (size_t k = 5; k < 13; k++)
    if (!std::isxdigit(static_cast<unsigned char>(name[k]))) return false;
  return n == 13 || (n == 13 + sizeof kDeleted - 1 && ends_with(name, n, kDeleted));
}

// A memory object of this backend ("<prefix>.mem.<pid>.<serial>", any
// directory, named or deleted): private memory to us (see shm_export.cc).
bool is_own_object(const char *name) {
  const char *base = std::strrchr(name, '/');
  base = base ? base + 1 : name;
  const char *prefix = process().prefix;
  size_t n = std::strlen(prefix);
  return std::strncmp(base, prefix, n) == 0 && std::strncmp(base + n, ".mem.", 5) == 0 &&
         base[n + 5] >= '0' && base[n + 5] <= '9';
}

enum class Piece { priv, sysv, file, unreachable };

Piece piece_of(const os::Vma &m) {
  if (!m.shared) return Piece::priv;
  if (is_sysv_name(m.name, m.name_len)) return Piece::sysv;
  if (is_own_object(m.name)) return Piece::priv;
  if (m.name_too_long || m.name[0] != '/' || ends_with(m.name, m.name_len, kDeleted))
    return Piece::unreachable;
  return Piece::file;
}

size_t round_page(uint64_t n) {
  const size_t page = page_size();
  return static_cast<size_t>((n + page - 1) / page * page);
}

// The System V segment behind the window: still the one the listing showed,
// and the window inside it.
Status complete_sysv(Backing *b, size_t len) {
  struct shmid_ds ds;
  if (shmctl(b->shmid, IPC_STAT, &ds) != 0)
    return errno == ENOMEM ? Status::no_memory : Status::perm_denied;
  if (b->offset + len > round_page(ds.shm_segsz)) return Status::bad_address;
  b->extent = ds.shm_segsz;
  b->shm_cpid = ds.shm_cpid;
  return Status::ok;
}

// The file behind the window: a regular file that its path still names, and
// long enough (a window past its end would be SIGBUS for importers).
Status complete_file(Backing *b, uint64_t inode, size_t len) {
  int fd = open_retry(b->path.s, O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return errno_status(errno, Status::perm_denied);
  struct stat st;
  Status result = Status::ok;
  if (fstat(fd, &st) != 0) {
    result = errno_status(errno, Status::perm_denied);
  } else if (!S_ISREG(st.st_mode) || st.st_ino != inode) {
    // Renamed or replaced since it was mapped, or not a plain file.
    result = Status::perm_denied;
  } else if (static_cast<uint64_t>(st.st_size) < b->offset + len) {
    result = Status::bad_address;
  } else {
    // As stat(2) sees the file (the listing may show another device, e.g.
    // on overlayfs): importers compare what they open with this.
    b->dev = st.st_dev;
    b->ino = st.st_ino;
  }
  close(fd);
  return result;
}

// Slot of the path for sequence number seq.
off_t path_slot(uint32_t seq) {
  return static_cast<off_t>(header_bytes() - 2 * sizeof(Path::s) +
                            ((seq / 2) & 1) * sizeof(Path::s));
}

// The walk of the range's mappings behind find_backing.
struct BackingWalk {
  uintptr_t lo, covered;  // the range is covered up to `covered`
  bool first = true;
  Piece kind = Piece::priv;
  uint64_t first_inode = 0;
  dev_t first_dev = 0;
  Status st = Status::ok;
  Backing *out;

  bool visit(const os::Vma &m) {
    const Piece p = piece_of(m);
    // Offset in the backing of the first byte of the range in this mapping.
    const uint64_t at = m.offset + (covered - m.start);
    if (first) {
      kind = p;
      first = false;
      first_inode = m.inode;
      first_dev = makedev(m.major, m.minor);
      out->offset = at;
      if (p == Piece::sysv) out->shmid = static_cast<int32_t>(m.inode);
      if (p == Piece::file) {
        if (m.name_len >= sizeof out->path.s) {
          st = Status::perm_denied;
          return false;
        }
        std::memcpy(out->path.s, m.name, m.name_len + 1);
      }
    } else if (p != kind) {
      st = Status::perm_denied;  // the range mixes backings
    } else if (p == Piece::sysv || p == Piece::file) {
      // Several mappings of one backing (split by mprotect, say): the same
      // object, at consecutive offsets.
      const bool same = m.inode == first_inode && makedev(m.major, m.minor) == first_dev &&
                        at == out->offset + (covered - lo) &&
                        (p == Piece::sysv || (m.name_len < sizeof out->path.s &&
                                              std::strcmp(m.name, out->path.s) == 0));
      if (!same) st = Status::perm_denied;
    }
    if (p == Piece::unreachable) st = Status::perm_denied;
    covered = m.end;
    return st == Status::ok;
  }
};

}  // namespace

Status find_backing(void *vaddr, size_t len, Backing *out) {
  const auto lo = reinterpret_cast<uintptr_t>(vaddr), hi = lo + len;
  BackingWalk w;
  w.lo = w.covered = lo;
  w.out = out;
  out->offset = 0;
  int err = os::walk_vmas(lo, hi, /*want_names=*/true, [](const os::Vma &m, void *ctx) {
    return static_cast<BackingWalk *>(ctx)->visit(m);
  }, &w);
  if (err) return errno_status(err, Status::no_resources);
  if (w.st != Status::ok) return w.st;
  if (w.covered < hi) return Status::bad_address;
  switch (w.kind) {
    case Piece::priv:
      *out = Backing{};
      return Status::ok;
    case Piece::sysv:
      out->kind = backing_sysv;
      return complete_sysv(out, len);
    case Piece::file:
      out->kind = backing_file;
      return complete_file(out, w.first_inode, len);
    case Piece::unreachable:
      break;
  }
  return Status::perm_denied;
}

bool same_backing(const Backing &a, const Backing &b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case backing_object:
      return true;
    case backing_sysv:
      return a.shmid == b.shmid && a.shm_cpid == b.shm_cpid && a.offset == b.offset &&
             a.extent == b.extent;
    case backing_file:
      return a.dev == b.dev && a.ino == b.ino && a.offset == b.offset &&
             std::strcmp(a.path.s, b.path.s) == 0;
  }
  return false;
}

bool stage_binding(SegHeader *h, int fd, const Backing &b) {
  if (b.kind != backing_file) return true;
  // The slot the next sequence number selects: readers of the current
  // binding use the other one.
  const off_t at = path_slot(h->bind_seq.load(std::memory_order_relaxed) + 2);
  const size_t n = std::strlen(b.path.s) + 1;
  size_t done = 0;
  while (done < n) {
    ssize_t w = pwrite(fd, b.path.s + done, n - done, at + static_cast<off_t>(done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    done += static_cast<size_t>(w);
  }
  return true;
}

void commit_binding(SegHeader *h, const Backing &b) {
  const uint32_t seq = h->bind_seq.load(std::memory_order_relaxed);
  h->bind_seq.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  h->bind_kind.store(b.kind, std::memory_order_relaxed);
  h->bind_shmid.store(b.shmid, std::memory_order_relaxed);
  h->bind_shm_cpid.store(b.shm_cpid, std::memory_order_relaxed);
  h->bind_offset.store(b.offset, std::memory_order_relaxed);
  h->bind_extent.store(b.extent, std::memory_order_relaxed);
  h->bind_dev.store(b.dev, std::memory_order_relaxed);
  h->bind_ino.store(b.ino, std::memory_order_relaxed);
  h->bind_seq.store(seq + 2, std::memory_order_release);
}

bool read_binding(SegHeader *h, int fd, PresencePage *exporter, Backing *out, uint32_t *seq) {
  for (unsigned tries = 1;; tries++) {
    const uint32_t s = h->bind_seq.load(std::memory_order_acquire);
    if (!(s & 1)) {
      out->kind = static_cast<BackingKind>(h->bind_kind.load(std::memory_order_relaxed));
      out->shmid = h->bind_shmid.load(std::memory_order_relaxed);
      out->shm_cpid = h->bind_shm_cpid.load(std::memory_order_relaxed);
      out->offset = h->bind_offset.load(std::memory_order_relaxed);
      out->extent = h->bind_extent.load(std::memory_order_relaxed);
      out->dev = h->bind_dev.load(std::memory_order_relaxed);
      out->ino = h->bind_ino.load(std::memory_order_relaxed);
      out->path.s[0] = '\0';
      if (out->kind == backing_file && fd < 0) {
        // The caller mapped the whole header, path slots included.
        std::memcpy(out->path.s, reinterpret_cast<const char *>(h) + path_slot(s),
                    sizeof out->path.s);
        out->path.s[sizeof out->path.s - 1] = '\0';
      } else if (out->kind == backing_file) {
        ssize_t n;
        do {
          n = pread(fd, out->path.s, sizeof out->path.s, path_slot(s));
        } while (n < 0 && errno == EINTR);
        if (n <= 0) return false;
        out->path.s[static_cast<size_t>(n) < sizeof out->path.s ? n : sizeof out->path.s - 1] =
            '\0';
      }
      std::atomic_thread_fence(std::memory_order_acquire);
      if (h->bind_seq.load(std::memory_order_relaxed) == s) {
        if (out->kind > backing_file) return false;
        *seq = s;
        return true;
      }
    }
    // A change takes a few stores: wait for it, unless the writer died.
    if (tries % 1024 == 0 && exporter && !presence_alive(exporter)) return false;
    sched_yield();
  }
}

}  // namespace rsmkit::shm
