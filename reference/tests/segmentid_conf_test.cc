// The segment-id reservation file: parser cases and rsm_get_segmentid_range.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <string>

#include "core/segmentid_conf.h"

namespace {

struct Case {
  const char *name;
  const char *text;
  const char *appid;
  int rc;
  rsm_memseg_id_t base;
  uint32_t length;
};

const Case kCases[] = {
    {"page_example", "#keyword appid baseid length\nreserved SUNWfoo 0x600000 1000\n", "SUNWfoo",
     RSM_SUCCESS, 0x600000, 1000},
    {"appid_any_case", "reserved SUNWfoo 0x600000 1000\n", "sunwFOO", RSM_SUCCESS, 0x600000, 1000},
    {"keyword_any_case", "RESERVED app 10 5\n", "app", RSM_SUCCESS, 0x10, 5},
    {"keyword_reserve_prose_spelling", "reserve app 0x700000 8\n", "app", RSM_SUCCESS, 0x700000, 8},
    {"hex_without_prefix", "reserved app 7fff0000 16\n", "app", RSM_SUCCESS, 0x7fff0000, 16},
    {"tabs_and_spaces", "reserved\tapp \t 0x600000\t\t3\n", "app", RSM_SUCCESS, 0x600000, 3},
    {"no_final_newline", "reserved app 0x600000 3", "app", RSM_SUCCESS, 0x600000, 3},
    {"crlf_line_end", "reserved app 0x600000 3\r\n", "app", RSM_SUCCESS, 0x600000, 3},
    {"first_match_wins", "reserved app 0x600000 3\nreserved app 0x700000 4\n", "app", RSM_SUCCESS,
     0x600000, 3},
    {"indented_comment", "   # a comment\nreserved app 0x600000 3\n", "app", RSM_SUCCESS, 0x600000, 3},
    {"blank_lines_skipped", "\n\n  \nreserved app 0x600000 3\n", "app", RSM_SUCCESS, 0x600000, 3},
    {"malformed_after_match_unread", "reserved app 0x600000 3\ngarbage\n", "app", RSM_SUCCESS,
     0x600000, 3},
    {"block_ends_at_top_id", "reserved app 0xFFFFFFFF 1\n", "app", RSM_SUCCESS, 0xFFFFFFFF, 1},
    {"not_found", "reserved other 0x600000 3\n", "app", RSMERR_BAD_APPID, 0, 0},
    {"empty_file", "", "app", RSMERR_BAD_APPID, 0, 0},
    {"only_comments", "# nothing\n#reserved app 1 1\n", "app", RSMERR_BAD_APPID, 0, 0},
    {"prefix_of_appid_is_not_a_match", "reserved ap 0x600000 3\n", "app", RSMERR_BAD_APPID, 0, 0},
    {"three_fields", "reserved app 0x600000\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"five_fields", "reserved app 0x600000 3 extra\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"unknown_keyword", "reservd app 0x600000 3\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"base_not_hex", "reserved app 0x60zz00 3\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"length_not_decimal", "reserved app 0x600000 0x10\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"length_zero", "reserved app 0x600000 0\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"length_negative", "reserved app 0x600000 -5\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"base_above_32_bits", "reserved app 0x100000000 1\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"block_wraps_32_bits", "reserved app 0xFFFFFFFF 2\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"malformed_line_before_match", "junk\nreserved app 0x600000 3\n", "app", RSMERR_BAD_CONF, 0, 0},
    {"bare_prefix_0x", "reserved app 0x 3\n", "app", RSMERR_BAD_CONF, 0, 0},
};

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

class SegmentidConf : public ::testing::TestWithParam<Case> {};

TEST_P(SegmentidConf, Parses) {
  const Case &c = GetParam();
  rsm_memseg_id_t base = 0;
  uint32_t length = 0;
  EXPECT_EQ(rsmkit::parse_segmentid_conf(c.text, c.appid, &base, &length), c.rc);
  if (c.rc == RSM_SUCCESS) {
    EXPECT_EQ(base, c.base);
    EXPECT_EQ(length, c.length);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, SegmentidConf, ::testing::ValuesIn(kCases),
                         [](const auto &info) { return std::string(info.param.name); });

TEST(SegmentidConfParser, OverlongLineIsMalformed) {
  std::string text = "reserved app 0x600000 3" + std::string(5000, ' ') + "\n";
  rsm_memseg_id_t base = 0;
  uint32_t length = 0;
  EXPECT_EQ(rsmkit::parse_segmentid_conf(text, "app", &base, &length), RSMERR_BAD_CONF);
}

std::string write_conf(const std::string &text) {
  char path[] = "/tmp/rsmkit-segid-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  FILE *f = fdopen(fd, "w");
  std::fputs(text.c_str(), f);
  std::fclose(f);
  return path;
}

TEST(GetSegmentidRange, ReadsTheFileNamedByTheEnvironment) {
  std::string path = write_conf("reserved myapp 0x600000 1000\n");
  setenv("RSMKIT_SEGMENTID_FILE", path.c_str(), 1);
  rsm_memseg_id_t base = 0;
  uint32_t length = 0;
  EXPECT_EQ(rsm_get_segmentid_range("MYAPP", &base, &length), RSM_SUCCESS);
  EXPECT_EQ(base, 0x600000u);
  EXPECT_EQ(length, 1000u);
  EXPECT_EQ(rsm_get_segmentid_range("other", &base, &length), RSMERR_BAD_APPID);
  unlink(path.c_str());
}

TEST(GetSegmentidRange, MissingFileIsBadConf) {
  setenv("RSMKIT_SEGMENTID_FILE", "/nonexistent/rsm.segmentid", 1);
  rsm_memseg_id_t base = 0;
  uint32_t length = 0;
  EXPECT_EQ(rsm_get_segmentid_range("app", &base, &length), RSMERR_BAD_CONF);
}

TEST(GetSegmentidRange, DirectoryIsBadConf) {
  setenv("RSMKIT_SEGMENTID_FILE", "/tmp", 1);
  rsm_memseg_id_t base = 0;
  uint32_t length = 0;
  EXPECT_EQ(rsm_get_segmentid_range("app", &base, &length), RSMERR_BAD_CONF);
}

TEST(GetSegmentidRange, NullArgumentsAreBadAddr) {
  rsm_memseg_id_t base = 0;
  uint32_t length = 0;
  EXPECT_EQ(rsm_get_segmentid_range(nullptr, &base, &length), RSMERR_BAD_ADDR);
  EXPECT_EQ(rsm_get_segmentid_range("app", nullptr, &length), RSMERR_BAD_ADDR);
  EXPECT_EQ(rsm_get_segmentid_range("app", &base, nullptr), RSMERR_BAD_ADDR);
}

TEST(GetSegmentidRange, OutputsUntouchedOnFailure) {
  std::string path = write_conf("junk\n");
  setenv("RSMKIT_SEGMENTID_FILE", path.c_str(), 1);
  rsm_memseg_id_t base = 77;
  uint32_t length = 88;
  EXPECT_EQ(rsm_get_segmentid_range("app", &base, &length), RSMERR_BAD_CONF);
  EXPECT_EQ(base, 77u);
  EXPECT_EQ(length, 88u);
  unlink(path.c_str());
}

}  // namespace
