// Broken shim: rsm_memseg_import_map ignores its offset and maps the window
// from the start of the segment. Caught by PropertyMap.
#include "property/broken/forward.h"

extern "C" int rsm_memseg_import_map(rsm_memseg_import_handle_t im_memseg, void **address,
                                     rsm_attribute_t attr, rsm_permission_t perm, off_t offset,
                                     size_t length) {
  (void)offset;
  return RSMC_REAL(rsm_memseg_import_map)(im_memseg, address, attr, perm, 0, length);
}
