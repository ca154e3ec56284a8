// Broken shim: rsm_memseg_import_put writes one byte more than asked (the
// byte after the range gets garbage) whenever the segment has room for it.
// Caught by PropertyData.
#include <cstring>
#include <vector>

#include "property/broken/forward.h"

extern "C" int rsm_memseg_import_put(rsm_memseg_import_handle_t im_memseg, off_t offset,
                                     void *src_addr, size_t length) {
  auto put = RSMC_REAL(rsm_memseg_import_put);
  if (!src_addr || length == 0) return put(im_memseg, offset, src_addr, length);
  std::vector<char> more(length + 1);
  std::memcpy(more.data(), src_addr, length);
  more[length] = static_cast<char>(more[length - 1] ^ 0x5A);
  int rc = put(im_memseg, offset, more.data(), length + 1);
  if (rc == RSMERR_BAD_LENGTH || rc == RSMERR_BAD_OFFSET) rc = put(im_memseg, offset, src_addr, length);
  return rc;
}
