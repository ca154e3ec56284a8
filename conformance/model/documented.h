// rsmkit conformance: which codes each function may return at all -- its
// documented ERRORS (spec/errors.csv), success, and the few undocumented codes
// the spec digest records as acceptable (api.md section 4: codes illumos
// returns, failures one page implies for another). A code outside this set is
// never right, whatever the arguments: the API-sequence fuzzer's invariant.
#ifndef RSMC_MODEL_DOCUMENTED_H
#define RSMC_MODEL_DOCUMENTED_H

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "framework/rc_set.h"

namespace rsmc::model {

struct DocumentedPair {
  std::string function, error, condition;
};

// Parses errors.csv (RFC 4180 quoting; first line is the header). Rows whose
// error is "(none)" name a function without documented errors.
std::vector<DocumentedPair> parse_errors_csv(std::string_view text);

// The value of an RSMERR_* name, or -1.
int rsmerr_value(std::string_view name);

class DocumentedCodes {
 public:
  explicit DocumentedCodes(std::string_view errors_csv);
  // Success, the documented codes and the accepted extras; empty for an
  // unknown function name.
  RcSet allowed(const std::string &function) const;
  const std::vector<DocumentedPair> &pairs() const { return pairs_; }

 private:
  std::vector<DocumentedPair> pairs_;
  std::map<std::string, RcSet> by_function_;
};

}  // namespace rsmc::model

#endif  // RSMC_MODEL_DOCUMENTED_H
