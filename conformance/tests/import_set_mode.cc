// rsmkit conformance: rsm_memseg_import_set_mode(3RSM) --
// rsm_memseg_import_set_mode, rsm_memseg_import_get_mode.
//
// A new import segment is in RSM_BARRIER_MODE_IMPLICIT; in that mode every
// get/put is wrapped in its own open/close and reports its own errors. In
// either mode get/put need an initialised barrier (api.md 1.5, 2.11).
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "framework/suite.h"

namespace rsmc {
namespace {

// A get/put after the exporter tore the connection down, in implicit mode:
// the call reports the loss itself (CONN_ABORTED, or the I/O error
// BARRIER_FAILURE); the get/put pages also give BAD_SEG_HNDL for a segment
// that is "not connected".
const RcSet kLostInImplicitMode{RSMERR_CONN_ABORTED, RSMERR_BARRIER_FAILURE, RSMERR_BAD_SEG_HNDL};

bool valid_mode(rsm_barrier_mode_t m) {
  return m == RSM_BARRIER_MODE_EXPLICIT || m == RSM_BARRIER_MODE_IMPLICIT;
}

class ImportSetMode : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(kPages, 0x30DE);
    ASSERT_NE(exp.h, nullptr);
    imp = connect(exp.id);
    ASSERT_NE(imp, nullptr);
  }

  // The mode get_mode reports for h (fails the test when the call fails).
  rsm_barrier_mode_t mode_of(rsm_memseg_import_handle_t h) {
    auto m = static_cast<rsm_barrier_mode_t>(0x7e);
    EXPECT_OK(rsm_memseg_import_get_mode(h, &m));
    return m;
  }

  int put_page(rsm_memseg_import_handle_t h, size_t pg, uint64_t seed) {
    std::vector<char> buf(page);
    fill_pattern(buf.data(), page, seed, pg * page);
    return rsm_memseg_import_put(h, static_cast<off_t>(pg * page), buf.data(), page);
  }

  static constexpr size_t kPages = 2;
  Export exp;
  rsm_memseg_import_handle_t imp = nullptr;
};

// ---- success semantics -------------------------------------------------------

TEST_F(ImportSetMode, NewConnectionIsImplicit) {
  covers("import_get_mode.success.default_implicit");
  EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_IMPLICIT);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_IMPLICIT);  // a barrier does not change it
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
  // Nor does another connection's explicit mode leak into a new one.
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_EXPLICIT));
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(mode_of(h), RSM_BARRIER_MODE_IMPLICIT);
}

TEST_F(ImportSetMode, SetModeRoundTrip) {
  covers("import_set_mode.success.round_trip");
  for (rsm_barrier_mode_t m : {RSM_BARRIER_MODE_EXPLICIT, RSM_BARRIER_MODE_EXPLICIT, RSM_BARRIER_MODE_IMPLICIT,
                               RSM_BARRIER_MODE_IMPLICIT, RSM_BARRIER_MODE_EXPLICIT}) {
    ASSERT_OK(rsm_memseg_import_set_mode(imp, m)) << "mode " << m;
    EXPECT_EQ(mode_of(imp), m);
  }
}

TEST_F(ImportSetMode, ModeBelongsToOneImportHandle) {
  covers("import_set_mode.success.per_handle");
  rsm_memseg_import_handle_t other = connect(exp.id);
  ASSERT_NE(other, nullptr);
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_EXPLICIT));
  EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_EXPLICIT);
  EXPECT_EQ(mode_of(other), RSM_BARRIER_MODE_IMPLICIT);
  ASSERT_OK(rsm_memseg_import_set_mode(other, RSM_BARRIER_MODE_EXPLICIT));
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_IMPLICIT));
  EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_IMPLICIT);
  EXPECT_EQ(mode_of(other), RSM_BARRIER_MODE_EXPLICIT);
}

