// rsmkit conformance: run_in_child.
#include "framework/child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "framework/suite.h"

namespace rsmc {
namespace {

using Clock = std::chrono::steady_clock;

// What the child writes to the pipe: one record, so that a child that dies
// half-way through writing is not mistaken for one that answered.
struct Answer {
  int threw;
  int value;
};

int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for pid until the deadline; false (not reaped) when it is still
// running. *status is -1 when there was nothing to reap (SIGCHLD ignored).
bool reap_before(pid_t pid, Clock::time_point deadline, int *status) {
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) {
      *status = -1;
      return true;
    }
    if (ms_left(deadline) == 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // bounded poll of the exiting child
  }
}

void kill_and_reap(pid_t pid, int *status) {
  kill(pid, SIGKILL);
  while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::string ChildOutcome::describe() const {
  switch (kind) {
    case Kind::answered:
      return "answered " + std::to_string(value);
    case Kind::threw:
      return "let a C++ exception escape";
    case Kind::signalled: {
      const char *abbrev = sigabbrev_np(signal);
      return std::string("was killed by ") + (abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal)) +
             " (" + strsignal(signal) + ")";
    }
    case Kind::exited:
      return "exited with status " + std::to_string(exit_status) + " without answering";
    case Kind::timed_out:
      return "did not answer within " + std::to_string(timeout_ms) + " ms and was killed";
    case Kind::not_started:
      return "could not be started: " + error;
  }
  return "?";
}

std::ostream &operator<<(std::ostream &os, const ChildOutcome &o) { return os << o.describe(); }

ChildOutcome run_in_child(const std::function<int()> &fn, int timeout_ms) {
  ChildOutcome o;
  o.timeout_ms = scaled_ms(timeout_ms);
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    o.error = std::string("pipe: ") + std::strerror(errno);
    return o;
  }
  std::fflush(nullptr);  // what stdio holds must not be written twice
  pid_t pid = fork();
  if (pid < 0) {
    o.error = std::string("fork: ") + std::strerror(errno);
    close(p[0]);
    close(p[1]);
    return o;
  }
  if (pid == 0) {
    close(p[0]);
    Answer a{1, 0};
    try {
      a.value = fn();
      a.threw = 0;
    } catch (...) {  // an exception escaped the C API: reported, not a crash
    }
    ssize_t n = write(p[1], &a, sizeof a);
    _exit(n == static_cast<ssize_t>(sizeof a) ? 0 : 1);
  }
  close(p[1]);
  const auto deadline = Clock::now() + std::chrono::milliseconds(o.timeout_ms);
  Answer a{};
  size_t got = 0;
  bool eof = false;
  while (got < sizeof a && !eof) {
    struct pollfd pf = {p[0], POLLIN, 0};
    int r = poll(&pf, 1, ms_left(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // the limit passed
    ssize_t n = read(p[0], reinterpret_cast<char *>(&a) + got, sizeof a - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
    } else {
      got += static_cast<size_t>(n);
    }
  }
  close(p[0]);
  const bool answered = got == sizeof a;
  int status = 0;
  // A child that answered or closed the pipe is exiting; one that does not
  // exit within the limit is killed like one that never answered.
  bool reaped = (answered || eof) && reap_before(pid, deadline, &status);
  if (!reaped) kill_and_reap(pid, &status);
  if (answered) {
    o.kind = a.threw ? ChildOutcome::Kind::threw : ChildOutcome::Kind::answered;
    o.value = a.value;
  } else if (!reaped) {
    o.kind = ChildOutcome::Kind::timed_out;
  } else if (status != -1 && WIFSIGNALED(status)) {
    o.kind = ChildOutcome::Kind::signalled;
    o.signal = WTERMSIG(status);
  } else {
    o.kind = ChildOutcome::Kind::exited;
    o.exit_status = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return o;
}

}  // namespace rsmc
