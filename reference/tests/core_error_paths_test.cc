// The core's error returns that the conformance suite cannot reach: failures
// a backend reports (through the "fault" and "sparse" plug-ins), allocation
// failures (operator new of this binary, made to fail on demand), and a few
// argument checks. ci/coverage_error_returns.py checks that every error
// return of reference/core is executed by the suite and the unit tests;
// docs/quality.md ("Coverage") lists what is left out and why.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "core/backend.h"
#include "test_util.h"

// ---- allocation failures ------------------------------------------------------
// This binary replaces the global operator new (librsm's calls resolve to it):
// while t_allocs_left is not negative, the allocation of this thread that
// comes after that many more fails with std::bad_alloc (the nothrow forms
// return null), and so do all later ones unless t_fail_once is set. A sanitizer runtime brings its own operator new, so under a
// sanitizer nothing is replaced and the tests that need it are skipped. The
// same goes for calloc (below), which the topology snapshot is made with.
#define RSMKIT_TEST_ALLOC_FAILURES (!RSMKIT_TEST_SANITIZED)

namespace {
thread_local long t_allocs_left = -1;
thread_local bool t_fail_once = false;  // only the one allocation fails

#if RSMKIT_TEST_ALLOC_FAILURES
bool allocation_fails() {
  if (t_allocs_left < 0) return false;
  if (t_allocs_left == 0) {
    if (t_fail_once) t_allocs_left = -1;
    return true;
  }
  t_allocs_left--;
  return false;
}
#endif
}  // namespace

#if RSMKIT_TEST_ALLOC_FAILURES
// Not inlined: gcc would see free() of a pointer from operator new.
#define RSMKIT_TEST_NOINLINE __attribute__((noinline))
RSMKIT_TEST_NOINLINE void *operator new(std::size_t n) {
  if (allocation_fails()) throw std::bad_alloc();
  for (;;) {
    if (void *p = std::malloc(n ? n : 1)) return p;
    std::new_handler h = std::get_new_handler();
    if (!h) throw std::bad_alloc();
    h();
  }
}
RSMKIT_TEST_NOINLINE void *operator new[](std::size_t n) { return ::operator new(n); }
RSMKIT_TEST_NOINLINE void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
  try {
    return ::operator new(n);
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
}
RSMKIT_TEST_NOINLINE void *operator new[](std::size_t n, const std::nothrow_t &t) noexcept { return ::operator new(n, t); }
RSMKIT_TEST_NOINLINE void operator delete(void *p) noexcept { std::free(p); }
RSMKIT_TEST_NOINLINE void operator delete[](void *p) noexcept { std::free(p); }
RSMKIT_TEST_NOINLINE void operator delete(void *p, std::size_t) noexcept { std::free(p); }
RSMKIT_TEST_NOINLINE void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
RSMKIT_TEST_NOINLINE void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }
RSMKIT_TEST_NOINLINE void operator delete[](void *p, const std::nothrow_t &) noexcept { std::free(p); }

// calloc fails on this thread while t_calloc_fails is set; otherwise it is
// libc's (found with dlsym, so Valgrind's replacement stays in charge).
namespace {
thread_local bool t_calloc_fails = false;
thread_local bool t_calloc_resolving = false;
}  // namespace
extern "C" void *calloc(size_t n, size_t size) {
  using Fn = void *(*)(size_t, size_t);
  static std::atomic<Fn> next{nullptr};
  if (t_calloc_fails) {
    errno = ENOMEM;
    return nullptr;
  }
  Fn f = next.load(std::memory_order_acquire);
  if (!f) {
    if (t_calloc_resolving) return nullptr;  // dlsym asking for memory: it copes
    t_calloc_resolving = true;
    f = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "calloc"));
    t_calloc_resolving = false;
    if (!f) return nullptr;
    next.store(f, std::memory_order_release);
  }
  return f(n, size);
}
#endif

namespace {

using namespace rsmkit_test;
using rsmkit::Status;

// While alive, allocation n of this thread (0: the next one) fails, and every
// later one too unless once is set.
class FailAllocations {
 public:
  explicit FailAllocations(long n, bool once = false) {
    t_fail_once = once;
    t_allocs_left = n;
  }
  ~FailAllocations() { t_allocs_left = -1; }
  FailAllocations(const FailAllocations &) = delete;
  FailAllocations &operator=(const FailAllocations &) = delete;
};

#if RSMKIT_TEST_ALLOC_FAILURES
// calloc fails on this thread while alive.
class FailCalloc {
 public:
  FailCalloc() { t_calloc_fails = true; }
  ~FailCalloc() { t_calloc_fails = false; }
  FailCalloc(const FailCalloc &) = delete;
  FailCalloc &operator=(const FailCalloc &) = delete;
};
#endif

// Whether the replacements above are the ones in use: not under a sanitizer
// (not compiled in) nor under Valgrind (which replaces them in turn).
bool allocation_failures_work() {
#if RSMKIT_TEST_ALLOC_FAILURES
  static const bool works = [] {
    FailAllocations f(0);
    try {
      void *volatile p = ::operator new(16);
      ::operator delete(p);
      return false;
    } catch (const std::bad_alloc &) {
      return true;
    }
  }();
  return works;
#else
  return false;
#endif
}

#if RSMKIT_TEST_ALLOC_FAILURES
bool calloc_failures_work() {
  static const bool works = [] {
    FailCalloc f;
    void *volatile p = std::calloc(1, 16);
    std::free(p);
    return p == nullptr;
  }();
  return works;
}
#endif

#define SKIP_WITHOUT_ALLOC_FAILURES()            \
  if (!allocation_failures_work())               \
  GTEST_SKIP() << "not applicable: another allocator is in charge (a sanitizer runtime or Valgrind)"

// Calls attempt() with allocation n failing, n = 0, 1, ..., until it
// succeeds: first with every later allocation failing too (memory stays
// short), then with only that one failing (memory comes back at once, so the
// code after a failed allocation runs). Each failed attempt must return want.
// undo() takes back the success that ends the first round. Returns how many
// attempts failed (0: the call allocates nothing).
template <class F, class U>
int sweep(F attempt, U undo, int want, const char *what) {
  int failures = 0;
  for (bool once : {false, true}) {
    long n = 0;
    for (; n < 500; n++) {
      int rc;
      {
        FailAllocations f(n, once);
        rc = attempt();
      }
      if (rc == RSM_SUCCESS) break;
      EXPECT_EQ(rc, want) << what << " with allocation " << n << (once ? " failing" : " on failing");
      failures++;
    }
    if (n == 500) ADD_FAILURE() << what << " still fails with 500 allocations allowed";
    if (!once && n < 500) undo();
  }
  return failures;
}

// ---- plug-ins and environment ------------------------------------------------

void use_plugins() { setenv("RSMKIT_BACKEND_PATH", RSMKIT_TEST_PLUGIN_DIR, 1); }

// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char *name, const std::string &value) : name_(name) { setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv &) = delete;
  ScopedEnv &operator=(const ScopedEnv &) = delete;

