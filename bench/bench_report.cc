// rsm-bench: reports.
#include "bench_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace rsmbench {

namespace {

std::string json_escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

std::string num(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

}  // namespace

void print_table(const std::vector<Row> &rows) {
  std::printf("%-11s %-36s %12s %-6s %12s %-22s %8s  %s\n", "group", "metric", "value", "unit",
              "baseline", "(baseline)", "ratio", "goal");
  for (const auto &r : rows) {
    std::printf("%-11s %-36s %12.4g %-6s ", r.group.c_str(), r.metric.c_str(), r.value, r.unit.c_str());
    if (r.baseline.empty())
      std::printf("%12s %-22s %8s  ", "-", "", "-");
    else
      std::printf("%12.4g %-22s %7.3fx  ", r.base, r.baseline.c_str(), r.ratio);
    if (r.has_goal) std::printf("%s: %s", r.goal.c_str(), r.met ? "met" : "NOT MET");
    std::printf("\n");
  }
}

bool write_json(const std::string &path, const std::vector<Row> &rows, const std::string &context) {
  FILE *f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "{\n  \"context\": %s,\n  \"results\": [\n", context.c_str());
  for (size_t i = 0; i < rows.size(); i++) {
    const Row &r = rows[i];
    std::fprintf(f,
                 "    {\"group\": \"%s\", \"metric\": \"%s\", \"unit\": \"%s\", \"value\": %s, "
                 "\"baseline\": \"%s\", \"baseline_value\": %s, \"ratio\": %s, \"goal\": \"%s\", "
                 "\"goal_met\": %s, \"size\": %s}%s\n",
                 json_escape(r.group).c_str(), json_escape(r.metric).c_str(), json_escape(r.unit).c_str(),
                 num(r.value).c_str(), json_escape(r.baseline).c_str(), num(r.base).c_str(),
                 num(r.ratio).c_str(), json_escape(r.goal).c_str(),
                 r.has_goal ? (r.met ? "true" : "false") : "null", num(r.size).c_str(),
                 i + 1 < rows.size() ? "," : "");
  }
  std::fprintf(f, "  ]\n}\n");
  return std::fclose(f) == 0;
}

bool write_csv(const std::string &path, const std::vector<Row> &rows) {
  FILE *f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "group,metric,unit,value,baseline,baseline_value,ratio,goal,goal_met,size\n");
  for (const auto &r : rows)
    std::fprintf(f, "%s,\"%s\",%s,%s,%s,%s,%s,\"%s\",%s,%s\n", r.group.c_str(), r.metric.c_str(),
                 r.unit.c_str(), num(r.value).c_str(), r.baseline.c_str(), num(r.base).c_str(),
                 num(r.ratio).c_str(), r.goal.c_str(), r.has_goal ? (r.met ? "yes" : "no") : "",
                 num(r.size).c_str());
  return std::fclose(f) == 0;
}

bool write_svg(const std::string &path, const std::vector<Row> &rows) {
  // Series: "<op>" and its baseline, keyed by the first word of the metric.
  std::map<std::string, std::vector<std::pair<double, double>>> series;
  for (const auto &r : rows) {
    if (r.size <= 0 || r.unit != "GB/s") continue;
    std::string op = r.metric.substr(0, r.metric.find(' '));
    series[op].push_back({r.size, r.value});
    if (!r.baseline.empty()) series[r.baseline + " (for " + op + ")"].push_back({r.size, r.base});
  }
  if (series.empty()) return false;
  double xmin = 1e300, xmax = 0, ymax = 0;
  for (auto &s : series)
    for (auto &p : s.second) {
      xmin = std::min(xmin, p.first);
      xmax = std::max(xmax, p.first);
      ymax = std::max(ymax, p.second);
    }
  const double W = 800, H = 480, L = 70, R = 220, T = 30, B = 50;
  auto X = [&](double x) {
    return L + (std::log2(x) - std::log2(xmin)) / std::max(1e-9, std::log2(xmax) - std::log2(xmin)) * (W - L - R);
  };
  auto Y = [&](double y) { return H - B - y / (ymax * 1.05) * (H - T - B); };
  FILE *f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
  std::fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
  std::fprintf(f, "<text x=\"%g\" y=\"18\" font-size=\"14\">rsm-bench: bandwidth vs transfer size (GB/s)</text>\n", L);
  std::fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n", L, H - B, W - R, H - B);
  std::fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n", L, T, L, H - B);
  for (int i = 0; i <= 4; i++) {
    double y = ymax * 1.05 * i / 4;
    std::fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%.1f</text>\n", L - 6, Y(y) + 4, y);
  }
  for (double x = xmin; x <= xmax * 1.001; x *= 8) {
    const char *u = x >= 1 << 20 ? "MiB" : x >= 1024 ? "KiB" : "B";
    double v = x >= 1 << 20 ? x / (1 << 20) : x >= 1024 ? x / 1024 : x;
    std::fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%g %s</text>\n", X(x), H - B + 18, v, u);
  }
  const char *colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
  int i = 0;
  for (auto &s : series) {
    const char *c = colors[i % 8];
    std::sort(s.second.begin(), s.second.end());
    std::fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", c);
    for (auto &p : s.second) std::fprintf(f, "%.1f,%.1f ", X(p.first), Y(p.second));
    std::fprintf(f, "\"/>\n<text x=\"%g\" y=\"%g\" fill=\"%s\">%s</text>\n", W - R + 10, T + 16.0 * i, c, s.first.c_str());
    i++;
  }
  std::fprintf(f, "</svg>\n");
  return std::fclose(f) == 0;
}

}  // namespace rsmbench
