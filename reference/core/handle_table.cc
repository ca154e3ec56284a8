// rsmkit reference librsm: handle tables and process facts.
#include "core/handle_table.h"

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

bool buffer_mapped(const void *p, size_t n) {
  thread_local uintptr_t known_lo = 0, known_hi = 0;
  auto a = reinterpret_cast<uintptr_t>(p);
  if (a >= known_lo && a + n >= a && a + n <= known_hi) return true;
  if (!addr_mapped(p, n)) return false;
  known_lo = a & ~(page_size() - 1);
  known_hi = (a + n + page_size() - 1) & ~(page_size() - 1);
  return true;
}

bool range_mapped(const void *p, size_t n, bool *writable) {
  uintptr_t lo = reinterpret_cast<uintptr_t>(p), hi = lo + n;
  *writable = true;
  if (hi < lo) return false;
  FILE *f = std::fopen("/proc/self/maps", "re");
  if (!f) return addr_mapped(p, n);  // no /proc: fall back to "mapped" only
  char line[512];
  uintptr_t covered = lo;  // maps are sorted; walk until [lo, hi) is covered
  while (covered < hi && std::fgets(line, sizeof line, f)) {
    unsigned long s = 0, e = 0;
    char perms[8] = {0};
    if (std::sscanf(line, "%lx-%lx %7s", &s, &e, perms) != 3) continue;
    if (e <= covered) continue;
    if (s > covered) break;  // hole
    if (perms[1] != 'w') *writable = false;
    covered = e;
  }
  std::fclose(f);
  return covered >= hi;
}

HandleTable<Controller> &controllers() { static auto *t = new HandleTable<Controller>; return *t; }
HandleTable<ExportSeg> &exports() { static auto *t = new HandleTable<ExportSeg>; return *t; }
HandleTable<ImportSeg> &imports() { static auto *t = new HandleTable<ImportSeg>; return *t; }
HandleTable<LocalMem> &localmems() { static auto *t = new HandleTable<LocalMem>; return *t; }
HandleTable<Barrier> &barriers() { static auto *t = new HandleTable<Barrier>; return *t; }

}  // namespace rsmkit
