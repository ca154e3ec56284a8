// rsmkit conformance: running part of a test in a fork()ed child. A call
// that may crash or hang, that needs a process of its own (resource limits,
// another user id, a handle inherited across fork), runs there; the test
// process survives to say what became of it.
#ifndef RSMC_CHILD_H
#define RSMC_CHILD_H

#include <functional>
#include <ostream>
#include <string>

namespace rsmc {

// What became of a child: its answer, or why there is none. Each way of
// failing is told apart, so a failure message says crash, hang or exit.
struct ChildOutcome {
  enum class Kind { answered, threw, signalled, exited, timed_out, not_started };
  Kind kind = Kind::not_started;
  int value = 0;        // answered: what fn returned
  int signal = 0;       // signalled: the signal that killed it
  int exit_status = 0;  // exited: its status (it ended without answering)
  int timeout_ms = 0;   // the limit it had, after --timeout-scale
  std::string error;    // not_started: why

  bool answered() const { return kind == Kind::answered; }
  // "was killed by SIGSEGV (Segmentation fault)", "did not answer within ..."
  std::string describe() const;
};
std::ostream &operator<<(std::ostream &os, const ChildOutcome &o);

// Runs fn() in a fork()ed child and returns its answer (any int), or what
// else became of the child: killed by a signal, ended without answering, let
// a C++ exception escape, or did not answer within timeout_ms (scaled by
// --timeout-scale; it is then killed with SIGKILL). Never waits unbounded.
ChildOutcome run_in_child(const std::function<int()> &fn, int timeout_ms = 10000);

}  // namespace rsmc

#endif  // RSMC_CHILD_H
