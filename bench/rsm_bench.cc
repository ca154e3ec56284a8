// rsm-bench: measures a librsm (the reference's shm controller by default)
// beside the physical baselines, in the same run: memcpy for put/get, plain
// loads/stores for mapped access, shm_open+mmap for connect/map cycles, a pipe
// for signal latency. Every figure is the median of several trials, printed
// with its baseline and their ratio.
#include <fcntl.h>
#include <rsmapi.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench_report.h"

namespace {

using rsmbench::Row;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string controller = "shm0";
  bool quick = false;
  size_t max_size = size_t{256} << 20;
  size_t scale_max = 10000;
  int importers = 64;
  std::string json, csv, svg;
};

[[noreturn]] void die(const char *what, int rc) {
  std::fprintf(stderr, "rsm-bench: %s failed: %d\n", what, rc);
  std::exit(1);
}

void check(const char *what, int rc) {
  if (rc != RSM_SUCCESS) die(what, rc);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Seconds per call of fn: batches sized to run ~target_s each; median of trials.
double time_per_op(const std::function<void()> &fn, int trials, double target_s) {
  size_t batch = 1;
  for (;;) {  // grow the batch until it is long enough to time
    auto t0 = Clock::now();
    for (size_t i = 0; i < batch; i++) fn();
    double s = seconds_since(t0);
    if (s >= target_s / 4 || batch >= (size_t{1} << 30)) {
      batch = std::max<size_t>(1, static_cast<size_t>(batch * target_s / std::max(s, 1e-9)));
      break;
    }
    batch *= 4;
  }
  std::vector<double> per;
  for (int t = 0; t < trials; t++) {
    auto t0 = Clock::now();
    for (size_t i = 0; i < batch; i++) fn();
    per.push_back(seconds_since(t0) / static_cast<double>(batch));
  }
  return median(per);
}

char *pages(size_t len) {
  void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) die("mmap", -1);
  return static_cast<char *>(p);
}

std::string size_name(size_t s) {
  char b[32];
  if (s >= (1u << 20)) std::snprintf(b, sizeof b, "%zu MiB", s >> 20);
  else if (s >= 1024) std::snprintf(b, sizeof b, "%zu KiB", s >> 10);
  else std::snprintf(b, sizeof b, "%zu B", s);
  return b;
}

Row row(const char *group, std::string metric, const char *unit, double value, const char *baseline,
        double base) {
  Row r;
  r.group = group;
  r.metric = std::move(metric);
  r.unit = unit;
  r.value = value;
  r.baseline = baseline;
  r.base = base;
  r.ratio = base > 0 ? value / base : 0;
  return r;
}

void goal(Row &r, const char *text, bool met) {
  r.goal = text;
  r.has_goal = true;
  r.met = met;
}

struct Session {
  rsmapi_controller_handle_t ctlr = nullptr;
  rsm_node_id_t node = 0;
  size_t page = 4096;
};

Session open_session(const Options &o) {
  Session s;
  std::string name = o.controller;
  check("rsm_get_controller", rsm_get_controller(name.data(), &s.ctlr));
  rsmapi_controller_attr_t attr{};
  check("rsm_get_controller_attr", rsm_get_controller_attr(s.ctlr, &attr));
  if (attr.attr_page_size) s.page = attr.attr_page_size;
  rsm_topology_t *t = nullptr;
  check("rsm_get_interconnect_topology", rsm_get_interconnect_topology(&t));
  s.node = t->topology_hdr.local_nodeid;
  rsm_free_interconnect_topology(t);
  return s;
}

struct Segment {
  char *mem = nullptr;
  size_t len = 0;
  rsm_memseg_export_handle_t exp = nullptr;
  rsm_memseg_id_t id = 0;
};

Segment export_segment(const Session &s, size_t len) {
  Segment g;
  g.len = len;
  g.mem = pages(len);
  check("rsm_memseg_export_create", rsm_memseg_export_create(s.ctlr, &g.exp, g.mem, len, 0));
  check("rsm_memseg_export_publish", rsm_memseg_export_publish(g.exp, &g.id, nullptr, 0));
  return g;
}

