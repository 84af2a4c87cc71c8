# CTest script: render SPEC.md as `make spec` does (pandoc + anchors.lua) and check the anchors.
execute_process(
  COMMAND ${PANDOC} ${SOURCE}/reference/SPEC.md --from gfm --to html5 --standalone
          --metadata title=quantspec-SPEC --lua-filter ${SOURCE}/reference/spec/anchors.lua
          --output ${OUT}
  RESULT_VARIABLE rendered)
if(NOT rendered EQUAL 0)
  message(FATAL_ERROR "pandoc failed (${rendered})")
endif()
execute_process(COMMAND ${PYTHON} ${SOURCE}/reference/tests/check_spec_release.py --html ${OUT}
                RESULT_VARIABLE checked)
if(NOT checked EQUAL 0)
  message(FATAL_ERROR "anchors missing (see above)")
endif()
