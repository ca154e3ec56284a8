// rsmkit conformance: the model of allowed results -- for a call and the
// state it is made in, the set of return codes the spec allows. One source of
// truth for the tests, the property tests and the fuzzers (docs/conformance.md
// explains every choice; the spec's gaps widen a set, never narrow it).
#ifndef RSMC_MODEL_ALLOWED_H
#define RSMC_MODEL_ALLOWED_H

#include <rsmapi.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "framework/rc_set.h"

namespace rsmc::model {

enum class HandleState {
  connected,     // live, connected, not mapped
  mapped,        // live, mapped by rsm_memseg_import_map
  aborted,       // live, but the exporter unpublished/destroyed/died
  disconnected,  // was live, now disconnected (stale)
  null,          // NULL
  garbage,       // never returned by the implementation
};

struct MapCall {
  HandleState state = HandleState::connected;
  bool address_null = false;    // the void ** argument itself is NULL
  uint32_t attr = RSM_MAP_NONE;  // any value, including undefined ones
  uint32_t perm = RSM_PERM_RDWR;
  int64_t offset = 0;
  uint64_t length = 0;
  uintptr_t fixed_addr = 0;     // *address on entry (used with FIXED/RESERVED)
  bool fixed_addr_reserved = false;  // the caller has [fixed_addr, +length) mapped
  uint64_t seg_size = 0;
  uint64_t page = 4096;
  uint32_t connect_perm = RSM_PERM_RDWR;  // what connect asked for
  uint32_t granted_perm = RSM_PERM_RDWR;  // owner-position bits the exporter granted
  bool can_map = true;                    // controller attr_max_import_map_size > 0
};

// What a successful map must look like, when success is allowed.
struct MapSuccess {
  bool at_fixed_addr;  // *address must equal fixed_addr
};

RcSet map_allowed(const MapCall &c, MapSuccess *success = nullptr);

// unmap: BAD_SEG_HNDL for bad handles; for a live handle that is not mapped
// the pages name no code (accepted: SEG_NOT_MAPPED, BAD_SEG_HNDL, success).
RcSet unmap_allowed(HandleState state);

}  // namespace rsmc::model

#endif  // RSMC_MODEL_ALLOWED_H
