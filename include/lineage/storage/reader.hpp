// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading checkpoints: manifests, partitions, verification, removal.
//
// Nothing is trusted before it is checked. A partition is validated in this order before cereal
// reads a byte of it: the file size equals the manifest's record of it, the header (magic, byte
// order, format version, partition index), the trailer (record count, payload length and
// checksum equal the manifest's), then XXH3 over the payload. Only then does the bounded archive
// decode it, checking every size prefix against the bytes left before allocating.
#include <lineage/storage/archive.hpp>
#include <lineage/storage/compression.hpp>
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>
#include <lineage/storage/format.hpp>
#include <lineage/storage/schema.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace lineage::storage {

namespace detail {

inline constexpr std::size_t read_chunk = std::size_t{1} << 20;

// The file at `path` opened for reading, or nullptr if there is none (other errors throw).
inline std::unique_ptr<readable_file> open_if_exists(file_system& fs, const std::filesystem::path& path) {
  try {
    return fs.open_file(path);
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::not_found) return nullptr;
    throw;
  }
}

// The raw bytes of dir/MANIFEST, after its header was checked against the file size (so a large
// foreign file is never read whole); nullopt if there is none.
inline std::optional<std::vector<std::byte>> read_manifest_bytes(const std::filesystem::path& dir,
                                                                  file_system& fs) {
  const auto path = dir / format::manifest_name;
  const auto file = open_if_exists(fs, path);
  if (!file) return std::nullopt;
  const std::uint64_t size = file->size();
  std::vector<std::byte> bytes(static_cast<std::size_t>(std::min<std::uint64_t>(size, format::manifest_header_size)));
  if (!read_exact(*file, 0, bytes.data(), bytes.size())) {
    throw checkpoint_error(checkpoint_errc::truncated, path, "manifest shrank while being read");
  }
  format::check_manifest_header(bytes, size, path);
  bytes.resize(static_cast<std::size_t>(size));
  if (!read_exact(*file, format::manifest_header_size, bytes.data() + format::manifest_header_size,
                  bytes.size() - format::manifest_header_size)) {
    throw checkpoint_error(checkpoint_errc::truncated, path, "manifest shrank while being read");
  }
  return bytes;
}

// Opens partition `index` and checks its size, header and trailer against the manifest.
struct opened_partition {
  std::unique_ptr<readable_file> file;
  bool compressed = false;  // partition format version 2: the payload is one zstd frame
};

inline opened_partition open_partition(const std::filesystem::path& dir, const manifest& m, std::size_t index,
                                       file_system& fs) {
  if (index >= m.partitions.size()) {
    throw std::out_of_range(
        lineage::detail::cat("lineage: partition ", index, " of a checkpoint with ", m.partitions.size(), " partitions"));
  }
  const partition_info& entry = m.partitions[index];
  const auto path = dir / entry.file;
  auto file = fs.open_file(path);
  const std::uint64_t size = file->size();
  std::array<std::byte, format::partition_header_size> header{};
  const std::size_t head = static_cast<std::size_t>(std::min<std::uint64_t>(size, header.size()));
  if (!read_exact(*file, 0, header.data(), head)) {
    throw checkpoint_error(checkpoint_errc::truncated, path, "partition shrank while being read");
  }
  if (size != entry.bytes) {
    format::throw_partition_size(std::span<const std::byte>(header.data(), head), size, m.generation, index, entry,
                                 path);
  }
  const auto version = format::check_partition_header(header, m.generation, index, path);
  std::array<std::byte, format::partition_trailer_size> trailer{};
  if (!read_exact(*file, size - trailer.size(), trailer.data(), trailer.size())) {
    throw checkpoint_error(checkpoint_errc::truncated, path, "partition shrank while being read");
  }
  format::check_partition_trailer(trailer, entry, path);
  return {std::move(file), version == compressed_partition_format_version};
}

[[noreturn]] inline void throw_payload_checksum(const std::filesystem::path& path) {
  throw checkpoint_error(checkpoint_errc::checksum_mismatch, path, "partition payload checksum does not match");
}

[[noreturn]] inline void throw_shrank(const std::filesystem::path& path) {
  throw checkpoint_error(checkpoint_errc::truncated, path, "partition shrank while being read");
}

