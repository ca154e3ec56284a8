// rsmkit conformance runner: the assertion catalog and the spec's error list,
// parsed from the data compiled into the binary (runner/embedded.h).
//   spec/errors.csv     function,error,condition    the documented pairs
//   catalog/<page>.csv  assertion,function,error,test,condition
// (format and rules: conformance/catalog/README.md).
#ifndef RSMC_RUNNER_CATALOG_H
#define RSMC_RUNNER_CATALOG_H

#include <string>
#include <vector>

namespace rsmc {

// RFC 4180: quoted fields may hold commas, quotes ("") and newlines. Blank
// lines are skipped. False with *error ("line N: ...") when malformed.
bool parse_csv(const std::string &text, std::vector<std::vector<std::string>> *rows,
               std::vector<int> *lines, std::string *error);

struct SpecPair {
  std::string function, error, condition;
  int line = 0;
};

struct CatalogRow {
  std::string assertion, function, error, test, condition;
  std::string file;  // "catalog/import_map.csv"
  int line = 0;
  // "-" in the test column: documented, but no portable way to provoke it.
  bool provokable() const { return test != "-"; }
  std::string where() const { return file + ":" + std::to_string(line); }
};

struct Catalog {
  std::vector<SpecPair> spec;    // spec/errors.csv
  std::vector<CatalogRow> rows;  // every catalog/*.csv, in file order
  std::vector<std::string> files;
  std::vector<std::string> problems;  // files that did not parse

  // Rows whose test column names `test`.
  std::vector<const CatalogRow *> rows_for_test(const std::string &test) const;
  const CatalogRow *row(const std::string &assertion) const;
};

// The catalog compiled into this binary (parsed once).
const Catalog &catalog();
// Rows that exist only for `rsm-conformance --selftest` (RunnerSelfTest).
std::vector<CatalogRow> selftest_rows();

// The 42 functions of <rsmapi.h>, in ABI order.
const std::vector<std::string> &api_functions();
// RSM_SUCCESS and every RSMERR_* name <sys/rsm/rsm_common.h> defines,
// ordered by value.
const std::vector<std::string> &rsm_code_names();
bool is_rsm_code_name(const std::string &name);
// The error column value of errors.csv for a void function.
constexpr const char *kNoError = "(none)";

// tests/*.cc stems this binary was built with; empty: all of them.
std::vector<std::string> built_test_stems();
// "catalog/import_map.csv" -> "import_map".
std::string catalog_stem(const std::string &file);

}  // namespace rsmc

#endif  // RSMC_RUNNER_CATALOG_H
