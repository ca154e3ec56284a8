# ctest -L memcheck: the reference's unit tests, the conformance suite and an
# example under Valgrind memcheck. Any memory error or definite leak fails the
# test (--error-exitcode, which forked children inherit: a child's error fails
# the child's check too). "Possibly lost" blocks are not errors: children that
# leave through _exit while the backend's liveness thread runs always leave
# its thread storage "possibly lost". Children's reports are not printed
# (--child-silent-after-fork); the parent's are.
#
# Left out under Valgrind, for a reason of Valgrind's, not ours: the tests that
# set RLIMIT_AS or RLIMIT_NOFILE (names with Exhaustion, ResourceLimits or
# Rlimit): Valgrind needs address space and keeps descriptors of its own, so
# the limits do not bite as the tests intend.
find_program(RSMKIT_VALGRIND valgrind)
if(NOT RSMKIT_VALGRIND OR NOT BUILD_TESTING)
  return()
endif()

set(RSMKIT_VALGRIND_CMD ${RSMKIT_VALGRIND} -q --error-exitcode=99 --leak-check=full
    --show-leak-kinds=definite --errors-for-leak-kinds=definite
    --child-silent-after-fork=yes
    --suppressions=${PROJECT_SOURCE_DIR}/cmake/valgrind.supp)
set(RSMKIT_MEMCHECK_SHM ${PROJECT_BINARY_DIR}/memcheck-shm)
file(MAKE_DIRECTORY ${RSMKIT_MEMCHECK_SHM})

if(TARGET rsmkit_reference_tests)
  add_test(NAME memcheck.reference
    COMMAND ${RSMKIT_VALGRIND_CMD} $<TARGET_FILE:rsmkit_reference_tests>
            --gtest_filter=-ResourceLimits.*)
  set_tests_properties(memcheck.reference PROPERTIES LABELS memcheck TIMEOUT 900
    ENVIRONMENT "RSMKIT_SHM_DIR=${RSMKIT_MEMCHECK_SHM}/reference")
  file(MAKE_DIRECTORY ${RSMKIT_MEMCHECK_SHM}/reference)
endif()

if(TARGET rsm-conformance)
  # One process runs the whole suite (the runner's per-test processes would
  # pay Valgrind's start-up a thousand times); peers run natively.
  add_test(NAME memcheck.conformance
    COMMAND ${RSMKIT_VALGRIND_CMD} $<TARGET_FILE:rsm-conformance> --child
            --gtest_filter=-*Rlimit*:*Exhaustion*:*ResourceLimits*)
  set_tests_properties(memcheck.conformance PROPERTIES LABELS memcheck TIMEOUT 1200
    ENVIRONMENT "RSMKIT_SHM_DIR=${RSMKIT_MEMCHECK_SHM}/conformance;RSMC_PEER_CMD=env RSMKIT_NODE_ID=2 {};RSMC_IMPL=$<TARGET_FILE:rsm>")
  file(MAKE_DIRECTORY ${RSMKIT_MEMCHECK_SHM}/conformance)
endif()

if(TARGET rsm-example-putget_barrier)
  add_test(NAME memcheck.example_putget_barrier
    COMMAND ${RSMKIT_VALGRIND_CMD} $<TARGET_FILE:rsm-example-putget_barrier>)
  set_tests_properties(memcheck.example_putget_barrier PROPERTIES LABELS memcheck TIMEOUT 300
    ENVIRONMENT "RSMKIT_SHM_DIR=${RSMKIT_MEMCHECK_SHM}")
endif()