 private:
  const char *name_;
};

// RSMKIT_FAULT for the "fault" plug-in: "<op>=<status>".
struct Fault : ScopedEnv {
  explicit Fault(const std::string &spec) : ScopedEnv("RSMKIT_FAULT", spec) {}
};

int get_controller(const char *name, rsmapi_controller_handle_t *h) {
  std::string copy(name);
  return rsm_get_controller(copy.data(), h);
}

// A controller of a plug-in type, an export of n pages published under a
// chosen id, an import of it and a barrier on the import.
struct PluginPair {
  rsmapi_controller_handle_t ctlr = nullptr;
  rsm_memseg_export_handle_t exp = nullptr;
  rsm_memseg_import_handle_t imp = nullptr;
  rsmapi_barrier_t bar{};
  rsm_memseg_id_t id = 0;
  char *mem = nullptr;
  size_t len = 0;
  PluginPair(const char *type, size_t n = 2) {
    use_plugins();
    EXPECT_EQ(get_controller(type, &ctlr), RSM_SUCCESS) << type;
    len = n * page();
    mem = pages(n);
    EXPECT_EQ(rsm_memseg_export_create(ctlr, &exp, mem, len, RSM_ALLOW_REBIND), RSM_SUCCESS);
    EXPECT_EQ(rsm_memseg_export_publish(exp, &id, nullptr, 0), RSM_SUCCESS);
    EXPECT_EQ(rsm_memseg_import_connect(ctlr, 1, id, RSM_PERM_RDWR, &imp), RSM_SUCCESS);
    EXPECT_EQ(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &bar), RSM_SUCCESS);
  }
  ~PluginPair() {
    rsm_memseg_import_destroy_barrier(&bar);
    rsm_memseg_import_disconnect(imp);
    rsm_memseg_export_destroy(exp);
    rsm_release_controller(ctlr);
    munmap(mem, len);
  }
  PluginPair(const PluginPair &) = delete;
  PluginPair &operator=(const PluginPair &) = delete;
};

// ---- a fresh process -----------------------------------------------------------
// Some entry points allocate nothing once the core's handle tables exist: their
// bad_alloc guard is reached only by the first call of a process, while the
// table is being created. Such scenarios run in a new copy of this binary
// (fork + exec), which runs run_fresh() from a static initializer instead of
// the tests and prints "name=rc" lines.

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Runs scenario in a fresh process with the extra environment; its output
// parsed as name=rc, plus "exit" = its exit status.
std::map<std::string, int> run_fresh_process(const std::string &scenario,
                                             const std::vector<std::string> &env) {
  std::map<std::string, int> out;
  std::string exe = self_exe();
  int fds[2];
  if (exe.empty() || pipe(fds) != 0) return out;
  std::vector<std::string> env_strings = {"RSMKIT_TEST_FRESH_PROCESS=" + scenario};
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char *> envp;
  for (char **e = environ; *e; e++) envp.push_back(*e);
  for (auto &s : env_strings) envp.push_back(&s[0]);
  envp.push_back(nullptr);
  char *argv[] = {&exe[0], nullptr};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execve(argv[0], argv, envp.data());
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  out["exit"] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = std::atoi(line.c_str() + eq + 1);
  }
  return out;
}

template <class H>
std::string handle_text(H h) {
  return std::to_string(reinterpret_cast<uintptr_t>(h));
}

template <class H>
H handle_from_env(const char *name) {
  const char *v = std::getenv(name);
  return reinterpret_cast<H>(static_cast<uintptr_t>(v ? std::strtoull(v, nullptr, 10) : 0));
}

void report(const char *name, int rc) { std::printf("%s=%d\n", name, rc); }

