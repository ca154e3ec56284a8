// rsmkit conformance: the runner. Selects tests, runs each in its own process
// (scheduler.cc), settles verdicts (verdict.cc), prints progress and keeps
// the reports current after every finished test.
#include "runner/runner.h"

#include <gtest/gtest.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "framework/impl_loader.h"
#include "runner/catalog.h"
#include "runner/run_state.h"
#include "runner/scheduler.h"
#include "runner/test_list.h"

#ifndef RSMC_VERSION
#define RSMC_VERSION "unknown"
#endif

namespace rsmc {

namespace {

int usage_error(const std::string &msg) {
  std::fprintf(stderr, "rsm-conformance: %s\nTry 'rsm-conformance --help'.\n", msg.c_str());
  return 2;
}

std::string self_exe_path() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "rsm-conformance";
}

std::string utc_now() {
  char buf[32];
  time_t t = time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string duration(double s) {
  char buf[32];
  if (s < 1) std::snprintf(buf, sizeof buf, "%d ms", static_cast<int>(s * 1000 + 0.5));
  else std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

class Runner {
 public:
  explicit Runner(RunState *run) : run_(*run) {}

  // Rewrites every requested report; the first I/O error is printed once.
  bool write_reports() {
    const Options &o = run_.opts;
    run_.elapsed = monotonic_seconds() - run_.start_mono;
    bool ok = true;
    std::string error;
    auto one = [&](const std::string &path, bool (*writer)(const RunState &, const std::string &, std::string *)) {
      if (path.empty() || writer(run_, path, &error)) return;
      ok = false;
      if (!report_error_printed_) std::fprintf(stderr, "rsm-conformance: %s\n", error.c_str());
      report_error_printed_ = true;
    };
    one(o.json, write_json_report);
    one(o.junit, write_junit_report);
    one(o.matrix_md, write_matrix_markdown);
    one(o.matrix_html, write_matrix_html);
    return ok;
  }

  void print_failure_detail(const TestRecord &t, const char *indent) {
    int lines = 0;
    std::string msg = t.message;
    size_t start = 0;
    while (start < msg.size()) {
      size_t nl = msg.find('\n', start);
      std::string line = msg.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!run_.opts.verbose && ++lines > 12) {
        std::printf("%s[... see the report or rerun with -v]\n", indent);
        break;
      }
      std::printf("%s%s\n", indent, line.c_str());
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    if (run_.opts.verbose)
      for (const auto &a : t.attempts)
        if (!a.output.empty())
          std::printf("%s--- output of the %s attempt ---\n%s\n", indent, result_name(a.result), a.output.c_str());
    std::printf("%srerun: %s\n", indent, t.rerun.c_str());
  }

  void on_done(size_t i) {
    TestRecord &t = run_.tests[i];
    decide(&run_, &t);
    run_.finished++;
    bool bad = is_failure(t.result, run_.opts.allow_flaky) || t.result == Result::flaky;
    if (!run_.opts.quiet || bad) {
      int width = static_cast<int>(std::to_string(run_.tests.size()).size());
      std::printf("[%*zu/%zu] %-10s %s (%s)\n", width, run_.finished, run_.tests.size(),
                  result_label(t.result), t.name.c_str(), duration(t.seconds).c_str());
      if (bad) print_failure_detail(t, "      ");
      else if (t.result == Result::expected_fail && run_.opts.verbose)
        std::printf("      %s\n", first_line(t.message).c_str());
      std::fflush(stdout);
    }
    dirty_ = true;
  }

  // Called with every job slot busy: the rewrite overlaps running tests. When
  // several tests end at once, one rewrite covers them all.
  void on_idle() {
    if (!dirty_) return;
    dirty_ = false;
    write_reports();
  }

  void print_summary() {
    auto counts = count_results(run_);
    std::string parts;
    for (const auto &[r, n] : counts) parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + result_name(r);
    std::printf("\n== rsm-conformance: %zu of %zu tests finished in %.1f s%s%s\n", run_.finished,
                run_.tests.size(), run_.elapsed, parts.empty() ? "" : ": ", parts.c_str());
    auto av = assertion_verdicts(run_);
    std::map<Verdict, int> vc;
    for (const auto &v : av) vc[v.verdict]++;
    std::string aparts;
    for (const auto &[v, n] : vc) aparts += (aparts.empty() ? "" : ", ") + std::to_string(n) + " " + verdict_name(v);
    std::printf("== catalog assertions: %zu%s%s\n", av.size(), aparts.empty() ? "" : ": ", aparts.c_str());
    if (!run_.opts.baseline.empty())
      std::printf("== baseline: %s (%zu entries)\n", run_.opts.baseline.c_str(), run_.baseline.entries().size());
    int failures = count_failures(run_);
    if (failures) {
      std::printf("== failures:\n");
      for (const auto &t : run_.tests) {
        if (!t.done || !is_failure(t.result, run_.opts.allow_flaky)) continue;
        std::printf("   %-10s %s: %s\n", result_label(t.result), t.name.c_str(), first_line(t.message).c_str());
        std::printf("              rerun: %s\n", t.rerun.c_str());
      }
    }
    const Options &o = run_.opts;
    for (const auto &[what, path] : {std::pair<const char *, std::string>{"junit", o.junit}, {"json", o.json},
                                     {"matrix-md", o.matrix_md}, {"matrix-html", o.matrix_html}})
      if (!path.empty()) std::printf("== %s report: %s\n", what, path.c_str());
    if (run_.stop_signal)
      std::printf("== INTERRUPTED by %s: reports are marked incomplete\n", signal_name(run_.stop_signal).c_str());
    std::printf("== verdict: %s\n", run_.stop_signal ? "INCOMPLETE (exit 1)"
                                    : failures ? ("FAIL: " + std::to_string(failures) + " failing test(s) (exit 1)").c_str()
                                               : "PASS (exit 0)");
    std::fflush(stdout);
  }

 private:
  RunState &run_;
  bool report_error_printed_ = false;
  bool dirty_ = false;
};

}  // namespace

int runner_main(int argc, char **argv) {
  RunState run;
  Options &o = run.opts;
  std::string error;
  if (!parse_options(argc, argv, &o, &error)) return usage_error(error);
  if (o.help) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
  }
  if (o.version) {
    std::printf("rsm-conformance (rsmkit) %s\n", RSMC_VERSION);
    return 0;
  }
  if (o.jobs == 0) o.jobs = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  run.self_exe = self_exe_path();

  // Value-parameterized tests register in InitGoogleTest: run it (without
  // arguments) to see the whole registry.
  int gargc = 1;
  char *gargv[] = {argv[0], nullptr};
  ::testing::InitGoogleTest(&gargc, gargv);

  TestFilter filter(o.filter);
  std::vector<std::string> selected;
  for (const auto &name : registered_tests()) {
    bool selftest = name.rfind(std::string(kSelfTestSuite) + ".", 0) == 0;
    if (selftest && !o.selftest) continue;  // RunnerSelfTest only with --selftest
    if (filter.matches(name)) selected.push_back(name);
  }
  if (selected.empty())
    return usage_error(o.filter.empty() ? "this binary holds no tests" : "no test matches --filter '" + o.filter + "'");
  selected = shard(selected, o.shard_index, o.shard_count);
  std::vector<std::string> order = selected;
  if (o.shuffle) shuffle(&order, o.seed);
  if (o.list) {
    for (const auto &n : order) std::printf("%s\n", n.c_str());
    return 0;
  }

  // The implementation: resolve it once, fail early if it does not load.
  run.impl = o.impl.empty() ? default_impl_path() : o.impl;
  if (run.impl.find('/') != std::string::npos) {
    char real[PATH_MAX];
    if (!realpath(run.impl.c_str(), real)) return usage_error("--impl " + run.impl + ": " + std::strerror(errno));
    run.impl = real;
  }
  if (!load_impl(run.impl, &error)) return usage_error("cannot load implementation " + run.impl + ": " + error);
  run.missing_symbols = missing_symbols();

  if (!o.baseline.empty() && !run.baseline.load(o.baseline, &error)) return usage_error(error);

  const Catalog &cat = catalog();
  run.rows = cat.rows;
  if (o.selftest)
    for (auto &r : selftest_rows()) run.rows.push_back(r);
  run.spec = cat.spec;
  for (const auto &name : selected) {
    TestRecord t;
    t.name = name;
    for (const auto &r : run.rows)
      if (r.test == name) t.catalog_ids.push_back(r.assertion);
    run.tests.push_back(std::move(t));
  }

  char tmpl[PATH_MAX];
  const char *tmpdir = std::getenv("TMPDIR");
  std::snprintf(tmpl, sizeof tmpl, "%s/rsm-conformance.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(tmpl)) return usage_error(std::string("cannot create a temporary directory: ") + std::strerror(errno));

  run.started_utc = utc_now();
  run.start_mono = monotonic_seconds();
  Runner runner(&run);
  if (!runner.write_reports()) {
    std::filesystem::remove_all(tmpl);
    return 2;
  }

  double timeout = o.timeout_s * o.timeout_scale;
  std::printf("rsm-conformance %s: %zu tests, %d jobs, seed %llu, timeout %s s per test\n", RSMC_VERSION,
              run.tests.size(), o.jobs, static_cast<unsigned long long>(o.seed), num(timeout).c_str());
  std::printf("  implementation: %s\n", run.impl.c_str());
  if (!run.missing_symbols.empty()) {
    std::string m;
    for (const auto &s : run.missing_symbols) m += (m.empty() ? "" : ", ") + s;
    std::printf("  MISSING functions (their tests fail): %s\n", m.c_str());
  }
  if (!o.controller.empty()) std::printf("  controller: %s\n", o.controller.c_str());
  if (o.peer_cmd != "{}") std::printf("  peer command: %s\n", o.peer_cmd.c_str());
  if (!o.baseline.empty()) std::printf("  baseline: %s\n", o.baseline.c_str());
  if (o.shard_count > 1) std::printf("  shard %d/%d\n", o.shard_index, o.shard_count);
  for (const auto &p : cat.problems) std::printf("  CATALOG PROBLEM (the Catalog tests fail): %s\n", p.c_str());
  std::fflush(stdout);

  SchedulerConfig sc;
  sc.self_exe = run.self_exe;
  sc.child_args = {"--impl", run.impl};
  sc.child_env = {"RSMC_CONTROLLER=" + o.controller, "RSMC_PEER_CMD=" + o.peer_cmd,
                  "RSMC_TIMEOUT_SCALE=" + num(o.timeout_scale), "RSMC_SEED=" + std::to_string(o.seed)};
  sc.timeout_s = timeout;
  sc.timeout_text = num(timeout) + " s (--timeout " + num(o.timeout_s) + " x --timeout-scale " +
                    num(o.timeout_scale) + ")";
  sc.jobs = o.jobs;
  sc.repeat = o.repeat;
  sc.retry = o.retry;
  sc.temp_dir = tmpl;
  sc.keep_temp = o.keep_temp;
  sc.full_output = o.verbose;

  std::vector<size_t> run_order;
  for (const auto &name : order)
    for (size_t i = 0; i < run.tests.size(); i++)
      if (run.tests[i].name == name) run_order.push_back(i);

  Scheduler scheduler(sc);
  bool finished = scheduler.run(&run.tests, run_order, [&runner](size_t i) { runner.on_done(i); },
                                [&runner] { runner.on_idle(); });
  run.stop_signal = scheduler.stop_signal();
  run.complete = finished;
  bool reports_ok = runner.write_reports();
  runner.print_summary();
  if (o.keep_temp) std::printf("== per-test files kept in %s\n", tmpl);
  else std::filesystem::remove_all(tmpl);

  if (!finished || !reports_ok) return 1;
  return count_failures(run) ? 1 : 0;
}

}  // namespace rsmc
