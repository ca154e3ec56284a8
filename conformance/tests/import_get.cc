// rsmkit conformance: rsm_memseg_import_get(3RSM) -- rsm_memseg_import_get,
// rsm_memseg_import_get8, rsm_memseg_import_get16, rsm_memseg_import_get32,
// rsm_memseg_import_get64. Every check runs for each of the five functions
// (value-parameterized); assertion ids are <function>.<ERROR>.<condition>.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "framework/child.h"
#include "framework/local_buffer.h"
#include "framework/peer.h"
#include "framework/resource_limits.h"
#include "framework/signals.h"
#include "framework/suite.h"
#include "framework/transfer_cases.h"

namespace rsmc {
namespace {

enum class Fn { get, get8, get16, get32, get64 };

struct FnInfo {
  Fn fn;
  const char *id;  // assertion-id prefix, e.g. "import_get16"
  size_t elem;     // element size; 1 for rsm_memseg_import_get (bytes)
};

const FnInfo kAll[] = {
    {Fn::get, "import_get", 1},     {Fn::get8, "import_get8", 1},   {Fn::get16, "import_get16", 2},
    {Fn::get32, "import_get32", 4}, {Fn::get64, "import_get64", 8},
};
const FnInfo kWide[] = {kAll[2], kAll[3], kAll[4]};
const FnInfo kBytes[] = {kAll[0], kAll[1]};

// Calls the function with n elements (bytes for rsm_memseg_import_get).
int get_n(const FnInfo &f, rsm_memseg_import_handle_t h, off_t off, void *buf, unsigned long n) {
  switch (f.fn) {
    case Fn::get:
      return rsm_memseg_import_get(h, off, buf, n);
    case Fn::get8:
      return rsm_memseg_import_get8(h, off, static_cast<uint8_t *>(buf), n);
    case Fn::get16:
      return rsm_memseg_import_get16(h, off, static_cast<uint16_t *>(buf), n);
    case Fn::get32:
      return rsm_memseg_import_get32(h, off, static_cast<uint32_t *>(buf), n);
    case Fn::get64:
      return rsm_memseg_import_get64(h, off, static_cast<uint64_t *>(buf), n);
  }
  return -1;
}

std::string param_name(const ::testing::TestParamInfo<FnInfo> &i) { return i.param.id + 7; }

constexpr uint64_t kGuardSeed = 0x6A7D;  // what the local memory holds before a call

class GetTestBase : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(kPages, 0x6E7);
    ASSERT_NE(exp.h, nullptr);
    imp = connect_with_barrier(exp.id);
    ASSERT_NE(imp, nullptr);
  }
  // Guarded local memory for `bytes`, filled with the guard pattern.
  static GuardedBuffer local(size_t bytes) { return GuardedBuffer(bytes, kGuardSeed); }

  static constexpr size_t kPages = 4;
  Export exp;
  rsm_memseg_import_handle_t imp = nullptr;
};

class ImportGet : public GetTestBase, public ::testing::WithParamInterface<FnInfo> {
 protected:
  const FnInfo &f() const { return GetParam(); }
  size_t elem() const { return GetParam().elem; }
  void cover(const char *rest) { covers((std::string(GetParam().id) + "." + rest).c_str()); }
  int get(rsm_memseg_import_handle_t h, off_t off, void *buf, unsigned long n) {
    return get_n(f(), h, off, buf, n);
  }
  // Gets n elements at off into guarded memory: checks success, data, guards.
  void expect_get(rsm_memseg_import_handle_t h, size_t off, unsigned long n, uint64_t seed) {
    GuardedBuffer l = local(n * elem());
    ASSERT_NE(l.base(), nullptr);
    ASSERT_OK(get(h, static_cast<off_t>(off), l.p(), n)) << "offset " << off << " count " << n;
    EXPECT_PATTERN(l.p(), l.bytes(), seed, off) << "offset " << off << " count " << n;
    l.expect_guards();
  }
  // A get that must be refused with one of `allowed`; writes nowhere outside
  // the n-element buffer (what the buffer holds after a failure is a gap).
  void expect_refused(rsm_memseg_import_handle_t h, off_t off, unsigned long n,
                      const RcSet &allowed, size_t buf_elems = SIZE_MAX) {
    GuardedBuffer l = local((buf_elems == SIZE_MAX ? n : buf_elems) * elem());
    ASSERT_NE(l.base(), nullptr);
    EXPECT_RC_IN(get(h, off, l.p(), n), allowed) << "offset " << off << " count " << n;
    l.expect_guards();
  }
  size_t count_all() const { return exp.len / elem(); }
};

