// ln::parallelize's partitions are contiguous slices (element index of n in partition
// index * partitions / n), the same for every source kind, and its content identity is
// storage::content_hash of the partitions as vectors (what checkpoints hash).
#include "test_support.hpp"

#include <lineage/storage/archive.hpp>

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

namespace {
namespace ln = lineage;

// The hand-written split: element i goes to partition i * partitions / n.
template <class T>
std::vector<std::vector<T>> split_by_hand(const std::vector<T>& data, std::size_t partitions) {
  std::vector<std::vector<T>> parts(partitions);
  for (std::size_t i = 0; i < data.size(); ++i) parts[i * partitions / data.size()].push_back(data[i]);
  return parts;
}

template <class P>
auto partitions_of(const P& p) {
  std::vector<std::vector<ln::element_t<P>>> parts;
  for (std::size_t i = 0; i < p.partitions(); ++i) {
    const auto part = p.partition(i);
    parts.emplace_back(part.begin(), part.end());
  }
  return parts;
}

}  // namespace

TEST_CASE("parallelize: partitions are slices and the identity hashes them as vectors", "[parallelize][par]") {
  for (const std::size_t n : lineage_test::sizes) {
    const auto data = lineage_test::random_ints(n, 1401);
    std::vector<std::string> words;
    for (const int x : data) words.push_back(std::string(static_cast<std::size_t>(x & 15), 'w'));
    std::vector<bool> bits;
    for (const int x : data) bits.push_back(x % 3 == 0);
    for (const std::size_t k : {1, 3, 64, 40'000}) {
      INFO(n << " elements, " << k << " partitions");
      const auto expected = split_by_hand(data, k);
      const auto ints = ln::parallelize(data, k);
      CHECK(partitions_of(ints) == expected);
      CHECK(ints.content_id() == ln::storage::content_hash(expected));
      CHECK(partitions_of(ln::parallelize(std::vector<int>(data), k)) == expected);                 // moved whole
      CHECK(partitions_of(ln::parallelize(std::deque<int>(data.begin(), data.end()), k)) == expected);  // element-wise
      const auto w = ln::parallelize(words, k);
      CHECK(w.content_id() == ln::storage::content_hash(split_by_hand(words, k)));
      const auto b = ln::parallelize(bits, k);
      CHECK(partitions_of(b) == split_by_hand(bits, k));
      CHECK(b.content_id() == ln::storage::content_hash(split_by_hand(bits, k)));
      CHECK((ints | ln::collect(ln::par(3))) == data);
    }
  }
}