rsm_memseg_import_handle_t connect(const Session &s, const Segment &g) {
  rsm_memseg_import_handle_t h = nullptr;
  check("rsm_memseg_import_connect", rsm_memseg_import_connect(s.ctlr, s.node, g.id, RSM_PERM_RDWR, &h));
  return h;
}

// put/get bandwidth against memcpy, 8 B up to max_size.
void bench_bandwidth(const Options &o, const Session &s, std::vector<Row> &rows) {
  // The vector rows need 128 KiB of segment whatever --max-size says.
  const size_t seg_len = std::max<size_t>(o.max_size, 128 * 1024);
  Segment g = export_segment(s, seg_len);
  rsm_memseg_import_handle_t h = connect(s, g);
  rsmapi_barrier_t bar{};
  check("init_barrier", rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &bar));
  char *local = pages(seg_len), *priv = pages(seg_len);
  int trials = o.quick ? 3 : 7;
  double target = o.quick ? 0.005 : 0.05;
  for (size_t sz = 8; sz <= o.max_size; sz *= 8) {
    double base = sz / time_per_op([&] { std::memcpy(priv, local, sz); }, trials, target) / 1e9;
    // A timed call that fails would time the failure: check one first.
    check("rsm_memseg_import_put", rsm_memseg_import_put(h, 0, local, sz));
    check("rsm_memseg_import_get", rsm_memseg_import_get(h, 0, local, sz));
    double put = sz / time_per_op([&] { rsm_memseg_import_put(h, 0, local, sz); }, trials, target) / 1e9;
    double get = sz / time_per_op([&] { rsm_memseg_import_get(h, 0, local, sz); }, trials, target) / 1e9;
    for (auto [op, v] : {std::pair<const char *, double>{"put", put}, {"get", get}}) {
      Row r = row("bandwidth", std::string(op) + " " + size_name(sz), "GB/s", v, "memcpy", base);
      r.size = static_cast<double>(sz);
      if (sz >= 64 * 1024) goal(r, ">= 0.9x memcpy from 64 KiB", r.ratio >= 0.9);
      rows.push_back(r);
    }
    if (o.quick && sz >= (1u << 20)) break;
  }
  // putv/getv: 16 entries of 4 KiB.
  {
    rsm_iovec_t io[16];
    for (int i = 0; i < 16; i++) {
      io[i] = {};
      io[i].io_type = RSM_VA_TYPE;
      io[i].local.vaddr = local + i * 4096;
      io[i].remote_offset = static_cast<size_t>(i) * 8192;
      io[i].transfer_length = 4096;
    }
    rsm_scat_gath_t sg{};
    sg.io_request_count = 16;
    sg.remote_handle = h;
    sg.iovec = io;
    const size_t bytes = 16 * 4096;
    double base = bytes / time_per_op([&] {
      for (int i = 0; i < 16; i++) std::memcpy(priv + i * 8192, local + i * 4096, 4096);
    }, trials, target) / 1e9;
    check("rsm_memseg_import_putv", rsm_memseg_import_putv(&sg));
    check("rsm_memseg_import_getv", rsm_memseg_import_getv(&sg));
    double pv = bytes / time_per_op([&] { rsm_memseg_import_putv(&sg); }, trials, target) / 1e9;
    double gv = bytes / time_per_op([&] { rsm_memseg_import_getv(&sg); }, trials, target) / 1e9;
    rows.push_back(row("vector", "putv 16 x 4 KiB", "GB/s", pv, "16 memcpy", base));
    rows.push_back(row("vector", "getv 16 x 4 KiB", "GB/s", gv, "16 memcpy", base));
  }
  // Small-op latency against a plain store/load of the same width.
  {
    void *addr = nullptr;
    check("map", rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, s.page));
    auto *m8 = static_cast<volatile uint8_t *>(addr);
    auto *m64 = static_cast<volatile uint64_t *>(addr);
    uint8_t v8 = 1;
    uint64_t v64 = 1;
    double store8 = time_per_op([&] { *m8 = v8; }, trials, target) * 1e9;
    double store64 = time_per_op([&] { *m64 = v64; }, trials, target) * 1e9;
    double load64 = time_per_op([&] { v64 = *m64; }, trials, target) * 1e9;
    double put8 = time_per_op([&] { rsm_memseg_import_put8(h, 8, &v8, 1); }, trials, target) * 1e9;
    double put64 = time_per_op([&] { rsm_memseg_import_put64(h, 8, &v64, 1); }, trials, target) * 1e9;
    double get64 = time_per_op([&] { rsm_memseg_import_get64(h, 8, &v64, 1); }, trials, target) * 1e9;
    Row r8 = row("latency", "put8 (1 element)", "ns", put8, "store 8-bit", store8);
    goal(r8, "<= 20 ns", put8 <= 20);
    rows.push_back(r8);
    rows.push_back(row("latency", "put64 (1 element)", "ns", put64, "store 64-bit", store64));
    rows.push_back(row("latency", "get64 (1 element)", "ns", get64, "load 64-bit", load64));
    // Barrier open+close in explicit mode.
    check("set_mode", rsm_memseg_import_set_mode(h, RSM_BARRIER_MODE_EXPLICIT));
    double oc = time_per_op([&] {
      rsm_memseg_import_open_barrier(&bar);
      rsm_memseg_import_close_barrier(&bar);
    }, trials, target) * 1e9;
    rows.push_back(row("latency", "barrier open+close", "ns", oc, "put8", put8));
    check("set_mode", rsm_memseg_import_set_mode(h, RSM_BARRIER_MODE_IMPLICIT));
    check("unmap", rsm_memseg_import_unmap(h));
  }
  // Mapped access against the same copy into private memory.
  {
    size_t len = std::min<size_t>(o.max_size, o.quick ? (1u << 20) : (16u << 20));
    void *addr = nullptr;
    check("map", rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, len));
    char *m = static_cast<char *>(addr);
    double base = len / time_per_op([&] { std::memcpy(priv, local, len); }, trials, target) / 1e9;
    double st = len / time_per_op([&] { std::memcpy(m, local, len); }, trials, target) / 1e9;
    double ld = len / time_per_op([&] { std::memcpy(local, m, len); }, trials, target) / 1e9;
    Row rs = row("mapped", "store via mapping " + size_name(len), "GB/s", st, "private memory", base);
    goal(rs, "= native speed (>= 0.9x)", rs.ratio >= 0.9);
    Row rl = row("mapped", "load via mapping " + size_name(len), "GB/s", ld, "private memory", base);
    goal(rl, "= native speed (>= 0.9x)", rl.ratio >= 0.9);
    rows.push_back(rs);
    rows.push_back(rl);
    check("unmap", rsm_memseg_import_unmap(h));
  }
  rsm_memseg_import_destroy_barrier(&bar);
  rsm_memseg_import_disconnect(h);
  rsm_memseg_export_destroy(g.exp);
  munmap(g.mem, g.len);
  munmap(local, seg_len);
  munmap(priv, seg_len);
}

