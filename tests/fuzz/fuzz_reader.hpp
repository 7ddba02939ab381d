#pragma once
// The checkpoint reader's fuzzing entry point, shared by the libFuzzer target (clang only) and
// the corpus replay test (every compiler).
//
// Input: byte 0 selects the mode (bit 0) and the element type (the rest, modulo the number of
// types); the bytes after it are, by mode:
//   files:   u32 n, then n bytes of MANIFEST, then any number of (u32 n, n bytes) partition files,
//            placed where the manifest (if it decodes) says partitions 0, 1, ... live.
//   payload: u16 record count, then a partition payload; the entry point frames it as a valid
//            partition (header, trailer, checksum) with a valid manifest, so the bytes reach the
//            decoder (bounded_input_archive and cereal) instead of stopping at a checksum.
// Either way the checkpoint is verified and loaded through an in-memory file system. The only
// acceptable failure is lineage::checkpoint_error; anything else (another exception, a crash,
// a sanitizer report, an allocation beyond the limit) is a finding.
//
// With LINEAGE_FUZZ_EXPECT_VALID defined, checkpoint_error escapes too: the seed corpus (real
// checkpoints, made by make_corpus.cpp) must load without any error, so that a format change
// that would leave the corpus stale fails its test.
#include <lineage/storage/checkpoint_io.hpp>
#include <lineage/storage/testing/memory_file_system.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace lineage_fuzz {

struct versioned_record {
  int id = 0;
  std::string name;
  std::vector<std::pair<int, bool>> flags;
  std::optional<double> score;  // since version 2
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const version) {
    ar(id, name, flags);
    if (version >= 2) ar(score);
  }
  friend bool operator==(const versioned_record&, const versioned_record&) = default;
};

}  // namespace lineage_fuzz

CEREAL_CLASS_VERSION(lineage_fuzz::versioned_record, 2);

namespace lineage_fuzz {

using type_list = std::tuple<int, double, std::string, std::pair<int, std::string>, std::vector<std::uint16_t>,
                             std::map<std::string, std::vector<double>>,
                             std::tuple<std::optional<int>, std::variant<int, std::string, double>, bool>,
                             versioned_record, std::vector<std::vector<std::string>>,
                             std::unordered_map<int, std::set<std::string>>, std::deque<char>>;
inline constexpr std::size_t type_count = std::tuple_size_v<type_list>;

}  // namespace lineage_fuzz

