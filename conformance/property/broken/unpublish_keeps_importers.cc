// Broken shim: rsm_memseg_export_unpublish of a published segment reports
// success but tears nothing down -- the segment stays importable and its
// importers are not aborted (their gets keep succeeding). Caught by
// PropertyLifecycle.
#include <mutex>
#include <set>

#include "property/broken/forward.h"

namespace {
std::mutex mu;
std::set<rsm_memseg_export_handle_t> published;  // by this shim's publish
}  // namespace

extern "C" int rsm_memseg_export_publish(rsm_memseg_export_handle_t memseg, rsm_memseg_id_t *segment_id,
                                         rsmapi_access_entry_t access_list[], uint_t access_list_length) {
  int rc = RSMC_REAL(rsm_memseg_export_publish)(memseg, segment_id, access_list, access_list_length);
  std::lock_guard<std::mutex> lk(mu);
  if (rc == RSM_SUCCESS) published.insert(memseg);
  return rc;
}

extern "C" int rsm_memseg_export_unpublish(rsm_memseg_export_handle_t memseg) {
  {
    std::lock_guard<std::mutex> lk(mu);
    if (published.erase(memseg)) return RSM_SUCCESS;  // the bug: nothing happens
  }
  return RSMC_REAL(rsm_memseg_export_unpublish)(memseg);
}
