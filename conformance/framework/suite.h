// rsmkit conformance: configuration, the base fixture and its helpers.
// Tests use only <rsmapi.h>; everything here is built on the public API.
#ifndef RSMC_SUITE_H
#define RSMC_SUITE_H

#include <gtest/gtest.h>
#include <rsmapi.h>

#include <string>
#include <vector>

#include "framework/pattern.h"
#include "framework/rc.h"

namespace rsmc {

// Filled from the environment the runner passes to each test process.
struct Config {
  std::string controller;       // RSMC_CONTROLLER; empty: first one in the topology
  std::string peer_cmd = "{}";  // RSMC_PEER_CMD; "{}" is replaced by the peer command
  double timeout_scale = 1.0;   // RSMC_TIMEOUT_SCALE
  uint64_t seed = 1;            // RSMC_SEED
};
Config &config();
void load_config_from_env();

// Milliseconds scaled by --timeout-scale.
int scaled_ms(int ms);

// Names the assertion ids (catalog/assertions.csv) a test checks; they go
// into the test's JUnit/JSON properties.
void covers(const char *assertion_id);

class RsmTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Mapping is optional for an interconnect: a controller that reports
  // attr_max_import_map_size == 0 does not map (docs/conformance.md).
  bool can_map() const { return attr.attr_max_import_map_size > 0; }

  // Page-aligned private read/write memory, unmapped at TearDown.
  char *alloc_pages(size_t pages);

  struct Export {
    rsm_memseg_export_handle_t h = nullptr;
    rsm_memseg_id_t id = 0;
    char *mem = nullptr;
    size_t len = 0;
    uint64_t seed = 0;
  };
  // Creates an export of `pages` pages filled with pattern `seed`, published
  // (segment id chosen by the implementation) unless publish is false.
  // Destroyed at TearDown unless forget_export() was called.
  Export make_export(size_t pages, uint64_t seed, bool publish = true,
                     rsmapi_access_entry_t *acl = nullptr, uint_t acl_len = 0, uint_t flags = 0);
  // Connects to a segment of the local node (or `node`); disconnected (and
  // unmapped) at TearDown unless forget_import() was called.
  rsm_memseg_import_handle_t connect(rsm_memseg_id_t id, rsm_permission_t perm = RSM_PERM_RDWR,
                                     rsm_node_id_t node = 0);
  // connect + init_barrier: ready for get/put. The barrier is destroyed at
  // TearDown, before the connection.
  rsm_memseg_import_handle_t connect_with_barrier(rsm_memseg_id_t id,
                                                  rsm_permission_t perm = RSM_PERM_RDWR,
                                                  rsm_node_id_t node = 0);
  // Destroys the barriers connect_with_barrier made, now (for a test that
  // takes its imports down itself); the first code that was not success.
  int destroy_barriers();
  void forget_export(rsm_memseg_export_handle_t h);
  void forget_import(rsm_memseg_import_handle_t h);
  // An id from the application range, distinct per process and per k.
  rsm_memseg_id_t unique_segid(unsigned k = 0) const;
  // An import handle that was connected and then disconnected.
  rsm_memseg_import_handle_t stale_import();
  rsm_memseg_export_handle_t stale_export();

  rsmapi_controller_handle_t ctlr = nullptr;
  std::string ctlr_name;
  rsmapi_controller_attr_t attr{};
  size_t page = 0;
  rsm_node_id_t local_node = 0;

 private:
  struct Mem {
    char *p;
    size_t len;
  };
  std::vector<Mem> mems_;
  std::vector<rsm_memseg_export_handle_t> exports_;
  std::vector<rsm_memseg_import_handle_t> imports_;
  std::vector<rsmapi_barrier_t *> barriers_;
};

// A connection made from nothing -- its own controller reference, connect,
// and init_barrier when `barrier` is given -- for a fork()ed child, where
// the parent's handles need not work. 0, or the step that failed: 1
// rsm_get_controller, 2 rsm_memseg_import_connect, 3 init_barrier.
int connect_from_scratch(const std::string &ctlr_name, rsm_node_id_t node, rsm_memseg_id_t id,
                         rsm_memseg_import_handle_t *h, rsmapi_barrier_t *barrier = nullptr);

// A handle value no implementation ever returned (not NULL).
template <class H>
H garbage_handle() {
  return reinterpret_cast<H>(static_cast<uintptr_t>(0x5a5a5a5a5a5a5a50ull));
}

}  // namespace rsmc

#endif  // RSMC_SUITE_H
