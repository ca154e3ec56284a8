// rsmkit fuzz: implementation loading shared by the harnesses.
#include "fuzz_impl.h"

#include <unistd.h>

#include <mutex>

namespace rsmfuzz {

namespace {
rsmapi_controller_handle_t g_ctlr = nullptr;
size_t g_page = 0;
rsm_node_id_t g_node = 0;
}  // namespace

void load_impl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char *env = std::getenv("RSM_FUZZ_IMPL");
    std::string path = env && *env ? env : rsmc::default_impl_path();
    std::string error;
    if (!rsmc::load_impl(path, &error)) {
      std::fprintf(stderr, "fuzz: cannot load %s: %s\n", path.c_str(), error.c_str());
      std::exit(2);
    }
    auto missing = rsmc::missing_symbols();
    if (!missing.empty()) {
      std::fprintf(stderr, "fuzz: %s lacks %s (and %zu more)\n", path.c_str(), missing[0].c_str(),
                   missing.size() - 1);
      std::exit(2);
    }
    std::string name;
    if (const char *c = std::getenv("RSM_FUZZ_CONTROLLER")) name = c;
    rsm_topology_t *t = nullptr;
    if (rsm_get_interconnect_topology(&t) == RSM_SUCCESS && t) {
      g_node = t->topology_hdr.local_nodeid;
      if (name.empty() && t->topology_hdr.local_cntlr_count > 0) name = t->connections[0]->hdr.cntlr_name;
      rsm_free_interconnect_topology(t);
    }
    if (rsm_get_controller(name.data(), &g_ctlr) != RSM_SUCCESS) {
      std::fprintf(stderr, "fuzz: cannot open controller '%s'\n", name.c_str());
      std::exit(2);
    }
    rsmapi_controller_attr_t attr{};
    rsm_get_controller_attr(g_ctlr, &attr);
    g_page = attr.attr_page_size ? attr.attr_page_size : static_cast<size_t>(sysconf(_SC_PAGESIZE));
  });
}

rsmapi_controller_handle_t controller() { return g_ctlr; }
size_t page_size() { return g_page; }
rsm_node_id_t local_node() { return g_node; }

void violation(const char *what, const std::string &detail) {
  std::fprintf(stderr, "\n== rsmkit oracle violation in %s: %s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace rsmfuzz

// libFuzzer calls this before its first input: loading the implementation
// here registers its coverage counters before fuzzing starts, so the
// library's own branches guide the search (a dlopen later would be missed).
extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  rsmfuzz::load_impl_once();
  return 0;
}
