// Unit tests of the model of allowed results for get/put/getv/putv.
#include <gtest/gtest.h>

#include "model/xfer.h"

namespace rsmc::model {
namespace {

XferCall valid(bool get = true) {
  XferCall c;
  c.get = get;
  c.elem = 4;
  c.offset = 8;
  c.count = 4;
  c.seg_size = 4096;
  return c;
}

TEST(XferModel, ValidCallOnlySucceeds) {
  EXPECT_TRUE(xfer_allowed(valid()).only_success());
  EXPECT_TRUE(xfer_allowed(valid(false)).only_success());
}

TEST(XferModel, BadHandlesAreOnlyBadSegHandle) {
  for (auto st : {HandleState::null, HandleState::garbage, HandleState::disconnected}) {
    XferCall c = valid();
    c.state = st;
    c.count = 1u << 30;  // other faults do not widen a bad handle's answer
    RcSet s = xfer_allowed(c);
    EXPECT_TRUE(s.has(RSMERR_BAD_SEG_HNDL));
    EXPECT_FALSE(s.has(RSMERR_BAD_LENGTH));
  }
}

TEST(XferModel, RangeAndAlignmentFaults) {
  XferCall c = valid();
  c.offset = 6;  // not 4-aligned
  EXPECT_TRUE(xfer_allowed(c).has(RSMERR_BAD_MEM_ALIGNMENT));
  EXPECT_FALSE(xfer_allowed(c).has(RSM_SUCCESS));
  c = valid();
  c.count = 1025;  // 4100 bytes from offset 8
  EXPECT_TRUE(xfer_allowed(c).has(RSMERR_BAD_LENGTH));
  EXPECT_FALSE(xfer_allowed(c).has(RSM_SUCCESS));
  c = valid();
  c.offset = -4;
  EXPECT_TRUE(xfer_allowed(c).has(RSMERR_BAD_OFFSET));
  c = valid();
  c.offset = 4096;
  c.count = 0;  // at the end, nothing to move: a gap, success allowed
  EXPECT_TRUE(xfer_allowed(c).has(RSM_SUCCESS));
  EXPECT_TRUE(xfer_allowed(c).has(RSMERR_BAD_LENGTH));
}

TEST(XferModel, PermissionAndBarrier) {
  XferCall c = valid(false);
  c.connect_perm = RSM_PERM_READ;
  EXPECT_TRUE(xfer_allowed(c).has(RSMERR_PERM_DENIED));
  EXPECT_FALSE(xfer_allowed(c).has(RSM_SUCCESS));
  c = valid();
  c.barrier = false;
  EXPECT_EQ(xfer_allowed(c).str(), RcSet{RSMERR_BARRIER_UNINITIALIZED}.str());
  c.explicit_mode = true;  // illumos does not check in explicit mode
  EXPECT_TRUE(xfer_allowed(c).has(RSM_SUCCESS));
}

TEST(XferModel, AbortIsReportedUnlessAnExplicitSpanDefersIt) {
  XferCall c = valid();
  c.state = HandleState::aborted;
  RcSet s = xfer_allowed(c);
  EXPECT_TRUE(s.has(RSMERR_CONN_ABORTED));
  EXPECT_TRUE(s.has(RSMERR_BAD_SEG_HNDL));
  EXPECT_FALSE(s.has(RSM_SUCCESS));
  c.explicit_mode = true;
  EXPECT_TRUE(xfer_allowed(c).has(RSM_SUCCESS));
  c.count = 1u << 30;  // but never for a call that is wrong anyway
  EXPECT_FALSE(xfer_allowed(c).has(RSM_SUCCESS));
}

VectorCall valid_vector(bool get = true) {
  VectorCall c;
  c.get = get;
  c.seg_size = 4096;
  IoEntry e;
  e.remote_offset = 100;
  e.length = 50;
  c.entries = {e, e};
  c.count = 2;
  return c;
}

TEST(VectorModel, ValidVectorOnlySucceeds) {
  EXPECT_TRUE(vector_allowed(valid_vector()).only_success());
  EXPECT_TRUE(vector_allowed(valid_vector(false)).only_success());
}

TEST(VectorModel, CountOutOfRangeIsBadSgio) {
  for (uint64_t n : {uint64_t{0}, uint64_t{RSM_MAX_SGIOREQS + 1}}) {
    VectorCall c = valid_vector();
    c.count = n;
    EXPECT_EQ(vector_allowed(c).str(), RcSet{RSMERR_BAD_SGIO}.str()) << n;
  }
  VectorCall c = valid_vector();
  c.sg_null = true;
  EXPECT_EQ(vector_allowed(c).str(), RcSet{RSMERR_BAD_SGIO}.str());
}

TEST(VectorModel, AnyFaultyEntryRefusesTheCall) {
  VectorCall c = valid_vector();
  c.entries[1].length = 4000;  // past the end
  RcSet s = vector_allowed(c);
  EXPECT_TRUE(s.has(RSMERR_BAD_LENGTH));
  EXPECT_FALSE(s.has(RSM_SUCCESS));
  c = valid_vector();
  c.entries[0].handle = true;
  c.entries[0].handle_len = 64;
  c.entries[0].local_offset = 32;  // 32 + 50 > 64
  EXPECT_FALSE(vector_allowed(c).has(RSM_SUCCESS));
  c.entries[0].handle_live = false;
  EXPECT_TRUE(vector_allowed(c).has(RSMERR_BAD_LOCALMEM_HNDL));
}

TEST(VectorModel, AbortedConnection) {
  VectorCall c = valid_vector();
  c.state = HandleState::aborted;
  EXPECT_TRUE(vector_allowed(c).has(RSMERR_CONN_ABORTED));
  EXPECT_FALSE(vector_allowed(c).has(RSM_SUCCESS));
}

}  // namespace
}  // namespace rsmc::model
