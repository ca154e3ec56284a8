// rsmkit reference librsm: the contract between the core and a backend.
//
// The core (reference/core/) owns every public rsm_* symbol: handle tables,
// argument checks, state machines, and the single mapping from backend Status
// to RSMERR_* (status_map.cc). A backend fills one BackendOps table and knows
// nothing of the API's argument rules: every call it receives has already been
// validated and normalised (offsets in range, lengths non-zero, addresses page
// aligned where the API requires it, permissions canonical).
//
// Backends are C++ but keep the table C-like so that an out-of-tree backend
// (loaded with dlopen, see registry.cc) can fill it too.
#ifndef RSMKIT_CORE_BACKEND_H
#define RSMKIT_CORE_BACKEND_H

#include <rsmapi.h>

#include <cstddef>
#include <cstdint>

namespace rsmkit {

// The one error currency of backends. The core maps it to RSMERR_* per entry
// point (status_map.cc); a backend never returns an RSMERR_* value.
enum class Status : int {
  ok = 0,
  no_memory,           // allocation or mmap failed for lack of memory
  no_resources,        // descriptors, ids, slots or other finite resources short
  bad_address,         // a caller address is not mapped / not usable
  perm_denied,         // caller may not export that memory (e.g. read-only pages)
  not_published,       // nothing published under (node, segid)
  segid_in_use,        // publish: id already published on this node
  aborted,             // connection torn down (unpublish, destroy, exporter died)
  unreachable,         // remote node cannot be reached
  map_failed,          // mapping could not be made (incl. backend cannot map)
  io_error,            // a transfer failed (completion error)
  interrupted,         // a blocking wait was interrupted by a signal
  timeout,             // a wait expired
  unsupported,         // the backend does not implement this operation
  not_present,         // ctlr_open: no such controller unit
};

// BackendOps::abi_version must equal this for the core to accept a backend.
constexpr uint32_t kBackendAbiVersion = 3;  // 2: export_unpublish returns a Status; 3: caps

// BackendOps::caps bits.
// import_xfer in the get direction writes the caller's buffer under a fault
// guard (os/fault_guard.h) and returns Status::bad_address when the buffer
// faults, possibly after writing part of it; the core then does not probe
// the buffer before the call (a probe costs a cache miss per page that the
// copy itself, writing whole lines, does not pay).
constexpr uint32_t kCapGuardedGetCopy = 1u << 0;

// Where import_map may place a mapping.
enum class Placement : int {
  anywhere = 0,  // backend chooses the address
  fixed = 1,     // exactly at addr, replacing whatever is there
  reserved = 2,  // exactly at addr, which the caller has reserved (mapped);
                 // on unmap the backend leaves an inaccessible reservation
};

enum class Direction : int { get = 0, put = 1 };

// What a backend reports about a segment on connect. Access rules (uid/gid
// class, access lists) are applied by the core from these facts.
struct ImportInfo {
  size_t size;             // bytes of the exported segment
  bool node_listed;        // false: published with a list that omits this node
  uint32_t granted_mode;   // nine-bit mode granted to this node (list entry, or
                           // the exporter's default mode when no list)
  uint32_t exporter_uid;
  uint32_t exporter_gid;
};

struct AclEntry {
  rsm_node_id_t node;
  uint32_t mode;  // nine-bit octal mode, already validated by the core
};

// One remote node reachable through a controller, for topology.
struct RemoteNode {
  rsm_node_id_t node;
  char cntlr_name[64];
  rsm_addr_t hwaddr;
  bool active;
};

// Opaque backend objects. Backends never define these structs (two backends
// defining them would break the one-definition rule): each casts its own
// private types to and from these pointers.
struct BackendCtlr;
struct BackendExport;
struct BackendImport;
struct BackendLocalMem;

// Filled by name in the backend's registration function (never positionally).
// Any entry left null is replaced by the core with a stub that returns
// Status::unsupported, so the core never tests for null entries.
struct BackendOps {
  size_t size;           // sizeof(BackendOps) as the backend saw it
  uint32_t abi_version;  // kBackendAbiVersion
  const char *type;      // controller type, e.g. "shm"; controllers are type+unit
  uint32_t caps;         // kCap* bits: what the backend does beyond the rules below

