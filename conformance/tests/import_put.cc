// rsmkit conformance: rsm_memseg_import_put(3RSM) -- rsm_memseg_import_put,
// rsm_memseg_import_put8, rsm_memseg_import_put16, rsm_memseg_import_put32,
// rsm_memseg_import_put64. Every check runs for each of the five functions
// (value-parameterized); assertion ids are <function>.<ERROR>.<condition>.
// A refused put must leave the exporter's memory exactly as it was.
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
#include "framework/peer.h"
#include "framework/resource_limits.h"
#include "framework/signals.h"
#include "framework/suite.h"
#include "framework/transfer_cases.h"

namespace rsmc {
namespace {

enum class Fn { put, put8, put16, put32, put64 };

struct FnInfo {
  Fn fn;
  const char *id;  // assertion-id prefix, e.g. "import_put16"
  size_t elem;     // element size; 1 for rsm_memseg_import_put (bytes)
};

const FnInfo kAll[] = {
    {Fn::put, "import_put", 1},     {Fn::put8, "import_put8", 1},   {Fn::put16, "import_put16", 2},
    {Fn::put32, "import_put32", 4}, {Fn::put64, "import_put64", 8},
};
const FnInfo kWide[] = {kAll[2], kAll[3], kAll[4]};
const FnInfo kBytes[] = {kAll[0], kAll[1]};

// Calls the function with n elements (bytes for rsm_memseg_import_put).
int put_n(const FnInfo &f, rsm_memseg_import_handle_t h, off_t off, void *buf, unsigned long n) {
  switch (f.fn) {
    case Fn::put:
      return rsm_memseg_import_put(h, off, buf, n);
    case Fn::put8:
      return rsm_memseg_import_put8(h, off, static_cast<uint8_t *>(buf), n);
    case Fn::put16:
      return rsm_memseg_import_put16(h, off, static_cast<uint16_t *>(buf), n);
    case Fn::put32:
      return rsm_memseg_import_put32(h, off, static_cast<uint32_t *>(buf), n);
    case Fn::put64:
      return rsm_memseg_import_put64(h, off, static_cast<uint64_t *>(buf), n);
  }
  return -1;
}

std::string param_name(const ::testing::TestParamInfo<FnInfo> &i) { return i.param.id + 7; }

constexpr uint64_t kNewSeed = 0x9E7;  // what puts write (position dependent, like the segment)

class PutTestBase : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(kPages, 0x9B7);
    ASSERT_NE(exp.h, nullptr);
    imp = connect_with_barrier(exp.id);
    ASSERT_NE(imp, nullptr);
  }
  // Source memory for a put of `bytes` to segment offset `off`: holds the
  // kNewSeed pattern of [off, off + bytes); page aligned (so element aligned).
  char *source(size_t off, size_t bytes) {
    char *p = alloc_pages(std::max<size_t>(1, (bytes + page - 1) / page));
    if (p) fill_pattern(p, bytes, kNewSeed, off);
    return p;
  }
  // The exporter's memory is exactly as created.
  void expect_exporter_unchanged(const Export &e) {
    EXPECT_PATTERN(e.mem, e.len, e.seed, 0) << "a refused put changed the exporter's memory";
  }
  // [off, off + bytes) holds the put data, everything else the original.
  void expect_exporter_has_put(const Export &e, size_t off, size_t bytes) {
    EXPECT_PATTERN(e.mem, off, e.seed, 0) << "bytes before the put range changed";
    EXPECT_PATTERN(e.mem + off, bytes, kNewSeed, off) << "the put data did not land";
    EXPECT_PATTERN(e.mem + off + bytes, e.len - off - bytes, e.seed, off + bytes)
        << "bytes after the put range changed";
  }
  void restore(const Export &e) { fill_pattern(e.mem, e.len, e.seed, 0); }

  static constexpr size_t kPages = 4;
  Export exp;
  rsm_memseg_import_handle_t imp = nullptr;
};

