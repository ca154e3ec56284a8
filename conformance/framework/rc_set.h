// rsmkit conformance: sets of return codes, without any test framework, so
// the fuzzers and property tests share them with the tests.
#ifndef RSMC_RC_SET_H
#define RSMC_RC_SET_H

#include <rsmapi.h>

#include <bitset>
#include <initializer_list>
#include <string>

namespace rsmc {

const char *rc_name(int rc);

// A set of acceptable return codes (0..255; kMissingSymbol is never in it).
class RcSet {
 public:
  RcSet() = default;
  RcSet(std::initializer_list<int> codes) {
    for (int c : codes) add(c);
  }
  RcSet &add(int c) {
    if (c >= 0 && c < 256) bits_.set(static_cast<size_t>(c));
    return *this;
  }
  RcSet &add(const RcSet &o) {
    bits_ |= o.bits_;
    return *this;
  }
  friend RcSet operator|(RcSet a, const RcSet &b) { return a.add(b); }
  bool has(int c) const { return c >= 0 && c < 256 && bits_.test(static_cast<size_t>(c)); }
  bool empty() const { return bits_.none(); }
  bool only_success() const { return bits_.count() == 1 && bits_.test(0); }
  std::string str() const;

 private:
  std::bitset<256> bits_;
};

}  // namespace rsmc

#endif  // RSMC_RC_SET_H
