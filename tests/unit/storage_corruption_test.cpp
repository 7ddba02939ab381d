// Damaged checkpoints are errors, never loads and never crashes: every prefix of every file,
// every bit of the manifest and of the partition headers and trailers, thousands of random
// payload bits, and size prefixes that would allocate without limit in a file whose checksums
// are all correct. (Run under ASan in the suite: a huge allocation would abort it.)
#include "storage_test_support.hpp"

#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace storage_test;

namespace {

using record = std::pair<int, std::map<std::string, std::vector<std::int16_t>>>;

partitions<record> small_content() {
  partitions<record> parts(2);
  for (int i = 0; i < 4; ++i) parts[0].push_back({i, {{"k" + std::to_string(i), {1, 2}}, {"z", {}}}});
  parts[1].push_back({-1, {}});
  return parts;
}

std::vector<fs::path> checkpoint_files(const fs::path& dir, const st::manifest& m) {
  std::vector<fs::path> files{dir / "MANIFEST"};
  for (const auto& p : m.partitions) files.push_back(dir / p.file);
  return files;
}

// Re-frames a partition whose payload was edited: new trailer checksum, new manifest entry,
// new content id, new manifest checksum. The result is a checkpoint every checksum of which
// is right; only decoding can refuse it.
void refresh_checksums(const fs::path& dir, std::size_t index) {
  auto m = *st::try_read_manifest(dir);
  const auto path = dir / m.partitions[index].file;
  auto bytes = read_bytes(path);
  const std::size_t payload = bytes.size() - st::format::partition_overhead;
  const std::uint64_t checksum = XXH3_64bits(bytes.data() + st::format::partition_header_size, payload);
  std::memcpy(bytes.data() + bytes.size() - 8, &checksum, 8);
  write_bytes(path, bytes);
  m.partitions[index].checksum = checksum;
  m.content_id = st::format::compute_content_id(m.partitions);
  write_bytes(dir / "MANIFEST", st::format::encode_manifest(m));
}

// Writes one record of T, then overwrites the u64 at payload offset `at` with `value`.
template <class T>
void forge_size_prefix(const fs::path& dir, const T& value_record, std::size_t at, std::uint64_t value) {
  write_checkpoint<T>(dir, {{value_record}});
  const auto m = *st::try_read_manifest(dir);
  const auto path = dir / m.partitions[0].file;
  auto bytes = read_bytes(path);
  std::memcpy(bytes.data() + st::format::partition_header_size + at, &value, 8);
  write_bytes(path, bytes);
  refresh_checksums(dir, 0);
}

}  // namespace

TEST_CASE("storage corruption: every prefix of every file is 'truncated'", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto content = small_content();
  const auto m = write_checkpoint(dir, content);
  std::size_t cases = 0;
  for (const auto& file : checkpoint_files(dir, m)) {
    const auto original = read_bytes(file);
    for (std::size_t length = 0; length < original.size(); ++length) {
      INFO(file.filename() << " cut to " << length << " of " << original.size() << " bytes");
      write_bytes(file, std::vector<std::byte>(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(length)));
      REQUIRE(load_error<record>(dir) == checkpoint_errc::truncated);
      ++cases;
    }
    write_bytes(file, original);
  }
  CHECK(load_checkpoint<record>(dir) == content);
  CHECK(cases > 300);
}

TEST_CASE("storage corruption: every bit of the manifest", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto content = small_content();
  write_checkpoint(dir, content);
  const auto original = read_bytes(dir / "MANIFEST");
  for (std::size_t bit = 0; bit < original.size() * 8; ++bit) {
    INFO("manifest bit " << bit);
    auto bytes = original;
    bytes[bit / 8] ^= std::byte(1u << (bit % 8));
    write_bytes(dir / "MANIFEST", bytes);
    REQUIRE(load_error<record>(dir));
  }
  write_bytes(dir / "MANIFEST", original);
  CHECK(load_checkpoint<record>(dir) == content);
}

TEST_CASE("storage corruption: every bit of the partition headers and trailers", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto content = small_content();
  const auto m = write_checkpoint(dir, content);
  for (const auto& p : m.partitions) {
    const auto path = dir / p.file;
    const auto original = read_bytes(path);
    std::vector<std::size_t> framing;
    for (std::size_t i = 0; i < st::format::partition_header_size; ++i) framing.push_back(i);
    for (std::size_t i = original.size() - st::format::partition_trailer_size; i < original.size(); ++i) {
      framing.push_back(i);
    }
    for (const std::size_t byte : framing) {
      for (unsigned bit = 0; bit < 8; ++bit) {
        INFO(p.file << " byte " << byte << " bit " << bit);
        auto bytes = original;
        bytes[byte] ^= std::byte(1u << bit);
        write_bytes(path, bytes);
        REQUIRE(load_error<record>(dir));
      }
    }
    write_bytes(path, original);
  }
  CHECK(load_checkpoint<record>(dir) == content);
}