// First calls of a process, with every allocation failing: each entry point
// meets the creation of a handle table first. Handles and the barrier's tag
// come from the parent (any value of the right kind will do: the table is
// empty here).
int fresh_first_calls() {
  auto ctlr = handle_from_env<rsmapi_controller_handle_t>("RSMKIT_TEST_CTLR");
  auto exp = handle_from_env<rsm_memseg_export_handle_t>("RSMKIT_TEST_EXPORT");
  auto imp = handle_from_env<rsm_memseg_import_handle_t>("RSMKIT_TEST_IMPORT");
  auto lm = handle_from_env<rsm_localmemory_handle_t>("RSMKIT_TEST_LOCALMEM");
  rsmapi_barrier_t bar{};
  bar.gnum = static_cast<uint16_t>(std::atoi(std::getenv("RSMKIT_TEST_BARRIER_TAG")));
  char *mem = pages(1);
  rsmapi_controller_attr_t attr;
  rsm_barrier_mode_t mode;
  void *addr = nullptr;
  struct pollfd pfd = {-1, POLLIN, 0};
  rsm_iovec_t io{};
  io.io_type = RSM_VA_TYPE;
  io.local.vaddr = mem;
  io.transfer_length = 1;
  rsm_scat_gath_t sg{};
  sg.io_request_count = 1;
  sg.remote_handle = imp;
  sg.iovec = &io;
  int n = 0;
  report("injection", allocation_failures_work() ? 1 : 0);
  {
    FailAllocations all(0);
    report("get_controller_attr", rsm_get_controller_attr(ctlr, &attr));
    report("release_controller", rsm_release_controller(ctlr));
    report("free_localmemory_handle", rsm_free_localmemory_handle(ctlr, lm));
    report("export_destroy", rsm_memseg_export_destroy(exp));
    report("export_rebind", rsm_memseg_export_rebind(exp, mem, 0, page()));
    report("export_unpublish", rsm_memseg_export_unpublish(exp));
    report("intr_signal_post", rsm_intr_signal_post(exp, 0));
    report("intr_signal_wait", rsm_intr_signal_wait(exp, 0));
    report("memseg_get_pollfd", rsm_memseg_get_pollfd(exp, &pfd));
    report("memseg_release_pollfd", rsm_memseg_release_pollfd(exp));
    report("import_disconnect", rsm_memseg_import_disconnect(imp));
    report("import_map", rsm_memseg_import_map(imp, &addr, RSM_MAP_NONE, RSM_PERM_READ, 0, page()));
    report("import_unmap", rsm_memseg_import_unmap(imp));
    report("import_set_mode", rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_IMPLICIT));
    report("import_get_mode", rsm_memseg_import_get_mode(imp, &mode));
    report("import_get", rsm_memseg_import_get(imp, 0, mem, 1));
    report("import_getv", rsm_memseg_import_getv(&sg));
    report("import_open_barrier", rsm_memseg_import_open_barrier(&bar));
    report("import_order_barrier", rsm_memseg_import_order_barrier(&bar));
    report("import_close_barrier", rsm_memseg_import_close_barrier(&bar));
    report("import_destroy_barrier", rsm_memseg_import_destroy_barrier(&bar));
    report("intr_signal_wait_pollfd", rsm_intr_signal_wait_pollfd(&pfd, 1, 0, &n));
  }
  // Nothing was left half made: with memory back, the library works.
  rsmapi_controller_handle_t c = nullptr;
  int rc = get_controller("shm0", &c);
  if (rc == RSM_SUCCESS) rc = rsm_get_controller_attr(c, &attr);
  if (rc == RSM_SUCCESS) rc = rsm_release_controller(c);
  report("afterwards", rc);
  munmap(mem, page());
  return 0;
}

// A plug-in that leaves export_publish null: the core's default answers.
int fresh_publish_unimplemented() {
  rsmapi_controller_handle_t c = nullptr;
  report("get_controller", get_controller("sparse0", &c));
  char *mem = pages(1);
  rsm_memseg_export_handle_t e = nullptr;
  report("export_create", rsm_memseg_export_create(c, &e, mem, page(), 0));
  rsm_memseg_id_t id = 0;
  report("export_publish", rsm_memseg_export_publish(e, &id, nullptr, 0));
  report("export_destroy", rsm_memseg_export_destroy(e));
  report("release_controller", rsm_release_controller(c));
  munmap(mem, page());
  return 0;
}

const int g_fresh_process = [] {
  const char *scenario = std::getenv("RSMKIT_TEST_FRESH_PROCESS");
  if (!scenario) return 0;
  unsetenv("RSMKIT_TEST_FRESH_PROCESS");
  int rc = 2;
  if (std::strcmp(scenario, "first_calls") == 0) rc = fresh_first_calls();
  if (std::strcmp(scenario, "publish_unimplemented") == 0) rc = fresh_publish_unimplemented();
  std::fflush(stdout);
  std::exit(rc);  // exit, not _exit: coverage counts are written at exit
}();

// ================================================================================
// Failures reported by a backend ("fault" plug-in: RSMKIT_FAULT=<op>=<status>).

TEST(CoreErrorPaths, ControllerOpenOutOfResourcesIsInsufficientMem) {
  use_plugins();
  rsmapi_controller_handle_t c = nullptr;
  {
    Fault f("ctlr_open=no_resources");
    EXPECT_EQ(get_controller("fault0", &c), RSMERR_INSUFFICIENT_MEM);
  }
  ASSERT_EQ(get_controller("fault0", &c), RSM_SUCCESS);
  EXPECT_EQ(rsm_release_controller(c), RSM_SUCCESS);
}

