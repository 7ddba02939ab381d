// SPDX-License-Identifier: Apache-2.0
#pragma once
// The on-disk format of a checkpoint directory: manifest format version 3 (versions 1 and 2 are
// still read), partition file format versions 1 and 2 (compressed).
//
//   dir/LOCK                 lock file (flock), held by a writer for its lifetime
//   dir/MANIFEST             the commit point: names the current generation's partition files
//   dir/MANIFEST.tmp         a manifest being written (removed by the next writer if it crashed)
//   dir/g<G>/GENERATION      marker written into g<G> before anything else: magic "LNGGENER"
//                            and u64 G. It proves that lineage created the directory; nothing
//                            is ever deleted from a g<G> that lacks it, except partition files
//                            whose own header names generation G (what version 1 wrote)
//   dir/g<G>/part-<IIIII>    partition I of generation G (decimal; I zero-padded to 5 digits)
//   G is in [1, max_generation]; a g<digits> name outside that range is not a generation.
//
// All integers are in the writer's native byte order; an endianness mark (0x01020304) lets a
// reader of the other byte order report format_version instead of misreading.
//
// MANIFEST:
//   [0,8)    magic "LNGMNFST"
//   [8,12)   u32 endianness mark
//   [12,16)  u32 manifest format version (3; 1 and 2 are still read)
//   [16,24)  u64 body length B
//   [24,24+B) body (str = u32 length + bytes), version 3: the version 2 body, then
//            u64 created (milliseconds since 1970-01-01 UTC; 0: unknown),
//            u64 source_identity (what the lineage read: checkpoint.hpp; 0: not identified),
//            str lineage (ln::explain of the upstream, <= max_lineage_text bytes),
//            u32 operator count N (<= max_operators),
//            N x { str kind ("source", "narrow" or "wide"), str name (<= max_operator_name),
//                  str input, str output (element type names, <= max_operator_type each; empty
//                  input for a source), u32 level (0: main line; n: inside n extra inputs) }
//            in the order the plan runs them (plan/lineage_description.hpp);
//          version 2:
//            u64 generation, str element_type,
//            u64 schema_hash, u64 class_versions_hash, str schema_text (<= max_schema_text bytes),
//            u64 signature, str version, u64 content_id, str partitioner,
//            u64 partition count P, P x { str file, u64 records, u64 bytes, u64 checksum },
//            u32 metadata count M (<= max_metadata_entries),
//            M x { str key (1..max_metadata_key bytes, no two alike), str value (<= max_metadata_value) }
//          version 1: the same without the schema fields and without the metadata (M and after):
//            u64 generation, str element_type, u64 signature, str version, u64 content_id,
//            str partitioner, u64 P, P x { ... }
//   [24+B, 32+B) u64 XXH3-64 of bytes [0, 24+B)
//   The schema (schema.hpp): schema_hash = schema_of<T>().hash, class_versions_hash =
//   schema_of<T>().class_versions_hash, schema_text = schema_of<T>().text (for messages only).
//   An empty schema_text means no schema was recorded (then both hashes are 0): a version 1
//   manifest, or a writer that committed without knowing the element type; such a checkpoint is
//   matched by its element type name alone. Metadata: the user's key/value strings
//   (checkpoint_options::metadata); lineage does not interpret them. The version 3 fields say
//   what produced the data (ln::explain of a recovered checkpoint shows the lineage text) and
//   let a signature mismatch say what changed (plan/signature_diff.hpp).
//   Every count and length is checked against the bytes left before anything is allocated.
//
// Partition file (bytes = 56 + L):
//   [0,8)    magic "LNGPARTN"
//   [8,12)   u32 endianness mark
//   [12,16)  u32 partition format version (1)
//   [16,24)  u64 generation
//   [24,32)  u64 partition index
//   [32,32+L) payload: the records, each encoded by cereal (binary) through lineage's archive,
//            concatenated; a cereal class version is written before a type's first record.
//   trailer: u64 record count, u64 payload length L, u64 XXH3-64 of the payload
//   The count and length sit in the trailer so that a file is written in one streaming pass.
//   The payload checksum is also in the manifest, and equals content_hash() of the records.
//   Invariant (the writer refuses data that breaks it, the reader rejects files that do): the
//   record count is at most L, and every cereal size prefix is at most the payload bytes after it.
//
// content_id = XXH3-64 of (u64 P, then per partition u64 records, u64 checksum).
#include <lineage/storage/archive.hpp>
#include <lineage/storage/error.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lineage::storage {