// Hashes the payload of an opened partition chunk by chunk (a bounded buffer, whatever the
// file's size) and checks it against the manifest.
inline void verify_payload(readable_file& file, const partition_info& entry, const std::filesystem::path& path) {
  const std::uint64_t payload = entry.bytes - format::partition_overhead;
  const auto buffer = std::make_unique_for_overwrite<std::byte[]>(read_chunk);
  const auto state = make_xxh3_state();
  for (std::uint64_t done = 0; done < payload;) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(payload - done, read_chunk));
    if (!read_exact(file, format::partition_header_size + done, buffer.get(), chunk)) throw_shrank(path);
    xxh3_update(state.get(), buffer.get(), chunk);
    done += chunk;
  }
  if (XXH3_64bits_digest(state.get()) != entry.checksum) throw_payload_checksum(path);
}

}  // namespace detail

// The manifest of the checkpoint in dir; nullopt if there is none (no MANIFEST, or no dir).
// Throws checkpoint_error for a damaged one.
inline std::optional<manifest> try_read_manifest(const std::filesystem::path& dir,
                                                 file_system& fs = default_file_system()) {
  auto bytes = detail::read_manifest_bytes(dir, fs);
  if (!bytes) return std::nullopt;
  return format::decode_manifest(*bytes, dir / format::manifest_name);
}

namespace detail {

// "the element's schema changed: was <text in the manifest>, now <schema_of<T>().text>"
inline std::string schema_change(const manifest& m, const element_schema& now) {
  return lineage::detail::cat("the element's schema changed: was ", m.schema_text, ", now ", now.text);
}

// Whether records written as m describes can be read as T, without a lineage to recompute them
// from (recover, open_checkpoint, read_manifest, load_partition): the element type name must be
// T's; then, if the manifest records a schema (format version 2) and it is not T's, the class
// versions decide. Unchanged class versions: the layout changed without a version bump, and
// decoding would give wrong values (or fail): type_mismatch. Changed class versions: T's
// versioned load() is trusted to read the older layout (what cereal class versioning is for).
// A manifest without a schema (format version 1) is matched by the type name alone.
// Get-or-create is stricter (checkpoint.hpp): any schema change recomputes.
template <class T>
void check_element_type(const manifest& m, const std::filesystem::path& where) {
  const std::string wanted = element_type_name<T>();
  if (m.element_type != wanted) {
    throw checkpoint_error(checkpoint_errc::type_mismatch, where,
                           lineage::detail::cat("checkpoint holds '", m.element_type, "', requested '", wanted, "'"));
  }
  if constexpr (serializable<T>) {
    if (!m.has_schema()) return;
    const element_schema& now = schema_of<T>();
    if (m.schema_hash == now.hash || m.class_versions_hash != now.class_versions_hash) return;
    throw checkpoint_error(
        checkpoint_errc::type_mismatch, where,
        lineage::detail::cat(schema_change(m, now), " (of '", wanted,
                             "'), and no cereal class version changed with it: its records would decode as wrong "
                             "values. Recompute the checkpoint, or bump the class version (CEREAL_CLASS_VERSION) "
                             "and read the old layout in load()"));
  }
}

}  // namespace detail

// The manifest of a checkpoint of T in dir: not_found if there is none, type_mismatch if it
// holds another element type or T's layout changed without a class version change
// (detail::check_element_type).
template <class T>
manifest read_manifest(const std::filesystem::path& dir, file_system& fs = default_file_system()) {
  auto m = try_read_manifest(dir, fs);
  if (!m) throw checkpoint_error(checkpoint_errc::not_found, dir, "no checkpoint (no MANIFEST) in this directory");
  detail::check_element_type<T>(*m, dir);
  return std::move(*m);
}

namespace detail {

// A reader holds a manifest while it opens the partitions it names. If meanwhile the checkpoint
// was removed, or replaced by another generation (whose files may even reuse the same names:
// generation numbers start again at 1 after a removal), what it finds contradicts its manifest.
// Say that, rather than report healthy files as damaged. (The data is never wrong either way:
// every partition is checked against the reader's manifest.)
inline void rethrow_if_replaced(const std::filesystem::path& dir, const manifest& held, file_system& fs,
                                const checkpoint_error& e) {
  if (e.reason() == checkpoint_errc::io_error || e.reason() == checkpoint_errc::type_mismatch ||
      e.reason() == checkpoint_errc::locked) {
    return;
  }
  std::optional<manifest> now;
  try {
    now = try_read_manifest(dir, fs);
  } catch (const checkpoint_error&) {
    return;  // the original error says more
  }
  if (!now) {
    throw checkpoint_error(checkpoint_errc::not_found, dir,
                           lineage::detail::cat("the checkpoint was removed while it was being read (", e.what(), ")"));
  }
  if (now->generation != held.generation || now->content_id != held.content_id) {
    throw checkpoint_error(checkpoint_errc::not_found, dir,
                           lineage::detail::cat("generation ", held.generation, " of the checkpoint was replaced by generation ",
                                                now->generation, " while it was being read; read it again (", e.what(), ")"));
  }
}

template <class T>
std::vector<T> read_partition(const std::filesystem::path& dir, const manifest& m, std::size_t index, file_system& fs);

}  // namespace detail

