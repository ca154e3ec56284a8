// rsmkit conformance runner: which tests exist and which ones a run selects.
#ifndef RSMC_RUNNER_TEST_LIST_H
#define RSMC_RUNNER_TEST_LIST_H

#include <cstdint>
#include <string>
#include <vector>

namespace rsmc {

// Suite of the runner's own crash/hang/flake tests; only run with --selftest.
constexpr const char *kSelfTestSuite = "RunnerSelfTest";

// Every enabled test registered in this binary, as "Suite.Name", sorted.
// Needs InitGoogleTest to have run (value-parameterized tests register then).
std::vector<std::string> registered_tests();

// GoogleTest-style glob: '*' any run of characters, '?' one character.
bool glob_match(const char *pattern, const char *name);

// A --filter expression: "POS1:POS2-NEG1:NEG2", like --gtest_filter. An empty
// positive part selects everything.
class TestFilter {
 public:
  explicit TestFilter(const std::string &expr = "");
  bool matches(const std::string &name) const;

 private:
  std::vector<std::string> pos_, neg_;
};

// Keeps the tests of shard `index` (1-based) of `count`: sorted order, round
// robin, so every shard gets a similar mix and the split is deterministic.
std::vector<std::string> shard(const std::vector<std::string> &sorted, int index, int count);

// Deterministic Fisher-Yates shuffle (own PRNG: the order is the same for a
// seed on every platform and standard library).
void shuffle(std::vector<std::string> *tests, uint64_t seed);

}  // namespace rsmc

#endif  // RSMC_RUNNER_TEST_LIST_H
