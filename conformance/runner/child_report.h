// rsmkit conformance runner: what a test process tells the runner. When the
// runner starts `rsm-conformance --child`, it sets RSMC_CHILD_REPORT to a file
// path; a GoogleTest listener in the child writes there, as JSON:
//   at the start of the test  {"test": "S.N", "status": "running"}
//   at its end                {"test", "status": passed|failed|skipped,
//                              "time_ms", "skip", "failures": [...],
//                              "assertions": "id,id"}
// Each write replaces the file atomically, so a crash leaves "running".
#ifndef RSMC_RUNNER_CHILD_REPORT_H
#define RSMC_RUNNER_CHILD_REPORT_H

namespace rsmc {

constexpr const char *kChildReportEnv = "RSMC_CHILD_REPORT";

// Writes `text` to `path` through a temporary file and rename(2), so a reader
// sees the old or the new content, never a mix. False on any error.
bool write_file_atomically(const char *path, const char *text, unsigned long len);

}  // namespace rsmc

#endif  // RSMC_RUNNER_CHILD_REPORT_H
