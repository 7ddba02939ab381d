#pragma once
// Reading checkpoints: manifests, partitions, verification, removal.
//
// Nothing is trusted before it is checked. A partition is validated in this order before cereal
// reads a byte of it: the file size equals the manifest's record of it, the header (magic, byte
// order, format version, partition index), the trailer (record count, payload length and
// checksum equal the manifest's), then XXH3 over the payload. Only then does the bounded archive
// decode it, checking every size prefix against the bytes left before allocating.
#include <lineage/storage/archive.hpp>
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>
#include <lineage/storage/format.hpp>

#include <algorithm>
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

// The raw bytes of dir/MANIFEST, after its header was checked against the file size (so a large
// foreign file is never read whole); nullopt if there is none.
inline std::optional<std::vector<std::byte>> read_manifest_bytes(const std::filesystem::path& dir,
                                                                  file_system& fs) {
  const auto path = dir / format::manifest_name;
  std::unique_ptr<readable_file> file;
  try {
    file = fs.open_file(path);
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::not_found) return std::nullopt;
    throw;
  }
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
inline std::unique_ptr<readable_file> open_partition(const std::filesystem::path& dir, const manifest& m,
                                                     std::size_t index, file_system& fs) {
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
  format::check_partition_header(header, m.generation, index, path);
  std::array<std::byte, format::partition_trailer_size> trailer{};
  if (!read_exact(*file, size - trailer.size(), trailer.data(), trailer.size())) {
    throw checkpoint_error(checkpoint_errc::truncated, path, "partition shrank while being read");
  }
  format::check_partition_trailer(trailer, entry, path);
  return file;
}

[[noreturn]] inline void throw_payload_checksum(const std::filesystem::path& path) {
  throw checkpoint_error(checkpoint_errc::checksum_mismatch, path, "partition payload checksum does not match");
}

[[noreturn]] inline void throw_shrank(const std::filesystem::path& path) {
  throw checkpoint_error(checkpoint_errc::truncated, path, "partition shrank while being read");
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

// The manifest of a checkpoint of T in dir: not_found if there is none, type_mismatch if it
// holds another element type.
template <class T>
manifest read_manifest(const std::filesystem::path& dir, file_system& fs = default_file_system()) {
  auto m = try_read_manifest(dir, fs);
  if (!m) throw checkpoint_error(checkpoint_errc::not_found, dir, "no checkpoint (no MANIFEST) in this directory");
  const std::string wanted = element_type_name<T>();
  if (m->element_type != wanted) {
    throw checkpoint_error(checkpoint_errc::type_mismatch, dir,
                           lineage::detail::cat("checkpoint holds '", m->element_type, "', requested '", wanted, "'"));
  }
  return std::move(*m);
}

// The records of partition `index`, fully validated (see the top of this file).
template <class T>
std::vector<T> load_partition(const std::filesystem::path& dir, const manifest& m, std::size_t index,
                              file_system& fs = default_file_system()) {
  static_assert(serializable<T>, LINEAGE_NOT_SERIALIZABLE_MESSAGE);
  if constexpr (serializable<T>) {
    const std::string wanted = element_type_name<T>();
    if (m.element_type != wanted) {
      throw checkpoint_error(checkpoint_errc::type_mismatch, dir,
                             lineage::detail::cat("checkpoint holds '", m.element_type, "', requested '", wanted, "'"));
    }
    auto file = detail::open_partition(dir, m, index, fs);
    const partition_info& entry = m.partitions[index];
    const auto path = dir / entry.file;
    const std::uint64_t payload = entry.bytes - format::partition_overhead;
    if constexpr (detail::raw_block_v<T>) {
      // One block of raw values: read straight into the result, hashing each chunk while cached.
      if (entry.records > payload / sizeof(T) || entry.records * sizeof(T) != payload) {
        throw checkpoint_error(checkpoint_errc::type_mismatch, path,
                               lineage::detail::cat(payload, " payload bytes are not ", entry.records, " values of '",
                                                    wanted, "'"));
      }
      std::vector<T> records(static_cast<std::size_t>(entry.records));
      auto* out = reinterpret_cast<std::byte*>(records.data());
      const auto state = detail::make_xxh3_state();
      for (std::uint64_t done = 0; done < payload;) {
        const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(payload - done, detail::read_chunk));
        if (!detail::read_exact(*file, format::partition_header_size + done, out + done, chunk)) {
          detail::throw_shrank(path);
        }
        detail::xxh3_update(state.get(), out + done, chunk);
        done += chunk;
      }
      if (XXH3_64bits_digest(state.get()) != entry.checksum) detail::throw_payload_checksum(path);
      return records;
    } else {
      const auto size = static_cast<std::size_t>(payload);
      auto bytes = std::make_unique_for_overwrite<std::byte[]>(size);
      if (!detail::read_exact(*file, format::partition_header_size, bytes.get(), size)) detail::throw_shrank(path);
      if (detail::xxh3(bytes.get(), size) != entry.checksum) detail::throw_payload_checksum(path);
      std::vector<T> records;
      try {
        // The writer guarantees records <= payload bytes (see checkpoint_writer), so this
        // reservation is bounded by the file's size.
        if (entry.records > size) throw decode_error("more records than payload bytes");
        records.reserve(static_cast<std::size_t>(entry.records));
        bounded_input_archive archive(bytes.get(), size);
        for (std::uint64_t i = 0; i < entry.records; ++i) {
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
                               lineage::detail::cat("payload does not decode as '", wanted, "': ", e.what()));
      } catch (const cereal::Exception& e) {
        throw checkpoint_error(checkpoint_errc::type_mismatch, path,
                               lineage::detail::cat("payload does not decode as '", wanted, "': ", e.what()));
      }
      return records;
    }
  } else {
    return {};
  }
}

