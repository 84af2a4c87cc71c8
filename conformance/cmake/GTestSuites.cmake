# quantspec_gtest_suites(TARGET <gtest executable> [LABEL <label>])
#
# Registers one CTest test per GoogleTest *suite* of <target>, named "<Suite>.*" and running
# `<target> --gtest_filter=<Suite>.*`, instead of one per test as gtest_discover_tests() does.
# Why: a conformance binary holds one suite per table x operation x variant with a few checks
# each (4 260 tests in 565 suites for our Highway tables); one process per check spent three
# quarters of the suite's time starting processes (330 s of CPU per test vs 84 s in one process
# on the release build, 413 s vs 63 s under ASan). The suites are listed after each build with
# --gtest_list_tests, as gtest_discover_tests() does. A suite in which every test was skipped
# (a variant the table does not provide) exits with code 77 through run_registered_tests()
# (gtest_registration.hpp) and is reported skipped by CTest.
set(QUANTSPEC_GTEST_SUITES_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/list_gtest_suites.cmake
    CACHE INTERNAL "script writing the per-suite CTest file")

function(quantspec_gtest_suites)
  cmake_parse_arguments(ARG "" "TARGET;LABEL" "" ${ARGN})
  if(NOT ARG_TARGET)
    message(FATAL_ERROR "quantspec_gtest_suites: TARGET is required")
  endif()
  set(tests_file "${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}_suites.cmake")
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}_suites_include.cmake")
  add_custom_command(TARGET ${ARG_TARGET} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D "TEST_EXECUTABLE=$<TARGET_FILE:${ARG_TARGET}>"
            -D "CTEST_FILE=${tests_file}" -D "LABEL=${ARG_LABEL}"
            -P ${QUANTSPEC_GTEST_SUITES_SCRIPT}
    VERBATIM)
  file(WRITE "${include_file}"
    "if(EXISTS \"${tests_file}\")\n"
    "  include(\"${tests_file}\")\n"
    "else()\n"
    "  add_test(${ARG_TARGET}_NOT_BUILT ${ARG_TARGET}_NOT_BUILT)\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
