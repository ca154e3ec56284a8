// rsmkit conformance runner: the child side of the result hand-over (see
// child_report.h). GoogleTest's own JSON output leaves out skip messages,
// which decide not-applicable vs. fail, hence a listener of our own.
#include "runner/child_report.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "runner/json.h"

namespace rsmc {

bool write_file_atomically(const char *path, const char *text, unsigned long len) {
  std::string tmp = std::string(path) + ".tmp" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  unsigned long done = 0;
  while (done < len) {
    ssize_t n = write(fd, text + done, len - done);
    if (n <= 0) {
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    done += static_cast<unsigned long>(n);
  }
  if (close(fd) != 0 || rename(tmp.c_str(), path) != 0) {
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

namespace {

class ChildReportListener : public ::testing::EmptyTestEventListener {
 public:
  explicit ChildReportListener(std::string path) : path_(std::move(path)) {}

  void OnTestStart(const ::testing::TestInfo &info) override {
    json::Writer w;
    w.begin_object().field("test", full_name(info)).field("status", "running").end_object();
    write(w.text());
  }

  void OnTestEnd(const ::testing::TestInfo &info) override {
    const ::testing::TestResult &r = *info.result();
    std::string skip;
    json::Writer w;
    w.begin_object().field("test", full_name(info));
    w.field("status", r.Failed() ? "failed" : r.Skipped() ? "skipped" : "passed");
    w.field("time_ms", static_cast<long long>(r.elapsed_time()));
    w.key("failures").begin_array();
    for (int i = 0; i < r.total_part_count(); i++) {
      const ::testing::TestPartResult &part = r.GetTestPartResult(i);
      std::string where = short_path(part.file_name());
      if (part.line_number() >= 0) where += ":" + std::to_string(part.line_number());
      if (part.skipped()) {
        if (skip.empty()) skip = part.message();
      } else if (part.failed()) {
        // ADD_FAILURE()/FAIL() messages start with "Failed\n": drop it, so
        // the first line -- what summaries show -- says what failed.
        std::string msg = part.message();
        if (msg.rfind("Failed\n", 0) == 0) msg.erase(0, 7);
        w.value(where + ": " + msg);
      }
    }
    w.end_array();
    w.field("skip", skip);
    std::string ids;
    for (int i = 0; i < r.test_property_count(); i++)
      if (std::string(r.GetTestProperty(i).key()) == "assertions") ids = r.GetTestProperty(i).value();
    w.field("assertions", ids);
    w.end_object();
    write(w.text());
  }

 private:
  // "tests/import_map.cc" rather than the build machine's absolute path.
  static std::string short_path(const char *file) {
    if (!file) return "(unknown file)";
    std::string f = file;
    size_t at = f.rfind("/conformance/");
    if (at != std::string::npos) return f.substr(at + 13);
    return f.substr(f.rfind('/') + 1);
  }
  static std::string full_name(const ::testing::TestInfo &info) {
    return std::string(info.test_suite_name()) + "." + info.name();
  }
  void write(const std::string &text) {
    write_file_atomically(path_.c_str(), text.data(), text.size());
  }
  std::string path_;
};

// Installed before main() runs, only in processes the runner started; plain
// `rsm-conformance --gtest_*` use is left untouched.
const bool g_installed = [] {
  const char *path = std::getenv(kChildReportEnv);
  if (!path || !*path) return false;
  ::testing::UnitTest::GetInstance()->listeners().Append(new ChildReportListener(path));
  return true;
}();

}  // namespace

}  // namespace rsmc
