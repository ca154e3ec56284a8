// rsmkit conformance: the forwarding half of every broken shim (forward.h).
#include "property/broken/forward.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include "framework/api_list.h"

namespace rsmc::broken {

void *real(const char *name) {
  static void *dl = [] {
    const char *path = std::getenv("RSMC_BROKEN_TARGET");
    if (!path || !*path) path = RSMC_BROKEN_TARGET_DEFAULT;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      std::fprintf(stderr, "rsm-broken shim: cannot load %s: %s\n", path, dlerror());
      std::abort();
    }
    return h;
  }();
  void *f = dlsym(dl, name);
  if (!f) {
    std::fprintf(stderr, "rsm-broken shim: the target lacks %s\n", name);
    std::abort();
  }
  return f;
}

}  // namespace rsmc::broken

// Weak: a shim's own (broken) definition replaces the forwarder.
#define RSMC_FORWARD(ret, name, params, args)          \
  extern "C" __attribute__((weak)) ret name params {  \
    static const auto fn = RSMC_REAL(name);            \
    return fn args;                                    \
  }
RSMC_API_LIST(RSMC_FORWARD)
#undef RSMC_FORWARD
