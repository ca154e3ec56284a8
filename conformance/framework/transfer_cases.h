// rsmkit conformance: the codes and the offset/count cases that probe the
// element transfers (rsm_memseg_import_get*, rsm_memseg_import_put*). One
// list for both directions, so that a corner case added for one is tried
// for the other. `len` is the segment's size, `elem` the element size.
#ifndef RSMC_TRANSFER_CASES_H
#define RSMC_TRANSFER_CASES_H

#include <rsmapi.h>
#include <sys/types.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "framework/rc_set.h"

namespace rsmc {

// An offset or a range beyond the segment: the pages give both codes.
inline const RcSet kRangeCodes{RSMERR_BAD_OFFSET, RSMERR_BAD_LENGTH};
// The 16-element buffer of the overflow cases cannot hold rep_cnt elements
// either, so an implementation that probes the local range first may say
// RSMERR_BAD_ADDR.
inline const RcSet kOverlongBuffer{RSMERR_BAD_ADDR};
// A misaligned offset: the page requires element alignment but names no code
// for it: BAD_MEM_ALIGNMENT (illumos), BAD_OFFSET, or the header's own
// RSMERR_MISALIGNED_OFFSET (documented for no function, but the exact name
// of this condition).
inline const RcSet kMisalignedOffsetCodes{RSMERR_BAD_MEM_ALIGNMENT, RSMERR_BAD_OFFSET, RSMERR_MISALIGNED_OFFSET};
// After the exporter went away: CONN_ABORTED is the page's code; a handle
// whose connection is gone may also be reported as not connected
// (BAD_SEG_HNDL), and the implicit barrier around the call may report the
// loss as an I/O completion failure (BARRIER_FAILURE).
inline const RcSet kLostCodes{RSMERR_CONN_ABORTED, RSMERR_BAD_SEG_HNDL, RSMERR_BARRIER_FAILURE};

// A transfer: segment offset, element count.
using Transfer = std::pair<size_t, unsigned long>;

// Element-aligned offsets to add a misalignment (1 .. elem-1) to.
inline std::vector<size_t> misaligned_offset_bases(size_t len, size_t page, size_t elem) {
  return {0, 5 * elem, page, len - 2 * elem};
}

inline std::vector<off_t> negative_offsets(size_t page, size_t elem) {
  return {-static_cast<off_t>(elem), -static_cast<off_t>(page), static_cast<off_t>(INT64_MIN)};
}

inline std::vector<size_t> offsets_at_or_past_end(size_t len, size_t page, size_t elem) {
  return {len, len + elem, len + page, static_cast<size_t>(INT64_MAX) & ~size_t{7}};
}

// Start inside the segment, end past it. Nothing may move, not even the
// part that would fit.
inline std::vector<Transfer> transfers_past_end(size_t len, size_t page, size_t elem) {
  const unsigned long all = len / elem;
  return {{len - elem, 2}, {0, all + 1}, {page, all}, {len - 4 * elem, 5}, {len / 2, all / 2 + 1}};
}

// rep_cnt * element size (or offset + bytes) wraps around: a range check
// done in plain arithmetic would pass and then move data far past the
// buffer or the segment.
inline std::vector<Transfer> count_overflows(size_t len, size_t elem) {
  const unsigned long e = elem;
  std::vector<Transfer> cases = {
      {0, ULONG_MAX},
      {e, (0 - e) / e},          // offset + bytes == 2^64
      {len - e, ULONG_MAX / e},  // offset + bytes wraps below the offset
  };
  if (e > 1) {
    cases.push_back({0, ULONG_MAX / e + 1});  // count * size == 2^64, i.e. 0
    cases.push_back({0, ULONG_MAX / e + 2});  // count * size wraps to one element
  }
  return cases;
}

// Valid transfers: the ends, page boundaries, odd counts, half the segment.
inline std::vector<Transfer> transfers_in_range(size_t len, size_t page, size_t elem) {
  const unsigned long all = len / elem;
  return {
      {0, 1},
      {0, 2},
      {elem, 1},
      {3 * elem, 5},
      {page - elem, 2},
      {page, page / elem},
      {len / 2 - 3 * elem, 7},
      {len - 16 * elem, 16},
      {len - elem, 1},
      {page + 8 * elem, all / 2},
  };
}

// For the byte forms, where any offset and address is aligned: odd segment
// offsets, and odd displacements of the local buffer.
inline std::vector<size_t> odd_byte_offsets(size_t len, size_t page) { return {1, 3, 7, page - 1, page + 5, len - 13}; }
inline std::vector<size_t> odd_misalignments() { return {1, 3, 5, 7}; }

}  // namespace rsmc

#endif  // RSMC_TRANSFER_CASES_H
