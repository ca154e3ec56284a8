// The shm backend's process model: real processes, simulated nodes,
// connection loss, and clean-up of what crashed processes leave behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "test_util.h"

namespace {

using namespace rsmkit_test;

// A child that becomes node `node`, exports one page holding `fill`,
// publishes it as `id`, tells the parent through a pipe, then waits for the
// parent to close the pipe (or dies, if `die` is set).
pid_t spawn_exporter(unsigned node, rsm_memseg_id_t id, char fill, bool die, int *ready_fd,
                     int *hold_fd) {
  int ready[2], hold[2];
  if (pipe(ready) || pipe(hold)) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    close(hold[1]);
    setenv("RSMKIT_NODE_ID", std::to_string(node).c_str(), 1);
    rsmapi_controller_handle_t c = nullptr;
    char name[] = "shm0";
    if (rsm_get_controller(name, &c)) _exit(10);
    char *mem = pages(1);
    std::memset(mem, fill, page());
    rsm_memseg_export_handle_t e = nullptr;
    if (rsm_memseg_export_create(c, &e, mem, page(), 0)) _exit(11);
    rsm_memseg_id_t want = id;
    if (rsm_memseg_export_publish(e, &want, nullptr, 0)) _exit(12);
    if (write(ready[1], "r", 1) != 1) _exit(13);
    if (die) raise(SIGKILL);
    char b;
    while (read(hold[0], &b, 1) > 0) {
    }
    // The importer's writes are visible in the exporter's own memory.
    _exit(mem[0] == 'W' ? 0 : 14);
  }
  close(ready[1]);
  close(hold[0]);
  *ready_fd = ready[0];
  *hold_fd = hold[1];
  return pid;
}

bool wait_ready(int fd) {
  char b;
  return read(fd, &b, 1) == 1;
}

TEST(Lifecycle, SecondNodeExportsAndThisNodeImports) {
  int ready = -1, hold = -1;
  pid_t pid = spawn_exporter(2, 0x600100, 'x', false, &ready, &hold);
  ASSERT_TRUE(wait_ready(ready));
  rsmapi_controller_handle_t c = nullptr;
  char name[] = "shm0";
  ASSERT_EQ(rsm_get_controller(name, &c), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  // Published on node 2, not on node 1.
  EXPECT_EQ(rsm_memseg_import_connect(c, 1, 0x600100, RSM_PERM_RDWR, &i), RSMERR_SEG_NOT_PUBLISHED);
  ASSERT_EQ(rsm_memseg_import_connect(c, 2, 0x600100, RSM_PERM_RDWR, &i), RSM_SUCCESS);
  rsmapi_barrier_t b{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(i, RSM_BARRIER_NODE, &b), RSM_SUCCESS);
  uint8_t v = 0;
  EXPECT_EQ(rsm_memseg_import_get8(i, 9, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(v, 'x');
  v = 'W';
  EXPECT_EQ(rsm_memseg_import_put8(i, 0, &v, 1), RSM_SUCCESS);
  // The topology lists node 2 as a remote node of shm0.
  rsm_topology_t *t = nullptr;
  ASSERT_EQ(rsm_get_interconnect_topology(&t), RSM_SUCCESS);
  bool seen = false;
  for (int r = 0; r < t->connections[0]->hdr.remote_cntlr_count; r++)
    seen |= t->connections[0]->remote_cntlr[r].remote_nodeid == 2;
  EXPECT_TRUE(seen);
  rsm_free_interconnect_topology(t);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&b), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_disconnect(i), RSM_SUCCESS);
  close(hold);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "exporter status " << st;
  // A node nobody runs is unreachable.
  EXPECT_EQ(rsm_memseg_import_connect(c, 77, 0x600100, RSM_PERM_RDWR, &i), RSMERR_REMOTE_NODE_UNREACHABLE);
  EXPECT_EQ(rsm_release_controller(c), RSM_SUCCESS);
  close(ready);
}

TEST(Lifecycle, ExporterDeathAbortsImportersAndIsReclaimed) {
  int ready = -1, hold = -1;
  pid_t pid = spawn_exporter(1, 0x600200, 'd', false, &ready, &hold);
  ASSERT_TRUE(wait_ready(ready));
  rsmapi_controller_handle_t c = nullptr;
  char name[] = "shm0";
  ASSERT_EQ(rsm_get_controller(name, &c), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  ASSERT_EQ(rsm_memseg_import_connect(c, 1, 0x600200, RSM_PERM_RDWR, &i), RSM_SUCCESS);
  rsmapi_barrier_t b{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(i, RSM_BARRIER_NODE, &b), RSM_SUCCESS);
  void *a = nullptr;
  ASSERT_EQ(rsm_memseg_import_map(i, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page()), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_import_set_mode(i, RSM_BARRIER_MODE_EXPLICIT), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_import_open_barrier(&b), RSM_SUCCESS);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  // No SIGBUS: the mapping stays readable; the span reports the loss.
  EXPECT_EQ(static_cast<char *>(a)[0], 'd');
  EXPECT_EQ(rsm_memseg_import_close_barrier(&b), RSMERR_CONN_ABORTED);
  ASSERT_EQ(rsm_memseg_import_set_mode(i, RSM_BARRIER_MODE_IMPLICIT), RSM_SUCCESS);
  uint8_t v = 0;
  EXPECT_EQ(rsm_memseg_import_get8(i, 0, &v, 1), RSMERR_CONN_ABORTED);
  EXPECT_EQ(rsm_memseg_import_put8(i, 0, &v, 1), RSMERR_CONN_ABORTED);
  EXPECT_EQ(rsm_memseg_import_unmap(i), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&b), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_disconnect(i), RSM_SUCCESS);
  // The id is free again: a new exporter may publish it (stale name reclaimed).
  char *mem = pages(1);
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(c, &e, mem, page(), 0), RSM_SUCCESS);
  rsm_memseg_id_t id = 0x600200;
  EXPECT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  EXPECT_EQ(rsm_release_controller(c), RSM_SUCCESS);
  close(hold);
  close(ready);
}

