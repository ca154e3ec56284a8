// rsmkit conformance: rsm_intr_signal_post(3RSM) -- rsm_intr_signal_post,
// rsm_intr_signal_wait.
//
// A post on an import handle signals the exporter; on an export handle it
// signals every importer. Posts without RSM_SIGPOST_NO_ACCUMULATE accumulate
// and each satisfies one wait; with it, a post is dropped while an event is
// pending (api.md 1.6, 2.12).
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "framework/peer.h"
#include "framework/signals.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point t0) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

class IntrSignalPost : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(1, 0x5160);
    ASSERT_NE(exp.h, nullptr);
    imp = connect(exp.id);
    ASSERT_NE(imp, nullptr);
  }
  // A wait expected to succeed: the event is (or will shortly be) pending.
  static int wait_ok(void *h) { return rsm_intr_signal_wait(h, scaled_ms(5000)); }
  // A wait expected to time out: nothing is pending.
  static int wait_none(void *h) { return rsm_intr_signal_wait(h, scaled_ms(50)); }

  // A peer wait command ("wait <e>" / "iwait <i>") expected to succeed.
  static int peer_wait(Peer &peer, const std::string &cmd) {
    return Peer::rc_of(peer.call(cmd + " " + std::to_string(scaled_ms(5000)), scaled_ms(5000) + 10000));
  }

  void *ex() const { return static_cast<void *>(exp.h); }
  void *im() const { return static_cast<void *>(imp); }

  Export exp;
  rsm_memseg_import_handle_t imp = nullptr;
};

// ---- rsm_intr_signal_post: RSMERR_BAD_SEG_HNDL -----------------------------

TEST_F(IntrSignalPost, PostNullHandleIsBadSegHandle) {
  covers("intr_signal_post.BAD_SEG_HNDL.null");
  EXPECT_RC(rsm_intr_signal_post(nullptr, 0), RSMERR_BAD_SEG_HNDL);
}

TEST_F(IntrSignalPost, PostGarbageHandleIsBadSegHandle) {
  covers("intr_signal_post.BAD_SEG_HNDL.garbage");
  EXPECT_RC(rsm_intr_signal_post(garbage_handle<void *>(), 0), RSMERR_BAD_SEG_HNDL);
}

TEST_F(IntrSignalPost, PostDisconnectedImportIsBadSegHandle) {
  covers("intr_signal_post.BAD_SEG_HNDL.disconnected");
  EXPECT_RC(rsm_intr_signal_post(static_cast<void *>(stale_import()), 0), RSMERR_BAD_SEG_HNDL);
}

TEST_F(IntrSignalPost, PostDestroyedExportIsBadSegHandle) {
  covers("intr_signal_post.BAD_SEG_HNDL.destroyed_export");
  EXPECT_RC(rsm_intr_signal_post(static_cast<void *>(stale_export()), 0), RSMERR_BAD_SEG_HNDL);
  EXPECT_RC(wait_none(ex()), RSMERR_TIMEOUT);  // nobody else was signalled
}

// ---- rsm_intr_signal_wait: RSMERR_BAD_SEG_HNDL -----------------------------

TEST_F(IntrSignalPost, WaitNullHandleIsBadSegHandle) {
  covers("intr_signal_wait.BAD_SEG_HNDL.null");
  EXPECT_RC(rsm_intr_signal_wait(nullptr, scaled_ms(50)), RSMERR_BAD_SEG_HNDL);
}

TEST_F(IntrSignalPost, WaitGarbageHandleIsBadSegHandle) {
  covers("intr_signal_wait.BAD_SEG_HNDL.garbage");
  EXPECT_RC(rsm_intr_signal_wait(garbage_handle<void *>(), scaled_ms(50)), RSMERR_BAD_SEG_HNDL);
}

TEST_F(IntrSignalPost, WaitDisconnectedImportIsBadSegHandle) {
  covers("intr_signal_wait.BAD_SEG_HNDL.disconnected");
  EXPECT_RC(rsm_intr_signal_wait(static_cast<void *>(stale_import()), scaled_ms(50)), RSMERR_BAD_SEG_HNDL);
}

TEST_F(IntrSignalPost, WaitDestroyedExportIsBadSegHandle) {
  covers("intr_signal_wait.BAD_SEG_HNDL.destroyed_export");
  EXPECT_RC(rsm_intr_signal_wait(static_cast<void *>(stale_export()), scaled_ms(50)), RSMERR_BAD_SEG_HNDL);
}

