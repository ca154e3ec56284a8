// rsmkit shm backend: events. Every export and import object owns a FIFO; a
// pending event is one byte in it, so its descriptor polls readable exactly
// while events are pending.
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

Status create_event_fifo(uint32_t *serial, Path &path, int *fd) {
  *serial = next_serial();
  if (!object_path(path, "ev", process().pid, *serial)) return Status::no_resources;
  if (!make_fifo(path.s)) return errno_status(errno, Status::no_resources);
  // O_RDWR: opening never blocks, and there is always a reader, so posts
  // succeed while the owner lives.
  int f = open_retry(path.s, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (f < 0 || fchmod(f, 0666) != 0) {
    Status st = errno_status(errno, Status::no_resources);
    if (f >= 0) close(f);
    unlink(path.s);
    return st;
  }
  *fd = f;
  return Status::ok;
}

void destroy_event_fifo(const Path &path, int fd) {
  unlink(path.s);
  if (fd >= 0) close(fd);
}

Post post_event(const char *path, bool no_accumulate, int *err) {
  *err = 0;
  int fd = open_retry(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
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
