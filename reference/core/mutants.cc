// rsmkit reference librsm: the mutant registry and the run-time switch of
// librsm-mutants (see mutants.h). Not part of librsm.
#include "core/mutants.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rsmkit {

namespace {

// Every fault site, named "<area>.<rule it breaks>"; ci/mutation.sh checks
// that each name here appears at exactly one RSMKIT_MUTANT site and back.
constexpr MutantInfo kMutants[] = {
    // rsm_memseg_import_map / unmap: at least one per documented error.
    {"map.bad_handle_code", "map: a dead handle is SEG_NOT_CONNECTED instead of BAD_SEG_HNDL"},
    {"map.null_address_unchecked", "map: address == NULL is not refused with BAD_ADDR"},
    {"map.fixed_unaligned_accepted", "map: RSM_MAP_FIXED at an unaligned address is not BAD_MEM_ALIGNMENT"},
    {"map.zero_length_accepted", "map: length 0 is not BAD_LENGTH"},
    {"map.length_past_end_by_one", "map: offset+length one byte past the segment is accepted (< vs <=)"},
    {"map.range_overflow", "map: offset+length computed with a sum that wraps"},
    {"map.unaligned_offset_accepted", "map: an offset that is not page aligned is not BAD_OFFSET"},
    {"map.undefined_perm_accepted", "map: perm other than READ, WRITE, RDWR is not BAD_PERMS"},
    {"map.perm_beyond_connect_accepted", "map: perm beyond what the connection grants is not BAD_PERMS"},
    {"map.connection_unchecked", "map: a lost connection is not CONN_ABORTED (the dead segment is mapped)"},
    {"map.not_connected_code", "map: after CONN_ABORTED, a map is SEG_NOT_MAPPED instead of SEG_NOT_CONNECTED"},
    {"map.undefined_attr_code", "map: an attr outside rsm_attribute_t is BAD_PERMS instead of MAP_FAILED"},
    {"status.map_no_memory_code", "map: a mapping that fails for lack of memory is INSUFFICIENT_MEM, not MAP_FAILED"},
    {"map.already_mapped_allowed", "map: a mapped segment is mapped again instead of SEG_ALREADY_MAPPED"},
    {"map.already_mapped_keeps_lock", "map: the SEG_ALREADY_MAPPED path leaves the handle's mutex locked"},
    {"map.ignores_fixed", "map: RSM_MAP_FIXED is ignored (the mapping goes anywhere)"},
    {"unmap.bad_handle_code", "unmap: a dead handle is SEG_NOT_MAPPED instead of BAD_SEG_HNDL"},
    {"unmap.pollfd_unchecked", "unmap: succeeds while a poll descriptor is held"},
    {"unmap.state_kept", "unmap: the segment stays 'mapped' (a later map is SEG_ALREADY_MAPPED)"},
    // rsm_memseg_import_connect / disconnect
    {"connect.undefined_perm_accepted", "connect: perm other than 0400, 0200, 0600 is not PERM_DENIED"},
    {"connect.access_not_enforced", "connect: the owner/group/other digit of the grant is not enforced"},
    {"connect.owner_gets_group_digit", "connect: the exporter's own uid is judged by the group digit"},
    {"connect.import_limit_off_by_one", "connect: one import more than attr_max_import_segments is allowed"},
    {"connect.node_not_listed_ignored", "connect: an access list without this node is not SEG_NOT_PUBLISHED_TO_NODE"},
    {"disconnect.mapped_allowed", "disconnect: a mapped segment is disconnected instead of SEG_STILL_MAPPED"},
    {"disconnect.still_mapped_keeps_lock", "disconnect: the SEG_STILL_MAPPED path leaves the handle's mutex locked"},
    {"disconnect.pollfd_unchecked", "disconnect: succeeds while a poll descriptor is held"},
    // rsm_memseg_export_create / destroy / rebind
    {"create.unaligned_vaddr_accepted", "export_create: an unaligned vaddr is not BAD_MEM_ALIGNMENT"},
    {"export.read_only_memory_accepted", "export_create/rebind: read-only memory is not PERM_DENIED"},
    {"create.segment_limit_off_by_one", "export_create: one segment more than attr_max_export_segments is allowed"},
    {"destroy.pollfd_unchecked", "export_destroy: succeeds while a poll descriptor is held"},
    {"destroy.limits_not_released", "export_destroy: the segment still counts against the controller limit"},
    {"rebind.allow_flag_unchecked", "rebind: a segment created without RSM_ALLOW_REBIND is rebound"},
    {"rebind.length_unchecked", "rebind: a length other than the segment's is not BAD_LENGTH"},
    // rsm_memseg_export_publish / unpublish / republish
    {"publish.twice_allowed", "publish: a published segment is published again instead of SEG_ALREADY_PUBLISHED"},
    {"publish.first_reserved_id_accepted", "publish: id 1, the first reserved id, is accepted (> 1 vs > 0)"},
    {"publish.reserved_id_off_by_one", "publish: the last reserved id (RSM_OPS_ID_END) is accepted (< vs <=)"},
    {"publish.acl_high_bits_accepted", "publish: permission bits above 0777 are not BAD_ACL"},
    {"publish.chosen_id_not_returned", "publish: the id chosen for *segment_id == 0 is not stored back"},
    {"unpublish.pollfd_unchecked", "unpublish: succeeds while a poll descriptor is held"},
    {"unpublish.connections_kept", "unpublish: importers keep working (their connections are not torn down)"},
    {"unpublish.state_kept", "unpublish: the segment stays 'published' in the core's state machine"},
    {"republish.list_ignored", "republish: the new access list is ignored (every node is admitted)"},
    // rsm_get_controller / release, topology, local memory
    {"controller.unknown_type_code", "get_controller: an unknown controller type is BAD_CTLR_HNDL, not CTLR_NOT_PRESENT"},
    {"controller.get_does_not_count", "get_controller: a second get of an open controller takes no reference"},
    {"controller.release_keeps_handle", "release_controller: the last release leaves the handle usable"},
    {"topology.null_pointer_code", "topology: topology_data == NULL is BAD_ADDR instead of BAD_TOPOLOGY_PTR"},
    {"localmem.zero_length_accepted", "create_localmemory_handle: length 0 is not BAD_LENGTH"},
    {"localmem.free_keeps_handle", "free_localmemory_handle: the freed handle stays valid (a second free succeeds)"},
    // get/put and barriers
    {"get.write_only_allowed", "get: a write-only connection may read (PERM_DENIED not enforced)"},
    {"xfer.unaligned_offset_accepted", "get/put: an offset not aligned to the element size is not BAD_MEM_ALIGNMENT"},
    {"xfer.length_past_end_by_one", "get/put: one element past the end of the segment is accepted"},
    {"xfer.range_overflow", "get/put: offset + count * size computed with arithmetic that wraps"},
    {"xfer.barrier_unchecked", "get/put: no initialised barrier is not BARRIER_UNINITIALIZED"},
    {"xfer.abort_unchecked", "get/put: a lost connection is not CONN_ABORTED (data still moves)"},
    {"xfer.span_moves_after_abort", "get/put: inside an explicit span, data moves after the connection is lost"},
    {"barrier.init_not_counted", "init_barrier: the barrier is not counted for its segment"},
    {"barrier.destroy_not_counted", "destroy_barrier: the barrier still counts for its segment"},
    {"barrier.close_unopened_allowed", "close_barrier: a barrier that is not open is not BARRIER_NOT_OPENED"},
    {"barrier.close_keeps_span_open", "close_barrier: the span stays open after the close"},
    {"barrier.close_never_aborts", "close_barrier: a lost connection is never CONN_ABORTED"},
    {"barrier.order_never_aborts", "order_barrier: a lost connection is never CONN_ABORTED"},
    {"set_mode.value_unchecked", "set_mode: a mode other than IMPLICIT/EXPLICIT is not BAD_MODE"},
    {"set_mode.not_stored", "set_mode: the mode is not stored (get_mode still says the old one)"},
    // putv / getv
    {"putv.max_count_off_by_one", "putv/getv: io_request_count == RSM_MAX_SGIOREQS is BAD_SGIO (>= vs >)"},
    {"putv.perm_unchecked", "putv/getv: the connection's access is not enforced (PERM_DENIED)"},
    {"putv.local_range_unchecked", "putv/getv: an entry past the end of its local memory handle is accepted"},
    {"putv.residual_off_by_one", "putv/getv: io_residual_count on a failure is one less than the entries not done"},
    {"putv.residual_not_cleared", "putv/getv: io_residual_count is not 0 after a success"},
    {"putv.implicit_sigpost_ignored", "putv/getv: RSM_IMPLICIT_SIGPOST posts no signal"},
    // signals and poll descriptors
    {"signal_post.no_accumulate_ignored", "signal_post: RSM_SIGPOST_NO_ACCUMULATE is ignored (events pile up)"},
    {"signal_post.abort_unchecked", "signal_post: posting on a lost connection is not CONN_ABORTED"},
    {"signal_wait.timeout_code", "signal_wait: an expired timeout is INTERRUPTED instead of TIMEOUT"},
    {"get_pollfd.unpublished_allowed", "get_pollfd: an export segment that is not published gets a descriptor"},
    {"get_pollfd.not_counted", "get_pollfd: the descriptor is not counted (unpublish/unmap/destroy ignore it)"},
    {"release_pollfd.underflow", "release_pollfd: releasing more than was got drives the count negative"},
    {"wait_pollfd.event_not_consumed", "wait_pollfd: a reported event is not consumed (it is reported again)"},
    {"wait_pollfd.count_off_by_one", "wait_pollfd: *numfdsp is one more than the descriptors with events"},
};

}  // namespace

