// rsmkit reference librsm: fault switches for the mutation self-check
// (ci/mutation.sh, docs/quality.md). Each RSMKIT_MUTANT("name") sits at one
// fault site in the core and is true when that mutant is selected.
//
// Only librsm-mutants is built with RSMKIT_MUTANTS: there the switch is a
// run-time test of the environment variable RSMKIT_MUTANT (read once), so one
// library serves every mutant. In librsm the switch is the constant false and
// the compiler removes the dead branches: the production library is unchanged.
//
// Adding a mutant: one RSMKIT_MUTANT("<area>.<rule it breaks>") at the fault
// site, and one row in kMutants (mutants.cc) saying what it breaks.
#ifndef RSMKIT_CORE_MUTANTS_H
#define RSMKIT_CORE_MUTANTS_H

#include <cstddef>

namespace rsmkit {

struct MutantInfo {
  const char *name;  // "<area>.<rule>", as written at the fault site
  const char *rule;  // one line: the rule the seeded fault breaks
};

// The registry of known mutants (mutants.cc).
const MutantInfo *mutants(size_t *count);

#ifdef RSMKIT_MUTANTS
// True when `name` is the mutant selected by RSMKIT_MUTANT. An unknown
// selection aborts the process: a misspelt name must not pass as a survivor.
bool mutant_active(const char *name);
#define RSMKIT_MUTANT(name) (::rsmkit::mutant_active(name))
#else
#define RSMKIT_MUTANT(name) false
#endif

}  // namespace rsmkit

#endif  // RSMKIT_CORE_MUTANTS_H