TEST_CASE("storage corruption: thousands of random payload bits are checksum mismatches", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  partitions<record> content(1);
  for (int i = 0; i < 200; ++i) content[0].push_back({i, {{std::string(static_cast<std::size_t>(i % 7), 'x'), {1, 2, 3}}}});
  const auto m = write_checkpoint(dir, content);
  const auto path = dir / m.partitions[0].file;
  const auto original = read_bytes(path);
  const std::size_t payload_bits = (original.size() - st::format::partition_overhead) * 8;
  std::mt19937_64 random(20240611);
  for (int i = 0; i < 3000; ++i) {
    const std::size_t bit = random() % payload_bits;
    INFO("payload bit " << bit);
    auto bytes = original;
    bytes[st::format::partition_header_size + bit / 8] ^= std::byte(1u << (bit % 8));
    write_bytes(path, bytes);
    REQUIRE(load_error<record>(dir) == checkpoint_errc::checksum_mismatch);
  }
  write_bytes(path, original);
  CHECK(load_checkpoint<record>(dir) == content);
}

TEST_CASE("storage corruption: huge size prefixes with valid checksums are errors, not allocations", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  for (const std::uint64_t huge : {std::uint64_t{1} << 40, std::uint64_t{1} << 33}) {
    INFO("size prefix " << huge);
    // A vector of doubles: cereal would resize to huge elements (8 * 2^33 bytes) before reading.
    forge_size_prefix<std::vector<double>>(dir, {1.0, 2.0, 3.0}, 0, huge);
    CHECK_NOTHROW(st::verify(dir));  // the framing is intact: only the decoder can tell
    CHECK(load_error<std::vector<double>>(dir) == checkpoint_errc::type_mismatch);
    // A string.
    forge_size_prefix<std::string>(dir, "abc", 0, huge);
    CHECK(load_error<std::string>(dir) == checkpoint_errc::type_mismatch);
    // An inner container: the vector inside the second pair of a vector of pairs.
    using nested = std::vector<std::pair<int, std::vector<std::uint8_t>>>;
    forge_size_prefix<nested>(dir, {{1, {9}}, {2, {8, 7}}}, 8 + 4 + 8 + 1 + 4, huge);
    CHECK(load_error<nested>(dir) == checkpoint_errc::type_mismatch);
    // A map.
    forge_size_prefix<std::map<int, int>>(dir, {{1, 2}}, 0, huge);
    CHECK(load_error<std::map<int, int>>(dir) == checkpoint_errc::type_mismatch);
  }
  // The forged nested file was the right place to edit: the unedited one loads.
  using nested = std::vector<std::pair<int, std::vector<std::uint8_t>>>;
  forge_size_prefix<nested>(dir, {{1, {9}}, {2, {8, 7}}}, 8 + 4 + 8 + 1 + 4, 2);
  CHECK(load_checkpoint<nested>(dir) == partitions<nested>{{{{1, {9}}, {2, {8, 7}}}}});
}

TEST_CASE("storage corruption: a bool other than 0 or 1 and trailing bytes are refused", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_checkpoint<std::optional<int>>(dir, {{std::optional<int>(5)}});
  auto m = *st::try_read_manifest(dir);
  auto bytes = read_bytes(dir / m.partitions[0].file);
  bytes[st::format::partition_header_size] = std::byte{2};  // the optional's "engaged" flag
  write_bytes(dir / m.partitions[0].file, bytes);
  refresh_checksums(dir, 0);
  CHECK(load_error<std::optional<int>>(dir) == checkpoint_errc::type_mismatch);

  // A variant whose index is out of range.
  write_checkpoint<std::variant<int, double>>(dir, {{std::variant<int, double>(1)}});
  m = *st::try_read_manifest(dir);
  bytes = read_bytes(dir / m.partitions[0].file);
  bytes[st::format::partition_header_size] = std::byte{7};
  write_bytes(dir / m.partitions[0].file, bytes);
  refresh_checksums(dir, 0);
  CHECK(load_error<std::variant<int, double>>(dir) == checkpoint_errc::type_mismatch);
}
