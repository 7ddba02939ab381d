# Compile-fail check, run by CTest as `cmake -D... -P compile_fail.cmake`.
#   BINARY_DIR  build tree holding TARGET
#   TARGET      the EXCLUDE_FROM_ALL target that compiles SOURCE
#   SOURCE      the test file; its line `// expect: <regex>` gives the expected diagnostic
#   CONFIG      build configuration (for multi-config generators; may be empty)
# Passes only when the build fails AND its output matches the regex (a CMake regex).
include("${CMAKE_CURRENT_LIST_DIR}/require_defined.cmake")
lineage_require_defined(compile_fail.cmake BINARY_DIR TARGET SOURCE)

file(READ "${SOURCE}" text)
if(NOT text MATCHES "//[ \t]*expect:[ \t]*([^\r\n]*[^ \t\r\n])")
  message(FATAL_ERROR "${SOURCE}: no `// expect: <regex>` line")
endif()
set(expect "${CMAKE_MATCH_1}")

set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
# Plain ASCII quotes in the compiler's messages, whatever the user's locale.
set(ENV{LC_ALL} C)
execute_process(
  COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --target "${TARGET}" ${config_args}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)

message("---- ${CMAKE_COMMAND} --build ${BINARY_DIR} --target ${TARGET} (exit ${result})\n${output}")
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must not (expected a diagnostic matching: ${expect})")
endif()
if(NOT output MATCHES "${expect}")
  message(FATAL_ERROR "${SOURCE} failed to compile, but not with the expected message "
                      "(expected a diagnostic matching: ${expect})")
endif()
message(STATUS "${SOURCE} fails to compile as expected, with: ${CMAKE_MATCH_0}")
