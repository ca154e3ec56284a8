// rsmkit reference librsm: THE place where backend Status becomes RSMERR_*.
// Each entry point may only return codes its man page documents (plus the few
// undocumented ones recorded in docs/reference.md), so some statuses map per
// operation.
#include "core/core.h"

namespace rsmkit {

namespace {

// What each operation's man page lets it return for a backend failure, and
// the code that stands for "the transport failed" when a backend reports
// something the page has no word for (a backend bug must not leak an
// undocumented code to the caller). The fault plug-in test checks every
// (operation, status) pair against the spec's errors.csv.
struct Promise {
  int codes[8];  // ends at the first 0 (RSM_SUCCESS is never a failure)
  int fallback;
};

Promise promise(Op op) {
  switch (op) {
    case Op::get_controller:
      return {{RSMERR_CTLR_NOT_PRESENT, RSMERR_INSUFFICIENT_MEM, RSMERR_BAD_LIBRARY_VERSION},
              RSMERR_CTLR_NOT_PRESENT};
    case Op::export_create:
      return {{RSMERR_CTLR_NOT_PRESENT, RSMERR_BAD_ADDR, RSMERR_INSUFFICIENT_MEM,
               RSMERR_INSUFFICIENT_RESOURCES, RSMERR_PERM_DENIED},
              RSMERR_INSUFFICIENT_RESOURCES};
    case Op::export_rebind:
      return {{RSMERR_CTLR_NOT_PRESENT, RSMERR_BAD_ADDR, RSMERR_INSUFFICIENT_MEM,
               RSMERR_INSUFFICIENT_RESOURCES, RSMERR_PERM_DENIED, RSMERR_INTERRUPTED},
              RSMERR_INSUFFICIENT_RESOURCES};
    case Op::export_publish:
      return {{RSMERR_SEGID_IN_USE, RSMERR_INSUFFICIENT_MEM, RSMERR_INSUFFICIENT_RESOURCES,
               RSMERR_BAD_ADDR},
              RSMERR_INSUFFICIENT_RESOURCES};
    case Op::export_republish:
      return {{RSMERR_INSUFFICIENT_MEM, RSMERR_INSUFFICIENT_RESOURCES, RSMERR_BAD_ADDR,
               RSMERR_INTERRUPTED},
              RSMERR_INSUFFICIENT_RESOURCES};
    case Op::export_unpublish:
      // Its page knows one failure: the unpublish did not complete, retry.
      return {{RSMERR_INTERRUPTED}, RSMERR_INTERRUPTED};
    case Op::import_connect:
      return {{RSMERR_CTLR_NOT_PRESENT, RSMERR_PERM_DENIED, RSMERR_INSUFFICIENT_MEM,
               RSMERR_INSUFFICIENT_RESOURCES, RSMERR_SEG_NOT_PUBLISHED, RSMERR_BAD_ADDR,
               RSMERR_REMOTE_NODE_UNREACHABLE, RSMERR_INTERRUPTED},
              RSMERR_REMOTE_NODE_UNREACHABLE};
    case Op::import_map:
      return {{RSMERR_BAD_ADDR, RSMERR_BAD_PERMS, RSMERR_CONN_ABORTED, RSMERR_MAP_FAILED},
              RSMERR_MAP_FAILED};
    case Op::import_xfer:
      return {{RSMERR_BAD_ADDR, RSMERR_PERM_DENIED, RSMERR_INSUFFICIENT_RESOURCES,
               RSMERR_BARRIER_FAILURE, RSMERR_CONN_ABORTED},
              RSMERR_BARRIER_FAILURE};
    case Op::import_xfer_vector:
      return {{RSMERR_BAD_ADDR, RSMERR_INSUFFICIENT_RESOURCES, RSMERR_INTERRUPTED,
               RSMERR_PERM_DENIED, RSMERR_BARRIER_FAILURE, RSMERR_REMOTE_NODE_UNREACHABLE},
              RSMERR_BARRIER_FAILURE};
    case Op::barrier:
      return {{RSMERR_BARRIER_FAILURE, RSMERR_CONN_ABORTED}, RSMERR_BARRIER_FAILURE};
    case Op::signal_post:
      return {{RSMERR_CONN_ABORTED, RSMERR_REMOTE_NODE_UNREACHABLE},
              RSMERR_REMOTE_NODE_UNREACHABLE};
    case Op::localmem_create:
      return {{RSMERR_BAD_ADDR, RSMERR_INSUFFICIENT_MEM}, RSMERR_INSUFFICIENT_MEM};
    case Op::topology:
      return {{RSMERR_INSUFFICIENT_MEM}, RSMERR_INSUFFICIENT_MEM};
  }
  return {{0}, RSMERR_INTERNAL_ERROR};
}

// The code a status means in general, before the operation's page has a say
// (map's shortages and putv/getv's lost connection become the fallback
// codes of promise(): MAP_FAILED, BARRIER_FAILURE).
int natural_code(Status s, Op op) {
  switch (s) {
    case Status::ok: return RSM_SUCCESS;
    case Status::no_memory:
      if (op == Op::import_xfer || op == Op::import_xfer_vector)
        return RSMERR_INSUFFICIENT_RESOURCES;
      return RSMERR_INSUFFICIENT_MEM;
    case Status::no_resources:
      if (op == Op::get_controller || op == Op::localmem_create || op == Op::topology)
        return RSMERR_INSUFFICIENT_MEM;
      return RSMERR_INSUFFICIENT_RESOURCES;
    case Status::bad_address: return RSMERR_BAD_ADDR;
    case Status::perm_denied:
      return op == Op::import_map ? RSMERR_BAD_PERMS : RSMERR_PERM_DENIED;
    case Status::not_published: return RSMERR_SEG_NOT_PUBLISHED;
    case Status::segid_in_use: return RSMERR_SEGID_IN_USE;
    case Status::aborted: return RSMERR_CONN_ABORTED;
    case Status::unreachable: return RSMERR_REMOTE_NODE_UNREACHABLE;
    case Status::map_failed: return RSMERR_MAP_FAILED;
    case Status::io_error: return RSMERR_BARRIER_FAILURE;
    case Status::interrupted: return RSMERR_INTERRUPTED;
    case Status::timeout: return RSMERR_TIMEOUT;
    case Status::unsupported: return RSMERR_INSUFFICIENT_RESOURCES;
    case Status::not_present: return RSMERR_CTLR_NOT_PRESENT;
  }
  return RSMERR_INTERNAL_ERROR;
}

}  // namespace

int to_rsmerr(Status s, Op op) {
  if (s == Status::ok) return RSM_SUCCESS;
  if (op == Op::import_map && s == Status::no_memory && RSMKIT_MUTANT("status.map_no_memory_code"))
    return RSMERR_INSUFFICIENT_MEM;
  int code = natural_code(s, op);
  const Promise p = promise(op);
  for (int c : p.codes) {
    if (c == 0) break;
    if (c == code) return code;
  }
  return p.fallback;
}

}  // namespace rsmkit
