// rsmkit conformance: the implementation under test. The suite binary
// defines the 42 rsm_* functions itself as trampolines into a librsm loaded
// with dlopen (default: our reference; --impl for any other), so the tests
// are plain calls against <rsmapi.h> and a missing symbol is a test failure
// of that function, not a link error or a crash.
#ifndef RSMC_IMPL_LOADER_H
#define RSMC_IMPL_LOADER_H

#include <string>
#include <vector>

namespace rsmc {

// What a call to a missing function returns: no RSMERR_* code, so every
// assertion on it fails.
constexpr int kMissingSymbol = -1000;

// Loads the implementation; false with *error set when dlopen fails.
bool load_impl(const std::string &path, std::string *error);
const std::string &impl_path();
// The default implementation: the reference library built beside the suite.
std::string default_impl_path();
// Names of <rsmapi.h> functions the implementation lacks.
std::vector<std::string> missing_symbols();
// Called (once per call) when a missing function is called; the framework
// installs a hook that fails the current test.
void set_missing_hook(void (*hook)(const char *name));

}  // namespace rsmc

#endif  // RSMC_IMPL_LOADER_H
