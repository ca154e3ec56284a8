// rsmkit conformance runner: from attempts to test verdicts, from test
// verdicts to catalog assertions, and from assertions to the matrix.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "runner/run_state.h"

namespace rsmc {

const char *result_name(Result r) {
  switch (r) {
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::crash: return "crash";
    case Result::timeout: return "timeout";
    case Result::not_applicable: return "not-applicable";
    case Result::unresolved: return "unresolved";
    case Result::flaky: return "flaky";
    case Result::expected_fail: return "expected-fail";
    case Result::unexpected_pass: return "unexpected-pass";
  }
  return "?";
}

const char *result_label(Result r) {
  switch (r) {
    case Result::pass: return "PASS";
    case Result::fail: return "FAIL";
    case Result::crash: return "CRASH";
    case Result::timeout: return "TIMEOUT";
    case Result::not_applicable: return "N/A";
    case Result::unresolved: return "UNRESOLVED";
    case Result::flaky: return "FLAKY";
    case Result::expected_fail: return "XFAIL";
    case Result::unexpected_pass: return "XPASS";
  }
  return "?";
}

bool is_failure(Result r, bool allow_flaky) {
  switch (r) {
    case Result::pass:
    case Result::not_applicable:
    case Result::expected_fail: return false;
    case Result::flaky: return !allow_flaky;
    default: return true;
  }
}

const char *verdict_name(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::flaky: return "flaky";
    case Verdict::expected_fail: return "expected-fail";
    case Verdict::not_applicable: return "not-applicable";
    case Verdict::not_provokable: return "not-provokable";
    case Verdict::not_run: return "not-run";
    case Verdict::uncatalogued: return "uncatalogued";
  }
  return "?";
}

std::string first_line(const std::string &s) { return s.substr(0, s.find('\n')); }

std::string shell_quote(const std::string &s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || std::string("/._-+=:,@%").find(c) != std::string::npos))
      plain = false;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string rerun_command(const RunState &run, const std::string &test) {
  const Options &o = run.opts;
  std::string cmd;
  // Settings the tests read from the environment must come along, or the
  // rerun is a different test (the property tests' case counts above all).
  for (const char *var : {"RSMC_PROPERTY_CASES", "RC_PARAMS", "RSMKIT_SHM_MAX_SEGMENTS", "RSMKIT_NODE_ID"})
    if (const char *v = std::getenv(var); v && *v) cmd += std::string(var) + "=" + shell_quote(v) + " ";
  cmd += shell_quote(run.self_exe) + " --impl " + shell_quote(run.impl);
  if (!o.controller.empty()) cmd += " --controller " + shell_quote(o.controller);
  if (o.peer_cmd != "{}") cmd += " --peer-cmd " + shell_quote(o.peer_cmd);
  char num[64];
  if (o.timeout_scale != 1.0) {
    std::snprintf(num, sizeof num, "%g", o.timeout_scale);
    cmd += std::string(" --timeout-scale ") + num;
  }
  if (o.timeout_s != 60) {
    std::snprintf(num, sizeof num, "%g", o.timeout_s);
    cmd += std::string(" --timeout ") + num;
  }
  if (o.selftest) cmd += " --selftest";
  return cmd + " --filter '" + test + "' --seed " + std::to_string(o.seed);
}

