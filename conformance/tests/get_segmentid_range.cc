// rsmkit conformance: rsm_get_segmentid_range(3RSM).
//
// The function reads the system's segment-id reservation file
// (/etc/rsm/rsm.segmentid); the suite cannot choose that file for a
// third-party library, so it tests what holds for any file: pointer checks,
// application ids that no sane file holds (BAD_APPID, or BAD_CONF when the
// file is missing or malformed), and, whenever a lookup succeeds, a block
// that is non-empty, does not wrap, and stays clear of the system ranges of
// rsm_common.h (0 .. RSM_OPS_ID_END).
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "framework/local_buffer.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

// An application id no administrator wrote: long, random, per process.
std::string random_appid() {
  std::mt19937_64 rng(config().seed ^ static_cast<uint64_t>(getpid()) * 0x9E3779B97F4A7C15ull);
  const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
  std::string s = "rsmc_no_such_app_";
  for (int i = 0; i < 40; i++) s += alphabet[rng() % (sizeof alphabet - 1)];
  return s;
}

const RcSet kNotFound{RSMERR_BAD_APPID, RSMERR_BAD_CONF};
const RcSet kNullOutput{RSMERR_BAD_ADDR, RSMERR_BAD_APPID, RSMERR_BAD_CONF};

class SegmentIdRange : public RsmTest {
 protected:
  // A lookup of an id that should not be found; checks the outputs of a
  // (wrong) success anyway so the failure message says what came back.
  void expect_not_found(const std::string &appid) {
    rsm_memseg_id_t base = 0xDEAD;
    uint32_t len = 0xBEEF;
    int rc = rsm_get_segmentid_range(appid.c_str(), &base, &len);
    EXPECT_RC_IN(rc, kNotFound) << "appid \"" << appid << "\" (base " << base << ", length " << len << ")";
  }
  // A successful lookup's block must be usable by an application.
  void expect_sane_block(rsm_memseg_id_t base, uint32_t len, const std::string &appid) {
    EXPECT_GT(len, 0u) << appid;
    EXPECT_LE(uint64_t{base} + len - 1, uint64_t{UINT32_MAX}) << appid << ": the block wraps";
    EXPECT_GT(base, rsm_memseg_id_t{RSM_OPS_ID_END}) << appid << ": the block starts in a system range";
  }
};

// ---- RSMERR_BAD_ADDR -------------------------------------------------------------

TEST_F(SegmentIdRange, NullAppidIsBadAddr) {
  covers("get_segmentid_range.BAD_ADDR.null_appid");
  rsm_memseg_id_t base = 0;
  uint32_t len = 0;
  EXPECT_RC(rsm_get_segmentid_range(nullptr, &base, &len), RSMERR_BAD_ADDR);
}

TEST_F(SegmentIdRange, NullBaseidIsBadAddr) {
  covers("get_segmentid_range.BAD_ADDR.null_baseid");
  uint32_t len = 0;
  // With an appid that is not found two conditions hold (api.md 1.1: any of
  // their codes); with one that is found only BAD_ADDR fits.
  for (const std::string &appid : {random_appid(), std::string("SUNWfoo")})
    EXPECT_RC_IN(rsm_get_segmentid_range(appid.c_str(), nullptr, &len), kNullOutput) << appid;
}

TEST_F(SegmentIdRange, NullLengthIsBadAddr) {
  covers("get_segmentid_range.BAD_ADDR.null_length");
  rsm_memseg_id_t base = 0;
  for (const std::string &appid : {random_appid(), std::string("SUNWfoo")})
    EXPECT_RC_IN(rsm_get_segmentid_range(appid.c_str(), &base, nullptr), kNullOutput) << appid;
}

TEST_F(SegmentIdRange, AllNullIsBadAddr) {
  covers("get_segmentid_range.BAD_ADDR.all_null");
  EXPECT_RC(rsm_get_segmentid_range(nullptr, nullptr, nullptr), RSMERR_BAD_ADDR);
}

