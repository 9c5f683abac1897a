# Installs the python component into PREFIX and imports it from there with PYTHON, outside the
# source and build trees. Arguments: BUILD_DIR, PREFIX, SITE (relative to PREFIX), PYTHON.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                        --component python
                RESULT_VARIABLE installed)
if(NOT installed EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${installed}")
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${PREFIX}/${SITE} ${PYTHON} -c
          "import ibstream; assert ibstream.__file__.startswith('${PREFIX}/'), ibstream.__file__; print(ibstream.__file__, ibstream.TICK_TYPES)"
  WORKING_DIRECTORY ${PREFIX}
  RESULT_VARIABLE imported)
file(REMOVE_RECURSE ${PREFIX})
if(NOT imported EQUAL 0)
  message(FATAL_ERROR "the installed module does not import: ${imported}")
endif()
