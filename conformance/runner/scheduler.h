// rsmkit conformance runner: runs tests, each in its own process, in parallel,
// with a time limit, repeats and retries.
//
// Each attempt is `rsm-conformance --child --impl P --gtest_filter=S.N` in a
// new session (setsid), so the test and the peers it starts -- even those in
// process groups of their own -- can be found and killed together: on timeout,
// and after every exit so no peer outlives its test. The runner is a child
// subreaper, so orphaned peers are reaped here, and each test process dies
// with the runner (PR_SET_PDEATHSIG) if the runner is killed.
#ifndef RSMC_RUNNER_SCHEDULER_H
#define RSMC_RUNNER_SCHEDULER_H

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "runner/results.h"

namespace rsmc {

struct SchedulerConfig {
  std::string self_exe;                 // this binary
  std::vector<std::string> child_args;  // after "--child": "--impl", P, ...
  std::vector<std::string> child_env;   // "NAME=value" added to each child's environment
  double timeout_s = 60;                // per attempt, already scaled
  std::string timeout_text;             // how the limit came about, for messages
  int jobs = 1;
  int repeat = 1;
  int retry = 0;
  std::string temp_dir;  // per-attempt report and output files
  bool keep_temp = false;
  bool full_output = false;  // keep all output of failing attempts, not a tail
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerConfig cfg);
  // Runs tests[order[0]], tests[order[1]], ... filling in their attempts and
  // calling on_done(index) when a test needs no further attempt, and
  // on_idle() each time the free job slots are filled, before waiting: slow
  // work (rewriting reports) belongs there, where it overlaps running tests.
  // Returns false when SIGINT/SIGTERM/SIGHUP stopped the run (running tests
  // are killed and stay not done).
  bool run(std::vector<TestRecord> *tests, const std::vector<size_t> &order,
           const std::function<void(size_t)> &on_done, const std::function<void()> &on_idle);
  int stop_signal() const { return stop_signal_; }

 private:
  struct Running {
    pid_t pid;
    size_t test;
    int attempt;
    double start;     // monotonic seconds
    bool timed_out;
    std::string report, output;
  };
  bool start(size_t test, int attempt, const std::string &name);
  Attempt finish(const Running &r, int wait_status);
  bool needs_another_attempt(const TestRecord &t) const;

  SchedulerConfig cfg_;
  std::vector<Running> running_;
  int stop_signal_ = 0;
};

// Kills every process of session `sid` (SIGKILL), repeating until none is
// left; returns how many were signalled.
int kill_session(pid_t sid);
// Seconds on the monotonic clock.
double monotonic_seconds();
// "SIGSEGV" for SIGSEGV.
std::string signal_name(int sig);

}  // namespace rsmc

#endif  // RSMC_RUNNER_SCHEDULER_H
