// A plug-in backend that fills nothing but its identity: every operation
// falls back to the core's "unsupported" defaults.
#include "core/backend.h"

extern "C" __attribute__((visibility("default"))) void rsmkit_backend_fill_ops(rsmkit::BackendOps *ops) {
  ops->size = sizeof *ops;
  ops->abi_version = rsmkit::kBackendAbiVersion;
  ops->type = "fake";
  ops->ctlr_open = [](uint32_t unit, rsmkit::BackendCtlr **out) {
    *out = reinterpret_cast<rsmkit::BackendCtlr *>(uintptr_t{1});
    return unit == 0 ? rsmkit::Status::ok : rsmkit::Status::not_present;
  };
}
