// checkpoint_io: what a checkpoint costs against the raw I/O of the same bytes.
//
// Data: 2^24 doubles (128 MiB) and 2M pair<string, int>. Cases, all in this binary:
//   checkpoint (durable=false / true, with and without the source content hash), recover,
//   raw write() / write()+fsync / read() of the same bytes, cereal alone into a file, the
//   XXH3 pass alone (checksum cost), the source content hash alone, and recover vs recompute
//   of an expensive pipeline. The baselines of issue 12's targets: local_checkpoint (the
//   materialized copy every checkpoint returns) + raw write() [+ fsync] of the same bytes, or
//   + cereal alone for the pairs; recover / open_checkpoint | collect vs a raw read() into a
//   vector.
#include <benchmark/benchmark.h>

#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;
namespace fs = std::filesystem;

namespace {

const fs::path scratch = fs::temp_directory_path() / "lineage-bench-checkpoint-io";

const std::vector<double>& doubles() {
  static const std::vector<double> data = [] {
    std::vector<double> v(std::size_t{1} << 24);
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> d(0, 1);
    for (auto& x : v) x = d(rng);
    return v;
  }();
  return data;
}

const std::vector<std::pair<std::string, int>>& string_pairs() {
  static const std::vector<std::pair<std::string, int>> data = [] {
    std::vector<std::pair<std::string, int>> v(2'000'000);
    std::mt19937 rng(2);
    std::uniform_int_distribution<int> len(4, 16), ch('a', 'z');
    for (auto& [s, n] : v) {
      s.resize(static_cast<std::size_t>(len(rng)));
      for (auto& c : s) c = static_cast<char>(ch(rng));
      n = static_cast<int>(rng());
    }
    return v;
  }();
  return data;
}

template <class T>
std::int64_t payload_bytes(const std::vector<T>& v) {
  if constexpr (std::is_arithmetic_v<T>) {
    return static_cast<std::int64_t>(v.size() * sizeof(T));
  } else {
    std::int64_t n = 0;
    for (const auto& [s, i] : v) n += static_cast<std::int64_t>(s.size() + 8 + sizeof i);
    return n;
  }
}

template <class T>
void checkpoint_write(benchmark::State& state, const std::vector<T>& data, bool durable, ln::identity_policy id) {
  const fs::path dir = scratch / "write";
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
    auto c = data | ln::checkpoint(dir, {.durable = durable, .source_identity = id});
    benchmark::DoNotOptimize(c.size());
  }
  state.SetBytesProcessed(state.iterations() * payload_bytes(data));
}

template <class T>
void recover(benchmark::State& state, const std::vector<T>& data) {
  const fs::path dir = scratch / "recover";
  fs::remove_all(dir);
  (void)(data | ln::checkpoint(dir, {.durable = false}));
  for (auto _ : state) {
    auto c = ln::recover<T>(dir);
    benchmark::DoNotOptimize(c.size());
  }
  state.SetBytesProcessed(state.iterations() * payload_bytes(data));
}

