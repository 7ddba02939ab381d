# Helpers for lineage's own targets (tests, examples, benchmarks). Nothing here is applied to
# the lineage::lineage target itself, so consumers never inherit our warning or sanitizer flags.
include_guard(GLOBAL)

# lineage_warning_flags(<out-var>)
#   Strict warnings for our own code; -Werror unless LINEAGE_WERROR is OFF.
function(lineage_warning_flags out_var)
  set(flags -Wall -Wextra -Wpedantic)
  if(LINEAGE_WERROR)
    list(APPEND flags -Werror)
  endif()
  set(${out_var} ${flags} PARENT_SCOPE)
endfunction()

# lineage_header_hygiene_flags(<out-var>)
#   What the public headers must also be clean under when a user includes them with plain -I
#   (not as system headers) and stricter warnings: each header compiled alone and every
#   example is built with these on top of lineage_warning_flags.
function(lineage_header_hygiene_flags out_var)
  set(${out_var} -Wconversion -Wsign-conversion -Wshadow PARENT_SCOPE)
endfunction()

# lineage_set_warnings(<target>...)
function(lineage_set_warnings)
  lineage_warning_flags(flags)
  foreach(target IN LISTS ARGN)
    target_compile_options(${target} PRIVATE ${flags})
  endforeach()
endfunction()

# Validates LINEAGE_SANITIZE (called once from the top-level CMakeLists.txt).
function(lineage_check_sanitize_option)
  if(LINEAGE_SANITIZE STREQUAL "")
    return()
  endif()
  string(REPLACE "," ";" kinds "${LINEAGE_SANITIZE}")
  foreach(kind IN LISTS kinds)
    if(NOT kind MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "LINEAGE_SANITIZE: unknown sanitizer '${kind}' in '${LINEAGE_SANITIZE}' "
                          "(use address,undefined or thread)")
    endif()
  endforeach()
  if("thread" IN_LIST kinds AND "address" IN_LIST kinds)
    message(FATAL_ERROR "LINEAGE_SANITIZE: thread and address cannot be combined")
  endif()
  message(STATUS "lineage: sanitizers for tests and examples: ${LINEAGE_SANITIZE}")
endfunction()

# lineage_apply_sanitizers(<target>...)
#   Applies LINEAGE_SANITIZE (if set) to compile and link of the given targets. UBSan findings
#   abort the program (-fno-sanitize-recover=all) so that a test cannot pass past one.
function(lineage_apply_sanitizers)
  if(LINEAGE_SANITIZE STREQUAL "")
    return()
  endif()
  set(flags "-fsanitize=${LINEAGE_SANITIZE}" -fno-omit-frame-pointer)
  if(LINEAGE_SANITIZE MATCHES "undefined")
    list(APPEND flags -fno-sanitize-recover=all)
  endif()
  foreach(target IN LISTS ARGN)
    target_compile_options(${target} PRIVATE ${flags})
    target_link_options(${target} PRIVATE ${flags})
  endforeach()
endfunction()

# lineage_configure_target(<target>...)
#   What every executable or object library of ours gets: warnings and sanitizers.
function(lineage_configure_target)
  lineage_set_warnings(${ARGN})
  lineage_apply_sanitizers(${ARGN})
endfunction()
