// Compile-time measurement (scripts/compile_time.sh): the umbrella header alone.
#include <lineage/lineage.hpp>
