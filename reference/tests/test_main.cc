// Each test process gets its own shm directory (removed at exit), so tests
// never see each other's segments, and a node id of 1 unless a test forks a
// child that sets another.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "test_util.h"

int main(int argc, char **argv) {
  char tmpl[] = "/tmp/rsmkit-unit-XXXXXX";
  const char *dir = mkdtemp(tmpl);
  if (!dir) return 2;
  setenv("RSMKIT_SHM_DIR", dir, 1);
  setenv("RSMKIT_NODE_ID", "1", 1);
  ::testing::InitGoogleTest(&argc, argv);
  int rc = RUN_ALL_TESTS();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return rc;
}