// The manifest's format version (what this build writes; it reads every version from
// oldest_manifest_format_version on) and the partition files': version 1 holds the payload as
// written, version 2 the same header and trailer around one zstd frame of it (compression.hpp).
inline constexpr std::uint32_t manifest_format_version = 3;
inline constexpr std::uint32_t oldest_manifest_format_version = 1;
inline constexpr std::uint32_t partition_format_version = 1;
inline constexpr std::uint32_t compressed_partition_format_version = 2;
inline constexpr std::uint32_t newest_partition_format_version = compressed_partition_format_version;
// How many times its stored size a compressed payload may expand: more than zstd's format
// allows (an RLE block turns 4 bytes into 128 KiB). Bounds the record count a manifest may
// claim for a partition file, and the output of decompressing one.
inline constexpr std::uint64_t max_expansion = std::uint64_t{1} << 16;
// The manifest's, as before the two were separate.
inline constexpr std::uint32_t current_format_version = manifest_format_version;

// Free-form key/value metadata stored in a manifest (format version 2), in the writer's order.
using metadata_list = std::vector<std::pair<std::string, std::string>>;

struct partition_info {
  std::string file;  // relative to the checkpoint directory, e.g. "g3/part-00001"
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;     // size of the whole file
  std::uint64_t checksum = 0;  // XXH3-64 of the payload

  friend bool operator==(const partition_info&, const partition_info&) = default;
};

// One step of the lineage that produced a checkpoint, as its manifest records it (version 3).
struct operator_entry {
  std::string kind;    // "source", "narrow" (fused into a stage) or "wide" (ends a stage)
  std::string name;    // "map", "reduce_by_key", ...; "source" for a source
  std::string input;   // element type name it receives (empty for a source)
  std::string output;  // element type name it produces
  std::uint32_t level = 0;  // 0: the main line; n: inside n nested extra inputs (a join's right side)

  friend bool operator==(const operator_entry&, const operator_entry&) = default;
};

// What a manifest says about the lineage that produced its data (format version 3).
struct provenance {
  std::string lineage;                   // ln::explain of the upstream
  std::uint64_t source_identity = 0;     // the content identity of what the lineage read
  std::vector<operator_entry> operators;  // in the order the plan runs them

  friend bool operator==(const provenance&, const provenance&) = default;
};

struct manifest {
  std::uint32_t format_version = manifest_format_version;
  std::string element_type;
  std::uint64_t schema_hash = 0;          // schema_of<T>().hash; 0 without a schema
  std::uint64_t class_versions_hash = 0;  // schema_of<T>().class_versions_hash; 0 without a schema
  std::string schema_text;                // schema_of<T>().text; empty: no schema recorded
  std::uint64_t signature = 0;
  std::string version;
  std::uint64_t content_id = 0;  // hash over the partitions' checksums
  std::string partitioner;       // opaque to storage, e.g. "none" or "hash:8"
  std::vector<partition_info> partitions;
  std::uint64_t generation = 0;  // the writer's generation number (g<generation>/)
  metadata_list metadata;        // format version 2; empty in a version 1 manifest
  // Format version 3; 0, empty and empty in older manifests.
  std::uint64_t created = 0;     // milliseconds since 1970-01-01 UTC
  provenance from;               // the lineage that produced the data

  // False for a version 1 manifest (and one committed without an element type's schema).
  bool has_schema() const noexcept { return !schema_text.empty(); }

  std::uint64_t total_records() const noexcept {
    std::uint64_t total = 0;
    for (const auto& p : partitions) total += p.records;
    return total;
  }
  std::uint64_t total_bytes() const noexcept {
    std::uint64_t total = 0;
    for (const auto& p : partitions) total += p.bytes;
    return total;
  }

