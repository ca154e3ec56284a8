// rsmkit shm backend: mapping segment headers, and turning shared memory back
// into private memory without losing its contents.
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <new>

#include "backends/shm/shm_internal.h"

namespace rsmkit::shm {

namespace {

// Copies in place through a bounce buffer, chunk by chunk: needs little
// memory, for when a full private copy could not be made.
bool privatize_in_chunks(char *addr, size_t len) {
  const size_t page = page_size();
  size_t chunk = 256 * page;
  char *buf = new (std::nothrow) char[chunk];
  char one_page[4096];
  if (!buf) {
    buf = one_page;
    chunk = page <= sizeof one_page ? page : 0;
    if (!chunk) return false;
  }
  bool ok = true;
  for (size_t done = 0; done < len && ok; done += chunk) {
    size_t n = len - done < chunk ? len - done : chunk;
    std::memcpy(buf, addr + done, n);
    ok = mmap(addr + done, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
              -1, 0) != MAP_FAILED;
    if (ok) std::memcpy(addr + done, buf, n);
  }
  if (buf != one_page) delete[] buf;
  return ok;
}

}  // namespace

size_t page_size() {
  static const size_t page = [] {
    long v = sysconf(_SC_PAGESIZE);
    return v > 0 ? static_cast<size_t>(v) : size_t{4096};
  }();
  return page;
}

size_t header_bytes() {
  static const size_t bytes = [] {
    const size_t page = page_size();
    auto round = [page](size_t n) { return (n + page - 1) / page * page; };
    return round(sizeof(SegHeader)) + round(2 * sizeof(Path::s));
  }();
  return bytes;
}

SegHeader *map_header(int fd, size_t *whole, struct stat *file) {
  const size_t header = header_bytes();
  struct stat st;
  // Never map beyond the end of the file: that would be SIGBUS on access.
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) < header)
    return nullptr;
  const size_t len = whole ? static_cast<size_t>(st.st_size) / page_size() * page_size()
                           : sizeof(SegHeader);
  void *mem = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mem == MAP_FAILED) return nullptr;
  auto *h = static_cast<SegHeader *>(mem);
  if (h->magic.load(std::memory_order_acquire) != kSegMagic || h->version != kSegVersion ||
      h->header_bytes != header || h->size == 0) {
    munmap(mem, len);
    return nullptr;
  }
  if (whole) *whole = len;
  if (file) *file = st;
  return h;
}

void unmap_header(SegHeader *h, size_t len) {
  if (h) munmap(h, len);
}

int reopen_object(const char *path, dev_t dev, ino_t ino) {
  int fd = open_retry(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_dev != dev || st.st_ino != ino) {
    close(fd);
    errno = ESTALE;
    return -1;
  }
  return fd;
}

bool privatize(void *addr, size_t len) {
  // One copy, then an atomic swap of the pages: the range never shows
  // anything but the segment's contents, even to other threads.
  void *copy = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (copy != MAP_FAILED) {
    std::memcpy(copy, addr, len);
    if (mremap(copy, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, addr) != MAP_FAILED) return true;
    munmap(copy, len);
  }
  return privatize_in_chunks(static_cast<char *>(addr), len);
}

}  // namespace rsmkit::shm
