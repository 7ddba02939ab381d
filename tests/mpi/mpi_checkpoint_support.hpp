#pragma once
// Helpers of the MPI checkpoint tests: the pipeline they checkpoint (with its oracle), a
// directory every rank shares, and what one rank sees of a checkpointed<T>.
#include <lineage/checkpoint.hpp>
#include <lineage/mpi.hpp>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace mpi_ckpt {

namespace ln = lineage;
namespace fs = std::filesystem;

inline std::vector<int> input() {
  std::vector<int> v(5000);
  unsigned x = 99;
  for (auto& e : v) {
    x = x * 1103515245u + 12345u;
    e = static_cast<int>((x >> 8) % 100'000);
  }
  return v;
}

// A wide pipeline, 7 partitions after the shuffle; `calls` counts the upstream's work.
inline auto pipeline(const std::vector<int>& data, std::atomic<std::size_t>* calls) {
  return ln::parallelize(data, 6) | ln::map([calls](int x) {
           calls->fetch_add(1, std::memory_order_relaxed);
           return std::pair{x % 97, static_cast<long>(x)};
         }) |
         ln::reduce_by_key(std::plus<>(), ln::partitioner{7});
}

// The pipeline's result in one process, every partition: the oracle.
inline std::vector<std::pair<int, long>> expected(const std::vector<int>& data) {
  std::atomic<std::size_t> calls{0};
  return pipeline(data, &calls) | ln::collect(ln::seq);
}

inline ln::checkpoint_options options(std::string version = "mpi-test/1") {
  ln::checkpoint_options o;
  o.version = std::move(version);
  return o;
}

// A directory every rank names the same (the tests' working directory is shared by the ranks
// of one job), empty at the start: rank 0 clears it while the others wait.
inline fs::path shared_dir(const std::string& name) {
  const auto backend = make_backend(ln::mpi::world);
  const fs::path dir = fs::current_path() / (name + "-np" + std::to_string(backend.size()));
  if (backend.leader()) fs::remove_all(dir);
  MPI_Barrier(MPI_COMM_WORLD);
  return dir;
}

// Flips one bit of a file's byte at `offset`.
inline void flip_bit(const fs::path& file, std::size_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x10));
}

}  // namespace mpi_ckpt