TEST(Lifecycle, CrashLeftoversAreSweptByTheNextProcess) {
  int ready = -1, hold = -1;
  pid_t pid = spawn_exporter(1, 0x600300, 'c', true, &ready, &hold);
  ASSERT_TRUE(wait_ready(ready));
  waitpid(pid, nullptr, 0);
  std::string tag = "." + std::to_string(pid);
  auto entries_of_dead = [&] {
    auto all = shm_entries();
    return std::count_if(all.begin(), all.end(), [&](const std::string &n) {
      return n.find(tag) != std::string::npos || n.find("s00600300") != std::string::npos;
    });
  };
  EXPECT_GT(entries_of_dead(), 0) << "the crash left nothing to sweep: test proves nothing";
  // A fresh process's first controller open sweeps them.
  EXPECT_EQ(in_child([] {
              rsmapi_controller_handle_t c = nullptr;
              char name[] = "shm0";
              return rsm_get_controller(name, &c);
            }),
            0);
  EXPECT_EQ(entries_of_dead(), 0);
  close(hold);
  close(ready);
}

TEST(Lifecycle, DestroyRemovesEverythingAndKeepsTheCallersData) {
  {
    Pair p;
    p.mem[0] = 'Q';
    ASSERT_EQ(rsm_memseg_import_disconnect(p.imp), RSM_SUCCESS);
    p.imp = nullptr;
    ASSERT_EQ(rsm_memseg_export_destroy(p.exp), RSM_SUCCESS);
    p.exp = nullptr;
    EXPECT_EQ(p.mem[0], 'Q');
    EXPECT_EQ(p.mem[p.len - 1], static_cast<char>((p.len - 1) * 7 + 3));
    p.mem[1] = 'R';  // still the caller's writable memory
  }
  auto left = shm_entries();
  left.erase(std::remove_if(left.begin(), left.end(),
                            [](const std::string &n) { return n.find(".proc.") != std::string::npos; }),
             left.end());
  EXPECT_TRUE(left.empty()) << "left behind: " << (left.empty() ? "" : left[0]);
}

