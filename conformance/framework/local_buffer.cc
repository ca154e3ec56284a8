// rsmkit conformance: guarded local buffers, unmapped addresses.
#include "framework/local_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include "framework/pattern.h"

namespace rsmc {

void *unmapped_address(size_t len) {
  if (len == 0) len = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void *p = mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  munmap(p, len);
  return p;
}

GuardedBuffer::GuardedBuffer(size_t bytes, uint64_t seed, size_t guard)
    : bytes_(bytes), guard_(guard), seed_(seed) {
  map_len_ = total() ? total() : 1;
  void *m = mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    ADD_FAILURE() << "mmap of " << map_len_ << " bytes failed";
    return;
  }
  base_ = static_cast<char *>(m);
  fill_pattern(base_, total(), seed_, 0);
}

GuardedBuffer::GuardedBuffer(GuardedBuffer &&o) noexcept
    : base_(o.base_), map_len_(o.map_len_), bytes_(o.bytes_), guard_(o.guard_), seed_(o.seed_) {
  o.base_ = nullptr;
}

GuardedBuffer::~GuardedBuffer() {
  if (base_) munmap(base_, map_len_);
}

void GuardedBuffer::expect_guards() const {
  EXPECT_PATTERN(base_, guard_, seed_, 0) << "the call wrote before the buffer";
  EXPECT_PATTERN(p() + bytes_, guard_, seed_, guard_ + bytes_) << "the call wrote past the end of the buffer";
}

void GuardedBuffer::expect_untouched() const { EXPECT_PATTERN(base_, total(), seed_, 0); }

}  // namespace rsmc
