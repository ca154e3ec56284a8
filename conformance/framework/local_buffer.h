// rsmkit conformance: local memory handed to calls under test -- buffers
// with guard zones that catch stray writes, and addresses that are not there.
#ifndef RSMC_LOCAL_BUFFER_H
#define RSMC_LOCAL_BUFFER_H

#include <cstddef>
#include <cstdint>

namespace rsmc {

// An address with nothing mapped behind it (len bytes, default one page,
// mapped and then unmapped): a bad pointer that faults when used.
void *unmapped_address(size_t len = 0);

// Local memory for `bytes` with guard zones of `guard` bytes on both sides,
// all of it filled with the pattern of `seed` (segment offsets 0..total), so
// that a write before, past or -- for a refused call -- into the buffer is
// caught. p() is page aligned plus the guard (8-byte aligned for the
// default). Private anonymous memory, unmapped when the buffer goes.
class GuardedBuffer {
 public:
  GuardedBuffer(size_t bytes, uint64_t seed, size_t guard = 64);
  ~GuardedBuffer();
  GuardedBuffer(GuardedBuffer &&o) noexcept;
  GuardedBuffer(const GuardedBuffer &) = delete;
  GuardedBuffer &operator=(const GuardedBuffer &) = delete;
  GuardedBuffer &operator=(GuardedBuffer &&) = delete;

  char *base() const { return base_; }  // nullptr when the mapping failed
  char *p() const { return base_ ? base_ + guard_ : nullptr; }
  size_t bytes() const { return bytes_; }
  size_t guard() const { return guard_; }
  size_t total() const { return bytes_ + 2 * guard_; }
  uint64_t seed() const { return seed_; }

  // Nothing outside [p(), p() + bytes) was written (non-fatal failures).
  void expect_guards() const;
  // Nothing at all was written.
  void expect_untouched() const;

 private:
  char *base_ = nullptr;
  size_t map_len_ = 0, bytes_ = 0, guard_ = 0;
  uint64_t seed_ = 0;
};

}  // namespace rsmc

#endif  // RSMC_LOCAL_BUFFER_H
