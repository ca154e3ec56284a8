// rsmkit conformance runner: the baseline of known deviations (--baseline).
// One entry per line: a test name ("Suite.Name") or an assertion id, '*'/'?'
// globs allowed, then whitespace and the reason, which is required:
//   ImportMap.ConcurrentMapsExactlyOneWins  vendor bug 1234, fixed in 2.1
//   import_map.BAD_OFFSET.*                 we return RSMERR_BAD_LENGTH
// '#' starts a comment line; blank lines are ignored.
#ifndef RSMC_RUNNER_BASELINE_H
#define RSMC_RUNNER_BASELINE_H

#include <string>
#include <vector>

namespace rsmc {

struct BaselineEntry {
  std::string pattern, reason;
  int line = 0;
};

class Baseline {
 public:
  // False with *error ("FILE:LINE: ...") when unreadable or malformed.
  bool load(const std::string &path, std::string *error);
  bool empty() const { return entries_.empty(); }
  const std::string &path() const { return path_; }
  const std::vector<BaselineEntry> &entries() const { return entries_; }
  // The first entry that names `test` or one of `ids`, or nullptr.
  const BaselineEntry *match(const std::string &test, const std::vector<std::string> &ids) const;
  // "FILE:LINE: reason" for reports.
  std::string describe(const BaselineEntry &e) const;

 private:
  std::string path_;
  std::vector<BaselineEntry> entries_;
};

}  // namespace rsmc

#endif  // RSMC_RUNNER_BASELINE_H
