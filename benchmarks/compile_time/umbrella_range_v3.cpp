// Compile-time measurement (scripts/compile_time.sh): range-v3's umbrella header alone.
#include <range/v3/all.hpp>
