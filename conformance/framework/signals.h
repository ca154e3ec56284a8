// rsmkit conformance: signals aimed at calls under test, for the INTERRUPTED
// codes and for calls that must complete despite signals. Both use SIGUSR1
// with a handler installed without SA_RESTART, so a system call the library
// makes meanwhile sees EINTR and the library must deal with it.
#ifndef RSMC_SIGNALS_H
#define RSMC_SIGNALS_H

#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <functional>
#include <thread>

namespace rsmc {

// While alive, a second thread sends SIGUSR1 to the constructing thread as
// fast as it can. A signal cannot be made to land inside a call on purpose;
// a storm makes it likely that one does if the call waits or loops.
class SignalStorm {
 public:
  SignalStorm();
  ~SignalStorm();
  SignalStorm(const SignalStorm &) = delete;
  SignalStorm &operator=(const SignalStorm &) = delete;
  long sent() const { return sent_.load(); }

 private:
  pthread_t target_;
  std::atomic<bool> stop_{false};
  std::atomic<long> sent_{0};
  std::thread thread_;
};

// True while thread `tid` (a gettid() of this process) sleeps in the
// kernel (/proc state S): a call there is blocked, and a signal now lands in it.
bool thread_sleeping(pid_t tid);

struct InterruptResult {
  int rc = -1;
  bool released = false;  // the call did not return until `release` ran
};

// Runs `call` -- one that blocks until an event or a signal -- on its own
// thread, and sends that thread SIGUSR1 whenever it sleeps in the kernel,
// until the call returns. After give_up_ms (already scaled) `release` makes
// the event, so the call ends either way and the test can tell.
InterruptResult interrupt_blocked_call(const std::function<int()> &call, const std::function<void()> &release,
                                       int give_up_ms);

}  // namespace rsmc

#endif  // RSMC_SIGNALS_H
