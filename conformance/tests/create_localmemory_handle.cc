// rsmkit conformance: rsm_create_localmemory_handle(3RSM) --
// rsm_create_localmemory_handle, rsm_free_localmemory_handle.
//
// A local memory handle names a page-aligned local range for RSM_HANDLE_TYPE
// entries of rsm_memseg_import_putv/getv; the success tests move data
// through such entries both ways. The page writes RSMERR_BAD_ADDRESS, which
// no header defines: the code is RSMERR_BAD_ADDR.
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "framework/child.h"
#include "framework/iovec.h"
#include "framework/local_buffer.h"
#include "framework/resource_limits.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

class LocalMemoryHandle : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    mem = alloc_pages(kPages);
    ASSERT_NE(mem, nullptr);
    fill_pattern(mem, kPages * page, 0x10CA1, 0);
  }
  // Creates a handle expected to be refused with one of `allowed`; a
  // success is freed again.
  void expect_create_refused(rsmapi_controller_handle_t c, rsm_localmemory_handle_t *out, caddr_t vaddr,
                             size_t len, const RcSet &allowed) {
    int rc = rsm_create_localmemory_handle(c, out, vaddr, len);
    EXPECT_RC_IN(rc, allowed) << "vaddr " << static_cast<void *>(vaddr) << " length " << len;
    if (rc == RSM_SUCCESS && out) {
      rsm_free_localmemory_handle(ctlr, *out);
    }
  }
  // A segment of `pages` pages (pattern `seed`) and an importer ready for I/O.
  rsm_memseg_import_handle_t target(Export *e, size_t pages, uint64_t seed) {
    *e = make_export(pages, seed);
    if (!e->h) return nullptr;
    return connect_with_barrier(e->id);
  }
  // The handle works: a putv from it lands in a fresh segment.
  void expect_handle_works(rsm_localmemory_handle_t h, size_t len) {
    Export e;
    rsm_memseg_import_handle_t imp = target(&e, (len + page - 1) / page, 0x7A);
    ASSERT_NE(imp, nullptr);
    rsm_iovec_t v = handle_iovec(h, 0, 0, len);
    rsm_scat_gath_t sg = scat_gath(imp, &v, 1, local_node);
    ASSERT_OK(rsm_memseg_import_putv(&sg));
    EXPECT_PATTERN(e.mem, len, 0x10CA1, 0);
  }
  static constexpr size_t kPages = 4;
  char *mem = nullptr;
};

// ---- rsm_create_localmemory_handle: errors ----------------------------------------

TEST_F(LocalMemoryHandle, NullControllerIsBadCtlrHandle) {
  covers("create_localmemory_handle.BAD_CTLR_HNDL.null");
  rsm_localmemory_handle_t h = nullptr;
  expect_create_refused(nullptr, &h, mem, page, RcSet{RSMERR_BAD_CTLR_HNDL});
}

TEST_F(LocalMemoryHandle, GarbageControllerIsBadCtlrHandle) {
  covers("create_localmemory_handle.BAD_CTLR_HNDL.garbage");
  rsm_localmemory_handle_t h = nullptr;
  expect_create_refused(garbage_handle<rsmapi_controller_handle_t>(), &h, mem, page, RcSet{RSMERR_BAD_CTLR_HNDL});
}

TEST_F(LocalMemoryHandle, ReleasedControllerIsBadCtlrHandle) {
  covers("create_localmemory_handle.BAD_CTLR_HNDL.released");
  rsmapi_controller_handle_t old = ctlr;
  ASSERT_OK(rsm_release_controller(ctlr));  // the fixture's only reference
  ctlr = nullptr;
  rsm_localmemory_handle_t h = nullptr;
  int rc = rsm_create_localmemory_handle(old, &h, mem, page);
  EXPECT_RC(rc, RSMERR_BAD_CTLR_HNDL);
  ASSERT_OK(rsm_get_controller(ctlr_name.data(), &ctlr));
  if (rc == RSM_SUCCESS) {
    rsm_free_localmemory_handle(old, h);
  }
}

