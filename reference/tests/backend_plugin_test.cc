// Controller lookup: built-in backends, plug-ins, and their version check.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "test_util.h"

namespace {

using namespace rsmkit_test;

void use_plugins() { setenv("RSMKIT_BACKEND_PATH", RSMKIT_TEST_PLUGIN_DIR, 1); }

int get(const char *name, rsmapi_controller_handle_t *h) {
  std::string copy(name);
  return rsm_get_controller(copy.data(), h);
}

TEST(BackendPlugin, PluginWithAnotherAbiIsBadLibraryVersion) {
  use_plugins();
  rsmapi_controller_handle_t h = nullptr;
  EXPECT_EQ(get("badver0", &h), RSMERR_BAD_LIBRARY_VERSION);
}

TEST(BackendPlugin, MissingPluginIsNotPresent) {
  use_plugins();
  rsmapi_controller_handle_t h = nullptr;
  EXPECT_EQ(get("nosuch0", &h), RSMERR_CTLR_NOT_PRESENT);
}

TEST(BackendPlugin, PluginLoadsAndUnimplementedOpsAreRefused) {
  use_plugins();
  rsmapi_controller_handle_t h = nullptr;
  ASSERT_EQ(get("FAKE0", &h), RSM_SUCCESS);  // type names compare without case
  char *mem = pages(1);
  rsm_memseg_export_handle_t e = nullptr;
  EXPECT_EQ(rsm_memseg_export_create(h, &e, mem, page(), 0), RSMERR_INSUFFICIENT_RESOURCES);
  rsm_memseg_import_handle_t i = nullptr;
  EXPECT_EQ(rsm_memseg_import_connect(h, 1, 0x600000, RSM_PERM_READ, &i), RSMERR_INSUFFICIENT_RESOURCES);
  EXPECT_EQ(rsm_release_controller(h), RSM_SUCCESS);
}

TEST(BackendPlugin, UnknownUnitOfPluginIsNotPresent) {
  use_plugins();
  rsmapi_controller_handle_t h = nullptr;
  EXPECT_EQ(get("fake3", &h), RSMERR_CTLR_NOT_PRESENT);
}

TEST(ControllerNames, Parsing) {
  rsmapi_controller_handle_t h = nullptr, h2 = nullptr;
  EXPECT_EQ(get("shm0", &h), RSM_SUCCESS);
  EXPECT_EQ(get("SHM", &h2), RSM_SUCCESS);  // no digits: unit 0, same controller
  EXPECT_EQ(h, h2);
  EXPECT_EQ(rsm_release_controller(h2), RSM_SUCCESS);
  EXPECT_EQ(rsm_release_controller(h), RSM_SUCCESS);
  EXPECT_EQ(rsm_release_controller(h), RSMERR_BAD_CTLR_HNDL);
  EXPECT_EQ(get("shm1", &h), RSMERR_CTLR_NOT_PRESENT);
  EXPECT_EQ(get("0", &h), RSMERR_CTLR_NOT_PRESENT);
  EXPECT_EQ(get("", &h), RSMERR_CTLR_NOT_PRESENT);
  EXPECT_EQ(get("shm99999999999", &h), RSMERR_CTLR_NOT_PRESENT);
  EXPECT_EQ(get(std::string(300, 'a').c_str(), &h), RSMERR_CTLR_NOT_PRESENT);
  EXPECT_EQ(rsm_get_controller(nullptr, &h), RSMERR_BAD_ADDR);
  char name[] = "shm0";
  EXPECT_EQ(rsm_get_controller(name, nullptr), RSMERR_BAD_CTLR_HNDL);
}

}  // namespace