class ImportGetWide : public ImportGet {};

INSTANTIATE_TEST_SUITE_P(Fn, ImportGet, ::testing::ValuesIn(kAll), param_name);
INSTANTIATE_TEST_SUITE_P(Fn, ImportGetWide, ::testing::ValuesIn(kWide), param_name);

// ---- RSMERR_BAD_SEG_HNDL -------------------------------------------------------

TEST_P(ImportGet, NullHandleIsBadSegHandle) {
  cover("BAD_SEG_HNDL.null");
  expect_refused(nullptr, 0, 1, RcSet{RSMERR_BAD_SEG_HNDL});
}

TEST_P(ImportGet, GarbageHandleIsBadSegHandle) {
  cover("BAD_SEG_HNDL.garbage");
  expect_refused(garbage_handle<rsm_memseg_import_handle_t>(), 0, 1, RcSet{RSMERR_BAD_SEG_HNDL});
}

TEST_P(ImportGet, DisconnectedHandleIsBadSegHandle) {
  cover("BAD_SEG_HNDL.disconnected");
  expect_refused(stale_import(), 0, 1, RcSet{RSMERR_BAD_SEG_HNDL});
}

TEST_P(ImportGet, ExportHandleIsNotAnImportHandle) {
  cover("BAD_SEG_HNDL.export_handle");
  expect_refused(reinterpret_cast<rsm_memseg_import_handle_t>(exp.h), 0, 1,
                 RcSet{RSMERR_BAD_SEG_HNDL});
  EXPECT_PATTERN(exp.mem, exp.len, exp.seed, 0);
}

// ---- RSMERR_BAD_ADDR -----------------------------------------------------------

TEST_P(ImportGet, NullBufferIsBadAddr) {
  cover("BAD_ADDR.null");
  EXPECT_RC(get(imp, 0, nullptr, 1), RSMERR_BAD_ADDR);
  EXPECT_RC(get(imp, static_cast<off_t>(page), nullptr, 4), RSMERR_BAD_ADDR);
}

TEST_P(ImportGet, UnmappedBufferIsBadAddrRobustness) {
  cover("BAD_ADDR.unmapped");
  void *p = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(munmap(p, page), 0);
  EXPECT_RC(get(imp, 0, p, 4), RSMERR_BAD_ADDR);
}

// ---- RSMERR_BAD_MEM_ALIGNMENT (16/32/64-bit forms) -----------------------------

TEST_P(ImportGetWide, MisalignedBufferIsBadMemAlignment) {
  cover("BAD_MEM_ALIGNMENT.buffer");
  for (size_t mis = 1; mis < elem(); mis++) {
    for (unsigned long n : {1ul, 3ul}) {
      GuardedBuffer l = local(n * elem() + elem());
      ASSERT_NE(l.base(), nullptr);
      EXPECT_RC(get(imp, static_cast<off_t>(elem()), l.p() + mis, n), RSMERR_BAD_MEM_ALIGNMENT)
          << "buffer misaligned by " << mis << ", count " << n;
      l.expect_guards();
    }
  }
}

TEST_P(ImportGetWide, MisalignedOffsetIsRefused) {
  cover("BAD_MEM_ALIGNMENT.offset");
  for (size_t base : misaligned_offset_bases(exp.len, page, elem()))
    for (size_t mis = 1; mis < elem(); mis++)
      expect_refused(imp, static_cast<off_t>(base + mis), 1, kMisalignedOffsetCodes);
}

// ---- RSMERR_BAD_OFFSET ---------------------------------------------------------

TEST_P(ImportGet, NegativeOffsetIsRefused) {
  cover("BAD_OFFSET.negative");
  for (off_t off : negative_offsets(page, elem())) expect_refused(imp, off, 1, kRangeCodes);
}

TEST_P(ImportGet, OffsetAtOrPastEndIsRefused) {
  cover("BAD_OFFSET.past_end");
  for (size_t off : offsets_at_or_past_end(exp.len, page, elem()))
    expect_refused(imp, static_cast<off_t>(off), 1, kRangeCodes);
}

// ---- RSMERR_BAD_LENGTH ---------------------------------------------------------

TEST_P(ImportGet, TransferPastEndIsRefused) {
  cover("BAD_LENGTH.past_end");
  for (auto [off, n] : transfers_past_end(exp.len, page, elem()))
    expect_refused(imp, static_cast<off_t>(off), n, kRangeCodes);
}

TEST_P(ImportGet, CountOverflowIsRefused) {
  cover("BAD_LENGTH.overflow");
  for (auto [off, n] : count_overflows(exp.len, elem()))
    expect_refused(imp, static_cast<off_t>(off), n, kRangeCodes | kOverlongBuffer, 16);
}