TEST_F(LocalMemoryHandle, NullHandleLocationIsBadLocalmemHandle) {
  covers("create_localmemory_handle.BAD_LOCALMEM_HNDL.null_location");
  expect_create_refused(ctlr, nullptr, mem, page, RcSet{RSMERR_BAD_LOCALMEM_HNDL});
  EXPECT_PATTERN(mem, kPages * page, 0x10CA1, 0);
}

TEST_F(LocalMemoryHandle, UnmappedHandleLocationRobustness) {
  covers("create_localmemory_handle.BAD_LOCALMEM_HNDL.unmapped_location");
  auto *where = static_cast<rsm_localmemory_handle_t *>(unmapped_address(page));
  ASSERT_NE(where, nullptr);
  EXPECT_RC_IN(rsm_create_localmemory_handle(ctlr, where, mem, page),
               (RcSet{RSMERR_BAD_LOCALMEM_HNDL, RSMERR_BAD_ADDR}));
}

TEST_F(LocalMemoryHandle, ZeroLengthIsBadLength) {
  covers("create_localmemory_handle.BAD_LENGTH.zero");
  rsm_localmemory_handle_t h = nullptr;
  expect_create_refused(ctlr, &h, mem, 0, RcSet{RSMERR_BAD_LENGTH});
}

TEST_F(LocalMemoryHandle, HugeLengthIsRefused) {
  covers("create_localmemory_handle.BAD_LENGTH.huge");
  rsm_localmemory_handle_t h = nullptr;
  for (size_t len : {SIZE_MAX, SIZE_MAX & ~(page - 1), size_t{1} << 47})
    expect_create_refused(ctlr, &h, mem, len, RcSet{RSMERR_BAD_LENGTH, RSMERR_BAD_ADDR});
}

TEST_F(LocalMemoryHandle, NullAddressIsBadAddr) {
  covers("create_localmemory_handle.BAD_ADDR.null");
  rsm_localmemory_handle_t h = nullptr;
  expect_create_refused(ctlr, &h, nullptr, page, RcSet{RSMERR_BAD_ADDR});
}

TEST_F(LocalMemoryHandle, UnalignedAddressIsBadAddr) {
  covers("create_localmemory_handle.BAD_ADDR.unaligned");
  rsm_localmemory_handle_t h = nullptr;
  for (size_t delta : {size_t{1}, size_t{8}, page / 2})
    expect_create_refused(ctlr, &h, mem + delta, page, RcSet{RSMERR_BAD_ADDR});
}

