// rsmkit reference librsm: rsm_get_segmentid_range(3RSM).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/core.h"
#include "core/segmentid_conf.h"

using namespace rsmkit;

namespace {

constexpr size_t kMaxConfBytes = 1 << 20;
constexpr char kDefaultPath[] = "/etc/rsm/rsm.segmentid";

// The file is read whole; RSMKIT_SEGMENTID_FILE points elsewhere (tests).
bool read_conf(std::string *out) {
  const char *path = std::getenv("RSMKIT_SEGMENTID_FILE");
  FILE *f = std::fopen(path && *path ? path : kDefaultPath, "re");
  if (!f) return false;
  char buf[4096];
  size_t n;
  bool ok = true;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    out->append(buf, n);
    if (out->size() > kMaxConfBytes) {
      ok = false;
      break;
    }
  }
  if (std::ferror(f)) ok = false;
  std::fclose(f);
  return ok;
}

}  // namespace

RSMKIT_API int rsm_get_segmentid_range(const char *appid, rsm_memseg_id_t *baseid,
                                       uint32_t *length) try {
  static const char fn[] = "rsm_get_segmentid_range";
  if (!appid || !addr_mapped(appid, 1)) return fail(fn, RSMERR_BAD_ADDR, "appid is not readable");
  if (!baseid || !addr_mapped(baseid, sizeof *baseid))
    return fail(fn, RSMERR_BAD_ADDR, "baseid is not writable");
  if (!length || !addr_mapped(length, sizeof *length))
    return fail(fn, RSMERR_BAD_ADDR, "length is not writable");
  std::string text;
  if (!read_conf(&text)) return fail(fn, RSMERR_BAD_CONF, "configuration file missing or unreadable");
  rsm_memseg_id_t b = 0;
  uint32_t n = 0;
  int rc = parse_segmentid_conf(text, appid, &b, &n);
  if (rc == RSMERR_BAD_CONF) return fail(fn, rc, "configuration file is malformed");
  if (rc) return fail(fn, rc, "appid has no reservation");
  *baseid = b;
  *length = n;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
