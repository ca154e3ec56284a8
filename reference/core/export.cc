// rsmkit reference librsm: rsm_memseg_export_create(3RSM) and
// rsm_memseg_export_publish(3RSM) -- the export side.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <vector>

#include "core/handle_table.h"

using namespace rsmkit;

namespace {

constexpr uint32_t kMaxAclEntries = 64;
constexpr rsm_memseg_id_t kReservedIdEnd = RSM_OPS_ID_END;  // 1..0x5FFFFF: system ranges

// The exporter's file-creation mode, used when a segment has no access list.
// Read from /proc (umask(2) would have to change it to read it).
uint32_t default_mode() {
  uint32_t mask = 022;
  if (FILE *f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "Umask: %o", &mask) == 1) break;
    std::fclose(f);
  }
  return 0777 & ~mask;
}

// An export handle of this or (after fork) another process; *foreign tells.
std::shared_ptr<ExportSeg> find_export(rsm_memseg_export_handle_t h, bool *foreign) {
  auto e = exports().find(key_of(h), /*any_process=*/true);
  *foreign = e && e->creator != current_pid();
  return e;
}

// The ranges this process exports, by start address, so that the overlap
// rule of create and rebind is a lookup and not a walk over every export
// (create costs the same at 10 and at 10,000 segments). A range is reserved
// before the backend is asked, and released when that fails, when the
// segment moves (rebind) or when it is destroyed.
class ExportedRanges {
 public:
  // Reserves [vaddr, vaddr+len) for e unless another export overlaps it.
  bool reserve(const void *vaddr, size_t len, const ExportSeg *e) {
    const auto lo = reinterpret_cast<uintptr_t>(vaddr), hi = lo + len;
    std::lock_guard<std::mutex> lk(mu_);
    if (owner_ != current_pid()) {  // a forked child: the parent's are not ours
      by_start_.clear();
      owner_ = current_pid();
    }
    // Other exports' ranges never overlap each other, so the last of them
    // starting below hi is the only one that can reach past lo.
    for (auto it = by_start_.lower_bound(hi); it != by_start_.begin();) {
      --it;
      if (it->second.owner == e) continue;  // e's own range, during a rebind
      if (it->second.end > lo) return false;
      break;
    }
    by_start_.emplace(lo, Range{hi, e});
    return true;
  }
  void release(const void *vaddr, const ExportSeg *e) {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = by_start_.find(reinterpret_cast<uintptr_t>(vaddr));
    if (owner_ == current_pid() && it != by_start_.end() && it->second.owner == e)
      by_start_.erase(it);
  }

 private:
  struct Range {
    uintptr_t end;
    const ExportSeg *owner;
  };
  std::mutex mu_;
  pid_t owner_ = 0;
  std::map<uintptr_t, Range> by_start_;
};

ExportedRanges &exported_ranges() {
  static auto *r = new ExportedRanges;
  return *r;
}

// Checks of the caller's memory shared by create and rebind.
int check_memory(const char *fn, void *vaddr, size_t len) {
  bool writable = false;
  if (!range_mapped(vaddr, len, &writable))
    return fail(fn, RSMERR_BAD_ADDR, "range is not mapped in the caller");
  if (!writable && !RSMKIT_MUTANT("export.read_only_memory_accepted"))
    return fail(fn, RSMERR_PERM_DENIED, "range is not writable by the caller");
  return RSM_SUCCESS;
}

// The last check of create and rebind: the range becomes e's.
int reserve_range(const char *fn, void *vaddr, size_t len, const ExportSeg *e) {
  if (!exported_ranges().reserve(vaddr, len, e))
    return fail(fn, RSMERR_PERM_DENIED, "range is already exported");
  return RSM_SUCCESS;
}

