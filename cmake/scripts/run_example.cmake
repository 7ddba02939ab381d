# Runs one example for CTest (see examples/CMakeLists.txt for the files it reads).
#   EXECUTABLE, EXAMPLE_SOURCE_DIR, EXAMPLE_WORK_DIR
include("${CMAKE_CURRENT_LIST_DIR}/require_defined.cmake")
lineage_require_defined(run_example.cmake EXECUTABLE EXAMPLE_SOURCE_DIR EXAMPLE_WORK_DIR)

file(REMOVE_RECURSE "${EXAMPLE_WORK_DIR}")
file(MAKE_DIRECTORY "${EXAMPLE_WORK_DIR}")

# One run per non-comment line of test_args.txt; a single run without arguments otherwise.
set(runs "")
set(args_file "${EXAMPLE_SOURCE_DIR}/test_args.txt")
if(EXISTS "${args_file}")
  file(STRINGS "${args_file}" lines)
  foreach(line IN LISTS lines)
    string(STRIP "${line}" line)
    if(line STREQUAL "" OR line MATCHES "^#")
      continue()
    endif()
    list(APPEND runs "${line}")
  endforeach()
endif()
if(NOT runs)
  set(runs "<none>")
endif()

set(all_output "")
set(n 0)
foreach(line IN LISTS runs)
  math(EXPR n "${n} + 1")
  set(args "")
  if(NOT line STREQUAL "<none>")
    string(CONFIGURE "${line}" line @ONLY)
    separate_arguments(args UNIX_COMMAND "${line}")
  endif()
  execute_process(COMMAND "${EXECUTABLE}" ${args}
    WORKING_DIRECTORY "${EXAMPLE_WORK_DIR}"
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
  message("---- run ${n}: ${EXECUTABLE} ${args} (exit ${result})\n${output}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "example run ${n} failed with exit status ${result}")
  endif()
  string(APPEND all_output "${output}")
endforeach()

set(expect_file "${EXAMPLE_SOURCE_DIR}/expect.txt")
if(EXISTS "${expect_file}")
  file(STRINGS "${expect_file}" regexes)
  foreach(regex IN LISTS regexes)
    if(regex STREQUAL "")
      continue()
    endif()
    if(NOT all_output MATCHES "${regex}")
      message(FATAL_ERROR "example output does not match the regex from expect.txt: ${regex}")
    endif()
  endforeach()
endif()
