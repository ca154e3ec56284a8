# rsmkit_embed_errors_csv(<out.cc>): generates <out.cc> holding the spec's
# error list (conformance/spec/errors.csv) as rsmc::kEmbeddedFiles, the way
# rsm-conformance embeds it, for the other programs that check codes against
# it (fuzz harnesses, the reference's fault-injection test). Nothing reads the
# source tree at run time.
function(rsmkit_embed_errors_csv out)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR}/conformance -DFILES=spec/errors.csv
            -DSTEMS= -DOUT=${out} -P ${PROJECT_SOURCE_DIR}/conformance/runner/embed_files.cmake
    DEPENDS ${PROJECT_SOURCE_DIR}/conformance/spec/errors.csv
            ${PROJECT_SOURCE_DIR}/conformance/runner/embed_files.cmake)
endfunction()
