// rsmkit conformance: the documented codes of every function (documented.h).
#include "model/documented.h"

#include <rsmapi.h>

namespace rsmc::model {

namespace {

// One CSV record; advances pos past it. Handles quoted fields with "" escapes.
std::vector<std::string> next_record(std::string_view text, size_t *pos) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  size_t i = *pos;
  for (; i < text.size(); i++) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        fields.back() += '"';
        i++;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      i++;
      break;
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  *pos = i;
  return fields;
}

struct Extra {
  const char *function;
  int code;
};

// Undocumented codes the spec digest accepts (api.md 4.1, 4.2 and the gaps
// noted per function). Each is a reading the suite tolerates, never requires.
const Extra kExtras[] = {
    {"rsm_get_controller_attr", RSMERR_CTLR_NOT_PRESENT},
    {"rsm_memseg_import_connect", RSMERR_BAD_PERMS},
    {"rsm_memseg_import_connect", RSMERR_INTERNAL_ERROR},
    {"rsm_memseg_import_unmap", RSMERR_SEG_NOT_MAPPED},
    {"rsm_memseg_import_unmap", RSMERR_POLLFD_IN_USE},
    {"rsm_memseg_export_unpublish", RSMERR_POLLFD_IN_USE},
    {"rsm_memseg_import_set_mode", RSMERR_BAD_MODE},
    {"rsm_memseg_import_get_mode", RSMERR_BAD_ADDR},
    {"rsm_memseg_import_open_barrier", RSMERR_BARRIER_UNINITIALIZED},
    {"rsm_memseg_import_open_barrier", RSMERR_BARRIER_OPEN_FAILED},
    {"rsm_memseg_import_destroy_barrier", RSMERR_BARRIER_UNINITIALIZED},
    {"rsm_memseg_import_init_barrier", RSMERR_BAD_MODE},
    {"rsm_memseg_import_open_barrier", RSMERR_CONN_ABORTED},
    {"rsm_memseg_import_map", RSMERR_INSUFFICIENT_RESOURCES},
    {"rsm_memseg_export_publish", RSMERR_INTERNAL_ERROR},
    {"rsm_memseg_export_republish", RSMERR_INTERNAL_ERROR},
    {"rsm_memseg_get_pollfd", RSMERR_BAD_ADDR},
    {"rsm_intr_signal_wait", RSMERR_BAD_ARGS_ERRORS},
    {"rsm_intr_signal_wait", RSMERR_BAD_ADDR},
    {"rsm_intr_signal_wait", RSMERR_INSUFFICIENT_MEM},
    {"rsm_intr_signal_wait", RSMERR_INSUFFICIENT_RESOURCES},
    {"rsm_create_localmemory_handle", RSMERR_BAD_MEM_ALIGNMENT},
    {"rsm_create_localmemory_handle", RSMERR_INSUFFICIENT_RESOURCES},
    {"rsm_create_localmemory_handle", RSMERR_PERM_DENIED},
};

// Families whose extras are the same for every member.
const char *const kGetPut[] = {"rsm_memseg_import_get", "rsm_memseg_import_get8",
                               "rsm_memseg_import_get16", "rsm_memseg_import_get32",
                               "rsm_memseg_import_get64", "rsm_memseg_import_put",
                               "rsm_memseg_import_put8", "rsm_memseg_import_put16",
                               "rsm_memseg_import_put32", "rsm_memseg_import_put64"};
const int kGetPutExtras[] = {RSMERR_MAP_FAILED, RSMERR_BAD_PERMS, RSMERR_MISALIGNED_OFFSET};
const char *const kVector[] = {"rsm_memseg_import_putv", "rsm_memseg_import_getv"};
const int kVectorExtras[] = {RSMERR_BAD_MEM_ALIGNMENT, RSMERR_MAP_FAILED, RSMERR_BAD_PERMS,
                             RSMERR_CONN_ABORTED, RSMERR_BAD_LOCALMEM_HNDL};

}  // namespace

std::vector<DocumentedPair> parse_errors_csv(std::string_view text) {
  std::vector<DocumentedPair> out;
  size_t pos = 0;
  bool header = true;
  while (pos < text.size()) {
    auto f = next_record(text, &pos);
    if (header) {
      header = false;
      continue;
    }
    if (f.size() < 2 || f[0].empty()) continue;
    out.push_back({f[0], f[1], f.size() > 2 ? f[2] : ""});
  }
  return out;
}

int rsmerr_value(std::string_view name) {
  for (int code = 0; code < 256; code++) {
    const char *n = rc_name(code);
    if (n[0] == 'R' && name == n) return code;
  }
  return -1;
}

DocumentedCodes::DocumentedCodes(std::string_view errors_csv) : pairs_(parse_errors_csv(errors_csv)) {
  for (const auto &p : pairs_) {
    RcSet &s = by_function_[p.function];
    s.add(RSM_SUCCESS);
    if (int v = rsmerr_value(p.error); v > 0) s.add(v);
  }
  for (const auto &e : kExtras) by_function_[e.function].add(e.code);
  for (const char *fn : kGetPut)
    for (int c : kGetPutExtras) by_function_[fn].add(c);
  for (const char *fn : kVector)
    for (int c : kVectorExtras) by_function_[fn].add(c);
}

RcSet DocumentedCodes::allowed(const std::string &function) const {
  auto it = by_function_.find(function);
  return it == by_function_.end() ? RcSet{} : it->second;
}

}  // namespace rsmc::model
