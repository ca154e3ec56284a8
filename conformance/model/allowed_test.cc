// Unit tests of the model of allowed results, including the holes the first
// fuzzing campaigns found in it (kept as regressions).
#include <gtest/gtest.h>

#include "model/allowed.h"
#include "model/documented.h"

namespace rsmc::model {
namespace {

MapCall valid() {
  MapCall c;
  c.seg_size = 4 * 4096;
  c.length = 4096;
  return c;
}

TEST(MapModel, ValidCallOnlySucceeds) { EXPECT_TRUE(map_allowed(valid()).only_success()); }

TEST(MapModel, BadHandlesAreOnlyBadSegHandle) {
  for (auto st : {HandleState::null, HandleState::garbage, HandleState::disconnected}) {
    MapCall c = valid();
    c.state = st;
    c.length = 0;  // other faults do not widen a bad handle's answer
    RcSet s = map_allowed(c);
    EXPECT_TRUE(s.has(RSMERR_BAD_SEG_HNDL));
    EXPECT_FALSE(s.has(RSMERR_BAD_LENGTH));
  }
}

TEST(MapModel, SeveralFaultsAllowAnyOfTheirCodes) {
  MapCall c = valid();
  c.length = 0;
  c.perm = 0777;
  RcSet s = map_allowed(c);
  EXPECT_TRUE(s.has(RSMERR_BAD_LENGTH));
  EXPECT_TRUE(s.has(RSMERR_BAD_PERMS));
  EXPECT_FALSE(s.has(RSM_SUCCESS));
}

// Found by fuzz_import_map: a read-only connection asking for a write mapping
// (within the grant) with an offset past the end; BAD_PERMS is one right answer.
TEST(MapModel, RegressionPermBeyondRequestStaysAllowedWithOtherFaults) {
  MapCall c = valid();
  c.connect_perm = RSM_PERM_READ;
  c.perm = RSM_PERM_WRITE;
  c.offset = 6 * 4096;
  RcSet s = map_allowed(c);
  EXPECT_TRUE(s.has(RSMERR_BAD_PERMS));
  EXPECT_TRUE(s.has(RSMERR_BAD_OFFSET));
  EXPECT_FALSE(s.has(RSM_SUCCESS));
}

// Found by fuzz_import_map: RSM_MAP_RESERVED at an unaligned address.
TEST(MapModel, RegressionReservedUnalignedMayBeBadMemAlignment) {
  MapCall c = valid();
  c.attr = RSM_MAP_RESERVED;
  c.fixed_addr = 0x7f0000000382;
  RcSet s = map_allowed(c);
  EXPECT_TRUE(s.has(RSMERR_BAD_MEM_ALIGNMENT));
  EXPECT_TRUE(s.has(RSM_SUCCESS));
}

TEST(MapModel, FixedAddressRules) {
  MapCall c = valid();
  c.attr = RSM_MAP_FIXED;
  c.fixed_addr = 0x7f0000000001;
  EXPECT_TRUE(map_allowed(c).has(RSMERR_BAD_MEM_ALIGNMENT));
  EXPECT_FALSE(map_allowed(c).has(RSM_SUCCESS));
  c.fixed_addr = 0;
  EXPECT_TRUE(map_allowed(c).has(RSMERR_BAD_ADDR));
  c.fixed_addr = 0x7f0000000000;
  MapSuccess succ{};
  EXPECT_TRUE(map_allowed(c, &succ).only_success());
  EXPECT_TRUE(succ.at_fixed_addr);
}

TEST(MapModel, OffsetEdges) {
  for (int64_t off : {int64_t{-1}, int64_t{4 * 4096}, INT64_MAX}) {
    MapCall c = valid();
    c.offset = off;
    EXPECT_TRUE(map_allowed(c).has(RSMERR_BAD_OFFSET)) << off;
    EXPECT_FALSE(map_allowed(c).has(RSM_SUCCESS)) << off;
  }
  MapCall c = valid();
  c.offset = 1;
  EXPECT_TRUE(map_allowed(c).has(RSMERR_BAD_MEM_ALIGNMENT));
  c.offset = 4096;
  c.length = UINT64_MAX;
  EXPECT_TRUE(map_allowed(c).has(RSMERR_BAD_LENGTH));
  EXPECT_FALSE(map_allowed(c).has(RSM_SUCCESS));
}

TEST(Documented, ParsesQuotedFieldsAndAddsExtras) {
  const char *csv =
      "function,error,condition\n"
      "rsm_memseg_import_unmap,RSMERR_BAD_SEG_HNDL,\"a, quoted \"\"field\"\"\"\n"
      "rsm_free_interconnect_topology,(none),returns void\n";
  auto pairs = parse_errors_csv(csv);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].condition, "a, quoted \"field\"");
  DocumentedCodes d(csv);
  RcSet s = d.allowed("rsm_memseg_import_unmap");
  EXPECT_TRUE(s.has(RSM_SUCCESS));
  EXPECT_TRUE(s.has(RSMERR_BAD_SEG_HNDL));
  EXPECT_TRUE(s.has(RSMERR_SEG_NOT_MAPPED));  // accepted extra
  EXPECT_FALSE(s.has(RSMERR_BAD_LENGTH));
  EXPECT_TRUE(d.allowed("no_such_function").empty());
}

}  // namespace
}  // namespace rsmc::model
