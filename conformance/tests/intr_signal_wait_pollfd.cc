// rsmkit conformance: rsm_intr_signal_wait_pollfd(3RSM).
//
// Waits on an array mixing pollfds from rsm_memseg_get_pollfd with ordinary
// descriptors. A signalled RSM entry reports revents == POLLRDNORM and its
// event is consumed; ordinary entries behave exactly as with poll(2);
// *numfdsp (when not NULL) counts the entries with events. poll(2) failures
// map to RSM codes (api.md 2.14).
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "framework/child.h"
#include "framework/local_buffer.h"
#include "framework/peer.h"
#include "framework/resource_limits.h"
#include "framework/signals.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point t0) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

// Answers of forked children that are not RSM codes.
constexpr int kChildSetupFailed = 250;
constexpr int kChildWrongResult = 251;

class IntrSignalWaitPollfd : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(1, 0x9A11);
    ASSERT_NE(exp.h, nullptr);
    imp = connect(exp.id);
    ASSERT_NE(imp, nullptr);
    ASSERT_OK(rsm_memseg_get_pollfd(ex(), &epfd));
    epfd_held = true;
    ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0);
  }
  void TearDown() override {
    if (epfd_held) rsm_memseg_release_pollfd(ex());
    for (int fd : pipefd)
      if (fd >= 0) close(fd);
    RsmTest::TearDown();
  }
  void *ex() const { return static_cast<void *>(exp.h); }
  void *im() const { return static_cast<void *>(imp); }

  // The export's RSM entry, ready for a wait (revents cleared).
  struct pollfd rsm_entry() const {
    struct pollfd p = epfd;
    p.revents = 0;
    return p;
  }
  struct pollfd pipe_entry(short events = POLLIN) const { return {pipefd[0], events, 0}; }

  // What poll(2) itself reports for an ordinary entry right now.
  static short poll_revents(struct pollfd p) {
    p.revents = 0;
    return ::poll(&p, 1, 0) == 1 ? p.revents : 0;
  }

  Export exp;
  rsm_memseg_import_handle_t imp = nullptr;
  struct pollfd epfd {};
  bool epfd_held = false;
  int pipefd[2] = {-1, -1};
};

// ---- success semantics -------------------------------------------------------

TEST_F(IntrSignalWaitPollfd, SignalledRsmEntryReportsPollrdnorm) {
  covers("intr_signal_wait_pollfd.success.rsm_event");
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  struct pollfd p = rsm_entry();
  int n = -1;
  ASSERT_OK(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(5000), &n));
  EXPECT_EQ(p.revents, POLLRDNORM);
  EXPECT_EQ(n, 1);
}

TEST_F(IntrSignalWaitPollfd, ImportSideEntryReportsExporterPost) {
  covers("intr_signal_wait_pollfd.success.import_entry");
  struct pollfd p {};
  ASSERT_OK(rsm_memseg_get_pollfd(im(), &p));
  ASSERT_OK(rsm_intr_signal_post(ex(), 0));
  p.revents = 0;
  int n = -1;
  EXPECT_OK(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(5000), &n));
  EXPECT_EQ(p.revents, POLLRDNORM);
  EXPECT_EQ(n, 1);
  EXPECT_OK(rsm_memseg_release_pollfd(im()));
}

TEST_F(IntrSignalWaitPollfd, MixedArrayReportsOnlyTheSignalledEntry) {
  covers("intr_signal_wait_pollfd.success.mixed_rsm_event");
  struct pollfd ipfd {};
  ASSERT_OK(rsm_memseg_get_pollfd(im(), &ipfd));
  ASSERT_OK(rsm_intr_signal_post(im(), 0));  // signals the exporter only
  struct pollfd fds[4] = {pipe_entry(), rsm_entry(), {-1, POLLIN, 0}, ipfd};
  fds[3].revents = 0;
  int n = -1;
  ASSERT_OK(rsm_intr_signal_wait_pollfd(fds, 4, scaled_ms(5000), &n));
  EXPECT_EQ(fds[0].revents, 0) << "empty pipe";
  EXPECT_EQ(fds[1].revents, POLLRDNORM) << "signalled export entry";
  EXPECT_EQ(fds[2].revents, 0) << "negative fd is ignored, as by poll(2)";
  EXPECT_EQ(fds[3].revents, 0) << "the import entry was not signalled";
  EXPECT_EQ(n, 1);
  EXPECT_OK(rsm_memseg_release_pollfd(im()));
}

