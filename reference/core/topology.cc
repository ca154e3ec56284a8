// rsmkit reference librsm: rsm_get_interconnect_topology(3RSM). The snapshot
// is one allocation (header, pointer array and every rsm_connections_t), so
// rsm_free_interconnect_topology is a single free().
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/handle_table.h"

using namespace rsmkit;

namespace {

constexpr size_t kMaxRemotes = 1024;

size_t round8(size_t n) { return (n + 7) & ~size_t{7}; }

struct LocalCtlr {
  std::string name;
  rsm_addr_t hwaddr;
  rsm_node_id_t node;
  std::vector<RemoteNode> remotes;
};

// Facts of unit 0 of a backend, through the controller already open in this
// process when there is one, else through a short-lived open.
// A controller that is not there is left out; one that cannot be opened for
// lack of memory or resources fails the whole call (a topology silently
// missing a controller would be a wrong answer, not a short one).
Status describe(const BackendOps *ops, LocalCtlr *out) {
  std::string name = std::string(ops->type) + "0";
  pid_t me = current_pid();
  auto c = controllers().find_if([&](const Controller &x) { return x.owner == me && x.name == name; });
  // Everything that allocates (and may throw) before a temporary controller
  // is opened: nothing below may leave it open.
  out->name = name;
  out->remotes.resize(kMaxRemotes);
  BackendCtlr *bc = c ? c->bc : nullptr;
  bool temporary = false;
  if (!bc) {
    Status st = ops->ctlr_open(0, &bc);
    if (st != Status::ok) return st;
    temporary = true;
  }
  out->hwaddr = ops->ctlr_hwaddr(bc);
  out->node = ops->ctlr_local_node(bc);
  size_t n = 0;
  if (ops->ctlr_remotes(bc, out->remotes.data(), kMaxRemotes, &n) != Status::ok) n = 0;
  out->remotes.resize(n < kMaxRemotes ? n : kMaxRemotes);
  if (temporary) ops->ctlr_close(bc);
  return Status::ok;
}

}  // namespace

RSMKIT_API int rsm_get_interconnect_topology(rsm_topology_t **topology_data) try {
  static const char fn[] = "rsm_get_interconnect_topology";
  if (!topology_data)
    return fail(fn, RSMKIT_MUTANT("topology.null_pointer_code") ? RSMERR_BAD_ADDR : RSMERR_BAD_TOPOLOGY_PTR,
                "topology_data is NULL");
  if (!addr_mapped(topology_data, sizeof *topology_data))
    return fail(fn, RSMERR_BAD_ADDR, "topology_data points to unmapped memory");
  *topology_data = nullptr;
  const BackendOps *backends[8];
  size_t nb = builtin_backends(backends, 8);
  std::vector<LocalCtlr> ctlrs;
  for (size_t i = 0; i < nb; i++) {
    LocalCtlr lc;
    Status st = describe(backends[i], &lc);
    if (st == Status::no_memory || st == Status::no_resources) return fail_status(fn, st, Op::topology);
    if (st == Status::ok) ctlrs.push_back(std::move(lc));
  }
  size_t k = ctlrs.size();
  size_t head = round8(offsetof(rsm_topology_t, connections) + sizeof(rsm_connections_t *) * (k ? k : 1));
  size_t total = head;
  for (auto &lc : ctlrs)
    total += round8(offsetof(rsm_connections_t, remote_cntlr) +
                    sizeof(rsm_remote_cntlr_t) * (lc.remotes.empty() ? 1 : lc.remotes.size()));
  auto *t = static_cast<rsm_topology_t *>(std::calloc(1, total));
  if (!t) return fail(fn, RSMERR_INSUFFICIENT_MEM, "out of memory");
  t->topology_hdr.local_nodeid = k ? ctlrs[0].node : 0;
  t->topology_hdr.local_cntlr_count = static_cast<uint_t>(k);
  char *p = reinterpret_cast<char *>(t) + head;
  for (size_t i = 0; i < k; i++) {
    auto *c = reinterpret_cast<rsm_connections_t *>(p);
    t->connections[i] = c;
    std::strncpy(c->hdr.cntlr_name, ctlrs[i].name.c_str(), MAXNAMELEN - 1);
    c->hdr.local_hwaddr = ctlrs[i].hwaddr;
    c->hdr.remote_cntlr_count = static_cast<int>(ctlrs[i].remotes.size());
    for (size_t j = 0; j < ctlrs[i].remotes.size(); j++) {
      const RemoteNode &r = ctlrs[i].remotes[j];
      rsm_remote_cntlr_t &rc = c->remote_cntlr[j];
      rc.remote_nodeid = r.node;
      std::memcpy(rc.remote_cntlrname, r.cntlr_name, sizeof r.cntlr_name);  // both NUL padded
      rc.remote_hwaddr = r.hwaddr;
      rc.connection_state = r.active ? RSM_CONNECTION_ACTIVE : 0;
    }
    p += round8(offsetof(rsm_connections_t, remote_cntlr) +
                sizeof(rsm_remote_cntlr_t) * (ctlrs[i].remotes.empty() ? 1 : ctlrs[i].remotes.size()));
  }
  *topology_data = t;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API void rsm_free_interconnect_topology(rsm_topology_t *topology_data) {
  std::free(topology_data);  // NULL is fine
}
