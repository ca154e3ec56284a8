// rsmkit conformance: trampolines into the implementation under test.
#include "framework/impl_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "framework/api_list.h"

namespace rsmc {

namespace {

struct ApiTable {
#define RSMC_FIELD(ret, name, params, args) ret(*name) params = nullptr;
  RSMC_API_LIST(RSMC_FIELD)
#undef RSMC_FIELD
};

ApiTable g_api;
std::string g_path;
void (*g_missing_hook)(const char *) = nullptr;

void report_missing(const char *name) {
  if (g_missing_hook) g_missing_hook(name);
}

}  // namespace

bool load_impl(const std::string &path, std::string *error) {
  // The suite binary does not export its trampolines (no -rdynamic), so the
  // library's internal calls to its own rsm_* functions bind inside it.
  void *dl = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    *error = dlerror();
    return false;
  }
  g_path = path;
#define RSMC_LOAD(ret, name, params, args) \
  g_api.name = reinterpret_cast<ret(*) params>(dlsym(dl, #name));
  RSMC_API_LIST(RSMC_LOAD)
#undef RSMC_LOAD
  return true;
}

const std::string &impl_path() { return g_path; }

std::string default_impl_path() {
  if (const char *env = std::getenv("RSMC_IMPL"); env && *env) return env;
  // An installed suite uses the librsm installed beside it; a suite in the
  // build tree uses the reference built with it.
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir.resize(dir.rfind('/'));
#ifdef RSMC_INSTALL_LIBDIR
    std::string cand = dir + "/../" RSMC_INSTALL_LIBDIR "/librsm.so.2";
    if (access(cand.c_str(), R_OK) == 0) return cand;
#endif
  }
#ifdef RSMC_REFERENCE_LIB
  if (access(RSMC_REFERENCE_LIB, R_OK) == 0) return RSMC_REFERENCE_LIB;
#endif
  return "librsm.so.2";  // whatever the dynamic linker finds
}

std::vector<std::string> missing_symbols() {
  std::vector<std::string> out;
#define RSMC_CHECK(ret, name, params, args) \
  if (!g_api.name) out.push_back(#name);
  RSMC_API_LIST(RSMC_CHECK)
#undef RSMC_CHECK
  return out;
}

void set_missing_hook(void (*hook)(const char *name)) { g_missing_hook = hook; }

}  // namespace rsmc

// The trampolines. Only rsm_free_interconnect_topology returns void.
namespace {
template <class R>
R missing_result() { return static_cast<R>(rsmc::kMissingSymbol); }
template <>
void missing_result<void>() {}
}  // namespace

#define RSMC_TRAMPOLINE(ret, name, params, args)                \
  extern "C" ret name params {                                  \
    if (!rsmc::g_api.name) {                                    \
      rsmc::report_missing(#name);                              \
      return missing_result<ret>();                             \
    }                                                           \
    return rsmc::g_api.name args;                               \
  }
RSMC_API_LIST(RSMC_TRAMPOLINE)
#undef RSMC_TRAMPOLINE