// Fixed element-type fingerprints, so that the seed corpus made by one compiler's build loads in
// another's (the compilers spell some type names differently).
#define LINEAGE_FUZZ_FINGERPRINT(I)                                                      \
  template <>                                                                            \
  struct lineage::storage::type_fingerprint<std::tuple_element_t<I, lineage_fuzz::type_list>> { \
    static std::string name() { return "lineage_fuzz::type" #I; }                       \
  };
LINEAGE_FUZZ_FINGERPRINT(0)
LINEAGE_FUZZ_FINGERPRINT(1)
LINEAGE_FUZZ_FINGERPRINT(2)
LINEAGE_FUZZ_FINGERPRINT(3)
LINEAGE_FUZZ_FINGERPRINT(4)
LINEAGE_FUZZ_FINGERPRINT(5)
LINEAGE_FUZZ_FINGERPRINT(6)
LINEAGE_FUZZ_FINGERPRINT(7)
LINEAGE_FUZZ_FINGERPRINT(8)
LINEAGE_FUZZ_FINGERPRINT(9)
LINEAGE_FUZZ_FINGERPRINT(10)
#undef LINEAGE_FUZZ_FINGERPRINT
static_assert(lineage_fuzz::type_count == 11, "one LINEAGE_FUZZ_FINGERPRINT per type");

namespace lineage_fuzz {

inline const std::filesystem::path& checkpoint_dir() {
  static const std::filesystem::path dir = "/fuzz/ckpt";
  return dir;
}

#if defined(LINEAGE_FUZZ_EXPECT_VALID)
#  define LINEAGE_FUZZ_EXPECTED_ERROR(statement) statement
#else
#  define LINEAGE_FUZZ_EXPECTED_ERROR(statement) \
    try {                                       \
      statement                                 \
    } catch (const lineage::checkpoint_error&) { \
    }
#endif

template <class T>
void load_everything(lineage::storage::file_system& fs) {
  namespace st = lineage::storage;
  LINEAGE_FUZZ_EXPECTED_ERROR(st::verify(checkpoint_dir(), fs);)
  const auto m = st::read_manifest<T>(checkpoint_dir(), fs);
  for (std::size_t i = 0; i < m.partitions.size(); ++i) (void)st::load_partition<T>(checkpoint_dir(), m, i, fs);
}

template <class T>
void run_files(std::span<const std::byte> in) {
  namespace st = lineage::storage;
  st::testing::memory_file_system fs;
  fs.put_directory(checkpoint_dir());
  const auto take = [&in]() -> std::optional<std::span<const std::byte>> {
    if (in.size() < 4) return std::nullopt;
    std::uint32_t n = 0;
    std::memcpy(&n, in.data(), 4);
    in = in.subspan(4);
    if (n > in.size()) n = static_cast<std::uint32_t>(in.size());
    const auto piece = in.first(n);
    in = in.subspan(n);
    return piece;
  };
  const auto manifest_bytes = take();
  if (!manifest_bytes) return;
  fs.put(checkpoint_dir() / "MANIFEST", *manifest_bytes);
  LINEAGE_FUZZ_EXPECTED_ERROR(
    const auto m = st::try_read_manifest(checkpoint_dir(), fs);
    if (m) {
      for (std::size_t i = 0; i < m->partitions.size(); ++i) {
        const auto part = take();
        if (!part) break;
        const auto path = checkpoint_dir() / m->partitions[i].file;
        fs.put_directory(path.parent_path());
        fs.put(path, *part);
      }
    }
    load_everything<T>(fs);
  )
}

template <class T>
void run_payload(std::span<const std::byte> in) {
  namespace st = lineage::storage;
  namespace format = st::format;
  if (in.size() < 2) return;
  std::uint16_t records = 0;
  std::memcpy(&records, in.data(), 2);
  const auto payload = in.subspan(2);

  st::manifest m;
  m.generation = 1;
  m.element_type = st::element_type_name<T>();
  m.partitioner = "none";
  const std::uint64_t checksum = XXH3_64bits(payload.data(), payload.size());
  m.partitions.push_back({format::partition_file_name(1, 0), records, payload.size() + format::partition_overhead, checksum});
  m.content_id = format::compute_content_id(m.partitions);

  std::vector<std::byte> file;
  const auto header = format::encode_partition_header(1, 0);
  const auto trailer = format::encode_partition_trailer(records, payload.size(), checksum);
  file.insert(file.end(), header.begin(), header.end());
  file.insert(file.end(), payload.begin(), payload.end());
  file.insert(file.end(), trailer.begin(), trailer.end());

  st::testing::memory_file_system fs;
  fs.put_directory(checkpoint_dir() / "g1");
  fs.put(checkpoint_dir() / "MANIFEST", format::encode_manifest(m));
  fs.put(checkpoint_dir() / m.partitions[0].file, file);
  LINEAGE_FUZZ_EXPECTED_ERROR(load_everything<T>(fs);)
}

template <std::size_t I = 0>
void dispatch(std::size_t type, bool payload_mode, std::span<const std::byte> in) {
  if constexpr (I < type_count) {
    if (type == I) {
      using T = std::tuple_element_t<I, type_list>;
      if (payload_mode) {
        run_payload<T>(in);
      } else {
        run_files<T>(in);
      }
      return;
    }
    dispatch<I + 1>(type, payload_mode, in);
  }
}

inline int fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto selector = data[0];
  const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  dispatch((selector >> 1) % type_count, (selector & 1) != 0, in);
  return 0;
}

}  // namespace lineage_fuzz
