// The core's half of the backend contract, driven through the "fault"
// controller (backend_plugin_fault.cc): for every entry point and every
// backend operation it reaches, each failure a backend can report
//   - becomes a code that entry point's man page documents (never success,
//     never an undocumented code), and
//   - leaves the handles usable: the same call succeeds once the fault is gone.
// The table of exact pairs then shows the documented transport failures that
// shm cannot produce (docs/reference.md) are produced by the reference core
// when a backend reports them.
#include <gtest/gtest.h>
#include <rsmapi.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "model/documented.h"
#include "runner/embedded_documented.h"

namespace {

size_t page() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

const rsmc::model::DocumentedCodes &documented() {
  static const rsmc::model::DocumentedCodes none("");  // then every check fails
  const rsmc::model::DocumentedCodes *d = rsmc::embedded_documented_codes();
  return d ? *d : none;
}

const char *const kStatuses[] = {
    "no_memory",     "no_resources", "bad_address", "perm_denied", "not_published",
    "segid_in_use",  "aborted",      "unreachable", "map_failed",  "io_error",
    "interrupted",   "timeout",      "unsupported", "not_present",
};

void inject(const std::string &op, const std::string &status) {
  setenv("RSMKIT_FAULT", (op + "=" + status).c_str(), 1);
}
void clear_faults() { unsetenv("RSMKIT_FAULT"); }

// Handles on the fault controller, up to the stage a call needs.
// get/put need an initialised barrier (in both modes); the barrier calls an
// open span.
enum class Stage { none, controller, exported, published, connected, barrier_ready, span_open };

struct World {
  rsmapi_controller_handle_t ctlr = nullptr;
  rsm_memseg_export_handle_t exp = nullptr;
  rsm_memseg_import_handle_t imp = nullptr;
  rsmapi_barrier_t bar{};
  bool bar_init = false;
  rsm_memseg_id_t id = 0;
  char *base = nullptr;                   // the two ranges below, as mapped
  char *mem = nullptr, *other = nullptr;  // export range, and a rebind target
  size_t len = 0;

