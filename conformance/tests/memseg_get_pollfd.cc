// rsmkit conformance: rsm_memseg_get_pollfd(3RSM) -- rsm_memseg_get_pollfd,
// rsm_memseg_release_pollfd.
//
// get_pollfd fills a pollfd for a published export or a connected import and
// counts a poll reference; release drops one. While references are held,
// destroy and disconnect fail with POLLFD_IN_USE, and unpublish and unmap
// fail too (their pages name no code; POLLFD_IN_USE is the natural one,
// api.md 1.6, 4.2).
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>

#include "framework/local_buffer.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

class MemsegGetPollfd : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(1, 0x9011);
    ASSERT_NE(exp.h, nullptr);
    imp = connect(exp.id);
    ASSERT_NE(imp, nullptr);
  }
  void *ex() const { return static_cast<void *>(exp.h); }
  void *im() const { return static_cast<void *>(imp); }

  // A filled-in pollfd as the page describes it: an open descriptor and the
  // event rsm_intr_signal_post generates (POLLRDNORM).
  void expect_usable_pollfd(const struct pollfd &p) {
    EXPECT_GE(p.fd, 0);
    EXPECT_NE(fcntl(p.fd, F_GETFD), -1) << "fd " << p.fd << " is not an open descriptor";
    EXPECT_TRUE(p.events & POLLRDNORM) << "events 0x" << std::hex << p.events;
  }

  Export exp;
  rsm_memseg_import_handle_t imp = nullptr;
};

// ---- rsm_memseg_get_pollfd: success --------------------------------------------

TEST_F(MemsegGetPollfd, ExportPollfdIsFilledIn) {
  covers("memseg_get_pollfd.success.export");
  struct pollfd p;
  std::memset(&p, 0xff, sizeof p);
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &p));
  expect_usable_pollfd(p);
  EXPECT_OK(rsm_memseg_release_pollfd(ex()));
}

TEST_F(MemsegGetPollfd, ImportPollfdIsFilledIn) {
  covers("memseg_get_pollfd.success.import");
  struct pollfd p;
  std::memset(&p, 0xff, sizeof p);
  ASSERT_OK(rsm_memseg_get_pollfd(im(), &p));
  expect_usable_pollfd(p);
  EXPECT_OK(rsm_memseg_release_pollfd(im()));
}

TEST_F(MemsegGetPollfd, PollfdReportsPostedEvent) {
  covers("memseg_get_pollfd.success.event_reported");
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &p));
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  int n = -1;
  EXPECT_OK(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(5000), &n));
  EXPECT_EQ(p.revents, POLLRDNORM);
  EXPECT_EQ(n, 1);
  EXPECT_OK(rsm_memseg_release_pollfd(ex()));
}

// ---- reference counting --------------------------------------------------------

TEST_F(MemsegGetPollfd, DestroyWithPollfdHeldIsPollfdInUse) {
  covers("memseg_get_pollfd.POLLFD_IN_USE.export_destroy");
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &p));
  EXPECT_RC(rsm_memseg_export_destroy(exp.h), RSMERR_POLLFD_IN_USE);
  // The refused destroy left the segment published and working.
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  EXPECT_OK(rsm_intr_signal_wait(ex(), scaled_ms(5000)));
  EXPECT_OK(rsm_memseg_release_pollfd(ex()));
  ASSERT_OK(rsm_memseg_import_disconnect(imp));
  forget_import(imp);
  EXPECT_OK(rsm_memseg_export_destroy(exp.h));
  forget_export(exp.h);
}

TEST_F(MemsegGetPollfd, DisconnectWithPollfdHeldIsPollfdInUse) {
  covers("memseg_get_pollfd.POLLFD_IN_USE.import_disconnect");
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(im(), &p));
  EXPECT_RC(rsm_memseg_import_disconnect(imp), RSMERR_POLLFD_IN_USE);
  // Still connected: an export-side post reaches it.
  ASSERT_OK(rsm_intr_signal_post(ex(), 0));
  EXPECT_OK(rsm_intr_signal_wait(im(), scaled_ms(5000)));
  EXPECT_OK(rsm_memseg_release_pollfd(im()));
  EXPECT_OK(rsm_memseg_import_disconnect(imp));
  forget_import(imp);
}

TEST_F(MemsegGetPollfd, UnpublishWithPollfdHeldFails) {
  covers("memseg_get_pollfd.POLLFD_IN_USE.export_unpublish");
  // The get_pollfd page: unpublish fails while the count is non-zero; the
  // unpublish page names no code, POLLFD_IN_USE is the one made for it
  // (illumos does not check: a known deviation, api.md 2.3).
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &p));
  EXPECT_RC(rsm_memseg_export_unpublish(exp.h), RSMERR_POLLFD_IN_USE);
  EXPECT_OK(rsm_intr_signal_post(im(), 0)) << "the importer lost its connection";
  EXPECT_OK(rsm_memseg_release_pollfd(ex()));
  EXPECT_OK(rsm_memseg_export_unpublish(exp.h));
}