// connect+map+unmap+disconnect against shm_open+mmap+munmap+close.
void bench_cycle(const Options &o, const Session &s, std::vector<Row> &rows) {
  const size_t len = 64 * 1024;
  Segment g = export_segment(s, len);
  int trials = o.quick ? 3 : 7;
  double target = o.quick ? 0.01 : 0.1;
  double cyc = time_per_op([&] {
    rsm_memseg_import_handle_t h = connect(s, g);
    void *a = nullptr;
    rsm_memseg_import_map(h, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 0, len);
    rsm_memseg_import_unmap(h);
    rsm_memseg_import_disconnect(h);
  }, trials, target) * 1e6;
  std::string name = "/rsm-bench-raw-" + std::to_string(getpid());
  int fd = shm_open(name.c_str(), O_CREAT | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, static_cast<off_t>(len)) != 0) die("shm_open", -1);
  close(fd);
  double raw = time_per_op([&] {
    int f = shm_open(name.c_str(), O_RDWR, 0);
    void *a = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
    munmap(a, len);
    close(f);
  }, trials, target) * 1e6;
  shm_unlink(name.c_str());
  Row r = row("cycle", "connect+map+unmap+disconnect 64 KiB", "us", cyc, "shm_open+mmap+munmap+close", raw);
  goal(r, "<= 1.5x raw", r.ratio <= 1.5);
  rows.push_back(r);
  rsm_memseg_export_destroy(g.exp);
  munmap(g.mem, len);
}

