// rsmkit conformance: the property-test harness (harness.h).
#include "property/harness.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sstream>

#include "framework/impl_loader.h"
#include "framework/suite.h"

namespace rsmc::prop {

namespace {

struct Failure {
  bool seen = false;
  std::string message;
  CProgram program;
};

struct RunState {
  CProgram program;
  Failure last;  // the last failing case: after shrinking, the minimal one
  bool shrinking = false;
  std::chrono::steady_clock::time_point shrink_deadline;
  int shrink_runs = 0;  // cases run after the first failure
};

RunState &state() {
  static RunState s;
  return s;
}

std::string shell_quote(const std::string &s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || std::strchr("/._-+=:,@%", c))) plain = false;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "rsm-conformance";
}

std::string current_test() {
  const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info ? std::string(info->test_suite_name()) + "." + info->name() : "Property*";
}

// Shrinking re-runs the property many times; past this budget the remaining
// candidates pass without running, so the report comes within the runner's
// time limit (the case found so far is reported).
constexpr int kShrinkBudgetMs = 20000;

}  // namespace

int case_count(int default_cases) {
  if (const char *v = std::getenv("RSMC_PROPERTY_CASES"); v && *v) return std::max(1, std::atoi(v));
  const char *rc = std::getenv("RC_PARAMS");
  if (rc && std::strstr(rc, "max_success")) return std::max(1, rc::detail::configuration().testParams.maxSuccess);
  return default_cases;
}

std::string replay_command() {
  std::string cmd;
  if (const char *v = std::getenv("RSMC_PROPERTY_CASES"); v && *v)
    cmd += std::string("RSMC_PROPERTY_CASES=") + shell_quote(v) + " ";
  cmd += shell_quote(self_exe()) + " --impl " + shell_quote(impl_path());
  if (!config().controller.empty()) cmd += " --controller " + shell_quote(config().controller);
  if (config().peer_cmd != "{}") cmd += " --peer-cmd " + shell_quote(config().peer_cmd);
  return cmd + " --filter '" + current_test() + "' --seed " + std::to_string(config().seed);
}

std::string rc_text(int rc) { return std::string(rc_name(rc)) + " (" + std::to_string(rc) + ")"; }

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string octal(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0%llo", static_cast<unsigned long long>(v));
  return b;
}

// ---- CProgram ---------------------------------------------------------------

void CProgram::reset(const std::string &controller) {
  controller_ = controller;
  decls_.clear();
  body_.clear();
  names_.clear();
}

void CProgram::declare(const std::string &type, const std::string &name, const std::string &init) {
  if (!names_.insert(name).second) return;
  std::string sep = type.back() == '*' ? "" : " ";
  decls_.push_back("  " + type + sep + name + (init.empty() ? "" : " = " + init) + ";");
}

void CProgram::stmt(const std::string &code, const std::string &comment) {
  body_.push_back("  " + code + (comment.empty() ? "" : "  /* " + comment + " */"));
}

void CProgram::call(const std::string &code, int rc, const std::string &comment) {
  stmt("rc = " + code + ";", "returned " + rc_text(rc) + (comment.empty() ? "" : "; " + comment));
}

void CProgram::comment(const std::string &text) { body_.push_back("  /* " + text + " */"); }