  friend bool operator==(const manifest&, const manifest&) = default;
};

namespace format {

inline constexpr std::array<char, 8> manifest_magic{'L', 'N', 'G', 'M', 'N', 'F', 'S', 'T'};
inline constexpr std::array<char, 8> partition_magic{'L', 'N', 'G', 'P', 'A', 'R', 'T', 'N'};
inline constexpr std::uint32_t endian_mark = 0x01020304u;
inline constexpr std::uint32_t swapped_endian_mark = 0x04030201u;
inline constexpr std::size_t manifest_header_size = 24;
inline constexpr std::size_t manifest_trailer_size = 8;
inline constexpr std::size_t partition_header_size = 32;
inline constexpr std::size_t partition_trailer_size = 24;
inline constexpr std::size_t partition_overhead = partition_header_size + partition_trailer_size;

inline constexpr std::string_view manifest_name = "MANIFEST";
inline constexpr std::string_view manifest_temp_name = "MANIFEST.tmp";
inline constexpr std::string_view lock_name = "LOCK";
inline constexpr std::string_view generation_marker_name = "GENERATION";
inline constexpr std::array<char, 8> generation_marker_magic{'L', 'N', 'G', 'G', 'E', 'N', 'E', 'R'};
inline constexpr std::size_t generation_marker_size = 16;

// Generation numbers stay far below the point where `G + 1` could wrap: a stray directory or a
// forged manifest with an absurd number is ignored (directory) or rejected (manifest), so the
// next writer never commits a generation that readers refuse. 2^48 commits at one per
// microsecond take nine years.
inline constexpr std::uint64_t max_generation = std::uint64_t{1} << 48;

// A manifest names every partition in ~40 bytes: 64 MiB is over a million partitions. Anything
// larger is not read (a sparse or foreign file of any apparent size costs nothing).
inline constexpr std::uint64_t max_manifest_size = std::uint64_t{64} << 20;

// Bounds of the version 2 fields (a writer refuses more, a reader rejects more as malformed).
// schema_of's text is at most 256 bytes; the room above it is for later versions of it.
inline constexpr std::size_t max_schema_text = 1024;
inline constexpr std::size_t max_metadata_entries = 1024;
inline constexpr std::size_t max_metadata_key = 256;
inline constexpr std::size_t max_metadata_value = std::size_t{64} << 10;
// Bounds of the version 3 fields. A writer cuts the lineage text and the operator list to them
// (bounded_provenance), so a comparison with a stored list cuts the current one the same way.
inline constexpr std::size_t max_lineage_text = std::size_t{16} << 10;
inline constexpr std::size_t max_operators = 256;
inline constexpr std::size_t max_operator_kind = 16;
inline constexpr std::size_t max_operator_name = 256;
inline constexpr std::size_t max_operator_type = 1024;
inline constexpr std::uint32_t max_operator_level = 1024;

inline std::string generation_directory_name(std::uint64_t generation) {
  return lineage::detail::cat("g", generation);
}

inline std::string partition_file_name(std::uint64_t generation, std::uint64_t index) {
  std::string digits = std::to_string(index);
  const std::string padding(digits.size() < 5 ? 5 - digits.size() : 0, '0');
  return lineage::detail::cat("g", generation, "/part-", padding, digits);
}

// "g<digits>" -> the generation number.
inline std::optional<std::uint64_t> parse_generation_directory(std::string_view name) {
  if (name.size() < 2 || name.front() != 'g' || name[1] == '0') return std::nullopt;
  std::uint64_t value = 0;
  const auto* first = name.data() + 1;
  const auto* last = name.data() + name.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || end != last || value > max_generation) return std::nullopt;
  return value;
}