class ImportPut : public PutTestBase, public ::testing::WithParamInterface<FnInfo> {
 protected:
  const FnInfo &f() const { return GetParam(); }
  size_t elem() const { return GetParam().elem; }
  void cover(const char *rest) { covers((std::string(GetParam().id) + "." + rest).c_str()); }
  int put(rsm_memseg_import_handle_t h, off_t off, void *buf, unsigned long n) {
    return put_n(f(), h, off, buf, n);
  }
  // Puts n elements at off: checks success, that exactly that range changed,
  // and that the source was not modified; then restores the exporter.
  void expect_put(rsm_memseg_import_handle_t h, size_t off, unsigned long n) {
    const size_t bytes = n * elem();
    char *src = source(off, bytes);
    ASSERT_NE(src, nullptr);
    ASSERT_OK(put(h, static_cast<off_t>(off), src, n)) << "offset " << off << " count " << n;
    expect_exporter_has_put(exp, off, bytes);
    EXPECT_PATTERN(src, bytes, kNewSeed, off) << "put modified its source";
    restore(exp);
  }
  // A put that must be refused with one of `allowed` and change nothing.
  // The source holds src_elems elements (n by default).
  void expect_refused(rsm_memseg_import_handle_t h, off_t off, unsigned long n,
                      const RcSet &allowed, size_t src_elems = SIZE_MAX) {
    char *src = source(0, (src_elems == SIZE_MAX ? n : src_elems) * elem());
    ASSERT_NE(src, nullptr);
    EXPECT_RC_IN(put(h, off, src, n), allowed) << "offset " << off << " count " << n;
    expect_exporter_unchanged(exp);
  }
  size_t count_all() const { return exp.len / elem(); }
};

class ImportPutWide : public ImportPut {};
class ImportPutBytes : public ImportPut {};

INSTANTIATE_TEST_SUITE_P(Fn, ImportPut, ::testing::ValuesIn(kAll), param_name);
INSTANTIATE_TEST_SUITE_P(Fn, ImportPutWide, ::testing::ValuesIn(kWide), param_name);
INSTANTIATE_TEST_SUITE_P(Fn, ImportPutBytes, ::testing::ValuesIn(kBytes), param_name);

// ---- RSMERR_BAD_SEG_HNDL -------------------------------------------------------

TEST_P(ImportPut, NullHandleIsBadSegHandle) {
  cover("BAD_SEG_HNDL.null");
  expect_refused(nullptr, 0, 1, RcSet{RSMERR_BAD_SEG_HNDL});
}

TEST_P(ImportPut, GarbageHandleIsBadSegHandle) {
  cover("BAD_SEG_HNDL.garbage");
  expect_refused(garbage_handle<rsm_memseg_import_handle_t>(), 0, 1, RcSet{RSMERR_BAD_SEG_HNDL});
}

TEST_P(ImportPut, DisconnectedHandleIsBadSegHandle) {
  cover("BAD_SEG_HNDL.disconnected");
  // Disconnected from this very export: the write must not reach it.
  rsm_memseg_import_handle_t h = nullptr;
  ASSERT_OK(rsm_memseg_import_connect(ctlr, local_node, exp.id, RSM_PERM_RDWR, &h));
  ASSERT_OK(rsm_memseg_import_disconnect(h));
  expect_refused(h, 0, 4, RcSet{RSMERR_BAD_SEG_HNDL});
}

TEST_P(ImportPut, ExportHandleIsNotAnImportHandle) {
  cover("BAD_SEG_HNDL.export_handle");
  expect_refused(reinterpret_cast<rsm_memseg_import_handle_t>(exp.h), 0, 1,
                 RcSet{RSMERR_BAD_SEG_HNDL});
}

// ---- RSMERR_BAD_ADDR -----------------------------------------------------------

TEST_P(ImportPut, NullSourceIsBadAddr) {
  cover("BAD_ADDR.null");
  EXPECT_RC(put(imp, 0, nullptr, 1), RSMERR_BAD_ADDR);
  EXPECT_RC(put(imp, static_cast<off_t>(page), nullptr, 4), RSMERR_BAD_ADDR);
  expect_exporter_unchanged(exp);
}

TEST_P(ImportPut, UnmappedSourceIsBadAddrRobustness) {
  cover("BAD_ADDR.unmapped");
  void *p = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(munmap(p, page), 0);
  EXPECT_RC(put(imp, 0, p, 4), RSMERR_BAD_ADDR);
  expect_exporter_unchanged(exp);
}

// ---- RSMERR_BAD_MEM_ALIGNMENT (16/32/64-bit forms) -----------------------------

