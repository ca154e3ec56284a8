// rsmkit reference librsm: error decisions and the RSMKIT_DEBUG log.
#include <cstdio>
#include <cstdlib>

#include "core/core.h"

namespace rsmkit {

namespace {
bool debug_enabled() {
  static const bool on = [] {
    const char *v = std::getenv("RSMKIT_DEBUG");
    return v && *v && *v != '0';
  }();
  return on;
}
}  // namespace

const char *rsmerr_name(int code) {
  switch (code) {
#define RSMKIT_CASE(x) case x: return #x;
    RSMKIT_CASE(RSM_SUCCESS) RSMKIT_CASE(RSMERR_BAD_LIBRARY_VERSION)
    RSMKIT_CASE(RSMERR_BAD_TOPOLOGY_PTR) RSMKIT_CASE(RSMERR_BAD_CTLR_HNDL)
    RSMKIT_CASE(RSMERR_CTLR_NOT_PRESENT) RSMKIT_CASE(RSMERR_BAD_SEG_HNDL)
    RSMKIT_CASE(RSMERR_SEG_ALREADY_PUBLISHED) RSMKIT_CASE(RSMERR_SEG_NOT_PUBLISHED)
    RSMKIT_CASE(RSMERR_SEG_NOT_PUBLISHED_TO_NODE) RSMKIT_CASE(RSMERR_SEG_ALREADY_MAPPED)
    RSMKIT_CASE(RSMERR_SEG_STILL_MAPPED) RSMKIT_CASE(RSMERR_SEG_NOT_MAPPED)
    RSMKIT_CASE(RSMERR_NOT_CREATOR) RSMKIT_CASE(RSMERR_BAD_BARRIER_PTR)
    RSMKIT_CASE(RSMERR_BAD_SGIO) RSMKIT_CASE(RSMERR_BAD_LOCALMEM_HNDL)
    RSMKIT_CASE(RSMERR_BAD_ADDR) RSMKIT_CASE(RSMERR_BAD_MEM_ALIGNMENT)
    RSMKIT_CASE(RSMERR_BAD_OFFSET) RSMKIT_CASE(RSMERR_MISALIGNED_OFFSET)
    RSMKIT_CASE(RSMERR_BAD_LENGTH) RSMKIT_CASE(RSMERR_BAD_ACL) RSMKIT_CASE(RSMERR_BAD_SEGID)
    RSMKIT_CASE(RSMERR_RESERVED_SEGID) RSMKIT_CASE(RSMERR_SEGID_IN_USE)
    RSMKIT_CASE(RSMERR_BAD_MODE) RSMKIT_CASE(RSMERR_BAD_PERMS) RSMKIT_CASE(RSMERR_PERM_DENIED)
    RSMKIT_CASE(RSMERR_LOCKS_NOT_SUPPORTED) RSMKIT_CASE(RSMERR_LOCKS_NOT_ENABLED)
    RSMKIT_CASE(RSMERR_REBIND_NOT_ALLOWED) RSMKIT_CASE(RSMERR_INSUFFICIENT_RESOURCES)
    RSMKIT_CASE(RSMERR_INSUFFICIENT_MEM) RSMKIT_CASE(RSMERR_MAP_FAILED)
    RSMKIT_CASE(RSMERR_POLLFD_IN_USE) RSMKIT_CASE(RSMERR_BARRIER_UNINITIALIZED)
    RSMKIT_CASE(RSMERR_BARRIER_OPEN_FAILED) RSMKIT_CASE(RSMERR_BARRIER_NOT_OPENED)
    RSMKIT_CASE(RSMERR_BARRIER_FAILURE) RSMKIT_CASE(RSMERR_REMOTE_NODE_UNREACHABLE)
    RSMKIT_CASE(RSMERR_CONN_ABORTED) RSMKIT_CASE(RSMERR_INTERRUPTED) RSMKIT_CASE(RSMERR_TIMEOUT)
    RSMKIT_CASE(RSMERR_BAD_APPID) RSMKIT_CASE(RSMERR_BAD_CONF)
    RSMKIT_CASE(RSMERR_SEG_NOT_CONNECTED) RSMKIT_CASE(RSMERR_INTERNAL_ERROR)
    RSMKIT_CASE(RSMERR_BAD_ARGS_ERRORS)
#undef RSMKIT_CASE
    default: return "RSMERR_(unknown)";
  }
}

int fail(const char *fn, int code, const char *why) {
  if (debug_enabled()) std::fprintf(stderr, "rsmkit: %s: %s: %s\n", fn, rsmerr_name(code), why);
  return code;
}

int fail_status(const char *fn, Status s, Op op) {
  static const char *const names[] = {"ok", "no memory", "no resources", "bad address",
      "permission denied", "not published", "segment id in use", "connection aborted",
      "node unreachable", "map failed", "I/O error", "interrupted", "timeout",
      "unsupported by backend", "controller not present"};
  auto i = static_cast<size_t>(s);
  return fail(fn, to_rsmerr(s, op), i < sizeof names / sizeof *names ? names[i] : "backend");
}

}  // namespace rsmkit