TEST_F(LocalMemoryHandle, UnmappedRangeRobustness) {
  covers("create_localmemory_handle.BAD_ADDR.unmapped");
  rsm_localmemory_handle_t h = nullptr;
  auto *gone = static_cast<caddr_t>(unmapped_address(2 * page));
  ASSERT_NE(gone, nullptr);
  expect_create_refused(ctlr, &h, gone, 2 * page, RcSet{RSMERR_BAD_ADDR});
  // A range running past the end of a mapping.
  char *m = static_cast<char *>(mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(m, MAP_FAILED);
  munmap(m + page, page);
  expect_create_refused(ctlr, &h, m, 2 * page, RcSet{RSMERR_BAD_ADDR, RSMERR_BAD_LENGTH});
  munmap(m, page);
}

TEST_F(LocalMemoryHandle, AddressSpaceExhaustionGivesDocumentedCode) {
  covers("create_localmemory_handle.INSUFFICIENT_MEM.rlimit_as");
  // In a fork()ed child with no address space left: success if the handle
  // needs nothing new, else INSUFFICIENT_MEM; after the limit is lifted a
  // handle can be made, and the memory kept its contents throughout.
  ChildOutcome child = run_in_child([&] {
    rsmapi_controller_handle_t c = nullptr;
    if (rsm_get_controller(ctlr_name.data(), &c) != RSM_SUCCESS) return -1;
    const size_t len = 64 * page;
    char *m = static_cast<char *>(mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (m == MAP_FAILED) return -1;
    fill_pattern(m, len, 0x77, 0);
    LoweredLimit limit = limit_address_space();
    if (!limit.ok()) return -1;
    rsm_localmemory_handle_t h = nullptr;
    int r1 = rsm_create_localmemory_handle(c, &h, m, len);
    int r2 = r1 == RSM_SUCCESS ? rsm_free_localmemory_handle(c, h) : RSM_SUCCESS;
    limit.lift();
    int r3 = rsm_create_localmemory_handle(c, &h, m, len);
    if (r3 == RSM_SUCCESS) r3 = rsm_free_localmemory_handle(c, h);
    if (first_mismatch(m, len, 0x77, 0) >= 0) return 255 << 24;
    return r1 | (r2 << 8) | (r3 << 16);
  });
  ASSERT_TRUE(child.answered()) << "the child " << child;
  int rc = child.value;
  ASSERT_NE(rc, -1) << "could not set up the child";
  ASSERT_NE(rc, 255 << 24) << "the memory lost its contents";
  EXPECT_RC_IN(rc & 0xFF, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_MEM})) << "create with no address space left";
  EXPECT_RC((rc >> 8) & 0xFF, RSM_SUCCESS) << "free of the handle made under the limit";
  EXPECT_RC((rc >> 16) & 0xFF, RSM_SUCCESS) << "create/free after the limit was lifted";
}

// ---- rsm_create_localmemory_handle: success ------------------------------------------

TEST_F(LocalMemoryHandle, PutvFromAHandleWritesTheSegment) {
  covers("create_localmemory_handle.success.putv");
  rsm_localmemory_handle_t h = nullptr;
  ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, kPages * page));
  ASSERT_NE(h, nullptr);
  Export e;
  rsm_memseg_import_handle_t imp = target(&e, kPages, 0x20);
  ASSERT_NE(imp, nullptr);
  // Two entries at offsets inside the handle, crossed over in the segment.
  rsm_iovec_t v[2] = {handle_iovec(h, 2 * page, 0, 2 * page), handle_iovec(h, 0, 2 * page, page + 100)};
  rsm_scat_gath_t sg = scat_gath(imp, v, 2, local_node);
  ASSERT_OK(rsm_memseg_import_putv(&sg));
  EXPECT_EQ(sg.io_residual_count, 0u);
  EXPECT_PATTERN(e.mem, 2 * page, 0x10CA1, 2 * page);
  EXPECT_PATTERN(e.mem + 2 * page, page + 100, 0x10CA1, 0);
  EXPECT_PATTERN(e.mem + 3 * page + 100, page - 100, 0x20, 3 * page + 100);
  EXPECT_OK(rsm_free_localmemory_handle(ctlr, h));
}

TEST_F(LocalMemoryHandle, GetvIntoAHandleFillsTheLocalMemory) {
  covers("create_localmemory_handle.success.getv");
  rsm_localmemory_handle_t h = nullptr;
  ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, kPages * page));
  Export e;
  rsm_memseg_import_handle_t imp = target(&e, kPages, 0x30);
  ASSERT_NE(imp, nullptr);
  rsm_iovec_t v = handle_iovec(h, page, page, 2 * page);
  rsm_scat_gath_t sg = scat_gath(imp, &v, 1, local_node);
  ASSERT_OK(rsm_memseg_import_getv(&sg));
  EXPECT_PATTERN(mem, page, 0x10CA1, 0);
  EXPECT_PATTERN(mem + page, 2 * page, 0x30, page);
  EXPECT_PATTERN(mem + 3 * page, page, 0x10CA1, 3 * page);
  // Later stores by the caller are seen by a later putv: the handle names
  // the memory, not a copy taken at create time.
  fill_pattern(mem, page, 0x31, 0);
  rsm_iovec_t w = handle_iovec(h, 0, 0, page);
  rsm_scat_gath_t sp = scat_gath(imp, &w, 1, local_node);
  ASSERT_OK(rsm_memseg_import_putv(&sp));
  EXPECT_PATTERN(e.mem, page, 0x31, 0);
  EXPECT_OK(rsm_free_localmemory_handle(ctlr, h));
}

