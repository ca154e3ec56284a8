// rsmkit shm backend: the export side. An export is a memory object file
// (header + data). Private memory is copied into the object's data area,
// which is mapped MAP_SHARED over the exporter's own range, so the exporter
// keeps its pointer and sees importers' writes. Memory the exporter already
// shares (System V, a MAP_SHARED file) is left in place: the header records
// how importers reach it (see shm_backing.cc).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <new>

#include "backends/shm/shm_internal.h"
#include "backends/shm/shm_ops.h"

namespace rsmkit::shm {

namespace {

constexpr rsm_memseg_id_t kFirstAutoSegid = 0x80000000u;

// Next id publish tries when asked to choose; past 0xFFFFFFFF the range is
// spent for this process (as in illumos, where the counter does not wrap).
std::atomic<uint64_t> g_next_auto_segid{kFirstAutoSegid};

struct Export {
  // The memory object's descriptor, open only while create or rebind works
  // on the object (an export holds no descriptor: 10,000 exports must not
  // need 10,000 of them); reopened by mem_path, checked by device and inode.
  int mem_fd = -1;
  bool object_made = false;
  dev_t mem_dev = 0;
  ino_t mem_ino = 0;
  SegHeader *hdr = nullptr;
  void *vaddr = nullptr;  // the range the object is mapped over
  size_t len = 0;
  Path mem_path;
  EventEndpoint ev;
  bool published = false;
  Path pub_path;
  Backing binding;        // what backs the segment now
  bool has_data = false;  // the object has its data area
};

Export *from(BackendExport *e) { return reinterpret_cast<Export *>(e); }

// Writes [src, src+len) into the data part of the object.
Status copy_into_object(int fd, const void *src, size_t len) {
  const char *p = static_cast<const char *>(src);
  off_t at = static_cast<off_t>(header_bytes());
  while (len > 0) {
    ssize_t n = pwrite(fd, p, len, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 && errno == EFAULT ? Status::bad_address
                                                : errno_status(errno, Status::no_resources);
    p += n;
    at += n;
    len -= static_cast<size_t>(n);
  }
  return Status::ok;
}

// Makes vaddr show the object's data, filled from src first (the range's own
// contents when src == vaddr, so nothing the caller stored there is lost).
Status bind_range(int fd, const void *src, void *vaddr, size_t len) {
  Status st = copy_into_object(fd, src, len);
  if (st != Status::ok) return st;
  if (mmap(vaddr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
           static_cast<off_t>(header_bytes())) == MAP_FAILED)
    return errno_status(errno, Status::bad_address);
  return Status::ok;
}

// Sizes the file to total bytes, reserved up front so that a full file system
// fails here and not as SIGBUS on a later store.
int size_file(int fd, off_t total) {
  int rc = ftruncate(fd, total);
  if (rc == 0 && fallocate(fd, 0, 0, total) != 0 && errno != EOPNOTSUPP && errno != ENOSYS)
    rc = -1;
  return rc;
}

// Creates the file with room for the header, and for the data when data_len
// is not 0 (an object bound to shared memory of the caller has none).
Status create_object_file(Export &e, size_t data_len) {
  if (!object_path(e.mem_path, "mem", process().pid, next_serial())) return Status::no_resources;
  int fd = open_retry(e.mem_path.s, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) {
    int err = errno;
    Status dir = directory_status();
    return dir != Status::ok ? dir : errno_status(err, Status::no_resources);
  }
  e.mem_fd = fd;
  e.object_made = true;
  struct stat st;
  int rc = fchmod(fd, 0666);
  if (rc == 0) rc = size_file(fd, static_cast<off_t>(header_bytes() + data_len));
  if (rc == 0) rc = fstat(fd, &st);
  if (rc != 0) return errno_status(errno, Status::no_resources);
  e.mem_dev = st.st_dev;
  e.mem_ino = st.st_ino;
  e.has_data = data_len != 0;
  return Status::ok;
}

// Adds the data area to an object created without one. Nobody maps it yet
// (the binding is not an object), so a failure can shrink the file back.
Status ensure_data_area(Export &e) {
  if (e.has_data) return Status::ok;
  if (size_file(e.mem_fd, static_cast<off_t>(header_bytes() + e.len)) != 0) {
    Status st = errno_status(errno, Status::no_resources);
    if (ftruncate(e.mem_fd, static_cast<off_t>(header_bytes())) != 0) {
      // The file keeps its length; has_data stays false, so it is tried again.
    }
    return st;
  }
  e.has_data = true;
  return Status::ok;
}

// Everything but the magic, which goes last once the object is complete.
Status init_header(Export &e, size_t len) {
  void *mem = mmap(nullptr, sizeof(SegHeader), PROT_READ | PROT_WRITE, MAP_SHARED, e.mem_fd, 0);
  if (mem == MAP_FAILED) return errno_status(errno, Status::no_memory);
  auto *h = new (mem) SegHeader;
  e.hdr = h;
  h->version = kSegVersion;
  h->header_bytes = static_cast<uint32_t>(header_bytes());
  h->size = len;
  h->creator_pid = process().pid;
  h->creator_node = process().node;
  h->creator_start = process().start_time;
  h->creator_uid = geteuid();
  h->creator_gid = getegid();
  h->event_serial = next_serial();
  event_init(e.ev, &h->exporter_events, h->event_serial);
  h->state.store(seg_created, std::memory_order_relaxed);
  h->generation.store(1, std::memory_order_relaxed);
  h->segid.store(0, std::memory_order_relaxed);
  h->bind_seq.store(0, std::memory_order_relaxed);
  if (!init_shared_mutex(&h->lock)) return Status::no_resources;
  if (!stage_binding(h, e.mem_fd, e.binding)) return errno_status(errno, Status::no_resources);
  commit_binding(h, e.binding);
  return Status::ok;
}

// Tears down whatever export_create got to build (names first, then memory).
void release_object(Export *e) {
  event_close(e->ev);
  if (e->object_made) unlink(e->mem_path.s);
  if (e->mem_fd >= 0) close(e->mem_fd);
  unmap_header(e->hdr);
  delete e;
}

// Opens the memory object again for the duration of one operation.
class ObjectAccess {
 public:
  explicit ObjectAccess(Export &e) : e_(e) {
    // Fails (ESTALE) also when the name is not our object any more.
    e.mem_fd = reopen_object(e.mem_path.s, e.mem_dev, e.mem_ino);
    if (e.mem_fd < 0) status_ = errno_status(errno, Status::no_resources);
  }
  ~ObjectAccess() {
    if (e_.mem_fd >= 0) close(e_.mem_fd);
    e_.mem_fd = -1;
  }
  Status status() const { return status_; }

 private:
  Export &e_;
  Status status_ = Status::ok;
};

void write_access_list(SegHeader *h, const AclEntry *acl, uint32_t n, uint32_t default_mode) {
  lock_shared(&h->lock);
  h->has_list = acl && n > 0;
  h->acl_count = acl ? n : 0;
  if (acl && n) std::memcpy(h->acl, acl, n * sizeof *acl);
  h->default_mode = default_mode;
  pthread_mutex_unlock(&h->lock);
}

// Importers see the teardown through the generation; their slots are freed
// so that they get no more events and new importers find room.
void tear_down_connections(SegHeader *h, SegState next) {
  h->state.store(next, std::memory_order_seq_cst);
  h->generation.fetch_add(1, std::memory_order_seq_cst);
  for (auto &slot : h->importers) slot.store(0, std::memory_order_relaxed);
}

// The publication name is a hard link, so creating it is atomic: a second
// publisher of the same id gets EEXIST. A stale link (dead creator, or an
// object no longer published) is removed and the link tried once more.
Status publish_as(Export &e, rsm_memseg_id_t segid) {
  Path path;
  if (!publication_path(path, process().node, segid)) return Status::no_resources;
  SegHeader *h = e.hdr;
  // Published before the name exists: whoever finds the name finds it live.
  h->segid.store(segid, std::memory_order_relaxed);
  h->state.store(seg_published, std::memory_order_seq_cst);
  for (int attempt = 0; attempt < 2; attempt++) {
    if (link(e.mem_path.s, path.s) == 0) {
      e.pub_path = path;
      e.published = true;
      return Status::ok;
    }
    if (errno != EEXIST) {
      h->state.store(seg_created, std::memory_order_seq_cst);
      return errno_status(errno, Status::no_resources);
    }
    if (attempt == 0) {
      const rsm_node_id_t node = process().node;
      remove_if_stale(path.s, [&](const char *p) { return publication_stale(p, node, segid); });
    }
  }
  h->state.store(seg_created, std::memory_order_seq_cst);
  return Status::segid_in_use;
}

Status publish_auto(Export &e, rsm_memseg_id_t *segid) {
  for (;;) {
    const uint64_t id = g_next_auto_segid.fetch_add(1, std::memory_order_relaxed);
    if (id > UINT32_MAX) {
      g_next_auto_segid.store(UINT32_MAX + uint64_t{1}, std::memory_order_relaxed);
      return Status::no_resources;
    }
    Status st = publish_as(e, static_cast<rsm_memseg_id_t>(id));
    if (st == Status::ok) *segid = static_cast<rsm_memseg_id_t>(id);
    if (st != Status::segid_in_use) return st;
  }
}

bool overlap(const void *a, size_t alen, const void *b, size_t blen) {
  auto x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
  return x < y + blen && y < x + alen;
}

// Gives back [old, old+len) minus [keep, keep+len) as private memory with its
// contents: at most one piece below keep and one above keep+len.
void privatize_outside(char *old, char *keep, size_t len) {
  char *old_end = old + len, *keep_end = keep + len;
  if (old < keep) privatize(old, static_cast<size_t>((old_end < keep ? old_end : keep) - old));
  if (old_end > keep_end) {
    char *from = old > keep_end ? old : keep_end;
    privatize(from, static_cast<size_t>(old_end - from));
  }
}

// Moves an object binding from e.vaddr to vaddr (both private memory). The
// old range is given back first, while the object still holds its contents;
// then the new range's contents go into the object. When the ranges overlap,
// the new range partly shows the object itself, so its contents are
// snapshotted before anything moves.
Status move_binding(Export &e, void *vaddr, size_t len) {
  const bool overlapping = overlap(vaddr, len, e.vaddr, e.len);
  void *src = vaddr;
  if (overlapping) {
    src = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (src == MAP_FAILED) return errno_status(errno, Status::no_memory);
    std::memcpy(src, vaddr, len);
    privatize_outside(static_cast<char *>(e.vaddr), static_cast<char *>(vaddr), len);
  } else if (!privatize(e.vaddr, e.len)) {
    return Status::no_memory;
  }
  Status st = bind_range(e.mem_fd, src, vaddr, len);
  if (overlapping) munmap(src, len);
  // Best effort to stay bound to the old range (intact unless overlapping).
  if (st != Status::ok && !overlapping) bind_range(e.mem_fd, e.vaddr, e.vaddr, e.len);
  return st;
}

// Rebinds to or from the caller's shared memory. Shared memory is never
// touched: an old shared range stays the caller's as it is, a new one is
// published as it is. A new private range is copied into the object's data
// area (made if the object has none), as export_create does. Importers learn
// the new binding from the header and move their mappings (shm_import.cc).
Status switch_backing(Export &e, void *vaddr, size_t len, const Backing &next) {
  // A private range cannot overlap a shared old one (find_backing would have
  // seen a mix), so the object path needs no snapshot.
  if (!stage_binding(e.hdr, e.mem_fd, next)) return errno_status(errno, Status::no_resources);
  if (next.kind == backing_object) {
    Status st = ensure_data_area(e);
    if (st == Status::ok) st = bind_range(e.mem_fd, vaddr, vaddr, len);
    if (st != Status::ok) return st;
  } else if (e.binding.kind == backing_object && !privatize(e.vaddr, e.len)) {
    return Status::no_memory;
  }
  commit_binding(e.hdr, next);
  e.binding = next;
  return Status::ok;
}

}  // namespace

// ---- table entries ---------------------------------------------------------

Status export_create(BackendCtlr *, void *vaddr, size_t len, uint32_t, BackendExport **out) {
  Status st = ensure_process();
  if (st != Status::ok) return st;
  Export *e = new (std::nothrow) Export;
  if (!e) return Status::no_memory;
  st = find_backing(vaddr, len, &e->binding);
  if (st != Status::ok) {
    delete e;
    return st;
  }
  const bool copy = e->binding.kind == backing_object;
  st = create_object_file(*e, copy ? len : 0);
  if (st == Status::ok) st = init_header(*e, len);
  if (st == Status::ok && copy) st = bind_range(e->mem_fd, vaddr, vaddr, len);
  if (st != Status::ok) {
    release_object(e);
    return st;
  }
  close(e->mem_fd);
  e->mem_fd = -1;
  e->vaddr = vaddr;
  e->len = len;
  e->hdr->magic.store(kSegMagic, std::memory_order_release);
  *out = reinterpret_cast<BackendExport *>(e);
  return Status::ok;
}

Status export_rebind(BackendExport *be, void *vaddr, size_t len) {
  Export &e = *from(be);
  // Rebinding moves data into the controller's objects: not without it.
  Status present = directory_status();
  if (present != Status::ok) return present;
  if (vaddr == e.vaddr) return Status::ok;
  // The object's size is fixed: a longer range would fault past its end.
  if (len != e.len) return Status::unsupported;
  Backing *next = new (std::nothrow) Backing;
  if (!next) return Status::no_memory;
  ObjectAccess object(e);
  Status st = object.status();
  if (st == Status::ok) st = find_backing(vaddr, len, next);
  if (st == Status::ok) {
    if (next->kind == backing_object && e.binding.kind == backing_object)
      st = move_binding(e, vaddr, len);
    else if (!same_backing(*next, e.binding))
      st = switch_backing(e, vaddr, len, *next);
  }
  delete next;
  if (st == Status::ok) e.vaddr = vaddr;
  return st;
}

Status export_unpublish(BackendExport *be) {
  Export &e = *from(be);
  if (!e.published) return Status::ok;
  unlink(e.pub_path.s);  // no new connections
  e.published = false;
  tear_down_connections(e.hdr, seg_created);
  return Status::ok;
}

void export_destroy(BackendExport *be) {
  Export *e = from(be);
  if (e->published) unlink(e->pub_path.s);
  tear_down_connections(e->hdr, seg_destroyed);
  // Importers keep their mappings of the (now nameless) object: no SIGBUS.
  // Shared memory of the caller's own stays as it is (it was never replaced).
  if (e->binding.kind == backing_object) privatize(e->vaddr, e->len);
  release_object(e);
}

Status export_publish(BackendExport *be, rsm_memseg_id_t *segid, const AclEntry *acl,
                      uint32_t n, uint32_t default_mode) {
  Export &e = *from(be);
  if (n > kMaxAcl) return Status::no_resources;
  Status st = ensure_process();
  if (st != Status::ok) return st;
  write_access_list(e.hdr, acl, n, default_mode);
  return *segid ? publish_as(e, *segid) : publish_auto(e, segid);
}

Status export_republish(BackendExport *be, const AclEntry *acl, uint32_t n,
                        uint32_t default_mode) {
  if (n > kMaxAcl) return Status::no_resources;
  write_access_list(from(be)->hdr, acl, n, default_mode);
  return Status::ok;
}

int export_event_fd(BackendExport *be) { return event_open(from(be)->ev); }

Status export_signal(BackendExport *be, bool no_accumulate) {
  Export &e = *from(be);
  Status st = ensure_process();
  if (st != Status::ok) return st;
  for (uint32_t k = 0; k < kMaxImporters; k++) {
    auto &slot = e.hdr->importers[k];
    uint64_t v = slot.load(std::memory_order_acquire);
    if (!v) continue;
    const auto pid = static_cast<pid_t>(v >> 32);
    int err;
    Post r = post_event(&e.hdr->importer_events[k], pid, static_cast<uint32_t>(v), no_accumulate,
                        &err);
    // An importer that is gone loses its slot; nobody else is told.
    if (r == Post::gone || (r == Post::posted && kill(pid, 0) != 0 && errno == ESRCH))
      slot.compare_exchange_strong(v, 0, std::memory_order_acq_rel);
    else if (r == Post::failed && errno_status(err, Status::ok) != Status::ok)
      st = errno_status(err, Status::ok);
  }
  return st;
}

}  // namespace rsmkit::shm