// "part-<digits>": the name of a partition file inside a generation directory.
inline bool is_partition_file_name(std::string_view name) {
  constexpr std::string_view prefix = "part-";
  if (name.size() < prefix.size() + 5 || name.substr(0, prefix.size()) != prefix) return false;
  return std::all_of(name.begin() + prefix.size(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

inline std::array<std::byte, generation_marker_size> encode_generation_marker(std::uint64_t generation) {
  std::array<std::byte, generation_marker_size> marker{};
  std::memcpy(marker.data(), generation_marker_magic.data(), generation_marker_magic.size());
  std::memcpy(marker.data() + 8, &generation, 8);
  return marker;
}

// Native-order integer (de)serialization helpers.
class byte_writer {
 public:
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::byte*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  void u32(std::uint32_t value) { bytes(&value, sizeof value); }
  void u64(std::uint64_t value) { bytes(&value, sizeof value); }
  void str(std::string_view value) {
    u32(static_cast<std::uint32_t>(value.size()));
    bytes(value.data(), value.size());
  }
  std::vector<std::byte>& data() noexcept { return out_; }

 private:
  std::vector<std::byte> out_;
};

class byte_reader {
 public:
  explicit byte_reader(std::span<const std::byte> in) noexcept : in_(in) {}
  std::size_t remaining() const noexcept { return in_.size() - at_; }
  bool bytes(void* out, std::size_t size) noexcept {
    if (size > remaining()) return false;
    if (size != 0) std::memcpy(out, in_.data() + at_, size);
    at_ += size;
    return true;
  }
  bool u32(std::uint32_t& value) noexcept { return bytes(&value, sizeof value); }
  bool u64(std::uint64_t& value) noexcept { return bytes(&value, sizeof value); }
  // A u32 length and that many bytes; false if they run past the end or exceed `limit`.
  bool str(std::string& value, std::size_t limit = std::numeric_limits<std::uint32_t>::max()) {
    std::uint32_t size = 0;
    if (!u32(size) || size > remaining() || size > limit) return false;
    value.assign(reinterpret_cast<const char*>(in_.data() + at_), size);
    at_ += size;
    return true;
  }

 private:
  std::span<const std::byte> in_;
  std::size_t at_ = 0;
};

inline std::uint32_t load_u32(const std::byte* p) noexcept {
  std::uint32_t value = 0;
  std::memcpy(&value, p, sizeof value);
  return value;
}

inline std::uint64_t load_u64(const std::byte* p) noexcept {
  std::uint64_t value = 0;
  std::memcpy(&value, p, sizeof value);
  return value;
}

// True if `bytes` could be the start of `magic` (a file cut inside its magic).
inline bool is_prefix_of_magic(std::span<const std::byte> bytes, const std::array<char, 8>& magic) noexcept {
  const std::size_t n = std::min(bytes.size(), magic.size());
  return n == 0 || std::memcmp(bytes.data(), magic.data(), n) == 0;
}

inline std::uint64_t compute_content_id(const std::vector<partition_info>& partitions) {
  byte_writer w;
  w.u64(partitions.size());
  for (const auto& p : partitions) {
    w.u64(p.records);
    w.u64(p.checksum);
  }
  return detail::xxh3(w.data().data(), w.data().size());
}

// What is wrong with a manifest's version 2 fields, or nullopt if nothing is (both sides use it).
inline std::optional<std::string> invalid_v2_fields(const manifest& m) {
  if (m.schema_text.size() > max_schema_text) {
    return lineage::detail::cat("schema text of ", m.schema_text.size(), " bytes (at most ", max_schema_text, ")");
  }
  if (m.schema_text.empty() && (m.schema_hash != 0 || m.class_versions_hash != 0)) {
    return std::string("schema hashes without a schema text");
  }
  if (m.metadata.size() > max_metadata_entries) {
    return lineage::detail::cat(m.metadata.size(), " metadata entries (at most ", max_metadata_entries, ")");
  }
  std::vector<std::string_view> keys;
  keys.reserve(m.metadata.size());
  for (const auto& [key, value] : m.metadata) {
    if (key.empty() || key.size() > max_metadata_key) {
      return lineage::detail::cat("a metadata key of ", key.size(), " bytes (1 to ", max_metadata_key, ")");
    }
    if (value.size() > max_metadata_value) {
      return lineage::detail::cat("metadata value of '", key, "' has ", value.size(), " bytes (at most ",
                                  max_metadata_value, ")");
    }
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  if (const auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end()) {
    return lineage::detail::cat("metadata key '", *twice, "' given twice");
  }
  return std::nullopt;
}

// `text` cut to at most `limit` bytes, at a UTF-8 character boundary, ending in "..." if cut.
inline std::string cut_text(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  constexpr std::string_view ellipsis = "...";
  if (limit < ellipsis.size()) return std::string(limit, '.');
  std::size_t end = limit - ellipsis.size();
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // continuation byte
  std::string out(text.substr(0, end));
  out += ellipsis;
  return out;
}

inline bool known_operator_kind(std::string_view kind) {
  return kind == "source" || kind == "narrow" || kind == "wide";
}

// The provenance a writer stores: every text cut to its bound, at most max_operators entries.
inline provenance bounded_provenance(provenance p) {
  p.lineage = cut_text(p.lineage, max_lineage_text);
  if (p.operators.size() > max_operators) p.operators.resize(max_operators);
  for (auto& op : p.operators) {
    op.kind = cut_text(op.kind, max_operator_kind);
    op.name = cut_text(op.name, max_operator_name);
    op.input = cut_text(op.input, max_operator_type);
    op.output = cut_text(op.output, max_operator_type);
    op.level = std::min(op.level, max_operator_level);
  }
  return p;
}

// What is wrong with a manifest's version 3 fields, or nullopt if nothing is.
inline std::optional<std::string> invalid_v3_fields(const manifest& m) {
  if (m.from.lineage.size() > max_lineage_text) {
    return lineage::detail::cat("lineage text of ", m.from.lineage.size(), " bytes (at most ", max_lineage_text, ")");
  }
  if (m.from.operators.size() > max_operators) {
    return lineage::detail::cat(m.from.operators.size(), " operator entries (at most ", max_operators, ")");
  }
  for (const auto& op : m.from.operators) {
    if (!known_operator_kind(op.kind)) return std::string("an operator entry of unknown kind");
    if (op.name.size() > max_operator_name || op.input.size() > max_operator_type ||
        op.output.size() > max_operator_type || op.level > max_operator_level) {
      return std::string("an operator entry exceeds its bounds");
    }
  }
  return std::nullopt;
}

// Encodes in the layout of m.format_version: version 1 or 2 (kept to test that this build reads
// what earlier builds wrote; version 1 has no room for a schema or metadata, and neither has room
// for the version 3 fields, so m must have none of them) or the current one (also for other
// numbers: tests forge future versions with it).
inline std::vector<std::byte> encode_manifest(const manifest& m) {
  const bool v1 = m.format_version == 1;
  const bool before_v3 = m.format_version == 1 || m.format_version == 2;
  if (v1 && (m.has_schema() || m.schema_hash != 0 || m.class_versions_hash != 0 || !m.metadata.empty())) {
    throw std::logic_error("lineage: a version 1 manifest has no schema and no metadata");
  }
  if (before_v3 && (m.created != 0 || m.from.source_identity != 0 || !m.from.lineage.empty() ||
                    !m.from.operators.empty())) {
    throw std::logic_error("lineage: a version 1 or 2 manifest has no creation time and no provenance");
  }
  byte_writer w;
  w.bytes(manifest_magic.data(), manifest_magic.size());
  w.u32(endian_mark);
  w.u32(m.format_version);
  w.u64(0);  // body length, patched below
  w.u64(m.generation);
  w.str(m.element_type);
  if (!v1) {
    w.u64(m.schema_hash);
    w.u64(m.class_versions_hash);
    w.str(m.schema_text);
  }
  w.u64(m.signature);
  w.str(m.version);
  w.u64(m.content_id);
  w.str(m.partitioner);
  w.u64(m.partitions.size());
  for (const auto& p : m.partitions) {
    w.str(p.file);
    w.u64(p.records);
    w.u64(p.bytes);
    w.u64(p.checksum);
  }
  if (!v1) {
    w.u32(static_cast<std::uint32_t>(m.metadata.size()));
    for (const auto& [key, value] : m.metadata) {
      w.str(key);
      w.str(value);
    }
  }
  if (!before_v3) {
    w.u64(m.created);
    w.u64(m.from.source_identity);
    w.str(m.from.lineage);
    w.u32(static_cast<std::uint32_t>(m.from.operators.size()));
    for (const auto& op : m.from.operators) {
      w.str(op.kind);
      w.str(op.name);
      w.str(op.input);
      w.str(op.output);
      w.u32(op.level);
    }
  }
  auto& out = w.data();
  const std::uint64_t body = out.size() - manifest_header_size;
  std::memcpy(out.data() + 16, &body, sizeof body);
  w.u64(detail::xxh3(out.data(), out.size()));
  return std::move(out);
}

// Checks the fixed 24-byte header of a manifest file of `file_size` bytes; returns the total
// size it announces. `head` holds min(24, file_size) bytes.
inline std::uint64_t check_manifest_header(std::span<const std::byte> head, std::uint64_t file_size,
                                           const std::filesystem::path& path) {
  if (head.size() < manifest_header_size) {
    if (is_prefix_of_magic(head, manifest_magic)) {
      throw checkpoint_error(checkpoint_errc::truncated, path,
                             lineage::detail::cat("manifest is ", file_size, " bytes, shorter than its header"));
    }
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "not a lineage manifest (bad magic)");
  }
  if (std::memcmp(head.data(), manifest_magic.data(), manifest_magic.size()) != 0) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "not a lineage manifest (bad magic)");
  }
  if (load_u32(head.data() + 8) == swapped_endian_mark) {
    throw checkpoint_error(checkpoint_errc::format_version, path,
                           "manifest was written on a machine of the other byte order");
  }
  const std::uint64_t body = load_u64(head.data() + 16);
  const std::uint64_t max_body = std::numeric_limits<std::uint64_t>::max() - manifest_header_size - manifest_trailer_size;
  if (body > max_body) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "manifest body length out of range");
  }
  const std::uint64_t total = manifest_header_size + body + manifest_trailer_size;
  if (total > max_manifest_size) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path,
                           lineage::detail::cat("manifest header announces ", total, " bytes, more than the ",
                                                max_manifest_size, " a manifest may have"));
  }
  if (file_size < total) {
    throw checkpoint_error(checkpoint_errc::truncated, path,
                           lineage::detail::cat("manifest is ", file_size, " bytes, its header announces ", total));
  }
  if (file_size > total) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path,
                           lineage::detail::cat("manifest is ", file_size, " bytes, its header announces ", total));
  }
  return total;
}