// The records of partition `index`, fully validated (see the top of this file).
template <class T>
std::vector<T> load_partition(const std::filesystem::path& dir, const manifest& m, std::size_t index,
                              file_system& fs = default_file_system()) {
  try {
    return detail::read_partition<T>(dir, m, index, fs);
  } catch (const checkpoint_error& e) {
    detail::rethrow_if_replaced(dir, m, fs, e);
    throw;
  }
}

namespace detail {

// `records` elements of T decoded from `size` payload bytes (checksummed by the caller), which
// must hold exactly them: anything else is type_mismatch at `path`.
template <class T>
std::vector<T> decode_records(const std::byte* data, std::size_t size, std::uint64_t count,
                              const std::filesystem::path& path) {
  const auto wanted = [] { return element_type_name<T>(); };
  std::vector<T> records;
  try {
    // The writer guarantees records <= payload bytes (see partition_writer), so this
    // reservation is bounded by the payload's size.
    if (count > size) throw decode_error("more records than payload bytes");
    records.reserve(static_cast<std::size_t>(count));
    if constexpr (raw_block_v<T>) {  // one block of raw values
      if (count * sizeof(T) != size) {
        throw decode_error(lineage::detail::cat(size, " payload bytes are not ", count, " values"));
      }
      records.resize(static_cast<std::size_t>(count));
      if (size != 0) std::memcpy(records.data(), data, size);
      return records;
    }
    bounded_input_archive archive(data, size);
    for (std::uint64_t i = 0; i < count; ++i) {
      if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> has no bool&
        bool value = false;
        archive(value);
        records.push_back(value);
      } else {
        archive(records.emplace_back());
      }
    }
    if (archive.remaining() != 0) {
      throw decode_error(lineage::detail::cat(archive.remaining(), " bytes left after the last record"));
    }
  } catch (const decode_error& e) {
    throw checkpoint_error(checkpoint_errc::type_mismatch, path,
                           lineage::detail::cat("payload does not decode as '", wanted(), "': ", e.what()));
  } catch (const cereal::Exception& e) {
    throw checkpoint_error(checkpoint_errc::type_mismatch, path,
                           lineage::detail::cat("payload does not decode as '", wanted(), "': ", e.what()));
  }
  return records;
}

// A version-1 partition of raw values: read straight into the result, hashing each chunk while
// it is cached.
template <class T>
std::vector<T> read_raw_block(readable_file& file, const partition_info& entry, const std::filesystem::path& path) {
  const std::uint64_t payload = entry.bytes - format::partition_overhead;
  if (entry.records > payload / sizeof(T) || entry.records * sizeof(T) != payload) {
    throw checkpoint_error(checkpoint_errc::type_mismatch, path,
                           lineage::detail::cat(payload, " payload bytes are not ", entry.records, " values of '",
                                                element_type_name<T>(), "'"));
  }
  std::vector<T> records(static_cast<std::size_t>(entry.records));
  auto* out = reinterpret_cast<std::byte*>(records.data());
  const auto state = make_xxh3_state();
  for (std::uint64_t done = 0; done < payload;) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(payload - done, read_chunk));
    if (!read_exact(file, format::partition_header_size + done, out + done, chunk)) throw_shrank(path);
    xxh3_update(state.get(), out + done, chunk);
    done += chunk;
  }
  if (XXH3_64bits_digest(state.get()) != entry.checksum) throw_payload_checksum(path);
  return records;
}

}  // namespace detail

