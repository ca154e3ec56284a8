// rsmkit reference: memory accesses that fail instead of crashing. A fault
// (SIGSEGV, SIGBUS) inside a guarded access jumps back out of it; any other
// fault goes to the handler installed before ours, or kills the process as it
// would have without us. Shared by the core (probes of caller buffers) and
// the shm backend (copies into a caller's buffer).
#pragma once

#include <stddef.h>

namespace rsmkit::os {

// Touches one byte per page of [p, p+n): a read, or with write an atomic add
// of 0 (needs write access, changes nothing even if another thread writes
// the byte meanwhile). False if a page faulted.
bool touch_pages(void *p, size_t n, bool write);

// Runs fn(ctx) under the guard. False if it faulted. fn must be plain data
// movement: on a fault its frames are left by siglongjmp, without unwinding.
bool run_guarded(void (*fn)(void *ctx), void *ctx);

}  // namespace rsmkit::os
