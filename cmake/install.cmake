# `cmake --install`: the command (tools/CMakeLists.txt), and the library for outside projects:
# the static libraries, their headers and a CMake package, so that another project does
#   find_package(talentcast 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE talentcast::talentcast)
# (docs/library.md; tests/install builds examples/what_if.cpp that way).
include(CMakePackageConfigHelpers)

set(TALENTCAST_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/talentcast)
# talentcast_warnings is linked privately, but a static library's private links are part of
# what it exports, so the interface target is exported (empty of flags for the user) too.
install(TARGETS talentcast_core talentcast_io talentcast_models talentcast_config talentcast_formats
                talentcast_studies talentcast_library talentcast_warnings
        EXPORT talentcastTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/ ${PROJECT_SOURCE_DIR}/io/include/
                  ${PROJECT_SOURCE_DIR}/models/include/ ${PROJECT_SOURCE_DIR}/config/include/
                  ${PROJECT_SOURCE_DIR}/formats/include/ ${PROJECT_SOURCE_DIR}/studies/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT talentcastTargets NAMESPACE talentcast:: DESTINATION ${TALENTCAST_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/talentcastConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/talentcastConfig.cmake
                              INSTALL_DESTINATION ${TALENTCAST_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/talentcastConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/talentcastConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/talentcastConfigVersion.cmake
        DESTINATION ${TALENTCAST_CMAKE_DIR})
