// rsmkit conformance: rsm-conformance. One binary, three roles:
//   rsm-conformance [options]          the runner (runner/runner.cc): runs every
//                                      test in its own process and reports
//   rsm-conformance --child TEST ...   one test process (GoogleTest inside)
//   rsm-conformance --peer             the peer helper process (framework/peer.h)
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "framework/impl_loader.h"
#include "framework/peer.h"
#include "framework/suite.h"
#include "runner/runner.h"

namespace {

void fail_missing(const char *name) {
  ADD_FAILURE() << name << " is missing from the implementation under test ("
                << rsmc::impl_path() << ")";
}

// Takes "--impl PATH" out of argv; returns the path or the default.
std::string take_impl(int *argc, char **argv) {
  std::string impl;
  int out = 1;
  for (int i = 1; i < *argc; i++) {
    if (std::strcmp(argv[i], "--impl") == 0 && i + 1 < *argc) {
      impl = argv[++i];
    } else if (std::strncmp(argv[i], "--impl=", 7) == 0) {
      impl = argv[i] + 7;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  argv[out] = nullptr;
  return impl.empty() ? rsmc::default_impl_path() : impl;
}

bool has_arg(int argc, char **argv, const char *flag) {
  for (int i = 1; i < argc; i++)
    if (std::strcmp(argv[i], flag) == 0) return true;
  return false;
}

// Plain GoogleTest flags (--gtest_list_tests, --gtest_filter=...) also select
// the child role, so the binary can be driven like any gtest binary.
bool has_gtest_flag(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (std::strncmp(argv[i], "--gtest_", 8) == 0) return true;
  return false;
}

}  // namespace

int main(int argc, char **argv) {
  bool peer = has_arg(argc, argv, "--peer");
  bool child = has_arg(argc, argv, "--child") || has_gtest_flag(argc, argv);
  if (!peer && !child) return rsmc::runner_main(argc, argv);

  std::string impl = take_impl(&argc, argv);
  std::string error;
  if (!rsmc::load_impl(impl, &error)) {
    std::fprintf(stderr, "rsm-conformance: cannot load implementation %s: %s\n", impl.c_str(),
                 error.c_str());
    return 2;
  }
  if (peer) return rsmc::peer_main();

  // Child: "--child" is ours; everything else goes to GoogleTest.
  std::vector<char *> args;
  for (int i = 0; i < argc; i++)
    if (std::strcmp(argv[i], "--child") != 0) args.push_back(argv[i]);
  int gargc = static_cast<int>(args.size());
  args.push_back(nullptr);
  rsmc::load_config_from_env();
  // The property tests take RapidCheck's seed from the run's --seed, so a
  // rerun with the same seed replays them; a user's RC_PARAMS wins.
  if (!std::getenv("RC_PARAMS")) {
    std::string rc_params = "seed=" + std::to_string(rsmc::config().seed);
    setenv("RC_PARAMS", rc_params.c_str(), 1);
  }
  rsmc::set_missing_hook(fail_missing);
  ::testing::InitGoogleTest(&gargc, args.data());
  return RUN_ALL_TESTS();
}
