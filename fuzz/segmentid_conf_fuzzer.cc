// rsmkit fuzz: the reference's segment-id reservation file parser (a
// reference-only harness: a third-party library's parser has no entry point
// but rsm_get_segmentid_range on a file the suite cannot choose).
// Oracle: only the three documented results; a success names a non-empty
// block inside 32 bits; the answer does not depend on comment lines or on
// the case of the appid.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/segmentid_conf.h"

namespace {

[[noreturn]] void violation(const std::string &what) {
  std::fprintf(stderr, "\n== rsmkit oracle violation in parse_segmentid_conf: %s\n", what.c_str());
  std::abort();
}

std::string upper(std::string s) {
  for (char &c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider p(data, size);
  std::string appid = p.ConsumeRandomLengthString(32);
  std::string text = p.ConsumeRemainingBytesAsString();
  rsm_memseg_id_t base = 0;
  uint32_t length = 0;
  int rc = rsmkit::parse_segmentid_conf(text, appid, &base, &length);
  if (rc != RSM_SUCCESS && rc != RSMERR_BAD_APPID && rc != RSMERR_BAD_CONF)
    violation("result " + std::to_string(rc) + " is not SUCCESS, BAD_APPID or BAD_CONF");
  if (rc == RSM_SUCCESS && (length == 0 || uint64_t{base} + length - 1 > UINT32_MAX))
    violation("block [" + std::to_string(base) + ", +" + std::to_string(length) + ") is empty or wraps");
  rsm_memseg_id_t base2 = 0;
  uint32_t length2 = 0;
  int rc2 = rsmkit::parse_segmentid_conf("# a comment\n" + text, appid, &base2, &length2);
  if (rc2 != rc || (rc == RSM_SUCCESS && (base2 != base || length2 != length)))
    violation("a leading comment line changed the answer");
  if (appid.find('\0') == std::string::npos) {
    int rc3 = rsmkit::parse_segmentid_conf(text, upper(appid), &base2, &length2);
    if (rc3 != rc) violation("the appid's case changed the answer");
  }
  return 0;
}
