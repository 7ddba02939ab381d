// wordcount_memory: runs one word count over the 10M-word input of benchmarks/wordcount.cpp
// once, so that its peak memory can be measured from outside:
//
//   /usr/bin/time -v wordcount_memory <mode>      # "Maximum resident set size"
//
// <mode> is one of
//   input        only generate the input lines (the reference every other mode includes)
//   seq          lines | flat_map(split) | map(w -> (w, 1)) | reduce_by_key(+) | count()
//   par          the same with count(ln::par)
//   seq-collect  the same plan with collect() (the (word, count) pairs are kept)
//   hand         the hand-written loop into std::unordered_map<std::string_view, int>
// It prints the input's own size (the lines: vector + string buffers), the process's peak RSS
// (VmHWM) after generating the input and after the run, and the number of distinct words.
//
// Build: g++ -std=c++20 -O2 -DNDEBUG -Iinclude benchmarks/tools/wordcount_memory.cpp -lpthread
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <lineage/lineage.hpp>

#include "wordcount_data.hpp"

namespace ln = lineage;
using wordcount_data::words_of;

namespace {

// The peak resident set size so far, in KiB (Linux /proc/self/status VmHWM), or -1.
long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

constexpr auto split = [](const std::string& line) { return words_of(line); };
constexpr auto one = [](std::string_view w) { return std::pair<std::string_view, int>(w, 1); };

int usage(const char* self) {
  std::fprintf(stderr, "usage: %s input|seq|par|seq-collect|hand\n", self);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return usage(argv[0]);
  const std::string_view mode = argv[1];
  if (mode != "input" && mode != "seq" && mode != "par" && mode != "seq-collect" && mode != "hand") {
    return usage(argv[0]);
  }

  const std::vector<std::string> lines = wordcount_data::make_lines();
  const long after_input = peak_rss_kib();

  std::size_t distinct = 0;
  if (mode == "seq") {
    distinct = lines | ln::flat_map(split) | ln::map(one) | ln::reduce_by_key(std::plus<>{}) | ln::count();
  } else if (mode == "par") {
    distinct = lines | ln::flat_map(split) | ln::map(one) | ln::reduce_by_key(std::plus<>{}) | ln::count(ln::par);
  } else if (mode == "seq-collect") {
    auto counts = lines | ln::flat_map(split) | ln::map(one) | ln::reduce_by_key(std::plus<>{}) | ln::collect();
    distinct = counts.size();
  } else if (mode == "hand") {
    std::unordered_map<std::string_view, int> counts;
    for (const auto& line : lines) {
      for (std::string_view w : words_of(line)) ++counts[w];
    }
    distinct = counts.size();
  }
  const long after_run = peak_rss_kib();

  std::cout << "mode: " << mode << "\n"
            << "lines: " << lines.size() << ", words: " << wordcount_data::total_words << "\n"
            << "input size (lines: vector + string buffers): " << wordcount_data::footprint(lines) / 1024 << " KiB\n"
            << "peak RSS after generating the input: " << after_input << " KiB\n"
            << "peak RSS after the run: " << after_run << " KiB\n"
            << "distinct words: " << distinct << "\n";
  return 0;
}
