# `cmake --install <build> --prefix <p>`: the stage libraries with their headers, the l2o binary,
# the configs and committed models, and the CMake package l2o (find_package(l2o CONFIG) ->
# l2o::l2o). Included by the top-level CMakeLists.txt after the stage libraries are defined.
include(CMakePackageConfigHelpers)
set(L2O_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/l2o)
set(L2O_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/l2o)

# The one target users link: every stage library. The libraries' own compile flags are private,
# except what a consumer must share to call them safely:
# - -march=native with L2O_NATIVE: Eigen's alignment (EIGEN_MAX_ALIGN_BYTES) follows the ISA, and
#   Eigen objects allocated by the caller are passed into code that assumes the library's;
# - the MPI C++ bindings stay off, as in the build (environment.md §3).
add_library(l2o_package INTERFACE)
set_target_properties(l2o_package PROPERTIES EXPORT_NAME l2o)
get_property(stage_libraries GLOBAL PROPERTY L2O_STAGE_LIBRARIES)
target_link_libraries(l2o_package INTERFACE ${stage_libraries})
target_compile_features(l2o_package INTERFACE cxx_std_20)
target_compile_definitions(l2o_package INTERFACE OMPI_SKIP_MPICXX MPICH_SKIP_MPICXX)
if(L2O_NATIVE)
  target_compile_options(l2o_package INTERFACE -march=native)
endif()
set_target_properties(l2o_warnings PROPERTIES EXPORT_NAME warnings)  # link-only: no flags leak

install(TARGETS ${stage_libraries} l2o_warnings l2o_package EXPORT l2oTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS l2o RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Every library header under its stage folder (src/<stage>/.../*.hpp -> include/l2o/<stage>/...);
# the app's headers are not part of a library.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/ DESTINATION ${L2O_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp" PATTERN "app" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/ DESTINATION ${L2O_INSTALL_DATADIR}/config)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models/ DESTINATION ${L2O_INSTALL_DATADIR}/models)

install(EXPORT l2oTargets NAMESPACE l2o:: DESTINATION ${L2O_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/l2oConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/l2oConfig.cmake
                              INSTALL_DESTINATION ${L2O_INSTALL_CMAKEDIR}
                              PATH_VARS L2O_INSTALL_DATADIR)
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/l2oConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/l2oConfig.cmake ${PROJECT_BINARY_DIR}/l2oConfigVersion.cmake
        DESTINATION ${L2O_INSTALL_CMAKEDIR})
