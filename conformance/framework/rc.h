// rsmkit conformance: return-code sets and the assertions that use them.
// A test that violates one precondition accepts exactly the codes the spec
// allows for it (docs/conformance.md); the failure message names them all.
#ifndef RSMC_RC_H
#define RSMC_RC_H

#include <gtest/gtest.h>

#include "framework/rc_set.h"

namespace rsmc {

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
