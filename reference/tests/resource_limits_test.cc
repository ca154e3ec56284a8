// Resource exhaustion, made real with setrlimit in a child process.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>

#include <cstdio>

#include "test_util.h"

namespace {

using namespace rsmkit_test;

// A sanitizer runtime reserves terabytes of address space and descriptors of
// its own, so these limits cannot bite as the tests intend.
#if RSMKIT_TEST_SANITIZED
#define SKIP_UNDER_SANITIZER() GTEST_SKIP() << "not applicable: resource limits under a sanitizer runtime"
#else
#define SKIP_UNDER_SANITIZER() (void)0
#endif

// Runs call() with the soft address-space limit at this process's current
// size plus headroom, then lifts it again (a coverage build writes its
// counts at exit and needs the room). -1 if the limit could not be set.
template <class F>
int with_address_space_headroom(size_t headroom, F call) {
  long pages_now = 0;
  if (FILE *f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld", &pages_now) != 1) pages_now = 0;
    std::fclose(f);
  }
  struct rlimit old;
  if (pages_now <= 0 || getrlimit(RLIMIT_AS, &old)) return -1;
  struct rlimit rl = old;
  rl.rlim_cur = static_cast<rlim_t>(pages_now) * page() + headroom;
  if (setrlimit(RLIMIT_AS, &rl)) return -1;
  int rc = call();
  setrlimit(RLIMIT_AS, &old);
  return rc;
}

TEST(ResourceLimits, NoFreeDescriptorIsInsufficientResources) {
  SKIP_UNDER_SANITIZER();
  EXPECT_EQ(in_child([] {
              rsmapi_controller_handle_t c = nullptr;
              char name[] = "shm0";
              if (rsm_get_controller(name, &c)) return 1;
              char *mem = pages(1);
              // Use up every descriptor below the limit.
              struct rlimit rl = {64, 64};
              setrlimit(RLIMIT_NOFILE, &rl);
              while (dup(0) >= 0) {
              }
              rsm_memseg_export_handle_t e = nullptr;
              int rc = rsm_memseg_export_create(c, &e, mem, page(), 0);
              return rc == RSMERR_INSUFFICIENT_RESOURCES ? 0 : 100 + rc;
            }),
            0);
}

TEST(ResourceLimits, NoAddressSpaceIsInsufficientMem) {
  SKIP_UNDER_SANITIZER();
  EXPECT_EQ(in_child([] {
              // Leave no room for the controller's state or threads.
              struct rlimit rl = {1 << 20, 1 << 20};
              setrlimit(RLIMIT_AS, &rl);
              rsmapi_controller_handle_t c = nullptr;
              char name[] = "shm0";
              int rc = rsm_get_controller(name, &c);
              return rc == RSMERR_INSUFFICIENT_MEM ? 0 : 100 + rc;
            }),
            0);
}

// A controller that cannot be opened for lack of memory fails the topology
// call; it is not silently left out (a topology without shm0 would be a
// wrong answer, not a short one).
TEST(ResourceLimits, TopologyWithoutAddressSpaceIsInsufficientMem) {
  SKIP_UNDER_SANITIZER();
  EXPECT_EQ(in_child([] {
              // Room for small allocations, none for the controller's thread.
              rsm_topology_t *t = nullptr;
              int rc = with_address_space_headroom(64 << 10, [&] { return rsm_get_interconnect_topology(&t); });
              if (rc == -1) return 2;
              if (rc == RSM_SUCCESS) return 50 + static_cast<int>(t->topology_hdr.local_cntlr_count);
              return rc == RSMERR_INSUFFICIENT_MEM ? 0 : 100 + rc;
            }),
            0);
}

// wait_pollfd looks its entries up in one go; with no address space left for
// that table the call reports INSUFFICIENT_MEM (and writes nothing).
TEST(ResourceLimits, WaitPollfdWithoutMemoryForItsTableIsInsufficientMem) {
  SKIP_UNDER_SANITIZER();
  EXPECT_EQ(in_child([] {
              const nfds_t n = nfds_t{1} << 21;  // a 16 MiB table
              auto *fds = static_cast<struct pollfd *>(
                  mmap(nullptr, n * sizeof(struct pollfd), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0));
              if (fds == MAP_FAILED) return 1;
              for (nfds_t i = 0; i < n; i++) fds[i] = pollfd{-1, POLLIN, 0};
              int count = -1;
              int rc = with_address_space_headroom(
                  4 << 20, [&] { return rsm_intr_signal_wait_pollfd(fds, n, 0, &count); });
              if (rc == -1) return 2;
              if (count != 0) return 4;
              return rc == RSMERR_INSUFFICIENT_MEM ? 0 : 100 + rc;
            }),
            0);
}

}  // namespace