TEST_F(LocalMemoryHandle, LengthNotAPageMultipleIsAcceptedOrBadLength) {
  covers("create_localmemory_handle.gap.length_not_page_multiple");
  // Gap: illumos rounds the length up to whole pages.
  rsm_localmemory_handle_t h = nullptr;
  int rc = rsm_create_localmemory_handle(ctlr, &h, mem, page + 100);
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_BAD_LENGTH}));
  if (rc == RSM_SUCCESS) {
    expect_handle_works(h, page + 100);
    EXPECT_OK(rsm_free_localmemory_handle(ctlr, h));
  }
}

TEST_F(LocalMemoryHandle, SeveralHandlesCoexist) {
  covers("create_localmemory_handle.success.several");
  std::vector<rsm_localmemory_handle_t> hs(kPages);
  for (size_t k = 0; k < kPages; k++) {
    ASSERT_OK(rsm_create_localmemory_handle(ctlr, &hs[k], mem + k * page, page));
    for (size_t j = 0; j < k; j++) EXPECT_NE(hs[j], hs[k]);
  }
  Export e;
  rsm_memseg_import_handle_t imp = target(&e, kPages, 0x40);
  ASSERT_NE(imp, nullptr);
  // Each handle's page lands at the matching offset.
  std::vector<rsm_iovec_t> v;
  for (size_t k = 0; k < kPages; k++) v.push_back(handle_iovec(hs[k], 0, k * page, page));
  rsm_scat_gath_t sg = scat_gath(imp, v.data(), v.size(), local_node);
  ASSERT_OK(rsm_memseg_import_putv(&sg));
  EXPECT_PATTERN(e.mem, kPages * page, 0x10CA1, 0);
  for (auto h : hs) EXPECT_OK(rsm_free_localmemory_handle(ctlr, h));
}

TEST_F(LocalMemoryHandle, ConcurrentCreateAndFreeAreSafe) {
  covers("create_localmemory_handle.success.mt_safe");
  std::atomic<int> bad{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++)
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int r = 0; r < 50; r++) {
        rsm_localmemory_handle_t h = nullptr;
        if (rsm_create_localmemory_handle(ctlr, &h, mem + static_cast<size_t>(t % 4) * page, page) != RSM_SUCCESS) {
          bad++;
          continue;
        }
        if (rsm_free_localmemory_handle(ctlr, h) != RSM_SUCCESS) bad++;
      }
    });
  go = true;
  for (auto &t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_PATTERN(mem, kPages * page, 0x10CA1, 0);
}

TEST_F(LocalMemoryHandle, CreateAndFreeDoNotLeakDescriptors) {
  covers("free_localmemory_handle.success.no_leak");
  rsm_localmemory_handle_t h = nullptr;
  ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, page));  // warm-up
  ASSERT_OK(rsm_free_localmemory_handle(ctlr, h));
  int before = open_fds();
  for (int k = 0; k < 200; k++) {
    ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, 2 * page));
    ASSERT_OK(rsm_free_localmemory_handle(ctlr, h));
  }
  EXPECT_EQ(open_fds(), before) << "descriptors leaked by 200 create/free pairs";
}

// ---- rsm_free_localmemory_handle ---------------------------------------------------