// Validates and decodes a whole manifest file. Order: header (magic, byte order, length against
// the file size), checksum, format version, body.
// A partition entry's record count and file size are possible: a version-1 payload holds at
// least one byte per record (partition_writer refuses anything else), a compressed one at most
// max_expansion times its stored bytes. (Consumers that allocate from a count check it against
// the bytes they actually read or decompressed.)
inline bool plausible_partition_size(std::uint64_t records, std::uint64_t bytes) {
  if (bytes < partition_overhead) return false;
  const std::uint64_t payload = bytes - partition_overhead;
  return payload >= std::numeric_limits<std::uint64_t>::max() / max_expansion || records <= payload * max_expansion;
}

inline manifest decode_manifest(std::span<const std::byte> file, const std::filesystem::path& path) {
  check_manifest_header(file.first(std::min(file.size(), manifest_header_size)), file.size(), path);
  const std::size_t checked = file.size() - manifest_trailer_size;
  const std::uint64_t stored = load_u64(file.data() + checked);
  if (detail::xxh3(file.data(), checked) != stored) {
    throw checkpoint_error(checkpoint_errc::checksum_mismatch, path, "manifest checksum does not match");
  }
  if (load_u32(file.data() + 8) != endian_mark) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "manifest has an unknown endianness mark");
  }
  manifest m;
  m.format_version = load_u32(file.data() + 12);
  if (m.format_version < oldest_manifest_format_version || m.format_version > manifest_format_version) {
    throw checkpoint_error(checkpoint_errc::format_version, path,
                           lineage::detail::cat("manifest format version ", m.format_version,
                                                ", this build reads versions ", oldest_manifest_format_version,
                                                " to ", manifest_format_version));
  }
  const bool v1 = m.format_version == 1;
  const auto malformed = [&](std::string_view what) {
    return checkpoint_error(checkpoint_errc::not_a_checkpoint, path, lineage::detail::cat("malformed manifest: ", what));
  };
  byte_reader r(file.subspan(manifest_header_size, checked - manifest_header_size));
  std::uint64_t count = 0;
  if (!r.u64(m.generation) || !r.str(m.element_type)) throw malformed("fields run past the end");
  if (!v1) {
    if (!r.u64(m.schema_hash) || !r.u64(m.class_versions_hash) || !r.str(m.schema_text, max_schema_text)) {
      throw malformed("schema fields run past the end or exceed their bounds");
    }
  }
  if (!r.u64(m.signature) || !r.str(m.version) || !r.u64(m.content_id) || !r.str(m.partitioner) || !r.u64(count)) {
    throw malformed("fields run past the end");
  }
  if (m.generation == 0 || m.generation > max_generation) throw malformed("generation number out of range");
  constexpr std::size_t min_entry = 4 + 3 * 8;
  if (count > r.remaining() / min_entry) throw malformed("partition count exceeds the manifest size");
  m.partitions.resize(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < m.partitions.size(); ++i) {
    auto& p = m.partitions[i];
    if (!r.str(p.file) || !r.u64(p.records) || !r.u64(p.bytes) || !r.u64(p.checksum)) {
      throw malformed("partition entries run past the end");
    }
    if (p.file != partition_file_name(m.generation, i)) throw malformed("unexpected partition file name");
    if (!plausible_partition_size(p.records, p.bytes)) {
      throw malformed("partition size out of range");
    }
  }
  if (!v1) {
    std::uint32_t entries = 0;
    if (!r.u32(entries)) throw malformed("metadata count runs past the end");
    // Each entry takes at least its two length prefixes.
    if (entries > max_metadata_entries || entries > r.remaining() / 8) {
      throw malformed("metadata count exceeds its bound or the manifest size");
    }
    m.metadata.resize(entries);
    for (auto& [key, value] : m.metadata) {
      if (!r.str(key, max_metadata_key) || !r.str(value, max_metadata_value)) {
        throw malformed("metadata entries run past the end or exceed their bounds");
      }
    }
    if (const auto what = invalid_v2_fields(m)) throw malformed(*what);
  }
  if (m.format_version >= 3) {
    std::uint32_t operators = 0;
    if (!r.u64(m.created) || !r.u64(m.from.source_identity) || !r.str(m.from.lineage, max_lineage_text) ||
        !r.u32(operators)) {
      throw malformed("provenance fields run past the end or exceed their bounds");
    }
    // Each entry takes at least its four length prefixes and its level.
    if (operators > max_operators || operators > r.remaining() / 20) {
      throw malformed("operator count exceeds its bound or the manifest size");
    }
    m.from.operators.resize(operators);
    for (auto& op : m.from.operators) {
      if (!r.str(op.kind, max_operator_kind) || !r.str(op.name, max_operator_name) ||
          !r.str(op.input, max_operator_type) || !r.str(op.output, max_operator_type) || !r.u32(op.level)) {
        throw malformed("operator entries run past the end or exceed their bounds");
      }
    }
    if (const auto what = invalid_v3_fields(m)) throw malformed(*what);
  }
  if (r.remaining() != 0) throw malformed("trailing bytes in the body");
  if (m.content_id != compute_content_id(m.partitions)) throw malformed("content id does not match");
  return m;
}

