// rsmkit reference librsm: helpers shared by the import-side entry points.
#ifndef RSMKIT_CORE_IMPORT_COMMON_H
#define RSMKIT_CORE_IMPORT_COMMON_H

#include "core/core.h"

namespace rsmkit {

// Asks the backend whether the connection still stands (call with seg.mu
// held). The first detection of a teardown is CONN_ABORTED; with
// map_semantics, later calls see the segment as not connected
// (SEG_NOT_CONNECTED), which is how map tells the two apart.
inline int check_connection(const char *fn, ImportSeg &seg, bool map_semantics) {
  if (map_semantics && seg.abort_reported)
    return fail(fn, RSMERR_SEG_NOT_CONNECTED, "connection was aborted");
  if (seg.ctlr->ops->import_check(seg.bi) == Status::ok) return RSM_SUCCESS;
  seg.abort_reported = true;
  return fail(fn, RSMERR_CONN_ABORTED, "connection to the exporter was lost");
}

}  // namespace rsmkit

#endif  // RSMKIT_CORE_IMPORT_COMMON_H
