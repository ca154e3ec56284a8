// rsmkit conformance: running a process out of address space, memory or
// descriptors, for the INSUFFICIENT_MEM / INSUFFICIENT_RESOURCES tests. The
// limits are process-wide: use them only in a fork()ed child (run_in_child),
// so the test process keeps working.
#ifndef RSMC_RESOURCE_LIMITS_H
#define RSMC_RESOURCE_LIMITS_H

#include <sys/resource.h>

#include <cstddef>
#include <vector>

namespace rsmc {

// Bytes of address space this process has mapped now (/proc/self/statm,
// what RLIMIT_AS counts); 0 when unknown.
size_t address_space_now();

// Descriptors open in this process (/proc/self/fd), for leak checks; -1
// when unknown.
int open_fds();

// A lowered resource limit. Nothing is undone by itself (a child may simply
// return); lift() puts the old limit back and closes the descriptors that
// filled the table, for tests that check the library recovers.
class LoweredLimit {
 public:
  bool ok() const { return ok_; }
  void lift();

 private:
  friend LoweredLimit limit_address_space(size_t headroom, bool lock_hard);
  friend LoweredLimit exhaust_descriptors();
  int resource_ = -1;
  struct rlimit saved_ {};
  bool ok_ = false;
  bool locked_ = false;
  std::vector<int> filled_;
};

// RLIMIT_AS soft limit = what is mapped now + headroom: a mapping larger than
// the headroom fails. lock_hard lowers the hard limit too, so that nothing in
// the process (the library included) can raise it again; lift() then leaves
// it. Not ok() when the current size is unknown or setrlimit fails.
LoweredLimit limit_address_space(size_t headroom = 0, bool lock_hard = false);

// RLIMIT_NOFILE = one above the highest descriptor in use, and every free
// one below filled (with /dev/null): no new descriptor can be opened.
LoweredLimit exhaust_descriptors();

// limit_address_space(0), then drains the heap, so that the next allocation
// of any size fails; never lifted. False when the limit could not be set.
bool exhaust_memory();

}  // namespace rsmc

#endif  // RSMC_RESOURCE_LIMITS_H
