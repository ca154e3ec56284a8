// The shm backend on memory the exporter already shares: System V segments
// and MAP_SHARED files stay in place (importers reach the same pages), shared
// memory that cannot be reached by name is refused, and rebind moves between
// private and shared memory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace {

using namespace rsmkit_test;

char pattern(int seed, size_t i) { return static_cast<char>(seed * 31 + i * 7 + 1); }

void fill(void *p, size_t n, int seed, size_t from = 0) {
  for (size_t i = 0; i < n; i++) static_cast<char *>(p)[i] = pattern(seed, from + i);
}

bool holds(const void *p, size_t n, int seed, size_t from = 0) {
  for (size_t i = 0; i < n; i++)
    if (static_cast<const char *>(p)[i] != pattern(seed, from + i)) return false;
  return true;
}

// Connects read-write with a barrier (get and put need one).
std::vector<std::pair<rsm_memseg_import_handle_t, rsmapi_barrier_t *>> g_barriers;

int attach_import(rsmapi_controller_handle_t c, rsm_node_id_t node, rsm_memseg_id_t id,
            rsm_memseg_import_handle_t *i) {
  int rc = rsm_memseg_import_connect(c, node, id, RSM_PERM_RDWR, i);
  if (rc) return rc;
  auto *b = new rsmapi_barrier_t{};
  g_barriers.emplace_back(*i, b);
  return rsm_memseg_import_init_barrier(*i, RSM_BARRIER_NODE, b);
}

int detach_import(rsm_memseg_import_handle_t i) {
  for (auto it = g_barriers.begin(); it != g_barriers.end(); ++it) {
    if (it->first != i) continue;
    rsm_memseg_import_destroy_barrier(it->second);
    delete it->second;
    g_barriers.erase(it);
    break;
  }
  return rsm_memseg_import_disconnect(i);
}

// Reads [off, off+n) of the segment through the import handle.
bool import_holds(rsm_memseg_import_handle_t i, size_t off, size_t n, int seed) {
  std::vector<char> buf(n);
  return rsm_memseg_import_get(i, static_cast<off_t>(off), buf.data(), n) == RSM_SUCCESS &&
         holds(buf.data(), n, seed);
}

int put_pattern(rsm_memseg_import_handle_t i, size_t off, size_t n, int seed) {
  std::vector<char> buf(n);
  fill(buf.data(), n, seed);
  return rsm_memseg_import_put(i, static_cast<off_t>(off), buf.data(), n);
}

shmatt_t attachments(int shmid) {
  struct shmid_ds ds {};
  return shmctl(shmid, IPC_STAT, &ds) == 0 ? ds.shm_nattch : 0;
}

// A System V segment of n pages with two attachments; removed once both
// are detached, whatever the test does.
struct SysV {
  int id = -1;
  char *a = nullptr;
  char *b = nullptr;
  size_t len = 0;
  explicit SysV(size_t n, int mode = 0600) : len(n * page()) {
    id = shmget(IPC_PRIVATE, len, IPC_CREAT | mode);
    if (id < 0) return;
    void *x = shmat(id, nullptr, 0), *y = shmat(id, nullptr, 0);
    shmctl(id, IPC_RMID, nullptr);
    if (x != reinterpret_cast<void *>(-1)) a = static_cast<char *>(x);
    if (y != reinterpret_cast<void *>(-1)) b = static_cast<char *>(y);
  }
  bool usable() const { return a && b; }
  ~SysV() {
    if (a) shmdt(a);
    if (b) shmdt(b);
  }
};

struct Ctlr {
  rsmapi_controller_handle_t c = nullptr;
  Ctlr() {
    char name[] = "shm0";
    EXPECT_EQ(rsm_get_controller(name, &c), RSM_SUCCESS);
  }
  ~Ctlr() {
    if (c) rsm_release_controller(c);
  }
};