TEST_F(MemsegGetPollfd, UnmapWithPollfdHeldFails) {
  covers("memseg_get_pollfd.POLLFD_IN_USE.import_unmap");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  void *addr = nullptr;
  ASSERT_OK(rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len));
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(im(), &p));
  EXPECT_RC(rsm_memseg_import_unmap(imp), RSMERR_POLLFD_IN_USE);
  EXPECT_PATTERN(addr, exp.len, exp.seed, 0);  // the mapping is still there
  EXPECT_OK(rsm_memseg_release_pollfd(im()));
  EXPECT_OK(rsm_memseg_import_unmap(imp));
}

TEST_F(MemsegGetPollfd, EveryGetNeedsItsRelease) {
  covers("memseg_release_pollfd.success.counted");
  struct pollfd p1 {}, p2 {};
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &p1));
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &p2));
  expect_usable_pollfd(p2);
  ASSERT_OK(rsm_memseg_release_pollfd(ex()));
  EXPECT_RC(rsm_memseg_export_destroy(exp.h), RSMERR_POLLFD_IN_USE) << "one reference is still held";
  ASSERT_OK(rsm_memseg_release_pollfd(ex()));
  ASSERT_OK(rsm_memseg_import_disconnect(imp));
  forget_import(imp);
  EXPECT_OK(rsm_memseg_export_destroy(exp.h));
  forget_export(exp.h);
}

TEST_F(MemsegGetPollfd, ImportAndExportReferencesAreSeparate) {
  covers("memseg_release_pollfd.success.per_segment");
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(im(), &p));
  // The importer's reference does not pin the export segment...
  ASSERT_OK(rsm_memseg_release_pollfd(im()));
  ASSERT_OK(rsm_memseg_get_pollfd(im(), &p));
  struct pollfd q {};
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &q));
  ASSERT_OK(rsm_memseg_release_pollfd(ex()));
  // ...and releasing the export's does not free the import's.
  EXPECT_RC(rsm_memseg_import_disconnect(imp), RSMERR_POLLFD_IN_USE);
  EXPECT_OK(rsm_memseg_release_pollfd(im()));
}

TEST_F(MemsegGetPollfd, ReleaseWithoutGetDoesNotUnderflow) {
  covers("memseg_release_pollfd.gap.release_without_get");
  // Releasing more than was obtained is a gap (illumos: harmless success);
  // it must not push the count below zero so that a later get stops counting.
  int rc = rsm_memseg_release_pollfd(ex());
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_BAD_SEG_HNDL}));
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &p));
  EXPECT_RC(rsm_memseg_export_destroy(exp.h), RSMERR_POLLFD_IN_USE);
  EXPECT_OK(rsm_memseg_release_pollfd(ex()));
}

TEST_F(MemsegGetPollfd, GetNullPollfdRobustness) {
  covers("memseg_get_pollfd.gap.null_pollfd");
  // Not checked by illumos; BAD_ADDR is the API's code for a bad pointer. A
  // refused call must not count a reference.
  EXPECT_RC(rsm_memseg_get_pollfd(ex(), nullptr), RSMERR_BAD_ADDR);
  ASSERT_OK(rsm_memseg_import_disconnect(imp));
  forget_import(imp);
  EXPECT_OK(rsm_memseg_export_destroy(exp.h));
  forget_export(exp.h);
}

TEST_F(MemsegGetPollfd, GetUnmappedPollfdRobustness) {
  covers("memseg_get_pollfd.gap.unmapped_pollfd");
  auto *p = static_cast<struct pollfd *>(unmapped_address());
  ASSERT_NE(p, nullptr);
  EXPECT_RC(rsm_memseg_get_pollfd(im(), p), RSMERR_BAD_ADDR);
  EXPECT_OK(rsm_memseg_import_disconnect(imp));
  forget_import(imp);
}

// ---- rsm_memseg_get_pollfd: RSMERR_BAD_SEG_HNDL ---------------------------------

TEST_F(MemsegGetPollfd, GetNullHandleIsBadSegHandle) {
  covers("memseg_get_pollfd.BAD_SEG_HNDL.null");
  struct pollfd p {};
  EXPECT_RC(rsm_memseg_get_pollfd(nullptr, &p), RSMERR_BAD_SEG_HNDL);
}

