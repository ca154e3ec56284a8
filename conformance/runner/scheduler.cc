// rsmkit conformance runner: process isolation and scheduling.
#include "runner/scheduler.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>

#include "runner/child_report.h"
#include "runner/json.h"

extern char **environ;

namespace rsmc {

double monotonic_seconds() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string signal_name(int sig) {
  const char *abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

namespace {

// Session id of process `pid` from /proc/PID/stat, or -1; -1 also for a
// zombie, which a signal cannot end (it waits to be reaped).
pid_t session_of(const char *pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  // "pid (comm) state ppid pgrp session ...": comm may hold spaces and ')'.
  const char *p = std::strrchr(buf, ')');
  if (!p) return -1;
  int ppid, pgrp, session;
  char state;
  if (std::sscanf(p + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) != 4) return -1;
  return state == 'Z' ? -1 : session;
}

std::string read_file(const std::string &path, size_t max_tail) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(in.tellg());
  size_t from = size > max_tail ? size - max_tail : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string s(size - from, '\0');
  in.read(&s[0], static_cast<std::streamsize>(s.size()));
  if (from > 0) s = "[... " + std::to_string(from) + " bytes cut ...]\n" + s.substr(s.find('\n') + 1);
  return s;
}

std::string trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

bool good(Result r) { return r == Result::pass || r == Result::not_applicable; }

}  // namespace

int kill_session(pid_t sid) {
  int total = 0;
  for (int round = 0; round < 50; round++) {
    int found = 0;
    if (DIR *d = opendir("/proc")) {
      while (struct dirent *e = readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid == getpid() || session_of(e->d_name) != sid) continue;
        if (kill(pid, SIGKILL) == 0) found++;
      }
      closedir(d);
    }
    total += found;
    if (found == 0) break;
    // A process may fork between the scan and the kill: scan again.
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, nullptr);
  }
  return total;
}

Scheduler::Scheduler(SchedulerConfig cfg) : cfg_(std::move(cfg)) {}

bool Scheduler::needs_another_attempt(const TestRecord &t) const {
  int n = static_cast<int>(t.attempts.size());
  if (n < cfg_.repeat) return true;
  bool any_good = false, any_bad = false;
  for (const auto &a : t.attempts) (good(a.result) ? any_good : any_bad) = true;
  // Retry only while nothing has passed yet: one pass settles it (FLAKY).
  return any_bad && !any_good && n < cfg_.repeat + cfg_.retry;
}

bool Scheduler::start(size_t test, int attempt, const std::string &name) {
  std::string base = cfg_.temp_dir + "/" + std::to_string(test) + "." + std::to_string(attempt);
  Running r{-1, test, attempt, monotonic_seconds(), false, base + ".report.json", base + ".out"};

  // Everything the child needs is built before fork(): after it, only
  // async-signal-safe calls (the implementation may have started threads).
  std::vector<std::string> args = {cfg_.self_exe, "--child"};
  args.insert(args.end(), cfg_.child_args.begin(), cfg_.child_args.end());
  args.push_back("--gtest_filter=" + name);
  args.push_back("--gtest_color=no");
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = cfg_.child_env;
  env_strings.push_back(std::string(kChildReportEnv) + "=" + r.report);
  std::vector<char *> envp;
  for (char **e = environ; *e; e++) {
    bool overridden = false;
    for (const auto &s : env_strings)
      if (std::strncmp(*e, s.c_str(), s.find('=') + 1) == 0) overridden = true;
    if (!overridden) envp.push_back(*e);
  }
  for (auto &s : env_strings) envp.push_back(&s[0]);
  envp.push_back(nullptr);
  sigset_t none;
  sigemptyset(&none);
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setsid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the runner died before prctl
    int out = open(r.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execve(argv[0], argv.data(), envp.data());
    const char msg[] = "rsm-conformance: cannot execute the test process\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
  }
  r.pid = pid;
  running_.push_back(r);
  return true;
}

