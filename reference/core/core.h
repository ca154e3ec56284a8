// rsmkit reference librsm: core-internal declarations (objects, tables,
// helpers). Nothing here is visible outside librsm.so.
#ifndef RSMKIT_CORE_CORE_H
#define RSMKIT_CORE_CORE_H

#include <rsmapi.h>
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "core/backend.h"
#include "core/mutants.h"

#define RSMKIT_API extern "C" __attribute__((visibility("default")))

// Every entry point is a function-try-block ending in this: an allocation
// failure anywhere below becomes an error code, never an exception escaping
// into C callers.
#define RSMKIT_OOM_GUARD(code)                                \
  catch (const std::bad_alloc &) {                            \
    return ::rsmkit::fail(__func__, code, "out of memory");   \
  }

namespace rsmkit {

// ---- process facts -------------------------------------------------------
// getpid() is a syscall on current glibc; hot paths use this cached copy,
// refreshed in the child after fork.
pid_t current_pid();
size_t page_size();
inline bool page_aligned(uintptr_t v, size_t page = page_size()) { return v % page == 0; }

// True when [p, p+n) is mapped in this process (a cheap check that turns a
// pointer to unmapped memory into RSMERR_BAD_ADDR instead of a crash). Pointers
// to mapped but inaccessible pages are not detected.
bool addr_mapped(const void *p, size_t n);
// Whether the caller's data buffer of a get/put/getv/putv can be read (or,
// with write, written): one guarded touch per page, no system call, so an
// unmapped or read-only buffer is RSMERR_BAD_ADDR instead of a crash. Also
// used for the output pointers of connect and map, the calls of a
// connect+map cycle, where addr_mapped's mincore was a tenth of the cost.
bool buffer_usable(void *p, size_t n, bool write);
// Every page of [p, p+n) is mapped; *writable says whether all are writable.
bool range_mapped(const void *p, size_t n, bool *writable);

// ---- logging and error decisions -----------------------------------------
// Logs "rsmkit: <fn>: <CODE>: <why>" when RSMKIT_DEBUG is set; returns code.
// Every error is decided (and so logged) in exactly one place.
int fail(const char *fn, int code, const char *why);
const char *rsmerr_name(int code);

// The one place backend Status becomes an RSMERR_* code (status_map.cc).
enum class Op {
  get_controller, export_create, export_rebind, export_publish, export_republish, export_unpublish,
  import_connect, import_map, import_xfer, import_xfer_vector, barrier, signal_post,
  localmem_create, topology,
};
int to_rsmerr(Status s, Op op);
// Convenience: log and map a backend failure.
int fail_status(const char *fn, Status s, Op op);

// ---- backends --------------------------------------------------------------
// Looks a controller type up (built-in, then plug-ins). *abi_mismatch is set
// when a plug-in exists but speaks another backend ABI.
const BackendOps *find_backend(const std::string &type, bool *abi_mismatch);
// Every backend compiled in, for topology.
size_t builtin_backends(const BackendOps **out, size_t max);

// ---- objects ---------------------------------------------------------------
struct Controller {
  std::mutex mu;
  const BackendOps *ops = nullptr;
  BackendCtlr *bc = nullptr;
  std::string name;  // canonical "<type><unit>"
  uint32_t unit = 0;
  pid_t owner = 0;
  int refs = 0;  // rsm_get_controller references not yet released
  rsmapi_controller_attr_t attr{};
  size_t export_count = 0, export_bytes = 0, import_count = 0;
  uint64_t key = 0;
  ~Controller();
  // The controller's page size: what export ranges and map offsets align to.
  size_t page() const { return attr.attr_page_size ? attr.attr_page_size : page_size(); }
};

// Controller limits of 0 mean "no limit" (a backend that reports nothing).
inline bool over_limit(size_t used_plus_new, size_t limit) { return limit && used_plus_new > limit; }

enum class ExportState { created, published };

struct ExportSeg {
  std::mutex mu;
  std::shared_ptr<Controller> ctlr;
  uint64_t ctlr_key = 0;  // to tell whether the controller handle was released
  BackendExport *be = nullptr;
  pid_t creator = 0;
  void *vaddr = nullptr;
  size_t len = 0;
  uint32_t flags = 0;
  uint32_t default_mode = 0;
  ExportState state = ExportState::created;
  rsm_memseg_id_t segid = 0;
  int pollfd_refs = 0;
  uint64_t key = 0;
};

enum class ImportState { connected, mapped };

struct ImportSeg {
  std::mutex mu;
  std::shared_ptr<Controller> ctlr;
  uint64_t ctlr_key = 0;
  BackendImport *bi = nullptr;
  pid_t owner = 0;
  size_t size = 0;
  uint32_t perm = 0;  // access requested (and granted) at connect
  ImportState state = ImportState::connected;
  bool abort_reported = false;  // CONN_ABORTED was returned once already
  void *map_addr = nullptr;
  size_t map_len = 0;
  Placement map_where = Placement::anywhere;
  rsm_barrier_mode_t mode = RSM_BARRIER_MODE_IMPLICIT;
  int barriers = 0;      // live barriers bound to this segment
  int open_spans = 0;    // barriers of this segment with an open span
  int span_failure = 0;  // first error inside an explicit span, for close
  int pollfd_refs = 0;
  uint64_t key = 0;
};

struct LocalMem {
  std::shared_ptr<Controller> ctlr;
  BackendLocalMem *bm = nullptr;
  pid_t owner = 0;
  char *addr = nullptr;
  size_t len = 0;
  uint64_t key = 0;
};

struct Barrier {
  uint64_t seg_key = 0;
  bool open = false;
  uint64_t key = 0;
  pid_t owner = 0;
};

// True when the controller handle the segment was made through is released.
bool controller_released(uint64_t ctlr_key);

}  // namespace rsmkit

#endif  // RSMKIT_CORE_CORE_H
