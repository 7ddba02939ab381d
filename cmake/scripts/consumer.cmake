# Builds and runs the consumer project in tests/consumer, run by CTest via `cmake -P`.
#   MODE                 find_package: `cmake --install` LINEAGE_BINARY_DIR into
#                          WORK_DIR/prefix, then find_package(lineage) from there;
#                        add_subdirectory: the consumer adds LINEAGE_SOURCE_DIR itself
#                        fetch_content: the consumer's FetchContent_Declare, pointed at
#                          LINEAGE_SOURCE_DIR by FETCHCONTENT_SOURCE_DIR_LINEAGE (offline)
#   LINEAGE_SOURCE_DIR, LINEAGE_BINARY_DIR, CONSUMER_SOURCE_DIR, WORK_DIR
#   GENERATOR, CXX_COMPILER, CXX_COMPILER_LAUNCHER (optional), CONFIG (optional)
include("${CMAKE_CURRENT_LIST_DIR}/require_defined.cmake")
lineage_require_defined(consumer.cmake MODE LINEAGE_SOURCE_DIR LINEAGE_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR
                        GENERATOR CXX_COMPILER)
if(NOT CONFIG)
  set(CONFIG Release)
endif()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  list(JOIN ARGN " " command)
  message("---- ${step}: ${command}\n${out}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "consumer (${MODE}): ${step} failed (${result})")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

set(configure_args
  -S "${CONSUMER_SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${CONFIG}"
  "-DLINEAGE_CONSUMER_MODE=${MODE}")
if(CXX_COMPILER_LAUNCHER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_COMPILER_LAUNCHER}")
endif()

if(MODE STREQUAL "find_package")
  set(prefix "${WORK_DIR}/prefix")
  run(install "${CMAKE_COMMAND}" --install "${LINEAGE_BINARY_DIR}" --prefix "${prefix}"
              --config "${CONFIG}")
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix}" "-DLINEAGE_EXPECTED_PREFIX=${prefix}"
                             -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  # The package installs the licence with the headers (CMAKE_INSTALL_DOCDIR's default).
  if(NOT EXISTS "${prefix}/share/doc/lineage/LICENSE")
    message(FATAL_ERROR "consumer (${MODE}): ${prefix}/share/doc/lineage/LICENSE not installed")
  endif()
elseif(MODE STREQUAL "add_subdirectory")
  list(APPEND configure_args "-DLINEAGE_SOURCE_DIR=${LINEAGE_SOURCE_DIR}")
elseif(MODE STREQUAL "fetch_content")
  list(APPEND configure_args "-DFETCHCONTENT_SOURCE_DIR_LINEAGE=${LINEAGE_SOURCE_DIR}")
else()
  message(FATAL_ERROR "consumer.cmake: unknown MODE '${MODE}'")
endif()

run(configure "${CMAKE_COMMAND}" ${configure_args})
run(build "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" --config "${CONFIG}")
run(run "${WORK_DIR}/build/lineage_consumer")
message(STATUS "consumer (${MODE}): configured, built and ran")
