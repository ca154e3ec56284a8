// rsmkit reference librsm: rsm_memseg_import_init_barrier(3RSM),
// rsm_memseg_import_open_barrier(3RSM) and rsm_memseg_import_set_mode(3RSM).
//
// The caller owns rsmapi_barrier_t storage; we keep the import handle in
// `seg`, a magic in `gnum` and a barrier-table key in `privdata`, so garbage
// or destroyed storage fails a lookup instead of being trusted.
#include <new>

#include "core/handle_table.h"
#include "core/import_common.h"

using namespace rsmkit;

namespace {

constexpr uint16_t kBarrierMagic = 0xB7A5;

struct Bound {
  std::shared_ptr<Barrier> bar;
  std::shared_ptr<ImportSeg> seg;
};

// uninit_code: what a never-initialised (or destroyed) barrier gives for
// this entry point; each page documents a different code for it.
int resolve(const char *fn, rsmapi_barrier_t *b, int uninit_code, Bound *out) {
  if (!b || !buffer_usable(b, sizeof *b, true)) return fail(fn, RSMERR_BAD_BARRIER_PTR, "barrier is not usable");
  out->bar = b->gnum == kBarrierMagic ? barriers().find(key_of(b->privdata)) : nullptr;
  if (!out->bar || out->bar->seg_key != key_of(b->seg))
    return fail(fn, uninit_code, "barrier was never initialized (or was destroyed)");
  out->seg = imports().find(out->bar->seg_key);
  if (!out->seg) return fail(fn, RSMERR_BAD_SEG_HNDL, "the barrier's segment is disconnected");
  return RSM_SUCCESS;
}

void end_span(ImportSeg &seg, Barrier &bar) {
  bar.open = false;
  if (--seg.open_spans == 0) seg.span_failure = 0;
}

}  // namespace