// Per-segment publish and connect cost as the number of segments grows.
void bench_scale(const Options &o, const Session &s, std::vector<Row> &rows) {
  std::vector<size_t> counts;
  for (size_t n = 10; n <= o.scale_max; n *= 10) counts.push_back(n);
  double first_pub = 0, first_con = 0;
  for (size_t n : counts) {
    std::vector<Segment> segs(n);
    char *mem = pages(n * s.page);
    auto t0 = Clock::now();
    size_t made = 0;
    for (; made < n; made++) {
      Segment &g = segs[made];
      g.mem = mem + made * s.page;
      g.len = s.page;
      int rc = rsm_memseg_export_create(s.ctlr, &g.exp, g.mem, g.len, 0);
      if (rc == RSM_SUCCESS) rc = rsm_memseg_export_publish(g.exp, &g.id, nullptr, 0);
      if (rc != RSM_SUCCESS) {
        std::fprintf(stderr, "rsm-bench: scale stops at %zu segments (code %d)\n", made, rc);
        break;
      }
    }
    double pub = seconds_since(t0) * 1e6 / static_cast<double>(std::max<size_t>(made, 1));
    std::vector<rsm_memseg_import_handle_t> hs;
    t0 = Clock::now();
    for (size_t i = 0; i < made; i++) {
      rsm_memseg_import_handle_t h = nullptr;
      int rc = rsm_memseg_import_connect(s.ctlr, s.node, segs[i].id, RSM_PERM_RDWR, &h);
      if (rc != RSM_SUCCESS) {
        std::fprintf(stderr, "rsm-bench: connect stops at %zu segments (code %d)\n", i, rc);
        break;
      }
      hs.push_back(h);
    }
    double con = seconds_since(t0) * 1e6 / static_cast<double>(std::max<size_t>(hs.size(), 1));
    for (auto h : hs) rsm_memseg_import_disconnect(h);
    for (size_t i = 0; i < made; i++) rsm_memseg_export_destroy(segs[i].exp);
    munmap(mem, n * s.page);
    if (n == counts.front()) {
      first_pub = pub;
      first_con = con;
    }
    Row rp = row("scale", "create+publish, " + std::to_string(made) + " segments", "us/seg", pub,
                 "same at 10 segments", first_pub);
    Row rc = row("scale", "connect, " + std::to_string(hs.size()) + " segments", "us/seg", con,
                 "same at 10 segments", first_con);
    // A run that stopped short measured fewer segments than asked: not a
    // figure for the goal, whatever its ratio.
    const char *short_run = "flat at the asked count: run stopped short";
    if (made < n) goal(rp, short_run, false);
    else if (n > counts.front()) goal(rp, "flat: <= 2x the 10-segment cost", rp.ratio <= 2);
    if (hs.size() < n) goal(rc, short_run, false);
    else if (n > counts.front()) goal(rc, "flat: <= 2x the 10-segment cost", rc.ratio <= 2);
    rows.push_back(rp);
    rows.push_back(rc);
    if (made < n) break;
  }
}

