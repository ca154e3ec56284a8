// The "fault" controller type: a small in-process loopback backend whose
// operations fail on demand. It exists to prove the core's side of the
// contract: whatever a backend reports (a lost fabric, an interrupted wait, a
// full queue), the entry point returns a code its man page documents, and the
// handle stays usable afterwards. shm cannot produce most of these failures
// (docs/reference.md lists which), a fabric backend can.
//
// RSMKIT_FAULT="<op>=<status>[,<op>=<status>...]" makes the named BackendOps
// entry return that Status (names as in core/backend.h). It is read on every
// call, so a test sets it just before the call it wants to fail.
//
// Data path: segments live in the exporter's own memory; import_xfer copies
// to and from it. There is no mapping (attr_max_import_map_size is 0) and
// only this process can connect (node 1, the only node).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "core/backend.h"

namespace {

using rsmkit::Status;

constexpr rsm_node_id_t kNode = 1;

const std::map<std::string, Status> &status_names() {
  static const auto *names = new std::map<std::string, Status>{
      {"ok", Status::ok},
      {"no_memory", Status::no_memory},
      {"no_resources", Status::no_resources},
      {"bad_address", Status::bad_address},
      {"perm_denied", Status::perm_denied},
      {"not_published", Status::not_published},
      {"segid_in_use", Status::segid_in_use},
      {"aborted", Status::aborted},
      {"unreachable", Status::unreachable},
      {"map_failed", Status::map_failed},
      {"io_error", Status::io_error},
      {"interrupted", Status::interrupted},
      {"timeout", Status::timeout},
      {"unsupported", Status::unsupported},
      {"not_present", Status::not_present},
  };
  return *names;
}

// The injected status of op, or ok. A malformed setting injects nothing (the
// test that wrote it then fails on the missing error).
Status injected(const char *op) {
  const char *spec = std::getenv("RSMKIT_FAULT");
  if (!spec) return Status::ok;
  std::string s(spec);
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(pos, end - pos);
    pos = end + 1;
    size_t eq = item.find('=');
    if (eq == std::string::npos || item.compare(0, eq, op) != 0 || eq != std::strlen(op)) continue;
    auto it = status_names().find(item.substr(eq + 1));
    if (it != status_names().end()) return it->second;
  }
  return Status::ok;
}

struct Import;

struct Export {
  char *vaddr = nullptr;
  size_t len = 0;
  bool published = false;
  rsm_memseg_id_t segid = 0;
  int efd = -1, post_fd = -1;  // an event pipe: read end polled, write end posted
  std::set<Import *> importers;
};

struct Import {
  Export *seg = nullptr;  // null once the connection is torn down
  size_t len = 0;
  int efd = -1, post_fd = -1;
};

std::mutex g_mu;
std::map<rsm_memseg_id_t, Export *> g_published;
rsm_memseg_id_t g_next_id = 0x400000;

// A pipe, not an eventfd: a pipe polls POLLRDNORM as well as POLLIN, and
// rsm_memseg_get_pollfd asks for POLLRDNORM. One byte per pending event.
bool new_event_pipe(int *read_end, int *write_end) {
  int p[2];
  if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) return false;
  *read_end = p[0];
  *write_end = p[1];
  return true;
}

void post(int fd) {
  char one = 1;
  if (write(fd, &one, 1) != 1) {
    // A full pipe already says "pending".
  }
}

// Caller holds g_mu.
void abort_all(Export &e) {
  for (Import *i : e.importers) i->seg = nullptr;
  e.importers.clear();
  if (e.published) g_published.erase(e.segid);
  e.published = false;
}

Export *from(rsmkit::BackendExport *p) { return reinterpret_cast<Export *>(p); }
Import *from(rsmkit::BackendImport *p) { return reinterpret_cast<Import *>(p); }