TEST_P(ImportPutWide, MisalignedSourceIsBadMemAlignment) {
  cover("BAD_MEM_ALIGNMENT.buffer");
  char *src = source(0, 4 * elem() + elem());
  ASSERT_NE(src, nullptr);
  for (size_t mis = 1; mis < elem(); mis++) {
    for (unsigned long n : {1ul, 3ul}) {
      EXPECT_RC(put(imp, static_cast<off_t>(elem()), src + mis, n), RSMERR_BAD_MEM_ALIGNMENT)
          << "source misaligned by " << mis << ", count " << n;
      expect_exporter_unchanged(exp);
    }
  }
}

TEST_P(ImportPutWide, MisalignedOffsetIsRefused) {
  cover("BAD_MEM_ALIGNMENT.offset");
  for (size_t base : misaligned_offset_bases(exp.len, page, elem()))
    for (size_t mis = 1; mis < elem(); mis++)
      expect_refused(imp, static_cast<off_t>(base + mis), 1, kMisalignedOffsetCodes);
}

// ---- RSMERR_BAD_OFFSET ---------------------------------------------------------

TEST_P(ImportPut, NegativeOffsetIsRefused) {
  cover("BAD_OFFSET.negative");
  for (off_t off : negative_offsets(page, elem())) expect_refused(imp, off, 1, kRangeCodes);
}

TEST_P(ImportPut, OffsetAtOrPastEndIsRefused) {
  cover("BAD_OFFSET.past_end");
  for (size_t off : offsets_at_or_past_end(exp.len, page, elem()))
    expect_refused(imp, static_cast<off_t>(off), 1, kRangeCodes);
}

// ---- RSMERR_BAD_LENGTH ---------------------------------------------------------

TEST_P(ImportPut, TransferPastEndIsRefused) {
  cover("BAD_LENGTH.past_end");
  // Nothing is written, not even the part that would fit.
  for (auto [off, n] : transfers_past_end(exp.len, page, elem()))
    expect_refused(imp, static_cast<off_t>(off), n, kRangeCodes);
}

TEST_P(ImportPut, CountOverflowIsRefused) {
  cover("BAD_LENGTH.overflow");
  for (auto [off, n] : count_overflows(exp.len, elem()))
    expect_refused(imp, static_cast<off_t>(off), n, kRangeCodes | kOverlongBuffer, 16);
}

// ---- RSMERR_PERM_DENIED --------------------------------------------------------

TEST_P(ImportPut, ReadOnlyConnectionIsPermDenied) {
  cover("PERM_DENIED.read_only");
  // Granted read only and asked for read only: no writing of any kind.
  rsmapi_access_entry_t acl[] = {{local_node, 0400}};
  Export ro = make_export(1, 0x4E4, true, acl, 1);
  ASSERT_NE(ro.h, nullptr);
  rsm_memseg_import_handle_t h = connect_with_barrier(ro.id, RSM_PERM_READ);
  ASSERT_NE(h, nullptr);
  char *src = source(0, page);
  ASSERT_NE(src, nullptr);
  EXPECT_RC(put(h, 0, src, page / elem()), RSMERR_PERM_DENIED);
  expect_exporter_unchanged(ro);
}

TEST_P(ImportPut, ReadRequestOnWritableSegment) {
  cover("gap.request_narrower_than_grant");
  // The segment grants read/write but the connection asked only for read.
  // Whether a put is checked against the request (illumos) or the grant is
  // not settled by the pages: refused with nothing written, or written.
  rsm_memseg_import_handle_t h = connect_with_barrier(exp.id, RSM_PERM_READ);
  ASSERT_NE(h, nullptr);
  char *src = source(page, page);
  ASSERT_NE(src, nullptr);
  int rc = put(h, static_cast<off_t>(page), src, page / elem());
  EXPECT_RC_IN(rc, (RcSet{RSMERR_PERM_DENIED, RSM_SUCCESS}));
  if (rc == RSM_SUCCESS) {
    expect_exporter_has_put(exp, page, page);
  } else {
    expect_exporter_unchanged(exp);
  }
}

// ---- RSMERR_BARRIER_UNINITIALIZED ------------------------------------------------

TEST_P(ImportPut, NoBarrierIsBarrierUninitialized) {
  cover("BARRIER_UNINITIALIZED.never");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  expect_refused(h, 0, 4, RcSet{RSMERR_BARRIER_UNINITIALIZED});
}