TEST(Lifecycle, HandlesDoNotCrossFork) {
  Pair p;
  EXPECT_EQ(in_child([&] {
              uint8_t v = 0;
              int a = rsm_memseg_import_get8(p.imp, 0, &v, 1) == RSMERR_BAD_SEG_HNDL;
              int b = rsm_memseg_export_unpublish(p.exp) == RSMERR_NOT_CREATOR;
              int d = rsm_memseg_export_destroy(p.exp) == RSMERR_BAD_SEG_HNDL;
              rsmapi_controller_attr_t attr;
              int e = rsm_get_controller_attr(p.ctlr, &attr) == RSMERR_BAD_CTLR_HNDL;
              return a && b && d && e ? 0 : 1;
            }),
            0);
  // The parent's segment is untouched by the child's attempts.
  rsmapi_barrier_t b{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(p.imp, RSM_BARRIER_NODE, &b), RSM_SUCCESS);
  uint8_t v = 0;
  EXPECT_EQ(rsm_memseg_import_get8(p.imp, 1, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(v, 10);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&b), RSM_SUCCESS);
}

// Importers that die connected leave their importer slots behind; more of
// them than a segment has slots must not lock the segment for good.
TEST(Lifecycle, SlotsOfImportersThatDiedConnectedAreReused) {
  Pair p;
  for (int k = 0; k < 300; k++) {
    int rc = in_child([&] {
      rsmapi_controller_handle_t c = nullptr;
      char name[] = "shm0";
      rsm_memseg_import_handle_t h = nullptr;
      if (rsm_get_controller(name, &c)) return 2;
      return rsm_memseg_import_connect(c, 1, p.id, RSM_PERM_READ, &h) == RSM_SUCCESS ? 0 : 1;
    });
    ASSERT_EQ(rc, 0) << "importer " << k << " could not connect";
  }
  rsm_memseg_import_handle_t h = nullptr;
  ASSERT_EQ(rsm_memseg_import_connect(p.ctlr, 1, p.id, RSM_PERM_READ, &h), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_disconnect(h), RSM_SUCCESS);
}

TEST(Lifecycle, SignalsCrossProcesses) {
  Pair p;
  pid_t pid = fork();
  if (pid == 0) {
    // A new process connects on its own and posts to the exporter.
    rsmapi_controller_handle_t c = nullptr;
    char name[] = "shm0";
    rsm_memseg_import_handle_t i = nullptr;
    if (rsm_get_controller(name, &c) || rsm_memseg_import_connect(c, 1, p.id, RSM_PERM_READ, &i)) _exit(1);
    _exit(rsm_intr_signal_post(i, 0) == RSM_SUCCESS ? 0 : 2);
  }
  EXPECT_EQ(rsm_intr_signal_wait(p.exp, 10000), RSM_SUCCESS);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  EXPECT_EQ(rsm_intr_signal_wait(p.exp, 20), RSMERR_TIMEOUT);
}

}  // namespace

namespace {

// Mappings of this process's presence page (the exporter's, in loopback).
int presence_mappings() {
  const std::string name = ".proc." + std::to_string(getpid());
  int n = 0;
  if (FILE *f = std::fopen("/proc/self/maps", "re")) {
    char line[4096];
    while (std::fgets(line, sizeof line, f)) n += std::strstr(line, name.c_str()) != nullptr;
    std::fclose(f);
  }
  return n;
}

TEST(Lifecycle, ConnectionsShareTheExportersPresencePage) {
  Pair p;  // one connection already
  const int one = presence_mappings();
  rsm_memseg_import_handle_t more[3] = {};
  for (auto &h : more) ASSERT_EQ(rsm_memseg_import_connect(p.ctlr, 1, p.id, RSM_PERM_RDWR, &h), RSM_SUCCESS);
  EXPECT_EQ(presence_mappings(), one) << "each connection mapped the exporter's page again";
  for (auto h : more) ASSERT_EQ(rsm_memseg_import_disconnect(h), RSM_SUCCESS);
  // Kept while idle: the next connect maps nothing.
  ASSERT_EQ(rsm_memseg_import_disconnect(p.imp), RSM_SUCCESS);
  p.imp = nullptr;
  const int idle = presence_mappings();
  ASSERT_EQ(rsm_memseg_import_connect(p.ctlr, 1, p.id, RSM_PERM_RDWR, &p.imp), RSM_SUCCESS);
  EXPECT_EQ(presence_mappings(), idle);
}

}  // namespace