TEST(CoreErrorPaths, ExportCreateBackendFailures) {
  use_plugins();
  rsmapi_controller_handle_t c = nullptr;
  ASSERT_EQ(get_controller("fault0", &c), RSM_SUCCESS);
  char *mem = pages(1);
  rsm_memseg_export_handle_t e = nullptr;
  {
    Fault f("export_create=bad_address");
    EXPECT_EQ(rsm_memseg_export_create(c, &e, mem, page(), 0), RSMERR_BAD_ADDR);
  }
  {
    Fault f("export_create=perm_denied");
    EXPECT_EQ(rsm_memseg_export_create(c, &e, mem, page(), 0), RSMERR_PERM_DENIED);
  }
  // The failed attempts left nothing behind: the same memory exports.
  ASSERT_EQ(rsm_memseg_export_create(c, &e, mem, page(), 0), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  EXPECT_EQ(rsm_release_controller(c), RSM_SUCCESS);
  munmap(mem, page());
}

TEST(CoreErrorPaths, ExportBeyondTotalSizeIsInsufficientResources) {
  // The fault controller allows 4 GiB of exports in all, 1 GiB each.
  use_plugins();
  rsmapi_controller_handle_t c = nullptr;
  ASSERT_EQ(get_controller("fault0", &c), RSM_SUCCESS);
  rsmapi_controller_attr_t attr{};
  ASSERT_EQ(rsm_get_controller_attr(c, &attr), RSM_SUCCESS);
  const size_t each = attr.attr_max_export_segment_size;
  const size_t n = attr.attr_tot_export_segment_size / each;
  ASSERT_GT(each, 0u);
  ASSERT_LE(n, 8u);
  const size_t span = n * each + page();
  void *p = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  char *mem = static_cast<char *>(p);
  std::vector<rsm_memseg_export_handle_t> segs(n);
  for (size_t i = 0; i < n; i++)
    ASSERT_EQ(rsm_memseg_export_create(c, &segs[i], mem + i * each, each, 0), RSM_SUCCESS) << i;
  rsm_memseg_export_handle_t more = nullptr;
  EXPECT_EQ(rsm_memseg_export_create(c, &more, mem + n * each, page(), 0), RSMERR_INSUFFICIENT_RESOURCES);
  // Room again once one is destroyed.
  EXPECT_EQ(rsm_memseg_export_destroy(segs[0]), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_create(c, &more, mem + n * each, page(), 0), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(more), RSM_SUCCESS);
  for (size_t i = 1; i < n; i++) EXPECT_EQ(rsm_memseg_export_destroy(segs[i]), RSM_SUCCESS);
  EXPECT_EQ(rsm_release_controller(c), RSM_SUCCESS);
  munmap(p, span);
}

TEST(CoreErrorPaths, InterruptedUnpublishKeepsTheSegmentPublished) {
  PluginPair p("fault0");
  {
    Fault f("export_unpublish=interrupted");
    EXPECT_EQ(rsm_memseg_export_unpublish(p.exp), RSMERR_INTERRUPTED);
  }
  // Still published and connected: the importer writes, a new importer connects.
  uint8_t v = 0x6B;
  EXPECT_EQ(rsm_memseg_import_put8(p.imp, 5, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(p.mem[5], 0x6B);
  rsm_memseg_import_handle_t other = nullptr;
  ASSERT_EQ(rsm_memseg_import_connect(p.ctlr, 1, p.id, RSM_PERM_READ, &other), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_disconnect(other), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_unpublish(p.exp), RSM_SUCCESS);
}

TEST(CoreErrorPaths, RepublishBackendFailure) {
  PluginPair p("fault0");
  rsmapi_access_entry_t acl[] = {{1, 0600}};
  {
    Fault f("export_republish=no_resources");
    EXPECT_EQ(rsm_memseg_export_republish(p.exp, acl, 1), RSMERR_INSUFFICIENT_RESOURCES);
  }
  EXPECT_EQ(rsm_memseg_export_republish(p.exp, acl, 1), RSM_SUCCESS);
}

TEST(CoreErrorPaths, TransferBackendFailures) {
  PluginPair p("fault0");
  uint32_t v = 0xA5A5A5A5u;
  {
    Fault f("import_xfer=no_memory");
    EXPECT_EQ(rsm_memseg_import_put32(p.imp, 8, &v, 1), RSMERR_INSUFFICIENT_RESOURCES);
  }
  {
    // put's page has no TIMEOUT: the status map falls back to BARRIER_FAILURE.
    Fault f("import_xfer=timeout");
    EXPECT_EQ(rsm_memseg_import_put(p.imp, 8, &v, sizeof v), RSMERR_BARRIER_FAILURE);
  }
  EXPECT_NE(std::memcmp(p.mem + 8, &v, sizeof v), 0);
  ASSERT_EQ(rsm_memseg_import_put32(p.imp, 8, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(std::memcmp(p.mem + 8, &v, sizeof v), 0);
}

TEST(CoreErrorPaths, FenceFailureIsBarrierFailure) {
  PluginPair p("fault0");
  ASSERT_EQ(rsm_memseg_import_open_barrier(&p.bar), RSM_SUCCESS);
  Fault f("import_fence=io_error");
  EXPECT_EQ(rsm_memseg_import_order_barrier(&p.bar), RSMERR_BARRIER_FAILURE);
  EXPECT_EQ(rsm_memseg_import_close_barrier(&p.bar), RSMERR_BARRIER_FAILURE);
  // The close ended the span even though it failed.
  EXPECT_EQ(rsm_memseg_import_close_barrier(&p.bar), RSMERR_BARRIER_NOT_OPENED);
}

TEST(CoreErrorPaths, FailureInsideAnExplicitSpanIsReportedByOrderAndClose) {
  PluginPair p("fault0");
  ASSERT_EQ(rsm_memseg_import_set_mode(p.imp, RSM_BARRIER_MODE_EXPLICIT), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_import_open_barrier(&p.bar), RSM_SUCCESS);
  uint8_t v = 1;
  {
    Fault f("import_xfer=io_error");
    EXPECT_EQ(rsm_memseg_import_put8(p.imp, 0, &v, 1), RSM_SUCCESS);  // kept for the barrier
  }
  EXPECT_EQ(rsm_memseg_import_order_barrier(&p.bar), RSMERR_BARRIER_FAILURE);
  EXPECT_EQ(rsm_memseg_import_close_barrier(&p.bar), RSMERR_BARRIER_FAILURE);
  // A new span starts clean.
  ASSERT_EQ(rsm_memseg_import_open_barrier(&p.bar), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_put8(p.imp, 0, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_close_barrier(&p.bar), RSM_SUCCESS);
  EXPECT_EQ(p.mem[0], 1);
}

TEST(CoreErrorPaths, SignalPostBackendFailures) {
  PluginPair p("fault0");
  {
    // signal_post's page has no INSUFFICIENT_RESOURCES: the fallback code.
    Fault f("export_signal=no_resources");
    EXPECT_EQ(rsm_intr_signal_post(p.exp, 0), RSMERR_REMOTE_NODE_UNREACHABLE);
  }
  {
    Fault f("import_signal=unreachable");
    EXPECT_EQ(rsm_intr_signal_post(p.imp, 0), RSMERR_REMOTE_NODE_UNREACHABLE);
  }
  EXPECT_EQ(rsm_intr_signal_post(p.imp, 0), RSM_SUCCESS);
  EXPECT_EQ(rsm_intr_signal_wait(p.exp, 1000), RSM_SUCCESS);
}

TEST(CoreErrorPaths, ImplicitSigpostFailureOfPutvIsBarrierFailure) {
  PluginPair p("fault0");
  char src[16] = "putv";
  rsm_iovec_t io{};
  io.io_type = RSM_VA_TYPE;
  io.local.vaddr = src;
  io.transfer_length = sizeof src;
  rsm_scat_gath_t sg{};
  sg.io_request_count = 1;
  sg.remote_handle = p.imp;
  sg.iovec = &io;
  sg.flags = RSM_IMPLICIT_SIGPOST;
  {
    Fault f("import_signal=aborted");
    EXPECT_EQ(rsm_memseg_import_putv(&sg), RSMERR_BARRIER_FAILURE);
  }
  // The data went; only the signal failed.
  EXPECT_EQ(sg.io_residual_count, 0u);
  EXPECT_EQ(std::memcmp(p.mem, src, sizeof src), 0);
}

TEST(CoreErrorPaths, LocalMemoryHandleFailures) {
  use_plugins();
  rsmapi_controller_handle_t fault = nullptr, shm = nullptr;
  ASSERT_EQ(get_controller("fault0", &fault), RSM_SUCCESS);
  ASSERT_EQ(get_controller("shm0", &shm), RSM_SUCCESS);
  char *mem = pages(1);
  rsm_localmemory_handle_t lm = nullptr;
  {
    Fault f("localmem_create=no_memory");
    EXPECT_EQ(rsm_create_localmemory_handle(fault, &lm, mem, page()), RSMERR_INSUFFICIENT_MEM);
  }
  // A handle is freed through the controller it was made with only.
  ASSERT_EQ(rsm_create_localmemory_handle(shm, &lm, mem, page()), RSM_SUCCESS);
  EXPECT_EQ(rsm_free_localmemory_handle(fault, lm), RSMERR_BAD_LOCALMEM_HNDL);
  EXPECT_EQ(rsm_free_localmemory_handle(shm, lm), RSM_SUCCESS);
  EXPECT_EQ(rsm_free_localmemory_handle(shm, lm), RSMERR_BAD_LOCALMEM_HNDL);
  EXPECT_EQ(rsm_release_controller(shm), RSM_SUCCESS);
  EXPECT_EQ(rsm_release_controller(fault), RSM_SUCCESS);
  munmap(mem, page());
}

TEST(CoreErrorPaths, MapOnABackendThatCannotMapIsMapFailed) {
  PluginPair p("fault0");
  void *addr = nullptr;
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &addr, RSM_MAP_NONE, RSM_PERM_READ, 0, page()), RSMERR_MAP_FAILED);
  EXPECT_EQ(addr, nullptr);
  EXPECT_EQ(rsm_memseg_import_unmap(p.imp), RSMERR_SEG_NOT_MAPPED);
}

// ================================================================================
// A backend that leaves entries to the core's defaults ("sparse" plug-in).

TEST(CoreErrorPaths, UnimplementedBackendEntriesAreRefused) {
  PluginPair p("sparse0", 1);
  char *other = pages(1);
  EXPECT_EQ(rsm_memseg_export_rebind(p.exp, other, 0, page()), RSMERR_INSUFFICIENT_RESOURCES);
  rsmapi_access_entry_t acl[] = {{1, 0600}};
  EXPECT_EQ(rsm_memseg_export_republish(p.exp, acl, 1), RSMERR_INSUFFICIENT_RESOURCES);
  // "unsupported" is INSUFFICIENT_RESOURCES, which signal_post's page lacks:
  // the status map's fallback for it.
  EXPECT_EQ(rsm_intr_signal_post(p.exp, 0), RSMERR_REMOTE_NODE_UNREACHABLE);
  EXPECT_EQ(rsm_intr_signal_post(p.imp, 0), RSMERR_REMOTE_NODE_UNREACHABLE);
  uint8_t v = 7;
  EXPECT_EQ(rsm_memseg_import_put8(p.imp, 0, &v, 1), RSMERR_INSUFFICIENT_RESOURCES);
  // No event descriptor: nothing to wait on or poll.
  EXPECT_EQ(rsm_intr_signal_wait(p.exp, 0), RSMERR_BAD_SEG_HNDL);
  EXPECT_EQ(rsm_intr_signal_wait(p.imp, 0), RSMERR_BAD_SEG_HNDL);
  struct pollfd pfd = {-1, 0, 0};
  EXPECT_EQ(rsm_memseg_get_pollfd(p.exp, &pfd), RSMERR_BAD_SEG_HNDL);
  EXPECT_EQ(pfd.fd, -1);
  // Nothing was counted: the segments go away.
  EXPECT_EQ(rsm_memseg_export_unpublish(p.exp), RSM_SUCCESS);
  munmap(other, page());
}

TEST(CoreErrorPaths, UnimplementedPublishIsRefused) {
  use_plugins();
  auto r = run_fresh_process("publish_unimplemented", {"RSMKIT_SPARSE_NO_PUBLISH=1"});
  EXPECT_EQ(r["exit"], 0);
  EXPECT_EQ(r["get_controller"], RSM_SUCCESS);
  EXPECT_EQ(r["export_create"], RSM_SUCCESS);
  EXPECT_EQ(r["export_publish"], RSMERR_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(r["export_destroy"], RSM_SUCCESS);
  EXPECT_EQ(r["release_controller"], RSM_SUCCESS);
}

TEST(CoreErrorPaths, MapBackendFailuresAndMapLimit) {
  PluginPair p("sparse0", 1);
  void *addr = nullptr;
  // The import is 4 pages, the controller maps at most one at a time.
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &addr, RSM_MAP_NONE, RSM_PERM_READ, 0, 2 * page()), RSMERR_BAD_LENGTH);
  {
    ScopedEnv s("RSMKIT_SPARSE_MAP", std::to_string(static_cast<int>(Status::perm_denied)));
    EXPECT_EQ(rsm_memseg_import_map(p.imp, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page()), RSMERR_BAD_PERMS);
  }
  {
    ScopedEnv s("RSMKIT_SPARSE_MAP", std::to_string(static_cast<int>(Status::no_resources)));
    EXPECT_EQ(rsm_memseg_import_map(p.imp, &addr, RSM_MAP_NONE, RSM_PERM_READ, 0, page()), RSMERR_MAP_FAILED);
  }
  {
    ScopedEnv s("RSMKIT_SPARSE_MAP", std::to_string(static_cast<int>(Status::map_failed)));
    EXPECT_EQ(rsm_memseg_import_map(p.imp, &addr, RSM_MAP_NONE, RSM_PERM_READ, 0, page()), RSMERR_MAP_FAILED);
  }
  EXPECT_EQ(addr, nullptr);
  EXPECT_EQ(rsm_memseg_import_unmap(p.imp), RSMERR_SEG_NOT_MAPPED);
}

// ================================================================================
// Argument and descriptor checks (the shm backend).

TEST(CoreErrorPaths, ReservedMapOfUnreservedRangeIsBadAddr) {
  Pair p;
  char *hole = pages(1);
  ASSERT_NE(hole, nullptr);
  munmap(hole, page());
  void *addr = hole;
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &addr, RSM_MAP_RESERVED, RSM_PERM_READ, 0, page()), RSMERR_BAD_ADDR);
  EXPECT_EQ(addr, hole);
  // Reserved by the caller, the same range maps.
  char *reserved = pages(1);
  addr = reserved;
  ASSERT_EQ(rsm_memseg_import_map(p.imp, &addr, RSM_MAP_RESERVED, RSM_PERM_READ, 0, page()), RSM_SUCCESS);
  EXPECT_EQ(addr, reserved);
  EXPECT_EQ(reserved[3], p.mem[3]);
  EXPECT_EQ(rsm_memseg_import_unmap(p.imp), RSM_SUCCESS);
  munmap(reserved, page());
}

TEST(CoreErrorPaths, VectorEntryWhoseLocalAddressWrapsIsBadAddr) {
  Pair p;
  rsmapi_barrier_t bar{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(p.imp, RSM_BARRIER_NODE, &bar), RSM_SUCCESS);
  char buf[8] = {};
  rsm_iovec_t io[2] = {};
  io[0].io_type = RSM_VA_TYPE;
  io[0].local.vaddr = buf;
  io[0].transfer_length = sizeof buf;
  io[1] = io[0];
  io[1].local_offset = SIZE_MAX - 4;
  rsm_scat_gath_t sg{};
  sg.io_request_count = 2;
  sg.remote_handle = p.imp;
  sg.iovec = io;
  EXPECT_EQ(rsm_memseg_import_getv(&sg), RSMERR_BAD_ADDR);
  EXPECT_EQ(sg.io_residual_count, 1u);  // the first entry was done
  EXPECT_EQ(std::memcmp(buf, p.mem, sizeof buf), 0);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&bar), RSM_SUCCESS);
}