// Access-list rules shared by publish and republish (docs/reference.md).
int check_acl(const char *fn, const rsmapi_access_entry_t *acl, uint_t n,
              std::vector<AclEntry> *out) {
  out->clear();
  if (n == 0) return RSM_SUCCESS;
  if (!acl) return fail(fn, RSMERR_BAD_ACL, "NULL access list with non-zero length");
  if (n > kMaxAclEntries) return fail(fn, RSMERR_BAD_ACL, "too many access list entries");
  if (!addr_mapped(acl, sizeof *acl * n))
    return fail(fn, RSMERR_BAD_ADDR, "access list is not readable");
  for (uint_t i = 0; i < n; i++) {
    uint32_t m = acl[i].ae_permission;
    if ((m & ~0777u) && !RSMKIT_MUTANT("publish.acl_high_bits_accepted"))
      return fail(fn, RSMERR_BAD_ACL, "permission has bits above 0777");
    if (m & 0111u) return fail(fn, RSMERR_BAD_ACL, "permission digit is not 0, 2, 4 or 6");
    for (uint_t j = 0; j < i; j++)
      if (acl[j].ae_node == acl[i].ae_node)
        return fail(fn, RSMERR_BAD_ACL, "node listed twice");
    out->push_back(AclEntry{acl[i].ae_node, m});
  }
  return RSM_SUCCESS;
}

}  // namespace

