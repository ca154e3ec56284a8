// rsmkit conformance runner: tests that misbehave on purpose -- crash, hang,
// flake -- so the runner's self-test (selftest.sh) can prove isolation,
// timeouts, retries and the baseline. The runner leaves suite RunnerSelfTest
// out unless given the hidden --selftest flag, and each test is inert
// (not applicable) without RSMC_SELFTEST_DIR, the scratch directory the
// self-test provides.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "framework/suite.h"

namespace rsmc {
namespace {

class RunnerSelfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char *d = std::getenv("RSMC_SELFTEST_DIR");
    if (!d || !*d) GTEST_SKIP() << "not applicable: runner self-test only (RSMC_SELFTEST_DIR unset)";
    dir_ = d;
  }
  std::string dir_;
};

TEST_F(RunnerSelfTest, Passes) { covers("selftest.passes"); }

TEST_F(RunnerSelfTest, Fails) { ADD_FAILURE() << "deliberate failure"; }

TEST_F(RunnerSelfTest, Crashes) {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);  // no core file
  signal(SIGSEGV, SIG_DFL);       // a sanitizer's handler would turn it into exit(1)
  raise(SIGSEGV);
}

TEST_F(RunnerSelfTest, ExitsMidTest) { std::_Exit(3); }

// Hangs, and leaves a grandchild in a process group of its own, as a peer
// does; the runner must kill both. The grandchild's pid goes to hang.pid.
TEST_F(RunnerSelfTest, Hangs) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    for (;;) pause();
  }
  std::ofstream(dir_ + "/hang.pid") << pid << "\n";
  for (;;) pause();
}

// Fails on its first attempt in a scratch directory, passes afterwards.
TEST_F(RunnerSelfTest, FlakyFirstAttempt) {
  std::string marker = dir_ + "/flaky.marker";
  if (access(marker.c_str(), F_OK) != 0) {
    std::ofstream(marker) << "attempt 1 failed\n";
    FAIL() << "deliberate first-attempt failure";
  }
}

TEST_F(RunnerSelfTest, NotApplicable) { GTEST_SKIP() << "not applicable: deliberately"; }

TEST_F(RunnerSelfTest, SkipWithoutReason) { GTEST_SKIP() << "skipping without the required prefix"; }

// Listed in the self-test baseline by assertion id.
TEST_F(RunnerSelfTest, KnownFailure) {
  covers("selftest.known_failure");
  ADD_FAILURE() << "deliberate known failure";
}

// Listed in the self-test baseline by name, but passes.
TEST_F(RunnerSelfTest, KnownFixed) {}

// The selftest catalog gives it "selftest.forgotten", which it never covers.
TEST_F(RunnerSelfTest, ForgetsCovers) {}

// Sleeps RSMC_SELFTEST_SLOW_S seconds (default 20): the run is still going
// when the self-test kills the runner. Its pid goes to slow.pid.
TEST_F(RunnerSelfTest, Slow) {
  std::ofstream(dir_ + "/slow.pid") << getpid() << "\n";
  const char *s = std::getenv("RSMC_SELFTEST_SLOW_S");
  sleep(static_cast<unsigned>(s ? std::atoi(s) : 20));
}

}  // namespace
}  // namespace rsmc
