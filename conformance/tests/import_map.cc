// rsmkit conformance: rsm_memseg_import_map(3RSM) -- rsm_memseg_import_map,
// rsm_memseg_import_unmap. Error sets come from model/allowed.h so the tests,
// the property tests and the fuzzers judge a call the same way.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "framework/child.h"
#include "framework/peer.h"
#include "framework/resource_limits.h"
#include "framework/suite.h"
#include "model/allowed.h"

namespace rsmc {
namespace {

using model::HandleState;
using model::MapCall;

class ImportMap : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(kPages, 0xA11CE);
    ASSERT_NE(exp.h, nullptr);
    imp = connect(exp.id, RSM_PERM_RDWR);
    ASSERT_NE(imp, nullptr);
  }
  // The model's view of a call on `imp` with these arguments.
  MapCall call(uint32_t attr, uint32_t perm, int64_t off, uint64_t len, uintptr_t fixed = 0) const {
    MapCall c;
    c.attr = attr;
    c.perm = perm;
    c.offset = off;
    c.length = len;
    c.fixed_addr = fixed;
    c.seg_size = exp.len;
    c.page = page;
    c.can_map = can_map();
    return c;
  }
  // Maps with the given arguments and checks the result against the model;
  // a success is unmapped again. Returns the code.
  int map_checked(const MapCall &c, void *addr_in) {
    void *addr = addr_in;
    int rc = rsm_memseg_import_map(imp, &addr, static_cast<rsm_attribute_t>(c.attr), c.perm,
                                   static_cast<off_t>(c.offset), c.length);
    EXPECT_RC_IN(rc, model::map_allowed(c));
    if (rc == RSM_SUCCESS) {
      EXPECT_OK(rsm_memseg_import_unmap(imp));
    }
    return rc;
  }
  static constexpr size_t kPages = 4;
  Export exp;
  rsm_memseg_import_handle_t imp = nullptr;
};

// A private PROT_NONE reservation the test can map over.
struct Reservation {
  explicit Reservation(size_t len) : len(len) {
    void *p = mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    addr = p == MAP_FAILED ? nullptr : static_cast<char *>(p);
  }
  ~Reservation() {
    if (addr) munmap(addr, len);
  }
  char *addr;
  size_t len;
};

// Runs fn in a child process; true when the child died of SIGSEGV or SIGBUS.
bool faults(const std::function<void()> &fn) {
  ChildOutcome child = run_in_child([&] {
    // Default actions: a handler (a sanitizer's, the library's) could turn
    // the fault into an ordinary exit.
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    fn();
    return 0;
  });
  return child.kind == ChildOutcome::Kind::signalled && (child.signal == SIGSEGV || child.signal == SIGBUS);
}

// ---- RSMERR_BAD_SEG_HNDL -------------------------------------------------

