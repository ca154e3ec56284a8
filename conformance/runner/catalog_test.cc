// rsmkit conformance: the Catalog tests -- checks of the catalog data itself
// (conformance/catalog/README.md). They run like every other test, so a
// vendor's report shows whether the suite it ran was complete.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "runner/catalog.h"
#include "runner/test_list.h"

namespace rsmc {
namespace {

// Collects problems and reports them as one failure listing all of them.
class Problems {
 public:
  void add(const std::string &p) { list_.push_back(p); }
  // One failure whose first line counts the problems (the runner's summary
  // shows first lines) and whose next lines list every one.
  void report(const char *what) const {
    if (list_.empty()) return;
    std::string text = std::to_string(list_.size()) + " " + what + ":";
    for (const auto &p : list_) text += "\n  " + p;
    ADD_FAILURE() << text;
  }

 private:
  std::vector<std::string> list_;
};

bool is_function(const std::string &f) {
  const auto &all = api_functions();
  return std::find(all.begin(), all.end(), f) != all.end();
}

bool pair_matches(const SpecPair &p, const CatalogRow &r) {
  if (p.function != r.function) return false;
  // The void function documents "(none)"; its success row may say either.
  if (p.error == kNoError) return r.error == kNoError || r.error == "RSM_SUCCESS";
  return p.error == r.error;
}

bool built_from(const CatalogRow &r) {
  auto stems = built_test_stems();
  return stems.empty() || std::find(stems.begin(), stems.end(), catalog_stem(r.file)) != stems.end();
}

TEST(Catalog, FilesParse) {
  const Catalog &c = catalog();
  Problems p;
  for (const auto &problem : c.problems) p.add(problem);
  if (c.spec.empty()) p.add("spec/errors.csv has no rows");
  if (c.files.empty()) p.add("no catalog/*.csv file is compiled in");
  p.report("catalog file problem(s)");
}

TEST(Catalog, SpecNamesTheFortyTwoFunctions) {
  const Catalog &c = catalog();
  Problems p;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto &s : c.spec) {
    std::string where = "spec/errors.csv:" + std::to_string(s.line) + ": ";
    if (!is_function(s.function)) p.add(where + s.function + " is not a function of <rsmapi.h>");
    if (s.error != kNoError && (!is_rsm_code_name(s.error) || s.error == "RSM_SUCCESS"))
      p.add(where + s.error + " is not an RSMERR_* name of <sys/rsm/rsm_common.h>");
    if (!seen.insert({s.function, s.error}).second) p.add(where + s.function + "/" + s.error + " is listed twice");
  }
  for (const auto &f : api_functions())
    if (std::none_of(c.spec.begin(), c.spec.end(), [&f](const SpecPair &s) { return s.function == f; }))
      p.add(f + " has no row in spec/errors.csv");
  p.report("problem(s) in spec/errors.csv");
}

TEST(Catalog, AssertionIdsAreUniqueAndWellFormed) {
  Problems p;
  std::map<std::string, std::string> first;
  for (const auto &r : catalog().rows) {
    bool ok = !r.assertion.empty() && r.assertion.front() != '.' && r.assertion.back() != '.';
    for (char ch : r.assertion)
      if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-')) ok = false;
    if (!ok)
      p.add(r.where() + ": assertion id \"" + r.assertion +
            "\" must be letters, digits, '_', '-' and inner '.' only");
    auto [it, fresh] = first.emplace(r.assertion, r.where());
    if (!fresh) p.add(r.where() + ": assertion id " + r.assertion + " is already used at " + it->second);
  }
  p.report("bad or duplicate assertion id(s)");
}

TEST(Catalog, RowsNameKnownFunctionsAndCodes) {
  Problems p;
  for (const auto &r : catalog().rows) {
    if (!is_function(r.function)) p.add(r.where() + ": " + r.function + " is not one of the 42 functions");
    bool void_none = r.error == kNoError && r.function == "rsm_free_interconnect_topology";
    if (!void_none && !is_rsm_code_name(r.error))
      p.add(r.where() + ": error \"" + r.error + "\" is neither RSM_SUCCESS nor an RSMERR_* name");
    if (r.condition.empty()) p.add(r.where() + ": the condition column is empty");
  }
  p.report("catalog row(s) with an unknown function, code or no condition");
}

TEST(Catalog, EveryDocumentedPairHasARow) {
  const Catalog &c = catalog();
  Problems p;
  for (const auto &s : c.spec)
    if (std::none_of(c.rows.begin(), c.rows.end(), [&s](const CatalogRow &r) { return pair_matches(s, r); }))
      p.add(s.function + " / " + s.error + " (spec/errors.csv:" + std::to_string(s.line) +
            "): no catalog row; add a test, or a row with test \"-\" whose condition says why it "
            "cannot be provoked portably");
  p.report("documented (function, error) pair(s) without a catalog row");
}

TEST(Catalog, EveryFunctionHasSuccessSemantics) {
  const Catalog &c = catalog();
  Problems p;
  for (const auto &f : api_functions())
    if (std::none_of(c.rows.begin(), c.rows.end(), [&f](const CatalogRow &r) {
          return r.function == f && (r.error == "RSM_SUCCESS" || r.error == kNoError) && r.provokable();
        }))
      p.add(f + ": no RSM_SUCCESS row with a test (what a successful call must do)");
  p.report("function(s) without success semantics");
}

TEST(Catalog, RowsNameRegisteredTests) {
  auto tests = registered_tests();
  Problems p;
  int skipped = 0;
  for (const auto &r : catalog().rows) {
    if (!r.provokable()) continue;  // "-": the condition says why (checked above)
    if (!built_from(r)) {
      skipped++;
      continue;
    }
    if (!std::binary_search(tests.begin(), tests.end(), r.test))
      p.add(r.where() + ": " + r.assertion + " names test \"" + r.test +
            "\", which is not registered in this binary (expected \"Suite.Name\")");
  }
  p.report("catalog row(s) naming a test that does not exist");
  if (skipped) RecordProperty("rows_of_unbuilt_tests", skipped);
}

TEST(Catalog, EveryTestHasACatalogRow) {
  const Catalog &c = catalog();
  Problems p;
  for (const auto &t : registered_tests()) {
    std::string suite = t.substr(0, t.find('.'));
    if (suite == "Catalog" || suite == kSelfTestSuite) continue;
    if (c.rows_for_test(t).empty())
      p.add(t + " is named by no catalog row: give it the assertion ids it checks");
  }
  p.report("test(s) without a catalog row");
}

}  // namespace
}  // namespace rsmc
