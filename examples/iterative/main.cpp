// iterative: PageRank that checkpoints every k iterations and resumes after a crash.
//
//   iterative [--iterations N] [--every K] [--dir D] [--crash-after M]
//
// The loop variable has one fixed type, ln::checkpointed<std::pair<int, double>>: every
// iteration ends in a checkpoint (durable, every K iterations, keeping the last two
// generations in D) or a local checkpoint (in memory), which cut the lineage. At start the
// program recovers the last committed iteration from D, if there is one, and continues from
// it; --crash-after M ends the process abruptly after iteration M, as a kill would. A resumed
// run prints the same ranks as an uninterrupted one.
#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;
using rank_t = std::pair<int, double>;

namespace {

// A fixed random graph: node -> its outgoing links.
std::vector<std::pair<int, std::vector<int>>> make_graph(int nodes) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> target(0, nodes - 1), degree(1, 8);
  std::vector<std::pair<int, std::vector<int>>> links;
  for (int n = 0; n < nodes; ++n) {
    std::vector<int> out(static_cast<std::size_t>(degree(rng)));
    for (auto& t : out) t = target(rng);
    links.emplace_back(n, std::move(out));
  }
  return links;
}

// The code version and the iteration: each iteration's result has its own lineage signature.
std::string version_for(int iteration) { return "pagerank/1 iteration " + std::to_string(iteration); }

}  // namespace

int main(int argc, char** argv) {
  int iterations = 30, every = 5, crash_after = -1;
  std::filesystem::path dir = "pagerank.ckpt";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--iterations") iterations = std::stoi(argv[i + 1]);
    else if (flag == "--every") every = std::stoi(argv[i + 1]);
    else if (flag == "--dir") dir = argv[i + 1];
    else if (flag == "--crash-after") crash_after = std::stoi(argv[i + 1]);
  }

  const auto links = make_graph(2'000);
  // Resume from the last committed iteration, if any, else start with rank 1 everywhere; the
  // iteration a checkpoint reached is in its metadata.
  auto initial = links | ln::map([](const auto& l) { return rank_t{l.first, 1.0}; }) | ln::local_checkpoint();
  ln::checkpointed<rank_t> ranks = ln::recover_or(dir, initial);
  const int done = ranks.recovered() ? std::stoi(ranks.metadata().at("iteration")) : 0;
  if (ranks.recovered()) {
    std::cout << "resumed at iteration " << done << " from " << dir << '\n';
  } else {
    std::cout << "starting from scratch\n";
  }

  for (int it = done + 1; it <= iterations; ++it) {
    auto next = links | ln::join(ranks)
                      | ln::flat_map([](const auto& node) {
                          const auto& [out, rank] = node.second;
                          std::vector<rank_t> shares;
                          for (int t : out) shares.emplace_back(t, rank / double(out.size()));
                          return shares;
                        })
                      | ln::reduce_by_key(std::plus<>{})
                      | ln::map_values([](double sum) { return 0.15 + 0.85 * sum; })
                      | ln::sort_by([](const rank_t& r) { return r.first; });
    if (it % every == 0) {
      ranks = next | ln::checkpoint(dir, {.version = version_for(it),
                                          .keep_last = 2,
                                          .metadata = {{"iteration", std::to_string(it)}}});
    } else {
      ranks = next | ln::local_checkpoint();
    }
    if (it == crash_after) {
      std::cout << "crashing after iteration " << it << '\n' << std::flush;
      std::_Exit(3);
    }
  }

  double total = 0;
  for (const auto& [node, rank] : ranks) total += rank;
  const auto top = ranks | ln::sort_by([](const rank_t& r) { return r.second; }, ln::descending) | ln::take(3);
  std::printf("iterations %d, %zu ranked nodes, rank sum %.12f\n", iterations, ranks.size(), total);
  for (const auto& [node, rank] : top) std::printf("  node %d rank %.12f\n", node, rank);
}
