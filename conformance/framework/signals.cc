// rsmkit conformance: signal storms and interrupted blocking calls.
#include "framework/signals.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

namespace rsmc {
namespace {

void on_sigusr1(int) {}

// SIGUSR1 -> a no-op handler; without SA_RESTART a blocked call sees EINTR.
void install_sigusr1(int flags, struct sigaction *old) {
  struct sigaction sa {};
  sa.sa_handler = on_sigusr1;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = flags;
  sigaction(SIGUSR1, &sa, old);
}

}  // namespace

bool thread_sleeping(pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", static_cast<int>(tid));
  FILE *f = std::fopen(path, "r");
  if (!f) return false;
  char buf[512];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char *p = std::strrchr(buf, ')');
  return p && p[1] == ' ' && p[2] == 'S';
}

SignalStorm::SignalStorm() : target_(pthread_self()) {
  install_sigusr1(0, nullptr);
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      pthread_kill(target_, SIGUSR1);
      sent_++;
      std::this_thread::yield();
    }
  });
}

SignalStorm::~SignalStorm() {
  stop_ = true;
  thread_.join();  // pending signals are delivered on the way back
  // Should one still be pending, it stays harmless (the default action of
  // SIGUSR1 would end the test process).
  install_sigusr1(SA_RESTART, nullptr);
}

InterruptResult interrupt_blocked_call(const std::function<int()> &call, const std::function<void()> &release,
                                       int give_up_ms) {
  using Clock = std::chrono::steady_clock;
  struct sigaction old {};
  install_sigusr1(0, &old);
  InterruptResult r;
  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  std::thread t([&] {
    tid = static_cast<pid_t>(syscall(SYS_gettid));
    r.rc = call();
    done = true;
  });
  const auto t0 = Clock::now();
  while (!done.load()) {
    if (std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() > give_up_ms &&
        !r.released) {
      r.released = true;
      release();
    }
    if (!r.released && tid.load() && thread_sleeping(tid.load())) pthread_kill(t.native_handle(), SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // pace of the retries
  }
  t.join();
  sigaction(SIGUSR1, &old, nullptr);
  return r;
}

}  // namespace rsmc