TEST_F(IntrSignalPost, WaitOnDestroyedExportWithPendingEventIsBadSegHandle) {
  covers("intr_signal_wait.BAD_SEG_HNDL.destroyed_with_event");
  // An event pending at destroy time does not make the dead handle waitable.
  Export e = make_export(1, 3);
  ASSERT_NE(e.h, nullptr);
  rsm_memseg_import_handle_t h = connect(e.id);
  ASSERT_NE(h, nullptr);
  ASSERT_OK(rsm_intr_signal_post(static_cast<void *>(h), 0));
  ASSERT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
  ASSERT_OK(rsm_memseg_export_destroy(e.h));
  forget_export(e.h);
  EXPECT_RC(rsm_intr_signal_wait(static_cast<void *>(e.h), scaled_ms(50)), RSMERR_BAD_SEG_HNDL);
}

// ---- delivery --------------------------------------------------------------------

TEST_F(IntrSignalPost, ImportPostSignalsTheExporter) {
  covers("intr_signal_post.success.import_to_export");
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  EXPECT_OK(wait_ok(ex()));
  EXPECT_RC(wait_none(im()), RSMERR_TIMEOUT);  // the poster itself is not signalled
  EXPECT_RC(wait_none(ex()), RSMERR_TIMEOUT);  // and the event was consumed
}

TEST_F(IntrSignalPost, ExportPostSignalsEveryImporter) {
  covers("intr_signal_post.success.export_to_all_importers");
  rsm_memseg_import_handle_t imp2 = connect(exp.id);
  ASSERT_NE(imp2, nullptr);
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  std::string reply = peer.call("connect " + std::to_string(local_node) + " " + std::to_string(exp.id) + " 600");
  ASSERT_EQ(reply.rfind("ok", 0), 0u) << reply << peer.stderr_text();
  std::string pi = reply.substr(3);
  ASSERT_OK(rsm_intr_signal_post(ex(), 0));
  EXPECT_OK(wait_ok(im()));
  EXPECT_OK(wait_ok(static_cast<void *>(imp2)));
  EXPECT_RC(peer_wait(peer, "iwait " + pi), RSM_SUCCESS) << "the other process's importer";
  EXPECT_RC(wait_none(ex()), RSMERR_TIMEOUT);  // the exporter is not signalled
  // After one importer leaves, the others are still signalled.
  ASSERT_OK(rsm_memseg_import_disconnect(imp2));
  forget_import(imp2);
  ASSERT_OK(rsm_intr_signal_post(ex(), 0));
  EXPECT_OK(wait_ok(im()));
  EXPECT_RC(peer_wait(peer, "iwait " + pi), RSM_SUCCESS);
}

TEST_F(IntrSignalPost, SignalsCrossProcessesBothWays) {
  covers("intr_signal_post.success.cross_process");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(1, 61));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(h, nullptr);
  ASSERT_OK(rsm_intr_signal_post(static_cast<void *>(h), 0));
  EXPECT_RC(peer_wait(peer, "wait 0"), RSM_SUCCESS);
  EXPECT_RC(Peer::rc_of(peer.call("wait 0 " + std::to_string(scaled_ms(50)))), RSMERR_TIMEOUT);
  EXPECT_RC(Peer::rc_of(peer.call("post 0")), RSM_SUCCESS);
  EXPECT_OK(wait_ok(static_cast<void *>(h)));
  EXPECT_RC(wait_none(static_cast<void *>(h)), RSMERR_TIMEOUT);
}

TEST_F(IntrSignalPost, EventsStayWithTheirSegment) {
  covers("intr_signal_post.success.per_segment");
  Export e2 = make_export(1, 0x5161);
  ASSERT_NE(e2.h, nullptr);
  rsm_memseg_import_handle_t i2 = connect(e2.id);
  ASSERT_NE(i2, nullptr);
  ASSERT_OK(rsm_intr_signal_post(im(), 0));  // to exp only
  EXPECT_RC(wait_none(static_cast<void *>(e2.h)), RSMERR_TIMEOUT);
  EXPECT_OK(wait_ok(ex()));
  ASSERT_OK(rsm_intr_signal_post(static_cast<void *>(e2.h), 0));  // to i2 only
  EXPECT_RC(wait_none(im()), RSMERR_TIMEOUT);
  EXPECT_OK(wait_ok(static_cast<void *>(i2)));
}

