// rsmkit conformance: small memory helpers of the property tests -- what
// /proc/self/maps says about a range, and whether a store faults.
#ifndef RSMC_PROPERTY_MEMORY_H
#define RSMC_PROPERTY_MEMORY_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace rsmc::prop {

// The protection of every page of [addr, addr + len) as /proc/self/maps
// shows it: "rw", "r-", "-w", "--"; "mixed" when pages differ, "unmapped"
// when a page is not mapped at all.
std::string protection_of(uintptr_t addr, size_t len);

// True when a one-byte store at p, made in a forked child, dies of
// SIGSEGV/SIGBUS (the child writes the byte back unchanged otherwise).
bool store_faults(volatile char *p);

// A private PROT_NONE reservation the test owns: the only user-space
// addresses a fixed mapping is ever asked for.
struct Reservation {
  explicit Reservation(size_t len);
  ~Reservation();
  Reservation(const Reservation &) = delete;
  Reservation &operator=(const Reservation &) = delete;
  char *addr = nullptr;
  size_t len = 0;
};

// Anonymous read/write pages, unmapped on destruction.
struct Pages {
  explicit Pages(size_t len);
  ~Pages();
  Pages(const Pages &) = delete;
  Pages &operator=(const Pages &) = delete;
  char *addr = nullptr;
  size_t len = 0;
};

}  // namespace rsmc::prop

#endif  // RSMC_PROPERTY_MEMORY_H
