// mpi_wordcount: the word count of examples/wordcount, scaled out with MPI: every rank runs
// this same program (SPMD), each on its own partitions; the shuffle of reduce_by_key and the
// sort go through MPI all-to-all exchanges, the counts are checkpointed (each rank writes its
// own partition files, rank 0 commits), and every rank gets the same top 20.
//
//   mpiexec -n 2 ./mpi_wordcount [lines] [checkpoint-dir]
//
// Run it again (with any number of ranks): the counts are recovered from the checkpoint.
// Every rank generates the same text (seeded), as every rank would read the same input file.
// The result is checked against ln::seq in one process: the run fails if they differ.
#include <lineage/mpi.hpp>

#include <cstddef>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;

namespace {

std::vector<std::string> generated_lines(std::size_t count) {
  std::mt19937 rng(42);
  std::vector<double> weights;  // few words are common, most are rare (roughly Zipf)
  for (int i = 0; i < 5'000; ++i) weights.push_back(1.0 / double(i + 1));
  std::discrete_distribution<int> pick(weights.begin(), weights.end());
  std::vector<std::string> lines(count);
  for (auto& line : lines) {
    for (int w = 0; w < 10; ++w) line += "w" + std::to_string(pick(rng)) + ' ';
  }
  return lines;
}

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

// Word count, checkpointed in `dir`, then the top 20 by count (ties: in the order
// reduce_by_key gives, the same everywhere).
template <class Policy>
std::vector<std::pair<std::string, long>> top_words(const std::vector<std::string>& lines,
                                                    const std::string& dir, Policy policy, bool* recovered) {
  const auto counts = ln::parallelize(lines, 16) | ln::flat_map(split_words) |
                      ln::map([](std::string&& w) { return std::pair{std::move(w), 1L}; }) |
                      ln::reduce_by_key(std::plus<>{}) |
                      ln::checkpoint(dir, {.version = "mpi_wordcount/1"}, policy);
  *recovered = counts.recovered();
  return counts | ln::sort_by([](const std::pair<std::string, long>& wc) { return wc.second; }, ln::descending) |
         ln::take(20, policy);
}

}  // namespace

int main(int argc, char** argv) {
  ln::mpi::session mpi(argc, argv);
  const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
  const std::string dir = argc > 2 ? argv[2] : "mpi_wordcount.ckpt";
  const auto lines = generated_lines(count);

  bool recovered = false;
  const auto top = top_words(lines, dir, ln::mpi::world, &recovered);  // each rank: its 16 / size partitions
  const auto expected = [&] {  // ln::seq: every partition in this process, no communication
    bool ignored = false;
    const std::string oracle_dir = dir + ".seq-rank" + std::to_string(mpi.rank());
    return top_words(lines, oracle_dir, ln::seq, &ignored);
  }();

  if (mpi.rank() == 0) {
    std::cout << (recovered ? "recovered" : "computed") << " the counts in " << dir << '\n';
    std::cout << "top 20 words of " << count << " lines on " << mpi.size() << " ranks:\n";
    for (const auto& [word, n] : top) std::cout << "  " << word << ' ' << n << '\n';
  }
  const int same = top == expected ? 1 : 0;
  int everywhere = 0;
  MPI_Allreduce(&same, &everywhere, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (mpi.rank() == 0) std::cout << (everywhere ? "identical to ln::seq on every rank\n" : "DIFFERENT from ln::seq\n");
  return everywhere ? 0 : 1;
}
