// rsmkit reference: guarded memory accesses (see fault_guard.h).
#include "os/fault_guard.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace rsmkit::os {

namespace {

// The guard of the calling thread: where to jump.
// initial-exec: a plain %fs load instead of a __tls_get_addr call on every
// put/get (the static TLS surplus glibc keeps for dlopen'ed libraries is
// ample for a pointer).
__thread sigjmp_buf *t_guard __attribute__((tls_model("initial-exec"))) = nullptr;
struct sigaction g_old_segv, g_old_bus;

void on_fault(int sig, siginfo_t *info, void *ctx) {
  if (sigjmp_buf *env = t_guard) {
    t_guard = nullptr;
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

void install_handler() {
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  // SA_NODEFER: leaving the handler by siglongjmp must not leave SIGSEGV blocked.
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &g_old_segv);
  sigaction(SIGBUS, &sa, &g_old_bus);
}

void ensure_handler() {
  static std::atomic<bool> installed{false};
  if (!installed.load(std::memory_order_acquire)) {
    static std::once_flag once;
    std::call_once(once, install_handler);
    installed.store(true, std::memory_order_release);
  }
}

struct Touch {
  uintptr_t a, end, page;
  bool write;
};

// Where read probes leave what they read: a load whose value nobody uses
// is dropped by binary translators (valgrind), and then faults go unseen.
// (An atomic store: threads probe at once.)
char g_probe_sink;

void touch(void *ctx) {
  const Touch &t = *static_cast<Touch *>(ctx);
  char seen = 0;
  for (uintptr_t q = t.a; q < t.end; q = (q & ~(t.page - 1)) + t.page) {
    if (t.write)
      __atomic_fetch_add(reinterpret_cast<char *>(q), 0, __ATOMIC_RELAXED);
    else
      seen = static_cast<char>(seen ^ *reinterpret_cast<volatile char *>(q));
  }
  __atomic_store_n(&g_probe_sink, seen, __ATOMIC_RELAXED);
}

}  // namespace

__attribute__((noinline)) bool run_guarded(void (*fn)(void *ctx), void *ctx) {
  ensure_handler();
  sigjmp_buf env;
  if (sigsetjmp(env, 0)) {
    // Our handler runs with SA_NODEFER, but a runtime that wraps handlers
    // (ThreadSanitizer) may have blocked the signal for its own: leaving by
    // siglongjmp kept it blocked, and the next fault would kill the process.
    // Unblocked here, on the fault path only (a saved mask would cost every
    // call a system call).
    sigset_t faults;
    sigemptyset(&faults);
    sigaddset(&faults, SIGSEGV);
    sigaddset(&faults, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &faults, nullptr);
    return false;
  }
  t_guard = &env;
  fn(ctx);
  t_guard = nullptr;
  return true;
}

bool touch_pages(void *p, size_t n, bool write) {
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto a = reinterpret_cast<uintptr_t>(p);
  Touch t{a, a + n, page, write};
  return run_guarded(touch, &t);
}

}  // namespace rsmkit::os