// N importer processes connect to and map one segment at once.
void bench_importers(const Options &o, const Session &s, std::vector<Row> &rows) {
  const size_t len = 64 * 1024;
  Segment g = export_segment(s, len);
  std::string name = "/rsm-bench-imp-" + std::to_string(getpid());
  int fd = shm_open(name.c_str(), O_CREAT | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, static_cast<off_t>(len)) != 0) die("shm_open", -1);
  close(fd);
  int rsm_failures = 0;
  auto run = [&](bool rsm) {
    auto t0 = Clock::now();
    std::vector<pid_t> kids;
    for (int i = 0; i < o.importers; i++) {
      pid_t p = fork();
      if (p == 0) {
        int ok = 0;
        if (rsm) {
          rsmapi_controller_handle_t c = nullptr;
          std::string cname = o.controller;
          rsm_memseg_import_handle_t h = nullptr;
          void *a = nullptr;
          ok = rsm_get_controller(cname.data(), &c) == 0 &&
               rsm_memseg_import_connect(c, s.node, g.id, RSM_PERM_READ, &h) == 0 &&
               rsm_memseg_import_map(h, &a, RSM_MAP_NONE, RSM_PERM_READ, 0, len) == 0 &&
               static_cast<volatile char *>(a)[len - 1] == g.mem[len - 1];
        } else {
          int f = shm_open(name.c_str(), O_RDONLY, 0);
          void *a = mmap(nullptr, len, PROT_READ, MAP_SHARED, f, 0);
          ok = a != MAP_FAILED && static_cast<volatile char *>(a)[len - 1] == 0;
        }
        _exit(ok ? 0 : 1);
      }
      kids.push_back(p);
    }
    int failed = 0;
    for (pid_t p : kids) {
      int st = 0;
      waitpid(p, &st, 0);
      failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    if (failed)
      std::fprintf(stderr, "rsm-bench: %d of %d %s importer processes failed\n", failed, o.importers,
                   rsm ? "librsm" : "baseline");
    if (rsm) rsm_failures += failed;
    return seconds_since(t0) * 1e3;
  };
  std::vector<double> a, b;
  for (int t = 0; t < (o.quick ? 1 : 5); t++) {
    a.push_back(run(true));
    b.push_back(run(false));
  }
  shm_unlink(name.c_str());
  Row r = row("scale", std::to_string(o.importers) + " importer processes connect+map one segment", "ms",
              median(a), "fork+shm_open+mmap", median(b));
  goal(r, "every importer connects, maps and reads the data", rsm_failures == 0);
  rows.push_back(r);
  rsm_memseg_export_destroy(g.exp);
  munmap(g.mem, len);
}

// Signal post -> wait latency between two processes, against a pipe.
void bench_signal(const Options &o, const Session &s, std::vector<Row> &rows) {
  Segment g = export_segment(s, s.page);
  const int rounds = o.quick ? 200 : 5000;
  int go[2];
  if (pipe(go)) die("pipe", -1);
  pid_t p = fork();
  if (p == 0) {  // importer: answers every event with one of its own
    rsmapi_controller_handle_t c = nullptr;
    std::string cname = o.controller;
    rsm_memseg_import_handle_t h = nullptr;
    if (rsm_get_controller(cname.data(), &c) || rsm_memseg_import_connect(c, s.node, g.id, RSM_PERM_RDWR, &h))
      _exit(1);
    if (write(go[1], "r", 1) != 1) _exit(1);
    for (int i = 0; i < rounds; i++) {
      rsm_intr_signal_post(h, 0);
      if (rsm_intr_signal_wait(h, 10000)) _exit(2);
    }
    _exit(0);
  }
  char b;
  if (read(go[0], &b, 1) != 1) die("importer start", -1);
  auto t0 = Clock::now();
  for (int i = 0; i < rounds; i++) {
    if (rsm_intr_signal_wait(g.exp, 10000)) die("rsm_intr_signal_wait", -1);
    rsm_intr_signal_post(g.exp, 0);
  }
  double rsm_us = seconds_since(t0) * 1e6 / rounds / 2;
  waitpid(p, nullptr, 0);
  int ab[2], ba[2];
  if (pipe(ab) || pipe(ba)) die("pipe", -1);
  p = fork();
  if (p == 0) {
    for (int i = 0; i < rounds; i++)
      if (write(ab[1], "x", 1) != 1 || read(ba[0], &b, 1) != 1) _exit(1);
    _exit(0);
  }
  t0 = Clock::now();
  for (int i = 0; i < rounds; i++)
    if (read(ab[0], &b, 1) != 1 || write(ba[1], "y", 1) != 1) die("pipe ping-pong", -1);
  double pipe_us = seconds_since(t0) * 1e6 / rounds / 2;
  waitpid(p, nullptr, 0);
  rows.push_back(row("latency", "signal post -> wait (other process)", "us", rsm_us, "pipe write -> read", pipe_us));
  rsm_memseg_export_destroy(g.exp);
  munmap(g.mem, g.len);
}