TEST_F(ImportMap, NullHandleIsBadSegHandle) {
  covers("import_map.BAD_SEG_HNDL.null");
  void *addr = nullptr;
  EXPECT_RC(rsm_memseg_import_map(nullptr, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page),
            RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportMap, GarbageHandleIsBadSegHandle) {
  covers("import_map.BAD_SEG_HNDL.garbage");
  void *addr = nullptr;
  EXPECT_RC(rsm_memseg_import_map(garbage_handle<rsm_memseg_import_handle_t>(), &addr, RSM_MAP_NONE,
                                  RSM_PERM_RDWR, 0, page),
            RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportMap, DisconnectedHandleIsBadSegHandle) {
  covers("import_map.BAD_SEG_HNDL.disconnected");
  rsm_memseg_import_handle_t stale = stale_import();
  void *addr = nullptr;
  EXPECT_RC(rsm_memseg_import_map(stale, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page),
            RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportMap, ExportHandleIsNotAnImportHandle) {
  covers("import_map.BAD_SEG_HNDL.export_handle");
  void *addr = nullptr;
  auto wrong = reinterpret_cast<rsm_memseg_import_handle_t>(exp.h);
  EXPECT_RC(rsm_memseg_import_map(wrong, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page),
            RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportMap, UnmapBadHandles) {
  covers("import_unmap.BAD_SEG_HNDL");
  EXPECT_RC(rsm_memseg_import_unmap(nullptr), RSMERR_BAD_SEG_HNDL);
  EXPECT_RC(rsm_memseg_import_unmap(garbage_handle<rsm_memseg_import_handle_t>()),
            RSMERR_BAD_SEG_HNDL);
  EXPECT_RC(rsm_memseg_import_unmap(stale_import()), RSMERR_BAD_SEG_HNDL);
}

// ---- RSMERR_BAD_ADDR -----------------------------------------------------

TEST_F(ImportMap, NullAddressArgumentIsBadAddr) {
  covers("import_map.BAD_ADDR.null_address_arg");
  MapCall c = call(RSM_MAP_NONE, RSM_PERM_RDWR, 0, page);
  c.address_null = true;
  EXPECT_RC_IN(rsm_memseg_import_map(imp, nullptr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page),
               model::map_allowed(c));
}

TEST_F(ImportMap, FixedNullAddressIsBadAddr) {
  covers("import_map.BAD_ADDR.fixed_null");
  map_checked(call(RSM_MAP_FIXED, RSM_PERM_RDWR, 0, page, 0), nullptr);
}

TEST_F(ImportMap, FixedAddressOutsideUserSpaceIsBadAddr) {
  covers("import_map.BAD_ADDR.fixed_kernel_space");
  uintptr_t kernel = 0xFFFF800000000000ull;
  map_checked(call(RSM_MAP_FIXED, RSM_PERM_RDWR, 0, page, kernel), reinterpret_cast<void *>(kernel));
}

// ---- RSMERR_BAD_LENGTH ---------------------------------------------------

TEST_F(ImportMap, ZeroLengthIsBadLength) {
  covers("import_map.BAD_LENGTH.zero");
  map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, 0, 0), nullptr);
}

TEST_F(ImportMap, LengthPastEndIsBadLength) {
  covers("import_map.BAD_LENGTH.past_end");
  map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len + page), nullptr);
  map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, static_cast<int64_t>(page), exp.len), nullptr);
  // One byte too many is too many (an off-by-one in the range check).
  map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len + 1), nullptr);
  map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, static_cast<int64_t>(page), exp.len - page + 1), nullptr);
}

TEST_F(ImportMap, OffsetPlusLengthOverflowIsRejected) {
  covers("import_map.BAD_LENGTH.overflow");
  map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, static_cast<int64_t>(page), SIZE_MAX), nullptr);
  map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, static_cast<int64_t>(page), SIZE_MAX - page + 1), nullptr);
}

// ---- RSMERR_BAD_MEM_ALIGNMENT ----------------------------------------------

TEST_F(ImportMap, FixedUnalignedAddressIsBadMemAlignment) {
  covers("import_map.BAD_MEM_ALIGNMENT.fixed_addr");
  Reservation r(2 * page);
  ASSERT_NE(r.addr, nullptr);
  for (size_t delta : {size_t{1}, size_t{8}, page / 2}) {
    uintptr_t a = reinterpret_cast<uintptr_t>(r.addr) + delta;
    map_checked(call(RSM_MAP_FIXED, RSM_PERM_RDWR, 0, page, a), reinterpret_cast<void *>(a));
  }
}

// ---- RSMERR_BAD_OFFSET ---------------------------------------------------

TEST_F(ImportMap, NegativeOffsetIsRejected) {
  covers("import_map.BAD_OFFSET.negative");
  for (int64_t off : {int64_t{-1}, -static_cast<int64_t>(page), INT64_MIN})
    map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, off, page), nullptr);
}