TEST(CoreErrorPaths, WaitPollfdWithTooManyDescriptorsIsBadArgs) {
  struct pollfd pfd = {-1, POLLIN, 0};
  int n = -1;
  EXPECT_EQ(rsm_intr_signal_wait_pollfd(&pfd, static_cast<nfds_t>(-1), 0, &n), RSMERR_BAD_ARGS_ERRORS);
  EXPECT_EQ(n, 0);
}

TEST(CoreErrorPaths, WaitPollfdOnReadOnlyArrayIsBadAddr) {
  // poll(2) writes revents back: a read-only array is EFAULT.
  char *ro = pages(1);
  ASSERT_NE(ro, nullptr);
  auto *fds = reinterpret_cast<struct pollfd *>(ro);
  fds[0] = {-1, POLLIN, 0};
  ASSERT_EQ(mprotect(ro, page(), PROT_READ), 0);
  int n = -1;
  EXPECT_EQ(rsm_intr_signal_wait_pollfd(fds, 1, 0, &n), RSMERR_BAD_ADDR);
  EXPECT_EQ(n, 0);
  munmap(ro, page());
}

TEST(CoreErrorPaths, WaitOnAClosedEventDescriptorIsBadSegHandle) {
  PluginPair p("fault0");
  struct pollfd pfd = {-1, 0, 0};
  ASSERT_EQ(rsm_memseg_get_pollfd(p.imp, &pfd), RSM_SUCCESS);
  // Close the descriptor under the backend, keep a copy to put it back.
  int keep = dup(pfd.fd);
  ASSERT_GE(keep, 0);
  ASSERT_EQ(close(pfd.fd), 0);
  EXPECT_EQ(rsm_intr_signal_wait(p.imp, 5000), RSMERR_BAD_SEG_HNDL);
  ASSERT_EQ(dup2(keep, pfd.fd), pfd.fd);
  close(keep);
  EXPECT_EQ(rsm_memseg_release_pollfd(p.imp), RSM_SUCCESS);
}

