// rsmkit shm backend: declarations shared by its translation units.
//
// Everything lives in files of one directory (RSMKIT_SHM_DIR, default
// /dev/shm) whose names start with "<prefix>." (RSMKIT_SHM_PREFIX, default
// "rsmkit"):
//   <prefix>.proc.<pid>          presence page of a process (liveness)
//   <prefix>.mem.<pid>.<serial>  memory object of an export: header pages,
//                                then the data (absent while the segment is
//                                bound to the caller's own shared memory)
//   <prefix>.ev.<pid>.<serial>   event FIFO of an export or import object
//   <prefix>.stale.<pid>.<serial> a name being removed (see remove_if_stale)
//   <prefix>.n<node>.s<segid>    publication: hard link to a memory object
// A name that carries a pid belongs to that process; it is stale once the
// process is dead, and any process sweeps stale names.
#ifndef RSMKIT_BACKENDS_SHM_SHM_INTERNAL_H
#define RSMKIT_BACKENDS_SHM_SHM_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/backend.h"

namespace rsmkit::shm {

// ---- errors ----------------------------------------------------------------

// Maps an errno value to the backend currency; fallback for anything that is
// not a shortage.
Status errno_status(int err, Status fallback);

// ---- names -----------------------------------------------------------------

struct Path {
  char s[PATH_MAX];
};

// "<dir>/<prefix>.<kind>.<pid>.<serial>"; false if it does not fit.
bool object_path(Path &out, const char *kind, pid_t pid, uint32_t serial);
// "<dir>/<prefix>.proc.<pid>"
bool presence_path(Path &out, pid_t pid);
// "<dir>/<prefix>.n<node>.s<segid as 8 hex digits>"
bool publication_path(Path &out, rsm_node_id_t node, rsm_memseg_id_t segid);

// ---- the process -----------------------------------------------------------

// Facts fixed for the life of the process (until fork, in the child).
struct ProcessInfo {
  pid_t pid;
  uint64_t start_time;  // field 22 of /proc/<pid>/stat: tells pid reuse apart
  rsm_node_id_t node;
  const char *dir;
  const char *prefix;
};

// Lazy per-process set-up: reads the environment, sweeps stale names and
// creates the presence page with its liveness thread. Cheap once done.
Status ensure_process();
// Valid after ensure_process() returned ok.
const ProcessInfo &process();
// The controller is its directory: once that is gone (removed, or no longer
// searchable) shm0 is absent, the way a card that was pulled is. Checked on
// the paths that create or look up names, after a failure or for rebind.
Status directory_status();
// A per-process counter that makes object names unique.
uint32_t next_serial();

// ---- presence and liveness -------------------------------------------------

constexpr uint64_t kPresenceMagic = 0x72736d6b70726531ULL;  // "rsmkpre1"

// The page "<prefix>.proc.<pid>". Its owner's liveness thread holds `lock`
// until the process dies (or exits normally); the kernel then marks the
// robust mutex owner-dead. Anyone can test it with a trylock: EBUSY is alive;
// owner-dead, or free (the first observer of the death frees it), is dead.
struct PresencePage {
  std::atomic<uint64_t> magic;  // stored last: the page is complete and locked
  int32_t pid;
  rsm_node_id_t node;
  uint64_t start_time;
  pthread_mutex_t lock;  // robust, process-shared
};

// Maps the presence page of pid read-write if it exists, is complete and
// belongs to the incarnation started at start_time (0: any). nullptr if not.
PresencePage *map_presence(pid_t pid, uint64_t start_time);
void unmap_presence(PresencePage *p);
// Whether the page's owner lives. No system call while it does. Can say
// "alive" once too often while another process is testing a dead page.
bool presence_alive(PresencePage *p);
// Whether process pid, started at start_time, still lives (maps its page).
bool process_alive(pid_t pid, uint64_t start_time);
// Whether some live process acts as node.
bool node_alive(rsm_node_id_t node);
// Every other live node, sorted, without duplicates, as seen through "shm0";
// up to max stored in out, the total in *count.
Status live_remote_nodes(RemoteNode *out, size_t max, size_t *count);

// ---- sweeping -------------------------------------------------------------

// Removes every stale name of the directory (crash leftovers). At the first
// set-up of a process, names carrying its own pid are stale by definition.
void sweep_stale_names(bool own_pid_is_stale);
// At normal exit: removes every name this process owns, presence page last.
void remove_own_names();

// ---- segment memory objects ------------------------------------------------

constexpr uint64_t kSegMagic = 0x72736d6b73656731ULL;  // "rsmkseg1"
constexpr uint32_t kSegVersion = 3;  // 2: binding descriptor, header pages; 3: event words
constexpr uint32_t kMaxAcl = 64;
constexpr uint32_t kMaxImporters = 256;

enum SegState : uint32_t { seg_created = 1, seg_published = 2, seg_destroyed = 3 };

// What backs a segment's data, i.e. where importers find its pages.
enum BackingKind : uint32_t {
  backing_object = 0,  // the memory object's own data area (private memory,
                       // copied in and mapped over the caller's range)
  backing_sysv = 1,    // a System V shared memory segment, by shmid
  backing_file = 2,    // a file the caller maps MAP_SHARED, by path
};

// The memory object starts with header_bytes() of header: the SegHeader page,
// then two path slots of PATH_MAX bytes (the file path of a backing_file
// binding; a new path goes to the slot not in use, see commit_binding).
// Fields without std::atomic are written once before the object can be found.
struct SegHeader {
  std::atomic<uint64_t> magic;  // stored last at create
  uint32_t version;
  uint32_t header_bytes;  // offset of the data in the file (header_bytes())
  uint64_t size;          // bytes of data
  int32_t creator_pid;
  rsm_node_id_t creator_node;
  uint64_t creator_start;
  uint32_t creator_uid;
  uint32_t creator_gid;
  uint32_t event_serial;  // of the exporter's event endpoint (exporter_events)
  std::atomic<uint32_t> state;
  std::atomic<uint64_t> generation;  // bumped when connections are torn down
  std::atomic<uint32_t> segid;
  pthread_mutex_t lock;  // robust, process-shared; guards the access list
  uint32_t acl_count;
  uint32_t has_list;
  uint32_t default_mode;
  AclEntry acl[kMaxAcl];
  // 0: free; else (pid << 32 | serial) of the importer's event endpoint,
  // whose word is importer_events at the same index.
  std::atomic<uint64_t> importers[kMaxImporters];
  std::atomic<uint64_t> importer_events[kMaxImporters];
  std::atomic<uint64_t> exporter_events;  // see EventEndpoint
  // The binding: a sequence lock (odd while the exporter changes it, bumped by
  // 2 per change) over the fields after it and the path slot ((seq/2) & 1).
  std::atomic<uint32_t> bind_seq;
  std::atomic<uint32_t> bind_kind;  // BackingKind
  std::atomic<int32_t> bind_shmid;  // sysv
  std::atomic<int32_t> bind_shm_cpid;  // sysv: creator pid, tells a reused id apart
  std::atomic<uint64_t> bind_offset;  // sysv, file: byte offset of the data
  std::atomic<uint64_t> bind_extent;  // sysv: segment size (shm_segsz)
  std::atomic<uint64_t> bind_dev;     // file: st_dev and st_ino of the file
  std::atomic<uint64_t> bind_ino;
};

// header_bytes() rounds the header up to whole pages.
static_assert(sizeof(SegHeader) <= 2 * 4096, "the header grew: check header_bytes() users");
static_assert(std::atomic<uint32_t>::is_always_lock_free, "shared atomics must be lock-free");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "shared atomics must be lock-free");

