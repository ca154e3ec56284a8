// A plug-in backend built against another backend ABI.
#include "core/backend.h"

extern "C" __attribute__((visibility("default"))) void rsmkit_backend_fill_ops(rsmkit::BackendOps *ops) {
  ops->size = sizeof *ops;
  ops->abi_version = rsmkit::kBackendAbiVersion + 1;
  ops->type = "badver";
}
