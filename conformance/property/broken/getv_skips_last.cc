// Broken shim: rsm_memseg_import_getv leaves out the last entry of a vector
// of two or more and still reports success, residual 0. Caught by
// PropertyData.
#include "property/broken/forward.h"

extern "C" int rsm_memseg_import_getv(rsm_scat_gath_t *sg_io) {
  auto getv = RSMC_REAL(rsm_memseg_import_getv);
  if (!sg_io || sg_io->io_request_count < 2 || sg_io->io_request_count > RSM_MAX_SGIOREQS)
    return getv(sg_io);
  sg_io->io_request_count--;
  int rc = getv(sg_io);
  sg_io->io_request_count++;
  if (rc == RSM_SUCCESS) sg_io->io_residual_count = 0;
  return rc;
}
