// rsmkit conformance: return-code names and set assertions.
#include "framework/rc.h"

#include "framework/impl_loader.h"

namespace rsmc {

const char *rc_name(int rc) {
  switch (rc) {
#define RSMC_NAME(x) case x: return #x;
    RSMC_NAME(RSM_SUCCESS) RSMC_NAME(RSMERR_BAD_LIBRARY_VERSION) RSMC_NAME(RSMERR_BAD_TOPOLOGY_PTR)
    RSMC_NAME(RSMERR_BAD_CTLR_HNDL) RSMC_NAME(RSMERR_CTLR_NOT_PRESENT) RSMC_NAME(RSMERR_BAD_SEG_HNDL)
    RSMC_NAME(RSMERR_SEG_ALREADY_PUBLISHED) RSMC_NAME(RSMERR_SEG_NOT_PUBLISHED)
    RSMC_NAME(RSMERR_SEG_NOT_PUBLISHED_TO_NODE) RSMC_NAME(RSMERR_SEG_ALREADY_MAPPED)
    RSMC_NAME(RSMERR_SEG_STILL_MAPPED) RSMC_NAME(RSMERR_SEG_NOT_MAPPED) RSMC_NAME(RSMERR_NOT_CREATOR)
    RSMC_NAME(RSMERR_BAD_BARRIER_PTR) RSMC_NAME(RSMERR_BAD_SGIO) RSMC_NAME(RSMERR_BAD_LOCALMEM_HNDL)
    RSMC_NAME(RSMERR_BAD_ADDR) RSMC_NAME(RSMERR_BAD_MEM_ALIGNMENT) RSMC_NAME(RSMERR_BAD_OFFSET)
    RSMC_NAME(RSMERR_MISALIGNED_OFFSET) RSMC_NAME(RSMERR_BAD_LENGTH) RSMC_NAME(RSMERR_BAD_ACL)
    RSMC_NAME(RSMERR_BAD_SEGID) RSMC_NAME(RSMERR_RESERVED_SEGID) RSMC_NAME(RSMERR_SEGID_IN_USE)
    RSMC_NAME(RSMERR_BAD_MODE) RSMC_NAME(RSMERR_BAD_PERMS) RSMC_NAME(RSMERR_PERM_DENIED)
    RSMC_NAME(RSMERR_LOCKS_NOT_SUPPORTED) RSMC_NAME(RSMERR_LOCKS_NOT_ENABLED)
    RSMC_NAME(RSMERR_REBIND_NOT_ALLOWED) RSMC_NAME(RSMERR_INSUFFICIENT_RESOURCES)
    RSMC_NAME(RSMERR_INSUFFICIENT_MEM) RSMC_NAME(RSMERR_MAP_FAILED) RSMC_NAME(RSMERR_POLLFD_IN_USE)
    RSMC_NAME(RSMERR_BARRIER_UNINITIALIZED) RSMC_NAME(RSMERR_BARRIER_OPEN_FAILED)
    RSMC_NAME(RSMERR_BARRIER_NOT_OPENED) RSMC_NAME(RSMERR_BARRIER_FAILURE)
    RSMC_NAME(RSMERR_REMOTE_NODE_UNREACHABLE) RSMC_NAME(RSMERR_CONN_ABORTED)
    RSMC_NAME(RSMERR_INTERRUPTED) RSMC_NAME(RSMERR_TIMEOUT) RSMC_NAME(RSMERR_BAD_APPID)
    RSMC_NAME(RSMERR_BAD_CONF) RSMC_NAME(RSMERR_SEG_NOT_CONNECTED) RSMC_NAME(RSMERR_INTERNAL_ERROR)
    RSMC_NAME(RSMERR_BAD_ARGS_ERRORS)
#undef RSMC_NAME
    case kMissingSymbol: return "(function missing from the implementation)";
    default: return "(not an RSMAPI code)";
  }
}

std::string RcSet::str() const {
  std::string s;
  for (size_t i = 0; i < bits_.size(); i++) {
    if (!bits_.test(i)) continue;
    if (!s.empty()) s += " | ";
    s += rc_name(static_cast<int>(i));
  }
  return s.empty() ? "(nothing)" : s;
}

::testing::AssertionResult rc_in(const char *expr, const char *, int rc, const RcSet &set) {
  if (set.has(rc)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expr << "\n  returned: " << rc << " " << rc_name(rc)
                                       << "\n  allowed:  " << set.str();
}

}  // namespace rsmc
