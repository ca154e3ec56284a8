// rsmkit reference librsm: rsm_get_controller(3RSM) -- get, attr, release.
#include <cctype>
#include <cstring>
#include <new>

#include "core/handle_table.h"

using namespace rsmkit;

namespace rsmkit {

Controller::~Controller() {
  if (bc) ops->ctlr_close(bc);
}

bool controller_released(uint64_t ctlr_key) { return !controllers().find(ctlr_key); }

}  // namespace rsmkit

namespace {

// Serialises get (lookup + reference) against release (unreference + retire).
std::mutex &open_mu() {
  static auto *mu = new std::mutex;
  return *mu;
}

// "<type><unit>": the type is everything before the trailing decimal digits
// (compared without regard to case), the unit those digits (0 when absent).
bool parse_name(const char *name, std::string *type, uint32_t *unit) {
  size_t n = strnlen(name, MAXNAMELEN);
  if (n == 0 || n >= MAXNAMELEN) return false;
  size_t d = n;
  while (d > 0 && std::isdigit(static_cast<unsigned char>(name[d - 1]))) d--;
  if (d == 0 || n - d > 9) return false;
  type->clear();
  for (size_t i = 0; i < d; i++) type->push_back(static_cast<char>(std::tolower(name[i])));
  *unit = 0;
  for (size_t i = d; i < n; i++) *unit = *unit * 10 + static_cast<uint32_t>(name[i] - '0');
  return true;
}

}  // namespace

RSMKIT_API int rsm_get_controller(char *name, rsmapi_controller_handle_t *controller) try {
  static const char fn[] = "rsm_get_controller";
  if (!controller) return fail(fn, RSMERR_BAD_CTLR_HNDL, "controller is NULL");
  if (!addr_mapped(controller, sizeof *controller))
    return fail(fn, RSMERR_BAD_ADDR, "controller points to unmapped memory");
  if (!name || !addr_mapped(name, 1)) return fail(fn, RSMERR_BAD_ADDR, "name is not readable");
  std::string type;
  uint32_t unit = 0;
  if (!parse_name(name, &type, &unit))
    return fail(fn, RSMERR_CTLR_NOT_PRESENT, "name is not <type><unit>");
  bool abi_mismatch = false;
  const BackendOps *ops = find_backend(type, &abi_mismatch);
  if (abi_mismatch)
    return fail(fn, RSMERR_BAD_LIBRARY_VERSION, "backend plug-in speaks another backend ABI");
  if (!ops)
    return fail(fn, RSMKIT_MUTANT("controller.unknown_type_code") ? RSMERR_BAD_CTLR_HNDL : RSMERR_CTLR_NOT_PRESENT,
                "no backend for this controller type");
  std::string canonical = type + std::to_string(unit);

  // A controller already open in this process gets one more reference;
  // open_mu keeps two racing first opens from creating two controllers, and
  // a release from retiring the handle between our lookup and our increment.
  std::lock_guard<std::mutex> lk(open_mu());
  pid_t me = current_pid();
  auto c = controllers().find_if([&](const Controller &x) {
    return x.owner == me && x.name == canonical && x.refs > 0;
  });
  if (c) {
    std::lock_guard<std::mutex> ck(c->mu);
    if (!RSMKIT_MUTANT("controller.get_does_not_count")) c->refs++;
    *controller = handle_of<rsmapi_controller_handle_t>(c->key);
    return RSM_SUCCESS;
  }
  c = std::shared_ptr<Controller>(new (std::nothrow) Controller);
  if (!c) return fail(fn, RSMERR_INSUFFICIENT_MEM, "out of memory");
  c->ops = ops;
  c->unit = unit;
  c->name = canonical;
  c->owner = me;
  c->refs = 1;
  Status s = ops->ctlr_open(unit, &c->bc);
  if (s != Status::ok) {
    c->bc = nullptr;
    return fail_status(fn, s, Op::get_controller);
  }
  ops->ctlr_attr(c->bc, &c->attr);
  uint64_t key = controllers().insert(Kind::controller, c);
  *controller = handle_of<rsmapi_controller_handle_t>(key);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_get_controller_attr(rsmapi_controller_handle_t chdl,
                                       rsmapi_controller_attr_t *attr) try {
  static const char fn[] = "rsm_get_controller_attr";
  auto c = controllers().find(key_of(chdl));
  if (!c) return fail(fn, RSMERR_BAD_CTLR_HNDL, "not a live controller handle");
  if (!attr || !addr_mapped(attr, sizeof *attr))
    return fail(fn, RSMERR_BAD_ADDR, "attr is not writable storage");
  std::lock_guard<std::mutex> lk(c->mu);
  *attr = c->attr;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_release_controller(rsmapi_controller_handle_t controller) try {
  static const char fn[] = "rsm_release_controller";
  std::lock_guard<std::mutex> ol(open_mu());
  auto c = controllers().find(key_of(controller));
  if (!c) return fail(fn, RSMERR_BAD_CTLR_HNDL, "not a live controller handle");
  std::lock_guard<std::mutex> lk(c->mu);
  if (c->refs <= 0) return fail(fn, RSMERR_BAD_CTLR_HNDL, "no reference left");
  // The last release retires the handle; segments made through it keep the
  // controller object alive until they are destroyed or disconnected.
  if (--c->refs == 0 && !RSMKIT_MUTANT("controller.release_keeps_handle")) controllers().remove(c->key);
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
