// bench_mpi_wordcount: word count of a generated text file, one way per run (run.sh runs them
// all and prints the ratios).
//
//   mpi_wordcount generate FILE MB     writes about MB MiB of text (a fixed seed)
//   mpi_wordcount loop FILE            a hand-written sequential loop (getline, unordered_map)
//   mpi_wordcount par FILE THREADS     ln::text_file | ... | reduce_by_key under ln::par(THREADS)
//   mpi_wordcount world FILE           the same pipeline under ln::mpi::world (run with mpiexec)
// Each run prints one line: "<way> seconds <wall> words <total> distinct <n> shuffled <bytes>"
// (shuffled: the most bytes one rank sent to the others, 0 in one process). The wall time
// covers reading, counting and the collect of the counts on every rank, not the start-up.
#include <lineage/mpi.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ln = lineage;

namespace {

constexpr std::size_t partitions = 16;

// Words of a line, as views into it (valid while the line is).
std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// Zipf-like words over a 100 000-word vocabulary, lines of 4 to 20 words.
void generate(const char* path, std::size_t mib) {
  std::mt19937_64 rng(2026);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 100'000; ++i) {
    std::string w;
    for (int x = i + 1; x > 0; x /= 26) w.push_back(static_cast<char>('a' + x % 26));
    vocabulary.push_back(w);
  }
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> length(4, 20);
  std::ofstream out(path, std::ios::binary);
  const std::size_t target = mib << 20;
  std::size_t written = 0;
  std::string line;
  while (written < target) {
    line.clear();
    for (int k = length(rng); k > 0; --k) {
      // Zipf-ish: index = n^u - 1, skewed to the small ones.
      const auto index = static_cast<std::size_t>(std::pow(100'000.0, u(rng))) - 1;
      if (!line.empty()) line.push_back(' ');
      line += vocabulary[std::min<std::size_t>(index, vocabulary.size() - 1)];
    }
    line.push_back('\n');
    out << line;
    written += line.size();
  }
}

struct result {
  long words = 0;
  std::size_t distinct = 0;
};

result summarize(const std::vector<std::pair<std::string, long>>& counts) {
  result r;
  r.distinct = counts.size();
  for (const auto& kv : counts) r.words += kv.second;
  return r;
}

result loop(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::unordered_map<std::string, long> counts;
  std::string line;
  while (std::getline(in, line)) {
    for (const auto w : split_words(line)) ++counts[std::string(w)];
  }
  result r;
  r.distinct = counts.size();
  for (const auto& kv : counts) r.words += kv.second;
  return r;
}

template <class Policy>
result pipeline(const char* path, Policy policy) {
  const auto counts = ln::text_file(path, partitions) |
                      ln::flat_map([](const std::string& line) { return split_words(line); }) |
                      ln::map([](std::string_view w) { return std::pair{std::string(w), 1L}; }) |
                      ln::reduce_by_key(std::plus<>{}) | ln::collect(policy);
  return summarize(counts);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void report(const std::string& way, double wall, const result& r, std::uint64_t shuffled) {
  std::printf("%s seconds %.3f words %ld distinct %zu shuffled %llu\n", way.c_str(), wall, r.words, r.distinct,
              static_cast<unsigned long long>(shuffled));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s generate FILE MB | loop FILE | par FILE THREADS | world FILE\n", argv[0]);
    return 2;
  }
  const std::string way = argv[1];
  const char* path = argv[2];
  if (way == "generate") {
    generate(path, argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 200);
    return 0;
  }
  if (way == "loop" || way == "par") {
    const auto start = std::chrono::steady_clock::now();
    const auto r = way == "loop" ? loop(path) : pipeline(path, ln::par(argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2));
    report(way == "loop" ? "loop" : "par(" + std::string(argc > 3 ? argv[3] : "2") + ")", seconds_since(start), r, 0);
    return 0;
  }
  if (way == "world") {
    ln::mpi::session mpi(argc, argv);
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = std::chrono::steady_clock::now();
    const auto r = pipeline(path, ln::mpi::world);
    MPI_Barrier(MPI_COMM_WORLD);
    const double wall = seconds_since(start);
    unsigned long long mine = ln::mpi::shuffled_bytes(), most = 0;
    MPI_Reduce(&mine, &most, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
    if (mpi.rank() == 0) report("world(np=" + std::to_string(mpi.size()) + ")", wall, r, most);
    return 0;
  }
  std::fprintf(stderr, "%s: unknown way %s\n", argv[0], way.c_str());
  return 2;
}