TEST(CoreErrorPaths, WaitPollfdReadableWithoutEventTimesOut) {
  // The RSM descriptor polls readable but holds no event (as when another
  // waiter took it): wait_pollfd reports nothing and times out.
  PluginPair p("fault0");
  struct pollfd pfd = {-1, 0, 0};
  ASSERT_EQ(rsm_memseg_get_pollfd(p.imp, &pfd), RSM_SUCCESS);
  int keep = dup(pfd.fd);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(keep, 0);
  ASSERT_GE(null, 0);
  ASSERT_EQ(dup2(null, pfd.fd), pfd.fd);  // always readable, read() finds no event
  int n = -1;
  struct pollfd fds[1] = {{pfd.fd, POLLRDNORM, 0}};
  EXPECT_EQ(rsm_intr_signal_wait_pollfd(fds, 1, 50, &n), RSMERR_TIMEOUT);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(fds[0].revents, 0);
  ASSERT_EQ(dup2(keep, pfd.fd), pfd.fd);
  close(keep);
  close(null);
  EXPECT_EQ(rsm_memseg_release_pollfd(p.imp), RSM_SUCCESS);
}

// ================================================================================
// Allocation failures: every entry point that allocates answers with its
// documented code, and works once memory is back.

TEST(CoreErrorPaths, OutOfMemoryGetController) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  rsmapi_controller_attr_t attr;
  rsm_get_controller_attr(nullptr, &attr);  // the handle table exists
  rsmapi_controller_handle_t c = nullptr;
  int failures = sweep([&] { return get_controller("shm0", &c); }, [&] { rsm_release_controller(c); },
                       RSMERR_INSUFFICIENT_MEM, "get_controller");
  EXPECT_GT(failures, 1);
  EXPECT_EQ(rsm_get_controller_attr(c, &attr), RSM_SUCCESS);
  EXPECT_EQ(rsm_release_controller(c), RSM_SUCCESS);
}

