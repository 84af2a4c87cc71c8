# cmake -D TEST_EXECUTABLE=<exe> -D CTEST_FILE=<out> [-D LABEL=<label>] -P list_gtest_suites.cmake
# Writes one add_test() per GoogleTest suite of <exe> (see GTestSuites.cmake).
set(skipped_exit_code 77)
execute_process(COMMAND "${TEST_EXECUTABLE}" --gtest_list_tests
                OUTPUT_VARIABLE listing RESULT_VARIABLE status TIMEOUT 120)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --gtest_list_tests failed (${status}):\n${listing}")
endif()
# Suite lines start in column 0 and end in '.'; test lines are indented.
string(REGEX MATCHALL "(^|\n)[A-Za-z_][A-Za-z0-9_]*\\." suite_lines "${listing}")
set(content "")
set(count 0)
foreach(line IN LISTS suite_lines)
  string(STRIP "${line}" line)
  string(REGEX REPLACE "\\.$" "" suite "${line}")
  set(name "${suite}.*")
  string(APPEND content
    "add_test([=[${name}]=] [=[${TEST_EXECUTABLE}]=] [=[--gtest_filter=${name}]=])\n"
    "set_tests_properties([=[${name}]=] PROPERTIES SKIP_RETURN_CODE ${skipped_exit_code}"
    " ENVIRONMENT QUANTSPEC_SKIPPED_EXIT_CODE=${skipped_exit_code}")
  if(LABEL)
    string(APPEND content " LABELS [=[${LABEL}]=]")
  endif()
  string(APPEND content ")\n")
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} lists no test suite")
endif()
file(WRITE "${CTEST_FILE}" "${content}")