TEST_F(SegmentIdRange, UnmappedPointersRobustness) {
  covers("get_segmentid_range.BAD_ADDR.unmapped");
  void *gone = unmapped_address(page);
  ASSERT_NE(gone, nullptr);
  rsm_memseg_id_t base = 0;
  uint32_t len = 0;
  std::string appid = random_appid();
  EXPECT_RC(rsm_get_segmentid_range(static_cast<const char *>(gone), &base, &len), RSMERR_BAD_ADDR);
  // For the outputs a library may look the id up first and find nothing.
  EXPECT_RC_IN(rsm_get_segmentid_range(appid.c_str(), static_cast<rsm_memseg_id_t *>(gone), &len), kNullOutput);
  EXPECT_RC_IN(rsm_get_segmentid_range(appid.c_str(), &base, static_cast<uint32_t *>(gone)), kNullOutput);
}

// ---- RSMERR_BAD_APPID / RSMERR_BAD_CONF ----------------------------------------------

TEST_F(SegmentIdRange, UnknownAppidIsBadAppidOrBadConf) {
  covers("get_segmentid_range.BAD_APPID.unknown");
  covers("get_segmentid_range.BAD_CONF.missing_or_malformed");
  std::string appid = random_appid();
  rsm_memseg_id_t base = 0;
  uint32_t len = 0;
  int first = rsm_get_segmentid_range(appid.c_str(), &base, &len);
  EXPECT_RC_IN(first, kNotFound) << "appid " << appid;
  // The answer does not change between calls.
  EXPECT_RC(rsm_get_segmentid_range(appid.c_str(), &base, &len), first);
}

TEST_F(SegmentIdRange, AppidsNoEntryCanHoldAreNotFound) {
  covers("get_segmentid_range.BAD_APPID.impossible_appid");
  // Fields of the file are blank-separated: an id with blanks, a line break
  // or a comment mark cannot match an entry (and must not be parsed as one).
  std::string r = random_appid();
  for (const std::string &appid :
       {std::string(""), r + " " + r, r + "\t0x600000", "reserved " + r + " 0x600000 1000",
        r + "\nreserved " + r + " 0x600000 1000", "#" + r, std::string(4096, 'z') + r})
    expect_not_found(appid);
}

TEST_F(SegmentIdRange, PageExampleAppidIsFoundSanelyOrNotFound) {
  covers("get_segmentid_range.success.sane_block");
  // The page's example entry is "reserved SUNWfoo 0x600000 1000"; a system
  // may or may not have it. Found or not, the answer is consistent.
  for (const char *appid : {"SUNWfoo", "sunwfoo"}) {
    rsm_memseg_id_t base = 0;
    uint32_t len = 0;
    int rc = rsm_get_segmentid_range(appid, &base, &len);
    EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_BAD_APPID, RSMERR_BAD_CONF})) << appid;
    if (rc == RSM_SUCCESS) {
      expect_sane_block(base, len, appid);
      rsm_memseg_id_t base2 = 0;
      uint32_t len2 = 0;
      EXPECT_OK(rsm_get_segmentid_range(appid, &base2, &len2));
      EXPECT_EQ(base2, base);
      EXPECT_EQ(len2, len);
    }
  }
}

TEST_F(SegmentIdRange, ConcurrentLookupsAgree) {
  covers("get_segmentid_range.success.mt_safe");
  std::string appid = random_appid();
  rsm_memseg_id_t base = 0;
  uint32_t len = 0;
  int want = rsm_get_segmentid_range(appid.c_str(), &base, &len);
  EXPECT_RC_IN(want, kNotFound);
  std::atomic<int> differ{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++)
    threads.emplace_back([&] {
      for (int r = 0; r < 50; r++) {
        rsm_memseg_id_t b = 0;
        uint32_t l = 0;
        if (rsm_get_segmentid_range(appid.c_str(), &b, &l) != want) differ++;
      }
    });
  for (auto &t : threads) t.join();
  EXPECT_EQ(differ.load(), 0);
}

}  // namespace
}  // namespace rsmc
