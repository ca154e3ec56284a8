// rsmkit reference librsm: handle tables and process facts.
#include "core/handle_table.h"
#include "os/vma.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rsmkit {

namespace {

std::atomic<pid_t> g_pid{0};
std::atomic<uint64_t> g_key_counter{0};

void refresh_pid_in_child() { g_pid.store(::getpid(), std::memory_order_relaxed); }

void register_atfork() {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(nullptr, nullptr, refresh_pid_in_child); });
}

}  // namespace

pid_t current_pid() {
  pid_t p = g_pid.load(std::memory_order_relaxed);
  if (p == 0) {
    register_atfork();
    p = ::getpid();
    g_pid.store(p, std::memory_order_relaxed);
  }
  return p;
}

size_t page_size() {
  static const size_t ps = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return ps;
}

uint64_t next_key(Kind k) {
  uint64_t n = g_key_counter.fetch_add(1, std::memory_order_relaxed) + 1;
  return (static_cast<uint64_t>(k) << 56) | (n & ((uint64_t{1} << 56) - 1));
}

bool addr_mapped(const void *p, size_t n) {
  uintptr_t a = reinterpret_cast<uintptr_t>(p);
  if (a < page_size() || n == 0) return a >= page_size();
  if (a + n < a) return false;
  uintptr_t start = a & ~(page_size() - 1), end = a + n;
  // mincore fails with ENOMEM when any page of the range is unmapped. Asked a
  // chunk at a time into a stack buffer: this check must not allocate.
  unsigned char vec[256];
  const size_t chunk = sizeof vec * page_size();
  for (uintptr_t p = start; p < end; p += chunk) {
    size_t len = end - p < chunk ? end - p : chunk;
    if (mincore(reinterpret_cast<void *>(p), len, vec) != 0) return false;
  }
  return true;
}

namespace {

// Guarded touches of caller buffers. A fault inside touch_pages() (and only
// there: the thread-local flag says so) jumps back out of it; any other fault
// goes to the handler that was installed before ours, or kills the process
// as it would have without us.
// initial-exec: a plain %fs load instead of a __tls_get_addr call on every
// put/get (the static TLS surplus glibc keeps for dlopen'ed libraries is
// ample for one pointer).
__attribute__((tls_model("initial-exec"))) thread_local sigjmp_buf *t_probe_env = nullptr;
struct sigaction g_old_segv, g_old_bus;

void probe_fault(int sig, siginfo_t *info, void *ctx) {
  if (sigjmp_buf *env = t_probe_env) {
    t_probe_env = nullptr;
    siglongjmp(*env, 1);
  }
  const struct sigaction &old = sig == SIGSEGV ? g_old_segv : g_old_bus;
  if (old.sa_flags & SA_SIGINFO) {
    old.sa_sigaction(sig, info, ctx);
  } else if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
    old.sa_handler(sig);
  } else {
    sigaction(sig, &old, nullptr);  // the faulting access runs again, unguarded
  }
}

void install_probe_handler() {
  struct sigaction sa {};
  sa.sa_sigaction = probe_fault;
  // SA_NODEFER: leaving the handler by siglongjmp must not leave SIGSEGV blocked.
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &g_old_segv);
  sigaction(SIGBUS, &sa, &g_old_bus);
}

// Touches one byte per page of [p, p+n): a read, or (for a buffer the call
// will write) an atomic add of 0, which needs write access and changes
// nothing even if another thread writes the byte meanwhile.
__attribute__((noinline)) bool touch_pages(volatile char *p, size_t n, bool write) {
  sigjmp_buf env;
  if (sigsetjmp(env, 0)) return false;
  t_probe_env = &env;
  uintptr_t a = reinterpret_cast<uintptr_t>(p), end = a + n, pg = page_size();
  for (uintptr_t q = a; q < end; q = (q & ~(pg - 1)) + pg) {
    if (write)
      __atomic_fetch_add(reinterpret_cast<char *>(q), 0, __ATOMIC_RELAXED);
    else
      (void)*reinterpret_cast<volatile char *>(q);
  }
  t_probe_env = nullptr;
  return true;
}

}  // namespace

namespace {

// The calling thread's stack, found once per thread ({0, 0} until then, {1,
// 1} if it cannot be told).
struct StackRange {
  uintptr_t lo, hi;
};
__attribute__((tls_model("initial-exec"))) thread_local StackRange t_stack = {0, 0};

StackRange find_stack() {
  StackRange r{1, 1};
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return r;
  void *lo = nullptr;
  size_t size = 0;
  if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
    r.lo = reinterpret_cast<uintptr_t>(lo);
    r.hi = r.lo + size;
  }
  pthread_attr_destroy(&attr);
  return r;
}

// Whether [a, a+n) lies in the live part of the calling thread's stack, from
// this frame to the stack's top: memory that is mapped and writable for sure,
// so the common put8(h, off, &value, 1) needs no probe. Not when this frame
// is on another stack (a coroutine's, a signal stack): then nothing is known.
bool on_live_stack(uintptr_t a, size_t n) {
  StackRange s = t_stack;
  if (s.lo == 0) s = t_stack = find_stack();
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  return here >= s.lo && here < s.hi && a >= here && n <= s.hi - a;
}

}  // namespace

bool buffer_usable(void *p, size_t n, bool write) {
  if (n == 0) return true;
  auto a = reinterpret_cast<uintptr_t>(p);
  if (a < page_size() || a + n < a) return false;
  if (on_live_stack(a, n)) return true;
  static std::atomic<bool> installed{false};
  if (!installed.load(std::memory_order_acquire)) {
    static std::once_flag once;
    std::call_once(once, install_probe_handler);
    installed.store(true, std::memory_order_release);
  }
  return touch_pages(static_cast<volatile char *>(p), n, write);
}

bool range_mapped(const void *p, size_t n, bool *writable) {
  uintptr_t lo = reinterpret_cast<uintptr_t>(p), hi = lo + n;
  *writable = true;
  if (hi < lo) return false;
  struct Walk {
    uintptr_t covered;
    bool writable;
  } w{lo, true};
  int err = os::walk_vmas(lo, hi, /*want_names=*/false, [](const os::Vma &v, void *ctx) {
    auto *w = static_cast<Walk *>(ctx);
    if (!v.writable) w->writable = false;
    w->covered = v.end;
    return true;
  }, &w);
  if (err) return addr_mapped(p, n);  // no /proc: "mapped" is all that can be told
  *writable = w.writable;
  return w.covered >= hi;
}

__thread HotMemo t_hot_memo __attribute__((tls_model("initial-exec"))) = {0, 0, nullptr, 0, nullptr};

std::shared_ptr<void> &hot_memo_keeper() {
  static thread_local std::shared_ptr<void> keeper;
  return keeper;
}

HandleTable<Controller> &controllers() { static auto *t = new HandleTable<Controller>; return *t; }
HandleTable<ExportSeg> &exports() { static auto *t = new HandleTable<ExportSeg>; return *t; }
HandleTable<ImportSeg> &imports() { static auto *t = new HandleTable<ImportSeg>; return *t; }
HandleTable<LocalMem> &localmems() { static auto *t = new HandleTable<LocalMem>; return *t; }
HandleTable<Barrier> &barriers() { static auto *t = new HandleTable<Barrier>; return *t; }

}  // namespace rsmkit