// ---- RSMERR_PERM_DENIED --------------------------------------------------------

TEST_P(ImportGet, WriteOnlyConnectionIsPermDenied) {
  cover("PERM_DENIED.write_only");
  // Granted write only and asked for write only: no reading of any kind.
  rsmapi_access_entry_t acl[] = {{local_node, 0200}};
  Export wo = make_export(1, 0x3E3, true, acl, 1);
  ASSERT_NE(wo.h, nullptr);
  rsm_memseg_import_handle_t h = connect_with_barrier(wo.id, RSM_PERM_WRITE);
  ASSERT_NE(h, nullptr);
  GuardedBuffer l = local(page);
  EXPECT_RC(get(h, 0, l.p(), page / elem()), RSMERR_PERM_DENIED);
  l.expect_untouched();  // not one byte of the segment was delivered
}

TEST_P(ImportGet, WriteRequestOnReadableSegment) {
  cover("gap.request_narrower_than_grant");
  // The segment grants read/write but the connection asked only for write.
  // Whether a get is checked against the request (illumos) or the grant is
  // not settled by the pages: refused, or correct data.
  rsm_memseg_import_handle_t h = connect_with_barrier(exp.id, RSM_PERM_WRITE);
  ASSERT_NE(h, nullptr);
  GuardedBuffer l = local(page);
  int rc = get(h, static_cast<off_t>(page), l.p(), page / elem());
  EXPECT_RC_IN(rc, (RcSet{RSMERR_PERM_DENIED, RSM_SUCCESS}));
  if (rc == RSM_SUCCESS) {
    EXPECT_PATTERN(l.p(), page, exp.seed, page);
  } else {
    l.expect_untouched();
  }
  l.expect_guards();
}

// ---- RSMERR_BARRIER_UNINITIALIZED ------------------------------------------------

TEST_P(ImportGet, NoBarrierIsBarrierUninitialized) {
  cover("BARRIER_UNINITIALIZED.never");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  expect_refused(h, 0, 4, RcSet{RSMERR_BARRIER_UNINITIALIZED});
}

TEST_P(ImportGet, DestroyedBarrierIsBarrierUninitialized) {
  cover("BARRIER_UNINITIALIZED.destroyed");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &b));
  ASSERT_OK(rsm_memseg_import_destroy_barrier(&b));
  expect_refused(h, 0, 4, RcSet{RSMERR_BARRIER_UNINITIALIZED});
}

TEST_P(ImportGet, ExplicitModeWithoutBarrierIsBarrierUninitialized) {
  cover("BARRIER_UNINITIALIZED.explicit_mode");
  // The page: "in both modes" a barrier must have been initialized.
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  ASSERT_OK(rsm_memseg_import_set_mode(h, RSM_BARRIER_MODE_EXPLICIT));
  expect_refused(h, 0, 4, RcSet{RSMERR_BARRIER_UNINITIALIZED});
}

TEST_P(ImportGet, BarrierOfAnotherSegmentDoesNotCount) {
  cover("BARRIER_UNINITIALIZED.other_segment");
  // imp has a barrier; a second connection to the same export has none.
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  expect_refused(h, 0, 1, RcSet{RSMERR_BARRIER_UNINITIALIZED});
}

// ---- RSMERR_CONN_ABORTED ---------------------------------------------------------

TEST_P(ImportGet, AfterUnpublishIsConnAborted) {
  cover("CONN_ABORTED.unpublished");
  expect_get(imp, 0, 1, exp.seed);
  ASSERT_OK(rsm_memseg_export_unpublish(exp.h));
  for (int i = 0; i < 2; i++) expect_refused(imp, 0, 4, kLostCodes);
}

TEST_P(ImportGet, AfterExportDestroyedIsConnAborted) {
  cover("CONN_ABORTED.destroyed");
  expect_get(imp, 0, 1, exp.seed);
  ASSERT_OK(rsm_memseg_export_destroy(exp.h));
  forget_export(exp.h);
  for (int i = 0; i < 2; i++) expect_refused(imp, 0, 4, kLostCodes);
}

TEST_P(ImportGet, AfterExporterDiedIsConnAborted) {
  cover("CONN_ABORTED.exporter_died");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(2, 91));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect_with_barrier(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(h, nullptr);
  expect_get(h, 0, 2, 91);
  peer.crash();
  for (int i = 0; i < 2; i++) expect_refused(h, 0, 4, kLostCodes);
}

// ---- RSMERR_INSUFFICIENT_RESOURCES -------------------------------------------------

