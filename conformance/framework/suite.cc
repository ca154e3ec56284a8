// rsmkit conformance: the base fixture.
#include "framework/suite.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace rsmc {

Config &config() {
  static Config c;
  return c;
}

void load_config_from_env() {
  Config &c = config();
  if (const char *v = std::getenv("RSMC_CONTROLLER")) c.controller = v;
  if (const char *v = std::getenv("RSMC_PEER_CMD"); v && *v) c.peer_cmd = v;
  if (const char *v = std::getenv("RSMC_TIMEOUT_SCALE")) c.timeout_scale = std::max(0.1, std::atof(v));
  if (const char *v = std::getenv("RSMC_SEED")) c.seed = std::strtoull(v, nullptr, 10);
}

int scaled_ms(int ms) { return static_cast<int>(ms * config().timeout_scale); }

void covers(const char *assertion_id) {
  static std::string current_test;
  static std::string ids;
  const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "";
  if (name != current_test) {
    current_test = name;
    ids.clear();
  }
  if (!ids.empty()) ids += ",";
  ids += assertion_id;
  ::testing::Test::RecordProperty("assertions", ids);
}

namespace {
// The first controller the implementation's topology reports.
std::string first_controller() {
  rsm_topology_t *t = nullptr;
  std::string name;
  if (rsm_get_interconnect_topology(&t) == RSM_SUCCESS && t) {
    if (t->topology_hdr.local_cntlr_count > 0 && t->connections[0])
      name = t->connections[0]->hdr.cntlr_name;
    rsm_free_interconnect_topology(t);
  }
  return name;
}

rsm_node_id_t topology_node() {
  rsm_topology_t *t = nullptr;
  rsm_node_id_t n = 0;
  if (rsm_get_interconnect_topology(&t) == RSM_SUCCESS && t) {
    n = t->topology_hdr.local_nodeid;
    rsm_free_interconnect_topology(t);
  }
  return n;
}
}  // namespace

void RsmTest::SetUp() {
  ctlr_name = config().controller.empty() ? first_controller() : config().controller;
  ASSERT_FALSE(ctlr_name.empty())
      << "the implementation's topology names no controller; pass --controller NAME";
  ASSERT_OK(rsm_get_controller(ctlr_name.data(), &ctlr)) << "controller " << ctlr_name;
  ASSERT_OK(rsm_get_controller_attr(ctlr, &attr));
  page = attr.attr_page_size ? attr.attr_page_size : static_cast<size_t>(sysconf(_SC_PAGESIZE));
  local_node = topology_node();
}

void RsmTest::TearDown() {
  for (auto it = barriers_.rbegin(); it != barriers_.rend(); ++it) {
    rsm_memseg_import_destroy_barrier(*it);
    delete *it;
  }
  barriers_.clear();
  for (auto it = imports_.rbegin(); it != imports_.rend(); ++it) {
    rsm_memseg_import_unmap(*it);
    rsm_memseg_import_disconnect(*it);
  }
  imports_.clear();
  for (auto it = exports_.rbegin(); it != exports_.rend(); ++it) rsm_memseg_export_destroy(*it);
  exports_.clear();
  for (auto &m : mems_) munmap(m.p, m.len);
  mems_.clear();
  if (ctlr) rsm_release_controller(ctlr);
  ctlr = nullptr;
}

char *RsmTest::alloc_pages(size_t pages) {
  size_t len = pages * page;
  void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    ADD_FAILURE() << "mmap of " << len << " bytes failed";
    return nullptr;
  }
  mems_.push_back({static_cast<char *>(p), len});
  return static_cast<char *>(p);
}