TEST_F(ImportMap, OffsetAtOrPastEndIsRejected) {
  covers("import_map.BAD_OFFSET.past_end");
  for (int64_t off : {static_cast<int64_t>(exp.len), static_cast<int64_t>(exp.len + page), INT64_MAX})
    map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, off, page), nullptr);
}

TEST_F(ImportMap, UnalignedOffsetIsRejected) {
  covers("import_map.BAD_OFFSET.unaligned");
  for (int64_t off : {int64_t{1}, int64_t{64}, static_cast<int64_t>(page + 8)})
    map_checked(call(RSM_MAP_NONE, RSM_PERM_RDWR, off, page), nullptr);
}

// ---- RSMERR_BAD_PERMS ----------------------------------------------------

TEST_F(ImportMap, UndefinedPermissionIsBadPerms) {
  covers("import_map.BAD_PERMS.undefined_value");
  for (uint32_t perm : {0u, 0100u, 0700u, 0777u, 0400u | 0001u, 0x80000000u})
    map_checked(call(RSM_MAP_NONE, perm, 0, page), nullptr);
}

TEST_F(ImportMap, PermissionBeyondGrantIsBadPerms) {
  covers("import_map.BAD_PERMS.beyond_grant");
  // Granted read only (all classes): a writable mapping is never allowed.
  rsmapi_access_entry_t acl[] = {{local_node, 0444}};
  Export ro = make_export(1, 0xB0B, true, acl, 1);
  ASSERT_NE(ro.h, nullptr);
  rsm_memseg_import_handle_t h = connect(ro.id, RSM_PERM_READ);
  ASSERT_NE(h, nullptr);
  for (uint32_t perm : {uint32_t{RSM_PERM_WRITE}, uint32_t{RSM_PERM_RDWR}}) {
    void *addr = nullptr;
    EXPECT_RC_IN(rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, perm, 0, page),
                 (RcSet{RSMERR_BAD_PERMS}).add(can_map() ? RcSet{} : RcSet{RSMERR_MAP_FAILED}));
  }
}

TEST_F(ImportMap, PermissionBeyondConnectRequestWithinGrant) {
  covers("import_map.BAD_PERMS.beyond_connect_request");
  // Connected for reading of a segment that grants read/write: the pages let
  // "what the connection grants" be read as the request or as the grant.
  rsm_memseg_import_handle_t h = connect(exp.id, RSM_PERM_READ);
  ASSERT_NE(h, nullptr);
  MapCall c = call(RSM_MAP_NONE, RSM_PERM_RDWR, 0, page);
  c.connect_perm = RSM_PERM_READ;
  void *addr = nullptr;
  int rc = rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page);
  EXPECT_RC_IN(rc, model::map_allowed(c));
  if (rc == RSM_SUCCESS) {
      EXPECT_OK(rsm_memseg_import_unmap(h));
    }
}

// ---- RSMERR_SEG_ALREADY_MAPPED -------------------------------------------

TEST_F(ImportMap, SecondMapIsAlreadyMapped) {
  covers("import_map.SEG_ALREADY_MAPPED.twice");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  void *a = nullptr, *b = nullptr;
  ASSERT_OK(rsm_memseg_import_map(imp, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len));
  EXPECT_RC(rsm_memseg_import_map(imp, &b, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page),
            RSMERR_SEG_ALREADY_MAPPED);
  // The first mapping is untouched by the refused second one.
  EXPECT_PATTERN(a, exp.len, exp.seed, 0);
  EXPECT_OK(rsm_memseg_import_unmap(imp));
}

TEST_F(ImportMap, ConcurrentMapsExactlyOneWins) {
  covers("import_map.SEG_ALREADY_MAPPED.concurrent");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, already{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      void *a = nullptr;
      int rc = rsm_memseg_import_map(imp, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len);
      (rc == RSM_SUCCESS ? ok : rc == RSMERR_SEG_ALREADY_MAPPED ? already : other)++;
    });
  go = true;
  for (auto &t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_OK(rsm_memseg_import_unmap(imp));
}