  bool build(Stage s) {
    len = 2 * page();
    void *m = mmap(nullptr, 2 * len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return false;
    base = mem = static_cast<char *>(m);
    other = mem + len;
    if (s == Stage::none) return true;
    char name[] = "fault0";
    if (rsm_get_controller(name, &ctlr) != RSM_SUCCESS) return false;
    if (s == Stage::controller) return true;
    if (rsm_memseg_export_create(ctlr, &exp, mem, len, RSM_ALLOW_REBIND) != RSM_SUCCESS) return false;
    if (s == Stage::exported) return true;
    if (rsm_memseg_export_publish(exp, &id, nullptr, 0) != RSM_SUCCESS) return false;
    if (s == Stage::published) return true;
    if (rsm_memseg_import_connect(ctlr, 1, id, RSM_PERM_RDWR, &imp) != RSM_SUCCESS) return false;
    if (s == Stage::connected) return true;
    if (rsm_memseg_import_init_barrier(imp, RSM_BARRIER_SEGMENT, &bar) != RSM_SUCCESS) return false;
    bar_init = true;
    if (s == Stage::barrier_ready) return true;
    return rsm_memseg_import_open_barrier(&bar) == RSM_SUCCESS;
  }
  ~World() {
    clear_faults();
    if (bar_init) {
      rsm_memseg_import_close_barrier(&bar);
      rsm_memseg_import_destroy_barrier(&bar);
    }
    if (imp) rsm_memseg_import_disconnect(imp);
    if (exp) rsm_memseg_export_destroy(exp);
    if (ctlr) rsm_release_controller(ctlr);
    if (base) munmap(base, 2 * len);
  }
};

// One entry point, the stage it needs, and the backend operations it reaches.
struct Call {
  const char *function;
  Stage stage;
  std::vector<const char *> ops;
  std::function<int(World &)> run;
  // Restores what a successful run changed, so the call can be repeated.
  std::function<void(World &)> undo = [](World &) {};
  // Restores what a failed run changed (close_barrier closes the span even
  // when it reports a failure).
  std::function<void(World &)> after_failure = [](World &) {};
};

rsm_scat_gath_t one_entry(World &w, rsm_iovec_t *iov, char *local) {
  *iov = rsm_iovec_t{};
  iov->io_type = RSM_VA_TYPE;
  iov->local.vaddr = local;
  iov->remote_offset = 8;
  iov->transfer_length = 16;
  rsm_scat_gath_t sg{};
  sg.io_request_count = 1;
  sg.remote_handle = w.imp;
  sg.iovec = iov;
  return sg;
}

std::vector<Call> calls() {
  static uint64_t local[4];
  std::vector<Call> c;
  c.push_back({"rsm_get_controller", Stage::none, {"ctlr_open"},
               [](World &w) {
                 char name[] = "fault0";
                 return rsm_get_controller(name, &w.ctlr);
               },
               [](World &w) {
                 rsm_release_controller(w.ctlr);
                 w.ctlr = nullptr;
               }});
  c.push_back({"rsm_memseg_export_create", Stage::controller, {"export_create"},
               [](World &w) { return rsm_memseg_export_create(w.ctlr, &w.exp, w.mem, w.len, 0); },
               [](World &w) {
                 rsm_memseg_export_destroy(w.exp);
                 w.exp = nullptr;
               }});
  c.push_back({"rsm_memseg_export_rebind", Stage::exported, {"export_rebind"},
               [](World &w) { return rsm_memseg_export_rebind(w.exp, w.other, 0, w.len); },
               [](World &w) { std::swap(w.mem, w.other); }});
  c.push_back({"rsm_memseg_export_publish", Stage::exported, {"export_publish"},
               [](World &w) {
                 w.id = 0;
                 return rsm_memseg_export_publish(w.exp, &w.id, nullptr, 0);
               },
               [](World &w) { rsm_memseg_export_unpublish(w.exp); }});
  c.push_back({"rsm_memseg_export_republish", Stage::published, {"export_republish"},
               [](World &w) { return rsm_memseg_export_republish(w.exp, nullptr, 0); }});
  c.push_back({"rsm_memseg_export_unpublish", Stage::published, {"export_unpublish"},
               [](World &w) { return rsm_memseg_export_unpublish(w.exp); },
               [](World &w) { rsm_memseg_export_publish(w.exp, &w.id, nullptr, 0); }});
  c.push_back({"rsm_memseg_import_connect", Stage::published, {"import_connect"},
               [](World &w) { return rsm_memseg_import_connect(w.ctlr, 1, w.id, RSM_PERM_RDWR, &w.imp); },
               [](World &w) {
                 rsm_memseg_import_disconnect(w.imp);
                 w.imp = nullptr;
               }});
  // import_check only says whether the connection stands (any failure is a
  // sticky abort), so the transfer itself is where other failures come from.
  const std::vector<const char *> xfer_ops = {"import_xfer"};
  c.push_back({"rsm_memseg_import_put8", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_put8(w.imp, 1, reinterpret_cast<uint8_t *>(local), 3); }});
  c.push_back({"rsm_memseg_import_put16", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_put16(w.imp, 2, reinterpret_cast<uint16_t *>(local), 3); }});
  c.push_back({"rsm_memseg_import_put32", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_put32(w.imp, 4, reinterpret_cast<uint32_t *>(local), 3); }});
  c.push_back({"rsm_memseg_import_put64", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_put64(w.imp, 8, local, 3); }});
  c.push_back({"rsm_memseg_import_put", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_put(w.imp, 3, local, 17); }});
  c.push_back({"rsm_memseg_import_get8", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_get8(w.imp, 1, reinterpret_cast<uint8_t *>(local), 3); }});
  c.push_back({"rsm_memseg_import_get16", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_get16(w.imp, 2, reinterpret_cast<uint16_t *>(local), 3); }});
  c.push_back({"rsm_memseg_import_get32", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_get32(w.imp, 4, reinterpret_cast<uint32_t *>(local), 3); }});
  c.push_back({"rsm_memseg_import_get64", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_get64(w.imp, 8, local, 3); }});
  c.push_back({"rsm_memseg_import_get", Stage::barrier_ready, xfer_ops, [](World &w) {
                 return rsm_memseg_import_get(w.imp, 3, local, 17); }});
  c.push_back({"rsm_memseg_import_putv", Stage::barrier_ready, xfer_ops, [](World &w) {
                 rsm_iovec_t iov;
                 rsm_scat_gath_t sg = one_entry(w, &iov, reinterpret_cast<char *>(local));
                 return rsm_memseg_import_putv(&sg); }});
  c.push_back({"rsm_memseg_import_getv", Stage::barrier_ready, xfer_ops, [](World &w) {
                 rsm_iovec_t iov;
                 rsm_scat_gath_t sg = one_entry(w, &iov, reinterpret_cast<char *>(local));
                 return rsm_memseg_import_getv(&sg); }});
  c.push_back({"rsm_memseg_import_order_barrier", Stage::span_open, {"import_fence"},
               [](World &w) { return rsm_memseg_import_order_barrier(&w.bar); }});
  c.push_back({"rsm_memseg_import_close_barrier", Stage::span_open, {"import_fence"},
               [](World &w) { return rsm_memseg_import_close_barrier(&w.bar); },
               [](World &w) { rsm_memseg_import_open_barrier(&w.bar); },
               [](World &w) { rsm_memseg_import_open_barrier(&w.bar); }});
  c.push_back({"rsm_intr_signal_post", Stage::connected, {"import_signal"},
               [](World &w) { return rsm_intr_signal_post(w.imp, 0); },
               [](World &w) { rsm_intr_signal_wait(w.exp, 1000); }});
  c.push_back({"rsm_intr_signal_post", Stage::connected, {"export_signal"},
               [](World &w) { return rsm_intr_signal_post(w.exp, 0); },
               [](World &w) { rsm_intr_signal_wait(w.imp, 1000); }});
  c.push_back({"rsm_create_localmemory_handle", Stage::controller, {"localmem_create"},
               [](World &w) {
                 rsm_localmemory_handle_t h = nullptr;
                 int rc = rsm_create_localmemory_handle(w.ctlr, &h, w.mem, w.len);
                 if (rc == RSM_SUCCESS) rsm_free_localmemory_handle(w.ctlr, h);
                 return rc;
               }});
  return c;
}

