// rsmkit conformance: the model of allowed results for data movement --
// rsm_memseg_import_get/put (8/16/32/64 and block) and getv/putv. Shared by
// the property tests (and open to the fuzzers) like allowed.h is for map;
// docs/conformance.md "error sets" explains the rules (several faults: any
// of their codes; gaps widen a set).
#ifndef RSMC_MODEL_XFER_H
#define RSMC_MODEL_XFER_H

#include <rsmapi.h>

#include <cstdint>
#include <vector>

#include "framework/rc_set.h"
#include "model/allowed.h"

namespace rsmc::model {

// One get/put call and the state it is made in.
struct XferCall {
  HandleState state = HandleState::connected;  // mapped counts as connected
  bool get = true;                              // get (read) or put (write)
  unsigned elem = 1;                            // element size: 1 (get/get8), 2, 4, 8
  bool buf_null = false;                        // the local buffer pointer is NULL
  bool buf_aligned = true;                      // aligned to elem
  int64_t offset = 0;
  uint64_t count = 0;                           // elements (bytes for the block form)
  uint64_t seg_size = 0;
  uint32_t connect_perm = RSM_PERM_RDWR;        // what connect asked for (and got)
  bool barrier = true;                          // a barrier is initialized for the segment
  bool explicit_mode = false;                   // RSM_BARRIER_MODE_EXPLICIT: an abort may be
                                                // reported only by the close of the span
};

RcSet xfer_allowed(const XferCall &c);

// One rsm_iovec_t as the caller built it.
struct IoEntry {
  bool handle = false;          // RSM_HANDLE_TYPE (else RSM_VA_TYPE)
  bool handle_live = true;      // the local memory handle is live
  uint64_t handle_len = 0;      // length of the handle's local range
  bool vaddr_null = false;      // RSM_VA_TYPE with a NULL address
  uint64_t local_offset = 0;
  uint64_t remote_offset = 0;
  uint64_t length = 0;
};

struct VectorCall {
  HandleState state = HandleState::connected;
  bool get = true;
  bool sg_null = false;                 // the rsm_scat_gath_t pointer is NULL
  uint64_t count = 1;                   // io_request_count
  std::vector<IoEntry> entries;         // the first min(count, size) are read
  uint64_t seg_size = 0;
  uint32_t connect_perm = RSM_PERM_RDWR;
  bool explicit_mode = false;
};

RcSet vector_allowed(const VectorCall &c);

// The codes an entry's own faults allow (empty: the entry is valid). Lets a
// caller tell which entry a vectored failure may stop at.
RcSet io_entry_faults(const IoEntry &e, uint64_t seg_size);

}  // namespace rsmc::model

#endif  // RSMC_MODEL_XFER_H
