// The "sparse" controller type, for core_error_paths_test.cc: a plug-in that
// implements only what it takes to make segments (controller, export create,
// destroy and publish, import connect and disconnect, import_map) and leaves
// every other BackendOps entry null, so the core's defaults answer them
// (registry.cc): "unsupported" statuses and event descriptors of -1. It moves
// no data and maps nothing.
//
// RSMKIT_SPARSE_MAP=<n>: import_map fails with Status n (the number of the
// enum in core/backend.h); unset, it fails with map_failed.
// RSMKIT_SPARSE_NO_PUBLISH=1 when the plug-in is loaded: export_publish is
// left null too.
// Limits: attr_max_import_map_size is one page; imports are 4 pages.
#include <unistd.h>

#include <cstdlib>

#include "core/backend.h"

namespace {

using rsmkit::Status;

struct Seg {
  size_t len;
};

size_t page() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

}  // namespace

extern "C" __attribute__((visibility("default"))) void rsmkit_backend_fill_ops(rsmkit::BackendOps *ops) {
  using namespace rsmkit;
  ops->size = sizeof *ops;
  ops->abi_version = kBackendAbiVersion;
  ops->type = "sparse";
  ops->ctlr_open = [](uint32_t unit, BackendCtlr **out) {
    *out = reinterpret_cast<BackendCtlr *>(uintptr_t{1});
    return unit == 0 ? Status::ok : Status::not_present;
  };
  ops->ctlr_attr = [](BackendCtlr *, rsmapi_controller_attr_t *a) {
    *a = {};
    a->attr_page_size = page();
    a->attr_max_import_map_size = page();
  };
  ops->ctlr_local_node = [](BackendCtlr *) -> rsm_node_id_t { return 1; };
  ops->export_create = [](BackendCtlr *, void *, size_t len, uint32_t, BackendExport **out) {
    *out = reinterpret_cast<BackendExport *>(new Seg{len});
    return Status::ok;
  };
  ops->export_destroy = [](BackendExport *e) { delete reinterpret_cast<Seg *>(e); };
  const char *no_publish = std::getenv("RSMKIT_SPARSE_NO_PUBLISH");
  if (!no_publish || *no_publish != '1')
    ops->export_publish = [](BackendExport *, rsm_memseg_id_t *segid, const AclEntry *, uint32_t,
                             uint32_t) {
      if (*segid == 0) *segid = 0x7000001;
      return Status::ok;
    };
  ops->import_connect = [](BackendCtlr *, rsm_node_id_t, rsm_memseg_id_t, ImportInfo *info,
                           BackendImport **out) {
    *info = ImportInfo{4 * page(), true, 0666, static_cast<uint32_t>(geteuid()),
                       static_cast<uint32_t>(getegid())};
    *out = reinterpret_cast<BackendImport *>(new Seg{info->size});
    return Status::ok;
  };
  ops->import_disconnect = [](BackendImport *i) { delete reinterpret_cast<Seg *>(i); };
  ops->import_map = [](BackendImport *, size_t, size_t, int, Placement, void *, void **) {
    const char *v = std::getenv("RSMKIT_SPARSE_MAP");
    return v ? static_cast<Status>(std::atoi(v)) : Status::map_failed;
  };
}
