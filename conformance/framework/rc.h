// rsmkit conformance: return-code sets and the assertions that use them.
// A test that violates one precondition accepts exactly the codes the spec
// allows for it (docs/conformance.md); the failure message names them all.
#ifndef RSMC_RC_H
#define RSMC_RC_H

#include <gtest/gtest.h>
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
  bool has(int c) const { return c >= 0 && c < 256 && bits_.test(static_cast<size_t>(c)); }
  bool empty() const { return bits_.none(); }
  bool only_success() const { return bits_.count() == 1 && bits_.test(0); }
  std::string str() const;

 private:
  std::bitset<256> bits_;
};

::testing::AssertionResult rc_in(const char *expr, const char *set_expr, int rc, const RcSet &set);

}  // namespace rsmc

// EXPECT_RC(call, RSMERR_X) / EXPECT_RC_IN(call, (rsmc::RcSet{A, B})).
#define EXPECT_RC(call, code) EXPECT_PRED_FORMAT2(::rsmc::rc_in, call, (::rsmc::RcSet{code}))
#define ASSERT_RC(call, code) ASSERT_PRED_FORMAT2(::rsmc::rc_in, call, (::rsmc::RcSet{code}))
#define EXPECT_RC_IN(call, set) EXPECT_PRED_FORMAT2(::rsmc::rc_in, call, set)
#define ASSERT_RC_IN(call, set) ASSERT_PRED_FORMAT2(::rsmc::rc_in, call, set)
#define ASSERT_OK(call) ASSERT_RC(call, RSM_SUCCESS)
#define EXPECT_OK(call) EXPECT_RC(call, RSM_SUCCESS)

#endif  // RSMC_RC_H
