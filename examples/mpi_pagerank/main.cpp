// mpi_pagerank: the iterative PageRank of examples/iterative on MPI ranks.
//
//   mpiexec -n 2 mpi_pagerank [--iterations N] [--every K] [--dir D]
//
// Every rank runs this same program (SPMD) and builds the same pipelines. Under ln::mpi::world
// each rank runs its share of the partitions (i % size), the join and reduce_by_key shuffle
// across ranks, and every K iterations the ranks write one checkpoint together (each its own
// partition files, rank 0 commits); the other iterations end in a local checkpoint that each
// rank holds its part of. A restarted job, with any number of ranks, resumes from the last
// committed iteration. The program then runs the same loop under ln::seq inside the same
// session (every partition in this process, no communication) and checks that every rank got
// exactly the same ranks: partitioning never depends on the rank count and partial sums are
// merged in partition order, so the floating-point sums are done in the same order.
#include <lineage/mpi.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;
using rank_t = std::pair<int, double>;
using graph = std::vector<std::pair<int, std::vector<int>>>;

namespace {

// A fixed random graph: node -> its outgoing links (the one of examples/iterative).
graph make_graph(int nodes) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> target(0, nodes - 1), degree(1, 8);
  graph links;
  for (int n = 0; n < nodes; ++n) {
    std::vector<int> out(static_cast<std::size_t>(degree(rng)));
    for (auto& t : out) t = target(rng);
    links.emplace_back(n, std::move(out));
  }
  return links;
}

std::string version_for(int iteration) { return "mpi_pagerank/1 iteration " + std::to_string(iteration); }

// `iterations` PageRank steps under `policy`, checkpointing in `dir` every `every` iterations
// and resuming from the last checkpoint found there. Returns the ranks, sorted by node.
template <class Policy>
std::vector<rank_t> pagerank(const graph& g, int iterations, int every, const std::filesystem::path& dir, Policy policy,
                             bool announce) {
  const auto links = ln::parallelize(g, 8);
  // Resume from the last committed iteration, if any (every rank gets the leader's answer);
  // the iteration a checkpoint reached is in its metadata.
  auto initial = links | ln::map([](const auto& l) { return rank_t{l.first, 1.0}; }) | ln::local_checkpoint(policy);
  ln::checkpointed<rank_t> ranks = ln::recover_or(dir, initial, policy);
  const int done = ranks.recovered() ? std::stoi(ranks.metadata().at("iteration")) : 0;
  if (announce) {
    if (ranks.recovered()) {
      std::cout << "resumed at iteration " << done << " from " << dir << '\n';
    } else {
      std::cout << "starting from scratch\n";
    }
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
      ranks = next | ln::checkpoint(dir,
                                    {.version = version_for(it),
                                     .keep_last = 2,
                                     .metadata = {{"iteration", std::to_string(it)}}},
                                    policy);
    } else {
      ranks = next | ln::local_checkpoint(policy);
    }
  }
  return ranks | ln::collect(policy);
}

}  // namespace

int main(int argc, char** argv) {
  ln::mpi::session mpi(argc, argv);
  int iterations = 30, every = 5;
  std::string dir = "mpi_pagerank.ckpt";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--iterations") iterations = std::stoi(argv[i + 1]);
    else if (flag == "--every") every = std::stoi(argv[i + 1]);
    else if (flag == "--dir") dir = argv[i + 1];
  }
  const auto g = make_graph(2'000);
  const bool leader = mpi.rank() == 0;

  const auto ranks = pagerank(g, iterations, every, dir, ln::mpi::world, leader);
  // The oracle: the same loop under ln::seq in this process, in a directory of this rank's own.
  const auto expected = pagerank(g, iterations, every, dir + ".seq-rank" + std::to_string(mpi.rank()), ln::seq, false);

  if (leader) {
    double total = 0;
    for (const auto& [node, rank] : ranks) total += rank;
    std::printf("iterations %d on %zu ranks, %zu ranked nodes, rank sum %.12f\n", iterations, mpi.size(), ranks.size(), total);
    auto top = ranks;
    std::stable_sort(top.begin(), top.end(), [](const rank_t& a, const rank_t& b) { return a.second > b.second; });
    for (std::size_t i = 0; i < 3 && i < top.size(); ++i) std::printf("  node %d rank %.12f\n", top[i].first, top[i].second);
  }
  const int same = ranks == expected ? 1 : 0;  // bit for bit
  int everywhere = 0;
  MPI_Allreduce(&same, &everywhere, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (leader) std::cout << (everywhere ? "identical to ln::seq on every rank\n" : "DIFFERENT from ln::seq\n");
  return everywhere ? 0 : 1;
}