// One byte each way between parent and child.
struct Channel {
  int down[2] = {-1, -1}, up[2] = {-1, -1};
  Channel() {
    if (pipe(down) || pipe(up)) down[0] = -1;
  }
  bool ok() const { return down[0] >= 0; }
  void child_side() {
    close(down[1]);
    close(up[0]);
  }
  void parent_side() {
    close(down[0]);
    close(up[1]);
  }
  bool send(int fd, char c) { return write(fd, &c, 1) == 1; }
  char recv(int fd) {
    char c = 0;
    return read(fd, &c, 1) == 1 ? c : 0;
  }
  bool to_child(char c) { return send(down[1], c); }
  bool to_parent(char c) { return send(up[1], c); }
  char from_parent() { return recv(down[0]); }
  char from_child() { return recv(up[0]); }
};

int wait_child(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// ---- System V -----------------------------------------------------------------

TEST(ShmExternalMemory, SysVSharedWithOtherAttachmentAndImporterProcess) {
  const size_t pg = page();
  SysV s(3);
  if (s.id < 0) GTEST_SKIP() << "System V shared memory unavailable";
  ASSERT_TRUE(s.usable());
  fill(s.a, s.len, 1);
  Ctlr c;
  // The window is pages 1..2 of the segment: offsets inside it count.
  char *win = s.a + pg;
  const size_t len = 2 * pg;
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(c.c, &e, win, len, 0), RSM_SUCCESS);
  EXPECT_TRUE(holds(s.a, s.len, 1)) << "create changed the memory";
  rsm_memseg_id_t id = 0;
  ASSERT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);

  Channel ch;
  ASSERT_TRUE(ch.ok());
  pid_t pid = fork();
  if (pid == 0) {
    ch.child_side();
    // Only the importer's own attachment may connect this process to it.
    shmdt(s.a);
    shmdt(s.b);
    setenv("RSMKIT_NODE_ID", "2", 1);
    rsmapi_controller_handle_t cc = nullptr;
    char name[] = "shm0";
    if (rsm_get_controller(name, &cc)) _exit(10);
    rsm_memseg_import_handle_t i = nullptr;
    if (attach_import(cc, 1, id, &i)) _exit(11);
    std::vector<char> buf(len);
    if (rsm_memseg_import_get(i, 0, buf.data(), len) || !holds(buf.data(), len, 1, pg)) _exit(12);
    if (put_pattern(i, 0, pg, 2)) _exit(13);  // importer -> exporter, page 1
    void *m = nullptr;
    if (rsm_memseg_import_map(i, &m, RSM_MAP_NONE, RSM_PERM_RDWR, 0, len)) _exit(14);
    char *mp = static_cast<char *>(m);
    if (!holds(mp, pg, 2) || !holds(mp + pg, pg, 1, 2 * pg)) _exit(15);
    fill(mp + pg, pg, 3);  // through the mapping, page 2
    if (!ch.to_parent('w')) _exit(16);
    if (ch.from_parent() != 'x') _exit(17);
    // The parent stored through its other attachment.
    if (!holds(mp, pg, 4)) _exit(18);
    if (rsm_memseg_import_get(i, 0, buf.data(), pg) || !holds(buf.data(), pg, 4)) _exit(19);
    if (rsm_memseg_import_unmap(i) || detach_import(i)) _exit(20);
    _exit(0);
  }
  ch.parent_side();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(ch.from_child(), 'w');
  // Both attachments see the importer's stores (put and mapping).
  EXPECT_TRUE(holds(s.b + pg, pg, 2));
  EXPECT_TRUE(holds(s.a + pg, pg, 2));
  EXPECT_TRUE(holds(s.b + 2 * pg, pg, 3));
  EXPECT_TRUE(holds(s.b, pg, 1)) << "page 0, outside the window, changed";
  fill(s.b + pg, pg, 4);  // stored through the other attachment
  ASSERT_TRUE(ch.to_child('x'));
  EXPECT_EQ(wait_child(pid), 0);

  ASSERT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  // Still the caller's System V memory, shared by both attachments.
  fill(s.b, s.len, 5);
  EXPECT_TRUE(holds(s.a, s.len, 5));
  EXPECT_EQ(attachments(s.id), 2u) << "the importer's attachments outlived it";
  EXPECT_EQ(shmdt(s.a), 0);
  s.a = nullptr;
  EXPECT_EQ(shmdt(s.b), 0);
  s.b = nullptr;
}