template <class T>
std::vector<T> detail::read_partition(const std::filesystem::path& dir, const manifest& m, std::size_t index,
                                      file_system& fs) {
  static_assert(serializable<T>, LINEAGE_NOT_SERIALIZABLE_MESSAGE);
  if constexpr (serializable<T>) {
    check_element_type<T>(m, dir);
    auto [file, compressed] = detail::open_partition(dir, m, index, fs);
    const partition_info& entry = m.partitions[index];
    const auto path = dir / entry.file;
    const std::uint64_t payload = entry.bytes - format::partition_overhead;
    // A sparse file can claim any size without the disk holding it: check its checksum with a
    // bounded buffer before allocating for its contents (the single pass below allocates first).
    if (file->may_have_holes()) detail::verify_payload(*file, entry, path);
    if constexpr (detail::raw_block_v<T>) {
      if (!compressed) return detail::read_raw_block<T>(*file, entry, path);
    }
    // The stored payload, whole, checksummed, then decompressed if it is (then freed) and decoded.
    const auto size = static_cast<std::size_t>(payload);
    auto stored = std::make_unique_for_overwrite<std::byte[]>(size);
    if (!detail::read_exact(*file, format::partition_header_size, stored.get(), size)) detail::throw_shrank(path);
    if (detail::xxh3(stored.get(), size) != entry.checksum) detail::throw_payload_checksum(path);
    if (!compressed) return detail::decode_records<T>(stored.get(), size, entry.records, path);
    const auto bytes = detail::zstd_decompress(stored.get(), size, path);
    stored.reset();
    return detail::decode_records<T>(bytes.data.get(), bytes.size, entry.records, path);
  } else {
    return {};
  }
}

// Checks partition `index` of `m`: size, header, trailer and checksum, with a bounded buffer
// (no element type needed, nothing decoded or kept). Throws checkpoint_error.
inline void verify_partition(const std::filesystem::path& dir, const manifest& m, std::size_t index,
                             file_system& fs = default_file_system()) {
  try {
    auto opened = detail::open_partition(dir, m, index, fs);
    detail::verify_payload(*opened.file, m.partitions[index], dir / m.partitions[index].file);
  } catch (const checkpoint_error& e) {
    detail::rethrow_if_replaced(dir, m, fs, e);
    throw;
  }
}

// Checks the manifest and every partition's size, header, trailer and checksum (no element type
// needed, nothing decoded). Returns the manifest; throws checkpoint_error (not_found if none).
inline manifest verify(const std::filesystem::path& dir, file_system& fs = default_file_system()) {
  auto m = try_read_manifest(dir, fs);
  if (!m) throw checkpoint_error(checkpoint_errc::not_found, dir, "no checkpoint (no MANIFEST) in this directory");
  for (std::size_t i = 0; i < m->partitions.size(); ++i) verify_partition(dir, *m, i, fs);
  return std::move(*m);
}

namespace detail {

// True if the regular file `path` starts with `prefix` (false if it is missing, shorter, a link
// or anything but a regular file).
inline bool file_starts_with(file_system& fs, const std::filesystem::path& path, std::span<const std::byte> prefix) {
  try {
    auto file = fs.open_file(path);
    std::vector<std::byte> head(prefix.size());
    return file->size() >= prefix.size() && read_exact(*file, 0, head.data(), head.size()) &&
           std::equal(head.begin(), head.end(), prefix.begin());
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::io_error) throw;
    return false;
  }
}

// Who wrote the file at `path`, as far as its first bytes tell: lineage if it is a regular file
// holding a prefix of `magic` (possibly empty: a writer may have been interrupted), someone else
// if it is anything else (other bytes, a link, a FIFO, a directory), nobody if there is none.
enum class file_owner { none, lineage, other };

inline file_owner owner_of(file_system& fs, const std::filesystem::path& path, const std::array<char, 8>& magic) {
  try {
    auto file = fs.open_file(path);
    const std::uint64_t size = file->size();
    std::array<std::byte, 8> head{};
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, head.size()));
    const bool ours = read_exact(*file, 0, head.data(), n) && format::is_prefix_of_magic(std::span(head.data(), n), magic);
    return ours ? file_owner::lineage : file_owner::other;
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::not_found) return file_owner::none;
    if (e.reason() == checkpoint_errc::io_error) throw;
    return file_owner::other;
  }
}

inline bool holds_prefix_of(file_system& fs, const std::filesystem::path& path, const std::array<char, 8>& magic) {
  return owner_of(fs, path, magic) == file_owner::lineage;
}

