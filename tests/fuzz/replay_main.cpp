// Replays fuzz inputs (files, or every file of the directories given) through the reader's
// fuzzing entry point, with a plain main(): the corpus test for every compiler.
//   lineage_fuzz_replay [--expect-valid] <file or directory>...
// --expect-valid: every input must load without any error (the seed corpus: fuzz_reader.hpp).
#include "fuzz_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--expect-valid") {
      lineage_fuzz::expect_valid() = true;
      continue;
    }
    const std::filesystem::path arg = argv[i];
    if (std::filesystem::is_directory(arg)) {
      for (const auto& item : std::filesystem::directory_iterator(arg)) {
        if (item.is_regular_file()) inputs.push_back(item.path());
      }
    } else {
      inputs.push_back(arg);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::fprintf(stderr, "lineage_fuzz_replay: no inputs\n");
    return 1;
  }
  for (const auto& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    lineage_fuzz::fuzz_one_input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("lineage_fuzz_replay: %zu inputs replayed, no finding\n", inputs.size());
  return 0;
}