TEST_F(LocalMemoryHandle, FreeKeepsTheCallersMemory) {
  covers("free_localmemory_handle.success.memory_kept");
  rsm_localmemory_handle_t h = nullptr;
  ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, kPages * page));
  ASSERT_OK(rsm_free_localmemory_handle(ctlr, h));
  EXPECT_PATTERN(mem, kPages * page, 0x10CA1, 0);
  fill_pattern(mem, kPages * page, 0x11, 0);  // still ordinary writable memory
  EXPECT_PATTERN(mem, kPages * page, 0x11, 0);
  // A new handle over the same range works.
  ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, kPages * page));
  fill_pattern(mem, kPages * page, 0x10CA1, 0);
  expect_handle_works(h, kPages * page);
  EXPECT_OK(rsm_free_localmemory_handle(ctlr, h));
}

TEST_F(LocalMemoryHandle, FreeWithNullControllerIsBadCtlrHandle) {
  covers("free_localmemory_handle.BAD_CTLR_HNDL.null");
  rsm_localmemory_handle_t h = nullptr;
  ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, kPages * page));
  EXPECT_RC(rsm_free_localmemory_handle(nullptr, h), RSMERR_BAD_CTLR_HNDL);
  expect_handle_works(h, kPages * page);  // the refused free changed nothing
  EXPECT_OK(rsm_free_localmemory_handle(ctlr, h));
}

TEST_F(LocalMemoryHandle, FreeWithGarbageControllerIsBadCtlrHandle) {
  covers("free_localmemory_handle.BAD_CTLR_HNDL.garbage");
  rsm_localmemory_handle_t h = nullptr;
  ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, kPages * page));
  EXPECT_RC(rsm_free_localmemory_handle(garbage_handle<rsmapi_controller_handle_t>(), h), RSMERR_BAD_CTLR_HNDL);
  expect_handle_works(h, kPages * page);
  EXPECT_OK(rsm_free_localmemory_handle(ctlr, h));
}

TEST_F(LocalMemoryHandle, FreeNullHandleIsBadLocalmemHandle) {
  covers("free_localmemory_handle.BAD_LOCALMEM_HNDL.null");
  EXPECT_RC(rsm_free_localmemory_handle(ctlr, nullptr), RSMERR_BAD_LOCALMEM_HNDL);
}

TEST_F(LocalMemoryHandle, FreeGarbageHandleIsBadLocalmemHandle) {
  covers("free_localmemory_handle.BAD_LOCALMEM_HNDL.garbage");
  EXPECT_RC(rsm_free_localmemory_handle(ctlr, garbage_handle<rsm_localmemory_handle_t>()),
            RSMERR_BAD_LOCALMEM_HNDL);
}

TEST_F(LocalMemoryHandle, FreeTwiceIsBadLocalmemHandle) {
  covers("free_localmemory_handle.BAD_LOCALMEM_HNDL.freed");
  rsm_localmemory_handle_t h = nullptr;
  ASSERT_OK(rsm_create_localmemory_handle(ctlr, &h, mem, page));
  ASSERT_OK(rsm_free_localmemory_handle(ctlr, h));
  EXPECT_RC(rsm_free_localmemory_handle(ctlr, h), RSMERR_BAD_LOCALMEM_HNDL);
}

TEST_F(LocalMemoryHandle, FreeOfAnExportHandleIsBadLocalmemHandle) {
  covers("free_localmemory_handle.BAD_LOCALMEM_HNDL.wrong_kind");
  Export e = make_export(1, 0x50);
  ASSERT_NE(e.h, nullptr);
  EXPECT_RC(rsm_free_localmemory_handle(ctlr, reinterpret_cast<rsm_localmemory_handle_t>(e.h)),
            RSMERR_BAD_LOCALMEM_HNDL);
  // The export is untouched.
  rsm_memseg_import_handle_t i = connect_with_barrier(e.id);
  ASSERT_NE(i, nullptr);
  std::vector<char> buf(e.len);
  EXPECT_OK(rsm_memseg_import_get(i, 0, buf.data(), e.len));
  EXPECT_PATTERN(buf.data(), e.len, 0x50, 0);
}

}  // namespace
}  // namespace rsmc