RSMKIT_API int rsm_memseg_export_create(rsmapi_controller_handle_t controller,
                                        rsm_memseg_export_handle_t *memseg, void *vaddr,
                                        size_t size, uint_t flags) try {
  static const char fn[] = "rsm_memseg_export_create";
  auto c = controllers().find(key_of(controller));
  if (!c) return fail(fn, RSMERR_BAD_CTLR_HNDL, "not a live controller handle");
  if (!memseg) return fail(fn, RSMERR_BAD_SEG_HNDL, "memseg is NULL");
  if (!addr_mapped(memseg, sizeof *memseg))
    return fail(fn, RSMERR_BAD_ADDR, "memseg points to unmapped memory");
  if (!vaddr) return fail(fn, RSMERR_BAD_ADDR, "vaddr is NULL");
  if (size == 0) return fail(fn, RSMERR_BAD_LENGTH, "length is zero");
  if (!page_aligned(reinterpret_cast<uintptr_t>(vaddr), c->page()) &&
      !RSMKIT_MUTANT("create.unaligned_vaddr_accepted"))
    return fail(fn, RSMERR_BAD_MEM_ALIGNMENT, "vaddr is not page aligned");
  if (!page_aligned(size, c->page())) return fail(fn, RSMERR_BAD_LENGTH, "length is not a page multiple");
  if (over_limit(size, c->attr.attr_max_export_segment_size))
    return fail(fn, RSMERR_BAD_LENGTH, "length exceeds attr_max_export_segment_size");
  if (int rc = check_memory(fn, vaddr, size)) return rc;

  auto e = std::shared_ptr<ExportSeg>(new (std::nothrow) ExportSeg);
  if (!e) return fail(fn, RSMERR_INSUFFICIENT_MEM, "out of memory");
  if (int rc = reserve_range(fn, vaddr, size, e.get())) return rc;
  auto unreserve = [&] { exported_ranges().release(vaddr, e.get()); };
  {
    // rsmkit never blocks for resources: without RSM_CREATE_SEG_DONTWAIT the
    // answer is the same (docs/reference.md).
    std::lock_guard<std::mutex> lk(c->mu);
    if (over_limit(c->export_count + (RSMKIT_MUTANT("create.segment_limit_off_by_one") ? 0 : 1),
                   c->attr.attr_max_export_segments) ||
        over_limit(c->export_bytes + size, c->attr.attr_tot_export_segment_size)) {
      unreserve();
      return fail(fn, RSMERR_INSUFFICIENT_RESOURCES, "controller export limits reached");
    }
    Status s = c->ops->export_create(c->bc, vaddr, size, flags, &e->be);
    if (s != Status::ok) {
      unreserve();
      return fail_status(fn, s, Op::export_create);
    }
    c->export_count++;
    c->export_bytes += size;
  }
  e->ctlr = c;
  e->ctlr_key = c->key;
  e->creator = current_pid();
  e->vaddr = vaddr;
  e->len = size;
  e->flags = flags;
  e->default_mode = default_mode();
  uint64_t key = exports().insert(Kind::export_seg, e, [&] {
    std::lock_guard<std::mutex> lk(c->mu);
    c->ops->export_destroy(e->be);
    e->be = nullptr;
    c->export_count--;
    c->export_bytes -= size;
    unreserve();
  });
  *memseg = handle_of<rsm_memseg_export_handle_t>(key);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_export_destroy(rsm_memseg_export_handle_t memseg) try {
  static const char fn[] = "rsm_memseg_export_destroy";
  auto e = exports().find(key_of(memseg));
  if (!e) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live export handle of this process");
  std::lock_guard<std::mutex> lk(e->mu);
  if (e->pollfd_refs > 0 && !RSMKIT_MUTANT("destroy.pollfd_unchecked"))
    return fail(fn, RSMERR_POLLFD_IN_USE, "poll descriptor still held");
  if (!exports().remove(e->key)) return fail(fn, RSMERR_BAD_SEG_HNDL, "destroyed concurrently");
  const BackendOps *ops = e->ctlr->ops;
  if (e->state == ExportState::published) ops->export_unpublish(e->be);
  ops->export_destroy(e->be);
  e->be = nullptr;
  exported_ranges().release(e->vaddr, e.get());
  std::lock_guard<std::mutex> ck(e->ctlr->mu);
  if (!RSMKIT_MUTANT("destroy.limits_not_released")) e->ctlr->export_count--;
  e->ctlr->export_bytes -= e->len;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_export_rebind(rsm_memseg_export_handle_t memseg, void *vaddr,
                                        offset_t off, size_t size) try {
  static const char fn[] = "rsm_memseg_export_rebind";
  (void)off;  // documented as unused
  bool foreign = false;
  auto e = find_export(memseg, &foreign);
  if (!e) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live export handle");
  if (foreign) return fail(fn, RSMERR_NOT_CREATOR, "caller did not create the segment");
  std::lock_guard<std::mutex> lk(e->mu);
  if (!e->be) return fail(fn, RSMERR_BAD_SEG_HNDL, "segment destroyed");
  if (controller_released(e->ctlr_key))
    return fail(fn, RSMERR_BAD_CTLR_HNDL, "the segment's controller was released");
  if (!(e->flags & RSM_ALLOW_REBIND) && !RSMKIT_MUTANT("rebind.allow_flag_unchecked"))
    return fail(fn, RSMERR_REBIND_NOT_ALLOWED, "created without RSM_ALLOW_REBIND");
  if (!vaddr) return fail(fn, RSMERR_BAD_ADDR, "vaddr is NULL");
  if (size == 0) return fail(fn, RSMERR_BAD_LENGTH, "length is zero");
  if (size != e->len && !RSMKIT_MUTANT("rebind.length_unchecked"))
    return fail(fn, RSMERR_BAD_LENGTH, "length differs from the segment's");
  if (!page_aligned(reinterpret_cast<uintptr_t>(vaddr), e->ctlr->page()))
    return fail(fn, RSMERR_BAD_ADDR, "vaddr is not page aligned");
  if (vaddr == e->vaddr) return RSM_SUCCESS;
  if (int rc = check_memory(fn, vaddr, size)) return rc;
  if (int rc = reserve_range(fn, vaddr, size, e.get())) return rc;
  Status s = e->ctlr->ops->export_rebind(e->be, vaddr, size);
  if (s != Status::ok) {
    exported_ranges().release(vaddr, e.get());
    return fail_status(fn, s, Op::export_rebind);
  }
  exported_ranges().release(e->vaddr, e.get());
  e->vaddr = vaddr;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_export_publish(rsm_memseg_export_handle_t memseg,
                                         rsm_memseg_id_t *segment_id,
                                         rsmapi_access_entry_t access_list[],
                                         uint_t access_list_length) try {
  static const char fn[] = "rsm_memseg_export_publish";
  bool foreign = false;
  auto e = find_export(memseg, &foreign);
  if (!e) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live export handle");
  if (foreign) return fail(fn, RSMERR_NOT_CREATOR, "caller did not create the segment");
  if (!segment_id) return fail(fn, RSMERR_BAD_SEGID, "segment_id is NULL");
  if (!addr_mapped(segment_id, sizeof *segment_id))
    return fail(fn, RSMERR_BAD_ADDR, "segment_id points to unmapped memory");
  std::lock_guard<std::mutex> lk(e->mu);
  if (!e->be) return fail(fn, RSMERR_BAD_SEG_HNDL, "segment destroyed");
  if (e->state == ExportState::published && !RSMKIT_MUTANT("publish.twice_allowed"))
    return fail(fn, RSMERR_SEG_ALREADY_PUBLISHED, "segment is already published");
  std::vector<AclEntry> acl;
  if (int rc = check_acl(fn, access_list, access_list_length, &acl)) return rc;
  rsm_memseg_id_t id = *segment_id;
  if (id > (RSMKIT_MUTANT("publish.first_reserved_id_accepted") ? 1u : 0u) &&
      (RSMKIT_MUTANT("publish.reserved_id_off_by_one") ? id < kReservedIdEnd : id <= kReservedIdEnd))
    return fail(fn, RSMERR_RESERVED_SEGID, "id lies in a system range of rsm_common.h");
  Status s = e->ctlr->ops->export_publish(e->be, &id, acl.empty() ? nullptr : acl.data(),
                                          static_cast<uint32_t>(acl.size()), e->default_mode);
  if (s != Status::ok) return fail_status(fn, s, Op::export_publish);
  e->state = ExportState::published;
  e->segid = id;
  if (*segment_id == 0 && !RSMKIT_MUTANT("publish.chosen_id_not_returned")) *segment_id = id;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_export_unpublish(rsm_memseg_export_handle_t memseg) try {
  static const char fn[] = "rsm_memseg_export_unpublish";
  bool foreign = false;
  auto e = find_export(memseg, &foreign);
  if (!e) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live export handle");
  if (foreign) return fail(fn, RSMERR_NOT_CREATOR, "caller did not create the segment");
  std::lock_guard<std::mutex> lk(e->mu);
  if (!e->be) return fail(fn, RSMERR_BAD_SEG_HNDL, "segment destroyed");
  if (e->state != ExportState::published)
    return fail(fn, RSMERR_SEG_NOT_PUBLISHED, "segment is not published");
  if (e->pollfd_refs > 0 && !RSMKIT_MUTANT("unpublish.pollfd_unchecked"))
    return fail(fn, RSMERR_POLLFD_IN_USE, "poll descriptor still held");
  if (!RSMKIT_MUTANT("unpublish.connections_kept")) {
    Status s = e->ctlr->ops->export_unpublish(e->be);
    if (s != Status::ok) return fail_status(fn, s, Op::export_unpublish);
  }
  if (!RSMKIT_MUTANT("unpublish.state_kept")) e->state = ExportState::created;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_export_republish(rsm_memseg_export_handle_t memseg,
                                           rsmapi_access_entry_t access_list[],
                                           uint_t access_list_length) try {
  static const char fn[] = "rsm_memseg_export_republish";
  bool foreign = false;
  auto e = find_export(memseg, &foreign);
  if (!e) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live export handle");
  if (foreign) return fail(fn, RSMERR_NOT_CREATOR, "caller did not create the segment");
  std::lock_guard<std::mutex> lk(e->mu);
  if (!e->be) return fail(fn, RSMERR_BAD_SEG_HNDL, "segment destroyed");
  if (e->state != ExportState::published)
    return fail(fn, RSMERR_SEG_NOT_PUBLISHED, "segment is not published");
  std::vector<AclEntry> acl;
  if (int rc = check_acl(fn, access_list, access_list_length, &acl)) return rc;
  if (RSMKIT_MUTANT("republish.list_ignored")) acl.clear();
  Status s = e->ctlr->ops->export_republish(e->be, acl.empty() ? nullptr : acl.data(),
                                            static_cast<uint32_t>(acl.size()), e->default_mode);
  if (s != Status::ok) return fail_status(fn, s, Op::export_republish);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
