# include()d by the `cmake -P` scripts of this folder.
#   lineage_require_defined(<script> <var>...): fails unless each -D<var>=... was given (non-empty).
function(lineage_require_defined script)
  foreach(var IN LISTS ARGN)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
      message(FATAL_ERROR "${script}: -D${var}=... is required")
    endif()
  endforeach()
endfunction()
