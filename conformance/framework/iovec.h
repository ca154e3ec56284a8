// rsmkit conformance: building the requests of rsm_memseg_import_putv/getv
// (rsm_iovec_t entries, rsm_scat_gath_t), field by field from zero, so that
// no test leaves a field holding garbage by accident.
#ifndef RSMC_IOVEC_H
#define RSMC_IOVEC_H

#include <rsmapi.h>

#include <cstddef>

namespace rsmc {

// An RSM_VA_TYPE entry: local memory at vaddr + local_off.
inline rsm_iovec_t va_iovec(char *vaddr, size_t local_off, size_t remote_off, size_t len) {
  rsm_iovec_t v{};
  v.io_type = RSM_VA_TYPE;
  v.local.vaddr = vaddr;
  v.local_offset = local_off;
  v.remote_offset = remote_off;
  v.transfer_length = len;
  return v;
}

// An RSM_HANDLE_TYPE entry: local memory at local_off in a local memory handle.
inline rsm_iovec_t handle_iovec(rsm_localmemory_handle_t h, size_t local_off, size_t remote_off, size_t len) {
  rsm_iovec_t v{};
  v.io_type = RSM_HANDLE_TYPE;
  v.local.handle = h;
  v.local_offset = local_off;
  v.remote_offset = remote_off;
  v.transfer_length = len;
  return v;
}

// A request for n entries to the segment imported as imp; flags and
// io_residual_count 0.
inline rsm_scat_gath_t scat_gath(rsm_memseg_import_handle_t imp, rsm_iovec_t *iov, size_t n, rsm_node_id_t local_node) {
  rsm_scat_gath_t s{};
  s.local_nodeid = local_node;
  s.io_request_count = n;
  s.remote_handle = imp;
  s.iovec = iov;
  return s;
}

}  // namespace rsmc

#endif  // RSMC_IOVEC_H
