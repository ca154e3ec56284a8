// The reference's rule that one process exports a byte at most once
// (docs/reference.md): create and rebind refuse a range that overlaps another
// export of the process with RSMERR_PERM_DENIED; destroy and rebind give the
// old range back; a forked child's exports are its own.
#include <algorithm>

#include "test_util.h"

using namespace rsmkit_test;

namespace {

struct Ranges : ::testing::Test {
  rsmapi_controller_handle_t ctlr = nullptr;
  char *mem = nullptr;
  const size_t p = page();
  std::vector<rsm_memseg_export_handle_t> made;

  void SetUp() override {
    char name[] = "shm0";
    ASSERT_EQ(RSM_SUCCESS, rsm_get_controller(name, &ctlr));
    mem = pages(8);
    ASSERT_NE(nullptr, mem);
  }
  void TearDown() override {
    for (auto h : made) rsm_memseg_export_destroy(h);
    rsm_release_controller(ctlr);
    munmap(mem, 8 * p);
  }
  // Creates an export of pages [first, first+n) of mem; its code.
  int create(size_t first, size_t n, rsm_memseg_export_handle_t *out = nullptr) {
    rsm_memseg_export_handle_t h = nullptr;
    int rc = rsm_memseg_export_create(ctlr, &h, mem + first * p, n * p, RSM_ALLOW_REBIND);
    if (rc == RSM_SUCCESS) made.push_back(h);
    if (out) *out = h;
    return rc;
  }
  void destroy(rsm_memseg_export_handle_t h) {
    ASSERT_EQ(RSM_SUCCESS, rsm_memseg_export_destroy(h));
    made.erase(std::find(made.begin(), made.end(), h));
  }
};

TEST_F(Ranges, OverlapsAreRefusedNeighboursAreNot) {
  rsm_memseg_export_handle_t a = nullptr;
  ASSERT_EQ(RSM_SUCCESS, create(2, 2, &a));           // pages 2-3
  EXPECT_EQ(RSMERR_PERM_DENIED, create(3, 2));        // 3-4: last page of a
  EXPECT_EQ(RSMERR_PERM_DENIED, create(1, 2));        // 1-2: first page of a
  EXPECT_EQ(RSMERR_PERM_DENIED, create(0, 8));        // around a
  EXPECT_EQ(RSMERR_PERM_DENIED, create(2, 1));        // inside a
  EXPECT_EQ(RSM_SUCCESS, create(4, 1));               // just after
  EXPECT_EQ(RSM_SUCCESS, create(1, 1));               // just before
  // Destroyed: its pages can be exported again, its neighbours still not.
  destroy(a);
  EXPECT_EQ(RSMERR_PERM_DENIED, create(1, 2));
  EXPECT_EQ(RSM_SUCCESS, create(2, 2));
}

TEST_F(Ranges, RebindMovesTheReservation) {
  rsm_memseg_export_handle_t a = nullptr, b = nullptr;
  ASSERT_EQ(RSM_SUCCESS, create(0, 2, &a));  // 0-1
  ASSERT_EQ(RSM_SUCCESS, create(4, 2, &b));  // 4-5
  EXPECT_EQ(RSMERR_PERM_DENIED, rsm_memseg_export_rebind(a, mem + 3 * p, 0, 2 * p));  // 3-4
  EXPECT_EQ(RSMERR_PERM_DENIED, create(0, 1));  // a kept its range
  ASSERT_EQ(RSM_SUCCESS, rsm_memseg_export_rebind(a, mem + 2 * p, 0, 2 * p));  // 2-3
  EXPECT_EQ(RSM_SUCCESS, create(0, 2));  // 0-1 given back
  EXPECT_EQ(RSMERR_PERM_DENIED, create(3, 1));
  // A move by one page overlaps only a's own range: allowed.
  EXPECT_EQ(RSM_SUCCESS, rsm_memseg_export_rebind(b, mem + 5 * p, 0, 2 * p));  // 5-6
  EXPECT_EQ(RSM_SUCCESS, create(4, 1));
  EXPECT_EQ(RSMERR_PERM_DENIED, create(6, 2));
}

TEST_F(Ranges, AForkedChildExportsWhatItsParentExports) {
  ASSERT_EQ(RSM_SUCCESS, create(0, 2));
  int rc = in_child([&] {
    rsmapi_controller_handle_t c = nullptr;
    char name[] = "shm0";
    rsm_memseg_export_handle_t h = nullptr;
    if (rsm_get_controller(name, &c) != RSM_SUCCESS) return 1;
    // The child's copy of the pages is its own memory.
    if (rsm_memseg_export_create(c, &h, mem, 2 * p, 0) != RSM_SUCCESS) return 2;
    // And its own rule holds from then on.
    if (rsm_memseg_export_create(c, &h, mem + p, p, 0) != RSMERR_PERM_DENIED) return 3;
    return 0;
  });
  EXPECT_EQ(0, rc);
  EXPECT_EQ(RSMERR_PERM_DENIED, create(1, 1));  // the parent's rule is unchanged
}

}  // namespace