namespace {
bool good(Result r) { return r == Result::pass || r == Result::not_applicable; }
bool contains(const std::vector<std::string> &v, const std::string &s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

void decide(RunState *run, TestRecord *t) {
  t->done = true;
  t->seconds = 0;
  std::vector<const Attempt *> bad, ok;
  bool any_finished = false;
  t->recorded.clear();
  for (const auto &a : t->attempts) {
    t->seconds += a.seconds;
    (good(a.result) ? ok : bad).push_back(&a);
    if (!a.finished) continue;
    any_finished = true;
    for (const auto &id : a.recorded)
      if (!contains(t->recorded, id)) t->recorded.push_back(id);
  }
  if (t->attempts.empty()) {
    t->result = Result::unresolved;
    t->message = "no attempt ran";
  } else if (bad.empty()) {
    bool all_na = std::all_of(ok.begin(), ok.end(),
                              [](const Attempt *a) { return a->result == Result::not_applicable; });
    t->result = all_na ? Result::not_applicable : Result::pass;
    t->message = all_na ? ok[0]->message : "";
  } else if (ok.empty()) {
    t->result = bad[0]->result;
    t->message = bad[0]->message;
  } else {
    t->result = Result::flaky;
    t->message = "failed " + std::to_string(bad.size()) + " of " + std::to_string(t->attempts.size()) +
                 " attempts and passed the others; first failure (" + result_label(bad[0]->result) +
                 "): " + bad[0]->message;
  }

  // Catalog/test agreement: each row's test must call covers(id) for it, and
  // each id a test covers must be a row of that test.
  t->uncovered.clear();
  std::string mismatch;
  bool skipped_early = t->result == Result::not_applicable && t->recorded.empty();
  if (any_finished && !skipped_early) {
    for (const auto &id : t->catalog_ids)
      if (!contains(t->recorded, id)) {
        t->uncovered.push_back(id);
        mismatch += "\ncatalog/test mismatch: the catalog lists \"" + id +
                    "\" for this test, but the test never called covers(\"" + id + "\")";
      }
    for (const auto &id : t->recorded) {
      const CatalogRow *row = nullptr;
      for (const auto &r : run->rows)
        if (r.assertion == id) row = &r;
      if (!row)
        mismatch += "\ncatalog/test mismatch: covers(\"" + id + "\") names no catalog assertion";
      else if (row->test != t->name)
        mismatch += "\ncatalog/test mismatch: covers(\"" + id + "\") names an assertion the catalog (" +
                    row->where() + ") gives to " + row->test;
    }
  }
  if (!mismatch.empty()) {
    mismatch.erase(0, 1);
    if (good(t->result)) {
      t->result = Result::fail;
      t->message = mismatch;
    } else {
      t->message += "\n" + mismatch;
    }
  }

  t->baseline_entry.clear();
  if (!run->baseline.empty()) {
    std::vector<std::string> ids = t->catalog_ids;
    for (const auto &id : t->recorded)
      if (!contains(ids, id)) ids.push_back(id);
    if (const BaselineEntry *e = run->baseline.match(t->name, ids)) {
      t->baseline_entry = run->baseline.describe(*e);
      if (t->result == Result::pass) {
        t->result = Result::unexpected_pass;
        t->message = "passed, but the baseline still lists it (" + t->baseline_entry +
                     "): a fixed expectation was not removed";
      } else if (t->result != Result::not_applicable) {
        t->message = std::string("was ") + result_label(t->result) + ": " + t->message;
        t->result = Result::expected_fail;
      }
    }
  }
  t->rerun = rerun_command(*run, t->name);
}

std::vector<AssertionVerdict> assertion_verdicts(const RunState &run) {
  std::map<std::string, const TestRecord *> by_name;
  for (const auto &t : run.tests) by_name[t.name] = &t;
  std::vector<AssertionVerdict> out;
  for (const auto &row : run.rows) {
    AssertionVerdict v{&row, Verdict::not_run, ""};
    auto it = by_name.find(row.test);
    if (!row.provokable()) {
      v.verdict = Verdict::not_provokable;
      v.reason = row.condition;
    } else if (it == by_name.end()) {
      v.reason = "test not selected";
    } else if (!it->second->done) {
      v.reason = "test not finished";
    } else {
      const TestRecord &t = *it->second;
      std::string why = std::string(result_label(t.result)) + ": " + first_line(t.message);
      if (contains(t.uncovered, row.assertion) && t.result != Result::expected_fail) {
        v.verdict = Verdict::fail;
        v.reason = "catalog/test mismatch: " + t.name + " never called covers(\"" + row.assertion + "\")";
      } else {
        switch (t.result) {
          case Result::pass: v.verdict = Verdict::pass; break;
          case Result::not_applicable: v.verdict = Verdict::not_applicable; v.reason = t.message; break;
          case Result::expected_fail: v.verdict = Verdict::expected_fail; v.reason = t.baseline_entry; break;
          case Result::flaky: v.verdict = Verdict::flaky; v.reason = why; break;
          default: v.verdict = Verdict::fail; v.reason = why; break;
        }
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

namespace {
int error_rank(const std::string &e) {
  if (e == kNoError) return 100000;
  const auto &names = rsm_code_names();
  auto it = std::find(names.begin(), names.end(), e);
  return it == names.end() ? 99999 : static_cast<int>(it - names.begin());
}
int function_rank(const std::string &f) {
  const auto &names = api_functions();
  auto it = std::find(names.begin(), names.end(), f);
  return it == names.end() ? 1000 : static_cast<int>(it - names.begin());
}
// Order of precedence when a cell holds several assertions.
int verdict_weight(Verdict v) {
  switch (v) {
    case Verdict::fail: return 0;
    case Verdict::uncatalogued: return 1;
    case Verdict::flaky: return 2;
    case Verdict::expected_fail: return 3;
    case Verdict::pass: return 4;
    case Verdict::not_applicable: return 5;
    case Verdict::not_provokable: return 6;
    case Verdict::not_run: return 7;
  }
  return 8;
}
}  // namespace

std::vector<MatrixCell> matrix_cells(const RunState &run, const std::vector<AssertionVerdict> &av) {
  std::vector<MatrixCell> cells;
  auto cell = [&cells](const std::string &f, const std::string &e) -> MatrixCell & {
    for (auto &c : cells)
      if (c.function == f && (c.error == e || (c.error == kNoError && e == "RSM_SUCCESS" &&
                                               f == "rsm_free_interconnect_topology")))
        return c;
    cells.push_back(MatrixCell{f, e, false, Verdict::uncatalogued, {}});
    return cells.back();
  };
  for (const auto &p : run.spec) cell(p.function, p.error).documented = true;
  for (const auto &v : av) {
    MatrixCell &c = cell(v.row->function, v.row->error);
    c.assertions.push_back(&v);
    // Every page documents success; errors.csv lists only the error codes.
    if (c.error == "RSM_SUCCESS") c.documented = true;
  }
  for (auto &c : cells) {
    if (c.assertions.empty()) continue;
    c.verdict = Verdict::not_run;
    for (const auto *v : c.assertions)
      if (verdict_weight(v->verdict) < verdict_weight(c.verdict)) c.verdict = v->verdict;
  }
  std::stable_sort(cells.begin(), cells.end(), [](const MatrixCell &a, const MatrixCell &b) {
    int fa = function_rank(a.function), fb = function_rank(b.function);
    if (fa != fb) return fa < fb;
    return error_rank(a.error) < error_rank(b.error);
  });
  return cells;
}

std::map<Result, int> count_results(const RunState &run) {
  std::map<Result, int> n;
  for (const auto &t : run.tests)
    if (t.done) n[t.result]++;
  return n;
}

int count_failures(const RunState &run) {
  int n = 0;
  for (const auto &t : run.tests)
    if (t.done && is_failure(t.result, run.opts.allow_flaky)) n++;
  return n;
}

}  // namespace rsmc