TEST_F(ImportSetMode, DataMovesInBothModes) {
  covers("import_set_mode.success.data_both_modes");
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  EXPECT_OK(put_page(imp, 0, 0x51));  // implicit: each call is its own span
  EXPECT_PATTERN(exp.mem, page, 0x51, 0);
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_EXPLICIT));
  ASSERT_OK(rsm_memseg_import_open_barrier(&b));
  EXPECT_OK(put_page(imp, 1, 0x52));
  ASSERT_OK(rsm_memseg_import_close_barrier(&b));
  EXPECT_PATTERN(exp.mem + page, page, 0x52, page);
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_IMPLICIT));
  std::vector<char> buf(2 * page);
  EXPECT_OK(rsm_memseg_import_get(imp, 0, buf.data(), 2 * page));
  EXPECT_PATTERN(buf.data(), page, 0x51, 0);
  EXPECT_PATTERN(buf.data() + page, page, 0x52, page);
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
}

TEST_F(ImportSetMode, ExplicitModeStillNeedsABarrier) {
  covers("import_set_mode.success.explicit_needs_barrier");
  // "Whatever the mode" a barrier must be initialised first (illumos skips
  // the check in explicit mode; the page does not).
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_EXPLICIT));
  EXPECT_RC(put_page(imp, 0, 0x61), RSMERR_BARRIER_UNINITIALIZED);
  std::vector<char> buf(page);
  EXPECT_RC(rsm_memseg_import_get(imp, 0, buf.data(), page), RSMERR_BARRIER_UNINITIALIZED);
  EXPECT_PATTERN(exp.mem, page, exp.seed, 0);
}

TEST_F(ImportSetMode, ImplicitModeReportsLossOnEveryCall) {
  covers("import_set_mode.success.implicit_reports_per_call");
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &b));
  EXPECT_OK(put_page(imp, 0, 0x71));
  ASSERT_OK(rsm_memseg_export_unpublish(exp.h));
  // Each call is wrapped in its own barrier, so each one reports the loss.
  std::vector<char> buf(page);
  int first = put_page(imp, 1, 0x72);
  EXPECT_RC_IN(first, kLostInImplicitMode);
  EXPECT_RC_IN(rsm_memseg_import_get(imp, 0, buf.data(), page), kLostInImplicitMode);
  EXPECT_RC_IN(put_page(imp, 1, 0x73), kLostInImplicitMode);
  uint32_t w = 0xfeedf00d;
  EXPECT_RC_IN(rsm_memseg_import_put32(imp, 0, &w, 1), kLostInImplicitMode);
  // Failed puts to a torn-down connection wrote nothing.
  EXPECT_PATTERN(exp.mem, page, 0x71, 0);
  EXPECT_PATTERN(exp.mem + page, page, exp.seed, page);
  rsm_memseg_import_destroy_barrier(&b);
}

TEST_F(ImportSetMode, ConcurrentSetAndGetStayConsistent) {
  covers("import_set_mode.success.mt_safe");
  // MT-Safe: readers racing with writers only ever see one of the two modes.
  std::atomic<bool> stop{false};
  std::atomic<int> bad_rc{0}, bad_mode{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; i++) {
        auto m = ((i + t) & 1) ? RSM_BARRIER_MODE_IMPLICIT : RSM_BARRIER_MODE_EXPLICIT;
        if (rsm_memseg_import_set_mode(imp, m) != RSM_SUCCESS) bad_rc++;
      }
    });
  threads.emplace_back([&] {
    while (!stop.load()) {
      auto m = static_cast<rsm_barrier_mode_t>(0x7e);
      if (rsm_memseg_import_get_mode(imp, &m) != RSM_SUCCESS) bad_rc++;
      else if (!valid_mode(m)) bad_mode++;
    }
  });
  threads[0].join();
  threads[1].join();
  stop = true;
  threads[2].join();
  EXPECT_EQ(bad_rc.load(), 0);
  EXPECT_EQ(bad_mode.load(), 0);
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_EXPLICIT));
  EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_EXPLICIT);
}

// ---- gaps ---------------------------------------------------------------------