  // Controller. ctlr_open is called once per (type, unit) while a handle is
  // live; unknown units give Status::not_present.
  Status (*ctlr_open)(uint32_t unit, BackendCtlr **out);
  void (*ctlr_close)(BackendCtlr *c);
  void (*ctlr_attr)(BackendCtlr *c, rsmapi_controller_attr_t *out);
  rsm_node_id_t (*ctlr_local_node)(BackendCtlr *c);
  rsm_addr_t (*ctlr_hwaddr)(BackendCtlr *c);
  // Fills up to max entries, returns the number of remote nodes in *count.
  Status (*ctlr_remotes)(BackendCtlr *c, RemoteNode *out, size_t max, size_t *count);

  // Export side. vaddr is page aligned, len a non-zero page multiple within
  // the controller limits. After create the caller keeps using vaddr and
  // sees importers' writes. destroy must leave vaddr mapped, private, with the
  // segment's last contents (no data lost for the exporter); a range that was
  // already shared memory (System V, a shared file mapping) is left as it
  // was, still the caller's.
  Status (*export_create)(BackendCtlr *c, void *vaddr, size_t len, uint32_t flags,
                          BackendExport **out);
  Status (*export_rebind)(BackendExport *e, void *vaddr, size_t len);
  void (*export_destroy)(BackendExport *e);
  // *segid == 0: choose an id from the user range and store it. acl == nullptr
  // means "no list": every node gets default_mode.
  Status (*export_publish)(BackendExport *e, rsm_memseg_id_t *segid, const AclEntry *acl,
                           uint32_t n, uint32_t default_mode);
  Status (*export_republish)(BackendExport *e, const AclEntry *acl, uint32_t n,
                             uint32_t default_mode);
  // Tears down every connection: importers then see Status::aborted. May fail
  // (e.g. interrupted while waiting for the fabric); the segment then stays
  // published with its connections.
  Status (*export_unpublish)(BackendExport *e);

  // Import side.
  Status (*import_connect)(BackendCtlr *c, rsm_node_id_t node, rsm_memseg_id_t segid,
                           ImportInfo *info, BackendImport **out);
  void (*import_disconnect)(BackendImport *i);
  // ok while the connection stands; aborted (sticky) once torn down.
  Status (*import_check)(BackendImport *i);
  // off/len are in range; off is page aligned; prot is PROT_READ/PROT_WRITE bits.
  Status (*import_map)(BackendImport *i, size_t off, size_t len, int prot, Placement where,
                       void *addr, void **out);
  void (*import_unmap)(BackendImport *i, void *addr, size_t len, Placement where);
  // count elements of elem bytes (1, 2, 4, 8, or 1 for byte copies); range checked.
  // Each element of width 2/4/8 is moved with a single access of that width.
  Status (*import_xfer)(BackendImport *i, Direction d, size_t off, void *local, size_t elem,
                        size_t count);
  // Order barrier: writes issued before complete before anything after.
  Status (*import_fence)(BackendImport *i);

  // Events. Each export and import object has an event endpoint: a descriptor
  // that polls readable while at least one event is pending for it.
  int (*export_event_fd)(BackendExport *e);
  int (*import_event_fd)(BackendImport *i);
  // Post to all importers of e (export side) or to the exporter (import side).
  Status (*export_signal)(BackendExport *e, bool no_accumulate);
  Status (*import_signal)(BackendImport *i, bool no_accumulate);
  // Consume one pending event of the endpoint whose descriptor is fd; false
  // when none was pending (another waiter took it).
  bool (*event_consume)(int fd);

  // Local memory handles for putv/getv (may pin or register memory).
  Status (*localmem_create)(BackendCtlr *c, void *addr, size_t len, BackendLocalMem **out);
  void (*localmem_free)(BackendLocalMem *m);
};

}  // namespace rsmkit

#endif  // RSMKIT_CORE_BACKEND_H
