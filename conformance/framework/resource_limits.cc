// rsmkit conformance: resource exhaustion helpers.
#include "framework/resource_limits.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace rsmc {

size_t address_space_now() {
  long pages = 0;
  if (FILE *f = std::fopen("/proc/self/statm", "re")) {
    if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  return pages > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

int open_fds() {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (struct dirent *e = readdir(d))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1;  // the directory's own descriptor
}

void LoweredLimit::lift() {
  for (int fd : filled_) close(fd);
  filled_.clear();
  if (ok_ && !locked_) setrlimit(resource_, &saved_);
  ok_ = false;
}

LoweredLimit limit_address_space(size_t headroom, bool lock_hard) {
  LoweredLimit l;
  l.resource_ = RLIMIT_AS;
  l.locked_ = lock_hard;
  size_t now = address_space_now();
  if (now == 0 || getrlimit(RLIMIT_AS, &l.saved_) != 0) return l;
  struct rlimit rl = l.saved_;
  rl.rlim_cur = static_cast<rlim_t>(now + headroom);
  if (lock_hard) rl.rlim_max = rl.rlim_cur;
  l.ok_ = setrlimit(RLIMIT_AS, &rl) == 0;
  return l;
}

LoweredLimit exhaust_descriptors() {
  LoweredLimit l;
  l.resource_ = RLIMIT_NOFILE;
  if (getrlimit(RLIMIT_NOFILE, &l.saved_) != 0) return l;
  int highest = 0;
  for (int fd = 0; fd < 65536 && fd < static_cast<int>(l.saved_.rlim_cur); fd++)
    if (fcntl(fd, F_GETFD) != -1) highest = fd;
  struct rlimit rl = l.saved_;
  rl.rlim_cur = static_cast<rlim_t>(highest + 1);
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return l;
  l.ok_ = true;
  for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) l.filled_.push_back(fd);
  return l;
}

bool exhaust_memory() {
  if (!limit_address_space().ok()) return false;
  for (size_t sz = size_t{1} << 26; sz >= 8; sz /= 2)
    while (void *p = std::malloc(sz)) static_cast<volatile char *>(p)[0] = 1;  // leaked on purpose
  return true;
}

}  // namespace rsmc