TEST(ShmExternalMemory, DestroyLeavesTheSysVAttachmentAndImporterMappings) {
  const size_t pg = page();
  SysV s(2);
  if (s.id < 0) GTEST_SKIP() << "System V shared memory unavailable";
  ASSERT_TRUE(s.usable());
  fill(s.a, s.len, 6);
  Ctlr c;
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(c.c, &e, s.a, s.len, 0), RSM_SUCCESS);
  rsm_memseg_id_t id = 0;
  ASSERT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  ASSERT_EQ(attach_import(c.c, 1, id, &i), RSM_SUCCESS);
  void *m = nullptr;
  ASSERT_EQ(rsm_memseg_import_map(i, &m, RSM_MAP_NONE, RSM_PERM_RDWR, 0, s.len), RSM_SUCCESS);
  EXPECT_TRUE(holds(m, s.len, 6));
  // No header object stays mapped over the range, and no copy is made.
  ASSERT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  uint8_t v = 0;
  EXPECT_EQ(rsm_memseg_import_get8(i, 0, &v, 1), RSMERR_CONN_ABORTED);
  // The importer's mapping stays valid and still shows the same memory.
  fill(s.b, pg, 7);
  EXPECT_TRUE(holds(m, pg, 7));
  EXPECT_EQ(rsm_memseg_import_unmap(i), RSM_SUCCESS);
  EXPECT_EQ(detach_import(i), RSM_SUCCESS);
  EXPECT_EQ(attachments(s.id), 2u);
  for (const std::string &n : shm_entries())
    EXPECT_EQ(n.find(".mem."), std::string::npos) << n << " left behind";
  EXPECT_EQ(shmdt(s.a), 0);
  s.a = nullptr;
}

