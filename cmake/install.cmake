# install(): a CMake package so other projects can `find_package(quantspec CONFIG)` and link
# `quantspec::reference` (and the kernel ABI header / optimized kernels where built).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS quantspec_reference EXPORT quantspecTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/reference/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/reference/SPEC.md DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
if(EXISTS ${PROJECT_SOURCE_DIR}/conformance/include/quantspec/kernel_abi.h)
  install(FILES ${PROJECT_SOURCE_DIR}/conformance/include/quantspec/kernel_abi.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/quantspec)
endif()

install(EXPORT quantspecTargets NAMESPACE quantspec::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/quantspec)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/quantspecConfig.cmake.in
  ${PROJECT_BINARY_DIR}/quantspecConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/quantspec)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/quantspecConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/quantspecConfig.cmake
              ${PROJECT_BINARY_DIR}/quantspecConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/quantspec)

if(QUANTSPEC_BUILD_TESTS)
  add_test(NAME install.find_package_consumer
           COMMAND ${PROJECT_SOURCE_DIR}/cmake/consumer/run.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(install.find_package_consumer PROPERTIES LABELS install TIMEOUT 300)
endif()