TEST_P(ImportPut, DestroyedBarrierIsBarrierUninitialized) {
  cover("BARRIER_UNINITIALIZED.destroyed");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &b));
  ASSERT_OK(rsm_memseg_import_destroy_barrier(&b));
  expect_refused(h, 0, 4, RcSet{RSMERR_BARRIER_UNINITIALIZED});
}

TEST_P(ImportPut, ExplicitModeWithoutBarrierIsBarrierUninitialized) {
  cover("BARRIER_UNINITIALIZED.explicit_mode");
  // The set_mode page requires a barrier before put in either mode, and the
  // put page lists the code.
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  ASSERT_OK(rsm_memseg_import_set_mode(h, RSM_BARRIER_MODE_EXPLICIT));
  expect_refused(h, 0, 4, RcSet{RSMERR_BARRIER_UNINITIALIZED});
}

TEST_P(ImportPut, BarrierOfAnotherSegmentDoesNotCount) {
  cover("BARRIER_UNINITIALIZED.other_segment");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  expect_refused(h, 0, 1, RcSet{RSMERR_BARRIER_UNINITIALIZED});
}

// ---- RSMERR_CONN_ABORTED ---------------------------------------------------------

TEST_P(ImportPut, AfterUnpublishIsConnAborted) {
  cover("CONN_ABORTED.unpublished");
  expect_put(imp, 0, 1);
  ASSERT_OK(rsm_memseg_export_unpublish(exp.h));
  // The connection is torn down: nothing may reach the exporter any more.
  for (int i = 0; i < 2; i++) expect_refused(imp, 0, 4, kLostCodes);
}

TEST_P(ImportPut, AfterExportDestroyedIsConnAborted) {
  cover("CONN_ABORTED.destroyed");
  expect_put(imp, 0, 1);
  ASSERT_OK(rsm_memseg_export_destroy(exp.h));
  forget_export(exp.h);
  for (int i = 0; i < 2; i++) expect_refused(imp, 0, 4, kLostCodes);
}

TEST_P(ImportPut, AfterExporterDiedIsConnAborted) {
  cover("CONN_ABORTED.exporter_died");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(2, 92));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect_with_barrier(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(h, nullptr);
  char *src = source(0, page);
  ASSERT_NE(src, nullptr);
  ASSERT_OK(put(h, 0, src, 4));
  peer.crash();
  for (int i = 0; i < 2; i++) EXPECT_RC_IN(put(h, 0, src, 4), kLostCodes);
}

// ---- RSMERR_INSUFFICIENT_RESOURCES -------------------------------------------------

TEST_P(ImportPut, AddressSpaceExhaustionIsInsufficientResources) {
  cover("INSUFFICIENT_RESOURCES.rlimit_as");
  // A child connects normally, then runs out of address space before its
  // first transfer: an implementation that maps the segment implicitly then
  // cannot; one that needs no new memory just works.
  Export big = make_export(2048, 0xB1D);
  ASSERT_NE(big.h, nullptr);
  const std::string name = ctlr_name;
  const rsm_node_id_t node = local_node;
  const FnInfo fi = f();
  ChildOutcome child = run_in_child(
      [&]() -> int {
        rsm_memseg_import_handle_t h = nullptr;
        rsmapi_barrier_t b{};
        if (int step = connect_from_scratch(name, node, big.id, &h, &b)) return 499 + step;
        void *buf = mmap(nullptr, big.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (buf == MAP_FAILED) return 503;
        fill_pattern(buf, big.len, kNewSeed, 0);
        if (!limit_address_space(256 * 1024, true).ok()) return 504;
        return put_n(fi, h, 0, buf, big.len / fi.elem);
      },
      20000);
  ASSERT_TRUE(child.answered()) << "the child " << child;
  const int rc = child.value;
  ASSERT_TRUE(rc < 500 || rc > 504) << "child setup step " << rc - 500 << " failed";
  // MAP_FAILED: what illumos returns when the implicit mapping fails.
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_RESOURCES, RSMERR_MAP_FAILED}));
  if (rc == RSM_SUCCESS) {
    EXPECT_PATTERN(big.mem, big.len, kNewSeed, 0);
  }
}

// ---- rep_cnt == 0 (gap) ------------------------------------------------------------

