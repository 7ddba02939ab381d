// Reading a checkpoint into a vector copies no element: open_checkpoint's decoded partitions and
// an expiring checkpointed<T>'s partitions are moved into collect(); a checkpointed<T> that is
// still in use (an lvalue, or shared with a copy) is copied and stays intact.
#include "checkpoint_test_support.hpp"

#include <atomic>
#include <cstddef>
#include <utility>
#include <vector>

namespace {

using namespace ckpt_test;

// An element that counts its copies (moves are free).
struct tracked {
  static inline std::atomic<std::size_t> copies{0};
  int value = 0;

  tracked() = default;
  explicit tracked(int v) : value(v) {}
  tracked(const tracked& other) : value(other.value) { ++copies; }
  tracked(tracked&&) noexcept = default;
  tracked& operator=(const tracked& other) {
    value = other.value;
    ++copies;
    return *this;
  }
  tracked& operator=(tracked&&) noexcept = default;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(value);
  }
};

std::vector<int> values_of(const std::vector<tracked>& v) {
  std::vector<int> out;
  for (const auto& t : v) out.push_back(t.value);
  return out;
}

std::vector<int> expected(int n) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i) out.push_back(i * 7);
  return out;
}

void write(const fs::path& dir, int n, std::size_t partitions) {
  std::vector<tracked> data;
  for (int i = 0; i < n; ++i) data.emplace_back(i * 7);
  (void)(ln::parallelize(std::move(data), partitions) | ln::checkpoint(dir, fast()));
}

}  // namespace

TEST_CASE("collect of an expiring recovered checkpoint moves its partitions", "[checkpoint][move]") {
  scratch_dir tmp;
  const auto dir = tmp / "ckpt";
  for (const std::size_t partitions : {std::size_t{1}, std::size_t{4}}) {
    INFO(partitions << " partitions");
    if (fs::exists(dir)) ln::remove_checkpoint(dir);
    write(dir, 1000, partitions);

    tracked::copies = 0;
    const auto all = ln::recover<tracked>(dir) | ln::collect();
    CHECK(values_of(all) == expected(1000));
    CHECK(tracked::copies == 0);

    tracked::copies = 0;
    const auto streamed = ln::open_checkpoint<tracked>(dir) | ln::collect();
    CHECK(values_of(streamed) == expected(1000));
    CHECK(tracked::copies == 0);

    tracked::copies = 0;
    CHECK(values_of(ln::recover<tracked>(dir) | ln::collect(ln::par)) == expected(1000));
    CHECK(tracked::copies == 0);
  }
}

TEST_CASE("collect of a checkpointed still in use copies and leaves it intact", "[checkpoint][move]") {
  scratch_dir tmp;
  const auto dir = tmp / "ckpt";
  write(dir, 500, 3);

  auto kept = ln::recover<tracked>(dir);
  tracked::copies = 0;
  CHECK(values_of(kept | ln::collect()) == expected(500));
  CHECK(tracked::copies == 500);
  CHECK(values_of(kept | ln::collect()) == expected(500));  // still all there

  // Moved from, but a copy shares the partitions: they are copied, the copy keeps them.
  auto shared = kept;
  tracked::copies = 0;
  CHECK(values_of(std::move(kept) | ln::collect()) == expected(500));
  CHECK(tracked::copies == 500);
  CHECK(values_of(shared | ln::collect()) == expected(500));
  CHECK(shared.size() == 500);

  // Other actions on an expiring checkpointed see the same elements.
  CHECK((ln::recover<tracked>(dir) | ln::count()) == 500);
  CHECK(values_of(ln::recover<tracked>(dir) | ln::take(3)) == std::vector<int>{0, 7, 14});
}
