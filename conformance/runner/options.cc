// rsmkit conformance runner: command-line parsing and --help.
#include "runner/options.h"

#include <sys/random.h>

#include <cerrno>
#include <cmath>
#include <ctime>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace rsmc {

std::string usage_text() {
  return R"(usage: rsm-conformance [options]

Runs the RSM API conformance suite against a librsm. Every test runs in its
own process with a time limit; a crash or hang fails that test only.

Implementation under test:
  --impl PATH            the librsm to test (dlopen'ed; default: the reference
                         librsm.so.2 built with or installed beside this binary).
                         Functions it lacks fail the tests that call them.
  --controller NAME      controller to test (default: the first one the
                         implementation's topology reports)
  --peer-cmd TEMPLATE    how to start a peer process on the other node; "{}" is
                         replaced by the peer command, e.g.
                         "ip netns exec hostB {}" or "env RSMKIT_NODE_ID=2 {}"
                         (default "{}": same node, same environment)

Selection and order:
  --list                 print the selected tests, one per line, and exit
  --filter PATTERNS      GoogleTest-style: "POS1:POS2-NEG1:NEG2", '*' and '?'
                         globs over "Suite.Name" (default: every test)
  --shard I/N            run shard I (1-based) of N: a deterministic round-robin
                         split of the sorted test list
  --shuffle              run in an order drawn from --seed
  --seed N|random        seed for data patterns and --shuffle, passed to every
                         test (default 1; "random" draws one and prints it)

Execution:
  -j, --jobs N           tests run in parallel (default: number of CPUs)
  --timeout SECONDS      time limit per test process (default 60), multiplied
                         by --timeout-scale; on expiry the test's process
                         group and session (its peers) are killed
  --timeout-scale X      multiply every time limit, the runner's and the
                         tests' own (default 1; e.g. 3 for a slow fabric)
  --repeat N             run every test N times (default 1)
  --retry N              rerun a failing test up to N more times (default 0);
                         a test that fails and then passes is FLAKY
  --allow-flaky          FLAKY does not fail the run (default: it does)
  --baseline FILE        known deviations: listed tests that fail are
                         EXPECTED-FAIL, listed tests that pass are
                         UNEXPECTED-PASS (a failure); see docs/conformance.md

Reports (written after every finished test, atomically; "complete" only at
the end, so a killed run leaves valid files marked incomplete):
  --junit FILE           JUnit XML
  --json FILE            JSON: every test, every catalog assertion, the matrix
  --matrix-md FILE       conformance matrix (function x error), Markdown
  --matrix-html FILE     conformance matrix, HTML
  -v, --verbose          print the full output of failing tests
  -q, --quiet            print only failures and the summary

  -h, --help             this text
  --version              print the version

Results: PASS, FAIL, CRASH, TIMEOUT, N/A (not applicable: the test skipped
with a reason starting "not applicable:"; any other skip is a FAIL),
UNRESOLVED (could not run), FLAKY, XFAIL (expected-fail), XPASS
(unexpected-pass). Every failure prints a command that reruns just that test.

Exit status: 0 no failures; 1 failures (FAIL, CRASH, TIMEOUT, UNRESOLVED,
XPASS, FLAKY without --allow-flaky) or an interrupted run; 2 usage error.

Environment passed to each test process: RSMC_CONTROLLER, RSMC_PEER_CMD,
RSMC_TIMEOUT_SCALE, RSMC_SEED. Other roles of this binary: --child (one test,
GoogleTest flags accepted) and --peer (the peer helper).
)";
}

