// rsmkit reference: what the process's address space holds over a range
// (the mappings, "VMAs"), for the core's range checks and the shm backend's
// choice of backing. Shared by both; knows nothing of the RSM API.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rsmkit::os {

struct Vma {
  uintptr_t start, end;
  uint64_t offset;  // in the backing file
  uint64_t inode;
  unsigned major, minor;
  bool readable, writable, shared;
  // The backing's name as /proc/<pid>/maps shows it ("" for anonymous
  // memory); name_too_long when it does not fit in a PATH_MAX buffer.
  const char *name;
  size_t name_len;
  bool name_too_long;
};

// Called once per mapping meeting the walked range, in address order;
// returns false to stop the walk.
using VmaVisitor = bool (*)(const Vma &, void *ctx);

// Visits, in address order, the mappings that cover [lo, hi) without a gap
// from lo (the first may start below lo). The walk stops at the first hole,
// at hi, or when visit returns false: a caller whose last visited mapping
// ends below hi has found a hole there.
// want_names: fill Vma::name (costs a path lookup per mapping).
//
// Uses the PROCMAP_QUERY ioctl (Linux 6.11+: a lookup per mapping, whatever
// the size of the address space) and falls back to reading /proc/self/maps
// whole on older kernels. Returns 0, or an errno when the address space
// cannot be read (ENOMEM, EMFILE, ...).
int walk_vmas(uintptr_t lo, uintptr_t hi, bool want_names, VmaVisitor visit, void *ctx);

// The same walk forced onto the /proc/self/maps reader (tests compare both).
int walk_vmas_by_listing(uintptr_t lo, uintptr_t hi, bool want_names, VmaVisitor visit,
                         void *ctx);

}  // namespace rsmkit::os
