// rsmkit conformance: rsm_memseg_import_init_barrier(3RSM) --
// rsm_memseg_import_init_barrier, rsm_memseg_import_destroy_barrier.
//
// A barrier is caller storage bound to one import segment; get/put need one
// in either barrier mode (api.md 1.5). Codes the pages leave open are widened
// to what api.md 4.1 records (illumos: BARRIER_UNINITIALIZED for storage that
// holds no barrier).
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "framework/child.h"
#include "framework/local_buffer.h"
#include "framework/resource_limits.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

// Storage that holds no live barrier (never initialised, destroyed): the
// destroy page documents only BAD_BARRIER_PTR ("invalid barrier pointer");
// illumos answers BARRIER_UNINITIALIZED (api.md 2.9, 4.1).
const RcSet kNoBarrier{RSMERR_BAD_BARRIER_PTR, RSMERR_BARRIER_UNINITIALIZED};

// Answers of forked children that are not RSM codes.
constexpr int kChildSetupFailed = 250;
constexpr int kChildLimitFailed = 253;

class ImportInitBarrier : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(kPages, 0xBA55);
    ASSERT_NE(exp.h, nullptr);
    imp = connect(exp.id);
    ASSERT_NE(imp, nullptr);
  }

  // A put through h reaches the exporter and a get through h reads what the
  // exporter holds (page 1 and page 0 of the segment).
  void expect_data_moves(rsm_memseg_import_handle_t h, uint64_t seed) {
    std::vector<char> out(page), in(page);
    fill_pattern(out.data(), page, seed, page);
    EXPECT_OK(rsm_memseg_import_put(h, static_cast<off_t>(page), out.data(), page));
    EXPECT_PATTERN(exp.mem + page, page, seed, page);
    fill_pattern(exp.mem, page, seed + 1, 0);
    EXPECT_OK(rsm_memseg_import_get(h, 0, in.data(), page));
    EXPECT_PATTERN(in.data(), page, seed + 1, 0);
  }

  // get and put through h are refused for want of a barrier and move nothing.
  void expect_no_barrier(rsm_memseg_import_handle_t h) {
    std::vector<char> before(exp.mem, exp.mem + page), buf(page);
    fill_pattern(buf.data(), page, 0xDEAD, 0);
    EXPECT_RC(rsm_memseg_import_put(h, 0, buf.data(), page), RSMERR_BARRIER_UNINITIALIZED);
    EXPECT_RC(rsm_memseg_import_get(h, 0, buf.data(), page), RSMERR_BARRIER_UNINITIALIZED);
    EXPECT_EQ(std::memcmp(exp.mem, before.data(), page), 0) << "the refused put wrote to the segment";
  }

  static constexpr size_t kPages = 2;
  Export exp;
  rsm_memseg_import_handle_t imp = nullptr;
};

// ---- rsm_memseg_import_init_barrier: RSMERR_BAD_SEG_HNDL -------------------

TEST_F(ImportInitBarrier, InitNullHandleIsBadSegHandle) {
  covers("import_init_barrier.BAD_SEG_HNDL.null");
  rsmapi_barrier_t b{};
  EXPECT_RC(rsm_memseg_import_init_barrier(nullptr, RSM_BARRIER_NODE, &b), RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportInitBarrier, InitGarbageHandleIsBadSegHandle) {
  covers("import_init_barrier.BAD_SEG_HNDL.garbage");
  rsmapi_barrier_t b{};
  EXPECT_RC(rsm_memseg_import_init_barrier(garbage_handle<rsm_memseg_import_handle_t>(),
                                           RSM_BARRIER_NODE, &b),
            RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportInitBarrier, InitDisconnectedHandleIsBadSegHandle) {
  covers("import_init_barrier.BAD_SEG_HNDL.disconnected");
  rsm_memseg_import_handle_t stale = stale_import();
  rsmapi_barrier_t b{};
  EXPECT_RC(rsm_memseg_import_init_barrier(stale, RSM_BARRIER_NODE, &b), RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportInitBarrier, InitExportHandleIsBadSegHandle) {
  covers("import_init_barrier.BAD_SEG_HNDL.export_handle");
  rsmapi_barrier_t b{};
  auto wrong = reinterpret_cast<rsm_memseg_import_handle_t>(exp.h);
  EXPECT_RC(rsm_memseg_import_init_barrier(wrong, RSM_BARRIER_NODE, &b), RSMERR_BAD_SEG_HNDL);
}

// ---- rsm_memseg_import_init_barrier: RSMERR_BAD_BARRIER_PTR ----------------

TEST_F(ImportInitBarrier, InitNullBarrierIsBadBarrierPtr) {
  covers("import_init_barrier.BAD_BARRIER_PTR.null");
  EXPECT_RC(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, nullptr), RSMERR_BAD_BARRIER_PTR);
}

TEST_F(ImportInitBarrier, InitNullBarrierHasNoSideEffect) {
  covers("import_init_barrier.BAD_BARRIER_PTR.no_side_effect");
  // A refused init must not leave the segment counting as having a barrier.
  ASSERT_RC(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, nullptr), RSMERR_BAD_BARRIER_PTR);
  expect_no_barrier(imp);
}

TEST_F(ImportInitBarrier, InitBothArgumentsInvalidReportsEither) {
  covers("import_init_barrier.BAD_BARRIER_PTR.and_bad_handle");
  // Two violated preconditions: either documented code (api.md 1.1).
  EXPECT_RC_IN(rsm_memseg_import_init_barrier(nullptr, RSM_BARRIER_NODE, nullptr),
               (RcSet{RSMERR_BAD_SEG_HNDL, RSMERR_BAD_BARRIER_PTR}));
}

TEST_F(ImportInitBarrier, InitUnmappedBarrierRobustness) {
  covers("import_init_barrier.BAD_BARRIER_PTR.unmapped");
  auto *b = static_cast<rsmapi_barrier_t *>(unmapped_address());
  ASSERT_NE(b, nullptr);
  EXPECT_RC(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, b), RSMERR_BAD_BARRIER_PTR);
}

