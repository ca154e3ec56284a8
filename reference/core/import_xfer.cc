// rsmkit reference librsm: rsm_memseg_import_get(3RSM), rsm_memseg_import_put(3RSM)
// and rsm_memseg_import_putv(3RSM) -- data movement through the backend.
#include <new>

#include "core/handle_table.h"
#include "core/import_common.h"

using namespace rsmkit;

namespace {

bool explicit_span(const ImportSeg &seg) {
  return seg.mode == RSM_BARRIER_MODE_EXPLICIT && seg.open_spans > 0;
}

// Moves one validated range. Inside an explicit span failures are kept for
// the close and the call itself succeeds; otherwise the transfer is wrapped in
// an implicit open/close and reports its own failure.
int move(const char *fn, ImportSeg &seg, Direction d, size_t off, void *local, size_t elem,
         size_t count, Op op) {
  const BackendOps *ops = seg.ctlr->ops;
  if (explicit_span(seg)) {
    // A torn-down connection moves no data (the exporter's memory must not
    // change after unpublish); the close reports it.
    Status s = ops->import_check(seg.bi);
    if (s == Status::ok || RSMKIT_MUTANT("xfer.span_moves_after_abort"))
      s = ops->import_xfer(seg.bi, d, off, local, elem, count);
    // The caller's own buffer is this call's error, not the span's.
    if (s == Status::bad_address) return fail(fn, RSMERR_BAD_ADDR, "local buffer is not accessible");
    if (s != Status::ok && !seg.span_failure) seg.span_failure = to_rsmerr(s, Op::barrier);
    return RSM_SUCCESS;
  }
  if ((RSMKIT_MUTANT("xfer.abort_unchecked") ? Status::ok : ops->import_check(seg.bi)) != Status::ok) {
    seg.abort_reported = true;
    return fail_status(fn, Status::aborted, op);
  }
  Status s = ops->import_xfer(seg.bi, d, off, local, elem, count);
  if (s != Status::ok) return fail_status(fn, s, op);
  return RSM_SUCCESS;
}

int xfer(const char *fn, rsm_memseg_import_handle_t h, Direction d, off_t offset, void *buf,
         size_t elem, size_t count) try {
  ImportSeg *seg = imports().find_hot(key_of(h));
  if (!seg) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live import handle");
  if (!buf) return fail(fn, RSMERR_BAD_ADDR, "local buffer is NULL");
  // elem is 1, 2, 4 or 8: masks and shifts, not divisions (three 64-bit
  // divides were a third of a put8).
  const size_t mask = elem - 1;
  if (reinterpret_cast<uintptr_t>(buf) & mask)
    return fail(fn, RSMERR_BAD_MEM_ALIGNMENT, "local buffer not aligned to the element size");
  if ((static_cast<uint64_t>(offset) & mask) && !RSMKIT_MUTANT("xfer.unaligned_offset_accepted"))
    return fail(fn, RSMERR_BAD_MEM_ALIGNMENT, "offset not aligned to the element size");
  std::lock_guard<std::mutex> lk(seg->mu);
  if (!seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  rsm_permission_t need = d == Direction::get ? RSM_PERM_READ : RSM_PERM_WRITE;
  if (!(seg->perm & need) && !(d == Direction::get && RSMKIT_MUTANT("get.write_only_allowed")))
    return fail(fn, RSMERR_PERM_DENIED, d == Direction::get ? "connection has no read access"
                                                            : "connection has no write access");
  if (offset < 0) return fail(fn, RSMERR_BAD_OFFSET, "offset is negative");
  auto off = static_cast<size_t>(offset);
  if (off > seg->size || (off == seg->size && count > 0))
    return fail(fn, RSMERR_BAD_OFFSET, "offset is beyond the segment");
  size_t room = ((seg->size - off) >> __builtin_ctzll(elem)) +
                (RSMKIT_MUTANT("xfer.length_past_end_by_one") ? 1 : 0);
  // The mutant's product and sum wrap for huge counts; room cannot.
  if (RSMKIT_MUTANT("xfer.range_overflow") ? off + count * elem > seg->size : count > room)
    return fail(fn, RSMERR_BAD_LENGTH, "transfer runs past the end of the segment");
  // Probed after the range checks: only now is count * elem known to be sane.
  // A backend that guards its get copies reports a bad buffer itself.
  const bool guarded = d == Direction::get && (seg->ctlr->ops->caps & kCapGuardedGetCopy);
  if (!guarded && !buffer_usable(buf, count * elem, d == Direction::get))
    return fail(fn, RSMERR_BAD_ADDR, "local buffer is not accessible");
  if (seg->barriers == 0 && !RSMKIT_MUTANT("xfer.barrier_unchecked"))
    return fail(fn, RSMERR_BARRIER_UNINITIALIZED, "no barrier initialized for the segment");
  if (count == 0) return RSM_SUCCESS;
  return move(fn, *seg, d, off, buf, elem, count, Op::import_xfer);
} catch (const std::bad_alloc &) {
  return fail(fn, RSMERR_INSUFFICIENT_RESOURCES, "out of memory");
}

// One iovec entry: resolves the local side and checks both ranges.
int vector_entry(const char *fn, ImportSeg &seg, Direction d, const rsm_iovec_t &io) {
  char *local = nullptr;
  if (io.io_type == RSM_HANDLE_TYPE) {
    auto lm = localmems().find(key_of(io.local.handle));
    if (!lm) return fail(fn, RSMERR_BAD_CTLR_HNDL, "local memory handle is not live");
    if (io.local_offset > lm->len) return fail(fn, RSMERR_BAD_OFFSET, "local_offset beyond handle");
    if (io.transfer_length > lm->len - io.local_offset && !RSMKIT_MUTANT("putv.local_range_unchecked"))
      return fail(fn, RSMERR_BAD_LENGTH, "entry runs past the end of the local handle");
    local = lm->addr + io.local_offset;
  } else if (io.io_type == RSM_VA_TYPE) {
    if (!io.local.vaddr) return fail(fn, RSMERR_BAD_ADDR, "local vaddr is NULL");
    auto base = reinterpret_cast<uintptr_t>(io.local.vaddr);
    if (base + io.local_offset < base) return fail(fn, RSMERR_BAD_ADDR, "local address wraps");
    local = io.local.vaddr + io.local_offset;
    if (!buffer_usable(local, io.transfer_length, d == Direction::get))
      return fail(fn, RSMERR_BAD_ADDR, "local range is not accessible");
  } else {
    return fail(fn, RSMERR_BAD_SGIO, "io_type is neither RSM_HANDLE_TYPE nor RSM_VA_TYPE");
  }
  size_t roff = io.remote_offset, len = io.transfer_length;
  if (roff > seg.size || (roff == seg.size && len > 0))
    return fail(fn, RSMERR_BAD_OFFSET, "remote_offset is beyond the segment");
  if (len > seg.size - roff)
    return fail(fn, RSMERR_BAD_LENGTH, "entry runs past the end of the segment");
  if (len == 0) return RSM_SUCCESS;
  return move(fn, seg, d, roff, local, 1, len, Op::import_xfer_vector);
}

int vector_xfer(const char *fn, rsm_scat_gath_t *sg, Direction d) try {
  if (!sg || !addr_mapped(sg, sizeof *sg))
    return fail(fn, RSMERR_BAD_SGIO, "sg_io is not a usable pointer");
  auto seg = imports().find(key_of(sg->remote_handle));
  if (!seg) return fail(fn, RSMERR_BAD_SEG_HNDL, "remote_handle is not a live import handle");
  ulong_t n = sg->io_request_count;
  if (n == 0 || (RSMKIT_MUTANT("putv.max_count_off_by_one") ? n >= RSM_MAX_SGIOREQS : n > RSM_MAX_SGIOREQS))
    return fail(fn, RSMERR_BAD_SGIO, "io_request_count is not 1..RSM_MAX_SGIOREQS");
  if (!sg->iovec || !addr_mapped(sg->iovec, sizeof(rsm_iovec_t) * n))
    return fail(fn, RSMERR_BAD_ADDR, "iovec is not readable");
  std::lock_guard<std::mutex> lk(seg->mu);
  if (!seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  if (controller_released(seg->ctlr_key))
    return fail(fn, RSMERR_BAD_CTLR_HNDL, "the segment's controller was released");
  rsm_permission_t need = d == Direction::get ? RSM_PERM_READ : RSM_PERM_WRITE;
  if (!(seg->perm & need) && !RSMKIT_MUTANT("putv.perm_unchecked"))
    return fail(fn, RSMERR_PERM_DENIED, "connection lacks the access");
  sg->io_residual_count = n;
  for (ulong_t i = 0; i < n; i++) {
    if (int rc = vector_entry(fn, *seg, d, sg->iovec[i])) {
      sg->io_residual_count = n - i - (RSMKIT_MUTANT("putv.residual_off_by_one") ? 1 : 0);
      return rc;
    }
  }
  if (!RSMKIT_MUTANT("putv.residual_not_cleared")) sg->io_residual_count = 0;
  if ((sg->flags & RSM_IMPLICIT_SIGPOST) && !RSMKIT_MUTANT("putv.implicit_sigpost_ignored")) {
    Status s = seg->ctlr->ops->import_signal(seg->bi, (sg->flags & RSM_SIGPOST_NO_ACCUMULATE) != 0);
    if (s != Status::ok) return fail_status(fn, s, Op::import_xfer_vector);
  }
  return RSM_SUCCESS;
} catch (const std::bad_alloc &) {
  return fail(fn, RSMERR_INSUFFICIENT_RESOURCES, "out of memory");
}

}  // namespace

#define RSMKIT_GETPUT(bits)                                                                      \
  RSMKIT_API int rsm_memseg_import_get##bits(rsm_memseg_import_handle_t h, off_t offset,         \
                                             uint##bits##_t *datap, ulong_t rep_cnt) {           \
    return xfer("rsm_memseg_import_get" #bits, h, Direction::get, offset, datap, (bits) / 8,     \
                rep_cnt);                                                                        \
  }                                                                                              \
  RSMKIT_API int rsm_memseg_import_put##bits(rsm_memseg_import_handle_t h, off_t offset,         \
                                             uint##bits##_t *datap, ulong_t rep_cnt) {           \
    return xfer("rsm_memseg_import_put" #bits, h, Direction::put, offset, datap, (bits) / 8,     \
                rep_cnt);                                                                        \
  }
RSMKIT_GETPUT(8)
RSMKIT_GETPUT(16)
RSMKIT_GETPUT(32)
RSMKIT_GETPUT(64)
#undef RSMKIT_GETPUT

RSMKIT_API int rsm_memseg_import_get(rsm_memseg_import_handle_t h, off_t offset, void *dst_addr,
                                     size_t length) try {
  return xfer("rsm_memseg_import_get", h, Direction::get, offset, dst_addr, 1, length);
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_put(rsm_memseg_import_handle_t h, off_t offset, void *src_addr,
                                     size_t length) try {
  return xfer("rsm_memseg_import_put", h, Direction::put, offset, src_addr, 1, length);
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_getv(rsm_scat_gath_t *sg_io) try {
  return vector_xfer("rsm_memseg_import_getv", sg_io, Direction::get);
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_putv(rsm_scat_gath_t *sg_io) try {
  return vector_xfer("rsm_memseg_import_putv", sg_io, Direction::put);
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