TEST_P(ImportPut, ZeroCountWritesNothing) {
  cover("gap.zero_count");
  // Not specified: success (illumos) or an invalid length; either way the
  // exporter's memory stays as it was.
  for (size_t off : {size_t{0}, page, exp.len - elem()})
    expect_refused(imp, static_cast<off_t>(off), 0, (RcSet{RSM_SUCCESS, RSMERR_BAD_LENGTH}), 1);
  expect_refused(imp, static_cast<off_t>(exp.len), 0,
                 (RcSet{RSM_SUCCESS, RSMERR_BAD_LENGTH, RSMERR_BAD_OFFSET}), 1);
}

TEST_P(ImportPut, NullSourceWithZeroCount) {
  cover("gap.zero_count_null_buffer");
  EXPECT_RC_IN(put(imp, 0, nullptr, 0), (RcSet{RSM_SUCCESS, RSMERR_BAD_ADDR, RSMERR_BAD_LENGTH}));
  expect_exporter_unchanged(exp);
}

// ---- success semantics -------------------------------------------------------------

TEST_P(ImportPut, DataLandsExactlyAtManyOffsets) {
  cover("success.offsets");
  // Every put changes exactly its range: neighbouring bytes keep their value.
  for (auto [off, n] : transfers_in_range(exp.len, page, elem())) expect_put(imp, off, n);
}

TEST_P(ImportPut, WholeSegmentAndLastElement) {
  cover("success.whole_and_last");
  expect_put(imp, 0, count_all());
  expect_put(imp, exp.len - elem(), 1);  // ends exactly at the end
}

TEST_P(ImportPut, SingleElementsKeepTheirNeighbours) {
  cover("success.byte_exact");
  // Element by element with gaps: each put touches exactly elem bytes.
  const size_t e = elem();
  char *src = source(0, exp.len);
  ASSERT_NE(src, nullptr);
  for (size_t off = 0; off < 2 * page; off += 3 * e) {
    ASSERT_OK(put(imp, static_cast<off_t>(off), src + off, 1)) << "offset " << off;
  }
  for (size_t off = 0; off < 2 * page; off += e) {
    bool written = (off / e) % 3 == 0;
    EXPECT_PATTERN(exp.mem + off, e, written ? kNewSeed : exp.seed, off)
        << "element at offset " << off;
    if (HasFailure()) break;
  }
  EXPECT_PATTERN(exp.mem + 2 * page, exp.len - 2 * page, exp.seed, 2 * page);
}

TEST_P(ImportPut, VisibleThroughAnotherConnection) {
  cover("success.visible_to_importers");
  rsm_memseg_import_handle_t other = connect_with_barrier(exp.id, RSM_PERM_READ);
  ASSERT_NE(other, nullptr);
  char *src = source(page, 2 * page);
  ASSERT_NE(src, nullptr);
  ASSERT_OK(put(imp, static_cast<off_t>(page), src, 2 * page / elem()));
  std::vector<char> got(exp.len);
  ASSERT_OK(rsm_memseg_import_get(other, 0, got.data(), got.size()));
  EXPECT_PATTERN(got.data(), page, exp.seed, 0);
  EXPECT_PATTERN(got.data() + page, 2 * page, kNewSeed, page);
  EXPECT_PATTERN(got.data() + 3 * page, exp.len - 3 * page, exp.seed, 3 * page);
}

TEST_P(ImportPut, WritesAnotherProcessSegment) {
  cover("success.cross_process");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(3, 0x78));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect_with_barrier(id, RSM_PERM_WRITE, peer.node());
  ASSERT_NE(h, nullptr);
  char *src = source(page, page);
  ASSERT_NE(src, nullptr);
  ASSERT_OK(put(h, static_cast<off_t>(page), src, page / elem()));
  EXPECT_EQ(peer.call("check 0 " + std::to_string(kNewSeed) + " " + std::to_string(page) + " " +
                      std::to_string(page)),
            "ok");
  EXPECT_EQ(peer.call("check 0 120 0 " + std::to_string(page)), "ok");  // 0x78: untouched before
  EXPECT_EQ(peer.call("check 0 120 " + std::to_string(2 * page) + " " + std::to_string(page)),
            "ok");
  // The last element of the peer's segment, exactly at its end.
  const size_t last = 3 * page - elem();
  char *one = source(last, elem());
  ASSERT_OK(put(h, static_cast<off_t>(last), one, 1));
  EXPECT_EQ(peer.call("check 0 " + std::to_string(kNewSeed) + " " + std::to_string(last) + " " +
                      std::to_string(elem())),
            "ok");
}

