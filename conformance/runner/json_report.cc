// rsmkit conformance runner: the JSON report (--json) and the atomic file
// writing all reports share.
#include <cerrno>
#include <cstring>

#include "runner/child_report.h"
#include "runner/json.h"
#include "runner/run_state.h"
#include "runner/scheduler.h"

namespace rsmc {

bool write_report_file(const std::string &path, const std::string &text, std::string *error) {
  if (write_file_atomically(path.c_str(), text.data(), text.size())) return true;
  *error = "cannot write " + path + ": " + std::strerror(errno);
  return false;
}

namespace {

void write_options(json::Writer &w, const RunState &run) {
  const Options &o = run.opts;
  w.key("run").begin_object();
  w.field("implementation", run.impl);
  w.field("controller", o.controller);
  w.field("peer_cmd", o.peer_cmd);
  w.field("seed", static_cast<unsigned long long>(o.seed));
  w.field("jobs", o.jobs);
  w.field("timeout_s", o.timeout_s);
  w.field("timeout_scale", o.timeout_scale);
  w.field("filter", o.filter);
  w.field("shard", std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count));
  w.field("shuffle", o.shuffle);
  w.field("repeat", o.repeat);
  w.field("retry", o.retry);
  w.field("allow_flaky", o.allow_flaky);
  w.key("baseline");
  if (o.baseline.empty()) w.null(); else w.value(o.baseline);
  w.field("started", run.started_utc);
  w.field("duration_s", run.elapsed);
  w.key("missing_symbols").begin_array();
  for (const auto &m : run.missing_symbols) w.value(m);
  w.end_array();
  w.end_object();
}

}  // namespace

bool write_json_report(const RunState &run, const std::string &path, std::string *error) {
  auto av = assertion_verdicts(run);
  auto cells = matrix_cells(run, av);
  auto counts = count_results(run);
  int failures = count_failures(run);

  json::Writer w;
  w.begin_object();
  w.field("format", "rsm-conformance-report");
  w.field("version", 1);
  w.field("complete", run.complete);
  if (run.stop_signal) w.field("interrupted_by", signal_name(run.stop_signal));
  w.field("verdict", !run.complete ? "incomplete" : failures ? "fail" : "pass");
  write_options(w, run);

  w.key("summary").begin_object();
  w.field("tests", run.tests.size());
  w.field("finished", run.finished);
  w.field("failures", failures);
  for (Result r : {Result::pass, Result::fail, Result::crash, Result::timeout, Result::not_applicable,
                   Result::unresolved, Result::flaky, Result::expected_fail, Result::unexpected_pass})
    w.field(result_name(r), counts.count(r) ? counts.at(r) : 0);
  w.end_object();

  w.key("tests").begin_array();
  for (const auto &t : run.tests) {
    w.begin_object();
    w.field("name", t.name);
    w.field("result", t.done ? result_name(t.result) : "not-run");
    w.field("duration_s", t.seconds);
    if (t.done) {
      w.field("message", t.message);
      if (!t.baseline_entry.empty()) w.field("baseline", t.baseline_entry);
      if (is_failure(t.result, run.opts.allow_flaky) || t.result == Result::flaky)
        w.field("rerun", t.rerun);
    }
    w.key("catalog_assertions").begin_array();
    for (const auto &id : t.catalog_ids) w.value(id);
    w.end_array();
    w.key("covered_assertions").begin_array();
    for (const auto &id : t.recorded) w.value(id);
    w.end_array();
    w.key("attempts").begin_array();
    for (const auto &a : t.attempts) {
      w.begin_object();
      w.field("result", result_name(a.result));
      w.field("duration_s", a.seconds);
      w.field("message", a.message);
      if (!a.output.empty()) w.field("output", a.output);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();

  w.key("assertions").begin_array();
  for (const auto &v : av) {
    w.begin_object();
    w.field("id", v.row->assertion);
    w.field("function", v.row->function);
    w.field("error", v.row->error);
    w.field("test", v.row->test);
    w.field("condition", v.row->condition);
    w.field("source", v.row->where());
    w.field("verdict", verdict_name(v.verdict));
    if (!v.reason.empty()) w.field("reason", v.reason);
    w.end_object();
  }
  w.end_array();

  w.key("matrix").begin_array();
  for (const auto &c : cells) {
    w.begin_object();
    w.field("function", c.function);
    w.field("error", c.error);
    w.field("documented", c.documented);
    w.field("verdict", verdict_name(c.verdict));
    w.key("assertions").begin_array();
    for (const auto *v : c.assertions) w.value(v->row->assertion);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return write_report_file(path, w.text(), error);
}

}  // namespace rsmc
