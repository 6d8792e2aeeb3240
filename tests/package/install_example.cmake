# ctest package.install_example: `cmake --install` of the build into a fresh prefix, then
# examples/use_learned_optimizer configured and built against that prefix alone
# (find_package(l2o CONFIG)), run with the installed models/psd_mnist48.h5: the loss of both
# optimizers must fall. Also runs the installed l2o binary.
#   cmake -DBUILD_DIR=<l2o build> -DSOURCE_DIR=<l2o source> -DWORK_DIR=<scratch> -P install_example.cmake
function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${output}")
  endif()
  set(step_output "${output}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
run_step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
run_step("installed l2o" ${prefix}/bin/l2o config --check ${prefix}/share/l2o/config/train_mnist48.toml)
# No build type: the example is one small file, its hot loops are in the installed libraries.
run_step("configuring the example" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/use_learned_optimizer
         -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix})
run_step("building the example" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_step("use_learned_optimizer" ${WORK_DIR}/build/use_learned_optimizer
         ${prefix}/share/l2o/models/psd_mnist48.h5)
message(STATUS "${step_output}")
foreach(optimizer psd adam)
  if(NOT step_output MATCHES "${optimizer}: initial loss ([0-9.]+) final loss ([0-9.]+)")
    message(FATAL_ERROR "no '${optimizer}: initial loss .. final loss ..' line in:\n${step_output}")
  endif()
  set(initial ${CMAKE_MATCH_1})
  set(final ${CMAKE_MATCH_2})
  # LESS compares the decimal strings as real numbers.
  if(NOT final LESS initial)
    message(FATAL_ERROR "${optimizer}: the loss did not fall (${initial} -> ${final})")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
