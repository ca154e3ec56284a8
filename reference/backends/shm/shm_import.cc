// rsmkit shm backend: the import side. A connection maps the exporter's
// segment header and presence page, and reaches the data as the header's
// binding says: the memory object's data area, a System V segment (shmat) or
// a MAP_SHARED file of the exporter (by path). Whether the connection still
// stands, and whether the exporter rebound the segment to another backing,
// is read from shared memory alone, without system calls; a connection
// follows such a rebind at its next check, mapping included.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <new>

#include "backends/shm/shm_internal.h"
#include "backends/shm/shm_ops.h"
#include "os/fault_guard.h"

namespace rsmkit::shm {

namespace {

// Memory this import mapped: [base, base+len) is what to give back; window is
// where the bytes it was made for start.
struct Mapping {
  void *base = nullptr;
  size_t len = 0;
  char *window = nullptr;
  bool attached = false;  // a whole System V attachment made by shmat at base
};

void release_mapping(Mapping &m) {
  // shmdt detaches every piece of an attachment, whatever its page size.
  if (m.base && !(m.attached && shmdt(m.base) == 0)) munmap(m.base, m.len);
  m = Mapping{};
}

// The data as this import reaches it: map.window is offset 0 of the segment
// (import_xfer), fd the file a backing_file binding maps from.
struct Data {
  Mapping map;
  int fd = -1;
};

void release_data(Data &d) {
  release_mapping(d.map);
  if (d.fd >= 0) close(d.fd);
  d.fd = -1;
}

// The caller's mapping; one at most (the core refuses a second map).
struct UserMap {
  bool active = false;
  size_t off = 0;
  size_t len = 0;
  int prot = 0;
  Mapping map;  // window: the address the caller was given
};

struct Import {
  // What every get/put reads first, together in one cache line (the paths
  // below are kilobytes each).
  SegHeader *hdr = nullptr;  // the start of the whole object, mapped at connect
  uint64_t generation = 0;   // as seen at connect
  PresencePage *exporter = nullptr;
  std::atomic<bool> aborted{false};
  uint32_t bind_seq = 0;  // of the binding `data` reaches
  Data data;
  size_t object_len = 0;
  size_t size = 0;
  std::atomic<uint64_t> *slot = nullptr;
  uint64_t slot_value = 0;
  // The memory object's descriptor: closed once connect has mapped the whole
  // object (a process with 10,000 connections must not hold 10,000
  // descriptors, nor pay the kernel's descriptor-table growth on connect);
  // reopened from pub, checked by device and inode, only on the rare paths
  // that need it (see object_fd).
  int mem_fd = -1;
  dev_t mem_dev = 0;
  ino_t mem_ino = 0;
  UserMap user;
  EventEndpoint ev;
  Backing bind;
  Path pub;
};

Import *from(BackendImport *i) { return reinterpret_cast<Import *>(i); }

// The memory object's descriptor, opened again if connect closed it: still
// the object connected to (a republished id may name another), or -1.
int object_fd(Import &i) {
  if (i.mem_fd < 0) i.mem_fd = reopen_object(i.pub.s, i.mem_dev, i.mem_ino);
  return i.mem_fd;
}

void release(Import *i) {
  if (i->slot) {
    uint64_t mine = i->slot_value;
    i->slot->compare_exchange_strong(mine, 0, std::memory_order_acq_rel);
  }
  event_close(i->ev);
  release_data(i->data);
  unmap_header(i->hdr, i->object_len);
  unmap_presence(i->exporter);
  if (i->mem_fd >= 0) close(i->mem_fd);
  delete i;
}

// The header says the object is published as (node, segid) by a live
// exporter; maps the exporter's presence page for later checks.
bool attach_live_exporter(Import &i, rsm_node_id_t node, rsm_memseg_id_t segid) {
  SegHeader *h = i.hdr;
  // Generation first: a teardown after this read is then seen by checks.
  i.generation = h->generation.load(std::memory_order_seq_cst);
  if (h->state.load(std::memory_order_seq_cst) != seg_published ||
      h->segid.load(std::memory_order_relaxed) != segid || h->creator_node != node)
    return false;
  i.exporter = map_presence(h->creator_pid, h->creator_start);
  return i.exporter && presence_alive(i.exporter);
}

void read_access(SegHeader *h, ImportInfo *info) {
  const rsm_node_id_t self = process().node;
  lock_shared(&h->lock);
  info->node_listed = !h->has_list;
  info->granted_mode = h->has_list ? 0 : h->default_mode;
  for (uint32_t k = 0; h->has_list && k < h->acl_count && k < kMaxAcl; k++) {
    if (h->acl[k].node == self) {
      info->node_listed = true;
      info->granted_mode = h->acl[k].mode;
      break;
    }
  }
  pthread_mutex_unlock(&h->lock);
  info->size = h->size;
  info->exporter_uid = h->creator_uid;
  info->exporter_gid = h->creator_gid;
}

// Slot value: our event endpoint's pid and serial, so the exporter can find
// it; the endpoint's word is at the slot's index.
Status claim_slot(Import &i) {
  const uint32_t serial = next_serial();
  const uint64_t mine = static_cast<uint64_t>(process().pid) << 32 | serial;
  // Second pass: importers that died without disconnecting left their slots
  // taken; a slot whose process is gone is free again (a reused pid only
  // keeps one slot taken a little longer).
  for (bool reclaim : {false, true}) {
    for (auto &slot : i.hdr->importers) {
      uint64_t expected = 0;
      if (reclaim) {
        expected = slot.load(std::memory_order_acquire);
        auto owner = static_cast<pid_t>(expected >> 32);
        if (expected == 0 || kill(owner, 0) == 0 || errno != ESRCH) continue;
      }
      if (slot.compare_exchange_strong(expected, mine, std::memory_order_acq_rel)) {
        i.slot = &slot;
        i.slot_value = mine;
        event_init(i.ev, &i.hdr->importer_events[&slot - i.hdr->importers], serial);
        return Status::ok;
      }
    }
  }
  return Status::no_resources;
}

size_t round_page(uint64_t n) {
  const size_t page = page_size();
  return static_cast<size_t>((n + page - 1) / page * page);
}

// Reaching the exporter's shared memory failed with err: no permission (the
// file's or segment's own), or the memory is no longer there.
Status reach_status(int err) {
  if (err == EACCES || err == EPERM) return Status::perm_denied;
  return errno_status(err, Status::not_published);
}

// Opens the file of a backing_file binding: the very file the exporter
// mapped (same device and inode), still long enough for the segment.
Status open_file(const Import &i, const Backing &b, int *out) {
  int fd = open_retry(b.path.s, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return reach_status(errno);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != b.dev || st.st_ino != b.ino ||
      static_cast<uint64_t>(st.st_size) < b.offset + i.size) {
    close(fd);
    return Status::not_published;
  }
  *out = fd;
  return Status::ok;
}

// The segment id still names the segment the exporter bound (ids are reused).
Status check_sysv(const Backing &b) {
  struct shmid_ds ds;
  if (shmctl(b.shmid, IPC_STAT, &ds) != 0) return reach_status(errno);
  if (ds.shm_segsz != b.extent || ds.shm_cpid != b.shm_cpid) return Status::not_published;
  return Status::ok;
}

// Maps the data of binding b read-write for import_xfer: the object's data
// area, the file's range, or the whole System V segment (shmat attaches no
// less).
Status attach_data(Import &i, const Backing &b, Data *out) {
  const int rw = PROT_READ | PROT_WRITE;
  switch (b.kind) {
    case backing_object: {
      const size_t header = header_bytes();
      // Mapped with the header at connect (the object's size is fixed while
      // the binding is an object): no mapping of its own to give back.
      if (i.object_len >= header + i.size) {
        out->map = Mapping{nullptr, 0, reinterpret_cast<char *>(i.hdr) + header};
        return Status::ok;
      }
      struct stat st;
      const int fd = object_fd(i);
      // Never map beyond the end of the file: that would be SIGBUS on access.
      if (fd < 0 || fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < header + i.size)
        return Status::not_published;
      void *p = mmap(nullptr, i.size, rw, MAP_SHARED, fd, static_cast<off_t>(header));
      if (p == MAP_FAILED) return errno_status(errno, Status::no_memory);
      out->map = Mapping{p, i.size, static_cast<char *>(p)};
      return Status::ok;
    }
    case backing_file: {
      int fd = -1;
      Status st = open_file(i, b, &fd);
      if (st != Status::ok) return st;
      void *p = mmap(nullptr, i.size, rw, MAP_SHARED, fd, static_cast<off_t>(b.offset));
      if (p == MAP_FAILED) {
        st = errno_status(errno, Status::no_memory);
        close(fd);
        return st;
      }
      out->fd = fd;
      out->map = Mapping{p, i.size, static_cast<char *>(p)};
      return Status::ok;
    }
    case backing_sysv: {
      Status st = check_sysv(b);
      if (st != Status::ok) return st;
      void *p = shmat(b.shmid, nullptr, 0);
      if (p == reinterpret_cast<void *>(-1)) return reach_status(errno);
      out->map = Mapping{p, round_page(b.extent), static_cast<char *>(p) + b.offset, true};
      return Status::ok;
    }
  }
  return Status::not_published;
}

// ---- the caller's mapping ---------------------------------------------------

Status map_status(int err, bool fixed) {
  if (err == ENOMEM) return Status::no_memory;
  if (fixed && (err == EINVAL || err == EFAULT)) return Status::bad_address;
  return Status::map_failed;
}

Status map_fd(int fd, uint64_t at, size_t len, int prot, bool fixed, void *addr, Mapping *out) {
  void *p = mmap(fixed ? addr : nullptr, len, prot, MAP_SHARED | (fixed ? MAP_FIXED : 0), fd,
                 static_cast<off_t>(at));
  if (p == MAP_FAILED) return map_status(errno, fixed);
  *out = Mapping{p, len, static_cast<char *>(p)};
  return Status::ok;
}

// A second mapping of [src, src+len), part of a shared mapping of ours (the
// object mapped at connect), without a descriptor: mremap with an old size
// of 0 maps the same pages again (mremap(2)).
Status duplicate(char *src, size_t len, int prot, bool fixed, void *addr, Mapping *out) {
  void *p = mremap(src, 0, len, MREMAP_MAYMOVE | (fixed ? MREMAP_FIXED : 0), addr);
  if (p == MAP_FAILED) return map_status(errno, fixed);
  if (prot != (PROT_READ | PROT_WRITE) && mprotect(p, len, prot) != 0) {
    const int err = errno;
    munmap(p, len);
    return map_status(err, fixed);
  }
  *out = Mapping{p, len, static_cast<char *>(p)};
  return Status::ok;
}

// A descriptor of the System V segment, taken through this import's own
// attachment of it (/proc/self/map_files: needs CAP_SYS_ADMIN or
// CAP_CHECKPOINT_RESTORE). With it a window of the segment can be mapped
// anywhere, which shmat cannot do. -1 if not available.
int sysv_fd(const Backing &b, const Data &d) {
  char name[96];
  const auto start = reinterpret_cast<uintptr_t>(d.map.base);
  std::snprintf(name, sizeof name, "/proc/self/map_files/%lx-%lx",
                static_cast<unsigned long>(start), static_cast<unsigned long>(start + d.map.len));
  int fd = open_retry(name, O_RDWR | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_ino != static_cast<ino_t>(b.shmid)) {
    close(fd);
    return -1;
  }
  return fd;
}

// Attaches the whole System V segment at base (nullptr: anywhere; else
// replacing what is there) and leaves only the window [at, at+len) of it
// accessible, with prot.
Status attach_window(const Backing &b, const Data &d, void *base, uint64_t at, size_t len,
                     int prot, Mapping *out) {
  const int flags = (base ? SHM_REMAP : 0) | (prot & PROT_WRITE ? 0 : SHM_RDONLY);
  void *p = shmat(b.shmid, base, flags);
  if (p == reinterpret_cast<void *>(-1)) return map_status(errno, base != nullptr);
  Mapping m{p, d.map.len, static_cast<char *>(p) + at, true};
  char *end = m.window + len, *whole_end = static_cast<char *>(p) + m.len;
  bool ok = (!base || p == base) && mprotect(m.window, len, prot) == 0;
  if (ok && m.window > p) ok = mprotect(p, static_cast<size_t>(m.window - static_cast<char *>(p)), PROT_NONE) == 0;
  if (ok && end < whole_end) ok = mprotect(end, static_cast<size_t>(whole_end - end), PROT_NONE) == 0;
  if (!ok) {
    release_mapping(m);
    return Status::map_failed;
  }
  *out = m;
  return Status::ok;
}

// Maps [off, off+len) of the segment (binding b, reached through d) with
// prot, at addr exactly when fixed, else anywhere. A System V segment is
// attached whole for anywhere (only the window accessible); at an exact
// address shmat can place it only if the window is the whole segment, else
// a descriptor from sysv_fd is needed: without one, map_failed.
Status place(Import &i, const Backing &b, const Data &d, size_t off, size_t len, int prot,
             bool fixed, void *addr, Mapping *out) {
  switch (b.kind) {
    case backing_object:
      if (i.mem_fd < 0 && !d.map.base) {
        Status st = duplicate(d.map.window + off, len, prot, fixed, addr, out);
        // Not every system knows an old size of 0 (valgrind does not): then
        // through the descriptor, which also gives the precise error. At an
        // exact address always: a failed mremap may have unmapped the range
        // already, and the descriptor's MAP_FIXED places it or says why not.
        if (st == Status::ok || (!fixed && st == Status::no_memory)) return st;
      }
      if (object_fd(i) < 0) return Status::map_failed;
      return map_fd(i.mem_fd, header_bytes() + off, len, prot, fixed, addr, out);
    case backing_file:
      return map_fd(d.fd, b.offset + off, len, prot, fixed, addr, out);
    case backing_sysv:
      break;
  }
  const uint64_t at = b.offset + off;
  if (!fixed) return attach_window(b, d, nullptr, at, len, prot, out);
  if (at == 0 && len == d.map.len) return attach_window(b, d, addr, at, len, prot, out);
  int fd = sysv_fd(b, d);
  if (fd < 0) return Status::map_failed;
  Status st = map_fd(fd, at, len, prot, true, addr, out);
  close(fd);
  return st;
}

// Gives back the parts of old that next (inside it) does not cover.
void trim(const Mapping &old, const Mapping &next) {
  char *o = static_cast<char *>(old.base), *n = static_cast<char *>(next.base);
  if (o < n) munmap(o, static_cast<size_t>(n - o));
  char *o_end = o + old.len, *n_end = n + next.len;
  if (n_end < o_end) munmap(n_end, static_cast<size_t>(o_end - n_end));
}

// After a rebind: remaps the caller's window, at the same address, onto the
// new binding. Only memory this import mapped is replaced: a System V
// segment without a descriptor (sysv_fd) must fit, whole, in the old mapping.
Status move_user_map(Import &i, const Backing &b, const Data &d, UserMap &u) {
  char *w = u.map.window;
  Mapping next;
  Status st = Status::map_failed;
  if (b.kind != backing_sysv) {
    st = place(i, b, d, u.off, u.len, u.prot, true, w, &next);
  } else if (int fd = sysv_fd(b, d); fd >= 0) {
    st = map_fd(fd, b.offset + u.off, u.len, u.prot, true, w, &next);
    close(fd);
  } else {
    const uint64_t at = b.offset + u.off;
    const auto lo = reinterpret_cast<uintptr_t>(u.map.base), hi = lo + u.map.len;
    const auto win = reinterpret_cast<uintptr_t>(w);
    if (win >= lo + at && win - at + d.map.len <= hi)
      st = attach_window(b, d, reinterpret_cast<void *>(win - at), at, u.len, u.prot, &next);
  }
  if (st != Status::ok) return st;
  trim(u.map, next);
  u.map = next;
  return Status::ok;
}

// The exporter rebound the segment to another backing: reach the new one,
// move the caller's mapping to it, then let the old one go. A connection
// that cannot follow is lost (the caller's mapping keeps the old memory).
Status follow_binding(Import &i) {
  Backing next;
  uint32_t seq = 0;
  // The path slot of a file binding is in the whole-object mapping, when
  // connect could map it; only otherwise is the object opened again.
  const int fd = i.object_len >= header_bytes() ? -1 : object_fd(i);
  if (!read_binding(i.hdr, fd, i.exporter, &next, &seq)) return Status::aborted;
  Data d;
  if (attach_data(i, next, &d) != Status::ok) return Status::aborted;
  if (i.user.active && move_user_map(i, next, d, i.user) != Status::ok) {
    release_data(d);
    return Status::aborted;
  }
  release_data(i.data);
  i.data = d;
  i.bind = next;
  i.bind_seq = seq;
  return Status::ok;
}

Status not_published(rsm_node_id_t node) {
  return node_alive(node) ? Status::not_published : Status::unreachable;
}

// Each element is moved by one access of its width, so a concurrent reader
// on the other side never sees it half written.
template <typename T>
void move_elements(Direction d, char *remote, char *local, size_t count) {
  for (size_t k = 0; k < count; k++) {
    T *r = reinterpret_cast<T *>(remote) + k;
    char *l = local + k * sizeof(T);
    T v;
    if (d == Direction::get) {
      v = __atomic_load_n(r, __ATOMIC_RELAXED);
      std::memcpy(l, &v, sizeof v);
    } else {
      std::memcpy(&v, l, sizeof v);
      __atomic_store_n(r, v, __ATOMIC_RELAXED);
    }
  }
}

// One transfer, as run_guarded takes it.
struct Move {
  Direction d;
  char *remote, *local;
  size_t elem, count;
};

void move_data(void *ctx) {
  const Move &m = *static_cast<Move *>(ctx);
  const bool aligned = (reinterpret_cast<uintptr_t>(m.remote) & (m.elem - 1)) == 0;
  if (aligned && m.elem == 2) {
    move_elements<uint16_t>(m.d, m.remote, m.local, m.count);
  } else if (aligned && m.elem == 4) {
    move_elements<uint32_t>(m.d, m.remote, m.local, m.count);
  } else if (aligned && m.elem == 8) {
    move_elements<uint64_t>(m.d, m.remote, m.local, m.count);
  } else if (m.d == Direction::get) {
    std::memcpy(m.local, m.remote, m.elem * m.count);
  } else {
    std::memcpy(m.remote, m.local, m.elem * m.count);
  }
}

}  // namespace

// ---- table entries ---------------------------------------------------------

Status import_connect(BackendCtlr *, rsm_node_id_t node, rsm_memseg_id_t segid,
                      ImportInfo *info, BackendImport **out) {
  Status st = ensure_process();
  if (st != Status::ok) return st;
  Import *i = new (std::nothrow) Import;
  if (!i) return Status::no_memory;
  Path &pub = i->pub;
  if (!publication_path(pub, node, segid)) {
    release(i);
    return Status::no_resources;
  }
  i->mem_fd = open_retry(pub.s, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (i->mem_fd < 0) {
    int err = errno;
    st = directory_status();
    if (st == Status::ok)
      st = err == ENOENT ? not_published(node) : errno_status(err, Status::not_published);
    release(i);
    return st;
  }
  struct stat fs;
  i->hdr = map_header(i->mem_fd, &i->object_len, &fs);
  if (!i->hdr && errno == ENOMEM) {
    // No room for the whole object: the header alone, and the data is
    // mapped (or found missing, as no_memory) by attach_data.
    i->object_len = sizeof(SegHeader);
    i->hdr = map_header(i->mem_fd, nullptr, &fs);
  }
  if (!i->hdr || !attach_live_exporter(*i, node, segid)) {
    remove_if_stale(pub.s, [&](const char *p) { return publication_stale(p, node, segid); });
    release(i);
    return not_published(node);
  }
  i->size = i->hdr->size;
  // A rebind after this read is followed at the first check.
  st = read_binding(i->hdr, i->mem_fd, i->exporter, &i->bind, &i->bind_seq)
           ? attach_data(*i, i->bind, &i->data)
           : not_published(node);
  if (st == Status::ok) st = claim_slot(*i);
  if (st != Status::ok) {
    release(i);
    return st;
  }
  i->mem_dev = fs.st_dev;
  i->mem_ino = fs.st_ino;
  // With the whole header mapped (path slots included) the descriptor is
  // not needed any more; only the header-only fallback keeps it.
  if (i->object_len >= header_bytes()) {
    close(i->mem_fd);
    i->mem_fd = -1;
  }
  read_access(i->hdr, info);
  *out = reinterpret_cast<BackendImport *>(i);
  return Status::ok;
}

void import_disconnect(BackendImport *bi) { release(from(bi)); }

Status import_check(BackendImport *bi) {
  Import &i = *from(bi);
  if (i.aborted.load(std::memory_order_relaxed)) return Status::aborted;
  SegHeader *h = i.hdr;
  if (h->generation.load(std::memory_order_acquire) != i.generation ||
      h->state.load(std::memory_order_acquire) != seg_published || !presence_alive(i.exporter) ||
      // Rebound to another backing: the only system calls of a check, once.
      (h->bind_seq.load(std::memory_order_acquire) != i.bind_seq &&
       follow_binding(i) != Status::ok)) {
    i.aborted.store(true, std::memory_order_relaxed);
    return Status::aborted;
  }
  return Status::ok;
}

Status import_map(BackendImport *bi, size_t off, size_t len, int prot, Placement where,
                  void *addr, void **out) {
  Import &i = *from(bi);
  UserMap u;
  Status st = place(i, i.bind, i.data, off, len, prot, where != Placement::anywhere, addr, &u.map);
  if (st != Status::ok) return st;
  u.active = true;
  u.off = off;
  u.len = len;
  u.prot = prot;
  i.user = u;
  *out = u.map.window;
  return Status::ok;
}

void import_unmap(BackendImport *bi, void *addr, size_t len, Placement where) {
  Import &i = *from(bi);
  // All this import mapped for the caller (a whole System V attachment
  // around the window included), unless the core asks for something else.
  Mapping m{addr, len, static_cast<char *>(addr)};
  if (i.user.active && i.user.map.window == addr && i.user.len == len) m = i.user.map;
  i.user = UserMap{};
  if (where == Placement::reserved) {
    // Leave the caller's reservation in place, inaccessible.
    mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    trim(m, Mapping{addr, len, static_cast<char *>(addr)});
  } else {
    release_mapping(m);
  }
}

Status import_xfer(BackendImport *bi, Direction d, size_t off, void *local, size_t elem,
                   size_t count) {
  Import &i = *from(bi);
  if (i.hdr->bind_seq.load(std::memory_order_acquire) != i.bind_seq) {
    Status st = import_check(bi);  // follows the rebind
    if (st != Status::ok) return st;
  }
  Move m{d, i.data.map.window + off, static_cast<char *>(local), elem, count};
  // Guarded: a get (the caller's buffer is not probed, kCapGuardedGetCopy:
  // a fault in it ends the copy), and any access to a file binding, whose
  // file someone may truncate under us (a fault there is a lost connection,
  // not SIGBUS). A put to the object itself needs no guard: its size is fixed.
  if (d == Direction::get || i.bind.kind == backing_file) {
    if (!os::run_guarded(move_data, &m)) {
      // Whose fault: the caller's buffer, if it cannot be written now (the
      // fault's address is no witness: a runtime such as a sanitizer may
      // fault in its own bookkeeping first).
      if (!os::touch_pages(local, elem * count, d == Direction::get)) return Status::bad_address;
      i.aborted.store(true, std::memory_order_relaxed);
      return Status::aborted;
    }
  } else {
    move_data(&m);
  }
  return import_check(bi);
}

Status import_fence(BackendImport *) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return Status::ok;
}

int import_event_fd(BackendImport *bi) { return event_open(from(bi)->ev); }

Status import_signal(BackendImport *bi, bool no_accumulate) {
  if (import_check(bi) != Status::ok) return Status::aborted;
  int err;
  SegHeader *h = from(bi)->hdr;
  switch (post_event(&h->exporter_events, h->creator_pid, h->event_serial, no_accumulate, &err)) {
    case Post::posted:
    case Post::dropped:
      return Status::ok;
    case Post::gone:
      return Status::aborted;
    case Post::failed:
      break;
  }
  return errno_status(err, Status::aborted);
}

bool event_consume(int fd) { return consume_event(fd); }

}  // namespace rsmkit::shm