namespace {

bool parse_int(const std::string &s, long min, long max, long *out) {
  if (s.empty()) return false;
  char *end = nullptr;
  errno = 0;
  long v = std::strtol(s.c_str(), &end, 10);
  if (errno || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

bool parse_double(const std::string &s, double min, double max, double *out) {
  if (s.empty()) return false;
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (errno || *end || !std::isfinite(v) || v < min || v > max) return false;
  *out = v;
  return true;
}

uint64_t random_seed() {
  uint64_t v = 0;
  if (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) v = static_cast<uint64_t>(time(nullptr));
  return v % 1000000000ull + 1;  // short enough to retype
}

}  // namespace

bool parse_options(int argc, char **argv, Options *o, std::string *error) {
  // Options that take a value; "--opt value" and "--opt=value" both work.
  static const char *const kWithValue[] = {
      "--impl", "--controller", "--peer-cmd", "--timeout-scale", "--timeout", "--seed", "--jobs",
      "-j", "--filter", "--shard", "--repeat", "--retry", "--baseline", "--junit", "--json",
      "--matrix-md", "--matrix-html"};
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i], value;
    bool takes_value = false;
    for (const char *w : kWithValue) {
      size_t n = std::strlen(w);
      if (arg == w) {
        if (i + 1 >= argc) {
          *error = arg + " needs a value";
          return false;
        }
        value = argv[++i];
        takes_value = true;
      } else if (arg.compare(0, n, w) == 0 && arg.size() > n && arg[n] == '=') {
        value = arg.substr(n + 1);
        arg = w;
        takes_value = true;
      } else if (std::strcmp(w, "-j") == 0 && arg.size() > 2 && arg.compare(0, 2, "-j") == 0 &&
                 arg[2] >= '0' && arg[2] <= '9') {
        value = arg.substr(2);  // -j4
        arg = "-j";
        takes_value = true;
      }
      if (takes_value) break;
    }
    long n = 0;
    auto bad = [&](const char *what) {
      *error = "invalid value for " + arg + ": \"" + value + "\" (" + what + ")";
      return false;
    };
    if (takes_value) {
      if (arg == "--impl") {
        if (value.empty()) return bad("a path");
        o->impl = value;
      } else if (arg == "--controller") {
        o->controller = value;
      } else if (arg == "--peer-cmd") {
        if (value.empty()) return bad("a command template such as \"ip netns exec hostB {}\"");
        o->peer_cmd = value;
      } else if (arg == "--timeout-scale") {
        if (!parse_double(value, 0.1, 1000, &o->timeout_scale)) return bad("a number from 0.1 to 1000");
      } else if (arg == "--timeout") {
        if (!parse_double(value, 0.1, 86400, &o->timeout_s)) return bad("seconds, 0.1 to 86400");
      } else if (arg == "--seed") {
        if (value == "random") {
          o->seed = random_seed();
        } else {
          char *end = nullptr;
          errno = 0;
          unsigned long long v = std::strtoull(value.c_str(), &end, 10);
          if (value.empty() || value[0] == '-' || errno || *end) return bad("a non-negative integer or \"random\"");
          o->seed = v;
        }
      } else if (arg == "--jobs" || arg == "-j") {
        if (!parse_int(value, 1, 1024, &n)) return bad("an integer from 1 to 1024");
        o->jobs = static_cast<int>(n);
      } else if (arg == "--filter") {
        o->filter = value;
      } else if (arg == "--shard") {
        size_t slash = value.find('/');
        long idx = 0, cnt = 0;
        if (slash == std::string::npos || !parse_int(value.substr(0, slash), 1, 100000, &idx) ||
            !parse_int(value.substr(slash + 1), 1, 100000, &cnt) || idx > cnt)
          return bad("I/N with 1 <= I <= N, e.g. 2/4");
        o->shard_index = static_cast<int>(idx);
        o->shard_count = static_cast<int>(cnt);
      } else if (arg == "--repeat") {
        if (!parse_int(value, 1, 10000, &n)) return bad("an integer from 1 to 10000");
        o->repeat = static_cast<int>(n);
      } else if (arg == "--retry") {
        if (!parse_int(value, 0, 100, &n)) return bad("an integer from 0 to 100");
        o->retry = static_cast<int>(n);
      } else if (arg == "--baseline") {
        if (value.empty()) return bad("a file");
        o->baseline = value;
      } else if (value.empty()) {
        return bad("a file");
      } else if (arg == "--junit") {
        o->junit = value;
      } else if (arg == "--json") {
        o->json = value;
      } else if (arg == "--matrix-md") {
        o->matrix_md = value;
      } else if (arg == "--matrix-html") {
        o->matrix_html = value;
      }
      continue;
    }
    if (arg == "--list") o->list = true;
    else if (arg == "--shuffle") o->shuffle = true;
    else if (arg == "--allow-flaky") o->allow_flaky = true;
    else if (arg == "-v" || arg == "--verbose") o->verbose = true;
    else if (arg == "-q" || arg == "--quiet") o->quiet = true;
    else if (arg == "--selftest") o->selftest = true;
    else if (arg == "--keep-temp") o->keep_temp = true;
    else if (arg == "-h" || arg == "--help") o->help = true;
    else if (arg == "--version") o->version = true;
    else {
      *error = "unknown option \"" + arg + "\"";
      for (const char *w : kWithValue)
        if (arg.rfind(std::string(w) + "=", 0) == 0) *error = "bad option \"" + arg + "\"";
      return false;
    }
  }
  if (o->verbose && o->quiet) {
    *error = "--verbose and --quiet exclude each other";
    return false;
  }
  return true;
}

}  // namespace rsmc
