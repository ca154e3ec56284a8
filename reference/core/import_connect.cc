// rsmkit reference librsm: rsm_memseg_import_connect(3RSM) -- connect,
// disconnect, and the importer-side access rule (owner/group/other digit of
// the granted mode, chosen by the importer's uid and gid).
#include <unistd.h>

#include <new>
#include <vector>

#include "core/handle_table.h"

using namespace rsmkit;

namespace {

bool in_group(uint32_t gid) {
  if (getegid() == gid) return true;
  int n = getgroups(0, nullptr);
  if (n <= 0) return false;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  n = getgroups(n, groups.data());
  for (int i = 0; i < n; i++)
    if (groups[static_cast<size_t>(i)] == gid) return true;
  return false;
}

// Requested owner-position bits must all be present in the class digit. No
// privilege overrides this (root included), so the rule is testable as root.
bool access_granted(const ImportInfo &info, rsm_permission_t perm) {
  uint32_t digit;
  if (geteuid() == info.exporter_uid)
    digit = (info.granted_mode >> (RSMKIT_MUTANT("connect.owner_gets_group_digit") ? 3 : 6)) & 7;
  else if (in_group(info.exporter_gid))
    digit = (info.granted_mode >> 3) & 7;
  else
    digit = info.granted_mode & 7;
  uint32_t want = (perm >> 6) & 6;
  return (digit & want) == want || RSMKIT_MUTANT("connect.access_not_enforced");
}

}  // namespace

RSMKIT_API int rsm_memseg_import_connect(rsmapi_controller_handle_t controller,
                                         rsm_node_id_t node_id, rsm_memseg_id_t segment_id,
                                         rsm_permission_t perm,
                                         rsm_memseg_import_handle_t *im_memseg) try {
  static const char fn[] = "rsm_memseg_import_connect";
  auto c = controllers().find(key_of(controller));
  if (!c) return fail(fn, RSMERR_BAD_CTLR_HNDL, "not a live controller handle");
  if (!im_memseg) return fail(fn, RSMERR_BAD_SEG_HNDL, "im_memseg is NULL");
  if (!buffer_usable(im_memseg, sizeof *im_memseg, /*write=*/true))
    return fail(fn, RSMERR_BAD_ADDR, "im_memseg points to unmapped memory");
  if (perm != RSM_PERM_READ && perm != RSM_PERM_WRITE && perm != RSM_PERM_RDWR &&
      !RSMKIT_MUTANT("connect.undefined_perm_accepted"))
    return fail(fn, RSMERR_PERM_DENIED, "perm is not 0400, 0200 or 0600");
  auto seg = std::shared_ptr<ImportSeg>(new (std::nothrow) ImportSeg);
  if (!seg) return fail(fn, RSMERR_INSUFFICIENT_MEM, "out of memory");
  ImportInfo info{};
  {
    std::lock_guard<std::mutex> lk(c->mu);
    if (over_limit(c->import_count + (RSMKIT_MUTANT("connect.import_limit_off_by_one") ? 0 : 1),
                   c->attr.attr_max_import_segments))
      return fail(fn, RSMERR_INSUFFICIENT_RESOURCES, "controller import limit reached");
    Status s = c->ops->import_connect(c->bc, node_id, segment_id, &info, &seg->bi);
    if (s != Status::ok) return fail_status(fn, s, Op::import_connect);
    int rc = RSM_SUCCESS;
    if (!info.node_listed && !RSMKIT_MUTANT("connect.node_not_listed_ignored"))
      rc = fail(fn, RSMERR_SEG_NOT_PUBLISHED_TO_NODE, "access list omits this node");
    else if (!access_granted(info, perm))
      rc = fail(fn, RSMERR_PERM_DENIED, "requested access not granted to this importer");
    if (rc) {
      c->ops->import_disconnect(seg->bi);
      return rc;
    }
    c->import_count++;
  }
  seg->ctlr = c;
  seg->ctlr_key = c->key;
  seg->owner = current_pid();
  seg->size = info.size;
  seg->perm = perm;
  uint64_t key = imports().insert(Kind::import_seg, seg, [&] {
    std::lock_guard<std::mutex> lk(c->mu);
    c->ops->import_disconnect(seg->bi);
    seg->bi = nullptr;
    c->import_count--;
  });
  *im_memseg = handle_of<rsm_memseg_import_handle_t>(key);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_import_disconnect(rsm_memseg_import_handle_t im_memseg) try {
  static const char fn[] = "rsm_memseg_import_disconnect";
  auto seg = imports().find(key_of(im_memseg));
  if (!seg) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live import handle");
  std::unique_lock<std::mutex> lk(seg->mu);  // unique: a mutant may leave it locked
  if (seg->state == ImportState::mapped && !RSMKIT_MUTANT("disconnect.mapped_allowed")) {
    if (RSMKIT_MUTANT("disconnect.still_mapped_keeps_lock")) lk.release();  // a forgotten unlock
    return fail(fn, RSMERR_SEG_STILL_MAPPED, "segment is mapped; unmap first");
  }
  if (seg->pollfd_refs > 0 && !RSMKIT_MUTANT("disconnect.pollfd_unchecked"))
    return fail(fn, RSMERR_POLLFD_IN_USE, "poll descriptor still held");
  if (!imports().remove(seg->key)) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected concurrently");
  seg->ctlr->ops->import_disconnect(seg->bi);
  seg->bi = nullptr;
  std::lock_guard<std::mutex> ck(seg->ctlr->mu);
  seg->ctlr->import_count--;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
