// rsmkit reference librsm: rsm_create_localmemory_handle(3RSM).
#include <new>

#include "core/handle_table.h"

using namespace rsmkit;

RSMKIT_API int rsm_create_localmemory_handle(rsmapi_controller_handle_t handle,
                                             rsm_localmemory_handle_t *l_handle,
                                             caddr_t local_vaddr, size_t length) try {
  static const char fn[] = "rsm_create_localmemory_handle";
  auto c = controllers().find(key_of(handle));
  if (!c) return fail(fn, RSMERR_BAD_CTLR_HNDL, "not a live controller handle");
  if (!l_handle || !addr_mapped(l_handle, sizeof *l_handle))
    return fail(fn, RSMERR_BAD_LOCALMEM_HNDL, "l_handle is not usable");
  if (!local_vaddr) return fail(fn, RSMERR_BAD_ADDR, "local_vaddr is NULL");
  if (!page_aligned(reinterpret_cast<uintptr_t>(local_vaddr), c->page()))
    return fail(fn, RSMERR_BAD_ADDR, "local_vaddr is not page aligned");
  if (length == 0 && !RSMKIT_MUTANT("localmem.zero_length_accepted"))
    return fail(fn, RSMERR_BAD_LENGTH, "length is zero");
  if (reinterpret_cast<uintptr_t>(local_vaddr) + length < reinterpret_cast<uintptr_t>(local_vaddr))
    return fail(fn, RSMERR_BAD_LENGTH, "range wraps around the address space");
  if (!addr_mapped(local_vaddr, length)) return fail(fn, RSMERR_BAD_ADDR, "range is not mapped");
  auto lm = std::shared_ptr<LocalMem>(new (std::nothrow) LocalMem);
  if (!lm) return fail(fn, RSMERR_INSUFFICIENT_MEM, "out of memory");
  Status s = c->ops->localmem_create(c->bc, local_vaddr, length, &lm->bm);
  if (s != Status::ok) return fail_status(fn, s, Op::localmem_create);
  lm->ctlr = c;
  lm->owner = current_pid();
  lm->addr = local_vaddr;
  lm->len = length;
  uint64_t key = localmems().insert(Kind::localmem, lm, [&] {
    c->ops->localmem_free(lm->bm);
    lm->bm = nullptr;
  });
  *l_handle = handle_of<rsm_localmemory_handle_t>(key);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_free_localmemory_handle(rsmapi_controller_handle_t handle,
                                           rsm_localmemory_handle_t l_handle) try {
  static const char fn[] = "rsm_free_localmemory_handle";
  auto c = controllers().find(key_of(handle));
  if (!c) return fail(fn, RSMERR_BAD_CTLR_HNDL, "not a live controller handle");
  auto lm = localmems().find(key_of(l_handle));
  if (!lm) return fail(fn, RSMERR_BAD_LOCALMEM_HNDL, "not a live local memory handle");
  if (lm->ctlr != c) return fail(fn, RSMERR_BAD_LOCALMEM_HNDL, "handle belongs to another controller");
  if (!RSMKIT_MUTANT("localmem.free_keeps_handle") && !localmems().remove(lm->key))
    return fail(fn, RSMERR_BAD_LOCALMEM_HNDL, "freed concurrently");
  c->ops->localmem_free(lm->bm);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
