#pragma once
// The word-count input shared by benchmarks/wordcount.cpp and benchmarks/tools/wordcount_memory.cpp:
// 10M words over a 100k-word vocabulary, Zipf-distributed (s = 1), as text lines of 5 to 15
// words (10 on average) separated by single spaces. Generated from a fixed seed, so every run
// and both programs see the same lines.
//
// `words_of(line)` is the one tokenizer both the lineage pipelines and the hand-written loops
// use: a lazy forward range of std::string_view into the line (runs of spaces are skipped), so
// the only difference measured is what happens to the words.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <ranges>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace wordcount_data {

inline constexpr std::size_t total_words = 10'000'000;
inline constexpr std::size_t vocabulary_size = 100'000;
inline constexpr std::uint64_t seed = 20240601;

// 100k distinct lowercase words of 2 to 12 letters, in random (Zipf rank) order.
inline std::vector<std::string> make_vocabulary(std::mt19937_64& gen) {
  std::uniform_int_distribution<int> length(2, 12);
  std::uniform_int_distribution<int> letter('a', 'z');
  std::unordered_set<std::string> seen;
  std::vector<std::string> vocabulary;
  vocabulary.reserve(vocabulary_size);
  while (vocabulary.size() < vocabulary_size) {
    std::string w(static_cast<std::size_t>(length(gen)), ' ');
    for (auto& c : w) c = static_cast<char>(letter(gen));
    if (seen.insert(w).second) vocabulary.push_back(std::move(w));
  }
  return vocabulary;
}

inline std::vector<std::string> make_lines() {
  std::mt19937_64 gen(seed);
  const auto vocabulary = make_vocabulary(gen);
  // Zipf(s = 1): P(rank k) proportional to 1 / k, sampled by inverting the cumulative sum.
  std::vector<double> cdf(vocabulary_size);
  double total = 0.0;
  for (std::size_t k = 0; k < vocabulary_size; ++k) cdf[k] = total += 1.0 / static_cast<double>(k + 1);
  std::uniform_real_distribution<double> uniform(0.0, total);
  std::uniform_int_distribution<std::size_t> words_per_line(5, 15);

  std::vector<std::string> lines;
  lines.reserve(total_words / 10 + 16);
  std::size_t emitted = 0;
  while (emitted < total_words) {
    const std::size_t n = std::min(words_per_line(gen), total_words - emitted);
    std::string line;
    for (std::size_t i = 0; i < n; ++i) {
      auto rank = static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), uniform(gen)) - cdf.begin());
      if (rank >= vocabulary_size) rank = vocabulary_size - 1;
      if (i != 0) line += ' ';
      line += vocabulary[rank];
    }
    lines.push_back(std::move(line));
    emitted += n;
  }
  return lines;
}

// Bytes the lines occupy (vector of std::string headers + heap buffers of long strings).
inline std::size_t footprint(const std::vector<std::string>& lines) {
  std::size_t bytes = lines.capacity() * sizeof(std::string);
  for (const auto& l : lines) {
    if (l.capacity() > 15) bytes += l.capacity() + 1;  // libstdc++ SSO holds up to 15 chars
  }
  return bytes;
}

// A lazy forward range of the space-separated words of a string, as std::string_view into it.
class words_of : public std::ranges::view_interface<words_of> {
 public:
  class iterator {
   public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::forward_iterator_tag;

    iterator() = default;
    iterator(const char* first, const char* last) : cur_(first), last_(last) { find_word(); }

    std::string_view operator*() const { return {cur_, static_cast<std::size_t>(end_ - cur_)}; }
    iterator& operator++() {
      cur_ = end_;
      find_word();
      return *this;
    }
    iterator operator++(int) {
      auto old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.cur_ == b.cur_; }
    friend bool operator==(const iterator& a, std::default_sentinel_t) { return a.cur_ == a.last_; }

   private:
    void find_word() {
      while (cur_ != last_ && *cur_ == ' ') ++cur_;
      end_ = cur_;
      while (end_ != last_ && *end_ != ' ') ++end_;
    }
    const char* cur_ = nullptr;
    const char* end_ = nullptr;
    const char* last_ = nullptr;
  };

  words_of() = default;
  explicit words_of(std::string_view s) : s_(s) {}
  iterator begin() const { return {s_.data(), s_.data() + s_.size()}; }
  std::default_sentinel_t end() const { return {}; }

 private:
  std::string_view s_;
};
static_assert(std::ranges::forward_range<words_of> && std::ranges::view<words_of>);

}  // namespace wordcount_data
