// rsmkit conformance: position-dependent data patterns. Every byte depends on
// (seed, absolute offset in the segment), so a shifted, truncated or stale
// copy is caught and the first bad offset is reported.
#ifndef RSMC_PATTERN_H
#define RSMC_PATTERN_H

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace rsmc {

inline uint8_t pattern_byte(uint64_t seed, uint64_t off) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + off + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<uint8_t>(z ^ (z >> 31));
}

// Fills buf[0..len) with the bytes of segment offsets [base, base+len).
inline void fill_pattern(void *buf, size_t len, uint64_t seed, uint64_t base) {
  auto *p = static_cast<volatile uint8_t *>(buf);
  for (size_t i = 0; i < len; i++) p[i] = pattern_byte(seed, base + i);
}

// Index of the first byte that differs from the pattern, or -1.
inline long first_mismatch(const void *buf, size_t len, uint64_t seed, uint64_t base) {
  auto *p = static_cast<const volatile uint8_t *>(buf);
  for (size_t i = 0; i < len; i++)
    if (p[i] != pattern_byte(seed, base + i)) return static_cast<long>(i);
  return -1;
}

inline ::testing::AssertionResult pattern_matches(const char *buf_expr, const char *, const char *,
                                                  const char *, const void *buf, size_t len,
                                                  uint64_t seed, uint64_t base) {
  long bad = first_mismatch(buf, len, seed, base);
  if (bad < 0) return ::testing::AssertionSuccess();
  auto got = static_cast<const volatile uint8_t *>(buf)[bad];
  char msg[200];
  std::snprintf(msg, sizeof msg, "first bad byte at offset %lu (segment offset %llu): expected 0x%02x, got 0x%02x",
                static_cast<unsigned long>(bad), static_cast<unsigned long long>(base + static_cast<uint64_t>(bad)),
                pattern_byte(seed, base + static_cast<uint64_t>(bad)), got);
  return ::testing::AssertionFailure() << buf_expr << ": " << msg << " (seed " << seed << ")";
}

}  // namespace rsmc

#define EXPECT_PATTERN(buf, len, seed, base) \
  EXPECT_PRED_FORMAT4(::rsmc::pattern_matches, buf, len, seed, base)
#define ASSERT_PATTERN(buf, len, seed, base) \
  ASSERT_PRED_FORMAT4(::rsmc::pattern_matches, buf, len, seed, base)

#endif  // RSMC_PATTERN_H
