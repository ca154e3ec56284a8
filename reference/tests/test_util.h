// Helpers for the reference unit tests.
#ifndef RSMKIT_REFERENCE_TESTS_TEST_UTIL_H
#define RSMKIT_REFERENCE_TESTS_TEST_UTIL_H

#include <gtest/gtest.h>
#include <rsmapi.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <string>
#include <vector>

// 1 in a build with a sanitizer runtime (gcc and clang say so differently):
// it brings its own allocator and reserves address space and descriptors.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RSMKIT_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RSMKIT_TEST_SANITIZED 1
#endif
#endif
#ifndef RSMKIT_TEST_SANITIZED
#define RSMKIT_TEST_SANITIZED 0
#endif

namespace rsmkit_test {

inline size_t page() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

inline char *pages(size_t n) {
  void *p = mmap(nullptr, n * page(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<char *>(p);
}

// Names in the private shm directory of this test process.
inline std::vector<std::string> shm_entries() {
  std::vector<std::string> out;
  if (DIR *d = opendir(std::getenv("RSMKIT_SHM_DIR"))) {
    while (dirent *e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(e->d_name);
    closedir(d);
  }
  return out;
}

// Runs fn in a forked child and returns its exit status (or 128+signal).
template <class F>
int in_child(F fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// A controller, an export of n pages (published unless told otherwise) and
// an import of it, torn down in the right order.
struct Pair {
  rsmapi_controller_handle_t ctlr = nullptr;
  rsm_memseg_export_handle_t exp = nullptr;
  rsm_memseg_import_handle_t imp = nullptr;
  rsm_memseg_id_t id = 0;
  char *mem = nullptr;
  size_t len = 0;
  explicit Pair(size_t n = 2, rsm_permission_t perm = RSM_PERM_RDWR) {
    char name[] = "shm0";
    EXPECT_EQ(rsm_get_controller(name, &ctlr), RSM_SUCCESS);
    len = n * page();
    mem = pages(n);
    for (size_t i = 0; i < len; i++) mem[i] = static_cast<char>(i * 7 + 3);
    EXPECT_EQ(rsm_memseg_export_create(ctlr, &exp, mem, len, RSM_ALLOW_REBIND), RSM_SUCCESS);
    EXPECT_EQ(rsm_memseg_export_publish(exp, &id, nullptr, 0), RSM_SUCCESS);
    EXPECT_EQ(rsm_memseg_import_connect(ctlr, 1, id, perm, &imp), RSM_SUCCESS);
  }
  ~Pair() {
    if (imp) {
      rsm_memseg_import_unmap(imp);
      rsm_memseg_import_disconnect(imp);
    }
    if (exp) rsm_memseg_export_destroy(exp);
    if (ctlr) rsm_release_controller(ctlr);
    munmap(mem, len);
  }
};

}  // namespace rsmkit_test

#endif  // RSMKIT_REFERENCE_TESTS_TEST_UTIL_H
