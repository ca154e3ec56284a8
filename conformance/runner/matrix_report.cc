// rsmkit conformance runner: the conformance matrix, function x error, as
// Markdown (--matrix-md) and HTML (--matrix-html).
#include <algorithm>
#include <cstdio>

#include "runner/run_state.h"
#include "runner/xml_text.h"

namespace rsmc {

namespace {

const char *cell_text(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "FAIL";
    case Verdict::flaky: return "FLAKY";
    case Verdict::expected_fail: return "expected-fail";
    case Verdict::not_applicable: return "not applicable";
    case Verdict::not_provokable: return "not provokable";
    case Verdict::not_run: return "not run";
    case Verdict::uncatalogued: return "NO CATALOG ROW";
  }
  return "?";
}

const char *cell_mark(Verdict v) {
  switch (v) {
    case Verdict::pass: return "✅";
    case Verdict::fail: return "❌";
    case Verdict::flaky: return "⚠️";
    case Verdict::expected_fail: return "🟡";
    case Verdict::not_applicable: return "➖";
    case Verdict::not_provokable: return "▫️";
    case Verdict::not_run: return "⏸️";
    case Verdict::uncatalogued: return "❓";
  }
  return "?";
}

std::string md(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string fmt(const char *f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Summary {
  std::map<Verdict, int> cells, assertions;
};

Summary summarize(const std::vector<MatrixCell> &cells, const std::vector<AssertionVerdict> &av) {
  Summary s;
  for (const auto &c : cells) s.cells[c.verdict]++;
  for (const auto &a : av) s.assertions[a.verdict]++;
  return s;
}

const Verdict kAllVerdicts[] = {Verdict::pass, Verdict::fail, Verdict::flaky, Verdict::expected_fail,
                                Verdict::not_applicable, Verdict::not_provokable, Verdict::not_run,
                                Verdict::uncatalogued};

std::string header_lines(const RunState &run, bool markdown) {
  auto counts = count_results(run);
  std::string tests;
  for (const auto &[r, n] : counts) tests += std::string(tests.empty() ? "" : ", ") + std::to_string(n) + " " + result_name(r);
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Status", run.complete ? (count_failures(run) ? "complete: FAIL" : "complete: pass")
                              : "INCOMPLETE (run in progress, interrupted or killed)"},
      {"Implementation", run.impl},
      {"Controller", run.opts.controller.empty() ? "(first in topology)" : run.opts.controller},
      {"Peer command", run.opts.peer_cmd},
      {"Baseline", run.opts.baseline.empty() ? "(none)" : run.opts.baseline},
      {"Seed", std::to_string(run.opts.seed)},
      {"Started", run.started_utc + ", " + fmt("%.1f s", run.elapsed)},
      {"Tests", std::to_string(run.finished) + " of " + std::to_string(run.tests.size()) + " finished" +
                    (tests.empty() ? "" : ": " + tests)},
  };
  if (!run.missing_symbols.empty()) {
    std::string m;
    for (const auto &s : run.missing_symbols) m += (m.empty() ? "" : ", ") + s;
    facts.push_back({"Missing functions", m});
  }
  std::string out;
  for (const auto &[k, v] : facts)
    out += markdown ? "- **" + k + ":** " + md(v) + "\n"
                    : "<tr><th>" + xml_escape(k) + "</th><td>" + xml_escape(v) + "</td></tr>\n";
  return out;
}

std::string assertion_list(const MatrixCell &c, bool markdown) {
  std::string out;
  for (const auto *v : c.assertions) {
    std::string item = v->row->assertion + " (" + verdict_name(v->verdict) + ")";
    if (markdown) out += (out.empty() ? "" : "<br>") + md("`" + v->row->assertion + "` " + verdict_name(v->verdict));
    else out += (out.empty() ? "" : "<br>") + xml_escape(item);
  }
  return out;
}

}  // namespace

bool write_matrix_markdown(const RunState &run, const std::string &path, std::string *error) {
  auto av = assertion_verdicts(run);
  auto cells = matrix_cells(run, av);
  Summary s = summarize(cells, av);
  std::string out = "# RSM API conformance matrix\n\n" + header_lines(run, true) + "\n";
  out += "| verdict | (function, error) pairs | assertions |\n|---|---:|---:|\n";
  for (Verdict v : kAllVerdicts)
    out += std::string("| ") + cell_mark(v) + " " + cell_text(v) + " | " + std::to_string(s.cells[v]) + " | " +
           std::to_string(s.assertions[v]) + " |\n";
  out += "\nA pair's verdict is the worst of its assertions' (FAIL, NO CATALOG ROW, FLAKY, "
         "expected-fail, pass, not applicable, not provokable, not run). `RSM_SUCCESS` rows are "
         "success semantics; pairs marked *undocumented* are codes the catalog tests beyond the "
         "man pages' lists. See docs/conformance.md.\n\n";

  std::string fn;
  for (const auto &c : cells) {
    if (c.function != fn) {
      fn = c.function;
      out += "\n## `" + fn + "`\n\n| error | verdict | assertions |\n|---|---|---|\n";
    }
    out += "| `" + c.error + "`" + (c.documented ? "" : " *undocumented*") + " | " + cell_mark(c.verdict) +
           " " + cell_text(c.verdict) + " | " + assertion_list(c, true) + " |\n";
  }

  std::string problems;
  for (const auto &v : av)
    if (v.verdict == Verdict::fail || v.verdict == Verdict::flaky)
      problems += "| `" + v.row->assertion + "` | " + md(v.row->test) + " | " + verdict_name(v.verdict) +
                  " | " + md(v.reason) + " |\n";
  if (!problems.empty())
    out += "\n## Assertions that do not pass\n\n| assertion | test | verdict | why |\n|---|---|---|---|\n" +
           problems;
  return write_report_file(path, out, error);
}

