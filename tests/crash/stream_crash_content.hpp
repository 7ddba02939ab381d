#pragma once
// The stream the stream crash test kills: a generated stream of (word, 1) pairs, running word
// totals with update_state_by_key (a key idle for 3 batches expires), written exactly-once
// with write_batches. Shared by the worker (which runs it) and the driver (which checks it).
#include <lineage/stream.hpp>

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace stream_crash {

namespace ln = lineage;

inline constexpr std::uint64_t batch_count = 40;

using total = std::pair<long, int>;  // running total, batches since the word was last seen
using entry = std::pair<std::string, total>;

// Batch b: deterministic in b; every 7th batch empty; the vocabulary drifts so words expire.
inline std::optional<std::vector<std::pair<std::string, long>>> make_batch(std::uint64_t b) {
  if (b >= batch_count) return std::nullopt;
  std::vector<std::pair<std::string, long>> out;
  if (b % 7 == 3) return out;
  std::mt19937 gen(static_cast<std::uint32_t>(b) * 7919u + 1u);
  std::uniform_int_distribution<int> size(1, 400);
  std::uniform_int_distribution<int> word(0, 29);
  const int n = size(gen);
  for (int i = 0; i < n; ++i) out.emplace_back("w" + std::to_string(static_cast<int>(b / 5) * 10 + word(gen)), 1L);
  return out;
}

inline std::optional<total> update(std::span<const long> news, std::optional<total> state) {
  total t = state.value_or(total{0, 0});
  if (news.empty()) {
    if (++t.second >= 3) return std::nullopt;
    return t;
  }
  for (long v : news) t.first += v;
  t.second = 0;
  return t;
}

inline auto word_totals() {
  return ln::generator_stream(make_batch) | ln::update_state_by_key(update);
}

inline ln::stream_options options() {
  ln::stream_options o;
  o.state_every = 3;
  o.keep_last = 2;
  o.durable = false;  // the test kills processes; it does not cut the power (page cache survives)
  o.version = "crash-1";
  return o;
}

}  // namespace stream_crash