// ---- rsm_memseg_import_init_barrier: RSMERR_INSUFFICIENT_MEM ---------------

TEST_F(ImportInitBarrier, InitUnderMemoryExhaustionWorksOrReportsInsufficientMem) {
  covers("import_init_barrier.INSUFFICIENT_MEM.exhausted");
  // The barrier lives in caller storage, so an implementation may need no
  // memory at all: success (with a working barrier) or INSUFFICIENT_MEM.
  // The child sets up its own segments, then runs out of memory.
  ChildOutcome child = run_in_child(
      [] {
        rsm_topology_t *t = nullptr;
        if (rsm_get_interconnect_topology(&t) || !t) return kChildSetupFailed;
        rsm_node_id_t node = t->topology_hdr.local_nodeid;
        std::string name = config().controller;
        if (name.empty() && t->topology_hdr.local_cntlr_count > 0 && t->connections[0])
          name = t->connections[0]->hdr.cntlr_name;
        if (name.empty()) return kChildSetupFailed;
        rsmapi_controller_handle_t c = nullptr;
        if (rsm_get_controller(name.data(), &c)) return kChildSetupFailed;
        rsmapi_controller_attr_t a{};
        if (rsm_get_controller_attr(c, &a)) return kChildSetupFailed;
        size_t len = a.attr_page_size ? a.attr_page_size : static_cast<size_t>(sysconf(_SC_PAGESIZE));
        void *mem = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        rsm_memseg_export_handle_t e = nullptr;
        rsm_memseg_id_t id = 0;
        rsm_memseg_import_handle_t i = nullptr;
        if (mem == MAP_FAILED || rsm_memseg_export_create(c, &e, mem, len, 0) ||
            rsm_memseg_export_publish(e, &id, nullptr, 0) ||
            rsm_memseg_import_connect(c, node, id, RSM_PERM_RDWR, &i))
          return kChildSetupFailed;
        static rsmapi_barrier_t b;
        if (!exhaust_memory()) return kChildLimitFailed;
        int r = rsm_memseg_import_init_barrier(i, RSM_BARRIER_NODE, &b);
        if (r == RSM_SUCCESS && rsm_memseg_import_destroy_barrier(&b) != RSM_SUCCESS) return 251;
        return r;
      },
      20000);
  ASSERT_TRUE(child.answered()) << "the child " << child << " in init_barrier under memory exhaustion";
  const int rc = child.value;
  if (rc == kChildSetupFailed)
    GTEST_SKIP() << "not applicable: the implementation could not be set up in a forked child";
  ASSERT_NE(rc, kChildLimitFailed) << "could not limit the address space in the child";
  ASSERT_NE(rc, 251) << "init succeeded under memory exhaustion but the barrier could not be destroyed";
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_MEM}));
}

// ---- rsm_memseg_import_init_barrier: success -------------------------------

TEST_F(ImportInitBarrier, InitEnablesGetAndPut) {
  covers("import_init_barrier.success.enables_get_put");
  expect_no_barrier(imp);  // a new connection has no barrier (api.md 1.5)
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  expect_data_moves(imp, 0x1111);
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
}