void raw_write(benchmark::State& state, const void* data, std::size_t size, bool sync) {
  const fs::path file = scratch / "raw.bin";
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove(file);  // a new file each time, as a checkpoint writes
    state.ResumeTiming();
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (std::size_t done = 0; done < size;) {
      const auto n = ::write(fd, static_cast<const char*>(data) + done, std::min<std::size_t>(size - done, 1 << 30));
      if (n <= 0) state.SkipWithError("write failed");
      done += static_cast<std::size_t>(n);
    }
    if (sync) ::fsync(fd);
    ::close(fd);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

void raw_read(benchmark::State& state, std::size_t size) {
  const fs::path file = scratch / "raw-read.bin";
  {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(doubles().data()), static_cast<std::streamsize>(size));
  }
  for (auto _ : state) {
    std::vector<double> back(size / sizeof(double));
    const int fd = ::open(file.c_str(), O_RDONLY);
    for (std::size_t done = 0; done < size;) {
      const auto n = ::read(fd, reinterpret_cast<char*>(back.data()) + done, size - done);
      if (n <= 0) state.SkipWithError("read failed");
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    benchmark::DoNotOptimize(back.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

template <class T>
void cereal_alone(benchmark::State& state, const std::vector<T>& data) {
  const fs::path file = scratch / "cereal.bin";
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove(file);
    state.ResumeTiming();
    std::ofstream out(file, std::ios::binary);
    cereal::BinaryOutputArchive ar(out);
    ar(data);
  }
  state.SetBytesProcessed(state.iterations() * payload_bytes(data));
}

// The materialized copy a checkpoint returns (ln::local_checkpoint), then the bytes written raw.
void local_checkpoint_then_write(benchmark::State& state, bool sync) {
  const auto& data = doubles();
  const fs::path file = scratch / "raw.bin";
  const std::size_t size = data.size() * sizeof(double);
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove(file);
    state.ResumeTiming();
    auto local = data | ln::local_checkpoint();
    const auto& part = local.partition_data().front();
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (std::size_t done = 0; done < size;) {
      const auto n = ::write(fd, reinterpret_cast<const char*>(part.data()) + done,
                             std::min<std::size_t>(size - done, 1 << 30));
      if (n <= 0) state.SkipWithError("write failed");
      done += static_cast<std::size_t>(n);
    }
    if (sync) ::fsync(fd);
    ::close(fd);
    benchmark::DoNotOptimize(local.size());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

template <class T>
void local_checkpoint_then_cereal(benchmark::State& state, const std::vector<T>& data) {
  const fs::path file = scratch / "cereal.bin";
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove(file);
    state.ResumeTiming();
    auto local = data | ln::local_checkpoint();
    std::ofstream out(file, std::ios::binary);
    cereal::BinaryOutputArchive ar(out);
    ar(local.partition_data().front());
    benchmark::DoNotOptimize(local.size());
  }
  state.SetBytesProcessed(state.iterations() * payload_bytes(data));
}

// Reading a checkpoint back into one vector, as a user's collect() does.
template <class T, class Open>
void read_back_collect(benchmark::State& state, const std::vector<T>& data, Open open) {
  const fs::path dir = scratch / "recover";
  fs::remove_all(dir);
  (void)(data | ln::checkpoint(dir, {.durable = false}));
  for (auto _ : state) {
    auto back = open(dir) | ln::collect();
    benchmark::DoNotOptimize(back.data());
  }
  state.SetBytesProcessed(state.iterations() * payload_bytes(data));
}

template <class T>
void source_hash(benchmark::State& state, const std::vector<T>& data) {
  for (auto _ : state) benchmark::DoNotOptimize(ln::storage::content_hash(data));
  state.SetBytesProcessed(state.iterations() * payload_bytes(data));
}

void BM_doubles_checkpoint_nondurable(benchmark::State& s) { checkpoint_write(s, doubles(), false, ln::identity_policy::content); }
void BM_doubles_checkpoint_nondurable_no_identity(benchmark::State& s) { checkpoint_write(s, doubles(), false, ln::identity_policy::none); }
void BM_doubles_checkpoint_durable(benchmark::State& s) { checkpoint_write(s, doubles(), true, ln::identity_policy::content); }
void BM_doubles_recover(benchmark::State& s) { recover(s, doubles()); }
void BM_doubles_raw_write(benchmark::State& s) { raw_write(s, doubles().data(), doubles().size() * sizeof(double), false); }
void BM_doubles_raw_write_fsync(benchmark::State& s) { raw_write(s, doubles().data(), doubles().size() * sizeof(double), true); }
void BM_doubles_raw_read(benchmark::State& s) { raw_read(s, doubles().size() * sizeof(double)); }
void BM_doubles_local_checkpoint_write(benchmark::State& s) { local_checkpoint_then_write(s, false); }
void BM_doubles_local_checkpoint_write_fsync(benchmark::State& s) { local_checkpoint_then_write(s, true); }
void BM_doubles_recover_collect(benchmark::State& s) {
  read_back_collect(s, doubles(), [](const fs::path& d) { return ln::recover<double>(d); });
}
void BM_doubles_open_checkpoint_collect(benchmark::State& s) {
  read_back_collect(s, doubles(), [](const fs::path& d) { return ln::open_checkpoint<double>(d); });
}
void BM_pairs_local_checkpoint_cereal(benchmark::State& s) { local_checkpoint_then_cereal(s, string_pairs()); }
void BM_doubles_cereal_alone(benchmark::State& s) { cereal_alone(s, doubles()); }
void BM_doubles_xxh3_checksum(benchmark::State& s) { source_hash(s, doubles()); }
void BM_pairs_checkpoint_nondurable(benchmark::State& s) { checkpoint_write(s, string_pairs(), false, ln::identity_policy::content); }
void BM_pairs_checkpoint_nondurable_no_identity(benchmark::State& s) { checkpoint_write(s, string_pairs(), false, ln::identity_policy::none); }
void BM_pairs_recover(benchmark::State& s) { recover(s, string_pairs()); }
void BM_pairs_cereal_alone(benchmark::State& s) { cereal_alone(s, string_pairs()); }
void BM_pairs_source_hash(benchmark::State& s) { source_hash(s, string_pairs()); }

// An expensive pipeline (transcendental math per element): recompute it or recover its result.
auto expensive() {
  return doubles() | ln::map([](double x) {
           double y = x;
           for (int i = 0; i < 16; ++i) y = std::sin(y) + std::sqrt(y + 1.0);
           return y;
         });
}
void BM_expensive_recompute(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize((expensive() | ln::collect()).size());
}
void BM_expensive_recover(benchmark::State& state) {
  const fs::path dir = scratch / "expensive";
  fs::remove_all(dir);
  (void)(expensive() | ln::checkpoint(dir, {.durable = false}));
  for (auto _ : state) benchmark::DoNotOptimize(ln::recover<double>(dir).size());
}

}  // namespace

#define LINEAGE_IO_BENCH(fn) BENCHMARK(fn)->Unit(benchmark::kMillisecond)->UseRealTime()
LINEAGE_IO_BENCH(BM_doubles_checkpoint_nondurable);
LINEAGE_IO_BENCH(BM_doubles_checkpoint_nondurable_no_identity);
LINEAGE_IO_BENCH(BM_doubles_checkpoint_durable);
LINEAGE_IO_BENCH(BM_doubles_raw_write);
LINEAGE_IO_BENCH(BM_doubles_raw_write_fsync);
LINEAGE_IO_BENCH(BM_doubles_cereal_alone);
LINEAGE_IO_BENCH(BM_doubles_xxh3_checksum);
LINEAGE_IO_BENCH(BM_doubles_recover);
LINEAGE_IO_BENCH(BM_doubles_raw_read);
LINEAGE_IO_BENCH(BM_doubles_local_checkpoint_write);
LINEAGE_IO_BENCH(BM_doubles_local_checkpoint_write_fsync);
LINEAGE_IO_BENCH(BM_doubles_recover_collect);
LINEAGE_IO_BENCH(BM_doubles_open_checkpoint_collect);
LINEAGE_IO_BENCH(BM_pairs_local_checkpoint_cereal);
LINEAGE_IO_BENCH(BM_pairs_checkpoint_nondurable);
LINEAGE_IO_BENCH(BM_pairs_checkpoint_nondurable_no_identity);
LINEAGE_IO_BENCH(BM_pairs_cereal_alone);
LINEAGE_IO_BENCH(BM_pairs_source_hash);
LINEAGE_IO_BENCH(BM_pairs_recover);
LINEAGE_IO_BENCH(BM_expensive_recompute);
LINEAGE_IO_BENCH(BM_expensive_recover);

int main(int argc, char** argv) {
  fs::create_directories(scratch);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  fs::remove_all(scratch);
}
