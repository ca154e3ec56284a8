// rsmkit conformance runner: the state of a run, from which every report is
// written, and the verdicts derived from it (test -> assertion -> matrix).
#ifndef RSMC_RUNNER_RUN_STATE_H
#define RSMC_RUNNER_RUN_STATE_H

#include <map>
#include <string>
#include <vector>

#include "runner/baseline.h"
#include "runner/catalog.h"
#include "runner/options.h"
#include "runner/results.h"

namespace rsmc {

struct RunState {
  Options opts;
  std::string self_exe;
  std::string impl;  // absolute path of the implementation under test
  std::vector<std::string> missing_symbols;
  std::vector<CatalogRow> rows;     // catalog (+ selftest rows with --selftest)
  std::vector<SpecPair> spec;       // documented pairs
  std::vector<TestRecord> tests;    // the selected tests, sorted by name
  Baseline baseline;
  std::string started_utc;          // ISO 8601
  double start_mono = 0, elapsed = 0;
  size_t finished = 0;              // tests done
  bool complete = false;            // every selected test is done, reports final
  int stop_signal = 0;              // the signal that interrupted the run
};

// Settles a test's verdict from its attempts, catalog coverage and the
// baseline (sets result, message, recorded, uncovered, baseline_entry).
void decide(RunState *run, TestRecord *t);

struct AssertionVerdict {
  const CatalogRow *row;
  Verdict verdict;
  std::string reason;  // for anything but pass: the first line of why
};
std::vector<AssertionVerdict> assertion_verdicts(const RunState &run);

struct MatrixCell {
  std::string function, error;
  bool documented = false;  // in spec/errors.csv, or RSM_SUCCESS
  Verdict verdict = Verdict::uncatalogued;
  std::vector<const AssertionVerdict *> assertions;
};
// Cells in ABI function order; per function RSM_SUCCESS, then the errors by
// value, then "(none)".
std::vector<MatrixCell> matrix_cells(const RunState &run, const std::vector<AssertionVerdict> &av);

// Counts for summaries.
std::map<Result, int> count_results(const RunState &run);
int count_failures(const RunState &run);

// Shell-quoted for a copy-and-paste command line.
std::string shell_quote(const std::string &s);
// The command that reruns just `test` with this run's settings and seed.
std::string rerun_command(const RunState &run, const std::string &test);
// First line of a message.
std::string first_line(const std::string &s);

// Report writers (reports.cc / *_report.cc); each writes atomically and
// returns false with *error on an I/O error.
bool write_json_report(const RunState &run, const std::string &path, std::string *error);
bool write_junit_report(const RunState &run, const std::string &path, std::string *error);
bool write_matrix_markdown(const RunState &run, const std::string &path, std::string *error);
bool write_matrix_html(const RunState &run, const std::string &path, std::string *error);
bool write_report_file(const std::string &path, const std::string &text, std::string *error);

}  // namespace rsmc

#endif  // RSMC_RUNNER_RUN_STATE_H