// Locks a robust mutex in shared memory; a dead holder's state is accepted
// (readers never leave it inconsistent; a dead writer is a dead exporter,
// which every user detects separately). False only if unusable.
bool lock_shared(pthread_mutex_t *m);
// Initialises m as a robust, process-shared mutex.
bool init_shared_mutex(pthread_mutex_t *m);

// Bytes of header at the start of every memory object (a page multiple).
size_t header_bytes();

// Maps the header of the memory object open on fd, if the file holds a whole
// header and the header is complete. (Whether the data area is there too is
// checked by whoever maps it: it exists only while the binding is an object.)
// With whole, the whole file is mapped, data area included, in one mapping
// of *whole bytes; with file, the file's stat(2) is stored there.
SegHeader *map_header(int fd, size_t *whole = nullptr, struct stat *file = nullptr);
void unmap_header(SegHeader *h, size_t len = sizeof(SegHeader));

// Opens the memory object at path again, read-write, if it is still the one
// with device dev and inode ino (a name can be replaced meanwhile). -1 if
// not, with errno set (ESTALE for another object).
int reopen_object(const char *path, dev_t dev, ino_t ino);

// Whether the publication at path is stale: not a live, published object
// under (node, segid).
bool publication_stale(const char *path, rsm_node_id_t node, rsm_memseg_id_t segid);
// Renames path to a fresh "<prefix>.stale.<pid>.<serial>" name of ours.
bool move_aside(const char *path, Path &aside);
// Links aside back to path (unless path is null), then drops aside.
void put_back(const char *aside, const char *path);

