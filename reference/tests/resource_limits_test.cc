// Resource exhaustion, made real with setrlimit in a child process.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "test_util.h"

namespace {

using namespace rsmkit_test;

// A sanitizer runtime reserves terabytes of address space and descriptors of
// its own, so these limits cannot bite as the tests intend.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SKIP_UNDER_SANITIZER() GTEST_SKIP() << "not applicable: resource limits under a sanitizer runtime"
#else
#define SKIP_UNDER_SANITIZER() (void)0
#endif

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

}  // namespace
