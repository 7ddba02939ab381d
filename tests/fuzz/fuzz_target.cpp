// libFuzzer target for the checkpoint reader (clang++ -fsanitize=fuzzer,address).
// See fuzz_reader.hpp for the input format; scripts/fuzz.sh builds and runs it.
#include "fuzz_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return lineage_fuzz::fuzz_one_input(data, size);
}
