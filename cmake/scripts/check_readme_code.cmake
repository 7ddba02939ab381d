# Checks that a README code block is a file the tests build, verbatim, so the docs never show
# code that does not compile. Run by CTest via `cmake -P`.
#   README   the markdown file
#   HEADING  the heading line the block follows (its first ```cpp block after it is compared)
#   SOURCE   the file the block must equal
include("${CMAKE_CURRENT_LIST_DIR}/require_defined.cmake")
lineage_require_defined(check_readme_code.cmake README HEADING SOURCE)

file(READ "${README}" readme)
file(READ "${SOURCE}" source)
string(FIND "${readme}" "\n${HEADING}\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${README}: no heading '${HEADING}'")
endif()
string(SUBSTRING "${readme}" ${at} -1 readme)
set(open "```cpp\n")
string(FIND "${readme}" "${open}" begin)
if(begin EQUAL -1)
  message(FATAL_ERROR "${README}: no ```cpp block after '${HEADING}'")
endif()
string(LENGTH "${open}" open_length)
math(EXPR begin "${begin} + ${open_length}")
string(SUBSTRING "${readme}" ${begin} -1 readme)
string(FIND "${readme}" "\n```\n" end)
if(end EQUAL -1)
  message(FATAL_ERROR "${README}: the ```cpp block after '${HEADING}' is not closed")
endif()
math(EXPR end "${end} + 1")  # keep the block's last newline
string(SUBSTRING "${readme}" 0 ${end} block)
if(NOT block STREQUAL source)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/readme_block.cpp" "${block}")
  message(FATAL_ERROR "the ```cpp block after '${HEADING}' in ${README} differs from ${SOURCE} "
                      "(the block is in ${CMAKE_CURRENT_BINARY_DIR}/readme_block.cpp): "
                      "copy the file into the README")
endif()
message(STATUS "README block after '${HEADING}' equals ${SOURCE}")
