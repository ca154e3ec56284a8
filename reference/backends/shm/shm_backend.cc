// rsmkit shm backend: the controller, local memory handles, and the table.
#include "backends/shm/shm_backend.h"

#include <cstdlib>
#include <new>

#include "backends/shm/shm_internal.h"
#include "backends/shm/shm_ops.h"

namespace rsmkit::shm {

namespace {

constexpr size_t kGiB = size_t{1} << 30;

// Unit 0 is the only controller; it has no state of its own (the process
// state is shared by all handles).
struct Ctlr {
  uint32_t unit;
};

// Nothing to pin on shared memory: the handle just remembers the range.
struct LocalMem {
  void *addr;
  size_t len;
};

Status ctlr_open(uint32_t unit, BackendCtlr **out) {
  if (unit != 0) return Status::not_present;
  Status st = ensure_process();
  if (st != Status::ok) return st;
  Ctlr *c = new (std::nothrow) Ctlr{unit};
  if (!c) return Status::no_memory;
  *out = reinterpret_cast<BackendCtlr *>(c);
  return Status::ok;
}

void ctlr_close(BackendCtlr *c) { delete reinterpret_cast<Ctlr *>(c); }

// Segment-count limits: 4096 each, or RSMKIT_SHM_MAX_SEGMENTS (a benchmark at
// scale raises it; a test of the limits wants it small enough to reach).
unsigned long max_segments() {
  static const unsigned long n = [] {
    const char *v = std::getenv("RSMKIT_SHM_MAX_SEGMENTS");
    char *end = nullptr;
    unsigned long x = v ? std::strtoul(v, &end, 10) : 0;
    return v && *v && end && !*end && x > 0 && x <= (1ul << 20) ? x : 4096ul;
  }();
  return n;
}

void ctlr_attr(BackendCtlr *, rsmapi_controller_attr_t *a) {
  const uint_t all_sizes = RSM_DAS8 | RSM_DAS16 | RSM_DAS32 | RSM_DAS64;
  *a = rsmapi_controller_attr_t{};
  a->attr_direct_access_sizes = all_sizes;
  a->attr_atomic_sizes = all_sizes;
  a->attr_page_size = page_size();
  a->attr_max_export_segment_size = kGiB;
  a->attr_tot_export_segment_size = 16 * kGiB;
  a->attr_max_export_segments = max_segments();
  // Non-zero: segments of this controller can be mapped.
  a->attr_max_import_map_size = kGiB;
  a->attr_tot_import_map_size = 16 * kGiB;
  a->attr_max_import_segments = max_segments();
}

// After a fork the child is a process of its own: ask the process state,
// which the child re-creates, rather than anything cached at open.
rsm_node_id_t ctlr_local_node(BackendCtlr *) {
  return ensure_process() == Status::ok ? process().node : 0;
}

rsm_addr_t ctlr_hwaddr(BackendCtlr *c) { return ctlr_local_node(c); }

Status ctlr_remotes(BackendCtlr *, RemoteNode *out, size_t max, size_t *count) {
  Status st = ensure_process();
  if (st != Status::ok) return st;
  return live_remote_nodes(out, max, count);
}

Status localmem_create(BackendCtlr *, void *addr, size_t len, BackendLocalMem **out) {
  LocalMem *m = new (std::nothrow) LocalMem{addr, len};
  if (!m) return Status::no_memory;
  *out = reinterpret_cast<BackendLocalMem *>(m);
  return Status::ok;
}

void localmem_free(BackendLocalMem *m) { delete reinterpret_cast<LocalMem *>(m); }

}  // namespace

void fill_ops(BackendOps &ops) {
  ops.size = sizeof ops;
  ops.abi_version = kBackendAbiVersion;
  ops.type = "shm";
  ops.caps = kCapGuardedGetCopy;
  ops.ctlr_open = ctlr_open;
  ops.ctlr_close = ctlr_close;
  ops.ctlr_attr = ctlr_attr;
  ops.ctlr_local_node = ctlr_local_node;
  ops.ctlr_hwaddr = ctlr_hwaddr;
  ops.ctlr_remotes = ctlr_remotes;
  ops.export_create = export_create;
  ops.export_rebind = export_rebind;
  ops.export_destroy = export_destroy;
  ops.export_publish = export_publish;
  ops.export_republish = export_republish;
  ops.export_unpublish = export_unpublish;
  ops.import_connect = import_connect;
  ops.import_disconnect = import_disconnect;
  ops.import_check = import_check;
  ops.import_map = import_map;
  ops.import_unmap = import_unmap;
  ops.import_xfer = import_xfer;
  ops.import_fence = import_fence;
  ops.export_event_fd = export_event_fd;
  ops.import_event_fd = import_event_fd;
  ops.export_signal = export_signal;
  ops.import_signal = import_signal;
  ops.event_consume = event_consume;
  ops.localmem_create = localmem_create;
  ops.localmem_free = localmem_free;
}

}  // namespace rsmkit::shm