TEST(CoreErrorPaths, OutOfMemoryExportCreate) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  Pair p;
  std::vector<char *> mems;
  mems.reserve(1100);  // no allocation of ours while allocations fail
  const size_t objects_before = shm_entries().size();
  rsm_memseg_export_handle_t e = nullptr;
  int failures = sweep(
      [&] {
        mems.push_back(pages(1));  // fresh memory each time
        return rsm_memseg_export_create(p.ctlr, &e, mems.back(), page(), 0);
      },
      [&] { rsm_memseg_export_destroy(e); }, RSMERR_INSUFFICIENT_MEM, "export_create");
  EXPECT_GT(failures, 1);
  rsm_memseg_id_t id = 0;
  EXPECT_EQ(rsm_memseg_export_publish(e, &id, nullptr, 0), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  // A create that failed after the backend made its part gave that part back.
  EXPECT_EQ(shm_entries().size(), objects_before);
  for (char *m : mems) munmap(m, page());
}

TEST(CoreErrorPaths, OutOfMemoryPublishAndRepublish) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  Pair p;
  char *mem = pages(1);
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(p.ctlr, &e, mem, page(), 0), RSM_SUCCESS);
  rsmapi_access_entry_t acl[] = {{1, 0600}, {2, 0400}};
  rsm_memseg_id_t id = 0;
  int failures = sweep([&] { return rsm_memseg_export_publish(e, &id, acl, 2); },
                       [&] { rsm_memseg_export_unpublish(e); }, RSMERR_INSUFFICIENT_MEM,
                       "export_publish");
  EXPECT_GT(failures, 0);
  EXPECT_NE(id, 0u);
  failures = sweep([&] { return rsm_memseg_export_republish(e, acl, 1); }, [] {}, RSMERR_INSUFFICIENT_MEM,
                   "export_republish");
  EXPECT_GT(failures, 0);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  munmap(mem, page());
}

TEST(CoreErrorPaths, OutOfMemoryImportConnect) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  Pair p;
  rsm_memseg_import_handle_t i = nullptr;
  int failures = sweep([&] { return rsm_memseg_import_connect(p.ctlr, 1, p.id, RSM_PERM_READ, &i); },
                       [&] { rsm_memseg_import_disconnect(i); }, RSMERR_INSUFFICIENT_MEM, "import_connect");
  EXPECT_GT(failures, 1);
  EXPECT_EQ(rsm_memseg_import_disconnect(i), RSM_SUCCESS);
}

TEST(CoreErrorPaths, OutOfMemoryInitBarrier) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  Pair p;
  rsmapi_barrier_t bar{};
  int failures = sweep([&] { return rsm_memseg_import_init_barrier(p.imp, RSM_BARRIER_NODE, &bar); },
                       [&] { rsm_memseg_import_destroy_barrier(&bar); }, RSMERR_INSUFFICIENT_MEM, "import_init_barrier");
  EXPECT_GT(failures, 1);
  uint8_t v = 0;
  EXPECT_EQ(rsm_memseg_import_get8(p.imp, 3, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(v, static_cast<uint8_t>(p.mem[3]));
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&bar), RSM_SUCCESS);
  // Only the barrier that was made counted: none is left.
  EXPECT_EQ(rsm_memseg_import_get8(p.imp, 3, &v, 1), RSMERR_BARRIER_UNINITIALIZED);
}

TEST(CoreErrorPaths, OutOfMemoryCreateLocalMemoryHandle) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  Pair p;
  char *mem = pages(1);
  rsm_localmemory_handle_t lm = nullptr;
  int failures = sweep([&] { return rsm_create_localmemory_handle(p.ctlr, &lm, mem, page()); },
                       [&] { rsm_free_localmemory_handle(p.ctlr, lm); }, RSMERR_INSUFFICIENT_MEM, "create_localmemory_handle");
  EXPECT_GT(failures, 1);
  EXPECT_EQ(rsm_free_localmemory_handle(p.ctlr, lm), RSM_SUCCESS);
  munmap(mem, page());
}

TEST(CoreErrorPaths, OutOfMemoryTopology) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  // With shm0 open, topology describes it through the open controller.
  rsmapi_controller_handle_t c = nullptr;
  ASSERT_EQ(get_controller("shm0", &c), RSM_SUCCESS);
  rsm_topology_t *t = nullptr;
  int failures = sweep([&] { return rsm_get_interconnect_topology(&t); }, [&] { rsm_free_interconnect_topology(t); },
                       RSMERR_INSUFFICIENT_MEM,
                       "get_interconnect_topology");
  EXPECT_GT(failures, 0);
  ASSERT_NE(t, nullptr);
  EXPECT_GE(t->topology_hdr.local_cntlr_count, 1u);
  rsm_free_interconnect_topology(t);
  EXPECT_EQ(rsm_release_controller(c), RSM_SUCCESS);
}

TEST(CoreErrorPaths, OutOfMemoryTopologySnapshot) {
  // The snapshot itself is one calloc.
#if RSMKIT_TEST_ALLOC_FAILURES
  if (!calloc_failures_work()) GTEST_SKIP() << "not applicable: another allocator is in charge (Valgrind)";
  // shm0 open: topology needs no new controller (nor its thread) meanwhile.
  rsmapi_controller_handle_t c = nullptr;
  ASSERT_EQ(get_controller("shm0", &c), RSM_SUCCESS);
  rsm_topology_t *t = reinterpret_cast<rsm_topology_t *>(uintptr_t{1});
  {
    FailCalloc f;
    EXPECT_EQ(rsm_get_interconnect_topology(&t), RSMERR_INSUFFICIENT_MEM);
  }
  EXPECT_EQ(t, nullptr);
  ASSERT_EQ(rsm_get_interconnect_topology(&t), RSM_SUCCESS);
  EXPECT_NE(t, nullptr);
  rsm_free_interconnect_topology(t);
  EXPECT_EQ(rsm_release_controller(c), RSM_SUCCESS);
#else
  GTEST_SKIP() << "not applicable: a sanitizer runtime owns calloc";
#endif
}

