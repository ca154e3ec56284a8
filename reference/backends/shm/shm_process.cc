// rsmkit shm backend: per-process state, names, and the presence page whose
// robust mutex tells other processes whether this one is alive.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include "backends/shm/shm_internal.h"

namespace rsmkit::shm {

namespace {

constexpr size_t kMaxPrefix = 64;
constexpr const char *kDefaultDir = "/dev/shm";
constexpr const char *kDefaultPrefix = "rsmkit";
constexpr rsm_node_id_t kDefaultNode = 1;

// Process-global state. Plain data, zero-initialised before any code runs
// (no global constructor); filled once under g_mu, then read-only until a
// fork resets it in the child.
struct Process {
  ProcessInfo info;
  char dir[PATH_MAX];
  char prefix[kMaxPrefix + 1];
  PresencePage *presence;  // stays mapped: the liveness thread holds its lock
  pthread_t liveness;      // joined at exit
  bool hooks_installed;    // inherited by a forked child, which is right
};

std::mutex g_mu;
std::mutex g_presence_mu;  // the presence-page cache (map_presence)
Process g_proc;
std::atomic<bool> g_ready{false};
std::atomic<uint32_t> g_serial{0};
// Liveness thread hand-shake: 0 pending, 1 lock held, -1 failed.
std::atomic<int> g_liveness{0};
// Posted once, at exit, to let the liveness thread end.
sem_t g_stop_liveness;

// ---- configuration ---------------------------------------------------------

bool parse_node(const char *s, rsm_node_id_t *out) {
  if (!s || !*s) {
    *out = kDefaultNode;
    return true;
  }
  errno = 0;
  char *end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno || *end || *s == '-' || v > UINT32_MAX) return false;
  *out = static_cast<rsm_node_id_t>(v);
  return true;
}

bool copy_setting(char *dst, size_t cap, const char *env, const char *fallback) {
  const char *v = std::getenv(env);
  if (!v || !*v) v = fallback;
  size_t n = std::strlen(v);
  if (n >= cap) return false;
  std::memcpy(dst, v, n + 1);
  return true;
}

bool read_config(Process &p) {
  if (!copy_setting(p.dir, sizeof p.dir, "RSMKIT_SHM_DIR", kDefaultDir)) return false;
  if (!copy_setting(p.prefix, sizeof p.prefix, "RSMKIT_SHM_PREFIX", kDefaultPrefix))
    return false;
  if (std::strchr(p.prefix, '/')) return false;
  return parse_node(std::getenv("RSMKIT_NODE_ID"), &p.info.node);
}

// Field 22 of /proc/self/stat: start time in clock ticks after boot. With the
// pid it names one process for good; 0 if unreadable.
uint64_t read_start_time() {
  int fd = open_retry("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  // The command name (field 2) may hold spaces and ')': skip to its last ')'.
  char *p = std::strrchr(buf, ')');
  if (!p) return 0;
  p++;
  for (int field = 3; field < 22; field++) {
    p = std::strchr(p + 1, ' ');
    if (!p) return 0;
  }
  return std::strtoull(p + 1, nullptr, 10);
}

// ---- fork and exit ---------------------------------------------------------

// Both locks: a child must not inherit one held by a thread it does not have.
void before_fork() {
  g_mu.lock();
  g_presence_mu.lock();
}
void after_fork_parent() {
  g_presence_mu.unlock();
  g_mu.unlock();
}

// The child has no liveness thread: it must not pass for its parent. It
// makes its own presence on next use. The parent's page stays mapped (one
// page, never touched): unmapping it here trips valgrind's address space
// manager (3.19, "!is_freeslot(ix)") in the child.
void after_fork_child() {
  std::memset(static_cast<void *>(&g_proc.info), 0, sizeof g_proc.info);
  g_proc.presence = nullptr;
  g_ready.store(false, std::memory_order_relaxed);
  g_serial.store(0, std::memory_order_relaxed);
  g_liveness.store(0, std::memory_order_relaxed);
  g_presence_mu.unlock();
  g_mu.unlock();
}

// Ends the liveness thread: the kernel marks the presence lock owner-dead,
// so the process reads as dead from here on. Joined, so that the thread's
// resources are freed (leak checkers would report a thread left running).
void stop_liveness_thread() {
  sem_post(&g_stop_liveness);
  pthread_join(g_proc.liveness, nullptr);
}

void at_exit() {
  // Another thread may be inside ensure_process: then leave the names to
  // the next sweep rather than deadlock the exit.
  std::unique_lock<std::mutex> lk(g_mu, std::try_to_lock);
  if (!lk.owns_lock() || !g_ready.load(std::memory_order_acquire)) return;
  if (g_proc.info.pid != getpid()) return;
  remove_own_names();
  stop_liveness_thread();
}

bool install_hooks() {
  if (g_proc.hooks_installed) return true;
  if (pthread_atfork(before_fork, after_fork_parent, after_fork_child) != 0) return false;
  if (std::atexit(at_exit) != 0) return false;
  g_proc.hooks_installed = true;
  return true;
}

// ---- presence page ---------------------------------------------------------

// Holds the presence lock until the process dies, whatever the cause, or
// exits normally; the kernel then marks the robust mutex owner-dead. All
// signals are blocked (inherited from the creator): the thread never runs
// application signal handlers, and waits without a descriptor to lose.
void *liveness_main(void *arg) {
  auto *page = static_cast<PresencePage *>(arg);
  int rc = pthread_mutex_lock(&page->lock);
  g_liveness.store(rc == 0 ? 1 : -1, std::memory_order_release);
  if (rc != 0) return nullptr;
  while (sem_wait(&g_stop_liveness) != 0) {
  }
  return nullptr;  // with the lock held, on purpose
}

Status start_liveness_thread(PresencePage *page) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return Status::no_resources;
  pthread_attr_setstacksize(&attr, 256 * 1024);  // it only waits
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  g_liveness.store(0, std::memory_order_relaxed);
  sem_init(&g_stop_liveness, 0, 0);
  int rc = pthread_create(&g_proc.liveness, &attr, liveness_main, page);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  if (rc != 0) return errno_status(rc, Status::no_resources);
  // Wait until the lock is held: before that the page would read as dead.
  int state;
  while ((state = g_liveness.load(std::memory_order_acquire)) == 0) {
    struct timespec ts = {0, 50 * 1000};
    nanosleep(&ts, nullptr);
  }
  if (state == 1) return Status::ok;
  pthread_join(g_proc.liveness, nullptr);
  return Status::no_resources;
}

// A directory that cannot be used makes the controller absent.
Status dir_status(int err) {
  if (err == ENOENT || err == ENOTDIR || err == EACCES || err == EPERM || err == EROFS)
    return Status::not_present;
  return errno_status(err, Status::no_resources);
}

Status create_presence(Process &p) {
  Path path;
  if (!presence_path(path, p.info.pid)) return Status::not_present;
  unlink(path.s);  // a page under our pid can only be a dead process's
  int fd = open_retry(path.s, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) return dir_status(errno);
  Status st = Status::ok;
  void *mem = MAP_FAILED;
  if (fchmod(fd, 0666) != 0 || ftruncate(fd, static_cast<off_t>(page_size())) != 0) {
    st = errno_status(errno, Status::no_resources);
  } else {
    mem = mmap(nullptr, sizeof(PresencePage), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) st = errno_status(errno, Status::no_memory);
  }
  close(fd);
  PresencePage *page = nullptr;
  if (st == Status::ok) {
    page = new (mem) PresencePage;
    page->pid = p.info.pid;
    page->node = p.info.node;
    page->start_time = p.info.start_time;
    if (!init_shared_mutex(&page->lock)) st = Status::no_resources;
  }
  if (st == Status::ok) st = start_liveness_thread(page);
  if (st != Status::ok) {
    if (mem != MAP_FAILED) munmap(mem, sizeof(PresencePage));
    unlink(path.s);
    return st;
  }
  page->magic.store(kPresenceMagic, std::memory_order_release);
  p.presence = page;
  return Status::ok;
}

bool format_path(Path &out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool format_path(Path &out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(out.s, sizeof out.s, fmt, ap);
  va_end(ap);
  return n > 0 && static_cast<size_t>(n) < sizeof out.s;
}

}  // namespace

// ---- public to the backend -------------------------------------------------

Status errno_status(int err, Status fallback) {
  switch (err) {
    case EMFILE:
    case ENFILE:
    case ENOSPC:
    case EDQUOT:
    case EAGAIN:
      return Status::no_resources;
    case ENOMEM:
      return Status::no_memory;
    default:
      return fallback;
  }
}

int open_retry(const char *path, int flags, mode_t mode) {
  int fd;
  do {
    fd = open(path, flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

bool object_path(Path &out, const char *kind, pid_t pid, uint32_t serial) {
  return format_path(out, "%s/%s.%s.%d.%u", g_proc.dir, g_proc.prefix, kind,
                     static_cast<int>(pid), serial);
}

bool presence_path(Path &out, pid_t pid) {
  return format_path(out, "%s/%s.proc.%d", g_proc.dir, g_proc.prefix, static_cast<int>(pid));
}

bool publication_path(Path &out, rsm_node_id_t node, rsm_memseg_id_t segid) {
  return format_path(out, "%s/%s.n%u.s%08x", g_proc.dir, g_proc.prefix, node, segid);
}

Status directory_status() {
  struct stat st;
  if (stat(g_proc.info.dir, &st) != 0) return dir_status(errno);
  if (!S_ISDIR(st.st_mode)) return Status::not_present;
  return access(g_proc.info.dir, W_OK | X_OK) == 0 ? Status::ok : Status::not_present;
}

Status ensure_process() {
  if (g_ready.load(std::memory_order_acquire)) return Status::ok;
  std::lock_guard<std::mutex> lk(g_mu);
  if (g_ready.load(std::memory_order_relaxed)) return Status::ok;
  if (!install_hooks()) return Status::no_resources;
  Process &p = g_proc;
  if (!read_config(p)) return Status::not_present;
  p.info.pid = getpid();
  p.info.start_time = read_start_time();
  p.info.dir = p.dir;
  p.info.prefix = p.prefix;
  struct stat st;
  if (stat(p.dir, &st) != 0) return dir_status(errno);
  if (!S_ISDIR(st.st_mode)) return Status::not_present;
  sweep_stale_names(true);
  Status s = create_presence(p);
  if (s != Status::ok) return s;
  g_ready.store(true, std::memory_order_release);
  return Status::ok;
}

const ProcessInfo &process() { return g_proc.info; }

uint32_t next_serial() { return g_serial.fetch_add(1, std::memory_order_relaxed) + 1; }

bool init_shared_mutex(pthread_mutex_t *m) {
  pthread_mutexattr_t a;
  if (pthread_mutexattr_init(&a) != 0) return false;
  bool ok = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) == 0 &&
            pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) == 0 &&
            pthread_mutex_init(m, &a) == 0;
  pthread_mutexattr_destroy(&a);
  return ok;
}

bool lock_shared(pthread_mutex_t *m) {
  int rc = pthread_mutex_lock(m);
  if (rc == EOWNERDEAD) rc = pthread_mutex_consistent(m);
  return rc == 0;
}

bool presence_alive(PresencePage *p) {
#ifdef __GLIBC__
  // Fast path, one load on every put/get: by the kernel's robust-futex
  // protocol (linux/futex.h) the futex word of a robust mutex holds its
  // owner's thread id, and the kernel sets FUTEX_OWNER_DIED when the owner
  // dies. glibc keeps that word in __data.__lock. An owner without the died
  // bit is a live liveness thread; anything else takes the exact path below.
  uint32_t word = __atomic_load_n(reinterpret_cast<uint32_t *>(&p->lock.__data.__lock), __ATOMIC_ACQUIRE);
  if ((word & FUTEX_TID_MASK) != 0 && (word & FUTEX_OWNER_DIED) == 0) return true;
#endif
  int rc = pthread_mutex_trylock(&p->lock);
  if (rc == EBUSY) return true;
  // The owner is dead. Leave the mutex consistent and free: from then on
  // every trylock succeeds (0), which reads as dead too. Not left
  // ENOTRECOVERABLE on purpose: glibc's trylock (2.36 at least) then returns
  // ENOTRECOVERABLE but keeps the lock, so every later check would read
  // EBUSY, "alive", for ever.
  if (rc == EOWNERDEAD) pthread_mutex_consistent(&p->lock);
  if (rc == 0 || rc == EOWNERDEAD) pthread_mutex_unlock(&p->lock);
  return false;
}

namespace {

PresencePage *map_presence_page(pid_t pid, uint64_t start_time) {
  Path path;
  if (!presence_path(path, pid)) return nullptr;
  int fd = open_retry(path.s, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return nullptr;
  struct stat st;
  void *mem = MAP_FAILED;
  // Never map beyond the end of the file: that would be SIGBUS on access.
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<size_t>(st.st_size) >= sizeof(PresencePage))
    mem = mmap(nullptr, sizeof(PresencePage), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (mem == MAP_FAILED) return nullptr;
  auto *page = static_cast<PresencePage *>(mem);
  if (page->magic.load(std::memory_order_acquire) != kPresenceMagic || page->pid != pid ||
      (start_time != 0 && page->start_time != start_time)) {
    munmap(mem, sizeof(PresencePage));
    return nullptr;
  }
  return page;
}

// Presence pages of exporters, shared by all imports of this process that
// reach the same exporter incarnation, and kept a while when the last one
// goes: connecting again to the same exporter (the usual pattern) then maps
// nothing. A fixed table, so that it never allocates; when it is full of
// pages in use, pages are mapped for their import alone.
struct CachedPresence {
  PresencePage *page = nullptr;
  pid_t pid = 0;
  uint64_t start_time = 0;
  uint32_t users = 0;
};
constexpr size_t kCachedPresences = 64;
CachedPresence g_presences[kCachedPresences];

}  // namespace

PresencePage *map_presence(pid_t pid, uint64_t start_time) {
  if (start_time == 0) return map_presence_page(pid, 0);  // any incarnation: not cached
  std::lock_guard<std::mutex> lk(g_presence_mu);
  CachedPresence *free_slot = nullptr;
  for (auto &c : g_presences) {
    if (c.page && c.pid == pid && c.start_time == start_time) {
      c.users++;
      return c.page;
    }
    if (!c.page || (!free_slot && c.users == 0)) free_slot = &c;
  }
  PresencePage *page = map_presence_page(pid, start_time);
  if (page && free_slot) {
    if (free_slot->page) munmap(free_slot->page, sizeof(PresencePage));  // an idle one
    *free_slot = CachedPresence{page, pid, start_time, 1};
  }
  return page;
}

void unmap_presence(PresencePage *p) {
  if (!p) return;
  {
    std::lock_guard<std::mutex> lk(g_presence_mu);
    for (auto &c : g_presences) {
      if (c.page != p) continue;
      // A dead exporter's page is of no further use: let it go at once.
      if (--c.users == 0 && !presence_alive(p)) {
        c = CachedPresence{};
        break;
      }
      return;
    }
  }
  munmap(p, sizeof(PresencePage));
}

bool process_alive(pid_t pid, uint64_t start_time) {
  PresencePage *p = map_presence(pid, start_time);
  if (!p) return false;
  bool alive = presence_alive(p);
  unmap_presence(p);
  return alive;
}

}  // namespace rsmkit::shm
