// rsmkit conformance runner: data files compiled into the binary. CMake
// generates the definitions (conformance/runner/embed_files.cmake) from
// conformance/spec/errors.csv and conformance/catalog/*.csv, so an installed
// rsm-conformance never reads the source tree.
#ifndef RSMC_RUNNER_EMBEDDED_H
#define RSMC_RUNNER_EMBEDDED_H

#include <cstddef>

namespace rsmc {

struct EmbeddedFile {
  const char *path;  // relative to conformance/, e.g. "catalog/import_map.csv"
  const char *text;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;
// ';'-separated tests/*.cc stems this binary was built with (RSMC_ONLY_TESTS);
// empty when every test file was built.
extern const char *const kBuiltTestStems;

}  // namespace rsmc

#endif  // RSMC_RUNNER_EMBEDDED_H
