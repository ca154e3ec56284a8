// rsmkit shm backend: the import side. A connection maps the exporter's
// memory object (header and data) and its presence page; whether it still
// stands is read from shared memory alone, without system calls.
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <new>

#include "backends/shm/shm_internal.h"
#include "backends/shm/shm_ops.h"

namespace rsmkit::shm {

namespace {

struct Import {
  int mem_fd = -1;
  SegHeader *hdr = nullptr;
  char *data = nullptr;  // internal mapping of the data, for import_xfer
  size_t size = 0;
  uint64_t generation = 0;  // as seen at connect
  PresencePage *exporter = nullptr;
  std::atomic<bool> aborted{false};
  std::atomic<uint64_t> *slot = nullptr;
  uint64_t slot_value = 0;
  int ev_fd = -1;
  Path ev_path;
  Path exporter_fifo;
};

Import *from(BackendImport *i) { return reinterpret_cast<Import *>(i); }

void release(Import *i) {
  if (i->slot) {
    uint64_t mine = i->slot_value;
    i->slot->compare_exchange_strong(mine, 0, std::memory_order_acq_rel);
  }
  if (i->ev_fd >= 0) destroy_event_fifo(i->ev_path, i->ev_fd);
  if (i->data) munmap(i->data, i->size);
  unmap_header(i->hdr);
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

// Slot value: our FIFO's pid and serial, so the exporter can find it.
Status claim_slot(Import &i, uint32_t fifo_serial) {
  const uint64_t mine = static_cast<uint64_t>(process().pid) << 32 | fifo_serial;
  for (auto &slot : i.hdr->importers) {
    uint64_t expected = 0;
    if (slot.compare_exchange_strong(expected, mine, std::memory_order_acq_rel)) {
      i.slot = &slot;
      i.slot_value = mine;
      return Status::ok;
    }
  }
  return Status::no_resources;
}

Status map_data(Import &i) {
  i.size = i.hdr->size;
  void *p = mmap(nullptr, i.size, PROT_READ | PROT_WRITE, MAP_SHARED, i.mem_fd,
                 static_cast<off_t>(i.hdr->header_bytes));
  if (p == MAP_FAILED) return errno_status(errno, Status::no_memory);
  i.data = static_cast<char *>(p);
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

}  // namespace

// ---- table entries ---------------------------------------------------------

Status import_connect(BackendCtlr *, rsm_node_id_t node, rsm_memseg_id_t segid,
                      ImportInfo *info, BackendImport **out) {
  Status st = ensure_process();
  if (st != Status::ok) return st;
  Path pub;
  if (!publication_path(pub, node, segid)) return Status::no_resources;
  Import *i = new (std::nothrow) Import;
  if (!i) return Status::no_memory;
  i->mem_fd = open_retry(pub.s, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (i->mem_fd < 0) {
    st = errno == ENOENT ? not_published(node) : errno_status(errno, Status::not_published);
    release(i);
    return st;
  }
  i->hdr = map_header(i->mem_fd);
  if (!i->hdr || !attach_live_exporter(*i, node, segid)) {
    release(i);
    remove_if_stale(pub.s, [&](const char *p) { return publication_stale(p, node, segid); });
    return not_published(node);
  }
  uint32_t fifo_serial = 0;
  st = map_data(*i);
  if (st == Status::ok) st = create_event_fifo(&fifo_serial, i->ev_path, &i->ev_fd);
  if (st == Status::ok) st = claim_slot(*i, fifo_serial);
  if (st != Status::ok ||
      !object_path(i->exporter_fifo, "ev", i->hdr->creator_pid, i->hdr->event_serial)) {
    release(i);
    return st != Status::ok ? st : Status::no_resources;
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
      h->state.load(std::memory_order_acquire) != seg_published || !presence_alive(i.exporter)) {
    i.aborted.store(true, std::memory_order_relaxed);
    return Status::aborted;
  }
  return Status::ok;
}

Status import_map(BackendImport *bi, size_t off, size_t len, int prot, Placement where,
                  void *addr, void **out) {
  Import &i = *from(bi);
  const bool fixed = where != Placement::anywhere;
  void *p = mmap(fixed ? addr : nullptr, len, prot, MAP_SHARED | (fixed ? MAP_FIXED : 0),
                 i.mem_fd, static_cast<off_t>(i.hdr->header_bytes + off));
  if (p == MAP_FAILED) {
    if (errno == ENOMEM) return Status::no_memory;
    if (errno == EINVAL || errno == EFAULT) return Status::bad_address;
    return Status::map_failed;
  }
  *out = p;
  return Status::ok;
}

void import_unmap(BackendImport *, void *addr, size_t len, Placement where) {
  if (where == Placement::reserved) {
    // Leave the caller's reservation in place, inaccessible.
    mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  } else {
    munmap(addr, len);
  }
}

Status import_xfer(BackendImport *bi, Direction d, size_t off, void *local, size_t elem,
                   size_t count) {
  Import &i = *from(bi);
  char *remote = i.data + off;
  char *mine = static_cast<char *>(local);
  const bool aligned = (reinterpret_cast<uintptr_t>(remote) & (elem - 1)) == 0;
  if (aligned && elem == 2) {
    move_elements<uint16_t>(d, remote, mine, count);
  } else if (aligned && elem == 4) {
    move_elements<uint32_t>(d, remote, mine, count);
  } else if (aligned && elem == 8) {
    move_elements<uint64_t>(d, remote, mine, count);
  } else if (d == Direction::get) {
    std::memcpy(mine, remote, elem * count);
  } else {
    std::memcpy(remote, mine, elem * count);
  }
  return import_check(bi);
}

Status import_fence(BackendImport *) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return Status::ok;
}

int import_event_fd(BackendImport *bi) { return from(bi)->ev_fd; }

Status import_signal(BackendImport *bi, bool no_accumulate) {
  if (import_check(bi) != Status::ok) return Status::aborted;
  int err;
  switch (post_event(from(bi)->exporter_fifo.s, no_accumulate, &err)) {
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
