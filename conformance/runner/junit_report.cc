// rsmkit conformance runner: the JUnit XML report (--junit). One <testsuite>
// per GoogleTest suite; run-level facts, "incomplete" among them, are
// properties of every <testsuite> because CI tools read them there.
#include <cstdio>
#include <map>

#include "runner/run_state.h"
#include "runner/xml_text.h"

namespace rsmc {

std::string xml_escape(const std::string &s, bool attr) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = n > 0 && i + n <= s.size();
    for (size_t k = 1; valid && k < n; k++)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) valid = false;
    if (!valid) {
      out += "\xEF\xBF\xBD";
      i++;
      continue;
    }
    if (n > 1) {
      out.append(s, i, n);
      i += n;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += attr ? "&#10;" : "\n"; break;
      case '\t': out += attr ? "&#9;" : "\t"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (c < 0x20 || c == 0x7F) out += "\xEF\xBF\xBD";
        else out += static_cast<char>(c);
    }
    i++;
  }
  return out;
}

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string property(const std::string &name, const std::string &value, const char *indent) {
  return std::string(indent) + "<property name=\"" + xml_escape(name, true) + "\" value=\"" +
         xml_escape(value, true) + "\"/>\n";
}

struct Counts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double time = 0;
};

// The element a result becomes, or "" for a plain pass.
const char *element_of(Result r, bool allow_flaky) {
  switch (r) {
    case Result::pass: return "";
    case Result::not_applicable:
    case Result::expected_fail: return "skipped";
    case Result::flaky: return allow_flaky ? "" : "failure";
    case Result::fail:
    case Result::unexpected_pass: return "failure";
    case Result::crash:
    case Result::timeout:
    case Result::unresolved: return "error";
  }
  return "error";
}

}  // namespace

bool write_junit_report(const RunState &run, const std::string &path, std::string *error) {
  // Suites in name order, tests in report order within each.
  std::map<std::string, std::vector<const TestRecord *>> suites;
  for (const auto &t : run.tests)
    if (t.done) suites[t.name.substr(0, t.name.find('.'))].push_back(&t);

  std::string run_props;
  const char *ind = "      ";
  run_props += property("incomplete", run.complete ? "false" : "true", ind);
  if (run.stop_signal) run_props += property("interrupted_by", std::to_string(run.stop_signal), ind);
  run_props += property("implementation", run.impl, ind);
  run_props += property("controller", run.opts.controller, ind);
  run_props += property("peer_cmd", run.opts.peer_cmd, ind);
  run_props += property("seed", std::to_string(run.opts.seed), ind);
  run_props += property("baseline", run.opts.baseline, ind);
  run_props += property("tests_selected", std::to_string(run.tests.size()), ind);
  run_props += property("started", run.started_utc, ind);
  if (!run.missing_symbols.empty()) {
    std::string m;
    for (const auto &s : run.missing_symbols) m += (m.empty() ? "" : ",") + s;
    run_props += property("missing_symbols", m, ind);
  }

  Counts total;
  std::string body;
  for (const auto &[suite, tests] : suites) {
    Counts c;
    std::string cases;
    for (const TestRecord *t : tests) {
      c.tests++;
      c.time += t->seconds;
      std::string tname = t->name.substr(t->name.find('.') + 1);
      cases += "    <testcase name=\"" + xml_escape(tname, true) + "\" classname=\"" +
               xml_escape(suite, true) + "\" time=\"" + seconds(t->seconds) + "\">\n";
      cases += "      <properties>\n";
      std::string ids;
      for (const auto &id : t->catalog_ids) ids += (ids.empty() ? "" : ",") + id;
      cases += property("result", result_name(t->result), "        ");
      cases += property("assertions", ids, "        ");
      if (!t->baseline_entry.empty()) cases += property("baseline", t->baseline_entry, "        ");
      cases += "      </properties>\n";
      std::string el = element_of(t->result, run.opts.allow_flaky);
      if (el == "skipped") {
        c.skipped++;
        std::string msg = t->result == Result::expected_fail
                              ? "expected-fail (baseline " + t->baseline_entry + "): " + t->message
                              : t->message;
        cases += "      <skipped message=\"" + xml_escape(first_line(msg), true) + "\">" +
                 xml_escape(msg) + "</skipped>\n";
      } else if (!el.empty()) {
        (el == "error" ? c.errors : c.failures)++;
        std::string text = t->message + "\n\nrerun: " + t->rerun;
        cases += "      <" + el + " type=\"" + result_name(t->result) + "\" message=\"" +
                 xml_escape(std::string(result_label(t->result)) + ": " + first_line(t->message), true) +
                 "\">" + xml_escape(text) + "</" + el + ">\n";
        std::string out;
        for (const auto &a : t->attempts)
          if (!a.output.empty()) out += "--- attempt (" + std::string(result_name(a.result)) + ") ---\n" + a.output;
        if (!out.empty()) cases += "      <system-out>" + xml_escape(out) + "</system-out>\n";
      }
      cases += "    </testcase>\n";
    }
    body += "  <testsuite name=\"" + xml_escape(suite, true) + "\" tests=\"" + std::to_string(c.tests) +
            "\" failures=\"" + std::to_string(c.failures) + "\" errors=\"" + std::to_string(c.errors) +
            "\" skipped=\"" + std::to_string(c.skipped) + "\" time=\"" + seconds(c.time) +
            "\" timestamp=\"" + run.started_utc + "\">\n    <properties>\n" + run_props +
            "    </properties>\n" + cases + "  </testsuite>\n";
    total.tests += c.tests;
    total.failures += c.failures;
    total.errors += c.errors;
    total.skipped += c.skipped;
  }
  if (suites.empty())  // keep the run-level properties visible before any test ends
    body = "  <testsuite name=\"rsm-conformance\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
           "    <properties>\n" + run_props + "    </properties>\n  </testsuite>\n";

  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += run.complete ? "<!-- rsm-conformance: complete report -->\n"
                      : "<!-- rsm-conformance: INCOMPLETE report (run in progress or killed) -->\n";
  xml += "<testsuites name=\"rsm-conformance\" tests=\"" + std::to_string(total.tests) + "\" failures=\"" +
         std::to_string(total.failures) + "\" errors=\"" + std::to_string(total.errors) + "\" skipped=\"" +
         std::to_string(total.skipped) + "\" time=\"" + seconds(run.elapsed) + "\">\n" + body +
         "</testsuites>\n";
  return write_report_file(path, xml, error);
}

}  // namespace rsmc