Attempt Scheduler::finish(const Running &r, int status) {
  Attempt a;
  a.seconds = monotonic_seconds() - r.start;
  json::Value rep;
  std::string perr, test_status;
  std::ifstream in(r.report);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    if (json::parse(ss.str(), &rep, &perr)) test_status = rep.str("status");
  }
  bool ended = test_status == "passed" || test_status == "failed" || test_status == "skipped";
  a.finished = ended;
  std::string failures;
  if (ended) {
    if (const json::Value *f = rep.get("failures"))
      for (const auto &v : f->a) failures += (failures.empty() ? "" : "\n") + trim(v.s);
    std::string ids = rep.str("assertions"), cur;
    for (char c : ids + ",") {
      if (c == ',') {
        if (!trim(cur).empty()) a.recorded.push_back(trim(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
  }
  std::string skip = trim(rep.str("skip"));
  std::string stage = ended ? "after the test ended (" + test_status + ")" : "during the test";

  if (r.timed_out) {
    a.result = Result::timeout;
    a.message = "did not finish within " + cfg_.timeout_text + "; killed (" + stage +
                ") with its process group and session";
  } else if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    a.result = Result::crash;
    a.message = "the test process was killed by " + signal_name(sig) + " (" + strsignal(sig) +
                ") " + stage;
    if (!failures.empty()) a.message += "\n" + failures;
  } else {
    int code = WEXITSTATUS(status);
    std::string exit_text = "the test process exited with status " + std::to_string(code);
    if (test_status.empty()) {
      a.result = Result::unresolved;
      a.message = code == 127 ? "could not start the test process"
                              : exit_text + " without running the test (is it registered?)";
    } else if (!ended) {
      a.result = Result::crash;
      a.message = exit_text + " in the middle of the test";
    } else if (test_status == "failed") {
      a.result = Result::fail;
      a.message = failures.empty() ? "failed" : failures;
    } else if (code != 0) {
      a.result = Result::fail;
      a.message = exit_text + " after the test " + test_status;
    } else if (test_status == "skipped") {
      if (skip.rfind("not applicable:", 0) == 0) {
        a.result = Result::not_applicable;
        a.message = skip;
      } else {
        a.result = Result::fail;
        a.message = "skipped without a reason starting \"not applicable:\" (" +
                    (skip.empty() ? std::string("no reason given") : "\"" + skip + "\"") +
                    "): a test must not skip into green";
      }
    } else {
      a.result = Result::pass;
    }
  }
  if (!good(a.result)) a.output = read_file(r.output, cfg_.full_output ? (1u << 20) : 8192);
  if (!cfg_.keep_temp) {
    unlink(r.report.c_str());
    unlink(r.output.c_str());
  }
  return a;
}

bool Scheduler::run(std::vector<TestRecord> *tests, const std::vector<size_t> &order,
                    const std::function<void(size_t)> &on_done, const std::function<void()> &on_idle) {
  struct Job {
    size_t test;
    int attempt;
  };
  std::deque<Job> queue;
  for (size_t i : order) queue.push_back({i, 1});

  // The signals are blocked and taken synchronously with sigtimedwait: no
  // handlers, no races between a child's exit and the wait.
  // They stay blocked after the run: a late signal must not cut the writing
  // of the final reports short.
  sigset_t watched;
  sigemptyset(&watched);
  for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&watched, s);
  sigprocmask(SIG_BLOCK, &watched, nullptr);
  // Orphaned peers are re-parented to us, so we can reap them.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  while (!stop_signal_ && (!queue.empty() || !running_.empty())) {
    while (static_cast<int>(running_.size()) < cfg_.jobs && !queue.empty()) {
      Job j = queue.front();
      queue.pop_front();
      if (!start(j.test, j.attempt, (*tests)[j.test].name)) {
        Attempt a;
        a.message = std::string("fork failed: ") + std::strerror(errno);
        (*tests)[j.test].attempts.push_back(a);
        if (needs_another_attempt((*tests)[j.test]))
          queue.push_front({j.test, j.attempt + 1});
        else
          on_done(j.test);
      }
    }

    on_idle();

    // Sleep until a child exits, a signal arrives or the nearest deadline.
    double now = monotonic_seconds(), wait = 0.5;
    for (const auto &r : running_)
      if (!r.timed_out) wait = std::min(wait, std::max(0.0, r.start + cfg_.timeout_s - now));
    struct timespec ts;
    ts.tv_sec = static_cast<time_t>(wait);
    ts.tv_nsec = static_cast<long>((wait - std::floor(wait)) * 1e9);
    siginfo_t info;
    int sig = sigtimedwait(&watched, &info, &ts);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
      stop_signal_ = sig;
      break;
    }

    now = monotonic_seconds();
    for (auto &r : running_) {
      if (!r.timed_out && now - r.start >= cfg_.timeout_s) {
        r.timed_out = true;
        kill(-r.pid, SIGKILL);
        kill_session(r.pid);
      }
    }

    // Peek at an exited child without reaping it, so its pid -- the id of its
    // session -- cannot be reused while the session is being swept.
    for (;;) {
      siginfo_t w;
      w.si_pid = 0;
      if (waitid(P_ALL, 0, &w, WEXITED | WNOHANG | WNOWAIT) != 0 || w.si_pid == 0) break;
      pid_t pid = w.si_pid;
      auto it = std::find_if(running_.begin(), running_.end(),
                             [pid](const Running &r) { return r.pid == pid; });
      if (it != running_.end()) kill_session(pid);
      int status = 0;
      waitpid(pid, &status, 0);
      if (it == running_.end()) continue;  // an orphaned peer
      Running r = *it;
      running_.erase(it);
      TestRecord &t = (*tests)[r.test];
      t.attempts.push_back(finish(r, status));
      if (needs_another_attempt(t))
        queue.push_front({r.test, r.attempt + 1});  // settle this test first
      else
        on_done(r.test);
    }
  }

  if (stop_signal_) {
    for (auto &r : running_) {
      kill(-r.pid, SIGKILL);
      kill_session(r.pid);
    }
    for (auto &r : running_) {
      int status;
      waitpid(r.pid, &status, 0);
      if (!cfg_.keep_temp) {
        unlink(r.report.c_str());
        unlink(r.output.c_str());
      }
    }
    running_.clear();
  }
  return stop_signal_ == 0;
}

}  // namespace rsmc
