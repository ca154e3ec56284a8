// rsmkit conformance: the property-test harness (RapidCheck inside a
// GoogleTest test). Each property case records the calls it makes as a C
// program against <rsmapi.h>; when a property fails, RapidCheck shrinks the
// case and the test reports the last (smallest) failing case as that
// program, with the seed and a command that replays it.
//
// Seeds: RapidCheck's seed is the run's --seed (RSMC_SEED; main.cc puts it in
// RC_PARAMS unless the user set RC_PARAMS). Case counts: RSMC_PROPERTY_CASES,
// else max_success of a user-set RC_PARAMS, else the property's default.
#ifndef RSMC_PROPERTY_HARNESS_H
#define RSMC_PROPERTY_HARNESS_H

#include <rsmapi.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "framework/rc_set.h"

namespace rsmc::prop {

// Cases each property runs (see above); at least 1.
int case_count(int default_cases);

// The command that replays the current test with this run's settings.
std::string replay_command();

// "RSMERR_BAD_OFFSET (18)".
std::string rc_text(int rc);
std::string hex(uint64_t v);
std::string octal(uint64_t v);

// The calls of one property case, as a C program.
class CProgram {
 public:
  void reset(const std::string &controller);
  // Declares `type name = init;` at the top of main (once per name).
  void declare(const std::string &type, const std::string &name, const std::string &init = "");
  // A statement, with an optional comment.
  void stmt(const std::string &code, const std::string &comment = "");
  // `rc = code;` with a comment naming what it returned.
  void call(const std::string &code, int rc, const std::string &comment = "");
  void comment(const std::string &text);
  // A step another process (the peer) made, as a comment.
  void remote(const std::string &text) { comment("[peer process] " + text); }
  // The whole program; `header` becomes its leading comment.
  std::string render(const std::string &header) const;
  bool empty() const { return body_.empty(); }

 private:
  std::string controller_;
  std::vector<std::string> decls_, body_;
  std::set<std::string> names_;
};

// The program of the case being run.
CProgram &program();

// Fails the current case: keeps the message and the program for the report
// and throws RapidCheck's failure (so the case is shrunk).
[[noreturn]] void fail(const std::string &msg);

// Fails unless rc is in `allowed`. `call` is the C text of the call; the
// program already holds it (record the call before checking).
void expect_rc(const std::string &call, int rc, const RcSet &allowed, const std::string &why = "");

// Runs `body` as a RapidCheck property for the current GoogleTest test;
// a failure becomes one test failure with the shrunk C program.
void run_property(const std::string &controller, int default_cases, const std::function<void()> &body);

}  // namespace rsmc::prop

#endif  // RSMC_PROPERTY_HARNESS_H
