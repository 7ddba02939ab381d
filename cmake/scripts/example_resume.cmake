# The iterative example resumes after a crash and reaches the same answer (CTest
# example.iterative.resume): one uninterrupted run; one run that dies abruptly after
# iteration CRASH_AFTER; a rerun that must resume from the last committed checkpoint.
# The final ranks printed by the rerun must equal those of the uninterrupted run.
#   EXECUTABLE, WORK_DIR
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(common --iterations 20 --every 4)

function(run_example out_var expect_zero)
  execute_process(COMMAND "${EXECUTABLE}" ${ARGN} WORKING_DIRECTORY "${WORK_DIR}"
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  message("---- ${EXECUTABLE} ${ARGN} (exit ${result})\n${output}")
  if(expect_zero AND NOT result EQUAL 0)
    message(FATAL_ERROR "run failed with exit status ${result}")
  endif()
  if(NOT expect_zero AND result EQUAL 0)
    message(FATAL_ERROR "the crashing run did not crash")
  endif()
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()

run_example(whole TRUE ${common} --dir whole.ckpt)
run_example(crashed FALSE ${common} --dir resumed.ckpt --crash-after 11)
run_example(resumed TRUE ${common} --dir resumed.ckpt)

if(NOT resumed MATCHES "resumed at iteration 8 ")
  message(FATAL_ERROR "the rerun did not resume from iteration 8, the last committed checkpoint before the crash")
endif()
string(REGEX MATCH "iterations .*" whole_ranks "${whole}")
string(REGEX MATCH "iterations .*" resumed_ranks "${resumed}")
if(whole_ranks STREQUAL "" OR NOT whole_ranks STREQUAL resumed_ranks)
  message(FATAL_ERROR "resumed ranks differ from the uninterrupted run:\n${whole_ranks}\nvs\n${resumed_ranks}")
endif()
