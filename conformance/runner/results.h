// rsmkit conformance runner: result codes and what a run records.
#ifndef RSMC_RUNNER_RESULTS_H
#define RSMC_RUNNER_RESULTS_H

#include <cstdint>
#include <string>
#include <vector>

namespace rsmc {

enum class Result {
  pass,             // ran and passed
  fail,             // a check failed (includes a skip without "not applicable:")
  crash,            // the test process died by a signal or exited mid-test
  timeout,          // killed after its time limit
  not_applicable,   // GTEST_SKIP() << "not applicable: ..." (a capability it lacks)
  unresolved,       // could not run (process did not start, test not found)
  flaky,            // failed and passed across attempts (--retry / --repeat)
  expected_fail,    // failed, and the baseline lists it
  unexpected_pass,  // passed, but the baseline still lists it
};

// "pass", "not-applicable", ... (reports); "PASS", "N/A", ... (console).
const char *result_name(Result r);
const char *result_label(Result r);
// Whether the result fails the run. flaky fails unless --allow-flaky.
bool is_failure(Result r, bool allow_flaky);

// One execution of a test in its own process.
struct Attempt {
  Result result = Result::unresolved;
  double seconds = 0;
  std::string message;  // failure text, skip reason, or how the process ended
  std::string output;   // the tail of what the process wrote (stdout + stderr)
  bool finished = false;              // the test body ran to its end
  std::vector<std::string> recorded;  // assertion ids the test passed to covers()
};

// A test of the run, with its verdict once done.
struct TestRecord {
  std::string name;                      // "Suite.Name"
  std::vector<std::string> catalog_ids;  // catalog rows that name this test
  std::vector<Attempt> attempts;
  bool done = false;
  Result result = Result::unresolved;
  std::string message;                 // why (first failure, skip reason, ...)
  std::vector<std::string> recorded;   // union over finished attempts
  std::vector<std::string> uncovered;  // catalog ids the test never covered
  std::string baseline_entry;          // "file:line: reason" when listed
  double seconds = 0;                  // all attempts
  std::string rerun;                   // command that reruns just this test
};

// Status of one catalog assertion or one matrix cell.
enum class Verdict {
  pass,
  fail,
  flaky,
  expected_fail,
  not_applicable,
  not_provokable,  // documented, no portable way to provoke it (test "-")
  not_run,         // its test was filtered out, sharded away or interrupted
  uncatalogued,    // a documented pair without any catalog row
};
const char *verdict_name(Verdict v);

}  // namespace rsmc

#endif  // RSMC_RUNNER_RESULTS_H
