// Compressed checkpoints (checkpoint_options::compression = zstd, storage/compression.hpp):
// round trips of every kind of element against the records written, verify without the
// element type, readers that take both kinds, and damaged or forged compressed payloads
// (typed errors, never a crash or an unbounded allocation).
#include "storage_test_support.hpp"

#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <xxhash.h>
#include <zstd.h>

#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace storage_test;
namespace ln = lineage;

namespace {

lineage::checkpoint_options zstd_options(int level = 3) {
  auto options = scratch_options();
  options.compression = ln::compression::zstd;
  options.compression_level = level;
  return options;
}

std::uint32_t partition_version(const fs::path& file) {
  const auto bytes = read_bytes(file);
  REQUIRE(bytes.size() >= 16);
  std::uint32_t version = 0;
  std::memcpy(&version, bytes.data() + 12, 4);
  return version;
}

template <class T>
st::manifest write_compressed(const fs::path& dir, const partitions<T>& parts, int level = 3) {
  st::checkpoint_writer writer(dir, zstd_options(level));
  for (std::size_t i = 0; i < parts.size(); ++i) writer.write_partition(i, parts[i]);
  return writer.commit<T>(1, "", "none");
}

template <class T>
void check_round_trip(const partitions<T>& parts) {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  const auto m = write_compressed(dir, parts);
  CHECK(load_checkpoint<T>(dir) == parts);
  CHECK(st::verify(dir).content_id == m.content_id);  // no element type needed
  for (const auto& entry : m.partitions) CHECK(partition_version(dir / entry.file) == 2);
}

std::vector<std::byte> zstd_frame(const std::string& text) {
  std::vector<std::byte> out(ZSTD_compressBound(text.size()));
  const auto n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 1);
  REQUIRE(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

// A one-partition checkpoint of T whose compressed payload is `payload` (framing, checksums
// and manifest valid: only decompression or decoding can fail).
template <class T>
void forge_compressed(const fs::path& dir, const std::vector<std::byte>& payload, std::uint64_t records) {
  st::manifest m;
  {
    st::checkpoint_writer writer(dir, zstd_options());
    writer.write_partition(0, std::vector<T>{});
    m = writer.commit<T>(7, "", "none");
  }
  auto& entry = m.partitions.at(0);
  const std::uint64_t checksum = XXH3_64bits(payload.data(), payload.size());
  const auto header = st::format::encode_partition_header(m.generation, 0, st::compressed_partition_format_version);
  const auto trailer = st::format::encode_partition_trailer(records, payload.size(), checksum);
  std::vector<std::byte> file(header.begin(), header.end());
  file.insert(file.end(), payload.begin(), payload.end());
  file.insert(file.end(), trailer.begin(), trailer.end());
  entry.records = records;
  entry.bytes = file.size();
  entry.checksum = checksum;
  m.content_id = st::format::compute_content_id(m.partitions);
  write_bytes(dir / entry.file, file);
  write_bytes(dir / "MANIFEST", st::format::encode_manifest(m));
  st::verify(dir);
}

struct point {
  int x = 0;
  std::string label;
  template <class A>
  void serialize(A& ar) {
    ar(x, label);
  }
  friend bool operator==(const point&, const point&) = default;
};

}  // namespace

TEST_CASE("compression: round trips of raw values, strings, structs and empty partitions", "[storage][compression]") {
  partitions<double> doubles(3);
  for (int i = 0; i < 50000; ++i) doubles[static_cast<std::size_t>(i % 3)].push_back(i * 0.25);
  check_round_trip(doubles);
  check_round_trip(partitions<int>{{}, {1}, {}});
  partitions<std::string> words{{"alpha", "beta", ""}, {}, {std::string(100000, 'z')}};
  check_round_trip(words);
  partitions<point> points{{{1, "a"}, {2, "bb"}}, {{-3, std::string(5000, 'q')}}};
  check_round_trip(points);
  partitions<std::map<int, std::vector<std::string>>> maps{{{{1, {"x", "y"}}, {2, {}}}}, {}};
  check_round_trip(maps);
  check_round_trip(partitions<bool>{{true, false, true}, {false}});
}

TEST_CASE("compression: compressible data takes less room; a level is honoured", "[storage][compression]") {
  temp_dir tmp;
  partitions<long> repetitive(1);
  for (long i = 0; i < 200000; ++i) repetitive[0].push_back(i % 16);
  const auto plain = write_checkpoint(tmp / "plain", repetitive);
  const auto fast = write_compressed(tmp / "fast", repetitive, 1);
  const auto small = write_compressed(tmp / "small", repetitive, 19);
  CHECK(fast.total_bytes() * 10 < plain.total_bytes());
  CHECK(small.total_bytes() <= fast.total_bytes());
  CHECK(load_checkpoint<long>(tmp / "small") == repetitive);
  CHECK(partition_version(tmp / "plain" / plain.partitions[0].file) == 1);
}

TEST_CASE("compression: ln::checkpoint and ln::recover with and without compression", "[storage][compression]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  std::vector<std::pair<std::string, int>> data;
  for (int i = 0; i < 3000; ++i) data.emplace_back("key" + std::to_string(i % 97), i);
  auto options = zstd_options();
  const auto expected = ln::parallelize(data, 4) | ln::reduce_by_key(std::plus<>{}) | ln::collect();
  const auto written = ln::parallelize(data, 4) | ln::reduce_by_key(std::plus<>{}) | ln::checkpoint(dir, options);
  CHECK(!written.recovered());
  CHECK((written | ln::collect()) == expected);
  // Readers take both kinds whatever their options say; the signature ignores compression.
  CHECK((ln::recover<std::pair<std::string, int>>(dir) | ln::collect()) == expected);
  const auto again = ln::parallelize(data, 4) | ln::reduce_by_key(std::plus<>{}) | ln::checkpoint(dir, scratch_options());
  CHECK(again.recovered());
  CHECK((again | ln::collect()) == expected);
}

TEST_CASE("compression: damaged or forged compressed payloads are typed errors", "[storage][compression]") {
  temp_dir tmp;
  SECTION("a flipped bit is a checksum mismatch (found by verify too)") {
    const auto dir = tmp / "ck";
    const auto m = write_compressed(dir, partitions<std::string>{{"some", "words", "here"}});
    auto bytes = read_bytes(dir / m.partitions[0].file);
    bytes[st::format::partition_header_size + 3] ^= std::byte{0x20};
    write_bytes(dir / m.partitions[0].file, bytes);
    CHECK(load_error<std::string>(dir) == checkpoint_errc::checksum_mismatch);
  }
  SECTION("bytes that are not a zstd frame") {
    const auto dir = tmp / "garbage";
    forge_compressed<std::string>(dir, std::vector<std::byte>(64, std::byte{0x5a}), 1);
    const auto e = error_of([&] { load_checkpoint<std::string>(dir); });
    CHECK(e.reason() == checkpoint_errc::not_a_checkpoint);
    CHECK(std::string(e.what()).find("does not decompress") != std::string::npos);
  }
  SECTION("a frame cut short") {
    const auto dir = tmp / "cut";
    auto frame = zstd_frame(std::string(10000, 'x') + "tail");
    frame.resize(frame.size() - 3);
    forge_compressed<std::string>(dir, frame, 1);
    CHECK(error_of([&] { load_checkpoint<std::string>(dir); }).reason() == checkpoint_errc::not_a_checkpoint);
  }
  SECTION("bytes after the frame") {
    const auto dir = tmp / "trailing";
    auto frame = zstd_frame("abc");
    frame.push_back(std::byte{0});
    forge_compressed<std::string>(dir, frame, 1);
    CHECK(error_of([&] { load_checkpoint<std::string>(dir); }).reason() == checkpoint_errc::not_a_checkpoint);
  }
  SECTION("a frame of a huge run is bounded by what it really holds, and then does not decode") {
    // 64 MiB of zero bytes compress to a few KiB; they decode as a string count of 0 and then
    // leave bytes over: type_mismatch, after an allocation the size of the real output.
    const auto dir = tmp / "run";
    forge_compressed<std::string>(dir, zstd_frame(std::string(std::size_t{64} << 20, '\0')), 1);
    CHECK(error_of([&] { load_checkpoint<std::string>(dir); }).reason() == checkpoint_errc::type_mismatch);
  }
  SECTION("more records than decompressed bytes") {
    const auto dir = tmp / "count";
    forge_compressed<std::uint8_t>(dir, zstd_frame("ab"), 3);
    CHECK(error_of([&] { load_checkpoint<std::uint8_t>(dir); }).reason() == checkpoint_errc::type_mismatch);
  }
}
