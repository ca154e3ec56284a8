// rsmkit conformance runner: baseline file.
#include "runner/baseline.h"

#include <fstream>

#include "runner/test_list.h"

namespace rsmc {

bool Baseline::load(const std::string &path, std::string *error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read baseline file " + path;
    return false;
  }
  path_ = path;
  entries_.clear();
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    line++;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    size_t start = text.find_first_not_of(" \t");
    if (start == std::string::npos || text[start] == '#') continue;
    size_t end = text.find_first_of(" \t", start);
    size_t reason = end == std::string::npos ? std::string::npos : text.find_first_not_of(" \t", end);
    std::string where = path + ":" + std::to_string(line) + ": ";
    if (reason == std::string::npos) {
      *error = where + "entry \"" + text.substr(start) + "\" has no reason (write: ENTRY REASON...)";
      return false;
    }
    BaselineEntry e{text.substr(start, end - start), text.substr(reason), line};
    for (const auto &old : entries_)
      if (old.pattern == e.pattern) {
        *error = where + "\"" + e.pattern + "\" is listed twice (first on line " +
                 std::to_string(old.line) + ")";
        return false;
      }
    entries_.push_back(std::move(e));
  }
  return true;
}

const BaselineEntry *Baseline::match(const std::string &test, const std::vector<std::string> &ids) const {
  for (const auto &e : entries_) {
    if (glob_match(e.pattern.c_str(), test.c_str())) return &e;
    for (const auto &id : ids)
      if (glob_match(e.pattern.c_str(), id.c_str())) return &e;
  }
  return nullptr;
}

std::string Baseline::describe(const BaselineEntry &e) const {
  return path_ + ":" + std::to_string(e.line) + ": " + e.reason;
}

}  // namespace rsmc
