// rsmkit conformance runner: command-line options.
#ifndef RSMC_RUNNER_OPTIONS_H
#define RSMC_RUNNER_OPTIONS_H

#include <cstdint>
#include <string>

namespace rsmc {

struct Options {
  std::string impl;                // --impl; empty: the reference
  std::string controller;          // --controller
  std::string peer_cmd = "{}";     // --peer-cmd
  double timeout_scale = 1.0;      // --timeout-scale
  double timeout_s = 60;           // --timeout (per test, before scaling)
  uint64_t seed = 1;               // --seed
  int jobs = 0;                    // -j; 0: number of CPUs
  bool list = false;               // --list
  std::string filter;              // --filter
  int shard_index = 1, shard_count = 1;  // --shard I/N
  bool shuffle = false;            // --shuffle
  int repeat = 1;                  // --repeat
  int retry = 0;                   // --retry
  bool allow_flaky = false;        // --allow-flaky
  std::string baseline;            // --baseline
  std::string junit, json, matrix_md, matrix_html;
  bool verbose = false;            // -v: print the whole output of failing tests
  bool quiet = false;              // -q: no line per passing test
  bool selftest = false;           // hidden: include RunnerSelfTest.*
  bool keep_temp = false;          // hidden: keep the per-test result files
  bool help = false;
  bool version = false;
};

// Parses argv; false with *error set on a usage error (exit code 2).
bool parse_options(int argc, char **argv, Options *o, std::string *error);
// The --help text.
std::string usage_text();

}  // namespace rsmc

#endif  // RSMC_RUNNER_OPTIONS_H
