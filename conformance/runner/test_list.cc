// rsmkit conformance runner: test selection.
#include "runner/test_list.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace rsmc {

std::vector<std::string> registered_tests() {
  std::vector<std::string> out;
  auto *ut = ::testing::UnitTest::GetInstance();
  for (int s = 0; s < ut->total_test_suite_count(); s++) {
    const ::testing::TestSuite *suite = ut->GetTestSuite(s);
    std::string sname = suite->name();
    for (int t = 0; t < suite->total_test_count(); t++) {
      std::string tname = suite->GetTestInfo(t)->name();
      if (sname.rfind("DISABLED_", 0) == 0 || tname.rfind("DISABLED_", 0) == 0) continue;
      out.push_back(sname + "." + tname);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool glob_match(const char *p, const char *s) {
  // Iterative matcher with one backtrack point: linear for '*' patterns.
  const char *star = nullptr, *resume = nullptr;
  while (*s) {
    if (*p == '?' || (*p && *p != '*' && *p == *s)) {
      p++;
      s++;
    } else if (*p == '*') {
      star = p++;
      resume = s;
    } else if (star) {
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (*p == '*') p++;
  return *p == 0;
}

namespace {
std::vector<std::string> split_patterns(const std::string &s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t colon = s.find(':', start);
    std::string part = s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!part.empty()) out.push_back(part);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return out;
}
}  // namespace

TestFilter::TestFilter(const std::string &expr) {
  size_t dash = expr.find('-');
  pos_ = split_patterns(expr.substr(0, dash));
  if (dash != std::string::npos) neg_ = split_patterns(expr.substr(dash + 1));
}

bool TestFilter::matches(const std::string &name) const {
  bool pos = pos_.empty();
  for (const auto &p : pos_)
    if (glob_match(p.c_str(), name.c_str())) pos = true;
  if (!pos) return false;
  for (const auto &n : neg_)
    if (glob_match(n.c_str(), name.c_str())) return false;
  return true;
}

std::vector<std::string> shard(const std::vector<std::string> &sorted, int index, int count) {
  std::vector<std::string> out;
  for (size_t i = 0; i < sorted.size(); i++)
    if (static_cast<int>(i % static_cast<size_t>(count)) == index - 1) out.push_back(sorted[i]);
  return out;
}

void shuffle(std::vector<std::string> *tests, uint64_t seed) {
  uint64_t state = seed;
  auto next = [&state] {  // splitmix64
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  for (size_t i = tests->size(); i > 1; i--) {
    size_t j = static_cast<size_t>(next() % i);
    std::swap((*tests)[i - 1], (*tests)[j]);
  }
}

}  // namespace rsmc
