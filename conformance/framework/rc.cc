// rsmkit conformance: the gtest assertion on return-code sets.
#include "framework/rc.h"

namespace rsmc {

::testing::AssertionResult rc_in(const char *expr, const char *, int rc, const RcSet &set) {
  if (set.has(rc)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expr << "\n  returned: " << rc << " " << rc_name(rc)
                                       << "\n  allowed:  " << set.str();
}

}  // namespace rsmc
