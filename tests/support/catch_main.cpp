// The one translation unit that holds Catch2's main(); every test executable links it
// (CMake target lineage_catch_main) instead of compiling Catch2's runner again.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