// Removes the name at path if stale(path) says so. The verdict is taken again
// after the name has been moved aside (atomically, by rename), so a name that
// became live meanwhile (a new object under a reused pid or id) is put back
// instead of being destroyed.
template <typename Stale>
void remove_if_stale(const char *path, Stale stale) {
  if (!stale(path)) return;
  Path aside;
  if (!move_aside(path, aside)) return;
  put_back(aside.s, stale(aside.s) ? nullptr : path);
}

// ---- bindings --------------------------------------------------------------

// A binding as a process holds it.
struct Backing {
  BackingKind kind = backing_object;
  int32_t shmid = -1;
  int32_t shm_cpid = 0;
  uint64_t offset = 0;
  uint64_t extent = 0;
  uint64_t dev = 0;
  uint64_t ino = 0;
  Path path{};  // file
};

// What backs the caller's [vaddr, vaddr+len), from /proc/self/maps: private
// memory, or memory objects of this backend, is backing_object (the range is
// copied into the segment's object); a System V segment or a MAP_SHARED file
// reachable by its path is that backing, left in place. Anything else (shared
// memory nobody else can reach by name, a range over several backings) is
// perm_denied.
Status find_backing(void *vaddr, size_t len, Backing *out);
bool same_backing(const Backing &a, const Backing &b);
// Exporter side, one writer at a time: stage_binding writes what the readers
// cannot take from the atomics (the path, into the free slot); then
// commit_binding publishes the binding, without system calls.
bool stage_binding(SegHeader *h, int fd, const Backing &b);
void commit_binding(SegHeader *h, const Backing &b);
// Reader side: a consistent copy of the binding and its sequence number.
// False if the exporter stays mid-change (it died there) or the path slot
// cannot be read. fd -1: h maps the whole header (header_bytes()), path
// slots included, so the path is read from memory.
bool read_binding(SegHeader *h, int fd, PresencePage *exporter, Backing *out, uint32_t *seq);

// ---- events ----------------------------------------------------------------

// An event endpoint (of an export, or of an import) is a word in the segment
// header until its owner first asks for a descriptor (get_pollfd, a wait);
// then it is also a FIFO "<prefix>.ev.<pid>.<serial>" that the owner holds
// open, where a pending event is one byte, so the descriptor polls readable
// exactly while events are pending. The word is (serial << 32) |
// kEventsLive | pending: posts before the FIFO exists are counted there and
// moved into the FIFO when it is made. Connecting and creating thus cost no
// FIFO and no descriptor.
//
// The word is (identity << 18) | kEventsLive | pending, the identity being
// 22 bits of the owner's pid and 24 of its serial: an importer slot is reused
// by other processes, whose serials start at 1 like everyone's, so the pid is
// what keeps a late post (or a stale owner) off the next occupant's word.
constexpr uint64_t kEventsLive = uint64_t{1} << 17;
constexpr uint64_t kMaxPendingEvents = 65536;  // a FIFO's default capacity
static_assert(kMaxPendingEvents < kEventsLive, "the count must fit below the live bit");
inline uint64_t event_identity(pid_t pid, uint32_t serial) {
  return (static_cast<uint64_t>(pid) & 0x3FFFFF) << 24 | (serial & 0xFFFFFF);
}

// The owner's side, private to its process.
struct EventEndpoint {
  std::atomic<uint64_t> *word = nullptr;
  pid_t pid = 0;
  uint32_t serial = 0;
  int fd = -1;  // the FIFO once made
  Path path;
};

// Makes ep, of this process, the owner of word under serial (no events
// pending).
void event_init(EventEndpoint &ep, std::atomic<uint64_t> *word, uint32_t serial);
// The FIFO's descriptor, made at the first call; -1 if it cannot be made.
int event_open(EventEndpoint &ep);
// Removes the FIFO, if it was made.
void event_close(EventEndpoint &ep);

enum class Post { posted, dropped, gone, failed };
// Posts one event to the endpoint that process `owner` holds under serial
// at word. dropped: the endpoint already has events pending and the caller
// asked not to accumulate, the FIFO is full, or word is no longer that
// endpoint's; gone: the FIFO was made and nobody holds it any more (its
// owner is dead or has released it).
Post post_event(std::atomic<uint64_t> *word, pid_t owner, uint32_t serial, bool no_accumulate,
                int *err);
bool consume_event(int fd);

// ---- memory ----------------------------------------------------------------

// Replaces [addr, addr+len) by private anonymous memory with the same
// contents, so that the shared object behind it can go away.
bool privatize(void *addr, size_t len);

// sysconf(_SC_PAGESIZE), read once.
size_t page_size();

// ---- system call wrappers --------------------------------------------------

// open(2), retried on EINTR.
int open_retry(const char *path, int flags, mode_t mode = 0);

}  // namespace rsmkit::shm

#endif  // RSMKIT_BACKENDS_SHM_SHM_INTERNAL_H