TEST_F(ImportSetMode, UndefinedModeIsRefusedWithBadModeOrIgnored) {
  covers("import_set_mode.gap.undefined_mode");
  // No page lists a code for a mode outside rsm_barrier_mode_t; the header's
  // RSMERR_BAD_MODE is made for it and illumos returns it (api.md 2.11, 4.1).
  // Reading the page strictly (nothing documented) a call that returns 0
  // is tolerated only if it changed nothing: the mode must stay a valid one.
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_EXPLICIT));
  for (int m : {2, 3, 0x7f, -1, 0x10000}) {
    SCOPED_TRACE(testing::Message() << "mode " << m);
    EXPECT_RC_IN(rsm_memseg_import_set_mode(imp, static_cast<rsm_barrier_mode_t>(m)),
                 (RcSet{RSMERR_BAD_MODE, RSM_SUCCESS}));
    EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_EXPLICIT);
  }
  // The handle works as before.
  ASSERT_OK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_IMPLICIT));
  EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_IMPLICIT);
}

TEST_F(ImportSetMode, GetModeNullOutputRobustness) {
  covers("import_get_mode.gap.null_output");
  // mode == NULL is a gap (illumos crashes); BAD_ADDR is the code for a bad
  // pointer argument elsewhere in the API.
  EXPECT_RC(rsm_memseg_import_get_mode(imp, nullptr), RSMERR_BAD_ADDR);
  EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_IMPLICIT);
}

// ---- RSMERR_BAD_SEG_HNDL -------------------------------------------------------

TEST_F(ImportSetMode, SetModeNullHandleIsBadSegHandle) {
  covers("import_set_mode.BAD_SEG_HNDL.null");
  EXPECT_RC(rsm_memseg_import_set_mode(nullptr, RSM_BARRIER_MODE_EXPLICIT), RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportSetMode, SetModeGarbageHandleIsBadSegHandle) {
  covers("import_set_mode.BAD_SEG_HNDL.garbage");
  EXPECT_RC(rsm_memseg_import_set_mode(garbage_handle<rsm_memseg_import_handle_t>(),
                                       RSM_BARRIER_MODE_EXPLICIT),
            RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportSetMode, SetModeDisconnectedHandleIsBadSegHandle) {
  covers("import_set_mode.BAD_SEG_HNDL.disconnected");
  EXPECT_RC(rsm_memseg_import_set_mode(stale_import(), RSM_BARRIER_MODE_EXPLICIT), RSMERR_BAD_SEG_HNDL);
  EXPECT_EQ(mode_of(imp), RSM_BARRIER_MODE_IMPLICIT);  // no other handle changed
}

TEST_F(ImportSetMode, SetModeExportHandleIsBadSegHandle) {
  covers("import_set_mode.BAD_SEG_HNDL.export_handle");
  auto wrong = reinterpret_cast<rsm_memseg_import_handle_t>(exp.h);
  EXPECT_RC(rsm_memseg_import_set_mode(wrong, RSM_BARRIER_MODE_EXPLICIT), RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportSetMode, GetModeNullHandleIsBadSegHandle) {
  covers("import_get_mode.BAD_SEG_HNDL.null");
  rsm_barrier_mode_t m = RSM_BARRIER_MODE_IMPLICIT;
  EXPECT_RC(rsm_memseg_import_get_mode(nullptr, &m), RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportSetMode, GetModeGarbageHandleIsBadSegHandle) {
  covers("import_get_mode.BAD_SEG_HNDL.garbage");
  rsm_barrier_mode_t m = RSM_BARRIER_MODE_IMPLICIT;
  EXPECT_RC(rsm_memseg_import_get_mode(garbage_handle<rsm_memseg_import_handle_t>(), &m),
            RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportSetMode, GetModeDisconnectedHandleIsBadSegHandle) {
  covers("import_get_mode.BAD_SEG_HNDL.disconnected");
  rsm_barrier_mode_t m = RSM_BARRIER_MODE_IMPLICIT;
  EXPECT_RC(rsm_memseg_import_get_mode(stale_import(), &m), RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportSetMode, GetModeExportHandleIsBadSegHandle) {
  covers("import_get_mode.BAD_SEG_HNDL.export_handle");
  rsm_barrier_mode_t m = RSM_BARRIER_MODE_IMPLICIT;
  auto wrong = reinterpret_cast<rsm_memseg_import_handle_t>(exp.h);
  EXPECT_RC(rsm_memseg_import_get_mode(wrong, &m), RSMERR_BAD_SEG_HNDL);
}

}  // namespace
}  // namespace rsmc
