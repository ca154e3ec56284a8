// rsmkit conformance: the documented codes of the spec embedded in this
// executable (spec/errors.csv, see embedded.h), parsed once. Shared by the
// property tests, the API-sequence fuzzer and the reference's fault-injection
// tests, which all check codes against it.
#ifndef RSMC_RUNNER_EMBEDDED_DOCUMENTED_H
#define RSMC_RUNNER_EMBEDDED_DOCUMENTED_H

#include <cstring>

#include "model/documented.h"
#include "runner/embedded.h"

namespace rsmc {

// nullptr if the executable embeds no errors.csv.
inline const model::DocumentedCodes *embedded_documented_codes() {
  static const model::DocumentedCodes *codes = []() -> const model::DocumentedCodes * {
    for (size_t i = 0; i < kEmbeddedFileCount; i++)
      if (std::strcmp(kEmbeddedFiles[i].path, "spec/errors.csv") == 0)
        return new model::DocumentedCodes(kEmbeddedFiles[i].text);
    return nullptr;
  }();
  return codes;
}

}  // namespace rsmc

#endif  // RSMC_RUNNER_EMBEDDED_DOCUMENTED_H
