// rsmkit-mutants: prints the mutant registry of librsm-mutants, one
// "name<TAB>rule" line per mutant, for ci/mutation.sh.
#include <cstdio>

#include "core/mutants.h"

int main() {
  size_t n = 0;
  const rsmkit::MutantInfo *m = rsmkit::mutants(&n);
  for (size_t i = 0; i < n; i++) std::printf("%s\t%s\n", m[i].name, m[i].rule);
  return 0;
}