TEST_P(ImportGet, AddressSpaceExhaustionIsInsufficientResources) {
  cover("INSUFFICIENT_RESOURCES.rlimit_as");
  // A child connects normally, then runs out of address space before its
  // first transfer: an implementation that maps the segment implicitly then
  // cannot; one that needs no new memory just works.
  Export big = make_export(2048, 0xB1C);
  ASSERT_NE(big.h, nullptr);
  const std::string name = ctlr_name;
  const rsm_node_id_t node = local_node;
  const FnInfo fi = f();
  ChildOutcome child = run_in_child(
      [&]() -> int {
        rsm_memseg_import_handle_t h = nullptr;
        rsmapi_barrier_t b{};
        if (int step = connect_from_scratch(name, node, big.id, &h, &b)) return 499 + step;
        void *buf = mmap(nullptr, big.len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (buf == MAP_FAILED) return 503;
        if (!limit_address_space(256 * 1024, true).ok()) return 504;
        int r = get_n(fi, h, 0, buf, big.len / fi.elem);
        if (r == RSM_SUCCESS && first_mismatch(buf, big.len, big.seed, 0) >= 0) return 1000;
        return r;
      },
      20000);
  ASSERT_TRUE(child.answered()) << "the child " << child;
  const int rc = child.value;
  ASSERT_TRUE(rc < 500 || rc > 504) << "child setup step " << rc - 500 << " failed";
  EXPECT_NE(rc, 1000) << "the get succeeded but delivered wrong data";
  // MAP_FAILED: what illumos returns when the implicit mapping fails.
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_RESOURCES, RSMERR_MAP_FAILED}));
}

// ---- rep_cnt == 0 (gap) ------------------------------------------------------------

TEST_P(ImportGet, ZeroCountMovesNothing) {
  cover("gap.zero_count");
  // Not specified: success (illumos) or an invalid length; either way nothing
  // may be written.
  for (size_t off : {size_t{0}, page, exp.len - elem()}) {
    GuardedBuffer l = local(0);
    ASSERT_NE(l.base(), nullptr);
    EXPECT_RC_IN(get(imp, static_cast<off_t>(off), l.p(), 0),
                 (RcSet{RSM_SUCCESS, RSMERR_BAD_LENGTH}));
    l.expect_untouched();
  }
  GuardedBuffer l = local(0);
  EXPECT_RC_IN(get(imp, static_cast<off_t>(exp.len), l.p(), 0),
               (RcSet{RSM_SUCCESS, RSMERR_BAD_LENGTH, RSMERR_BAD_OFFSET}));
  l.expect_untouched();
}

TEST_P(ImportGet, NullBufferWithZeroCount) {
  cover("gap.zero_count_null_buffer");
  EXPECT_RC_IN(get(imp, 0, nullptr, 0), (RcSet{RSM_SUCCESS, RSMERR_BAD_ADDR, RSMERR_BAD_LENGTH}));
}

// ---- success semantics -------------------------------------------------------------

TEST_P(ImportGet, DataAtManyOffsets) {
  cover("success.offsets");
  for (auto [off, n] : transfers_in_range(exp.len, page, elem())) expect_get(imp, off, n, exp.seed);
}

TEST_P(ImportGet, WholeSegmentAndLastElement) {
  cover("success.whole_and_last");
  expect_get(imp, 0, count_all(), exp.seed);
  expect_get(imp, exp.len - elem(), 1, exp.seed);  // ends exactly at the end
}

TEST_P(ImportGet, SeesExporterStores) {
  cover("success.sees_exporter_stores");
  expect_get(imp, page, page / elem(), exp.seed);
  fill_pattern(exp.mem + page, page, 0x51, page);
  expect_get(imp, page, page / elem(), 0x51);
  // One element changed in the middle of an unchanged range.
  const size_t at = 2 * page + 5 * elem();
  fill_pattern(exp.mem + at, elem(), 0x52, at);
  GuardedBuffer l = local(page);
  ASSERT_OK(get(imp, static_cast<off_t>(2 * page), l.p(), page / elem()));
  EXPECT_PATTERN(l.p(), 5 * elem(), exp.seed, 2 * page);
  EXPECT_PATTERN(l.p() + 5 * elem(), elem(), 0x52, at);
  EXPECT_PATTERN(l.p() + 6 * elem(), page - 6 * elem(), exp.seed, at + elem());
}

