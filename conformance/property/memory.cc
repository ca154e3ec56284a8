// rsmkit conformance: memory helpers of the property tests (memory.h).
#include "property/memory.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace rsmc::prop {

std::string protection_of(uintptr_t addr, size_t len) {
  std::ifstream maps("/proc/self/maps");
  std::string line, prot;
  uintptr_t covered = addr, end = addr + len;
  while (covered < end && std::getline(maps, line)) {
    unsigned long long lo = 0, hi = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%llx-%llx %7s", &lo, &hi, perms) != 3) continue;
    if (hi <= covered || lo >= end) continue;
    if (lo > covered) return "unmapped";  // a hole before this mapping
    std::string p = {perms[0], perms[1]};
    if (prot.empty()) prot = p;
    else if (prot != p) return "mixed";
    covered = static_cast<uintptr_t>(hi);
  }
  return covered < end ? "unmapped" : prot;
}

bool store_faults(volatile char *p) {
  pid_t pid = fork();
  if (pid == 0) {
    // Default actions: a handler (a sanitizer's, the library's) could turn
    // the fault into an ordinary exit.
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    char v = *p;
    *p = v;
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
}

Reservation::Reservation(size_t n) : len(n) {
  void *p = mmap(nullptr, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  addr = p == MAP_FAILED ? nullptr : static_cast<char *>(p);
}

Reservation::~Reservation() {
  if (addr) munmap(addr, len);
}

Pages::Pages(size_t n) : len(n) {
  void *p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  addr = p == MAP_FAILED ? nullptr : static_cast<char *>(p);
}

Pages::~Pages() {
  if (addr) munmap(addr, len);
}

}  // namespace rsmc::prop
