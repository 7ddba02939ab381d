#pragma once
// The checkpoint reader's fuzzing entry point, shared by the libFuzzer target (clang only) and
// the corpus replay test (every compiler).
//
// Input: byte 0 selects the mode (bit 0, and bit 7 if bit 0 is set) and the element type (bits
// 1-6, modulo the number of types); the bytes after it are, by mode:
//   files:   u32 n, then n bytes of MANIFEST, then any number of (u32 n, n bytes) partition files,
//            placed where the manifest (if it decodes) says partitions 0, 1, ... live.
//   payload: u16 record count, then a partition payload; the entry point frames it as a valid
//            partition (header, trailer, checksum) with a valid manifest, so the bytes reach the
//            decoder (bounded_input_archive and cereal) instead of stopping at a checksum.
//   repeat:  u16 record count, u32 r, u32 z, u8 h, then h bytes of head and the rest, a pattern:
//            the payload is head + r x pattern + z zero bytes (at most repeat_payload_limit),
//            framed as in payload mode. Small inputs make the large, regular payloads that deep
//            nesting or size prefixes claiming much of the payload need.
// Either way the checkpoint is verified and loaded through an in-memory file system. The only
// acceptable failure is lineage::checkpoint_error; anything else (another exception, a crash,
// a sanitizer report, an allocation beyond the limit) is a finding.
//
// With expect_valid() set (the replay's --expect-valid), checkpoint_error escapes too: the seed
// corpus (real checkpoints, made by make_corpus.cpp) must load without any error, so that a
// format change that would leave the corpus stale fails its test.
#include <lineage/storage/checkpoint_io.hpp>
#include <lineage/storage/testing/memory_file_system.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <memory>
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

// Recursive types: through std::vector, std::unique_ptr (a list) and std::map. The reader
// bounds their nesting (storage::max_nesting_depth).
struct tree {
  int value = 0;
  std::vector<tree> kids;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(value, kids);
  }
  friend bool operator==(const tree&, const tree&) = default;
};

struct list {
  std::string value;
  std::unique_ptr<list> next;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(value, next);
  }
};

struct map_tree {
  std::map<std::string, map_tree> kids;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(kids);
  }
};

// An element that serializes to zero bytes: in containers, the reader bounds how many of them
// the size prefixes may claim (the payload's length in all).
struct empty {
  friend bool operator==(const empty&, const empty&) = default;
  friend bool operator<(const empty&, const empty&) { return false; }
};

}  // namespace lineage_fuzz

CEREAL_CLASS_VERSION(lineage_fuzz::versioned_record, 2);

