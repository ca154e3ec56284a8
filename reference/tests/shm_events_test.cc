// The shm backend's event endpoints: a segment gets a FIFO only when its
// owner first waits or asks for a poll descriptor; posts made before are
// counted in the segment header and must all arrive (docs/reference.md,
// "Events").
#include <dirent.h>
#include <poll.h>

#include "test_util.h"

using namespace rsmkit_test;

namespace {

int fifo_names() {
  int n = 0;
  for (const auto &name : shm_entries()) n += name.find(".ev.") != std::string::npos;
  return n;
}

int open_descriptors() {
  int n = 0;
  if (DIR *d = opendir("/proc/self/fd")) {
    while (dirent *e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

TEST(ShmEvents, CreateAndConnectMakeNoFifo) {
  const int before = open_descriptors();
  Pair p;
  EXPECT_EQ(0, fifo_names());
  // Neither side holds a descriptor: the export reopens its object only to
  // rebind, the import maps the whole object at connect.
  EXPECT_EQ(open_descriptors() - before, 0);
  // A descriptor is asked for: now there is one FIFO, the exporter's.
  pollfd pfd{};
  ASSERT_EQ(RSM_SUCCESS, rsm_memseg_get_pollfd(p.exp, &pfd));
  EXPECT_EQ(1, fifo_names());
  EXPECT_EQ(RSM_SUCCESS, rsm_memseg_release_pollfd(p.exp));
}

TEST(ShmEvents, PostsBeforeTheFirstWaitAllArrive) {
  Pair p;
  for (int k = 0; k < 3; k++) ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.imp, 0));
  for (int k = 0; k < 2; k++) ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.exp, 0));
  EXPECT_EQ(0, fifo_names());
  for (int k = 0; k < 3; k++) EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_wait(p.exp, 5000)) << k;
  EXPECT_EQ(RSMERR_TIMEOUT, rsm_intr_signal_wait(p.exp, 20));
  for (int k = 0; k < 2; k++) EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_wait(p.imp, 5000)) << k;
  EXPECT_EQ(RSMERR_TIMEOUT, rsm_intr_signal_wait(p.imp, 20));
  // Both endpoints are FIFOs now, and posts still arrive one for one.
  EXPECT_EQ(2, fifo_names());
  ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.imp, 0));
  EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_wait(p.exp, 5000));
  EXPECT_EQ(RSMERR_TIMEOUT, rsm_intr_signal_wait(p.exp, 20));
}

TEST(ShmEvents, PendingCountShowsOnTheFirstPollDescriptor) {
  Pair p;
  ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.imp, 0));
  pollfd pfd{};
  ASSERT_EQ(RSM_SUCCESS, rsm_memseg_get_pollfd(p.exp, &pfd));
  EXPECT_EQ(1, poll(&pfd, 1, 1000));  // the counted event is in the FIFO
  EXPECT_EQ(RSM_SUCCESS, rsm_memseg_release_pollfd(p.exp));
  EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_wait(p.exp, 5000));
  EXPECT_EQ(RSMERR_TIMEOUT, rsm_intr_signal_wait(p.exp, 20));
}

TEST(ShmEvents, NoAccumulateHoldsBeforeAndAfterTheFifo) {
  Pair p;
  // Counted: the second post finds one pending and is dropped.
  ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.imp, RSM_SIGPOST_NO_ACCUMULATE));
  ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.imp, RSM_SIGPOST_NO_ACCUMULATE));
  EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_wait(p.exp, 5000));
  EXPECT_EQ(RSMERR_TIMEOUT, rsm_intr_signal_wait(p.exp, 20));
  // In the FIFO: the same rule.
  ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.imp, RSM_SIGPOST_NO_ACCUMULATE));
  ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.imp, RSM_SIGPOST_NO_ACCUMULATE));
  EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_wait(p.exp, 5000));
  EXPECT_EQ(RSMERR_TIMEOUT, rsm_intr_signal_wait(p.exp, 20));
}

