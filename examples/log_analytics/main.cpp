// log_analytics: status codes per hour from a web-server log.
//
//   log_analytics [log-file] [checkpoint-dir]
//
// Parses the log once and checkpoints the parsed records (the expensive, reusable stage), then
// counts requests per (hour, status), joins the counts with a small table of hour labels and
// sorts them. If the log file does not exist, a generated one (200,000 lines) is written there. Run it twice:
// the second run recovers the parsed stage instead of parsing again.
#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <cereal/types/string.hpp>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ln = lineage;

struct request {
  int hour = 0;
  int status = 0;
  std::string path;
  long bytes = 0;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(hour, status, path, bytes);
  }
};

// A line looks like: 2026-11-24T13:05:22 GET /index.html 200 5120
std::optional<request> parse(const std::string& line) {
  const auto t = line.find('T');
  const auto s1 = line.find(' ');
  const auto s2 = line.find(' ', s1 + 1);
  const auto s3 = line.find(' ', s2 + 1);
  const auto s4 = line.find(' ', s3 + 1);
  if (t == std::string::npos || s4 == std::string::npos || t + 3 > line.size()) return std::nullopt;
  request r;
  auto num = [&](std::size_t from, std::size_t to, auto& out) {
    return std::from_chars(line.data() + from, line.data() + to, out).ec == std::errc{};
  };
  if (!num(t + 1, t + 3, r.hour) || !num(s3 + 1, s4, r.status) || !num(s4 + 1, line.size(), r.bytes)) {
    return std::nullopt;
  }
  r.path = line.substr(s2 + 1, s3 - s2 - 1);
  return r;
}

void write_sample_log(const std::filesystem::path& file) {
  std::mt19937 rng(2026);
  const char* paths[] = {"/", "/index.html", "/api/items", "/api/cart", "/static/app.js", "/login"};
  std::discrete_distribution<int> status_pick({80, 6, 8, 4, 2});
  const int statuses[] = {200, 304, 404, 500, 503};
  std::uniform_int_distribution<int> hour(0, 23), minute(0, 59), path(0, 5), size(200, 90'000);
  std::ofstream out(file);
  for (int i = 0; i < 200'000; ++i) {
    char line[128];
    std::snprintf(line, sizeof line, "2026-11-24T%02d:%02d:00 GET %s %d %d\n", hour(rng), minute(rng), paths[path(rng)],
                  statuses[status_pick(rng)], size(rng));
    out << line;
  }
  out << "a malformed line\n";
}

// (hour, status) is the key: std::hash has no specialization for pairs, so say how to hash it.
struct hour_status_hash {
  std::size_t operator()(const std::pair<int, int>& k) const noexcept {
    return std::hash<int>{}(k.first * 1000 + k.second);
  }
};

int main(int argc, char** argv) {
  std::filesystem::path log = argc > 1 ? argv[1] : "access-sample.log";
  const std::filesystem::path dir = argc > 2 ? argv[2] : "parsed.ckpt";
  if (!std::filesystem::exists(log)) write_sample_log(log);

  std::vector<std::string> lines;
  {
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  }

  // Stage 1 (narrow, fused): parse, drop malformed lines. Checkpointed: the next run reuses it.
  auto parsed = lines | ln::map(parse)
                      | ln::filter([](const std::optional<request>& r) { return r.has_value(); })
                      | ln::map([](std::optional<request>&& r) { return std::move(*r); })
                      | ln::checkpoint(dir, {.version = "log-parse/1"});
  std::cout << (parsed.recovered() ? "recovered " : "parsed ") << parsed.size() << " requests ("
            << lines.size() - parsed.size() << " malformed lines dropped)\n";

  const std::vector<std::pair<int, std::string>> hour_labels = [] {
    std::vector<std::pair<int, std::string>> labels;
    for (int h = 0; h < 24; ++h) labels.emplace_back(h, h < 6 ? "night" : h < 12 ? "morning" : h < 18 ? "afternoon" : "evening");
    return labels;
  }();

  // Stage 2: count per (hour, status); stage 3: join with the labels; stage 4: sort.
  auto report = parsed | ln::map([](const request& r) { return std::pair{std::pair{r.hour, r.status}, 1}; })
                       | ln::reduce_by_key(std::plus<>{}, ln::partitioner{0, hour_status_hash{}})
                       | ln::map([](const auto& kv) { return std::pair{kv.first.first, std::pair{kv.first.second, kv.second}}; })
                       | ln::join(hour_labels)
                       | ln::sort_by([](const auto& row) { return std::pair{row.first, row.second.first.first}; });
  std::cout << ln::explain(report);

  for (const auto& [hour, row] : report | ln::filter([](const auto& r) { return r.second.first.first >= 500; })
                                        | ln::collect(ln::par)) {
    const auto& [status_count, label] = row;
    std::printf("  %02d:00 (%s) status %d: %d requests\n", hour, label.c_str(), status_count.first, status_count.second);
  }
}
