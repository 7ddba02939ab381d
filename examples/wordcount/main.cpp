// wordcount: count the words of a text file, with a checkpoint after the expensive stage.
//
//   wordcount [text-file] [checkpoint-dir]
//
// The first run computes the counts and checkpoints them; a second run finds the checkpoint
// (same lineage, same input text) and recovers it instead of recomputing, and says so. If the
// text file does not exist, a generated one (2 million words) is written there first.
#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ln = lineage;

namespace {

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.emplace_back(line, start, i - start);
  }
  return words;
}

void write_sample_text(const std::filesystem::path& file) {
  std::mt19937 rng(42);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 20'000; ++i) vocabulary.push_back("w" + std::to_string(i));
  // Few words are common, most are rare (roughly Zipf).
  std::vector<double> weights;
  for (std::size_t i = 0; i < vocabulary.size(); ++i) weights.push_back(1.0 / double(i + 1));
  std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
  std::ofstream out(file);
  for (int line = 0; line < 200'000; ++line) {
    for (int w = 0; w < 10; ++w) out << vocabulary[pick(rng)] << ' ';
    out << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path text = argc > 1 ? argv[1] : "wordcount-sample.txt";
  const std::filesystem::path dir = argc > 2 ? argv[2] : "wordcount.ckpt";
  if (!std::filesystem::exists(text)) write_sample_text(text);

  std::vector<std::string> lines;
  {
    std::ifstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  }

  const auto start = std::chrono::steady_clock::now();
  // The expensive stage: split, pair, shuffle and reduce. The checkpoint cuts the lineage: the
  // result's type is ln::checkpointed<std::pair<std::string, int>> whatever came before.
  auto counts = lines | ln::flat_map(split_words)
                      | ln::map([](std::string&& w) { return std::pair{std::move(w), 1}; })
                      | ln::reduce_by_key(std::plus<>{})
                      | ln::checkpoint(dir, {.version = "wordcount/1"});
  const auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);

  std::cout << (counts.recovered() ? "recovered" : "computed") << " " << counts.size() << " distinct words from "
            << dir << " in " << took.count() << " ms\n";
  std::cout << ln::explain(counts);

  auto top = counts | ln::sort_by([](const auto& wc) { return wc.second; }, ln::descending) | ln::take(5);
  for (const auto& [word, n] : top) std::cout << "  " << word << ' ' << n << '\n';
}
