// wordcount: count the words of a text file, or of every file in a folder, with a checkpoint
// after the expensive stage.
//
//   wordcount [text-file-or-folder] [checkpoint-dir]
//
// The first run computes the counts and checkpoints them; a second run finds the checkpoint
// (same lineage, same input files: name, size and modification time) and recovers it instead
// of recomputing, and says so. If the input does not exist, a generated text (2 million words)
// is written there first. Words are runs of letters and digits, lowercased.
#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;

namespace {

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : line + ' ') {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      word += static_cast<char>(std::tolower(u));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  return words;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
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
  const std::filesystem::path input = argc > 1 ? argv[1] : "wordcount-sample.txt";
  const std::filesystem::path dir = argc > 2 ? argv[2] : "wordcount.ckpt";
  if (!std::filesystem::exists(input)) write_sample_text(input);

  // The lineage: read the lines (byte-range splits of the files), split, pair, then a shuffle
  // that reduces by word. Nothing runs yet: this is a value whose type holds the plan.
  auto counted = ln::text_file(input, 4)
               | ln::flat_map(split_words)
               | ln::map([](std::string&& w) { return std::pair{std::move(w), 1}; })
               | ln::reduce_by_key(std::plus<>{});
  std::cout << "plan of the counts (" << ln::stage_count_v<decltype(counted)> << " stages):\n"
            << ln::explain(counted);

  // The checkpoint runs it, or finds it already done. It cuts the lineage: the result's type is
  // ln::checkpointed<std::pair<std::string, int>> whatever came before.
  const auto start = std::chrono::steady_clock::now();
  auto counts = counted | ln::checkpoint(dir, {.version = "wordcount/2"});
  const double took = ms_since(start);
  if (counts.recovered()) {
    std::cout << "recovered " << counts.size() << " distinct words from " << dir << " in " << took << " ms\n";
  } else {
    std::cout << "computed " << counts.size() << " distinct words and checkpointed them to " << dir << " in "
              << took << " ms\n";
  }
  std::cout << "plan of the result:\n" << ln::explain(counts);

  const auto top_start = std::chrono::steady_clock::now();
  auto top = counts | ln::sort_by([](const auto& wc) { return wc.second; }, ln::descending) | ln::take(10);
  std::cout << "the 10 most frequent words (" << ms_since(top_start) << " ms):\n";
  for (const auto& [word, n] : top) std::cout << "  " << word << ' ' << n << '\n';
}