TEST(ShmExternalMemory, SysVWindowMapsAtEveryPlacement) {
  const size_t pg = page();
  SysV s(4);
  if (s.id < 0) GTEST_SKIP() << "System V shared memory unavailable";
  ASSERT_TRUE(s.usable());
  fill(s.a, s.len, 8);
  Ctlr c;
  rsm_memseg_export_handle_t whole = nullptr, part = nullptr;
  rsm_memseg_id_t wid = 0, pid = 0;
  // The whole segment through a, pages 1..2 through b.
  ASSERT_EQ(rsm_memseg_export_create(c.c, &whole, s.a, s.len, 0), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_export_create(c.c, &part, s.b + pg, 2 * pg, 0), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_export_publish(whole, &wid, nullptr, 0), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_export_publish(part, &pid, nullptr, 0), RSM_SUCCESS);
  rsm_memseg_import_handle_t iw = nullptr, ip = nullptr;
  ASSERT_EQ(attach_import(c.c, 1, wid, &iw), RSM_SUCCESS);
  ASSERT_EQ(attach_import(c.c, 1, pid, &ip), RSM_SUCCESS);

  // Anywhere, a window in the middle: the segment's page 2.
  void *m = nullptr;
  ASSERT_EQ(rsm_memseg_import_map(ip, &m, RSM_MAP_NONE, RSM_PERM_RDWR, static_cast<off_t>(pg), pg),
            RSM_SUCCESS);
  EXPECT_TRUE(holds(m, pg, 8, 2 * pg));
  fill(m, pg, 9);
  EXPECT_TRUE(holds(s.a + 2 * pg, pg, 9));
  EXPECT_EQ(rsm_memseg_import_unmap(ip), RSM_SUCCESS);

  // Read-only anywhere.
  ASSERT_EQ(rsm_memseg_import_map(ip, &m, RSM_MAP_NONE, RSM_PERM_READ, 0, 2 * pg), RSM_SUCCESS);
  EXPECT_TRUE(holds(static_cast<char *>(m) + pg, pg, 9));
  EXPECT_EQ(rsm_memseg_import_unmap(ip), RSM_SUCCESS);

  // Exactly at a reserved address: the whole segment (shmat places it).
  const shmatt_t before = attachments(s.id);
  void *r = mmap(nullptr, s.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(r, MAP_FAILED);
  m = r;
  ASSERT_EQ(rsm_memseg_import_map(iw, &m, RSM_MAP_RESERVED, RSM_PERM_RDWR, 0, s.len), RSM_SUCCESS);
  EXPECT_EQ(m, r);
  EXPECT_TRUE(holds(static_cast<char *>(m) + 2 * pg, pg, 9));
  fill(m, pg, 10);
  EXPECT_TRUE(holds(s.b, pg, 10));
  EXPECT_EQ(rsm_memseg_import_unmap(iw), RSM_SUCCESS);
  // The reservation is left, and no attachment of the mapping stays.
  EXPECT_EQ(attachments(s.id), before);

  // Exactly at an address, a window that is not the whole segment: needs a
  // descriptor of the segment (privileged), else RSMERR_MAP_FAILED.
  m = r;
  int rc = rsm_memseg_import_map(ip, &m, RSM_MAP_FIXED, RSM_PERM_RDWR, 0, 2 * pg);
  if (geteuid() == 0) {
    EXPECT_EQ(rc, RSM_SUCCESS);
  }
  if (rc == RSM_SUCCESS) {
    EXPECT_EQ(m, r);
    EXPECT_TRUE(holds(m, pg, 8, pg));
    EXPECT_TRUE(holds(static_cast<char *>(m) + pg, pg, 9));
    fill(static_cast<char *>(m) + pg, pg, 11);
    EXPECT_TRUE(holds(s.a + 2 * pg, pg, 11));
    EXPECT_EQ(rsm_memseg_import_unmap(ip), RSM_SUCCESS);
  } else {
    EXPECT_EQ(rc, RSMERR_MAP_FAILED);
  }
  munmap(r, s.len);

  EXPECT_EQ(detach_import(iw), RSM_SUCCESS);
  EXPECT_EQ(detach_import(ip), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(whole), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(part), RSM_SUCCESS);
  EXPECT_EQ(attachments(s.id), 2u);
}

TEST(ShmExternalMemory, ImporterNeedsTheSegmentsOwnPermission) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run an importer as another user";
  const char *dir = std::getenv("RSMKIT_SHM_DIR");
  ASSERT_EQ(chmod(dir, 0777), 0);  // the other user's process must reach it
  Ctlr c;
  for (int mode : {0600, 0666}) {
    SysV s(1, mode);
    if (s.id < 0) GTEST_SKIP() << "System V shared memory unavailable";
    ASSERT_TRUE(s.usable());
    rsm_memseg_export_handle_t e = nullptr;
    ASSERT_EQ(rsm_memseg_export_create(c.c, &e, s.a, s.len, 0), RSM_SUCCESS);
    rsm_memseg_id_t id = 0;
    // RSM grants node 2 read-write: only the segment's own mode decides.
    rsmapi_access_entry_t acl[] = {{2, 0666}};
    ASSERT_EQ(rsm_memseg_export_publish(e, &id, acl, 1), RSM_SUCCESS);
    const int want = mode == 0600 ? RSMERR_PERM_DENIED : RSM_SUCCESS;
    EXPECT_EQ(in_child([&] {
                if (setgid(65534) || setuid(65534)) return 10;
                setenv("RSMKIT_NODE_ID", "2", 1);
                rsmapi_controller_handle_t cc = nullptr;
                char name[] = "shm0";
                if (rsm_get_controller(name, &cc)) return 11;
                rsm_memseg_import_handle_t i = nullptr;
                int rc = rsm_memseg_import_connect(cc, 1, id, RSM_PERM_RDWR, &i);
                if (rc == RSM_SUCCESS) rsm_memseg_import_disconnect(i);
                return rc == want ? 0 : 100 + rc;
              }),
              0)
        << "segment mode " << std::oct << mode;
    EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  }
  chmod(dir, 0700);
}

// ---- rebind -------------------------------------------------------------------