RSMKIT_API int rsm_memseg_import_init_barrier(rsm_memseg_import_handle_t im_memseg,
                                              rsm_barrier_type_t type, rsmapi_barrier_t *barrier) try {
  static const char fn[] = "rsm_memseg_import_init_barrier";
  (void)type;  // every type gets segment scope (docs/reference.md)
  auto seg = imports().find(key_of(im_memseg));
  if (!seg) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live import handle");
  if (!barrier || !addr_mapped(barrier, sizeof *barrier))
    return fail(fn, RSMERR_BAD_BARRIER_PTR, "barrier is not usable storage");
  auto bar = std::shared_ptr<Barrier>(new (std::nothrow) Barrier);
  if (!bar) return fail(fn, RSMERR_INSUFFICIENT_MEM, "out of memory");
  std::lock_guard<std::mutex> lk(seg->mu);
  if (!seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  bar->seg_key = seg->key;
  bar->owner = current_pid();
  uint64_t key = barriers().insert(Kind::barrier, bar);
  if (!RSMKIT_MUTANT("barrier.init_not_counted")) seg->barriers++;
  barrier->seg = handle_of<void *>(seg->key);
  barrier->gnum = kBarrierMagic;
  barrier->privdata = handle_of<void *>(key);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_destroy_barrier(rsmapi_barrier_t *barrier) try {
  static const char fn[] = "rsm_memseg_import_destroy_barrier";
  Bound b;
  int rc = resolve(fn, barrier, RSMERR_BAD_BARRIER_PTR, &b);
  if (rc && !b.bar) return rc;
  barriers().remove(b.bar->key);
  barrier->seg = nullptr;
  barrier->gnum = 0;
  barrier->privdata = nullptr;
  if (rc) return rc;  // segment gone: storage released, failure still reported
  std::lock_guard<std::mutex> lk(b.seg->mu);
  if (b.bar->open) end_span(*b.seg, *b.bar);
  if (!RSMKIT_MUTANT("barrier.destroy_not_counted")) b.seg->barriers--;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_open_barrier(rsmapi_barrier_t *barrier) try {
  static const char fn[] = "rsm_memseg_import_open_barrier";
  Bound b;
  if (int rc = resolve(fn, barrier, RSMERR_BAD_BARRIER_PTR, &b)) return rc;
  std::lock_guard<std::mutex> lk(b.seg->mu);
  if (!b.seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  // Opening an open barrier keeps the span (and what it recorded) going.
  if (!b.bar->open) {
    b.bar->open = true;
    b.seg->open_spans++;
  }
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_order_barrier(rsmapi_barrier_t *barrier) try {
  static const char fn[] = "rsm_memseg_import_order_barrier";
  Bound b;
  if (int rc = resolve(fn, barrier, RSMERR_BARRIER_UNINITIALIZED, &b)) return rc;
  std::lock_guard<std::mutex> lk(b.seg->mu);
  if (!b.seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  if (!b.bar->open) return fail(fn, RSMERR_BARRIER_NOT_OPENED, "barrier is not open");
  Status s = b.seg->ctlr->ops->import_fence(b.seg->bi);
  if (!RSMKIT_MUTANT("barrier.order_never_aborts"))
    if (int rc = check_connection(fn, *b.seg, false)) return rc;
  if (s != Status::ok) return fail_status(fn, s, Op::barrier);
  if (b.seg->span_failure) return fail(fn, b.seg->span_failure, "an access in the span failed");
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_close_barrier(rsmapi_barrier_t *barrier) try {
  static const char fn[] = "rsm_memseg_import_close_barrier";
  Bound b;
  if (int rc = resolve(fn, barrier, RSMERR_BARRIER_UNINITIALIZED, &b)) return rc;
  std::lock_guard<std::mutex> lk(b.seg->mu);
  if (!b.seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  if (!b.bar->open && !RSMKIT_MUTANT("barrier.close_unopened_allowed"))
    return fail(fn, RSMERR_BARRIER_NOT_OPENED, "barrier is not open");
  int failure = b.seg->span_failure;
  Status s = b.seg->ctlr->ops->import_fence(b.seg->bi);
  if (!RSMKIT_MUTANT("barrier.close_keeps_span_open")) end_span(*b.seg, *b.bar);
  // The span covers get/put and CPU accesses through a mapping alike: a lost
  // connection anywhere in it fails the close.
  if (!RSMKIT_MUTANT("barrier.close_never_aborts"))
    if (int rc = check_connection(fn, *b.seg, false)) return rc;
  if (failure) return fail(fn, failure, "an access in the span failed");
  if (s != Status::ok) return fail_status(fn, s, Op::barrier);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_set_mode(rsm_memseg_import_handle_t im_memseg,
                                          rsm_barrier_mode_t mode) try {
  static const char fn[] = "rsm_memseg_import_set_mode";
  auto seg = imports().find(key_of(im_memseg));
  if (!seg) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live import handle");
  if (mode != RSM_BARRIER_MODE_EXPLICIT && mode != RSM_BARRIER_MODE_IMPLICIT &&
      !RSMKIT_MUTANT("set_mode.value_unchecked"))
    return fail(fn, RSMERR_BAD_MODE, "mode is not an rsm_barrier_mode_t value");
  std::lock_guard<std::mutex> lk(seg->mu);
  if (!seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  if (!RSMKIT_MUTANT("set_mode.not_stored")) seg->mode = mode;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_get_mode(rsm_memseg_import_handle_t im_memseg,
                                          rsm_barrier_mode_t *mode) try {
  static const char fn[] = "rsm_memseg_import_get_mode";
  auto seg = imports().find(key_of(im_memseg));
  if (!seg) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live import handle");
  if (!mode || !addr_mapped(mode, sizeof *mode)) return fail(fn, RSMERR_BAD_ADDR, "mode is not writable");
  std::lock_guard<std::mutex> lk(seg->mu);
  if (!seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  *mode = seg->mode;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