// Removes what lineage provably wrote in the generation directory dir/g<generation>, and the
// directory itself if that leaves it empty. Lineage's own: the GENERATION marker and, when it is
// there (lineage created the directory), every part-<digits> file; without it (a version 1
// generation, or a folder of the user's that happens to be called g<digits>) only partition
// files whose header names this generation. Then rmdir, which removes only an empty folder.
// Never recurses, never follows a link (a link named like a partition is unlinked, not its
// target), never removes a folder holding anything else.
// Returns true if the directory is gone.
// True if `path` is a regular file whose bytes are a (possibly empty) prefix of `expected`.
inline bool is_prefix_file(file_system& fs, const std::filesystem::path& path, std::span<const std::byte> expected) {
  try {
    auto file = fs.open_file(path);
    const std::uint64_t size = file->size();
    if (size > expected.size()) return false;
    std::vector<std::byte> bytes(static_cast<std::size_t>(size));
    return read_exact(*file, 0, bytes.data(), bytes.size()) && std::equal(bytes.begin(), bytes.end(), expected.begin());
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::io_error) throw;
    return false;
  }
}

inline bool lock_file_is_empty(file_system& fs, const std::filesystem::path& path) {
  try {
    return fs.open_file(path)->size() == 0;
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::io_error) throw;
    return false;
  }
}

inline bool remove_generation(file_system& fs, const std::filesystem::path& dir, std::uint64_t generation) {
  const auto path = dir / format::generation_directory_name(generation);
  std::vector<directory_entry> entries;
  try {
    entries = fs.list_directory(path);
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::not_found) return true;
    throw;
  }
  const auto marker = format::encode_generation_marker(generation);
  const auto marker_path = path / format::generation_marker_name;
  const bool ours = file_starts_with(fs, marker_path, marker);
  // A marker cut short (a crash while writing it) proves nothing, but is lineage's to remove.
  const bool partial_marker = !ours && is_prefix_file(fs, marker_path, marker);
  const auto header = format::encode_partition_header(generation, 0);
  const auto header_prefix = std::span<const std::byte>(header.data(), 24);  // magic, byte order, version, generation
  bool removed_any = false;
  bool others = false;  // anything left that lineage cannot prove it wrote
  for (const auto& entry : entries) {
    if (entry.name == format::generation_marker_name) continue;
    const auto file = path / entry.name;
    if (!entry.is_directory && format::is_partition_file_name(entry.name) &&
        (ours || file_starts_with(fs, file, header_prefix))) {
      removed_any |= fs.remove_file(file);
    } else {
      others = true;
    }
  }
  // A writer killed while writing its marker leaves a cut one, alone or with its partitions.
  if (ours || (partial_marker && !others)) removed_any |= fs.remove_file(marker_path);
  // Not a folder lineage wrote, unless it is empty (a remover interrupted between its last
  // unlink and its rmdir leaves that): rmdir removes only an empty folder, so nothing is lost.
  if (!ours && !removed_any && !entries.empty()) return false;
  try {
    fs.remove_directory(path);
    return true;
  } catch (const checkpoint_error&) {
    return false;  // something else is in it: it stays
  }
}

}  // namespace detail

// Removes the checkpoint in dir: the manifest first (so the checkpoint is gone at once, made
// durable before anything else is deleted), then every generation (as remove_generation
// describes: only what lineage provably wrote), the temp manifest and the lock file; then dir
// itself if nothing else is left in it. Files that are not the checkpoint's are left alone: a
// MANIFEST or MANIFEST.tmp that is not a lineage manifest, a LOCK that is not empty, folders
// named g<digits> that lineage did not write. Throws checkpoint_error{locked} if a writer is
// active; does nothing if dir does not exist.
inline void remove_checkpoint(const std::filesystem::path& dir, file_system& fs = default_file_system()) {
  std::vector<directory_entry> entries;
  try {
    entries = fs.list_directory(dir);
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::not_found) return;
    throw;
  }
  {
    const auto lock = fs.lock(dir / format::lock_name);
    if (detail::holds_prefix_of(fs, dir / format::manifest_name, format::manifest_magic) &&
        fs.remove_file(dir / format::manifest_name)) {
      fs.sync_directory(dir);
    }
    if (detail::holds_prefix_of(fs, dir / format::manifest_temp_name, format::manifest_magic)) {
      fs.remove_file(dir / format::manifest_temp_name);
    }
    for (const auto& entry : entries) {
      if (!entry.is_directory) continue;
      if (const auto generation = format::parse_generation_directory(entry.name)) {
        detail::remove_generation(fs, dir, *generation);
      }
    }
    if (detail::lock_file_is_empty(fs, dir / format::lock_name)) fs.remove_file(dir / format::lock_name);
  }
  try {
    fs.remove_directory(dir);
  } catch (const checkpoint_error&) {
    // not empty: the user's own files stay
  }
}

}  // namespace lineage::storage