TEST(ShmExternalMemory, RebindBetweenPrivateAndSysVMemory) {
  const size_t pg = page();
  SysV s(2);
  if (s.id < 0) GTEST_SKIP() << "System V shared memory unavailable";
  ASSERT_TRUE(s.usable());
  const size_t len = s.len;
  fill(s.a, len, 20);
  char *p = pages(2), *q = pages(2);
  ASSERT_NE(p, nullptr);
  ASSERT_NE(q, nullptr);
  fill(p, len, 21);
  fill(q, len, 22);
  Ctlr c;
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(c.c, &e, p, len, RSM_ALLOW_REBIND), RSM_SUCCESS);
  rsm_memseg_id_t id = 0;
  ASSERT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  ASSERT_EQ(attach_import(c.c, 1, id, &i), RSM_SUCCESS);
  void *mv = nullptr;
  ASSERT_EQ(rsm_memseg_import_map(i, &mv, RSM_MAP_NONE, RSM_PERM_RDWR, 0, len), RSM_SUCCESS);
  char *m = static_cast<char *>(mv);
  EXPECT_TRUE(holds(m, len, 21));

  // Private -> System V: the segment is now the shared memory itself.
  ASSERT_EQ(rsm_memseg_export_rebind(e, s.a, 0, len), RSM_SUCCESS);
  EXPECT_TRUE(import_holds(i, 0, len, 20));
  // The mapping followed (at its first check after the rebind), in place.
  EXPECT_TRUE(holds(m, len, 20));
  ASSERT_EQ(put_pattern(i, 0, pg, 23), RSM_SUCCESS);
  EXPECT_TRUE(holds(s.b, pg, 23)) << "the other attachment misses the importer's put";
  fill(m + pg, pg, 24);
  EXPECT_TRUE(holds(s.b + pg, pg, 24)) << "the other attachment misses a mapped store";
  fill(s.b, pg, 25);
  EXPECT_TRUE(import_holds(i, 0, pg, 25));
  // The old range is the caller's private memory again, with its contents.
  EXPECT_TRUE(holds(p, len, 21));
  fill(p, pg, 26);
  EXPECT_TRUE(import_holds(i, 0, pg, 25));

  // System V -> another attachment of the same memory: nothing moves.
  ASSERT_EQ(rsm_memseg_export_rebind(e, s.b, 0, len), RSM_SUCCESS);
  EXPECT_TRUE(import_holds(i, 0, pg, 25));
  ASSERT_EQ(rsm_memseg_export_rebind(e, s.a, 0, len), RSM_SUCCESS);

  // System V -> private: the shared memory is left exactly as it is.
  ASSERT_EQ(rsm_memseg_export_rebind(e, q, 0, len), RSM_SUCCESS);
  EXPECT_TRUE(import_holds(i, 0, len, 22));
  EXPECT_TRUE(holds(m, len, 22));
  ASSERT_EQ(put_pattern(i, 0, pg, 27), RSM_SUCCESS);
  EXPECT_TRUE(holds(q, pg, 27));
  EXPECT_TRUE(holds(s.a, pg, 25)) << "the importer still writes into the System V memory";
  fill(s.b, len, 28);
  EXPECT_TRUE(holds(s.a, len, 28)) << "the attachments no longer share memory";
  // The importer let go of its System V attachments.
  EXPECT_EQ(attachments(s.id), 2u);

  EXPECT_EQ(rsm_memseg_import_unmap(i), RSM_SUCCESS);
  EXPECT_EQ(detach_import(i), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  EXPECT_TRUE(holds(q, pg, 27));  // private memory keeps the last contents
  EXPECT_EQ(shmdt(s.a), 0);
  s.a = nullptr;
  munmap(p, len);
  munmap(q, len);
}

