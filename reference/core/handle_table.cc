// rsmkit reference librsm: handle tables and process facts.
#include "core/handle_table.h"
#include "os/fault_guard.h"
#include "os/vma.h"

#include <pthread.h>
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

// The calling thread's stack, found once per thread ({0, 0} until then, {1,
// 1} if it cannot be told).
struct StackRange {
  uintptr_t lo, hi;
};
__attribute__((tls_model("initial-exec"))) thread_local StackRange t_stack = {0, 0};

StackRange find_stack() {
  const StackRange unknown{1, 1};
  StackRange r = unknown;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return unknown;
  void *lo = nullptr;
  size_t size = 0;
  if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
    r.lo = reinterpret_cast<uintptr_t>(lo);
    r.hi = r.lo + size;
  }
  pthread_attr_destroy(&attr);
  // Kept to the one mapping that holds this frame: the library's idea of the
  // main thread's stack is an estimate (under valgrind it spans other
  // mappings), the mapping is a fact.
  struct Holder {
    uintptr_t lo = 0, hi = 0;
    bool writable = false;
  } m;
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  int err = os::walk_vmas(here, here + 1, /*want_names=*/false, [](const os::Vma &v, void *ctx) {
    auto *m = static_cast<Holder *>(ctx);
    *m = Holder{v.start, v.end, v.writable};
    return false;
  }, &m);
  if (err || !m.writable) return unknown;
  r.lo = r.lo > m.lo ? r.lo : m.lo;
  r.hi = r.hi < m.hi ? r.hi : m.hi;
  return r.lo < r.hi ? r : unknown;
}

// Whether [a, a+n) lies in the live part of the calling thread's stack, from
// this frame to the stack's top: memory that is mapped and writable for sure,
// so the common put8(h, off, &value, 1) needs no probe. Not when this frame
// is on another stack (a coroutine's, a signal stack): then nothing is known.
bool on_live_stack(uintptr_t a, size_t n) {
  StackRange s = t_stack;
  if (s.lo == 0) s = t_stack = find_stack();
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  return here >= s.lo && here < s.hi && a >= here && a < s.hi && n <= s.hi - a;
}

}  // namespace

bool buffer_usable(void *p, size_t n, bool write) {
  if (n == 0) return true;
  auto a = reinterpret_cast<uintptr_t>(p);
  if (a < page_size() || a + n < a) return false;
  if (on_live_stack(a, n)) return true;
  return os::touch_pages(p, n, write);
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