TEST(ShmEvents, ANewImporterDoesNotInheritItsSlotsEvents) {
  Pair p;
  ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.exp, 0));  // counted for p.imp
  ASSERT_EQ(RSM_SUCCESS, rsm_memseg_import_disconnect(p.imp));
  p.imp = nullptr;
  // The next importer takes the freed slot, and with it the slot's word.
  ASSERT_EQ(RSM_SUCCESS, rsm_memseg_import_connect(p.ctlr, 1, p.id, RSM_PERM_RDWR, &p.imp));
  EXPECT_EQ(RSMERR_TIMEOUT, rsm_intr_signal_wait(p.imp, 20));
  ASSERT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.exp, 0));
  EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_wait(p.imp, 5000));
}

TEST(ShmEvents, CountedPostsCrossProcesses) {
  Pair p;
  int rc = in_child([&] {
    rsmapi_controller_handle_t c = nullptr;
    char name[] = "shm0";
    rsm_memseg_import_handle_t i = nullptr;
    if (rsm_get_controller(name, &c) || rsm_memseg_import_connect(c, 1, p.id, RSM_PERM_READ, &i))
      return 1;
    for (int k = 0; k < 5; k++)
      if (rsm_intr_signal_post(i, 0) != RSM_SUCCESS) return 2;
    return 0;
  });
  ASSERT_EQ(0, rc);
  for (int k = 0; k < 5; k++) EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_wait(p.exp, 5000)) << k;
  EXPECT_EQ(RSMERR_TIMEOUT, rsm_intr_signal_wait(p.exp, 20));
}

}  // namespace

namespace {

// A one-line message between processes of a test.
void say(int fd, char c) { ASSERT_EQ(1, write(fd, &c, 1)); }
char hear(int fd) {
  char c = 0;
  return read(fd, &c, 1) == 1 ? c : 0;
}

// Two importer processes with the same serial take the same slot one after
// the other (the first one's connection torn down by unpublish). The first,
// stale, then asks for a poll descriptor: that must not take over the
// second's event word, which keeps the exporter's next post until the second
// waits.
TEST(ShmEvents, AStaleImporterCannotTakeOverItsSlotsNextOwner) {
  Pair p;
  ASSERT_EQ(RSM_SUCCESS, rsm_memseg_import_disconnect(p.imp));
  p.imp = nullptr;
  int to_o[2], from_o[2], to_n[2], from_n[2];
  ASSERT_EQ(0, pipe(to_o));
  ASSERT_EQ(0, pipe(from_o));
  ASSERT_EQ(0, pipe(to_n));
  ASSERT_EQ(0, pipe(from_n));
  auto importer = [&](bool stale) {
    rsmapi_controller_handle_t c = nullptr;
    char name[] = "shm0";
    rsm_memseg_import_handle_t i = nullptr;
    if (rsm_get_controller(name, &c) || rsm_memseg_import_connect(c, 1, p.id, RSM_PERM_RDWR, &i))
      _exit(1);
    if (!stale) {
      // Waits (and so makes its FIFO) only after the post.
      say(from_n[1], 'c');
      if (hear(to_n[0]) != 'w') _exit(4);
      _exit(rsm_intr_signal_wait(i, 5000) == RSM_SUCCESS ? 0 : 2);
    }
    say(from_o[1], 'c');
    if (hear(to_o[0]) != 'g') _exit(3);
    pollfd pfd{};
    rsm_memseg_get_pollfd(i, &pfd);  // refused or not: it must not matter
    say(from_o[1], 'd');
    hear(to_o[0]);
    _exit(0);
  };
  pid_t o = fork();
  if (o == 0) importer(true);
  ASSERT_EQ('c', hear(from_o[0]));
  // Every slot is freed; the same id is published again.
  ASSERT_EQ(RSM_SUCCESS, rsm_memseg_export_unpublish(p.exp));
  rsm_memseg_id_t id = p.id;
  ASSERT_EQ(RSM_SUCCESS, rsm_memseg_export_publish(p.exp, &id, nullptr, 0));
  pid_t n = fork();
  if (n == 0) importer(false);
  ASSERT_EQ('c', hear(from_n[0]));
  say(to_o[1], 'g');
  ASSERT_EQ('d', hear(from_o[0]));
  EXPECT_EQ(RSM_SUCCESS, rsm_intr_signal_post(p.exp, 0));
  say(to_n[1], 'w');
  int st = 0;
  waitpid(n, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "the new importer got no event: status " << st;
  say(to_o[1], 'x');
  waitpid(o, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "stale importer: status " << st;
}

}  // namespace
