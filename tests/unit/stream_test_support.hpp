#pragma once
// Helpers of the stream tests: a scratch directory, seeded random batches, a foreach_batch
// recorder, and the hand-written oracles the operators are checked against.
#include <catch2/catch.hpp>
#include <lineage/stream.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace stream_test {

namespace ln = lineage;
namespace fs = std::filesystem;

class scratch_dir {
 public:
  scratch_dir() {
    std::string pattern = (fs::temp_directory_path() / "lineage-stream-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

// Options for tests: no fsync (a process crash still cannot tear a file).
inline ln::stream_options scratch_options() {
  ln::stream_options o;
  o.durable = false;
  return o;
}

// `count` batches of random sizes in [0, max_size] (some empty), values in [lo, hi].
inline std::vector<std::vector<int>> random_batches(std::size_t count, std::size_t max_size, std::uint32_t seed,
                                                    int lo = -50, int hi = 50) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<std::size_t> size(0, max_size);
  std::uniform_int_distribution<int> value(lo, hi);
  std::vector<std::vector<int>> out(count);
  for (auto& b : out) {
    b.resize(size(gen));
    for (auto& x : b) x = value(gen);
  }
  return out;
}

// Batches of (key, value) pairs with keys in [0, keys).
inline std::vector<std::vector<std::pair<int, long>>> random_pair_batches(std::size_t count, std::size_t max_size,
                                                                          int keys, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<std::size_t> size(0, max_size);
  std::uniform_int_distribution<int> key(0, keys - 1);
  std::uniform_int_distribution<long> value(-20, 20);
  std::vector<std::vector<std::pair<int, long>>> out(count);
  for (auto& b : out) {
    b.resize(size(gen));
    for (auto& x : b) x = {key(gen), value(gen)};
  }
  return out;
}

// What foreach_batch saw: batch number -> elements (shared by copies of the callback).
template <class T>
struct recorder {
  struct data {
    std::mutex m;
    std::map<std::uint64_t, std::vector<T>> seen;
    std::vector<std::uint64_t> order;
  };
  std::shared_ptr<data> d = std::make_shared<data>();
  void operator()(std::uint64_t b, const ln::checkpointed<T>& result) const {
    std::vector<T> v;
    for (const auto& part : result.partition_data()) v.insert(v.end(), part.begin(), part.end());
    std::lock_guard lock(d->m);
    d->seen[b] = std::move(v);
    d->order.push_back(b);
  }
};

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

template <class T>
std::vector<T> recovered_batch(const fs::path& out, std::uint64_t b) {
  auto c = ln::recover<T>(ln::batch_output_path(out, b));
  std::vector<T> v;
  for (const auto& part : c.partition_data()) v.insert(v.end(), part.begin(), part.end());
  return v;
}

// Oracle of reduce_by_key on one batch, sorted by key.
inline std::vector<std::pair<int, long>> sum_by_key(const std::vector<std::pair<int, long>>& batch) {
  std::map<int, long> m;
  for (const auto& [k, v] : batch) m[k] += v;
  return {m.begin(), m.end()};
}

}  // namespace stream_test