namespace lineage_fuzz {

// New types go at the end: byte 0 of the corpus's inputs selects a type by its index.
using type_list = std::tuple<int, double, std::string, std::pair<int, std::string>, std::vector<std::uint16_t>,
                             std::map<std::string, std::vector<double>>,
                             std::tuple<std::optional<int>, std::variant<int, std::string, double>, bool>,
                             versioned_record, std::vector<std::vector<std::string>>,
                             std::unordered_map<int, std::set<std::string>>, std::deque<char>,
                             // 11-: nested, recursive, set/map and zero-byte element types
                             std::vector<std::vector<std::vector<std::int32_t>>>, tree, list, map_tree,
                             std::set<std::pair<int, std::string>>, std::multimap<std::string, std::multiset<int>>,
                             std::vector<std::vector<empty>>, std::vector<std::set<empty>>,
                             std::pair<std::vector<std::map<empty, std::list<empty>>>, std::string>>;
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
LINEAGE_FUZZ_FINGERPRINT(11)
LINEAGE_FUZZ_FINGERPRINT(12)
LINEAGE_FUZZ_FINGERPRINT(13)
LINEAGE_FUZZ_FINGERPRINT(14)
LINEAGE_FUZZ_FINGERPRINT(15)
LINEAGE_FUZZ_FINGERPRINT(16)
LINEAGE_FUZZ_FINGERPRINT(17)
LINEAGE_FUZZ_FINGERPRINT(18)
LINEAGE_FUZZ_FINGERPRINT(19)
#undef LINEAGE_FUZZ_FINGERPRINT
static_assert(lineage_fuzz::type_count == 20, "one LINEAGE_FUZZ_FINGERPRINT per type");
static_assert(lineage_fuzz::type_count <= 64, "the selector byte has 6 bits for the type");

namespace lineage_fuzz {

inline const std::filesystem::path& checkpoint_dir() {
  static const std::filesystem::path dir = "/fuzz/ckpt";
  return dir;
}

// Whether a checkpoint_error is a finding (the seed corpus) or an expected refusal (fuzz inputs).
inline bool& expect_valid() {
  static bool value = false;
  return value;
}

#define LINEAGE_FUZZ_EXPECTED_ERROR(statement)  \
  try {                                         \
    statement                                   \
  } catch (const lineage::checkpoint_error&) {  \
    if (::lineage_fuzz::expect_valid()) throw;  \
  }

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

// Frames `payload` as partition 0 (`records` records) of a valid checkpoint and loads it.
template <class T>
void load_payload(std::uint16_t records, std::span<const std::byte> payload) {
  namespace st = lineage::storage;
  namespace format = st::format;
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

template <class T>
void run_payload(std::span<const std::byte> in) {
  if (in.size() < 2) return;
  std::uint16_t records = 0;
  std::memcpy(&records, in.data(), 2);
  load_payload<T>(records, in.subspan(2));
}

inline constexpr std::size_t repeat_payload_limit = std::size_t{8} << 20;

template <class T>
void run_repeat(std::span<const std::byte> in) {
  if (in.size() < 11) return;
  std::uint16_t records = 0;
  std::uint32_t repetitions = 0;
  std::uint32_t zeros = 0;
  std::memcpy(&records, in.data(), 2);
  std::memcpy(&repetitions, in.data() + 2, 4);
  std::memcpy(&zeros, in.data() + 6, 4);
  const std::size_t head_size = std::min(static_cast<std::size_t>(in[10]), in.size() - 11);
  const auto head = in.subspan(11, head_size);
  const auto pattern = in.subspan(11 + head_size);
  const std::uint64_t size =
      head.size() + std::uint64_t{repetitions} * (pattern.empty() ? 0 : pattern.size()) + std::uint64_t{zeros};
  if (size > repeat_payload_limit) return;
  std::vector<std::byte> payload;
  payload.reserve(static_cast<std::size_t>(size));
  payload.insert(payload.end(), head.begin(), head.end());
  if (!pattern.empty()) {
    for (std::uint32_t i = 0; i < repetitions; ++i) payload.insert(payload.end(), pattern.begin(), pattern.end());
  }
  payload.resize(static_cast<std::size_t>(size), std::byte{0});
  load_payload<T>(records, payload);
}

enum class mode { files, payload, repeat };

template <std::size_t I = 0>
void dispatch(std::size_t type, mode how, std::span<const std::byte> in) {
  if constexpr (I < type_count) {
    if (type == I) {
      using T = std::tuple_element_t<I, type_list>;
      switch (how) {
        case mode::files: run_files<T>(in); break;
        case mode::payload: run_payload<T>(in); break;
        case mode::repeat: run_repeat<T>(in); break;
      }
      return;
    }
    dispatch<I + 1>(type, how, in);
  }
}

// The selector byte of an input of `how` for type_list's type `type` (type < 64).
constexpr std::uint8_t selector_of(std::size_t type, mode how) {
  const auto bits = how == mode::files ? 0u : how == mode::payload ? 1u : 0x81u;
  return static_cast<std::uint8_t>((type << 1) | bits);
}

inline int fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto selector = data[0];
  const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  const mode how = (selector & 1) == 0 ? mode::files : (selector & 0x80) == 0 ? mode::payload : mode::repeat;
  dispatch(((selector >> 1) & 0x3f) % type_count, how, in);
  return 0;
}

}  // namespace lineage_fuzz