void usage() {
  std::printf(
      "usage: rsm-bench [options]\n"
      "Measures put/get/map performance of a librsm beside physical baselines measured\n"
      "in the same run (memcpy, plain loads/stores, shm_open+mmap, a pipe).\n\n"
      "  --controller NAME   controller to use (default shm0)\n"
      "  --quick             a short run (about a second): what the bench-smoke test uses\n"
      "  --max-size BYTES    largest put/get transfer (default 268435456 = 256 MiB)\n"
      "  --scale N           largest segment count for the publish/connect scale test (default 10000)\n"
      "  --importers N       importer processes on one segment (default 64)\n"
      "  --json FILE         also write the results as JSON\n"
      "  --csv FILE          also write the results as CSV\n"
      "  --plot FILE.svg     also plot bandwidth against transfer size\n"
      "  --help              this text\n");
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "rsm-bench: %s needs a value (see --help)\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&]() -> size_t {
      std::string v = value();
      char *end = nullptr;
      unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (!end || *end || n == 0) {
        std::fprintf(stderr, "rsm-bench: %s takes a positive number, not '%s'\n", a.c_str(), v.c_str());
        std::exit(2);
      }
      return static_cast<size_t>(n);
    };
    if (a == "--help" || a == "-h") { usage(); return 0; }
    else if (a == "--controller") o.controller = value();
    else if (a == "--quick") o.quick = true;
    else if (a == "--max-size") o.max_size = number();
    else if (a == "--scale") o.scale_max = number();
    else if (a == "--importers") o.importers = static_cast<int>(number());
    else if (a == "--json") o.json = value();
    else if (a == "--csv") o.csv = value();
    else if (a == "--plot") o.svg = value();
    else {
      std::fprintf(stderr, "rsm-bench: unknown option %s (see --help)\n", a.c_str());
      return 2;
    }
  }
  if (o.quick) {
    o.max_size = std::min<size_t>(o.max_size, 1u << 20);
    o.scale_max = std::min<size_t>(o.scale_max, 100);
    o.importers = std::min(o.importers, 4);
  }
  // The reference's shm controller allows 4096 segments unless told more.
  setenv("RSMKIT_SHM_MAX_SEGMENTS", std::to_string(2 * o.scale_max + 64).c_str(), 0);
  // Thousands of segments need thousands of descriptors.
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    // A privileged user may raise the hard limit too (each shm export holds
    // two descriptors); otherwise the soft limit goes up to the hard one.
    struct rlimit want = rl;
    want.rlim_cur = want.rlim_max = std::max<rlim_t>(rl.rlim_max, 8 * o.scale_max + 1024);
    if (setrlimit(RLIMIT_NOFILE, &want) != 0) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
  }
  Session s = open_session(o);
  std::vector<Row> rows;
  std::fprintf(stderr, "rsm-bench: bandwidth and latency...\n");
  bench_bandwidth(o, s, rows);
  std::fprintf(stderr, "rsm-bench: connect/map cycle...\n");
  bench_cycle(o, s, rows);
  std::fprintf(stderr, "rsm-bench: publish/connect at scale...\n");
  bench_scale(o, s, rows);
  std::fprintf(stderr, "rsm-bench: %d importer processes...\n", o.importers);
  bench_importers(o, s, rows);
  std::fprintf(stderr, "rsm-bench: signal latency...\n");
  bench_signal(o, s, rows);
  check("rsm_release_controller", rsm_release_controller(s.ctlr));

  rsmbench::print_table(rows);
  std::printf("(the libfabric backend is not built into this librsm: no fi_write/fi_read rows)\n");
  std::string ctx = "{\"controller\": \"" + o.controller + "\", \"quick\": " + (o.quick ? "true" : "false") + "}";
  if (!o.json.empty() && !rsmbench::write_json(o.json, rows, ctx)) die("writing JSON", -1);
  if (!o.csv.empty() && !rsmbench::write_csv(o.csv, rows)) die("writing CSV", -1);
  if (!o.svg.empty() && !rsmbench::write_svg(o.svg, rows)) die("writing the plot", -1);
  return 0;
}
