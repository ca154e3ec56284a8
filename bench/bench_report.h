// rsm-bench: result rows and their reports (table, JSON, CSV, SVG plot).
#ifndef RSMKIT_BENCH_BENCH_REPORT_H
#define RSMKIT_BENCH_BENCH_REPORT_H

#include <string>
#include <vector>

namespace rsmbench {

// One measured figure beside its baseline, measured in the same run.
struct Row {
  std::string group;     // e.g. "bandwidth", "latency", "cycle"
  std::string metric;    // e.g. "put 64 KiB"
  std::string unit;      // e.g. "GB/s", "ns"
  double value = 0;      // median of the trials
  std::string baseline;  // e.g. "memcpy"; empty when there is none
  double base = 0;       // the baseline's median, same unit
  // value/base for throughputs, base/value... no: always value/base; the goal
  // says which way is good.
  double ratio = 0;
  std::string goal;      // e.g. ">= 0.9x memcpy"; empty when none
  bool has_goal = false;
  bool met = false;
  double size = 0;       // bytes, for the bandwidth plot (0: not plotted)
};

void print_table(const std::vector<Row> &rows);
bool write_json(const std::string &path, const std::vector<Row> &rows, const std::string &context);
bool write_csv(const std::string &path, const std::vector<Row> &rows);
// Bandwidth vs transfer size, one line per metric prefix (put, get, memcpy...).
bool write_svg(const std::string &path, const std::vector<Row> &rows);

}  // namespace rsmbench

#endif  // RSMKIT_BENCH_BENCH_REPORT_H