TEST_F(MemsegGetPollfd, GetGarbageHandleIsBadSegHandle) {
  covers("memseg_get_pollfd.BAD_SEG_HNDL.garbage");
  struct pollfd p {};
  EXPECT_RC(rsm_memseg_get_pollfd(garbage_handle<void *>(), &p), RSMERR_BAD_SEG_HNDL);
}

TEST_F(MemsegGetPollfd, GetDisconnectedImportIsBadSegHandle) {
  covers("memseg_get_pollfd.BAD_SEG_HNDL.disconnected");
  struct pollfd p {};
  EXPECT_RC(rsm_memseg_get_pollfd(static_cast<void *>(stale_import()), &p), RSMERR_BAD_SEG_HNDL);
}

TEST_F(MemsegGetPollfd, GetDestroyedExportIsBadSegHandle) {
  covers("memseg_get_pollfd.BAD_SEG_HNDL.destroyed_export");
  struct pollfd p {};
  EXPECT_RC(rsm_memseg_get_pollfd(static_cast<void *>(stale_export()), &p), RSMERR_BAD_SEG_HNDL);
}

TEST_F(MemsegGetPollfd, GetNeverPublishedExportIsBadSegHandle) {
  covers("memseg_get_pollfd.BAD_SEG_HNDL.unpublished");
  // Documented requirement: an export segment must be published (illumos
  // does not check).
  Export e = make_export(1, 5, false);
  ASSERT_NE(e.h, nullptr);
  struct pollfd p {};
  EXPECT_RC(rsm_memseg_get_pollfd(static_cast<void *>(e.h), &p), RSMERR_BAD_SEG_HNDL);
  EXPECT_OK(rsm_memseg_export_destroy(e.h)) << "the refused get counted a reference";
  forget_export(e.h);
}

TEST_F(MemsegGetPollfd, GetUnpublishedExportIsBadSegHandle) {
  covers("memseg_get_pollfd.BAD_SEG_HNDL.after_unpublish");
  ASSERT_OK(rsm_memseg_export_unpublish(exp.h));
  struct pollfd p {};
  EXPECT_RC(rsm_memseg_get_pollfd(ex(), &p), RSMERR_BAD_SEG_HNDL);
  // Published again, it qualifies again.
  rsm_memseg_id_t id = 0;
  ASSERT_OK(rsm_memseg_export_publish(exp.h, &id, nullptr, 0));
  EXPECT_OK(rsm_memseg_get_pollfd(ex(), &p));
  EXPECT_OK(rsm_memseg_release_pollfd(ex()));
}

// ---- rsm_memseg_release_pollfd: RSMERR_BAD_SEG_HNDL -----------------------------

TEST_F(MemsegGetPollfd, ReleaseNullHandleIsBadSegHandle) {
  covers("memseg_release_pollfd.BAD_SEG_HNDL.null");
  EXPECT_RC(rsm_memseg_release_pollfd(nullptr), RSMERR_BAD_SEG_HNDL);
}

TEST_F(MemsegGetPollfd, ReleaseGarbageHandleIsBadSegHandle) {
  covers("memseg_release_pollfd.BAD_SEG_HNDL.garbage");
  EXPECT_RC(rsm_memseg_release_pollfd(garbage_handle<void *>()), RSMERR_BAD_SEG_HNDL);
}

TEST_F(MemsegGetPollfd, ReleaseDisconnectedImportIsBadSegHandle) {
  covers("memseg_release_pollfd.BAD_SEG_HNDL.disconnected");
  EXPECT_RC(rsm_memseg_release_pollfd(static_cast<void *>(stale_import())), RSMERR_BAD_SEG_HNDL);
}

TEST_F(MemsegGetPollfd, ReleaseDestroyedExportIsBadSegHandle) {
  covers("memseg_release_pollfd.BAD_SEG_HNDL.destroyed_export");
  EXPECT_RC(rsm_memseg_release_pollfd(static_cast<void *>(stale_export())), RSMERR_BAD_SEG_HNDL);
}

TEST_F(MemsegGetPollfd, ReleaseWithBadHandleKeepsTheReference) {
  covers("memseg_release_pollfd.BAD_SEG_HNDL.no_side_effect");
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(ex(), &p));
  EXPECT_RC(rsm_memseg_release_pollfd(nullptr), RSMERR_BAD_SEG_HNDL);
  EXPECT_RC(rsm_memseg_release_pollfd(garbage_handle<void *>()), RSMERR_BAD_SEG_HNDL);
  EXPECT_RC(rsm_memseg_export_destroy(exp.h), RSMERR_POLLFD_IN_USE);
  EXPECT_OK(rsm_memseg_release_pollfd(ex()));
}

}  // namespace
}  // namespace rsmc
