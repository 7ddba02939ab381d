// ln::parallelize under a session: the policy of the action decides where partitions run.
// The same source, built the same way on every rank, runs whole under ln::seq and ln::par (no
// communication) and spread over the ranks under ln::mpi::world; a world checkpoint of it holds
// on each rank only that rank's partitions; its content identity does not depend on the ranks.
#include <lineage/mpi.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <numeric>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;

// The hand-written oracle of a keyed sum: std::map, sorted by key.
std::vector<std::pair<int, long>> sums_by_key(const std::vector<int>& data) {
  std::map<int, long> m;
  for (const int x : data) m[x % 11] += x;
  return {m.begin(), m.end()};
}

}  // namespace

TEST_CASE("parallelize: ln::seq and ln::par inside a session run every partition, world spreads them", "[mpi]") {
  const auto backend = make_backend(ln::mpi::world);
  const std::size_t rank = backend.rank(), size = backend.size();
  std::vector<int> ints(1001);
  std::iota(ints.begin(), ints.end(), -300);
  std::vector<std::string> words;
  for (int i = 0; i < 300; ++i) words.push_back(std::string(static_cast<std::size_t>(i % 13), static_cast<char>('a' + i % 26)));
  const auto oracle = sums_by_key(ints);
  for (const std::size_t n : {1, 3, 7, 1200}) {
    INFO(n << " partitions, rank " << rank << " of " << size);
    // No REQUIRE in these tests: a rank that left a test case early would leave the others
    // waiting in its collective calls.
    const auto source = ln::parallelize(ints, n);
    CHECK(source.partitions() == n);
    CHECK((source | ln::collect(ln::seq)) == ints);
    CHECK((source | ln::collect(ln::par(3))) == ints);
    CHECK((source | ln::collect(ln::mpi::world)) == ints);
    CHECK((source | ln::collect(ln::mpi::world(2))) == ints);

    // A wide pipeline: seq (inside the session), par and world equal the hand-written loop.
    const auto keyed = source | ln::map([](int x) { return std::pair{x % 11, static_cast<long>(x)}; }) |
                       ln::reduce_by_key(std::plus<>(), ln::partitioner{5}) |
                       ln::sort_by([](const auto& kv) { return kv.first; });
    CHECK((keyed | ln::collect(ln::seq)) == oracle);
    CHECK((keyed | ln::collect(ln::par(2))) == oracle);
    CHECK((keyed | ln::collect(ln::mpi::world)) == oracle);

    // Under world a rank materializes only its own partitions; ln::seq materializes them all.
    const auto mine = source | ln::local_checkpoint(ln::mpi::world);
    const auto all = source | ln::local_checkpoint(ln::seq);
    bool only_own = true;
    for (std::size_t i = 0; i < n; ++i) {
      const auto expected = source.partition(i);
      only_own = only_own && all.partition_data()[i] == std::vector<int>(expected.begin(), expected.end());
      if (i % size != rank) only_own = only_own && mine.partition_data()[i].empty();
      else only_own = only_own && mine.partition_data()[i] == all.partition_data()[i];
    }
    CHECK(only_own);
    CHECK((mine | ln::collect(ln::mpi::world)) == ints);

    // The content identity is that of every partition, the same on every rank.
    CHECK(source.content_id() == ln::storage::content_hash(all.partition_data()));
    CHECK(backend.agree(source.content_id()) == source.content_id());

    // Elements cereal encodes one by one (an rvalue container, moved in), an unsized view.
    const auto split_words = ln::parallelize(std::vector<std::string>(words), n);
    CHECK((split_words | ln::collect(ln::seq)) == words);
    CHECK((split_words | ln::collect(ln::mpi::world)) == words);
    CHECK(backend.agree(split_words.content_id()) == split_words.content_id());
    auto evens = ints | std::views::filter([](int x) { return x % 2 == 0; });
    const std::vector<int> even_values(evens.begin(), evens.end());
    const auto split_evens = ln::parallelize(evens, n);
    CHECK((split_evens | ln::collect(ln::seq)) == even_values);
    CHECK((split_evens | ln::collect(ln::mpi::world)) == even_values);
  }
}