TEST_F(IntrSignalWaitPollfd, PipeEntryBehavesLikePoll) {
  covers("intr_signal_wait_pollfd.success.mixed_pipe_event");
  ASSERT_EQ(write(pipefd[1], "x", 1), 1);
  for (short events : {short(POLLIN), short(POLLIN | POLLRDNORM), short(POLLOUT | POLLIN)}) {
    struct pollfd fds[2] = {rsm_entry(), pipe_entry(events)};
    int n = -1;
    ASSERT_OK(rsm_intr_signal_wait_pollfd(fds, 2, scaled_ms(5000), &n)) << "events 0x" << std::hex << events;
    EXPECT_EQ(fds[1].revents, poll_revents(pipe_entry(events))) << "events 0x" << std::hex << events;
    EXPECT_EQ(fds[0].revents, 0);
    EXPECT_EQ(n, 1);
  }
  // The write end polled for output, and a hang-up once it is closed.
  struct pollfd out[2] = {rsm_entry(), {pipefd[1], POLLOUT, 0}};
  int n = -1;
  ASSERT_OK(rsm_intr_signal_wait_pollfd(out, 2, scaled_ms(5000), &n));
  EXPECT_EQ(out[1].revents, poll_revents({pipefd[1], POLLOUT, 0}));
  close(pipefd[1]);
  pipefd[1] = -1;
  char c;
  ASSERT_EQ(read(pipefd[0], &c, 1), 1);
  struct pollfd hup[2] = {pipe_entry(), rsm_entry()};
  ASSERT_OK(rsm_intr_signal_wait_pollfd(hup, 2, scaled_ms(5000), &n));
  EXPECT_EQ(hup[0].revents, poll_revents(pipe_entry()));
  EXPECT_EQ(n, 1);
}

TEST_F(IntrSignalWaitPollfd, ClosedDescriptorReportsPollnvalLikePoll) {
  covers("intr_signal_wait_pollfd.success.pollnval");
  int fd = dup(pipefd[0]);
  ASSERT_GE(fd, 0);
  close(fd);  // fd is now a descriptor number nothing uses
  struct pollfd fds[2] = {rsm_entry(), {fd, POLLIN, 0}};
  int n = -1;
  ASSERT_OK(rsm_intr_signal_wait_pollfd(fds, 2, scaled_ms(5000), &n));
  EXPECT_EQ(fds[1].revents, POLLNVAL);
  EXPECT_EQ(fds[0].revents, 0);
  EXPECT_EQ(n, 1);
}

TEST_F(IntrSignalWaitPollfd, CountsEveryEntryWithAnEvent) {
  covers("intr_signal_wait_pollfd.success.count");
  struct pollfd ipfd {};
  ASSERT_OK(rsm_memseg_get_pollfd(im(), &ipfd));
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  ASSERT_OK(rsm_intr_signal_post(ex(), 0));
  ASSERT_EQ(write(pipefd[1], "x", 1), 1);
  struct pollfd fds[3] = {rsm_entry(), pipe_entry(), ipfd};
  fds[2].revents = 0;
  // The wait returns as soon as one entry has an event; the others may come
  // in a later round. Every event must be reported exactly once.
  int seen[3] = {0, 0, 0};
  for (int round = 0; round < 3 && !(seen[0] && seen[1] && seen[2]); round++) {
    int n = -1;
    ASSERT_OK(rsm_intr_signal_wait_pollfd(fds, 3, scaled_ms(5000), &n));
    int have = 0;
    for (int i = 0; i < 3; i++)
      if (fds[i].revents) {
        have++;
        seen[i]++;
      }
    EXPECT_EQ(n, have);
    EXPECT_TRUE(fds[0].revents == 0 || fds[0].revents == POLLRDNORM);
    EXPECT_TRUE(fds[2].revents == 0 || fds[2].revents == POLLRDNORM);
    if (fds[1].revents) {
      char c;
      ASSERT_EQ(read(pipefd[0], &c, 1), 1);
    }
    for (auto &f : fds) f.revents = 0;
  }
  EXPECT_EQ(seen[0], 1);
  EXPECT_EQ(seen[1], 1);
  EXPECT_EQ(seen[2], 1);
  EXPECT_OK(rsm_memseg_release_pollfd(im()));
}