bool write_matrix_html(const RunState &run, const std::string &path, std::string *error) {
  auto av = assertion_verdicts(run);
  auto cells = matrix_cells(run, av);
  Summary s = summarize(cells, av);

  // Columns: every error that occurs, in the cells' (value) order.
  std::vector<std::string> errors;
  {
    std::vector<const MatrixCell *> sorted;
    for (const auto &c : cells) sorted.push_back(&c);
    std::vector<std::string> order;
    for (const auto &n : rsm_code_names()) order.push_back(n);
    order.push_back(kNoError);
    for (const auto &n : order)
      for (const auto *c : sorted)
        if (c->error == n && std::find(errors.begin(), errors.end(), n) == errors.end()) errors.push_back(n);
    for (const auto *c : sorted)
      if (std::find(errors.begin(), errors.end(), c->error) == errors.end()) errors.push_back(c->error);
  }
  std::vector<std::string> functions;
  for (const auto &c : cells)
    if (std::find(functions.begin(), functions.end(), c.function) == functions.end()) functions.push_back(c.function);

  std::string h = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>RSM API conformance matrix</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:2px 6px;font-size:13px;vertical-align:top}
th{background:#f3f3f3;text-align:left}
.grid th.err{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal}
.grid td{text-align:center;min-width:1.4em}
.pass{background:#c8e6c9}.fail{background:#ef9a9a;font-weight:bold}.flaky{background:#ffcc80}
.expected-fail{background:#fff59d}.not-applicable{background:#e0e0e0}.not-provokable{background:#f5f5f5;color:#777}
.not-run{background:#fff;color:#999}.uncatalogued{background:#ce93d8;font-weight:bold}
.undoc{font-style:italic}
</style></head><body>
<h1>RSM API conformance matrix</h1>
<table>
)";
  h += header_lines(run, false) + "</table>\n";
  h += "<table><tr><th>verdict</th><th>pairs</th><th>assertions</th></tr>\n";
  for (Verdict v : kAllVerdicts)
    h += std::string("<tr><td class=\"") + verdict_name(v) + "\">" + cell_text(v) + "</td><td>" +
         std::to_string(s.cells[v]) + "</td><td>" + std::to_string(s.assertions[v]) + "</td></tr>\n";
  h += "</table>\n<p>Rows: the 42 functions; columns: return codes (RSM_SUCCESS: success "
       "semantics). A cell shows the worst verdict of its assertions; hover for the list. "
       "Italic cells are codes tested beyond the man pages' lists.</p>\n";

  h += "<table class=\"grid\"><tr><th>function</th>";
  for (const auto &e : errors) h += "<th class=\"err\">" + xml_escape(e) + "</th>";
  h += "</tr>\n";
  for (const auto &f : functions) {
    h += "<tr><th>" + xml_escape(f) + "</th>";
    for (const auto &e : errors) {
      const MatrixCell *cell = nullptr;
      for (const auto &c : cells)
        if (c.function == f && c.error == e) cell = &c;
      if (!cell) {
        h += "<td></td>";
        continue;
      }
      std::string tip = f + " / " + e + ": " + cell_text(cell->verdict);
      for (const auto *v : cell->assertions)
        tip += "\n" + v->row->assertion + ": " + verdict_name(v->verdict) +
               (v->reason.empty() ? "" : " (" + first_line(v->reason) + ")");
      const char *mark = cell->verdict == Verdict::pass ? "&#10003;"
                         : cell->verdict == Verdict::fail || cell->verdict == Verdict::uncatalogued ? "&#10007;"
                         : cell->verdict == Verdict::not_applicable ? "n/a"
                         : cell->verdict == Verdict::not_provokable ? "&middot;"
                         : cell->verdict == Verdict::not_run ? "&ndash;"
                         : cell->verdict == Verdict::flaky ? "!"
                                                           : "x";
      h += std::string("<td class=\"") + verdict_name(cell->verdict) + (cell->documented ? "" : " undoc") +
           "\" title=\"" + xml_escape(tip, true) + "\">" + mark + "</td>";
    }
    h += "</tr>\n";
  }
  h += "</table>\n<h2>Assertions</h2>\n<table><tr><th>function</th><th>error</th><th>assertion</th>"
       "<th>test</th><th>verdict</th><th>condition / reason</th></tr>\n";
  for (const auto &c : cells) {
    if (c.assertions.empty()) {
      h += "<tr><td>" + xml_escape(c.function) + "</td><td>" + xml_escape(c.error) +
           "</td><td colspan=\"3\" class=\"uncatalogued\">no catalog row</td><td></td></tr>\n";
      continue;
    }
    for (const auto *v : c.assertions)
      h += "<tr><td>" + xml_escape(c.function) + "</td><td" + (c.documented ? "" : " class=\"undoc\"") + ">" +
           xml_escape(c.error) + "</td><td>" + xml_escape(v->row->assertion) + "</td><td>" +
           xml_escape(v->row->test) + "</td><td class=\"" + verdict_name(v->verdict) + "\">" +
           verdict_name(v->verdict) + "</td><td>" + xml_escape(v->row->condition) +
           (v->reason.empty() || v->reason == v->row->condition ? "" : "<br><b>" + xml_escape(v->reason) + "</b>") +
           "</td></tr>\n";
  }
  h += "</table>\n</body></html>\n";
  return write_report_file(path, h, error);
}

}  // namespace rsmc