TEST(CoreErrorPaths, OutOfMemorySegmentIdRange) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  std::string path = std::string(std::getenv("RSMKIT_SHM_DIR")) + "/segmentid.conf";
  {
    std::ofstream f(path);
    f << "# test\nreserved app_a 0x8000000 16\n";
  }
  ScopedEnv env("RSMKIT_SEGMENTID_FILE", path);
  rsm_memseg_id_t base = 0;
  uint32_t length = 0;
  int failures = sweep([&] { return rsm_get_segmentid_range("app_a", &base, &length); }, [] {},
                       RSMERR_INSUFFICIENT_MEM, "get_segmentid_range");
  EXPECT_GT(failures, 0);
  EXPECT_EQ(base, 0x8000000u);
  EXPECT_EQ(length, 16u);
  unlink(path.c_str());
}

TEST(CoreErrorPaths, OutOfMemoryWaitPollfd) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  PluginPair p("fault0");
  struct pollfd pfd = {-1, 0, 0};
  ASSERT_EQ(rsm_memseg_get_pollfd(p.imp, &pfd), RSM_SUCCESS);
  ASSERT_EQ(rsm_intr_signal_post(p.exp, 0), RSM_SUCCESS);
  int n = -1;
  int failures = sweep([&] { return rsm_intr_signal_wait_pollfd(&pfd, 1, 0, &n); },
                       [&] { rsm_intr_signal_post(p.exp, 0); }, RSMERR_INSUFFICIENT_MEM,
                       "intr_signal_wait_pollfd");
  EXPECT_GT(failures, 0);
  EXPECT_EQ(n, 1);  // the event was still there for the call that could run
  EXPECT_EQ(rsm_memseg_release_pollfd(p.imp), RSM_SUCCESS);
}

TEST(CoreErrorPaths, OutOfMemoryGetPollfd) {
  SKIP_WITHOUT_ALLOC_FAILURES();
  PluginPair p("fault0");
  struct pollfd pfd = {-1, 0, 0};
  int failures = sweep([&] { return rsm_memseg_get_pollfd(p.imp, &pfd); }, [&] { rsm_memseg_release_pollfd(p.imp); },
                       RSMERR_INSUFFICIENT_MEM,
                       "memseg_get_pollfd");
  EXPECT_GT(failures, 0);
  EXPECT_GE(pfd.fd, 0);
  EXPECT_EQ(rsm_memseg_release_pollfd(p.imp), RSM_SUCCESS);
  // The failed calls counted no reference: nothing holds the segment now.
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&p.bar), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_disconnect(p.imp), RSM_SUCCESS);
  p.imp = nullptr;
}

TEST(CoreErrorPaths, OutOfMemoryOnFirstUseOfEachHandleTable) {
#if !RSMKIT_TEST_ALLOC_FAILURES
  GTEST_SKIP() << "not applicable: a sanitizer runtime owns operator new";
#endif
  // Handles and a barrier tag of the right kinds, from this process.
  Pair p;
  rsmapi_barrier_t bar{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(p.imp, RSM_BARRIER_NODE, &bar), RSM_SUCCESS);
  rsm_localmemory_handle_t lm = nullptr;
  ASSERT_EQ(rsm_create_localmemory_handle(p.ctlr, &lm, p.mem, page()), RSM_SUCCESS);
  auto r = run_fresh_process("first_calls", {"RSMKIT_TEST_CTLR=" + handle_text(p.ctlr),
                                             "RSMKIT_TEST_EXPORT=" + handle_text(p.exp),
                                             "RSMKIT_TEST_IMPORT=" + handle_text(p.imp),
                                             "RSMKIT_TEST_LOCALMEM=" + handle_text(lm),
                                             "RSMKIT_TEST_BARRIER_TAG=" + std::to_string(bar.gnum)});
  EXPECT_EQ(rsm_free_localmemory_handle(p.ctlr, lm), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&bar), RSM_SUCCESS);
  EXPECT_EQ(r["exit"], 0);
  if (r["injection"] != 1) GTEST_SKIP() << "not applicable: another allocator is in charge of the fresh process";
  const std::map<std::string, int> want = {
      {"get_controller_attr", RSMERR_INSUFFICIENT_MEM},
      {"release_controller", RSMERR_INSUFFICIENT_MEM},
      {"free_localmemory_handle", RSMERR_INSUFFICIENT_MEM},
      {"export_destroy", RSMERR_INSUFFICIENT_MEM},
      {"export_rebind", RSMERR_INSUFFICIENT_MEM},
      {"export_unpublish", RSMERR_INSUFFICIENT_MEM},
      {"intr_signal_post", RSMERR_INSUFFICIENT_MEM},
      {"intr_signal_wait", RSMERR_INSUFFICIENT_MEM},
      {"memseg_get_pollfd", RSMERR_INSUFFICIENT_MEM},
      {"memseg_release_pollfd", RSMERR_INSUFFICIENT_MEM},
      {"import_disconnect", RSMERR_INSUFFICIENT_MEM},
      {"import_map", RSMERR_MAP_FAILED},
      {"import_unmap", RSMERR_INSUFFICIENT_MEM},
      {"import_set_mode", RSMERR_INSUFFICIENT_MEM},
      {"import_get_mode", RSMERR_INSUFFICIENT_MEM},
      // Transfers answer an allocation failure with INSUFFICIENT_RESOURCES.
      {"import_get", RSMERR_INSUFFICIENT_RESOURCES},
      {"import_getv", RSMERR_INSUFFICIENT_RESOURCES},
      {"import_open_barrier", RSMERR_INSUFFICIENT_MEM},
      {"import_order_barrier", RSMERR_INSUFFICIENT_MEM},
      {"import_close_barrier", RSMERR_INSUFFICIENT_MEM},
      {"import_destroy_barrier", RSMERR_INSUFFICIENT_MEM},
      {"intr_signal_wait_pollfd", RSMERR_INSUFFICIENT_MEM},
      {"afterwards", RSM_SUCCESS},
  };
  for (const auto &[name, code] : want) {
    auto it = r.find(name);
    if (it == r.end()) {
      ADD_FAILURE() << name << ": no result from the fresh process";
      continue;
    }
    EXPECT_EQ(it->second, code) << name;
  }
}

}  // namespace