const MutantInfo *mutants(size_t *count) {
  *count = sizeof kMutants / sizeof *kMutants;
  return kMutants;
}

namespace {

bool known(const char *name) {
  for (const MutantInfo &m : kMutants)
    if (std::strcmp(m.name, name) == 0) return true;
  return false;
}

// RSMKIT_MUTANT, copied once (the caller may change its environment later);
// empty when no mutant is selected.
const char *selected() {
  static char name[128];
  static const bool once = [] {
    const char *v = std::getenv("RSMKIT_MUTANT");
    if (!v || !*v) return true;
    if (std::strlen(v) >= sizeof name || !known(v)) {
      std::fprintf(stderr, "librsm-mutants: RSMKIT_MUTANT=%s is not a known mutant\n", v);
      std::abort();
    }
    std::strcpy(name, v);
    return true;
  }();
  (void)once;
  return name;
}

// With RSMKIT_MUTANT_TRACE=FILE, the first time a process reaches the
// selected mutant's site its name is appended to FILE: ci/mutation.sh tells a
// survivor whose site no test reaches from one whose effect no test observes.
void note_reached(const char *name) {
  static std::atomic<bool> noted{false};
  if (noted.exchange(true)) return;
  const char *path = std::getenv("RSMKIT_MUTANT_TRACE");
  if (!path || !*path) return;
  int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[160];
  int n = std::snprintf(line, sizeof line, "%s\n", name);
  if (n > 0) (void)!::write(fd, line, static_cast<size_t>(n));
  ::close(fd);
}

}  // namespace

bool mutant_active(const char *name) {
  const char *sel = selected();
  if (!*sel || std::strcmp(sel, name) != 0) return false;
  note_reached(name);
  return true;
}

}  // namespace rsmkit
