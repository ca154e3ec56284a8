// rsmkit conformance: the model of allowed results (see allowed.h).
#include "model/allowed.h"

namespace rsmc::model {

namespace {

constexpr uintptr_t kUserAddrEnd = uintptr_t{1} << 47;

bool valid_perm(uint32_t p) {
  return p == RSM_PERM_READ || p == RSM_PERM_WRITE || p == RSM_PERM_RDWR;
}

}  // namespace

RcSet map_allowed(const MapCall &c, MapSuccess *success) {
  switch (c.state) {
    case HandleState::null:
    case HandleState::garbage:
    case HandleState::disconnected:
      return {RSMERR_BAD_SEG_HNDL};
    default:
      break;
  }
  // Each violated precondition contributes the codes documented for it; with
  // several violated, any of them is right (the pages set no precedence).
  RcSet errs;
  bool success_at_fixed = false;
  if (c.address_null) errs.add(RSMERR_BAD_ADDR);
  if (c.state == HandleState::mapped) errs.add(RSMERR_SEG_ALREADY_MAPPED);
  // illumos reports a lost connection as a bad handle; the pages offer both.
  if (c.state == HandleState::aborted)
    errs.add({RSMERR_CONN_ABORTED, RSMERR_SEG_NOT_CONNECTED, RSMERR_BAD_SEG_HNDL});
  if (!c.can_map) errs.add(RSMERR_MAP_FAILED);
  if (!valid_perm(c.perm)) {
    errs.add(RSMERR_BAD_PERMS);
  } else if ((c.perm & c.granted_perm) != c.perm) {
    errs.add(RSMERR_BAD_PERMS);
  }
  if (c.offset < 0 || static_cast<uint64_t>(c.offset) >= c.seg_size) {
    errs.add({RSMERR_BAD_OFFSET, RSMERR_BAD_LENGTH});
  } else {
    auto off = static_cast<uint64_t>(c.offset);
    if (off % c.page) errs.add({RSMERR_BAD_OFFSET, RSMERR_BAD_MEM_ALIGNMENT});
    if (c.length == 0 || c.length > c.seg_size - off) errs.add(RSMERR_BAD_LENGTH);
  }
  // Codes of readings the spec leaves open: right whether or not the call
  // has other faults.
  RcSet maybe;
  switch (c.attr) {
    case RSM_MAP_NONE:
      break;
    case RSM_MAP_FIXED:
      success_at_fixed = true;
      break;
    case RSM_MAP_RESERVED:
      // Undocumented: a placement in a caller reservation (whose address
      // may be refused like a fixed one's), or ignored.
      maybe.add({RSMERR_BAD_ADDR, RSMERR_MAP_FAILED, RSMERR_BAD_MEM_ALIGNMENT});
      break;
    default:
      maybe.add({RSMERR_BAD_ADDR, RSMERR_MAP_FAILED, RSMERR_BAD_MEM_ALIGNMENT});
      break;
  }
  if (c.attr == RSM_MAP_FIXED) {
    if (c.fixed_addr == 0 || c.fixed_addr >= kUserAddrEnd || c.length > kUserAddrEnd - c.fixed_addr)
      errs.add({RSMERR_BAD_ADDR, RSMERR_MAP_FAILED});
    else if (c.fixed_addr % c.page)
      errs.add(RSMERR_BAD_MEM_ALIGNMENT);
  }
  // A length that is not a page multiple is a gap.
  if (c.length % c.page) maybe.add(RSMERR_BAD_LENGTH);
  // More than connect asked for but within the grant: "what the connection
  // grants" is read both ways (docs/conformance.md).
  if (valid_perm(c.perm) && (c.perm & c.connect_perm) != c.perm) maybe.add(RSMERR_BAD_PERMS);
  if (!errs.empty()) return errs.add(maybe);
  if (success) success->at_fixed_addr = success_at_fixed;
  return RcSet{RSM_SUCCESS}.add(maybe);
}

RcSet unmap_allowed(HandleState state) {
  switch (state) {
    case HandleState::mapped: return {RSM_SUCCESS};
    case HandleState::connected:
    case HandleState::aborted: return {RSMERR_SEG_NOT_MAPPED, RSMERR_BAD_SEG_HNDL, RSM_SUCCESS};
    default: return {RSMERR_BAD_SEG_HNDL};
  }
}

}  // namespace rsmc::model
