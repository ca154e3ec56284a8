// rsmkit reference librsm: backend registry. Built-in backends are listed in
// one table; other controller types are looked up as plug-ins
// (librsmkit-backend-<type>.so in the directories of RSMKIT_BACKEND_PATH),
// the way illumos loads one support library per controller type.
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "backends/shm/shm_backend.h"
#include "core/core.h"
#ifdef RSMKIT_HAVE_OFI
#include "backends/ofi/ofi_backend.h"
#endif

namespace rsmkit {

namespace {

// Null entries become these, so the core never tests an entry for null.
void fill_defaults(BackendOps &o) {
  using S = Status;
  if (!o.ctlr_close) o.ctlr_close = [](BackendCtlr *) {};
  if (!o.ctlr_attr) o.ctlr_attr = [](BackendCtlr *, rsmapi_controller_attr_t *a) { *a = {}; };
  if (!o.ctlr_local_node) o.ctlr_local_node = [](BackendCtlr *) -> rsm_node_id_t { return 0; };
  if (!o.ctlr_hwaddr) o.ctlr_hwaddr = [](BackendCtlr *) -> rsm_addr_t { return 0; };
  if (!o.ctlr_remotes)
    o.ctlr_remotes = [](BackendCtlr *, RemoteNode *, size_t, size_t *n) { *n = 0; return S::ok; };
  if (!o.export_create)
    o.export_create = [](BackendCtlr *, void *, size_t, uint32_t, BackendExport **) {
      return S::unsupported; };
  if (!o.export_rebind)
    o.export_rebind = [](BackendExport *, void *, size_t) { return S::unsupported; };
  if (!o.export_destroy) o.export_destroy = [](BackendExport *) {};
  if (!o.export_publish)
    o.export_publish = [](BackendExport *, rsm_memseg_id_t *, const AclEntry *, uint32_t,
                          uint32_t) { return S::unsupported; };
  if (!o.export_republish)
    o.export_republish = [](BackendExport *, const AclEntry *, uint32_t, uint32_t) {
      return S::unsupported; };
  if (!o.export_unpublish) o.export_unpublish = [](BackendExport *) { return S::ok; };
  if (!o.import_connect)
    o.import_connect = [](BackendCtlr *, rsm_node_id_t, rsm_memseg_id_t, ImportInfo *,
                          BackendImport **) { return S::unsupported; };
  if (!o.import_disconnect) o.import_disconnect = [](BackendImport *) {};
  if (!o.import_check) o.import_check = [](BackendImport *) { return S::ok; };
  if (!o.import_map)
    o.import_map = [](BackendImport *, size_t, size_t, int, Placement, void *, void **) {
      return S::unsupported; };
  if (!o.import_unmap) o.import_unmap = [](BackendImport *, void *, size_t, Placement) {};
  if (!o.import_xfer)
    o.import_xfer = [](BackendImport *, Direction, size_t, void *, size_t, size_t) {
      return S::unsupported; };
  if (!o.import_fence) o.import_fence = [](BackendImport *) { return S::ok; };
  if (!o.export_event_fd) o.export_event_fd = [](BackendExport *) { return -1; };
  if (!o.import_event_fd) o.import_event_fd = [](BackendImport *) { return -1; };
  if (!o.export_signal) o.export_signal = [](BackendExport *, bool) { return S::unsupported; };
  if (!o.import_signal) o.import_signal = [](BackendImport *, bool) { return S::unsupported; };
  if (!o.event_consume) o.event_consume = [](int) { return false; };
  if (!o.localmem_create)
    o.localmem_create = [](BackendCtlr *, void *, size_t, BackendLocalMem **out) {
      *out = nullptr;
      return S::ok;
    };
  if (!o.localmem_free) o.localmem_free = [](BackendLocalMem *) {};
}

using FillFn = void (*)(BackendOps &);

// The built-in backends, in topology order.
const FillFn kBuiltins[] = {
    shm::fill_ops,
#ifdef RSMKIT_HAVE_OFI
    ofi::fill_ops,
#endif
};
constexpr size_t kBuiltinCount = sizeof kBuiltins / sizeof kBuiltins[0];

struct Registry {
  std::mutex mu;
  BackendOps builtin[kBuiltinCount];
  std::map<std::string, BackendOps> plugins;
  Registry() {
    for (size_t i = 0; i < kBuiltinCount; i++) {
      builtin[i] = BackendOps{};
      kBuiltins[i](builtin[i]);
      fill_defaults(builtin[i]);
    }
  }
};

Registry &registry() {
  static auto *r = new Registry;
  return *r;
}

// Plug-in entry point: extern "C" void rsmkit_backend_fill_ops(BackendOps *).
using PluginFillFn = void (*)(BackendOps *);

bool load_plugin(const std::string &type, BackendOps *out, bool *abi_mismatch) {
  const char *path = std::getenv("RSMKIT_BACKEND_PATH");
  if (!path || !*path) return false;
  std::string dirs(path);
  size_t pos = 0;
  while (pos <= dirs.size()) {
    size_t end = dirs.find(':', pos);
    if (end == std::string::npos) end = dirs.size();
    std::string file = dirs.substr(pos, end - pos) + "/librsmkit-backend-" + type + ".so";
    pos = end + 1;
    void *dl = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!dl) continue;
    auto fill = reinterpret_cast<PluginFillFn>(dlsym(dl, "rsmkit_backend_fill_ops"));
    if (!fill) {
      dlclose(dl);
      continue;
    }
    BackendOps ops{};
    ops.size = 0;
    fill(&ops);
    if (ops.size != sizeof(BackendOps) || ops.abi_version != kBackendAbiVersion) {
      *abi_mismatch = true;
      dlclose(dl);
      return false;
    }
    ops.type = nullptr;  // the plug-in's string may not outlive dlclose; we never dlclose
    fill_defaults(ops);
    *out = ops;
    return true;  // stays loaded for the life of the process
  }
  return false;
}

bool valid_type(const std::string &t) {
  if (t.empty() || t.size() > 32) return false;
  for (char c : t)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

}  // namespace

const BackendOps *find_backend(const std::string &type, bool *abi_mismatch) {
  *abi_mismatch = false;
  Registry &r = registry();
  for (auto &ops : r.builtin)
    if (type == ops.type) return &ops;
  if (!valid_type(type)) return nullptr;
  std::lock_guard<std::mutex> lk(r.mu);
  auto it = r.plugins.find(type);
  if (it != r.plugins.end()) return &it->second;
  BackendOps ops{};
  if (!load_plugin(type, &ops, abi_mismatch)) return nullptr;
  auto &slot = r.plugins[type];
  slot = ops;
  slot.type = r.plugins.find(type)->first.c_str();
  return &slot;
}

size_t builtin_backends(const BackendOps **out, size_t max) {
  Registry &r = registry();
  size_t n = 0;
  for (auto &ops : r.builtin)
    if (n < max) out[n++] = &ops;
  return n;
}

}  // namespace rsmkit