std::string CProgram::render(const std::string &header) const {
  std::ostringstream o;
  o << "/*\n";
  std::istringstream h(header);
  for (std::string line; std::getline(h, line);) {
    // A "*/" in a message must not end the comment.
    for (size_t p; (p = line.find("*/")) != std::string::npos;) line.replace(p, 2, "* /");
    o << " * " << line << "\n";
  }
  o << " */\n"
       "#define _DEFAULT_SOURCE /* MAP_ANONYMOUS under -std=c99 */\n"
       "#include <rsmapi.h>\n"
       "#include <stddef.h>\n"
       "#include <stdint.h>\n"
       "#include <string.h>\n"
       "#include <sys/mman.h>\n"
       "\n"
       "/* The suite's data pattern: byte `off` of a buffer filled with `seed`. */\n"
       "static inline uint8_t pattern_byte(uint64_t seed, uint64_t off) {\n"
       "  uint64_t z = seed * 0x9E3779B97F4A7C15ull + off + 1;\n"
       "  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;\n"
       "  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;\n"
       "  return (uint8_t)(z ^ (z >> 31));\n"
       "}\n"
       "static inline void fill_pattern(void *buf, size_t len, uint64_t seed, uint64_t base) {\n"
       "  for (size_t i = 0; i < len; i++) ((volatile uint8_t *)buf)[i] = pattern_byte(seed, base + i);\n"
       "}\n"
       "\n"
       "int main(void) {\n"
       "  rsmapi_controller_handle_t ctlr = NULL;\n"
       "  char ctlr_name[] = \""
    << controller_
    << "\";\n"
       "  int rc;\n";
  for (const auto &d : decls_) o << d << "\n";
  o << "\n  rc = rsm_get_controller(ctlr_name, &ctlr);\n";
  for (const auto &b : body_) o << b << "\n";
  o << "  (void)rc;\n  return 0;\n}\n";
  return o.str();
}

CProgram &program() { return state().program; }

// ---- failures -------------------------------------------------------------

void fail(const std::string &msg) {
  RunState &s = state();
  s.last.seen = true;
  s.last.message = msg;
  s.last.program = s.program;
  if (!s.shrinking) {
    s.shrinking = true;
    s.shrink_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(scaled_ms(kShrinkBudgetMs));
  }
  RC_FAIL(msg);
}

void expect_rc(const std::string &call, int rc, const RcSet &allowed, const std::string &why) {
  if (allowed.has(rc)) return;
  fail(call + " returned " + rc_text(rc) + "; allowed: " + allowed.str() + (why.empty() ? "" : " (" + why + ")"));
}

void run_property(const std::string &controller, int default_cases, const std::function<void()> &body) {
  RunState &s = state();
  s = RunState{};
  rc::detail::TestMetadata meta;
  meta.id = current_test();
  meta.description = meta.id;
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = case_count(default_cases);
  auto result = rc::detail::checkTestable(
      [&] {
        if (s.shrinking && std::chrono::steady_clock::now() > s.shrink_deadline) return;
        if (s.shrinking) s.shrink_runs++;
        s.program.reset(controller);
        try {
          body();
        } catch (const rc::GenerationFailure &) {
          throw;  // RapidCheck's own: the case is discarded, not failed
        } catch (const std::exception &e) {
          fail(std::string("exception: ") + e.what());
        }
      },
      meta, params);
  if (result.is<rc::detail::SuccessResult>()) return;

  std::ostringstream msg;
  int passed = 0;
  std::string what;
  if (result.is<rc::detail::FailureResult>()) {
    const auto &f = result.get<rc::detail::FailureResult>();
    passed = f.numSuccess;
    what = s.last.seen ? s.last.message : f.description;
  } else if (result.is<rc::detail::GaveUpResult>()) {
    what = "gave up: " + result.get<rc::detail::GaveUpResult>().description;
  } else {
    what = "RapidCheck error: " + result.get<rc::detail::Error>().description;
  }
  std::string replay = replay_command();
  // First lines are what the runner's console shows: the shrunk failure and
  // how to replay it.
  msg << meta.id << " falsified (seed " << config().seed << ", after " << passed << " passing case(s) of "
      << params.maxSuccess << "; shrunk in " << s.shrink_runs << " runs): " << what << "\n";
  msg << "replay: " << replay << "\n";
  if (s.last.seen) {
    std::string header = "Shrunk counter-example of " + meta.id + " (rsmkit rsm-conformance), seed " +
                         std::to_string(config().seed) + ".\nFailure: " + what +
                         "\nImplementation: " + impl_path() + "\nReplay: " + replay +
                         "\nBuild: cc repro.c -I<rsmkit>/include -L<libdir> -lrsm";
    msg << "----- shrunk counter-example as a C program (repro.c) -----\n"
        << s.last.program.render(header) << "----- end of repro.c -----\n";
  }
  ADD_FAILURE() << msg.str();
}

}  // namespace rsmc::prop