class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("RSMKIT_BACKEND_PATH", RSMKIT_TEST_PLUGIN_DIR, 1);
    clear_faults();
    ASSERT_NE(&documented(), nullptr);
  }
  void TearDown() override { clear_faults(); }
};

TEST_F(FaultInjection, EveryBackendFailureBecomesADocumentedCode) {
  int checked = 0;
  for (const Call &call : calls()) {
    rsmc::RcSet allowed = documented().allowed(call.function);
    ASSERT_FALSE(allowed.empty()) << call.function << " is not in errors.csv";
    for (const char *op : call.ops) {
      for (const char *status : kStatuses) {
        SCOPED_TRACE(std::string(call.function) + " with " + op + "=" + status);
        World w;
        ASSERT_TRUE(w.build(call.stage));
        inject(op, status);
        int rc = call.run(w);
        clear_faults();
        EXPECT_NE(rc, RSM_SUCCESS) << "the injected failure was lost";
        EXPECT_TRUE(allowed.has(rc)) << "undocumented code " << rc;
        call.after_failure(w);
        // The handles survive a failure: the same call now succeeds.
        EXPECT_EQ(call.run(w), RSM_SUCCESS) << "the failure left the handle unusable";
        call.undo(w);
        checked++;
      }
    }
  }
  EXPECT_GT(checked, 300);
}

// The documented (function, error) pairs shm has no way to produce, each
// produced here by the failure a fabric backend would report.
struct Pair {
  const char *function;
  const char *op;
  const char *status;
  int expected;
};

const Pair kPairs[] = {
    {"rsm_memseg_export_create", "export_create", "not_present", RSMERR_CTLR_NOT_PRESENT},
    {"rsm_memseg_export_rebind", "export_rebind", "not_present", RSMERR_CTLR_NOT_PRESENT},
    {"rsm_memseg_export_rebind", "export_rebind", "interrupted", RSMERR_INTERRUPTED},
    {"rsm_memseg_export_rebind", "export_rebind", "no_memory", RSMERR_INSUFFICIENT_MEM},
    {"rsm_memseg_export_rebind", "export_rebind", "no_resources", RSMERR_INSUFFICIENT_RESOURCES},
    {"rsm_memseg_export_publish", "export_publish", "no_memory", RSMERR_INSUFFICIENT_MEM},
    {"rsm_memseg_export_publish", "export_publish", "no_resources", RSMERR_INSUFFICIENT_RESOURCES},
    {"rsm_memseg_export_republish", "export_republish", "interrupted", RSMERR_INTERRUPTED},
    {"rsm_memseg_export_republish", "export_republish", "no_memory", RSMERR_INSUFFICIENT_MEM},
    {"rsm_memseg_export_republish", "export_republish", "no_resources", RSMERR_INSUFFICIENT_RESOURCES},
    {"rsm_memseg_export_unpublish", "export_unpublish", "interrupted", RSMERR_INTERRUPTED},
    {"rsm_memseg_import_connect", "import_connect", "not_present", RSMERR_CTLR_NOT_PRESENT},
    {"rsm_memseg_import_connect", "import_connect", "interrupted", RSMERR_INTERRUPTED},
    {"rsm_memseg_import_connect", "import_connect", "unreachable", RSMERR_REMOTE_NODE_UNREACHABLE},
    {"rsm_intr_signal_post", "import_signal", "unreachable", RSMERR_REMOTE_NODE_UNREACHABLE},
    {"rsm_intr_signal_post", "export_signal", "unreachable", RSMERR_REMOTE_NODE_UNREACHABLE},
    {"rsm_memseg_import_putv", "import_xfer", "interrupted", RSMERR_INTERRUPTED},
    {"rsm_memseg_import_putv", "import_xfer", "unreachable", RSMERR_REMOTE_NODE_UNREACHABLE},
    {"rsm_memseg_import_putv", "import_xfer", "io_error", RSMERR_BARRIER_FAILURE},
    {"rsm_memseg_import_putv", "import_xfer", "no_resources", RSMERR_INSUFFICIENT_RESOURCES},
    {"rsm_memseg_import_getv", "import_xfer", "interrupted", RSMERR_INTERRUPTED},
    {"rsm_memseg_import_getv", "import_xfer", "unreachable", RSMERR_REMOTE_NODE_UNREACHABLE},
    {"rsm_memseg_import_getv", "import_xfer", "io_error", RSMERR_BARRIER_FAILURE},
    {"rsm_memseg_import_getv", "import_xfer", "no_resources", RSMERR_INSUFFICIENT_RESOURCES},
    {"rsm_memseg_import_order_barrier", "import_fence", "io_error", RSMERR_BARRIER_FAILURE},
    {"rsm_memseg_import_close_barrier", "import_fence", "io_error", RSMERR_BARRIER_FAILURE},
};

