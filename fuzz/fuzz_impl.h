// rsmkit fuzz: loading the implementation under test (ours by default;
// RSM_FUZZ_IMPL=/path/librsm.so for a vendor's) and reporting oracle failures.
#ifndef RSMKIT_FUZZ_FUZZ_IMPL_H
#define RSMKIT_FUZZ_FUZZ_IMPL_H

#include <rsmapi.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "framework/impl_loader.h"
#include "framework/rc_set.h"

namespace rsmfuzz {

// Loads the implementation once; exits the process (not a finding) when it
// cannot be loaded at all.
void load_impl_once();

// The controller to use: RSM_FUZZ_CONTROLLER, else the first in the topology.
rsmapi_controller_handle_t controller();
size_t page_size();
rsm_node_id_t local_node();

// An oracle violation: print what happened and abort, so the fuzzer keeps
// the input as a crash.
[[noreturn]] void violation(const char *what, const std::string &detail);

inline void expect_in(const char *call, int rc, const rsmc::RcSet &allowed, const std::string &args) {
  if (!allowed.has(rc))
    violation(call, "returned " + std::to_string(rc) + " " + rsmc::rc_name(rc) + "; allowed: " +
                        allowed.str() + "; arguments: " + args);
}

}  // namespace rsmfuzz

#endif  // RSMKIT_FUZZ_FUZZ_IMPL_H