TEST_P(ImportGet, ReadsAnotherProcessSegment) {
  cover("success.cross_process");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(3, 0x77));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect_with_barrier(id, RSM_PERM_READ, peer.node());
  ASSERT_NE(h, nullptr);
  expect_get(h, 0, 3 * page / elem(), 0x77);
  ASSERT_EQ(
      Peer::rc_of(peer.call("fill 0 4711 " + std::to_string(page) + " " + std::to_string(page))),
      0);
  expect_get(h, page, page / elem(), 4711);
  expect_get(h, 0, page / elem(), 0x77);
  expect_get(h, 2 * page, page / elem(), 0x77);
}

TEST_P(ImportGet, UsableAfterRefusedCalls) {
  cover("success.usable_after_failure");
  GuardedBuffer l = local(page);
  EXPECT_NE(get(imp, 0, nullptr, 1), RSM_SUCCESS);
  EXPECT_NE(get(imp, static_cast<off_t>(exp.len), l.p(), 1), RSM_SUCCESS);
  EXPECT_NE(get(imp, -static_cast<off_t>(elem()), l.p(), 1), RSM_SUCCESS);
  EXPECT_NE(get(imp, 0, l.p(), count_all() + 1), RSM_SUCCESS);
  if (elem() > 1) {
    EXPECT_NE(get(imp, 1, l.p(), 1), RSM_SUCCESS);
    EXPECT_NE(get(imp, 0, l.p() + 1, 1), RSM_SUCCESS);
  }
  expect_get(imp, 0, count_all(), exp.seed);
}

TEST_P(ImportGet, ConcurrentGetsFromThreads) {
  cover("success.mt_safe");
  // MT-Safe: threads reading different parts through one handle.
  constexpr int kThreads = 4;
  std::atomic<int> failures{0}, bad_data{0};
  const size_t part = exp.len / kThreads;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&, t] {
      std::vector<uint64_t> buf(part / 8);
      for (int i = 0; i < 50; i++) {
        size_t off = static_cast<size_t>(t) * part;
        if (get(imp, static_cast<off_t>(off), buf.data(), part / elem()) != RSM_SUCCESS) {
          failures++;
          continue;
        }
        if (first_mismatch(buf.data(), part, exp.seed, off) >= 0) bad_data++;
      }
    });
  for (auto &t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(bad_data.load(), 0);
}

TEST_P(ImportGet, InsideAnExplicitBarrierSpan) {
  cover("success.explicit_span");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &b));
  ASSERT_OK(rsm_memseg_import_set_mode(h, RSM_BARRIER_MODE_EXPLICIT));
  GuardedBuffer l = local(2 * page);
  ASSERT_OK(rsm_memseg_import_open_barrier(&b));
  EXPECT_OK(get(h, static_cast<off_t>(page), l.p(), 2 * page / elem()));
  EXPECT_OK(rsm_memseg_import_close_barrier(&b));
  EXPECT_PATTERN(l.p(), 2 * page, exp.seed, page);
  l.expect_guards();
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
}

TEST_P(ImportGet, WorksWhileSignalsArrive) {
  cover("success.signals");
  // The page documents no INTERRUPTED: a get must complete despite signals.
  std::vector<uint64_t> buf(exp.len / 8);
  SignalStorm storm;
  for (int i = 0; i < 200; i++) {
    int rc = get(imp, 0, buf.data(), count_all());
    EXPECT_RC(rc, RSM_SUCCESS) << "attempt " << i;
    EXPECT_EQ(first_mismatch(buf.data(), exp.len, exp.seed, 0), -1) << "attempt " << i;
    if (HasFailure()) break;
  }
}

// ---- the byte-granular forms: no alignment rule --------------------------------------

class ImportGetBytes : public ImportGet {};
INSTANTIATE_TEST_SUITE_P(Fn, ImportGetBytes, ::testing::ValuesIn(kBytes), param_name);

TEST_P(ImportGetBytes, AnyBufferAndOffsetAreAligned) {
  cover("BAD_MEM_ALIGNMENT.never");
  // With 1-byte elements every address and offset is aligned, so
  // BAD_MEM_ALIGNMENT has no condition: odd buffers and offsets just work.
  for (size_t off : odd_byte_offsets(exp.len, page)) {
    for (size_t mis : odd_misalignments()) {
      size_t n = std::min<size_t>(13 + mis, exp.len - off);
      GuardedBuffer l = local(n + mis);
      ASSERT_NE(l.base(), nullptr);
      ASSERT_OK(get(imp, static_cast<off_t>(off), l.p() + mis, n))
          << "offset " << off << " misalign " << mis;
      EXPECT_PATTERN(l.p() + mis, n, exp.seed, off);
      EXPECT_PATTERN(l.p(), mis, kGuardSeed, l.guard());
      l.expect_guards();
    }
  }
}

}  // namespace
}  // namespace rsmc