TEST_F(ImportInitBarrier, EveryHeaderBarrierTypeWorks) {
  covers("import_init_barrier.success.header_types");
  // The page's RSM_BAR_DEFAULT exists in no header; all four header values
  // are the recommended accept-set (api.md 2.9).
  const rsm_barrier_type_t types[] = {RSM_BARRIER_SEGMENT, RSM_BARRIER_NODE, RSM_BARRIER_SEGMENT_THREAD,
                                      RSM_BARRIER_NODE_THREAD};
  uint64_t seed = 0x2000;
  for (rsm_barrier_type_t type : types) {
    SCOPED_TRACE(testing::Message() << "barrier type 0x" << std::hex << static_cast<int>(type));
    rsmapi_barrier_t b{};
    ASSERT_OK(rsm_memseg_import_init_barrier(imp, type, &b));
    expect_data_moves(imp, seed += 2);
    EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
  }
}

TEST_F(ImportInitBarrier, UndefinedBarrierTypeIsRefusedOrWorks) {
  covers("import_init_barrier.gap.undefined_type");
  // No code is documented for a bad type; api.md 4.2 names BAD_BARRIER_PTR
  // and BAD_MODE as the candidates. Accepted, the barrier must work.
  for (int type : {0, 3, 0x7f, -1}) {
    SCOPED_TRACE(testing::Message() << "barrier type " << type);
    rsmapi_barrier_t b{};
    int rc = rsm_memseg_import_init_barrier(imp, static_cast<rsm_barrier_type_t>(type), &b);
    EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_BAD_BARRIER_PTR, RSMERR_BAD_MODE}));
    if (rc == RSM_SUCCESS) {
      expect_data_moves(imp, 0x3000 + static_cast<uint64_t>(type & 0xff));
      EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
    } else {
      expect_no_barrier(imp);
    }
  }
}

TEST_F(ImportInitBarrier, BarrierServesOnlyItsOwnSegment) {
  covers("import_init_barrier.success.per_segment");
  // A second connection to the same export has no barrier of its own.
  rsm_memseg_import_handle_t other = connect(exp.id);
  ASSERT_NE(other, nullptr);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  expect_no_barrier(other);
  expect_data_moves(imp, 0x4444);
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
}

TEST_F(ImportInitBarrier, BarriersOnSeveralSegmentsAreIndependent) {
  covers("import_init_barrier.success.independent");
  Export e2 = make_export(kPages, 0xE2E2);
  ASSERT_NE(e2.h, nullptr);
  rsm_memseg_import_handle_t i2 = connect(e2.id);
  ASSERT_NE(i2, nullptr);
  rsmapi_barrier_t b1{}, b2{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b1));
  ASSERT_OK(rsm_memseg_import_init_barrier(i2, RSM_BARRIER_SEGMENT, &b2));
  // Retiring the first segment's barrier leaves the second one working.
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b1));
  expect_no_barrier(imp);
  std::vector<char> buf(page);
  EXPECT_OK(rsm_memseg_import_get(i2, 0, buf.data(), page));
  EXPECT_PATTERN(buf.data(), page, e2.seed, 0);
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b2));
}

// ---- rsm_memseg_import_destroy_barrier: RSMERR_BAD_BARRIER_PTR -------------

TEST_F(ImportInitBarrier, DestroyNullIsBadBarrierPtr) {
  covers("import_destroy_barrier.BAD_BARRIER_PTR.null");
  EXPECT_RC(rsm_memseg_import_destroy_barrier(nullptr), RSMERR_BAD_BARRIER_PTR);
}

TEST_F(ImportInitBarrier, DestroyUnmappedBarrierRobustness) {
  covers("import_destroy_barrier.BAD_BARRIER_PTR.unmapped");
  auto *b = static_cast<rsmapi_barrier_t *>(unmapped_address());
  ASSERT_NE(b, nullptr);
  EXPECT_RC(rsm_memseg_import_destroy_barrier(b), RSMERR_BAD_BARRIER_PTR);
}

TEST_F(ImportInitBarrier, DestroyNeverInitializedStorageIsRefused) {
  covers("import_destroy_barrier.BAD_BARRIER_PTR.never_initialized");
  rsmapi_barrier_t b{};  // zeroed, never given to init_barrier
  EXPECT_RC_IN(rsm_memseg_import_destroy_barrier(&b), kNoBarrier);
}

TEST_F(ImportInitBarrier, DestroyGarbageStorageRobustness) {
  covers("import_destroy_barrier.BAD_BARRIER_PTR.garbage_storage");
  rsmapi_barrier_t b;
  std::memset(&b, 0x5a, sizeof b);
  EXPECT_RC_IN(rsm_memseg_import_destroy_barrier(&b), kNoBarrier);
}

TEST_F(ImportInitBarrier, DestroyTwiceIsRefused) {
  covers("import_destroy_barrier.BAD_BARRIER_PTR.destroyed_twice");
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  ASSERT_OK(rsm_memseg_import_destroy_barrier(&b));
  EXPECT_RC_IN(rsm_memseg_import_destroy_barrier(&b), kNoBarrier);
}

