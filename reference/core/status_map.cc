// rsmkit reference librsm: THE place where backend Status becomes RSMERR_*.
// Each entry point may only return codes its man page documents (plus the few
// undocumented ones recorded in docs/reference.md), so some statuses map per
// operation.
#include "core/core.h"

namespace rsmkit {

int to_rsmerr(Status s, Op op) {
  switch (s) {
    case Status::ok: return RSM_SUCCESS;
    case Status::no_memory:
      if (op == Op::import_map)
        return RSMKIT_MUTANT("status.map_no_memory_code") ? RSMERR_INSUFFICIENT_MEM : RSMERR_MAP_FAILED;
      if (op == Op::import_xfer || op == Op::import_xfer_vector)
        return RSMERR_INSUFFICIENT_RESOURCES;
      return RSMERR_INSUFFICIENT_MEM;
    case Status::no_resources:
      if (op == Op::import_map) return RSMERR_MAP_FAILED;
      if (op == Op::get_controller || op == Op::localmem_create || op == Op::topology)
        return RSMERR_INSUFFICIENT_MEM;
      return RSMERR_INSUFFICIENT_RESOURCES;
    case Status::bad_address: return RSMERR_BAD_ADDR;
    case Status::perm_denied:
      return op == Op::import_map ? RSMERR_BAD_PERMS : RSMERR_PERM_DENIED;
    case Status::not_published: return RSMERR_SEG_NOT_PUBLISHED;
    case Status::segid_in_use: return RSMERR_SEGID_IN_USE;
    case Status::aborted:
      // putv/getv document no CONN_ABORTED: the implicit barrier around the
      // entry reports the failure.
      return op == Op::import_xfer_vector ? RSMERR_BARRIER_FAILURE : RSMERR_CONN_ABORTED;
    case Status::unreachable: return RSMERR_REMOTE_NODE_UNREACHABLE;
    case Status::map_failed: return RSMERR_MAP_FAILED;
    case Status::io_error: return RSMERR_BARRIER_FAILURE;
    case Status::interrupted: return RSMERR_INTERRUPTED;
    case Status::timeout: return RSMERR_TIMEOUT;
    case Status::unsupported:
      if (op == Op::import_map) return RSMERR_MAP_FAILED;
      return RSMERR_INSUFFICIENT_RESOURCES;
    case Status::not_present: return RSMERR_CTLR_NOT_PRESENT;
  }
  return RSMERR_INTERNAL_ERROR;
}

}  // namespace rsmkit
