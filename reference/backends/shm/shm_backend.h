// rsmkit reference librsm: the POSIX shared memory backend (controller type
// "shm", unit 0). Segments are files in a shared directory (default /dev/shm)
// that every process of the host can map; several processes with different
// RSMKIT_NODE_ID values on one host act as several nodes.
#ifndef RSMKIT_BACKENDS_SHM_SHM_BACKEND_H
#define RSMKIT_BACKENDS_SHM_SHM_BACKEND_H

#include "core/backend.h"

namespace rsmkit::shm {

// Fills the table by name; entries this backend lacks stay null.
void fill_ops(rsmkit::BackendOps &ops);

}  // namespace rsmkit::shm

#endif  // RSMKIT_BACKENDS_SHM_SHM_BACKEND_H