RsmTest::Export RsmTest::make_export(size_t pages, uint64_t seed, bool publish,
                                     rsmapi_access_entry_t *acl, uint_t acl_len, uint_t flags) {
  Export e;
  e.len = pages * page;
  e.seed = seed;
  e.mem = alloc_pages(pages);
  if (!e.mem) return e;
  fill_pattern(e.mem, e.len, seed, 0);
  int rc = rsm_memseg_export_create(ctlr, &e.h, e.mem, e.len, flags);
  EXPECT_RC(rc, RSM_SUCCESS) << "export_create of " << e.len << " bytes";
  if (rc != RSM_SUCCESS) {
    e.h = nullptr;
    return e;
  }
  exports_.push_back(e.h);
  if (publish) {
    e.id = 0;
    EXPECT_OK(rsm_memseg_export_publish(e.h, &e.id, acl, acl_len)) << "publish";
  }
  return e;
}

rsm_memseg_import_handle_t RsmTest::connect(rsm_memseg_id_t id, rsm_permission_t perm,
                                            rsm_node_id_t node) {
  rsm_memseg_import_handle_t h = nullptr;
  int rc = rsm_memseg_import_connect(ctlr, node ? node : local_node, id, perm, &h);
  EXPECT_RC(rc, RSM_SUCCESS) << "connect to segment " << id;
  if (rc != RSM_SUCCESS) return nullptr;
  imports_.push_back(h);
  return h;
}

rsm_memseg_import_handle_t RsmTest::connect_with_barrier(rsm_memseg_id_t id, rsm_permission_t perm,
                                                         rsm_node_id_t node) {
  rsm_memseg_import_handle_t h = connect(id, perm, node);
  if (!h) return nullptr;
  auto *b = new rsmapi_barrier_t{};
  EXPECT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, b));
  barriers_.push_back(b);
  return h;
}

int RsmTest::destroy_barriers() {
  int first = RSM_SUCCESS;
  for (auto *b : barriers_) {
    int rc = rsm_memseg_import_destroy_barrier(b);
    if (first == RSM_SUCCESS) first = rc;
    delete b;
  }
  barriers_.clear();
  return first;
}

void RsmTest::forget_export(rsm_memseg_export_handle_t h) {
  exports_.erase(std::remove(exports_.begin(), exports_.end(), h), exports_.end());
}

void RsmTest::forget_import(rsm_memseg_import_handle_t h) {
  imports_.erase(std::remove(imports_.begin(), imports_.end(), h), imports_.end());
}

rsm_memseg_id_t RsmTest::unique_segid(unsigned k) const {
  // 0x10000000..0x7FFFFFFF: outside every system range of rsm_common.h.
  auto pid = static_cast<uint32_t>(getpid());
  return 0x10000000u + ((pid % 0x3000000u) << 4) + (k & 0xF);
}

int connect_from_scratch(const std::string &ctlr_name, rsm_node_id_t node, rsm_memseg_id_t id,
                         rsm_memseg_import_handle_t *h, rsmapi_barrier_t *barrier) {
  rsmapi_controller_handle_t c = nullptr;
  if (rsm_get_controller(const_cast<char *>(ctlr_name.c_str()), &c) != RSM_SUCCESS) return 1;
  if (rsm_memseg_import_connect(c, node, id, RSM_PERM_RDWR, h) != RSM_SUCCESS) return 2;
  if (barrier && rsm_memseg_import_init_barrier(*h, RSM_BARRIER_NODE, barrier) != RSM_SUCCESS) return 3;
  return 0;
}

rsm_memseg_import_handle_t RsmTest::stale_import() {
  Export e = make_export(1, 7);
  rsm_memseg_import_handle_t h = nullptr;
  EXPECT_OK(rsm_memseg_import_connect(ctlr, local_node, e.id, RSM_PERM_RDWR, &h));
  EXPECT_OK(rsm_memseg_import_disconnect(h));
  return h;
}

rsm_memseg_export_handle_t RsmTest::stale_export() {
  Export e = make_export(1, 7, false);
  EXPECT_OK(rsm_memseg_export_destroy(e.h));
  forget_export(e.h);
  return e.h;
}

}  // namespace rsmc