TEST_F(IntrSignalWaitPollfd, EventIsConsumed) {
  covers("intr_signal_wait_pollfd.success.consumed");
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  struct pollfd p = rsm_entry();
  ASSERT_OK(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(5000), nullptr));
  p = rsm_entry();
  EXPECT_RC(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(50), nullptr), RSMERR_TIMEOUT);
  EXPECT_RC(rsm_intr_signal_wait(ex(), scaled_ms(50)), RSMERR_TIMEOUT);
}

TEST_F(IntrSignalWaitPollfd, PostsAccumulateAcrossWaits) {
  covers("intr_signal_wait_pollfd.success.accumulate");
  for (int i = 0; i < 2; i++) ASSERT_OK(rsm_intr_signal_post(im(), 0));
  for (int i = 0; i < 2; i++) {
    struct pollfd p = rsm_entry();
    EXPECT_OK(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(5000), nullptr)) << "wait " << i;
    EXPECT_EQ(p.revents, POLLRDNORM);
  }
  struct pollfd p = rsm_entry();
  EXPECT_RC(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(50), nullptr), RSMERR_TIMEOUT);
}

TEST_F(IntrSignalWaitPollfd, NumfdspMayBeNull) {
  covers("intr_signal_wait_pollfd.success.null_numfdsp");
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  struct pollfd p = rsm_entry();
  EXPECT_OK(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(5000), nullptr));
  EXPECT_EQ(p.revents, POLLRDNORM);
}

TEST_F(IntrSignalWaitPollfd, OneEventWakesOneWaiter) {
  covers("intr_signal_wait_pollfd.success.one_event_one_waiter");
  std::atomic<int> ok{0}, timeout{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++)
    threads.emplace_back([&] {
      struct pollfd p = rsm_entry();
      int rc = rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(500), nullptr);
      if (rc == RSM_SUCCESS && p.revents == POLLRDNORM) ok++;
      else if (rc == RSMERR_TIMEOUT) timeout++;
      else other++;
    });
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  for (auto &t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(timeout.load(), 1);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(IntrSignalWaitPollfd, EventFromAnotherProcess) {
  covers("intr_signal_wait_pollfd.success.cross_process");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  std::string reply = peer.call("connect " + std::to_string(local_node) + " " + std::to_string(exp.id) + " 600");
  ASSERT_EQ(reply.rfind("ok", 0), 0u) << reply << peer.stderr_text();
  ASSERT_RC(Peer::rc_of(peer.call("ipost " + reply.substr(3))), RSM_SUCCESS);
  struct pollfd fds[2] = {pipe_entry(), rsm_entry()};
  int n = -1;
  ASSERT_OK(rsm_intr_signal_wait_pollfd(fds, 2, scaled_ms(5000), &n));
  EXPECT_EQ(fds[1].revents, POLLRDNORM);
  EXPECT_EQ(fds[0].revents, 0);
  EXPECT_EQ(n, 1);
}

// ---- RSMERR_TIMEOUT -------------------------------------------------------------

TEST_F(IntrSignalWaitPollfd, TimesOutAfterTheTimeout) {
  covers("intr_signal_wait_pollfd.TIMEOUT.elapsed");
  struct pollfd fds[2] = {rsm_entry(), pipe_entry()};
  const int t = scaled_ms(200);
  int n = 12345;
  auto t0 = Clock::now();
  EXPECT_RC(rsm_intr_signal_wait_pollfd(fds, 2, t, &n), RSMERR_TIMEOUT);
  long took = ms_since(t0);
  EXPECT_GE(took, t - 5) << "returned before the timeout";
  EXPECT_LT(took, t + scaled_ms(2000)) << "returned long after the timeout";
  // No entry has an event: the count is left alone or says 0.
  EXPECT_TRUE(n == 12345 || n == 0) << "*numfdsp = " << n;
}

TEST_F(IntrSignalWaitPollfd, OtherSegmentsEventDoesNotWake) {
  covers("intr_signal_wait_pollfd.TIMEOUT.other_segment");
  Export e2 = make_export(1, 0x9A12);
  ASSERT_NE(e2.h, nullptr);
  rsm_memseg_import_handle_t i2 = connect(e2.id);
  ASSERT_NE(i2, nullptr);
  ASSERT_OK(rsm_intr_signal_post(static_cast<void *>(i2), 0));  // for e2, not in the array
  struct pollfd p = rsm_entry();
  EXPECT_RC(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(100), nullptr), RSMERR_TIMEOUT);
  EXPECT_OK(rsm_intr_signal_wait(static_cast<void *>(e2.h), scaled_ms(5000))) << "e2's event was lost";
}