TEST(ShmExternalMemory, MappedImporterFollowsIntoASysVWindowOrLosesTheConnection) {
  const size_t pg = page();
  SysV s(3);
  if (s.id < 0) GTEST_SKIP() << "System V shared memory unavailable";
  ASSERT_TRUE(s.usable());
  fill(s.a, s.len, 70);
  char *p = pages(1);
  ASSERT_NE(p, nullptr);
  fill(p, pg, 71);
  Ctlr c;
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(c.c, &e, p, pg, RSM_ALLOW_REBIND), RSM_SUCCESS);
  rsm_memseg_id_t id = 0;
  ASSERT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  ASSERT_EQ(attach_import(c.c, 1, id, &i), RSM_SUCCESS);
  void *m = nullptr;
  ASSERT_EQ(rsm_memseg_import_map(i, &m, RSM_MAP_NONE, RSM_PERM_RDWR, 0, pg), RSM_SUCCESS);
  // The middle page of a larger segment: shmat cannot put it at m; only a
  // descriptor of the segment (privileged) can.
  ASSERT_EQ(rsm_memseg_export_rebind(e, s.a + pg, 0, pg), RSM_SUCCESS);
  uint8_t v = 0;
  int rc = rsm_memseg_import_get8(i, 0, &v, 1);
  if (geteuid() == 0) {
    EXPECT_EQ(rc, RSM_SUCCESS);
  }
  if (rc == RSM_SUCCESS) {
    EXPECT_TRUE(holds(m, pg, 70, pg));
    fill(m, pg, 72);
    EXPECT_TRUE(holds(s.b + pg, pg, 72));
  } else {
    EXPECT_EQ(rc, RSMERR_CONN_ABORTED);
    EXPECT_TRUE(holds(m, pg, 71)) << "the mapping keeps the old memory";
  }
  EXPECT_EQ(rsm_memseg_import_unmap(i), RSM_SUCCESS);
  EXPECT_EQ(detach_import(i), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  EXPECT_EQ(attachments(s.id), 2u);
  EXPECT_TRUE(holds(p, pg, 71));
  munmap(p, pg);
}

TEST(ShmExternalMemory, RebindFollowedByAnImporterProcess) {
  const size_t pg = page();
  SysV s(2);
  if (s.id < 0) GTEST_SKIP() << "System V shared memory unavailable";
  ASSERT_TRUE(s.usable());
  fill(s.a, s.len, 30);
  char *p = pages(2);
  ASSERT_NE(p, nullptr);
  fill(p, s.len, 31);
  Ctlr c;
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(c.c, &e, s.a, s.len, RSM_ALLOW_REBIND), RSM_SUCCESS);
  rsm_memseg_id_t id = 0;
  ASSERT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  Channel ch;
  ASSERT_TRUE(ch.ok());
  const size_t len = s.len;
  pid_t pid = fork();
  if (pid == 0) {
    ch.child_side();
    shmdt(s.a);
    shmdt(s.b);
    setenv("RSMKIT_NODE_ID", "2", 1);
    rsmapi_controller_handle_t cc = nullptr;
    char name[] = "shm0";
    if (rsm_get_controller(name, &cc)) _exit(10);
    rsm_memseg_import_handle_t i = nullptr;
    if (attach_import(cc, 1, id, &i)) _exit(11);
    void *m = nullptr;
    if (rsm_memseg_import_map(i, &m, RSM_MAP_NONE, RSM_PERM_RDWR, 0, len)) _exit(12);
    if (!import_holds(i, 0, len, 30) || !holds(m, len, 30)) _exit(13);
    if (!ch.to_parent('1') || ch.from_parent() != '2') _exit(14);
    // Rebound to private memory: get, put and the mapping follow.
    if (!import_holds(i, 0, len, 31) || !holds(m, len, 31)) _exit(15);
    if (put_pattern(i, 0, pg, 32)) _exit(16);
    fill(static_cast<char *>(m) + pg, pg, 33);
    if (!ch.to_parent('3') || ch.from_parent() != '4') _exit(17);
    // Rebound to System V again.
    if (!import_holds(i, 0, len, 34) || !holds(m, len, 34)) _exit(18);
    if (put_pattern(i, 0, pg, 35)) _exit(19);
    if (rsm_memseg_import_unmap(i) || detach_import(i)) _exit(20);
    _exit(ch.to_parent('5') ? 0 : 21);
  }
  ch.parent_side();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(ch.from_child(), '1');
  ASSERT_EQ(rsm_memseg_export_rebind(e, p, 0, len), RSM_SUCCESS);
  ASSERT_TRUE(ch.to_child('2'));
  ASSERT_EQ(ch.from_child(), '3');
  EXPECT_TRUE(holds(p, pg, 32));
  EXPECT_TRUE(holds(p + pg, pg, 33));
  EXPECT_TRUE(holds(s.b, len, 30)) << "the System V memory changed after the rebind";
  fill(s.b, len, 34);
  ASSERT_EQ(rsm_memseg_export_rebind(e, s.a, 0, len), RSM_SUCCESS);
  ASSERT_TRUE(ch.to_child('4'));
  EXPECT_EQ(ch.from_child(), '5');
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_TRUE(holds(s.b, pg, 35));
  EXPECT_TRUE(holds(p, pg, 32)) << "the private range lost its contents";
  ASSERT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  EXPECT_EQ(attachments(s.id), 2u);
  munmap(p, len);
}