inline std::array<std::byte, partition_header_size> encode_partition_header(
    std::uint64_t generation, std::uint64_t index, std::uint32_t version = partition_format_version) {
  std::array<std::byte, partition_header_size> header{};
  std::memcpy(header.data(), partition_magic.data(), partition_magic.size());
  std::memcpy(header.data() + 8, &endian_mark, 4);
  std::memcpy(header.data() + 12, &version, 4);
  std::memcpy(header.data() + 16, &generation, 8);
  std::memcpy(header.data() + 24, &index, 8);
  return header;
}

inline std::array<std::byte, partition_trailer_size> encode_partition_trailer(std::uint64_t records,
                                                                               std::uint64_t payload,
                                                                               std::uint64_t checksum) {
  std::array<std::byte, partition_trailer_size> trailer{};
  std::memcpy(trailer.data(), &records, 8);
  std::memcpy(trailer.data() + 8, &payload, 8);
  std::memcpy(trailer.data() + 16, &checksum, 8);
  return trailer;
}

// Returns the file's partition format version (1 or 2: compressed).
inline std::uint32_t check_partition_header(std::span<const std::byte, partition_header_size> header,
                                            std::uint64_t generation, std::uint64_t index,
                                            const std::filesystem::path& path) {
  if (std::memcmp(header.data(), partition_magic.data(), partition_magic.size()) != 0) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "not a lineage partition file (bad magic)");
  }
  const std::uint32_t mark = load_u32(header.data() + 8);
  if (mark == swapped_endian_mark) {
    throw checkpoint_error(checkpoint_errc::format_version, path,
                           "partition was written on a machine of the other byte order");
  }
  if (mark != endian_mark) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "partition has an unknown endianness mark");
  }
  const std::uint32_t version = load_u32(header.data() + 12);
  if (version < partition_format_version || version > newest_partition_format_version) {
    throw checkpoint_error(checkpoint_errc::format_version, path,
                           lineage::detail::cat("partition format version ", version, ", this build reads versions ",
                                                partition_format_version, " to ", newest_partition_format_version));
  }
  const std::uint64_t stored_generation = load_u64(header.data() + 16);
  const std::uint64_t stored_index = load_u64(header.data() + 24);
  if (stored_generation != generation || stored_index != index) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path,
                           lineage::detail::cat("file holds partition ", stored_index, " of generation ",
                                                stored_generation, ", expected partition ", index, " of generation ",
                                                generation));
  }
  return version;
}

