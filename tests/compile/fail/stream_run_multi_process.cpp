// expect: query.run: a stream runs in one process \(ln::seq or ln::par\)
// query.run under a policy whose backend spreads partitions over processes (ln::mpi::world;
// here the simulated ranks of the unit tests, which need no MPI).
#include <lineage/stream.hpp>

#include "../../support/simulated_ranks.hpp"

#include <cstdint>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<std::vector<int>> batches = {{1, 2}};
  auto q = ln::batches(batches) | ln::window(2, 1) | ln::foreach_batch([](std::uint64_t, const auto&) {});
  lineage_test::rank_world world(2);
  (void)q.run("unused", {}, lineage_test::ranks_policy{&world, 0});
}