TEST_P(ImportPut, ReadOnlySourceMemoryIsEnough) {
  cover("success.read_only_source");
  // put only reads its source: write-protected local memory must do.
  char *src = source(0, page);
  ASSERT_NE(src, nullptr);
  ASSERT_EQ(mprotect(src, page, PROT_READ), 0);
  ASSERT_OK(put(imp, 0, src, page / elem()));
  expect_exporter_has_put(exp, 0, page);
}

TEST_P(ImportPut, UsableAfterRefusedCalls) {
  cover("success.usable_after_failure");
  char *src = source(0, exp.len);
  ASSERT_NE(src, nullptr);
  EXPECT_NE(put(imp, 0, nullptr, 1), RSM_SUCCESS);
  EXPECT_NE(put(imp, static_cast<off_t>(exp.len), src, 1), RSM_SUCCESS);
  EXPECT_NE(put(imp, -static_cast<off_t>(elem()), src, 1), RSM_SUCCESS);
  EXPECT_NE(put(imp, 0, src, count_all() + 1), RSM_SUCCESS);
  if (elem() > 1) {
    EXPECT_NE(put(imp, 1, src, 1), RSM_SUCCESS);
    EXPECT_NE(put(imp, 0, src + 1, 1), RSM_SUCCESS);
  }
  expect_exporter_unchanged(exp);
  expect_put(imp, 0, count_all());
}

TEST_P(ImportPut, ConcurrentPutsFromThreads) {
  cover("success.mt_safe");
  // MT-Safe: threads writing different parts through one handle.
  constexpr int kThreads = 4;
  std::atomic<int> failures{0};
  const size_t part = exp.len / kThreads;
  char *src = source(0, exp.len);
  ASSERT_NE(src, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&, t] {
      size_t off = static_cast<size_t>(t) * part;
      for (int i = 0; i < 50; i++)
        if (put(imp, static_cast<off_t>(off), src + off, part / elem()) != RSM_SUCCESS) failures++;
    });
  for (auto &t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_PATTERN(exp.mem, exp.len, kNewSeed, 0);
}

TEST_P(ImportPut, InsideAnExplicitBarrierSpan) {
  cover("success.explicit_span");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &b));
  ASSERT_OK(rsm_memseg_import_set_mode(h, RSM_BARRIER_MODE_EXPLICIT));
  char *src = source(page, 2 * page);
  ASSERT_NE(src, nullptr);
  ASSERT_OK(rsm_memseg_import_open_barrier(&b));
  EXPECT_OK(put(h, static_cast<off_t>(page), src, page / elem()));
  EXPECT_OK(put(h, static_cast<off_t>(2 * page), src + page, page / elem()));
  EXPECT_OK(rsm_memseg_import_close_barrier(&b));
  // A successful close: every put of the span has completed.
  expect_exporter_has_put(exp, page, 2 * page);
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
}

TEST_P(ImportPut, WorksWhileSignalsArrive) {
  cover("success.signals");
  // The page documents no INTERRUPTED: a put must complete despite signals.
  char *src = source(0, exp.len);
  ASSERT_NE(src, nullptr);
  SignalStorm storm;
  for (int i = 0; i < 200; i++) {
    EXPECT_RC(put(imp, 0, src, count_all()), RSM_SUCCESS) << "attempt " << i;
    if (HasFailure()) break;
  }
  EXPECT_PATTERN(exp.mem, exp.len, kNewSeed, 0);
}

// ---- the byte-granular forms: no alignment rule --------------------------------------

TEST_P(ImportPutBytes, AnySourceAndOffsetAreAligned) {
  cover("BAD_MEM_ALIGNMENT.never");
  // With 1-byte elements every address and offset is aligned, so
  // BAD_MEM_ALIGNMENT has no condition: odd sources and offsets just work.
  char *src = alloc_pages(2);
  ASSERT_NE(src, nullptr);
  for (size_t off : odd_byte_offsets(exp.len, page)) {
    for (size_t mis : odd_misalignments()) {
      size_t n = std::min<size_t>(13 + mis, exp.len - off);
      fill_pattern(src + mis, n, kNewSeed, off);
      ASSERT_OK(put(imp, static_cast<off_t>(off), src + mis, n))
          << "offset " << off << " misalign " << mis;
      expect_exporter_has_put(exp, off, n);
      restore(exp);
    }
  }
}

}  // namespace
}  // namespace rsmc
