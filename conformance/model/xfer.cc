// rsmkit conformance: the model of allowed results for get/put/getv/putv
// (see xfer.h).
#include "model/xfer.h"

namespace rsmc::model {

namespace {

bool bad_handle(HandleState s) {
  return s == HandleState::null || s == HandleState::garbage || s == HandleState::disconnected;
}

// A range [off, off + len) against a segment of `size` bytes: an offset at or
// past the end is a bad offset and a bad length (the pages name both, and
// illumos reports ranges past a mapped window as BAD_OFFSET).
void range_faults(int64_t off, uint64_t len, uint64_t size, RcSet *errs) {
  if (off < 0 || static_cast<uint64_t>(off) > size ||
      (static_cast<uint64_t>(off) == size && len > 0)) {
    errs->add({RSMERR_BAD_OFFSET, RSMERR_BAD_LENGTH});
    return;
  }
  if (len > size - static_cast<uint64_t>(off)) errs->add({RSMERR_BAD_LENGTH, RSMERR_BAD_OFFSET});
}

// A connection the exporter tore down: reported by the call itself, or --
// inside an explicit span -- only by the close (then the call may succeed).
const RcSet kAborted{RSMERR_CONN_ABORTED, RSMERR_BAD_SEG_HNDL, RSMERR_BARRIER_FAILURE};

}  // namespace

RcSet xfer_allowed(const XferCall &c) {
  if (bad_handle(c.state)) return {RSMERR_BAD_SEG_HNDL};
  RcSet errs, maybe;
  if (c.buf_null) errs.add(RSMERR_BAD_ADDR);
  if (!c.buf_aligned) errs.add(RSMERR_BAD_MEM_ALIGNMENT);
  if (c.offset >= 0 && c.elem > 1 && static_cast<uint64_t>(c.offset) % c.elem)
    errs.add({RSMERR_BAD_MEM_ALIGNMENT, RSMERR_BAD_OFFSET, RSMERR_MISALIGNED_OFFSET});
  uint32_t need = c.get ? RSM_PERM_READ : RSM_PERM_WRITE;
  if (!(c.connect_perm & need)) errs.add({RSMERR_PERM_DENIED, RSMERR_BAD_PERMS});
  // count * elem without overflow: compare in elements.
  if (c.offset < 0 || static_cast<uint64_t>(c.offset) > c.seg_size ||
      (static_cast<uint64_t>(c.offset) == c.seg_size && c.count > 0))
    errs.add({RSMERR_BAD_OFFSET, RSMERR_BAD_LENGTH});
  else if (c.count > (c.seg_size - static_cast<uint64_t>(c.offset)) / c.elem)
    errs.add({RSMERR_BAD_LENGTH, RSMERR_BAD_OFFSET});
  // Both modes need a barrier (set_mode page); illumos does not check in
  // explicit mode, so there a missing barrier may also go unnoticed.
  if (!c.barrier) (c.explicit_mode ? maybe : errs).add(RSMERR_BARRIER_UNINITIALIZED);
  // rep_cnt/length 0 is a gap: success (illumos) or a bad length.
  if (c.count == 0) maybe.add(RSMERR_BAD_LENGTH);
  bool deferred = false;
  if (c.state == HandleState::aborted) {
    deferred = c.explicit_mode;  // in a span, or outside one (a gap)
    errs.add(kAborted);
  }
  if (!errs.empty()) {
    RcSet out = errs.add(maybe);
    // Only the abort is wrong and the mode defers it: the call may succeed.
    if (deferred) {
      XferCall alive = c;
      alive.state = HandleState::connected;
      if (xfer_allowed(alive).has(RSM_SUCCESS)) out.add(RSM_SUCCESS);
    }
    return out;
  }
  return RcSet{RSM_SUCCESS}.add(maybe);
}

RcSet io_entry_faults(const IoEntry &e, uint64_t seg_size) {
  RcSet errs;
  if (e.handle) {
    if (!e.handle_live) errs.add({RSMERR_BAD_LOCALMEM_HNDL, RSMERR_BAD_CTLR_HNDL, RSMERR_BAD_ADDR});
    else if (e.local_offset > e.handle_len || e.length > e.handle_len - e.local_offset)
      errs.add({RSMERR_BAD_OFFSET, RSMERR_BAD_LENGTH, RSMERR_BAD_ADDR});
  } else if (e.vaddr_null) {
    errs.add(RSMERR_BAD_ADDR);
  }
  if (e.remote_offset > static_cast<uint64_t>(INT64_MAX)) {
    errs.add({RSMERR_BAD_OFFSET, RSMERR_BAD_LENGTH});
  } else {
    range_faults(static_cast<int64_t>(e.remote_offset), e.length, seg_size, &errs);
  }
  return errs;
}

RcSet vector_allowed(const VectorCall &c) {
  if (c.sg_null) return {RSMERR_BAD_SGIO};
  bool bad_count = c.count == 0 || c.count > RSM_MAX_SGIOREQS;
  if (bad_handle(c.state)) {
    RcSet s{RSMERR_BAD_SEG_HNDL};
    if (bad_count) s.add(RSMERR_BAD_SGIO);
    return s;
  }
  RcSet errs, maybe;
  if (bad_count) errs.add(RSMERR_BAD_SGIO);
  uint32_t need = c.get ? RSM_PERM_READ : RSM_PERM_WRITE;
  if (!(c.connect_perm & need)) errs.add({RSMERR_PERM_DENIED, RSMERR_BAD_PERMS});
  if (!bad_count) {
    for (uint64_t i = 0; i < c.count && i < c.entries.size(); i++) {
      const IoEntry &e = c.entries[i];
      errs.add(io_entry_faults(e, c.seg_size));
      if (e.length == 0) maybe.add(RSMERR_BAD_LENGTH);  // a gap
    }
  }
  bool deferred = false;
  if (c.state == HandleState::aborted) {
    deferred = c.explicit_mode;
    errs.add(kAborted);
  }
  if (!errs.empty()) {
    RcSet out = errs.add(maybe);
    if (deferred) {
      VectorCall alive = c;
      alive.state = HandleState::connected;
      if (vector_allowed(alive).has(RSM_SUCCESS)) out.add(RSM_SUCCESS);
    }
    return out;
  }
  return RcSet{RSM_SUCCESS}.add(maybe);
}

}  // namespace rsmc::model