// ---- RSMERR_CONN_ABORTED / RSMERR_SEG_NOT_CONNECTED ------------------------

TEST_F(ImportMap, MapAfterUnpublishIsConnectionLoss) {
  covers("import_map.CONN_ABORTED.unpublished");
  covers("import_map.SEG_NOT_CONNECTED.unpublished");
  ASSERT_OK(rsm_memseg_export_unpublish(exp.h));
  MapCall c = call(RSM_MAP_NONE, RSM_PERM_RDWR, 0, page);
  c.state = HandleState::aborted;
  // Asked twice: the first call may report the abort and the second the
  // resulting unconnected state; both must refuse.
  for (int i = 0; i < 2; i++) map_checked(c, nullptr);
}

TEST_F(ImportMap, MapAfterExporterCrashIsConnectionLoss) {
  covers("import_map.CONN_ABORTED.exporter_died");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(2, 77));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(h, nullptr);
  peer.crash();
  MapCall c = call(RSM_MAP_NONE, RSM_PERM_RDWR, 0, page);
  c.state = HandleState::aborted;
  c.seg_size = 2 * page;
  void *addr = nullptr;
  EXPECT_RC_IN(rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page),
               model::map_allowed(c));
}

// ---- RSMERR_MAP_FAILED ------------------------------------------------------

TEST_F(ImportMap, ControllerThatCannotMapRefuses) {
  covers("import_map.MAP_FAILED.cannot_map");
  if (can_map()) GTEST_SKIP() << "not applicable: the controller maps (attr_max_import_map_size > 0)";
  void *addr = nullptr;
  EXPECT_RC(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page),
            RSMERR_MAP_FAILED);
}

TEST_F(ImportMap, AddressSpaceExhaustionIsMapFailed) {
  covers("import_map.MAP_FAILED.rlimit_as");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  // A child connects to a 16 MiB segment, then leaves itself no address
  // space for the mapping. A mapping that cannot be made is MAP_FAILED (the
  // page lists no INSUFFICIENT_MEM for map); once the limit is lifted the
  // same handle maps.
  Export big = make_export(4096, 0xB17);
  ASSERT_NE(big.h, nullptr);
  size_t len = std::min<size_t>(big.len, attr.attr_max_import_map_size) / page * page;
  std::string name = ctlr_name;
  rsm_node_id_t node = local_node;
  ChildOutcome child = run_in_child([&]() -> int {
    rsm_memseg_import_handle_t h = nullptr;
    if (int step = connect_from_scratch(name, node, big.id, &h)) return 499 + step;
    LoweredLimit limit = limit_address_space(256 * 1024);
    if (!limit.ok()) return 502;
    void *addr = nullptr;
    int r1 = rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, len);
    if (r1 == RSM_SUCCESS) rsm_memseg_import_unmap(h);
    limit.lift();
    addr = nullptr;
    int r2 = rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, len);
    if (r2 != RSM_SUCCESS) return 10000 + r2;
    rsm_memseg_import_unmap(h);
    rsm_memseg_import_disconnect(h);
    return r1;
  }, 20000);
  ASSERT_TRUE(child.answered()) << "the child " << child;
  const int rc = child.value;
  ASSERT_NE(rc, 500) << "the child could not get the controller";
  ASSERT_NE(rc, 501) << "the child could not connect";
  ASSERT_NE(rc, 502) << "getrlimit/setrlimit failed";
  ASSERT_LT(rc, 10000) << "with the limit lifted the handle did not map: " << rc_name(rc - 10000);
  EXPECT_RC_IN(rc, (RcSet{RSMERR_MAP_FAILED, RSMERR_INSUFFICIENT_RESOURCES}))
      << "mapping " << len << " bytes with 256 KiB of address space left";
}

