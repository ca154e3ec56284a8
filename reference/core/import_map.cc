// rsmkit reference librsm: rsm_memseg_import_map(3RSM) -- map and unmap.
// Validate and normalise every argument here; the backend only maps.
#include <sys/mman.h>

#include "core/handle_table.h"
#include "core/import_common.h"

using namespace rsmkit;

namespace {

// Highest user address on x86_64 with 4-level page tables; a fixed mapping
// above it can never be made.
constexpr uintptr_t kUserAddrEnd = uintptr_t{1} << 47;

int prot_of(rsm_permission_t perm) {
  int prot = 0;
  if (perm & RSM_PERM_READ) prot |= PROT_READ;
  if (perm & RSM_PERM_WRITE) prot |= PROT_WRITE;
  return prot;
}

}  // namespace

RSMKIT_API int rsm_memseg_import_map(rsm_memseg_import_handle_t im_memseg, void **address,
                                     rsm_attribute_t attr, rsm_permission_t perm, off_t offset,
                                     size_t length) try {
  static const char fn[] = "rsm_memseg_import_map";
  auto seg = imports().find(key_of(im_memseg));
  if (!seg)
    return fail(fn, RSMKIT_MUTANT("map.bad_handle_code") ? RSMERR_SEG_NOT_CONNECTED : RSMERR_BAD_SEG_HNDL,
                "not a live import handle");
  if (!RSMKIT_MUTANT("map.null_address_unchecked") && (!address || !buffer_usable(address, sizeof *address, /*write=*/true)))
    return fail(fn, RSMERR_BAD_ADDR, "address is not usable");
  std::unique_lock<std::mutex> lk(seg->mu);  // unique: a mutant may leave it locked
  if (!seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  if (seg->abort_reported)
    return fail(fn, RSMKIT_MUTANT("map.not_connected_code") ? RSMERR_SEG_NOT_MAPPED : RSMERR_SEG_NOT_CONNECTED,
                "connection was aborted");
  if (seg->state == ImportState::mapped && !RSMKIT_MUTANT("map.already_mapped_allowed")) {
    if (RSMKIT_MUTANT("map.already_mapped_keeps_lock")) lk.release();  // a forgotten unlock
    return fail(fn, RSMERR_SEG_ALREADY_MAPPED, "segment is already mapped");
  }
  Placement where;
  switch (attr) {
    case RSM_MAP_NONE: where = Placement::anywhere; break;
    case RSM_MAP_FIXED: where = RSMKIT_MUTANT("map.ignores_fixed") ? Placement::anywhere : Placement::fixed; break;
    case RSM_MAP_RESERVED: where = Placement::reserved; break;
    default:
      return fail(fn, RSMKIT_MUTANT("map.undefined_attr_code") ? RSMERR_BAD_PERMS : RSMERR_MAP_FAILED,
                  "attr is not an rsm_attribute_t value");
  }
  if (perm != RSM_PERM_READ && perm != RSM_PERM_WRITE && perm != RSM_PERM_RDWR &&
      !RSMKIT_MUTANT("map.undefined_perm_accepted"))
    return fail(fn, RSMERR_BAD_PERMS, "perm is not READ, WRITE or RDWR");
  if ((perm & (RSMKIT_MUTANT("map.perm_beyond_connect_accepted") ? perm : seg->perm)) != perm)
    return fail(fn, RSMERR_BAD_PERMS, "perm exceeds the access granted at connect");
  if (offset < 0) return fail(fn, RSMERR_BAD_OFFSET, "offset is negative");
  auto off = static_cast<size_t>(offset);
  if (off >= seg->size) return fail(fn, RSMERR_BAD_OFFSET, "offset is beyond the segment");
  if (!page_aligned(off, seg->ctlr->page()) && !RSMKIT_MUTANT("map.unaligned_offset_accepted"))
    return fail(fn, RSMERR_BAD_OFFSET, "offset is not page aligned");
  if (length == 0 && !RSMKIT_MUTANT("map.zero_length_accepted"))
    return fail(fn, RSMERR_BAD_LENGTH, "length is zero");
  size_t room = seg->size - off + (RSMKIT_MUTANT("map.length_past_end_by_one") ? 1 : 0);
  // The mutant's sum wraps for huge lengths; room cannot.
  if (RSMKIT_MUTANT("map.range_overflow") ? off + length > seg->size : length > room)
    return fail(fn, RSMERR_BAD_LENGTH, "offset+length beyond segment");
  const rsmapi_controller_attr_t &ca = seg->ctlr->attr;
  if (over_limit(length, ca.attr_max_import_map_size))
    return fail(fn, RSMERR_BAD_LENGTH, "length exceeds attr_max_import_map_size");
  void *want = nullptr;
  if (where != Placement::anywhere) {
    want = *address;
    auto a = reinterpret_cast<uintptr_t>(want);
    if (!want) return fail(fn, RSMERR_BAD_ADDR, "fixed address is NULL");
    if (!page_aligned(a, seg->ctlr->page()) && !RSMKIT_MUTANT("map.fixed_unaligned_accepted"))
      return fail(fn, RSMERR_BAD_MEM_ALIGNMENT, "address not page aligned");
    if (a >= kUserAddrEnd || length > kUserAddrEnd - a)
      return fail(fn, RSMERR_BAD_ADDR, "fixed range is outside user space");
    if (where == Placement::reserved && !addr_mapped(want, length))
      return fail(fn, RSMERR_BAD_ADDR, "RSM_MAP_RESERVED range is not reserved by the caller");
  }
  if (!RSMKIT_MUTANT("map.connection_unchecked"))
    if (int rc = check_connection(fn, *seg, /*map_semantics=*/false)) return rc;
  void *got = nullptr;
  Status s = seg->ctlr->ops->import_map(seg->bi, off, length, prot_of(perm), where, want, &got);
  if (s != Status::ok) return fail_status(fn, s, Op::import_map);
  seg->state = ImportState::mapped;
  seg->map_addr = got;
  seg->map_len = length;
  seg->map_where = where;
  *address = got;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_MAP_FAILED)

RSMKIT_API int rsm_memseg_import_unmap(rsm_memseg_import_handle_t im_memseg) try {
  static const char fn[] = "rsm_memseg_import_unmap";
  auto seg = imports().find(key_of(im_memseg));
  if (!seg)
    return fail(fn, RSMKIT_MUTANT("unmap.bad_handle_code") ? RSMERR_SEG_NOT_MAPPED : RSMERR_BAD_SEG_HNDL,
                "not a live import handle");
  std::lock_guard<std::mutex> lk(seg->mu);
  if (!seg->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
  if (seg->state != ImportState::mapped)
    return fail(fn, RSMERR_SEG_NOT_MAPPED, "segment is not mapped");
  if (seg->pollfd_refs > 0 && !RSMKIT_MUTANT("unmap.pollfd_unchecked"))
    return fail(fn, RSMERR_POLLFD_IN_USE, "poll descriptor still held");
  seg->ctlr->ops->import_unmap(seg->bi, seg->map_addr, seg->map_len, seg->map_where);
  if (!RSMKIT_MUTANT("unmap.state_kept")) seg->state = ImportState::connected;
  seg->map_addr = nullptr;
  seg->map_len = 0;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
