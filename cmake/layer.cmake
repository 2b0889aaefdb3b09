# talentcast_layer(NAME SOURCES ... [USES ...] [PUBLIC ...] [PRIVATE ...]): a library layer of
# docs/architecture.md. Its sources, its headers under NAME/include/talentcast/NAME/, the target
# talentcast_NAME with the alias talentcast::NAME (exported as talentcast::NAME), C++20. USES is
# the layer's row of allowed arrows (talentcast::core, ...: tests/test_architecture.cpp checks it
# against the table), linked publicly with the third-party PUBLIC libraries; PRIVATE are linked
# privately, after the project's warnings.
function(talentcast_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;USES;PUBLIC;PRIVATE")
  set(target talentcast_${name})
  add_library(${target} ${arg_SOURCES})
  add_library(talentcast::${name} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF EXPORT_NAME ${name})
  target_link_libraries(${target}
    PUBLIC ${arg_USES} ${arg_PUBLIC}
    PRIVATE talentcast_warnings ${arg_PRIVATE})
endfunction()