// ---- files and other shared memory --------------------------------------------

TEST(ShmExternalMemory, MapSharedFileStaysShared) {
  const size_t pg = page();
  char path[] = "/tmp/rsmkit-file-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const size_t flen = 3 * pg;
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(flen)), 0);
  void *av = mmap(nullptr, flen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  void *bv = mmap(nullptr, flen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(av, MAP_FAILED);
  ASSERT_NE(bv, MAP_FAILED);
  char *a = static_cast<char *>(av), *b = static_cast<char *>(bv);
  fill(a, flen, 40);
  Ctlr c;
  rsm_memseg_export_handle_t e = nullptr;
  // Pages 1..2 of the file.
  ASSERT_EQ(rsm_memseg_export_create(c.c, &e, a + pg, 2 * pg, 0), RSM_SUCCESS);
  rsm_memseg_id_t id = 0;
  ASSERT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  ASSERT_EQ(attach_import(c.c, 1, id, &i), RSM_SUCCESS);
  std::vector<char> buf(2 * pg);
  ASSERT_EQ(rsm_memseg_import_get(i, 0, buf.data(), buf.size()), RSM_SUCCESS);
  EXPECT_TRUE(holds(buf.data(), buf.size(), 40, pg));
  ASSERT_EQ(put_pattern(i, 0, pg, 41), RSM_SUCCESS);
  EXPECT_TRUE(holds(b + pg, pg, 41)) << "another mapping of the file misses the put";
  ASSERT_EQ(pread(fd, buf.data(), pg, static_cast<off_t>(pg)), static_cast<ssize_t>(pg));
  EXPECT_TRUE(holds(buf.data(), pg, 41)) << "the file misses the put";
  fill(b + 2 * pg, pg, 42);
  EXPECT_TRUE(import_holds(i, pg, pg, 42));
  void *m = nullptr;
  ASSERT_EQ(rsm_memseg_import_map(i, &m, RSM_MAP_NONE, RSM_PERM_RDWR, static_cast<off_t>(pg), pg),
            RSM_SUCCESS);
  EXPECT_TRUE(holds(m, pg, 42));
  fill(m, pg, 43);
  EXPECT_TRUE(holds(a + 2 * pg, pg, 43));
  EXPECT_EQ(rsm_memseg_import_unmap(i), RSM_SUCCESS);

  // In another process, through its own open of the file.
  EXPECT_EQ(in_child([&] {
              munmap(a, flen);
              munmap(b, flen);
              close(fd);
              setenv("RSMKIT_NODE_ID", "2", 1);
              rsmapi_controller_handle_t cc = nullptr;
              char name[] = "shm0";
              if (rsm_get_controller(name, &cc)) return 10;
              rsm_memseg_import_handle_t j = nullptr;
              if (attach_import(cc, 1, id, &j)) return 11;
              if (!import_holds(j, pg, pg, 43)) return 12;
              if (put_pattern(j, 0, pg, 44)) return 13;
              return detach_import(j) ? 14 : 0;
            }),
            0);
  EXPECT_TRUE(holds(b + pg, pg, 44));

  EXPECT_EQ(detach_import(i), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  // Still the caller's mapping of the file, and the file is still there.
  fill(a + pg, pg, 45);
  EXPECT_TRUE(holds(b + pg, pg, 45));
  struct stat st;
  EXPECT_EQ(stat(path, &st), 0);
  munmap(a, flen);
  munmap(b, flen);
  close(fd);
  unlink(path);
}

TEST(ShmExternalMemory, TruncatedFileLosesTheConnectionWithoutSigbus) {
  // Someone truncates the exporter's file under a connection: the pages are
  // gone for every mapping of it. Transfers must report the loss, not die of
  // SIGBUS.
  const size_t pg = page();
  char path[] = "/tmp/rsmkit-file-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(2 * pg)), 0);
  void *av = mmap(nullptr, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(av, MAP_FAILED);
  char *a = static_cast<char *>(av);
  fill(a, 2 * pg, 50);
  Ctlr c;
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(c.c, &e, a, 2 * pg, 0), RSM_SUCCESS);
  rsm_memseg_id_t id = 0;
  ASSERT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  ASSERT_EQ(attach_import(c.c, 1, id, &i), RSM_SUCCESS);
  EXPECT_TRUE(import_holds(i, 0, 2 * pg, 50));
  ASSERT_EQ(ftruncate(fd, 0), 0);
  std::vector<char> buf(pg);
  EXPECT_EQ(rsm_memseg_import_get(i, 0, buf.data(), pg), RSMERR_CONN_ABORTED);
  EXPECT_EQ(put_pattern(i, static_cast<size_t>(pg), pg, 51), RSMERR_CONN_ABORTED);
  uint64_t v = 0;
  EXPECT_EQ(rsm_memseg_import_get64(i, 0, &v, 1), RSMERR_CONN_ABORTED);
  EXPECT_EQ(detach_import(i), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  munmap(a, 2 * pg);
  close(fd);
  unlink(path);
}

TEST(ShmExternalMemory, SharedMemoryWithoutANameIsRefused) {
  const size_t pg = page();
  Ctlr c;
  int fd = memfd_create("rsmkit-test", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(2 * pg)), 0);
  void *mv = mmap(nullptr, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(mv, MAP_FAILED);
  char *m = static_cast<char *>(mv);
  fill(m, 2 * pg, 50);
  rsm_memseg_export_handle_t e = nullptr;
  EXPECT_EQ(rsm_memseg_export_create(c.c, &e, m, 2 * pg, 0), RSMERR_PERM_DENIED);
  EXPECT_TRUE(holds(m, 2 * pg, 50));
  // Shared anonymous memory is the same case.
  void *anon = mmap(nullptr, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(anon, MAP_FAILED);
  EXPECT_EQ(rsm_memseg_export_create(c.c, &e, anon, pg, 0), RSMERR_PERM_DENIED);
  // A rebind to it is refused the same way and keeps the old binding.
  char *p = pages(2);
  ASSERT_NE(p, nullptr);
  fill(p, 2 * pg, 51);
  ASSERT_EQ(rsm_memseg_export_create(c.c, &e, p, 2 * pg, RSM_ALLOW_REBIND), RSM_SUCCESS);
  rsm_memseg_id_t id = 0;
  ASSERT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  ASSERT_EQ(attach_import(c.c, 1, id, &i), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_rebind(e, m, 0, 2 * pg), RSMERR_PERM_DENIED);
  EXPECT_TRUE(import_holds(i, 0, 2 * pg, 51));
  ASSERT_EQ(put_pattern(i, 0, pg, 52), RSM_SUCCESS);
  EXPECT_TRUE(holds(p, pg, 52));
  EXPECT_TRUE(holds(m, 2 * pg, 50));
  EXPECT_EQ(detach_import(i), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  munmap(p, 2 * pg);
  munmap(anon, pg);
  munmap(m, 2 * pg);
  close(fd);
}

TEST(ShmExternalMemory, RangeOverPrivateAndSharedMemoryIsRefused) {
  const size_t pg = page();
  SysV s(1);
  if (s.id < 0) GTEST_SKIP() << "System V shared memory unavailable";
  ASSERT_TRUE(s.usable());
  char *r = pages(2);
  ASSERT_NE(r, nullptr);
  fill(r, pg, 60);
  // Page 1 of r becomes a third attachment of the segment.
  ASSERT_EQ(shmat(s.id, r + pg, SHM_REMAP), static_cast<void *>(r + pg));
  fill(s.a, pg, 61);
  Ctlr c;
  rsm_memseg_export_handle_t e = nullptr;
  EXPECT_EQ(rsm_memseg_export_create(c.c, &e, r, 2 * pg, 0), RSMERR_PERM_DENIED);
  EXPECT_TRUE(holds(r, pg, 60));
  EXPECT_TRUE(holds(r + pg, pg, 61));
  EXPECT_EQ(shmdt(r + pg), 0);
  munmap(r, 2 * pg);
}

}  // namespace
