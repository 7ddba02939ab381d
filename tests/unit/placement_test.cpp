// Source placement (exec/placement.hpp) without MPI: under an installed placement (rank r of
// s, as an MPI session installs it), ln::parallelize keeps only partitions i % s == r, keeps the
// content identity of all of them, and refuses to run a partition it does not hold.
#include "test_support.hpp"

#include <lineage/storage/archive.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {
namespace ln = lineage;
}

TEST_CASE("placement: parallelize keeps the installed placement's partitions", "[placement]") {
  const auto data = lineage_test::random_ints(1000, 1401);
  for (const std::size_t size : {1, 2, 3, 5}) {
    for (std::size_t rank = 0; rank < size; ++rank) {
      for (const std::size_t n : {1, 4, 7}) {
        INFO("rank " << rank << " of " << size << ", " << n << " partitions");
        const auto all = ln::parallelize(data, n).partition_data();  // no placement installed: all
        const ln::scoped_source_placement placement({rank, size});
        const auto mine = ln::parallelize(data, n);
        bool holds_all = true;
        for (std::size_t i = 0; i < n; ++i) {
          const bool kept = i % size == rank;
          holds_all = holds_all && kept;
          CHECK(mine.partition_data()[i] == (kept ? all[i] : std::vector<int>()));
        }
        CHECK(mine.holds_all() == holds_all);
        if (holds_all) {
          CHECK_FALSE(mine.content_id().has_value());
          CHECK((mine | ln::collect(ln::seq)) == data);
        } else {
          CHECK(mine.content_id() == std::optional<std::uint64_t>(ln::storage::content_hash(all)));
          CHECK_THROWS_AS(mine | ln::collect(ln::seq), std::logic_error);
          CHECK_THROWS_AS(mine | ln::count(ln::par), std::logic_error);
        }
        // With a policy: what it runs here (ln::seq: everything).
        CHECK(ln::parallelize(data, n, ln::seq).partition_data() == all);
      }
    }
  }
  CHECK(ln::current_source_placement().keeps_all());  // restored
}

TEST_CASE("placement: the identity of strings and of vector<bool> split over ranks", "[placement]") {
  std::vector<std::string> words;
  std::vector<bool> bits;
  for (int i = 0; i < 200; ++i) {
    words.push_back(std::string(static_cast<std::size_t>(i % 9), static_cast<char>('a' + i % 26)));
    bits.push_back(i % 3 == 0);
  }
  const auto all_words = ln::parallelize(words, 6).partition_data();
  const auto all_bits = ln::parallelize(bits, 6).partition_data();
  const ln::scoped_source_placement placement({1, 4});
  CHECK(ln::parallelize(words, 6).content_id() == std::optional<std::uint64_t>(ln::storage::content_hash(all_words)));
  CHECK(ln::parallelize(bits, 6).content_id() == std::optional<std::uint64_t>(ln::storage::content_hash(all_bits)));
}