TEST_F(IntrSignalWaitPollfd, OrdinaryDescriptorsAloneTimeOut) {
  covers("intr_signal_wait_pollfd.TIMEOUT.no_rsm_entries");
  struct pollfd p = pipe_entry();
  EXPECT_RC(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(50), nullptr), RSMERR_TIMEOUT);
  ASSERT_EQ(write(pipefd[1], "x", 1), 1);
  int n = -1;
  EXPECT_OK(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(5000), &n));
  EXPECT_EQ(p.revents, POLLIN);
  EXPECT_EQ(n, 1);
}

TEST_F(IntrSignalWaitPollfd, ZeroTimeoutChecksWithoutWaiting) {
  covers("intr_signal_wait_pollfd.success.zero_timeout");
  // Timeout as in poll(2): 0 checks without blocking. The event may take a
  // moment to arrive, so it is polled for; every check returns at once.
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  int rc = RSMERR_TIMEOUT;
  struct pollfd p = rsm_entry();
  for (auto t0 = Clock::now(); rc == RSMERR_TIMEOUT && ms_since(t0) < scaled_ms(5000);) {
    auto t1 = Clock::now();
    p = rsm_entry();
    rc = rsm_intr_signal_wait_pollfd(&p, 1, 0, nullptr);
    EXPECT_LT(ms_since(t1), scaled_ms(1000)) << "a wait with timeout 0 blocked";
  }
  EXPECT_OK(rc) << "the posted event was never seen by a wait with timeout 0";
  EXPECT_EQ(p.revents, POLLRDNORM);
  std::atomic<int> r{-1};
  std::atomic<bool> done{false};
  auto t0 = Clock::now();
  std::thread t([&] {
    struct pollfd q[2] = {rsm_entry(), pipe_entry()};
    r = rsm_intr_signal_wait_pollfd(q, 2, 0, nullptr);
    done = true;
  });
  while (!done.load() && ms_since(t0) < scaled_ms(3000)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  bool blocked = !done.load();
  if (blocked) rsm_intr_signal_post(im(), 0);  // ends a wait that blocks
  t.join();
  EXPECT_FALSE(blocked) << "a wait with timeout 0 and nothing pending blocked";
  EXPECT_RC(r.load(), RSMERR_TIMEOUT);
}

// ---- RSMERR_BAD_ARGS_ERRORS -------------------------------------------------------

TEST_F(IntrSignalWaitPollfd, MoreEntriesThanRlimitNofileIsBadArgs) {
  covers("intr_signal_wait_pollfd.BAD_ARGS_ERRORS.nfds_over_rlimit");
  // poll(2) fails with EINVAL when nfds exceeds RLIMIT_NOFILE. The child
  // lowers its limit so a modest array is enough.
  struct pollfd first = rsm_entry();
  ChildOutcome child = run_in_child(
      [first] {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl)) return kChildSetupFailed;
        rl.rlim_cur = 64;
        if (setrlimit(RLIMIT_NOFILE, &rl)) return kChildSetupFailed;
        std::vector<struct pollfd> fds(65, pollfd{-1, POLLIN, 0});
        fds[0] = first;
        return rsm_intr_signal_wait_pollfd(fds.data(), fds.size(), scaled_ms(100), nullptr);
      },
      10000);
  ASSERT_TRUE(child.answered()) << "the child " << child;
  const int rc = child.value;
  ASSERT_NE(rc, kChildSetupFailed) << "could not lower RLIMIT_NOFILE in the child";
  EXPECT_RC(rc, RSMERR_BAD_ARGS_ERRORS);
}

