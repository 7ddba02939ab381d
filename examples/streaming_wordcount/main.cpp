// streaming_wordcount: running word totals over a folder of text files, as a stream.
//
//   streaming_wordcount <work-dir> [--files n] [--stop-after b]
//
// Writes n generated text files (default 12) into <work-dir>/incoming the way a producer
// should (written under a hidden name, then renamed in), then runs a stream over the folder:
// two files a batch, words counted with update_state_by_key, each batch's totals written
// exactly-once with write_batches. --stop-after b ends the process abruptly (std::_Exit, no
// cleanup) after batch b, as a kill would; the next run resumes where it stopped. At the end
// the totals of the last batch are checked against a one-shot batch word count of the same
// files.
#include <lineage/lineage.hpp>
#include <lineage/stream.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;
namespace fs = std::filesystem;

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

// The rename-in convention: a file appears in the watched folder complete, or not at all.
void produce_files(const fs::path& incoming, int files) {
  fs::create_directories(incoming);
  const std::vector<std::string> vocabulary = {"spark", "lineage", "stream", "batch", "state",
                                               "offset", "commit", "window", "key", "value"};
  for (int f = 0; f < files; ++f) {
    const fs::path target = incoming / ("part-" + std::to_string(1000 + f) + ".txt");
    if (fs::exists(target)) continue;
    const fs::path hidden = incoming / (".writing-" + std::to_string(f));
    std::mt19937 rng(static_cast<std::uint32_t>(f) + 1);
    std::ofstream out(hidden);
    for (int line = 0; line < 20; ++line) {
      for (int w = 0; w < 8; ++w) out << vocabulary[rng() % vocabulary.size()] << ' ';
      out << '\n';
    }
    out.close();
    fs::rename(hidden, target);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " <work-dir> [--files n] [--stop-after b]\n";
    return 2;
  }
  const fs::path work = argv[1];
  int files = 12;
  std::optional<std::uint64_t> stop_after;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--files") files = std::atoi(argv[i + 1]);
    if (flag == "--stop-after") stop_after = std::stoull(argv[i + 1]);
  }
  produce_files(work / "incoming", files);

  const auto totals = [](std::span<const long> news, std::optional<long> total) -> std::optional<long> {
    return total.value_or(0) + std::accumulate(news.begin(), news.end(), 0L);
  };
  const auto query = ln::text_file_stream(work / "incoming", {.max_files_per_batch = 2})
                   | ln::flat_map(split_words)
                   | ln::map([](std::string w) { return std::pair{std::move(w), 1L}; })
                   | ln::update_state_by_key(totals)
                   | ln::write_batches(work / "out");
  ln::stream_options options;
  options.state_every = 2;
  if (stop_after) options.max_batches = *stop_after + 1;  // then die below, as a kill would
  const ln::stream_report report = query.run(work / "wc.stream", options);
  std::cout << (report.resumed ? "resumed" : "started") << ": " << report.batches_run << " batches run, "
            << report.batches_replayed << " replayed from the log\n";
  if (stop_after) {
    std::cout << "stopping abruptly after batch " << *report.last_batch << std::endl;
    std::_Exit(0);  // no destructors, no flush of anything but stdout above
  }

  // The totals after the last batch, against a one-shot batch word count of the same files.
  std::uint64_t last = 0;
  while (fs::exists(ln::batch_output_path(work / "out", last + 1))) ++last;
  const auto streamed = ln::recover<std::pair<std::string, long>>(ln::batch_output_path(work / "out", last));
  std::map<std::string, long> from_stream;
  for (const auto& [w, n] : streamed | ln::collect()) from_stream[w] = n;
  std::vector<std::string> lines;
  for (const auto& e : fs::directory_iterator(work / "incoming")) {
    if (e.path().filename().string().front() == '.') continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  std::map<std::string, long> from_batch;
  for (const auto& [w, n] : lines | ln::flat_map(split_words) |
                                ln::map([](std::string w) { return std::pair{std::move(w), 1L}; }) |
                                ln::reduce_by_key(std::plus<long>{}) | ln::collect()) {
    from_batch[w] = n;
  }
  std::cout << "totals after batch " << last << ":";
  for (const auto& [w, n] : from_stream) std::cout << ' ' << w << '=' << n;
  std::cout << '\n';
  if (from_stream != from_batch) {
    std::cout << "MISMATCH with the batch word count\n";
    return 1;
  }
  std::cout << "equal to the one-shot batch word count\n";
  return 0;
}
