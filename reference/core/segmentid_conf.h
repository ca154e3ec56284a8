// rsmkit: parser of the segment-id reservation file (rsm.segmentid), kept
// free of I/O so unit tests and the fuzzer drive it directly.
#ifndef RSMKIT_CORE_SEGMENTID_CONF_H
#define RSMKIT_CORE_SEGMENTID_CONF_H

#include <rsmapi.h>

#include <string_view>

namespace rsmkit {

// Finds the first "reserved <appid> <hex base> <decimal length>" line whose
// appid matches (without regard to case). Returns RSM_SUCCESS with *base and
// *length set, RSMERR_BAD_APPID when no line matches, RSMERR_BAD_CONF when a
// line up to the match is malformed. Grammar and choices: docs/reference.md.
int parse_segmentid_conf(std::string_view text, std::string_view appid, rsm_memseg_id_t *base,
                         uint32_t *length);

}  // namespace rsmkit

#endif  // RSMKIT_CORE_SEGMENTID_CONF_H