// Checks the manifest and every partition's size, header, trailer and checksum (no element type
// needed, nothing decoded). Returns the manifest; throws checkpoint_error (not_found if none).
inline manifest verify(const std::filesystem::path& dir, file_system& fs = default_file_system()) {
  auto m = try_read_manifest(dir, fs);
  if (!m) throw checkpoint_error(checkpoint_errc::not_found, dir, "no checkpoint (no MANIFEST) in this directory");
  std::unique_ptr<std::byte[]> buffer;
  for (std::size_t i = 0; i < m->partitions.size(); ++i) {
    auto file = detail::open_partition(dir, *m, i, fs);
    const auto& entry = m->partitions[i];
    const std::uint64_t payload = entry.bytes - format::partition_overhead;
    if (!buffer) buffer = std::make_unique_for_overwrite<std::byte[]>(detail::read_chunk);
    const auto state = detail::make_xxh3_state();
    for (std::uint64_t done = 0; done < payload;) {
      const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(payload - done, detail::read_chunk));
      if (!detail::read_exact(*file, format::partition_header_size + done, buffer.get(), chunk)) {
        detail::throw_shrank(dir / entry.file);
      }
      detail::xxh3_update(state.get(), buffer.get(), chunk);
      done += chunk;
    }
    if (XXH3_64bits_digest(state.get()) != entry.checksum) detail::throw_payload_checksum(dir / entry.file);
  }
  return std::move(*m);
}

namespace detail {

// Removes a directory tree through fs (files and sub-directories first).
inline void remove_tree(file_system& fs, const std::filesystem::path& path) {
  std::vector<directory_entry> entries;
  try {
    entries = fs.list_directory(path);
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::not_found) return;
    throw;
  }
  for (const auto& entry : entries) {
    if (entry.is_directory) {
      remove_tree(fs, path / entry.name);
    } else {
      fs.remove_file(path / entry.name);
    }
  }
  fs.remove_directory(path);
}

}  // namespace detail

// Removes the checkpoint in dir: the manifest first (so the checkpoint is gone at once, made
// durable before anything else is deleted), then every generation, the temp files and the lock
// file; then dir itself if nothing else is left in it. Files that are not the checkpoint's are
// left alone. Throws checkpoint_error{locked} if a writer is active; does nothing if dir does
// not exist.
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
    if (fs.remove_file(dir / format::manifest_name)) fs.sync_directory(dir);
    fs.remove_file(dir / format::manifest_temp_name);
    for (const auto& entry : entries) {
      if (entry.is_directory && format::parse_generation_directory(entry.name)) {
        detail::remove_tree(fs, dir / entry.name);
      }
    }
    fs.remove_file(dir / format::lock_name);
  }
  try {
    fs.remove_directory(dir);
  } catch (const checkpoint_error&) {
    // not empty: the user's own files stay
  }
}

}  // namespace lineage::storage
