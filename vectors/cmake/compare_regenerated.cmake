# Regenerates every vector file into TEMP_DIR and fails unless the set of files and each file's
# bytes equal the checked-in ones in CHECKED_IN (the generator is deterministic: fixed seeds,
# stable ordering, exact encodings).
file(REMOVE_RECURSE ${TEMP_DIR})
file(MAKE_DIRECTORY ${TEMP_DIR})
execute_process(COMMAND ${TOOL} generate --out ${TEMP_DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generation failed (exit ${rc})")
endif()
file(GLOB regenerated RELATIVE ${TEMP_DIR} ${TEMP_DIR}/*.json)
file(GLOB checked_in RELATIVE ${CHECKED_IN} ${CHECKED_IN}/*.json)
list(SORT regenerated)
list(SORT checked_in)
if(NOT regenerated STREQUAL checked_in)
  message(FATAL_ERROR "file sets differ: regenerated [${regenerated}] vs checked in [${checked_in}]")
endif()
set(failed "")
foreach(name IN LISTS regenerated)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${TEMP_DIR}/${name} ${CHECKED_IN}/${name}
                  RESULT_VARIABLE differs)
  if(NOT differs EQUAL 0)
    list(APPEND failed ${name})
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "regenerated vectors differ from vectors/: ${failed} "
                      "(run `quantspec vectors generate --out vectors` and review the diff)")
endif()
message(STATUS "all vector files regenerate byte for byte")
