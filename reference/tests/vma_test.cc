// The address-space walk (os/vma.h): the PROCMAP_QUERY path must report what
// the /proc/self/maps listing reports, mapping for mapping, for every kind of
// memory the shm backend tells apart.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "os/vma.h"

namespace {

struct Seen {
  uintptr_t start, end;
  uint64_t offset, inode;
  unsigned major, minor;
  bool readable, writable, shared, too_long;
  std::string name;
  bool operator==(const Seen &o) const {
    return start == o.start && end == o.end && offset == o.offset && inode == o.inode &&
           major == o.major && minor == o.minor && readable == o.readable &&
           writable == o.writable && shared == o.shared && too_long == o.too_long &&
           name == o.name;
  }
};

std::ostream &operator<<(std::ostream &os, const Seen &s) {
  return os << std::hex << s.start << "-" << s.end << " off " << s.offset << std::dec << " ino "
            << s.inode << " " << s.major << ":" << s.minor << " " << (s.readable ? 'r' : '-')
            << (s.writable ? 'w' : '-') << (s.shared ? 's' : 'p') << " '" << s.name << "'";
}

bool record(const rsmkit::os::Vma &v, void *ctx) {
  static_cast<std::vector<Seen> *>(ctx)->push_back(Seen{v.start, v.end, v.offset, v.inode,
                                                        v.major, v.minor, v.readable, v.writable,
                                                        v.shared, v.name_too_long,
                                                        std::string(v.name, v.name_len)});
  return true;
}

std::vector<Seen> walk(void *p, size_t n, bool names) {
  std::vector<Seen> out;
  auto lo = reinterpret_cast<uintptr_t>(p);
  EXPECT_EQ(0, rsmkit::os::walk_vmas(lo, lo + n, names, record, &out));
  return out;
}

std::vector<Seen> walk_listing(void *p, size_t n, bool names) {
  std::vector<Seen> out;
  auto lo = reinterpret_cast<uintptr_t>(p);
  EXPECT_EQ(0, rsmkit::os::walk_vmas_by_listing(lo, lo + n, names, record, &out));
  return out;
}

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

// Both walks agree on [p, p+n), with and without names; returns the walk.
std::vector<Seen> agreed(void *p, size_t n) {
  auto with_names = walk(p, n, true);
  EXPECT_EQ(walk_listing(p, n, true), with_names);
  EXPECT_EQ(walk_listing(p, n, false), walk(p, n, false));
  return with_names;
}

TEST(VmaWalk, PrivateMemorySplitByProtection) {
  char *p = static_cast<char *>(
      mmap(nullptr, 4 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(MAP_FAILED, p);
  ASSERT_EQ(0, mprotect(p + kPage, kPage, PROT_READ));
  auto seen = agreed(p, 4 * kPage);
  ASSERT_EQ(3u, seen.size());
  EXPECT_TRUE(seen[0].writable);
  EXPECT_FALSE(seen[1].writable);
  EXPECT_TRUE(seen[1].readable);
  // (Anonymous neighbours of the same protection may have merged with it.)
  EXPECT_GE(seen[2].end, reinterpret_cast<uintptr_t>(p + 4 * kPage));
  // A walk from the middle starts with the mapping that covers it.
  auto mid = agreed(p + kPage + kPage / 2, 1);
  ASSERT_EQ(1u, mid.size());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p + kPage), mid[0].start);
  munmap(p, 4 * kPage);
}

TEST(VmaWalk, StopsAtAHole) {
  char *p = static_cast<char *>(
      mmap(nullptr, 3 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(MAP_FAILED, p);
  ASSERT_EQ(0, munmap(p + kPage, kPage));
  auto seen = agreed(p, 3 * kPage);
  ASSERT_EQ(1u, seen.size());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p + kPage), seen[0].end);
  EXPECT_TRUE(agreed(p + kPage, kPage).empty());  // nothing there at all
  munmap(p, 3 * kPage);
}

TEST(VmaWalk, SharedFilesNamedAndDeleted) {
  char path[] = "/dev/shm/rsmkit-vma-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(0, ftruncate(fd, static_cast<off_t>(4 * kPage)));
  char *p = static_cast<char *>(mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                                     static_cast<off_t>(2 * kPage)));
  ASSERT_NE(MAP_FAILED, p);
  auto seen = agreed(p, 2 * kPage);
  ASSERT_EQ(1u, seen.size());
  EXPECT_TRUE(seen[0].shared);
  EXPECT_EQ(2 * kPage, seen[0].offset);
  EXPECT_EQ(std::string(path), seen[0].name);
  unlink(path);
  seen = agreed(p, 2 * kPage);
  ASSERT_EQ(1u, seen.size());
  EXPECT_EQ(std::string(path) + " (deleted)", seen[0].name);
  munmap(p, 2 * kPage);
  close(fd);
}

TEST(VmaWalk, SystemVAndAnonymousSharedMemory) {
  int id = shmget(IPC_PRIVATE, 2 * kPage, IPC_CREAT | 0600);
  ASSERT_GE(id, 0);
  void *p = shmat(id, nullptr, 0);
  shmctl(id, IPC_RMID, nullptr);
  ASSERT_NE(reinterpret_cast<void *>(-1), p);
  auto seen = agreed(p, 2 * kPage);
  ASSERT_EQ(1u, seen.size());
  EXPECT_EQ(static_cast<uint64_t>(id), seen[0].inode);  // how find_backing gets the shmid
  EXPECT_EQ(0u, seen[0].name.rfind("/SYSV", 0)) << seen[0].name;
  shmdt(p);

  void *a = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(MAP_FAILED, a);
  seen = agreed(a, kPage);
  ASSERT_EQ(1u, seen.size());
  EXPECT_TRUE(seen[0].shared);
  munmap(a, kPage);
}

TEST(VmaWalk, VisitorStopsTheWalk) {
  char *p = static_cast<char *>(
      mmap(nullptr, 3 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(MAP_FAILED, p);
  ASSERT_EQ(0, mprotect(p + kPage, kPage, PROT_READ));
  int calls = 0;
  auto lo = reinterpret_cast<uintptr_t>(p);
  auto once = [](const rsmkit::os::Vma &, void *ctx) {
    ++*static_cast<int *>(ctx);
    return false;
  };
  EXPECT_EQ(0, rsmkit::os::walk_vmas(lo, lo + 3 * kPage, false, once, &calls));
  EXPECT_EQ(1, calls);
  EXPECT_EQ(0, rsmkit::os::walk_vmas_by_listing(lo, lo + 3 * kPage, false, once, &calls));
  EXPECT_EQ(2, calls);
  munmap(p, 3 * kPage);
}

}  // namespace