// The file's size differs from the manifest's record of it. A foreign file, or another
// partition's, is not_a_checkpoint (its header says so); a prefix of the right file is truncated.
// `head` holds the first min(size, header) bytes.
[[noreturn]] inline void throw_partition_size(std::span<const std::byte> head, std::uint64_t size,
                                              std::uint64_t generation, std::uint64_t index,
                                              const partition_info& expected, const std::filesystem::path& path) {
  const std::string sizes = lineage::detail::cat("file is ", size, " bytes, manifest records ", expected.bytes);
  if (head.size() < partition_header_size) {
    if (is_prefix_of_magic(head, partition_magic)) throw checkpoint_error(checkpoint_errc::truncated, path, sizes);
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path,
                           lineage::detail::cat("not a lineage partition file (", sizes, ")"));
  }
  check_partition_header(head.first<partition_header_size>(), generation, index, path);
  if (size < expected.bytes) throw checkpoint_error(checkpoint_errc::truncated, path, sizes);
  throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path,
                         lineage::detail::cat("not the recorded partition file (", sizes, ")"));
}

inline void check_partition_trailer(std::span<const std::byte, partition_trailer_size> trailer,
                                    const partition_info& expected, const std::filesystem::path& path) {
  const std::uint64_t records = load_u64(trailer.data());
  const std::uint64_t payload = load_u64(trailer.data() + 8);
  const std::uint64_t checksum = load_u64(trailer.data() + 16);
  if (records != expected.records || payload != expected.bytes - partition_overhead ||
      checksum != expected.checksum) {
    throw checkpoint_error(checkpoint_errc::checksum_mismatch, path,
                           "partition trailer disagrees with the manifest");
  }
}

}  // namespace format
}  // namespace lineage::storage
