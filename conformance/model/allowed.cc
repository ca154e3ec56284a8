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
  bool fixed_like = false;
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
  RcSet gap_errs;  // codes allowed besides success where the spec is silent
  switch (c.attr) {
    case RSM_MAP_NONE:
      break;
    case RSM_MAP_FIXED:
      fixed_like = true;
      success_at_fixed = true;
      break;
    case RSM_MAP_RESERVED:
      // Undocumented: a placement in a caller reservation, or ignored.
      fixed_like = true;
      gap_errs.add({RSMERR_BAD_ADDR, RSMERR_MAP_FAILED});
      if (!c.fixed_addr_reserved || c.fixed_addr % c.page) fixed_like = false;
      break;
    default:
      gap_errs.add({RSMERR_BAD_ADDR, RSMERR_MAP_FAILED, RSMERR_BAD_MEM_ALIGNMENT});
      break;
  }
  if (c.attr == RSM_MAP_FIXED) {
    if (c.fixed_addr == 0 || c.fixed_addr >= kUserAddrEnd || c.length > kUserAddrEnd - c.fixed_addr)
      errs.add({RSMERR_BAD_ADDR, RSMERR_MAP_FAILED});
    else if (c.fixed_addr % c.page)
      errs.add(RSMERR_BAD_MEM_ALIGNMENT);
  }
  (void)fixed_like;
  if (!errs.empty()) return errs;
  // The request is valid. A length that is not a page multiple is a gap.
  RcSet ok{RSM_SUCCESS};
  ok.add(gap_errs);
  if (c.length % c.page) ok.add(RSMERR_BAD_LENGTH);
  // Asking for less than connect asked but within the grant, or more than
  // connect asked but within the grant: "what the connection grants" is read
  // both ways (docs/conformance.md).
  if ((c.perm & c.connect_perm) != c.perm) ok.add(RSMERR_BAD_PERMS);
  if (success) success->at_fixed_addr = success_at_fixed;
  return ok;
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
