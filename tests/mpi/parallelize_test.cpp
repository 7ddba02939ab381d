// ln::parallelize under a session: each rank keeps only its own partitions (i % size == rank),
// keeps the content identity of all of them, and refuses to run under ln::seq what it does
// not hold; ln::parallelize(range, n, policy) keeps what the policy runs here.
#include <lineage/mpi.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace ln = lineage;

// The partitions every rank would hold alone: ln::parallelize(range, n, ln::seq).
template <class T>
std::vector<std::vector<T>> all_partitions(const std::vector<T>& data, std::size_t n) {
  return ln::parallelize(data, n, ln::seq).partition_data();
}

}  // namespace

TEST_CASE("parallelize: each rank keeps its own partitions and the identity of all", "[mpi]") {
  const auto backend = make_backend(ln::mpi::world);
  const std::size_t rank = backend.rank(), size = backend.size();
  std::vector<int> ints(1001);
  std::iota(ints.begin(), ints.end(), -300);
  std::vector<std::string> words;
  for (int i = 0; i < 300; ++i) words.push_back(std::string(static_cast<std::size_t>(i % 13), static_cast<char>('a' + i % 26)));
  for (const std::size_t n : {1, 3, 7, 1200}) {
    INFO(n << " partitions, rank " << rank << " of " << size);
    const auto expected = all_partitions(ints, n);
    // What the oracle split holds: every partition, in order, all of ints.
    std::vector<int> flat;
    for (const auto& part : expected) flat.insert(flat.end(), part.begin(), part.end());
    CHECK(flat == ints);

    const auto mine = ln::parallelize(ints, n);
    CHECK(mine.partitions() == n);
    const bool holds_all = size == 1 || (n == 1 && rank == 0);
    CHECK(mine.holds_all() == holds_all);
    bool right = true;
    for (std::size_t i = 0; i < n; ++i) {
      right = right && mine.partition_data()[i] == (i % size == rank ? expected[i] : std::vector<int>());
    }
    CHECK(right);
    // No REQUIRE in these tests: a rank that left a test case early would leave the others
    // waiting in its collective calls.
    if (!holds_all) {
      CHECK(mine.content_id() == std::optional<std::uint64_t>(ln::storage::content_hash(expected)));
      CHECK_THROWS_AS(mine | ln::collect(ln::seq), std::logic_error);
    } else {
      CHECK_FALSE(mine.content_id().has_value());
    }
    CHECK((mine | ln::collect(ln::mpi::world)) == ints);
    CHECK((ln::parallelize(ints, n, ln::seq) | ln::collect(ln::seq)) == ints);
    CHECK(ln::parallelize(ints, n, ln::mpi::world).partition_data() == mine.partition_data());

    // Elements cereal encodes one by one, an rvalue container (moved), an unsized view.
    const auto split_words = ln::parallelize(std::vector<std::string>(words), n);
    if (!holds_all) CHECK(split_words.content_id() == std::optional<std::uint64_t>(ln::storage::content_hash(all_partitions(words, n))));
    CHECK((split_words | ln::collect(ln::mpi::world)) == words);
    auto evens = ints | std::views::filter([](int x) { return x % 2 == 0; });
    std::vector<int> even_values(evens.begin(), evens.end());
    const auto split_evens = ln::parallelize(evens, n);
    if (!holds_all) {
      CHECK(split_evens.content_id() == std::optional<std::uint64_t>(ln::storage::content_hash(all_partitions(even_values, n))));
    }
    CHECK((split_evens | ln::collect(ln::mpi::world)) == even_values);
  }
}