// ---- RSMERR_BAD_ADDR ---------------------------------------------------------------

TEST_F(IntrSignalWaitPollfd, NullFdsIsBadAddr) {
  covers("intr_signal_wait_pollfd.BAD_ADDR.null_fds");
  // poll(2) says EFAULT (BAD_ADDR); a library checking first may call the
  // arguments invalid (BAD_ARGS_ERRORS).
  ASSERT_OK(rsm_intr_signal_post(im(), 0));  // so a call that ignores fds would not block
  EXPECT_RC_IN(rsm_intr_signal_wait_pollfd(nullptr, 2, scaled_ms(100), nullptr),
               (RcSet{RSMERR_BAD_ADDR, RSMERR_BAD_ARGS_ERRORS}));
}

TEST_F(IntrSignalWaitPollfd, UnmappedFdsRobustness) {
  covers("intr_signal_wait_pollfd.BAD_ADDR.unmapped_fds");
  auto *fds = static_cast<struct pollfd *>(unmapped_address());
  ASSERT_NE(fds, nullptr);
  EXPECT_RC_IN(rsm_intr_signal_wait_pollfd(fds, 2, scaled_ms(100), nullptr),
               (RcSet{RSMERR_BAD_ADDR, RSMERR_BAD_ARGS_ERRORS}));
}

TEST_F(IntrSignalWaitPollfd, UnmappedNumfdspRobustness) {
  covers("intr_signal_wait_pollfd.BAD_ADDR.unmapped_numfdsp");
  // With an event pending a successful call would have to write the count.
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  struct pollfd p = rsm_entry();
  auto *n = static_cast<int *>(unmapped_address());
  ASSERT_NE(n, nullptr);
  EXPECT_RC(rsm_intr_signal_wait_pollfd(&p, 1, scaled_ms(100), n), RSMERR_BAD_ADDR);
}

// ---- RSMERR_INTERRUPTED ------------------------------------------------------------

TEST_F(IntrSignalWaitPollfd, WaitIsInterruptedBySignal) {
  covers("intr_signal_wait_pollfd.INTERRUPTED.signal");
  InterruptResult r = interrupt_blocked_call(
      [this] {
        struct pollfd fds[2] = {rsm_entry(), pipe_entry()};
        return rsm_intr_signal_wait_pollfd(fds, 2, -1, nullptr);
      },
      [this] { rsm_intr_signal_post(im(), 0); }, scaled_ms(3000));
  EXPECT_FALSE(r.released) << "a signal did not end the wait; it returned only after an event was posted";
  EXPECT_RC(r.rc, RSMERR_INTERRUPTED);
}

// ---- RSMERR_INSUFFICIENT_MEM ---------------------------------------------------------

TEST_F(IntrSignalWaitPollfd, UnderMemoryExhaustionWorksOrReportsShortage) {
  covers("intr_signal_wait_pollfd.INSUFFICIENT_MEM.exhausted");
  // A forked child with no memory left: the wait either works (it may need
  // no memory) or reports the shortage; it never crashes or hangs.
  ASSERT_OK(rsm_intr_signal_post(im(), 0));
  struct pollfd first = rsm_entry();
  int rfd = pipefd[0];
  ChildOutcome child = run_in_child(
      [first, rfd] {
        std::vector<struct pollfd> fds(512, pollfd{rfd, POLLIN, 0});
        fds[0] = first;
        int n = -1;
        if (!exhaust_memory()) return kChildSetupFailed;
        int r = rsm_intr_signal_wait_pollfd(fds.data(), fds.size(), scaled_ms(5000), &n);
        if (r == RSM_SUCCESS && (fds[0].revents != POLLRDNORM || n != 1)) return kChildWrongResult;
        return r;
      },
      20000);
  ASSERT_TRUE(child.answered()) << "the child " << child << " in rsm_intr_signal_wait_pollfd under memory exhaustion";
  const int rc = child.value;
  ASSERT_NE(rc, kChildSetupFailed) << "could not limit the address space in the child";
  ASSERT_NE(rc, kChildWrongResult) << "succeeded without reporting the pending RSM event";
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_MEM, RSMERR_INSUFFICIENT_RESOURCES}));
}

}  // namespace
}  // namespace rsmc