TEST_F(IntrSignalPost, PostsAccumulate) {
  covers("intr_signal_post.success.accumulate");
  // Without NO_ACCUMULATE each post satisfies one wait, in both directions.
  for (int i = 0; i < 3; i++) ASSERT_OK(rsm_intr_signal_post(im(), 0));
  for (int i = 0; i < 3; i++) EXPECT_OK(wait_ok(ex())) << "wait " << i;
  EXPECT_RC(wait_none(ex()), RSMERR_TIMEOUT);
  for (int i = 0; i < 3; i++) ASSERT_OK(rsm_intr_signal_post(ex(), 0));
  for (int i = 0; i < 3; i++) EXPECT_OK(wait_ok(im())) << "wait " << i;
  EXPECT_RC(wait_none(im()), RSMERR_TIMEOUT);
}

TEST_F(IntrSignalPost, NoAccumulateDropsPostsWhileOneIsPending) {
  covers("intr_signal_post.success.no_accumulate");
  for (int i = 0; i < 3; i++) ASSERT_OK(rsm_intr_signal_post(im(), RSM_SIGPOST_NO_ACCUMULATE));
  EXPECT_OK(wait_ok(ex()));
  EXPECT_RC(wait_none(ex()), RSMERR_TIMEOUT) << "NO_ACCUMULATE posts made while one was pending were kept";
  // Once consumed, the next NO_ACCUMULATE post is delivered again.
  ASSERT_OK(rsm_intr_signal_post(im(), RSM_SIGPOST_NO_ACCUMULATE));
  EXPECT_OK(wait_ok(ex()));
  // Pending is per target: an event waiting at the exporter does not stop a
  // NO_ACCUMULATE post to the importers.
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  ASSERT_OK(rsm_intr_signal_post(ex(), RSM_SIGPOST_NO_ACCUMULATE));
  EXPECT_OK(wait_ok(im())) << "dropped although nothing was pending at the importer";
  EXPECT_OK(wait_ok(ex()));
  // A pending ordinary post also makes a NO_ACCUMULATE post redundant.
  ASSERT_OK(rsm_intr_signal_post(ex(), 0));
  ASSERT_OK(rsm_intr_signal_post(ex(), RSM_SIGPOST_NO_ACCUMULATE));
  EXPECT_OK(wait_ok(im()));
  EXPECT_RC(wait_none(im()), RSMERR_TIMEOUT);
}