// ---- success semantics ----------------------------------------------------

TEST_F(ImportMap, MappingSeesExporterDataBothWays) {
  covers("import_map.success.data_both_ways");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  void *addr = nullptr;
  ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len));
  ASSERT_NE(addr, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(addr) % page, 0u);
  EXPECT_PATTERN(addr, exp.len, exp.seed, 0);
  fill_pattern(addr, exp.len, 0xFEED, 0);  // importer stores...
  EXPECT_PATTERN(exp.mem, exp.len, 0xFEED, 0);  // ...land in the exporter's memory
  fill_pattern(exp.mem + page, page, 0xBEEF, page);  // and the other way round
  EXPECT_PATTERN(static_cast<char *>(addr) + page, page, 0xBEEF, page);
  EXPECT_OK(rsm_memseg_import_unmap(imp));
}

TEST_F(ImportMap, WindowAtOffsetShowsThatPartOfTheSegment) {
  covers("import_map.success.offset_window");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  for (size_t first = 1; first < kPages; first++) {
    void *addr = nullptr;
    size_t len = (kPages - first) * page;
    ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR,
                                    static_cast<off_t>(first * page), len));
    EXPECT_PATTERN(addr, len, exp.seed, first * page);
    EXPECT_OK(rsm_memseg_import_unmap(imp));
  }
}

TEST_F(ImportMap, FixedMapsExactlyThere) {
  covers("import_map.success.fixed_address");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  Reservation r(exp.len);
  ASSERT_NE(r.addr, nullptr);
  void *addr = r.addr;
  ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_FIXED, RSM_PERM_RDWR, 0, exp.len));
  EXPECT_EQ(addr, static_cast<void *>(r.addr));
  EXPECT_PATTERN(r.addr, exp.len, exp.seed, 0);
  EXPECT_OK(rsm_memseg_import_unmap(imp));
}

TEST_F(ImportMap, ReservedPlacementIsAcceptedOrRefused) {
  covers("import_map.success.reserved_attr");
  Reservation r(exp.len);
  ASSERT_NE(r.addr, nullptr);
  MapCall c = call(RSM_MAP_RESERVED, RSM_PERM_RDWR, 0, exp.len, reinterpret_cast<uintptr_t>(r.addr));
  c.fixed_addr_reserved = true;
  void *addr = r.addr;
  int rc = rsm_memseg_import_map(imp, &addr, RSM_MAP_RESERVED, RSM_PERM_RDWR, 0, exp.len);
  EXPECT_RC_IN(rc, model::map_allowed(c));
  if (rc == RSM_SUCCESS) {
    EXPECT_PATTERN(addr, exp.len, exp.seed, 0);
    EXPECT_OK(rsm_memseg_import_unmap(imp));
  }
}

TEST_F(ImportMap, UndefinedAttributeIsRefusedOrHarmless) {
  covers("import_map.gap.undefined_attr");
  for (uint32_t attr : {3u, 4u, 0x80u, 0xFFFFFFFFu}) {
    MapCall c = call(attr, RSM_PERM_RDWR, 0, exp.len);
    void *addr = nullptr;
    int rc = rsm_memseg_import_map(imp, &addr, static_cast<rsm_attribute_t>(attr), RSM_PERM_RDWR, 0, exp.len);
    EXPECT_RC_IN(rc, model::map_allowed(c)) << "attr " << attr;
    if (rc == RSM_SUCCESS) {
      EXPECT_PATTERN(addr, exp.len, exp.seed, 0);
      EXPECT_OK(rsm_memseg_import_unmap(imp));
    }
  }
}

