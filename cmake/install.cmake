# Install rules and package files, included at the end of the top-level
# CMakeLists.txt (after every target exists).
#
# A third party then uses either
#   find_package(rsmkit 0.1 REQUIRED)        # CMake: rsmkit::rsm, rsmkit::headers
#   pkg-config --cflags --libs rsm           # anything else
include(CMakePackageConfigHelpers)

set(RSMKIT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/rsmkit
    CACHE STRING "Where rsmkitConfig.cmake is installed, relative to the prefix")

# The public headers, at the paths illumos uses (<rsmapi.h>, <sys/rsm/*.h>).
install(FILES ${PROJECT_SOURCE_DIR}/include/rsmapi.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT devel)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/sys/rsm/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sys/rsm COMPONENT devel
        FILES_MATCHING PATTERN "*.h")

# rsmkit_headers is exported as rsmkit::headers, the same name the build tree uses.
set_target_properties(rsmkit_headers PROPERTIES EXPORT_NAME headers)
install(TARGETS rsmkit_headers EXPORT rsmkitTargets)

if(TARGET rsm)
  install(TARGETS rsm EXPORT rsmkitTargets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
                  COMPONENT runtime NAMELINK_COMPONENT devel)

  # pkg-config file: relocatable (paths from ${pcfiledir}) unless an install
  # dir was given as an absolute path.
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(RSMKIT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  else()
    file(RELATIVE_PATH rsmkit_pc_up "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
    string(REGEX REPLACE "/$" "" rsmkit_pc_up "${rsmkit_pc_up}")
    set(RSMKIT_PC_PREFIX "\${pcfiledir}/${rsmkit_pc_up}")
  endif()
  foreach(dir LIBDIR INCLUDEDIR)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
      set(RSMKIT_PC_${dir} "${CMAKE_INSTALL_${dir}}")
    else()
      set(RSMKIT_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
    endif()
  endforeach()
  configure_file(${CMAKE_CURRENT_LIST_DIR}/rsm.pc.in ${PROJECT_BINARY_DIR}/rsm.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/rsm.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT devel)
endif()

install(EXPORT rsmkitTargets NAMESPACE rsmkit::
        DESTINATION ${RSMKIT_INSTALL_CMAKEDIR} COMPONENT devel)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/rsmkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/rsmkitConfig.cmake
  INSTALL_DESTINATION ${RSMKIT_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/rsmkitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/rsmkitConfig.cmake
              ${PROJECT_BINARY_DIR}/rsmkitConfigVersion.cmake
        DESTINATION ${RSMKIT_INSTALL_CMAKEDIR} COMPONENT devel)

# The conformance suite: an installed rsm-conformance runs against the
# librsm installed beside it, or any library given with --impl.
if(TARGET rsm-conformance)
  install(TARGETS rsm-conformance RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT conformance)
endif()