const char *const kXfer[] = {
    "rsm_memseg_import_put8", "rsm_memseg_import_put16", "rsm_memseg_import_put32",
    "rsm_memseg_import_put64", "rsm_memseg_import_put", "rsm_memseg_import_get8",
    "rsm_memseg_import_get16", "rsm_memseg_import_get32", "rsm_memseg_import_get64",
    "rsm_memseg_import_get",
};

int run_with_fault(const char *function, const char *op, const char *status) {
  for (const Call &call : calls()) {
    if (std::string(call.function) != function) continue;
    bool reaches = false;
    for (const char *o : call.ops) reaches = reaches || std::string(o) == op;
    if (!reaches) continue;
    World w;
    if (!w.build(call.stage)) return -1000;
    inject(op, status);
    return call.run(w);
  }
  return -1001;
}

TEST_F(FaultInjection, TransportFailuresGiveTheirDocumentedCodes) {
  for (const Pair &p : kPairs) {
    SCOPED_TRACE(std::string(p.function) + " with " + p.op + "=" + p.status);
    EXPECT_EQ(run_with_fault(p.function, p.op, p.status), p.expected);
  }
  for (const char *fn : kXfer) {
    SCOPED_TRACE(fn);
    EXPECT_EQ(run_with_fault(fn, "import_xfer", "io_error"), RSMERR_BARRIER_FAILURE);
    EXPECT_EQ(run_with_fault(fn, "import_xfer", "no_resources"), RSMERR_INSUFFICIENT_RESOURCES);
  }
}

// A failure inside an explicit span is kept for the close: the put itself
// succeeds, the close reports the failure, and the next span is clean.
TEST_F(FaultInjection, FailureInsideASpanIsReportedByTheClose) {
  World w;
  ASSERT_TRUE(w.build(Stage::barrier_ready));
  ASSERT_EQ(rsm_memseg_import_set_mode(w.imp, RSM_BARRIER_MODE_EXPLICIT), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_import_open_barrier(&w.bar), RSM_SUCCESS);
  uint64_t v = 0x1122334455667788ULL;
  inject("import_xfer", "io_error");
  EXPECT_EQ(rsm_memseg_import_put64(w.imp, 0, &v, 1), RSM_SUCCESS);
  clear_faults();
  EXPECT_EQ(rsm_memseg_import_close_barrier(&w.bar), RSMERR_BARRIER_FAILURE);
  ASSERT_EQ(rsm_memseg_import_open_barrier(&w.bar), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_put64(w.imp, 0, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_close_barrier(&w.bar), RSM_SUCCESS);
  uint64_t seen;
  std::memcpy(&seen, w.mem, sizeof seen);
  EXPECT_EQ(seen, v);
}

// An unpublish that failed leaves the segment published and connected.
TEST_F(FaultInjection, FailedUnpublishKeepsTheSegmentPublished) {
  World w;
  ASSERT_TRUE(w.build(Stage::barrier_ready));
  inject("export_unpublish", "interrupted");
  EXPECT_EQ(rsm_memseg_export_unpublish(w.exp), RSMERR_INTERRUPTED);
  clear_faults();
  uint32_t v = 0xa5a5a5a5;
  EXPECT_EQ(rsm_memseg_import_put32(w.imp, 16, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(std::memcmp(w.mem + 16, &v, sizeof v), 0);
  EXPECT_EQ(rsm_memseg_export_republish(w.exp, nullptr, 0), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_unpublish(w.exp), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_put32(w.imp, 16, &v, 1), RSMERR_CONN_ABORTED);
}

}  // namespace
