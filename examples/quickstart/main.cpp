// Quick start: a word count whose result is checkpointed. Run it twice: the first run computes
// it, the second recovers it from counts.ckpt. (README "Quick start" shows this file verbatim.)
#include <lineage/lineage.hpp>

#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ln = lineage;

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(std::move(word));
  return words;
}

int main() {
  const std::vector<std::string> lines = {"the quick brown fox", "jumps over the lazy dog",
                                          "the end"};

  auto counts = lines | ln::flat_map(split_words)                         // narrow: fused
                      | ln::map([](std::string w) { return std::pair{std::move(w), 1}; })
                      | ln::reduce_by_key(std::plus<>{})                  // wide: ends stage 1
                      | ln::checkpoint("counts.ckpt");                    // eager, get-or-create
  static_assert(std::is_same_v<decltype(counts), ln::checkpointed<std::pair<std::string, int>>>);

  std::cout << "counts were " << (counts.recovered() ? "recovered" : "computed") << '\n'
            << ln::explain(counts);
  auto top = counts | ln::sort_by([](const auto& wc) { return wc.second; }, ln::descending)
                    | ln::take(3, ln::par);
  for (const auto& [word, n] : top) std::cout << word << ' ' << n << '\n';
}