TEST_F(ImportInitBarrier, DestroyCopyOfDestroyedBarrierIsRefused) {
  covers("import_destroy_barrier.BAD_BARRIER_PTR.stale_copy");
  // The storage is the caller's: a byte copy taken while the barrier lived
  // must not resurrect it once the original was destroyed.
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  rsmapi_barrier_t copy;
  std::memcpy(&copy, &b, sizeof b);
  ASSERT_OK(rsm_memseg_import_destroy_barrier(&b));
  EXPECT_RC_IN(rsm_memseg_import_destroy_barrier(&copy), kNoBarrier);
  expect_no_barrier(imp);
}

// ---- rsm_memseg_import_destroy_barrier: RSMERR_BAD_SEG_HNDL ----------------

TEST_F(ImportInitBarrier, DestroyAfterDisconnectIsBadSegHandle) {
  covers("import_destroy_barrier.BAD_SEG_HNDL.disconnected");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &b));
  // The disconnect page lists no code for a bound barrier: it must succeed.
  ASSERT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
  // The documented case is BAD_SEG_HNDL; a disconnect that retired the
  // barrier with everything else attached to the handle leaves storage
  // holding no barrier (BAD_BARRIER_PTR / BARRIER_UNINITIALIZED).
  EXPECT_RC_IN(rsm_memseg_import_destroy_barrier(&b), (RcSet{RSMERR_BAD_SEG_HNDL}).add(kNoBarrier));
}

// ---- rsm_memseg_import_destroy_barrier: success ----------------------------

TEST_F(ImportInitBarrier, DestroyRetiresTheBarrier) {
  covers("import_destroy_barrier.success.retired");
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  expect_data_moves(imp, 0x5555);
  ASSERT_OK(rsm_memseg_import_destroy_barrier(&b));
  // The segment's only barrier is gone: get/put need a new one again.
  expect_no_barrier(imp);
  EXPECT_RC_IN(rsm_memseg_import_open_barrier(&b), kNoBarrier);
}

TEST_F(ImportInitBarrier, StorageCanBeInitializedAgainAfterDestroy) {
  covers("import_destroy_barrier.success.reinit");
  rsmapi_barrier_t b{};
  for (int round = 0; round < 3; round++) {
    SCOPED_TRACE(testing::Message() << "round " << round);
    ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
    expect_data_moves(imp, 0x6000 + static_cast<uint64_t>(round) * 2);
    ASSERT_OK(rsm_memseg_import_destroy_barrier(&b));
  }
}

TEST_F(ImportInitBarrier, DestroyAfterExporterUnpublishedWorks) {
  covers("import_destroy_barrier.success.aborted_connection");
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  ASSERT_OK(rsm_memseg_export_unpublish(exp.h));
  // The import handle stays valid until disconnected (api.md 1.2), so the
  // barrier can be retired; BAD_SEG_HNDL if the library holds the lost
  // connection for an invalid segment.
  EXPECT_RC_IN(rsm_memseg_import_destroy_barrier(&b), (RcSet{RSM_SUCCESS, RSMERR_BAD_SEG_HNDL}));
  EXPECT_OK(rsm_memseg_import_disconnect(imp));
  forget_import(imp);
}

TEST_F(ImportInitBarrier, ConcurrentInitAndDestroyOnSeparateSegments) {
  covers("import_init_barrier.success.mt_safe");
  // MT-Safe: threads each cycle a barrier of their own connection.
  constexpr int kThreads = 4;
  std::vector<rsm_memseg_import_handle_t> hs;
  for (int t = 0; t < kThreads; t++) {
    hs.push_back(connect(exp.id));
    ASSERT_NE(hs.back(), nullptr);
  }
  std::vector<int> bad(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&, t] {
      std::vector<char> buf(page);
      for (int round = 0; round < 50; round++) {
        rsmapi_barrier_t b{};
        if (rsm_memseg_import_init_barrier(hs[static_cast<size_t>(t)], RSM_BARRIER_NODE, &b) ||
            rsm_memseg_import_get(hs[static_cast<size_t>(t)], 0, buf.data(), page) ||
            first_mismatch(buf.data(), page, exp.seed, 0) >= 0 ||
            rsm_memseg_import_destroy_barrier(&b)) {
          bad[static_cast<size_t>(t)]++;
        }
      }
    });
  for (auto &th : threads) th.join();
  for (int t = 0; t < kThreads; t++) EXPECT_EQ(bad[static_cast<size_t>(t)], 0) << "thread " << t;
}

}  // namespace
}  // namespace rsmc