TEST_F(IntrSignalPost, OneEventWakesOneWaiter) {
  covers("intr_signal_wait.success.one_event_one_waiter");
  // The event is consumed by the wait that receives it.
  std::atomic<int> ok{0}, timeout{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++)
    threads.emplace_back([&] {
      int rc = rsm_intr_signal_wait(ex(), scaled_ms(500));
      (rc == RSM_SUCCESS ? ok : rc == RSMERR_TIMEOUT ? timeout : other)++;
    });
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  for (auto &t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(timeout.load(), 1);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(IntrSignalPost, BlockedWaitWakesOnPost) {
  covers("intr_signal_wait.success.wakes_on_post");
  std::atomic<pid_t> tid{0};
  std::atomic<int> rc{-1};
  auto t0 = Clock::now();
  std::thread waiter([&] {
    tid = static_cast<pid_t>(syscall(SYS_gettid));
    rc = rsm_intr_signal_wait(ex(), scaled_ms(10000));
  });
  // Post once the waiter sleeps (best effort: a post before it blocks must
  // satisfy the wait just the same).
  while (!tid.load() || (!thread_sleeping(tid.load()) && ms_since(t0) < scaled_ms(2000)))
    std::this_thread::yield();
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  waiter.join();
  EXPECT_OK(rc.load());
  EXPECT_LT(ms_since(t0), scaled_ms(8000)) << "the wait did not end when the event arrived";
}

// ---- rsm_intr_signal_wait: RSMERR_TIMEOUT ----------------------------------

TEST_F(IntrSignalPost, WaitTimesOutAfterTheTimeout) {
  covers("intr_signal_wait.TIMEOUT.elapsed");
  for (void *h : {ex(), im()}) {
    const int t = scaled_ms(200);
    auto t0 = Clock::now();
    EXPECT_RC(rsm_intr_signal_wait(h, t), RSMERR_TIMEOUT);
    long took = ms_since(t0);
    EXPECT_GE(took, t - 5) << "returned before the timeout";
    EXPECT_LT(took, t + scaled_ms(2000)) << "returned long after the timeout";
  }
}

TEST_F(IntrSignalPost, ZeroTimeoutChecksWithoutWaiting) {
  covers("intr_signal_wait.gap.zero_timeout");
  // -1 is "no limit"; 0 is taken as 0 ms: a check that never blocks (the
  // poll(2) reading, illumos). The event may take a moment to arrive, so it
  // is polled for; every check must come back at once.
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  int rc = RSMERR_TIMEOUT;
  for (auto t0 = Clock::now(); rc == RSMERR_TIMEOUT && ms_since(t0) < scaled_ms(5000);) {
    auto t1 = Clock::now();
    rc = rsm_intr_signal_wait(ex(), 0);
    EXPECT_LT(ms_since(t1), scaled_ms(1000)) << "a wait with timeout 0 blocked";
  }
  EXPECT_OK(rc) << "the posted event was never seen by a wait with timeout 0";
  // Nothing pending now: TIMEOUT at once (a watchdog post ends a wait that
  // blocks, which then fails the test).
  std::atomic<int> r{-1};
  std::atomic<bool> done{false};
  auto t0 = Clock::now();
  std::thread t([&] {
    r = rsm_intr_signal_wait(ex(), 0);
    done = true;
  });
  while (!done.load() && ms_since(t0) < scaled_ms(3000)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  bool blocked = !done.load();
  if (blocked) rsm_intr_signal_post(im(), 0);
  t.join();
  EXPECT_FALSE(blocked) << "a wait with timeout 0 and nothing pending blocked";
  EXPECT_RC(r.load(), RSMERR_TIMEOUT);
}

// ---- rsm_intr_signal_wait: RSMERR_INTERRUPTED ------------------------------

TEST_F(IntrSignalPost, UnlimitedWaitIsInterruptedBySignal) {
  covers("intr_signal_wait.INTERRUPTED.signal");
  InterruptResult r = interrupt_blocked_call([this] { return rsm_intr_signal_wait(ex(), -1); },
                                             [this] { rsm_intr_signal_post(im(), 0); }, scaled_ms(3000));
  EXPECT_FALSE(r.released) << "a signal did not end the wait; it returned only after an event was posted";
  EXPECT_RC(r.rc, RSMERR_INTERRUPTED);
}

TEST_F(IntrSignalPost, TimedWaitIsInterruptedBySignal) {
  covers("intr_signal_wait.INTERRUPTED.timed_wait");
  InterruptResult r = interrupt_blocked_call([this] { return rsm_intr_signal_wait(im(), scaled_ms(20000)); },
                                             [this] { rsm_intr_signal_post(ex(), 0); }, scaled_ms(3000));
  EXPECT_FALSE(r.released) << "a signal did not end the wait; it returned only after an event was posted";
  EXPECT_RC(r.rc, RSMERR_INTERRUPTED);
}

// ---- rsm_intr_signal_post: RSMERR_CONN_ABORTED -----------------------------

TEST_F(IntrSignalPost, ImportPostAfterUnpublishIsConnAborted) {
  covers("intr_signal_post.CONN_ABORTED.unpublished");
  ASSERT_OK(rsm_memseg_export_unpublish(exp.h));
  EXPECT_RC(rsm_intr_signal_post(im(), 0), RSMERR_CONN_ABORTED);
  // Asked again, the handle may also be reported as no longer connected.
  EXPECT_RC_IN(rsm_intr_signal_post(im(), 0), (RcSet{RSMERR_CONN_ABORTED, RSMERR_BAD_SEG_HNDL}));
  EXPECT_RC(wait_none(ex()), RSMERR_TIMEOUT);  // nothing was delivered
}

TEST_F(IntrSignalPost, ImportPostAfterExportDestroyedIsConnAborted) {
  covers("intr_signal_post.CONN_ABORTED.destroyed");
  ASSERT_OK(rsm_memseg_export_destroy(exp.h));
  forget_export(exp.h);
  EXPECT_RC(rsm_intr_signal_post(im(), 0), RSMERR_CONN_ABORTED);
}

TEST_F(IntrSignalPost, ImportPostAfterExporterDiedIsConnectionLoss) {
  covers("intr_signal_post.CONN_ABORTED.exporter_died");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(1, 71));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(h, nullptr);
  peer.crash();
  // How soon a dead exporter is noticed is not specified: posts may succeed
  // until then, but within a bounded time they must report the loss. An
  // implementation that counts the dead process's node as gone may say
  // REMOTE_NODE_UNREACHABLE instead of CONN_ABORTED.
  int rc = RSM_SUCCESS;
  for (auto t0 = Clock::now(); rc == RSM_SUCCESS && ms_since(t0) < scaled_ms(5000);) {
    rc = rsm_intr_signal_post(static_cast<void *>(h), 0);
    if (rc == RSM_SUCCESS) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_RC_IN(rc, (RcSet{RSMERR_CONN_ABORTED, RSMERR_REMOTE_NODE_UNREACHABLE}));
}

}  // namespace
}  // namespace rsmc
