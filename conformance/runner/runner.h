// rsmkit conformance: the runner (isolation, scheduling, reports).
#ifndef RSMC_RUNNER_H
#define RSMC_RUNNER_H

namespace rsmc {

// Entry point of `rsm-conformance` without --child/--peer; returns the exit
// code that reflects the verdict.
int runner_main(int argc, char **argv);

}  // namespace rsmc

#endif  // RSMC_RUNNER_H