void fill(rsmkit::BackendOps *ops) {
  using namespace rsmkit;
  ops->size = sizeof *ops;
  ops->abi_version = kBackendAbiVersion;
  ops->type = "fault";
  ops->ctlr_open = [](uint32_t unit, BackendCtlr **out) {
    Status s = injected("ctlr_open");
    if (s != Status::ok) return s;
    *out = reinterpret_cast<BackendCtlr *>(uintptr_t{1});
    return unit == 0 ? Status::ok : Status::not_present;
  };
  ops->ctlr_attr = [](BackendCtlr *, rsmapi_controller_attr_t *a) {
    *a = {};
    a->attr_direct_access_sizes = 8 | 4 | 2 | 1;
    a->attr_atomic_sizes = 8 | 4 | 2 | 1;
    a->attr_page_size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    a->attr_max_export_segment_size = size_t{1} << 30;
    a->attr_tot_export_segment_size = size_t{1} << 32;
    a->attr_max_export_segments = 1024;
    a->attr_max_import_segments = 1024;
  };
  ops->ctlr_local_node = [](BackendCtlr *) { return kNode; };
  ops->ctlr_remotes = [](BackendCtlr *, RemoteNode *, size_t, size_t *n) {
    *n = 0;
    return injected("ctlr_remotes");
  };

  ops->export_create = [](BackendCtlr *, void *vaddr, size_t len, uint32_t, BackendExport **out) {
    Status s = injected("export_create");
    if (s != Status::ok) return s;
    auto *e = new Export;
    e->vaddr = static_cast<char *>(vaddr);
    e->len = len;
    if (!new_event_pipe(&e->efd, &e->post_fd)) {
      delete e;
      return Status::no_resources;
    }
    *out = reinterpret_cast<BackendExport *>(e);
    return Status::ok;
  };
  ops->export_rebind = [](BackendExport *be, void *vaddr, size_t len) {
    Status s = injected("export_rebind");
    if (s != Status::ok) return s;
    std::lock_guard<std::mutex> lk(g_mu);
    Export *e = from(be);
    std::memcpy(vaddr, e->vaddr, len < e->len ? len : e->len);
    e->vaddr = static_cast<char *>(vaddr);
    return Status::ok;
  };
  ops->export_destroy = [](BackendExport *be) {
    Export *e = from(be);
    {
      std::lock_guard<std::mutex> lk(g_mu);
      abort_all(*e);
    }
    close(e->efd);
    close(e->post_fd);
    delete e;
  };
  ops->export_publish = [](BackendExport *be, rsm_memseg_id_t *segid, const AclEntry *, uint32_t,
                           uint32_t) {
    Status s = injected("export_publish");
    if (s != Status::ok) return s;
    std::lock_guard<std::mutex> lk(g_mu);
    rsm_memseg_id_t id = *segid ? *segid : g_next_id++;
    if (g_published.count(id)) return Status::segid_in_use;
    Export *e = from(be);
    e->segid = id;
    e->published = true;
    g_published[id] = e;
    *segid = id;
    return Status::ok;
  };
  ops->export_republish = [](BackendExport *, const AclEntry *, uint32_t, uint32_t) {
    return injected("export_republish");
  };
  ops->export_unpublish = [](BackendExport *be) {
    Status s = injected("export_unpublish");
    if (s != Status::ok) return s;
    std::lock_guard<std::mutex> lk(g_mu);
    abort_all(*from(be));
    return Status::ok;
  };

  ops->import_connect = [](BackendCtlr *, rsm_node_id_t node, rsm_memseg_id_t segid,
                           ImportInfo *info, BackendImport **out) {
    Status s = injected("import_connect");
    if (s != Status::ok) return s;
    if (node != kNode) return Status::unreachable;
    std::lock_guard<std::mutex> lk(g_mu);
    auto it = g_published.find(segid);
    if (it == g_published.end()) return Status::not_published;
    auto *i = new Import;
    i->seg = it->second;
    i->len = it->second->len;
    if (!new_event_pipe(&i->efd, &i->post_fd)) {
      delete i;
      return Status::no_resources;
    }
    it->second->importers.insert(i);
    *info = ImportInfo{i->len, true, 0666, static_cast<uint32_t>(getuid()),
                       static_cast<uint32_t>(getgid())};
    *out = reinterpret_cast<BackendImport *>(i);
    return Status::ok;
  };
  ops->import_disconnect = [](BackendImport *bi) {
    Import *i = from(bi);
    {
      std::lock_guard<std::mutex> lk(g_mu);
      if (i->seg) i->seg->importers.erase(i);
    }
    close(i->efd);
    close(i->post_fd);
    delete i;
  };
  ops->import_check = [](BackendImport *bi) {
    Status s = injected("import_check");
    if (s != Status::ok) return s;
    std::lock_guard<std::mutex> lk(g_mu);
    return from(bi)->seg ? Status::ok : Status::aborted;
  };
  ops->import_xfer = [](BackendImport *bi, Direction d, size_t off, void *local, size_t elem,
                        size_t count) {
    Status s = injected("import_xfer");
    if (s != Status::ok) return s;
    std::lock_guard<std::mutex> lk(g_mu);
    Import *i = from(bi);
    if (!i->seg) return Status::aborted;
    char *remote = i->seg->vaddr + off;
    if (d == Direction::put)
      std::memcpy(remote, local, elem * count);
    else
      std::memcpy(local, remote, elem * count);
    return Status::ok;
  };
  ops->import_fence = [](BackendImport *) { return injected("import_fence"); };

  ops->export_event_fd = [](BackendExport *be) { return from(be)->efd; };
  ops->import_event_fd = [](BackendImport *bi) { return from(bi)->efd; };
  ops->export_signal = [](BackendExport *be, bool) {
    Status s = injected("export_signal");
    if (s != Status::ok) return s;
    std::lock_guard<std::mutex> lk(g_mu);
    for (Import *i : from(be)->importers) post(i->post_fd);
    return Status::ok;
  };
  ops->import_signal = [](BackendImport *bi, bool) {
    Status s = injected("import_signal");
    if (s != Status::ok) return s;
    std::lock_guard<std::mutex> lk(g_mu);
    Import *i = from(bi);
    if (!i->seg) return Status::aborted;
    post(i->seg->post_fd);
    return Status::ok;
  };
  ops->event_consume = [](int fd) {
    char v;
    return read(fd, &v, 1) == 1;
  };
  ops->localmem_create = [](BackendCtlr *, void *, size_t, BackendLocalMem **out) {
    *out = nullptr;
    return injected("localmem_create");
  };
}

}  // namespace

extern "C" __attribute__((visibility("default"))) void rsmkit_backend_fill_ops(rsmkit::BackendOps *ops) {
  fill(ops);
}
