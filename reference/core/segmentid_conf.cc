// rsmkit: the segment-id reservation file parser (see segmentid_conf.h).
#include "core/segmentid_conf.h"

#include <cstdint>
#include <vector>

namespace rsmkit {

namespace {

constexpr size_t kMaxLine = 4096;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) i++;
    size_t start = i;
    while (i < line.size() && !is_blank(line[i])) i++;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// Whole-field numbers only: "12ab" is malformed, not 12.
bool parse_number(std::string_view s, unsigned base, uint64_t max, uint64_t *out) {
  if (base == 16 && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (base == 16 && lower(c) >= 'a' && lower(c) <= 'f') d = static_cast<unsigned>(lower(c) - 'a' + 10);
    else return false;
    if (d >= base) return false;
    v = v * base + d;
    if (v > max) return false;
  }
  *out = v;
  return true;
}

}  // namespace

int parse_segmentid_conf(std::string_view text, std::string_view appid, rsm_memseg_id_t *base,
                         uint32_t *length) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.size() > kMaxLine) return RSMERR_BAD_CONF;
    size_t first = 0;
    while (first < line.size() && is_blank(line[first])) first++;
    if (first == line.size() || line[first] == '#') continue;  // blank or comment
    auto f = fields_of(line);
    if (f.size() != 4) return RSMERR_BAD_CONF;
    // The page's prose says "reserve", its example "reserved": take both.
    if (!iequal(f[0], "reserved") && !iequal(f[0], "reserve")) return RSMERR_BAD_CONF;
    uint64_t b = 0, n = 0;
    if (!parse_number(f[2], 16, UINT32_MAX, &b)) return RSMERR_BAD_CONF;
    if (!parse_number(f[3], 10, UINT32_MAX, &n) || n == 0) return RSMERR_BAD_CONF;
    if (b + n - 1 > UINT32_MAX) return RSMERR_BAD_CONF;
    if (!iequal(f[1], appid)) continue;
    *base = static_cast<rsm_memseg_id_t>(b);
    *length = static_cast<uint32_t>(n);
    return RSM_SUCCESS;
  }
  return RSMERR_BAD_APPID;
}

}  // namespace rsmkit