TEST_F(ImportMap, ReadOnlyMappingFaultsOnWrite) {
  covers("import_map.success.read_only_protection");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  void *addr = nullptr;
  ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_READ, 0, exp.len));
  EXPECT_PATTERN(addr, exp.len, exp.seed, 0);
  EXPECT_TRUE(faults([&] { *static_cast<volatile char *>(addr) = 1; }))
      << "a store through an RSM_PERM_READ mapping did not fault";
  EXPECT_PATTERN(exp.mem, exp.len, exp.seed, 0);  // and nothing changed
  EXPECT_OK(rsm_memseg_import_unmap(imp));
}

TEST_F(ImportMap, WriteMappingStoresReachExporter) {
  covers("import_map.success.write_perm");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  void *addr = nullptr;
  ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_WRITE, 0, exp.len));
  fill_pattern(addr, exp.len, 0x5EED, 0);
  EXPECT_PATTERN(exp.mem, exp.len, 0x5EED, 0);
  EXPECT_OK(rsm_memseg_import_unmap(imp));
}

TEST_F(ImportMap, FailedMapLeavesHandleUsable) {
  covers("import_map.success.usable_after_failure");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  void *addr = nullptr;
  EXPECT_NE(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, 0), RSM_SUCCESS);
  EXPECT_NE(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, 0777, 0, page), RSM_SUCCESS);
  Reservation r(2 * page);
  addr = r.addr + 1;
  EXPECT_NE(rsm_memseg_import_map(imp, &addr, RSM_MAP_FIXED, RSM_PERM_RDWR, 0, page), RSM_SUCCESS);
  addr = nullptr;
  ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len));
  EXPECT_PATTERN(addr, exp.len, exp.seed, 0);
  EXPECT_OK(rsm_memseg_import_unmap(imp));
}

TEST_F(ImportMap, UnmapThenMapAgain) {
  covers("import_unmap.success.remap");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  for (int round = 0; round < 3; round++) {
    void *addr = nullptr;
    ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len));
    EXPECT_PATTERN(addr, exp.len, exp.seed, 0);
    ASSERT_OK(rsm_memseg_import_unmap(imp));
  }
  EXPECT_RC_IN(rsm_memseg_import_unmap(imp), model::unmap_allowed(HandleState::connected));
}

TEST_F(ImportMap, UnmapReleasesTheMapping) {
  covers("import_unmap.success.released");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  void *addr = nullptr;
  ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len));
  EXPECT_PATTERN(addr, exp.len, exp.seed, 0);
  ASSERT_OK(rsm_memseg_import_unmap(imp));
  // New data in the segment after the unmap: the old address must not show
  // it. Reading there may fault (the range is gone) or find other memory;
  // what it must not find is the segment still mapped.
  fill_pattern(exp.mem, exp.len, 0x5EED, 0);  // the exporter's own stores
  ChildOutcome child = run_in_child([&] {
    return first_mismatch(addr, exp.len, 0x5EED, 0) < 0 ? 1 : 0;
  });
  EXPECT_FALSE(child.answered() && child.value == 1)
      << "after unmap the old address still shows the segment: the mapping was not removed";
  // A fault kills the child, or (under a sanitizer's handler) ends it.
  EXPECT_TRUE(child.kind != ChildOutcome::Kind::timed_out &&
              child.kind != ChildOutcome::Kind::not_started)
      << child;
}

TEST_F(ImportMap, CrossProcessMappingSharesData) {
  covers("import_map.success.cross_process");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(2, 99));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(h, nullptr);
  void *addr = nullptr;
  ASSERT_OK(rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, 2 * page));
  EXPECT_PATTERN(addr, 2 * page, 99, 0);
  ASSERT_EQ(peer.call("fill 0 123 0 " + std::to_string(page)), "ok");
  EXPECT_PATTERN(addr, page, 123, 0);
  fill_pattern(static_cast<char *>(addr) + page, page, 321, page);
  EXPECT_EQ(peer.call("check 0 321 " + std::to_string(page) + " " + std::to_string(page)), "ok");
  EXPECT_OK(rsm_memseg_import_unmap(h));
}

}  // namespace
}  // namespace rsmc
