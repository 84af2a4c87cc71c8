# quantspec_add_conformance_test(NAME <target>
#                                TABLE_SOURCE <sources...>
#                                [LINK <libraries...>]
#                                [CASES <n>] [SEED <s>])
#
# Builds a GoogleTest binary <target> that runs the whole conformance suite against the kernel
# table defined by TABLE_SOURCE (sources that define the standard entry point
# `qs_kernel_table_get`, exactly as a plug-in does), one gtest per operation x variant x check:
#
#     <table name>_<op>_<variant>.<Check>    e.g.  scalar_requantize_double_round.RoundsTiesByItsRule
#
# CTest runs one test per operation x variant ("<table name>_<op>_<variant>.*", GTestSuites.cmake);
# the binary itself runs and reports every check. Variants the table does not provide are
# reported as skipped. CASES sets the RapidCheck cases
# per property (default 100), SEED the run seed (default 1); at run time the environment
# variables QUANTSPEC_CONFORM_CASES / QUANTSPEC_CONFORM_SEED override both, and
# QUANTSPEC_CONFORM_EXHAUSTIVE=1 adds the exhaustive sweeps (split them over machines with
# GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS). The tests are registered with CTest.
include(${CMAKE_CURRENT_LIST_DIR}/GTestSuites.cmake)

function(quantspec_add_conformance_test)
  cmake_parse_arguments(ARG "" "NAME;CASES;SEED" "TABLE_SOURCE;LINK" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_TABLE_SOURCE)
    message(FATAL_ERROR "quantspec_add_conformance_test: NAME and TABLE_SOURCE are required")
  endif()
  if(NOT ARG_CASES)
    set(ARG_CASES 100)
  endif()
  if(NOT ARG_SEED)
    set(ARG_SEED 1)
  endif()
  if(NOT TARGET quantspec::conformance_gtest)
    message(FATAL_ERROR "quantspec_add_conformance_test needs quantspec::conformance_gtest (tests enabled)")
  endif()
  add_executable(${ARG_NAME} ${ARG_TABLE_SOURCE} ${QUANTSPEC_CONFORMANCE_TABLE_MAIN})
  target_link_libraries(${ARG_NAME} PRIVATE quantspec::conformance_gtest ${ARG_LINK})
  target_compile_definitions(${ARG_NAME} PRIVATE
    QUANTSPEC_CONFORM_DEFAULT_CASES=${ARG_CASES} QUANTSPEC_CONFORM_DEFAULT_SEED=${ARG_SEED})
  quantspec_gtest_suites(TARGET ${ARG_NAME} LABEL conformance)
endfunction()

set(QUANTSPEC_CONFORMANCE_TABLE_MAIN ${CMAKE_CURRENT_LIST_DIR}/../src/table_tests_main.cpp
    CACHE INTERNAL "main() of the binaries quantspec_add_conformance_test builds")
