# Builds and runs test/package/consumer against seglog, installed (MODE=installed) or as a subdirectory
# (MODE=subdirectory). Invoked by ctest with -P; fails the test on any step's failure.
#   -DMODE=... -DSEGLOG_SOURCE_DIR=... -DSEGLOG_BINARY_DIR=... -DWORK_DIR=... -DGENERATOR=...
#   -DCXX_COMPILER=... -DCXX_FLAGS=... -DLINKER_FLAGS=...
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(configure ${CMAKE_COMMAND} -S ${SEGLOG_SOURCE_DIR}/test/package/consumer -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX_COMPILER} "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
if(MODE STREQUAL "installed")
  run(${CMAKE_COMMAND} --install ${SEGLOG_BINARY_DIR} --prefix ${WORK_DIR}/prefix)
  run(${configure} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
else()
  run(${configure} -DSEGLOG_SOURCE_DIR=${SEGLOG_SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2)
run(${WORK_DIR}/build/consumer)
