// rsmkit shm backend: events (see EventEndpoint in shm_internal.h). A FIFO
// is made only for an endpoint whose owner waits or polls; until then a post
// is an atomic increment of the endpoint's word.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backends/shm/shm_internal.h"

namespace rsmkit::shm {

namespace {

constexpr uint64_t kPendingMask = kEventsLive - 1;
constexpr int kIdentityShift = 18;

uint64_t identity_of(uint64_t word) { return word >> kIdentityShift; }

// A write to a FIFO whose reader just went away raises SIGPIPE, which would
// kill an application that never asked for pipes. Block it around the write
// and swallow the one this write raised.
ssize_t write_without_sigpipe(int fd, const void *buf, size_t len) {
  sigset_t pipe_only, old, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t n;
  do {
    n = write(fd, buf, len);
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  if (n < 0 && err == EPIPE && !was_pending) {
    const struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  return n;
}

// Creates the FIFO; a leftover under our pid is a dead process's.
bool make_fifo(const char *path) {
  if (mkfifo(path, 0666) == 0) return true;
  if (errno != EEXIST) return false;
  unlink(path);
  return mkfifo(path, 0666) == 0;
}

}  // namespace

void event_init(EventEndpoint &ep, std::atomic<uint64_t> *word, uint32_t serial) {
  ep.word = word;
  ep.pid = process().pid;
  ep.serial = serial;
  word->store(event_identity(ep.pid, serial) << kIdentityShift, std::memory_order_release);
}

int event_open(EventEndpoint &ep) {
  if (ep.fd >= 0) return ep.fd;
  if (!object_path(ep.path, "ev", ep.pid, ep.serial)) return -1;
  if (!make_fifo(ep.path.s)) return -1;
  // O_RDWR: opening never blocks, and there is always a reader, so posts
  // succeed while the owner lives.
  int fd = open_retry(ep.path.s, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 || fchmod(fd, 0666) != 0) {
    if (fd >= 0) close(fd);
    unlink(ep.path.s);
    return -1;
  }
  // From here on posters write into the FIFO; what they counted before
  // moves into it. (A word taken over by another endpoint since, as after a
  // teardown, has nothing of ours.)
  const uint64_t mine = event_identity(ep.pid, ep.serial);
  uint64_t v = ep.word->load(std::memory_order_acquire);
  while (identity_of(v) == mine &&
         !ep.word->compare_exchange_weak(v, (mine << kIdentityShift) | kEventsLive,
                                         std::memory_order_acq_rel)) {
  }
  uint64_t pending = identity_of(v) == mine && !(v & kEventsLive) ? v & kPendingMask : 0;
  static const char events[512] = {};  // a byte per event; its value is not read
  while (pending > 0) {
    const size_t n = pending < sizeof events ? static_cast<size_t>(pending) : sizeof events;
    ssize_t w = write(fd, events, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;  // full: the rest coalesce, as posts to a full FIFO do
    pending -= static_cast<uint64_t>(w);
  }
  ep.fd = fd;
  return fd;
}

void event_close(EventEndpoint &ep) {
  if (ep.fd < 0) return;
  unlink(ep.path.s);
  close(ep.fd);
  ep.fd = -1;
}

Post post_event(std::atomic<uint64_t> *word, pid_t owner, uint32_t serial, bool no_accumulate,
                int *err) {
  *err = 0;
  const uint64_t theirs = event_identity(owner, serial);
  uint64_t v = word->load(std::memory_order_acquire);
  for (;;) {
    // Not the endpoint the caller found (it went, or is not set up yet):
    // there is nobody to tell.
    if (identity_of(v) != theirs) return Post::dropped;
    if (v & kEventsLive) break;
    const uint64_t pending = v & kPendingMask;
    if ((no_accumulate && pending > 0) || pending >= kMaxPendingEvents) return Post::dropped;
    if (word->compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) return Post::posted;
  }
  Path path;
  if (!object_path(path, "ev", owner, serial)) {
    *err = ENAMETOOLONG;
    return Post::failed;
  }
  int fd = open_retry(path.s, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    *err = errno;
    // ENXIO: nobody holds the FIFO open, so its owner is gone.
    return (errno == ENOENT || errno == ENXIO) ? Post::gone : Post::failed;
  }
  struct stat st;
  Post result = Post::posted;
  int pending = 0;
  if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
    result = Post::gone;
  } else if (no_accumulate && ioctl(fd, FIONREAD, &pending) == 0 && pending > 0) {
    result = Post::dropped;
  } else {
    const char byte = 1;
    if (write_without_sigpipe(fd, &byte, 1) != 1) {
      *err = errno;
      // EAGAIN: the FIFO is full; its owner has that many events pending.
      result = errno == EAGAIN ? Post::dropped : errno == EPIPE ? Post::gone : Post::failed;
    }
  }
  close(fd);
  return result;
}

bool consume_event(int fd) {
  char byte;
  ssize_t n;
  do {
    n = read(fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  return n == 1;
}

}  // namespace rsmkit::shm
