// SPDX-License-Identifier: Apache-2.0
#pragma once
// Small files replaced atomically: write_small_file(path, bytes) and read_small_file(path), for
// state that is rewritten whole (the coming streams' offsets and commit logs).
//
// Protocol (durable = true): remove a temp file `<name>.tmp` a crashed writer left (only if it
// is lineage's: it starts like a small file), create `<name>.tmp` (O_EXCL, O_NOFOLLOW: never
// through a link), write, fsync, rename over `<name>`, fsync the directory. A crash at any
// instant leaves the old content or the new one, whole. The same rules as the rest of storage:
// a `<name>` or `<name>.tmp` that lineage did not write (other bytes, a link, a FIFO, a
// directory) is never replaced or removed (not_a_checkpoint, saying so); nothing is followed.
// Writers of one path must not run concurrently (the caller holds a lock, e.g. the
// checkpoint's LOCK); readers need no lock.
//
// File layout (bytes = 32 + L), native byte order as everywhere in storage:
//   [0,8)    magic "LNGSMALL"
//   [8,12)   u32 endianness mark 0x01020304
//   [12,16)  u32 format version (1)
//   [16,24)  u64 payload length L (at most max_small_file_payload)
//   [24,24+L) payload
//   [24+L,32+L) u64 XXH3-64 of bytes [0, 24+L)
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>
#include <lineage/storage/format.hpp>
#include <lineage/storage/reader.hpp>
#include <lineage/storage/writer.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace lineage::storage {

namespace format {
inline constexpr std::array<char, 8> small_file_magic{'L', 'N', 'G', 'S', 'M', 'A', 'L', 'L'};
inline constexpr std::uint32_t small_file_version = 1;
inline constexpr std::size_t small_file_overhead = 32;
inline constexpr std::uint64_t max_small_file_payload = std::uint64_t{16} << 20;
}  // namespace format

namespace detail {

inline std::filesystem::path small_temp_path(const std::filesystem::path& path) {
  auto temp = path;
  temp += ".tmp";
  return temp;
}

inline void refuse_foreign_small_file(file_system& fs, const std::filesystem::path& path) {
  if (owner_of(fs, path, format::small_file_magic) == file_owner::other) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path,
                           "is not a lineage small file, and lineage does not replace files it did not write");
  }
}

}  // namespace detail

// Replaces the file at `path` by `payload` atomically (see the top of this file). Throws
// std::length_error for a payload above max_small_file_payload, checkpoint_error otherwise.
inline void write_small_file(const std::filesystem::path& path, std::span<const std::byte> payload,
                             bool durable = true, file_system& fs = default_file_system()) {
  if (payload.size() > format::max_small_file_payload) {
    throw std::length_error(lineage::detail::cat("lineage: write_small_file: ", payload.size(),
                                                 " bytes, more than the ", format::max_small_file_payload, " allowed"));
  }
  const auto temp = detail::small_temp_path(path);
  detail::refuse_foreign_small_file(fs, path);
  detail::refuse_foreign_small_file(fs, temp);
  fs.remove_file(temp);  // lineage's (just checked), left by a crashed writer; or none

  format::byte_writer w;
  w.bytes(format::small_file_magic.data(), format::small_file_magic.size());
  w.u32(format::endian_mark);
  w.u32(format::small_file_version);
  w.u64(payload.size());
  w.bytes(payload.data(), payload.size());
  w.u64(detail::xxh3(w.data().data(), w.data().size()));
  const auto& bytes = w.data();
  try {
    auto file = fs.create_file(temp);
    detail::write_all(*file, bytes.data(), bytes.size());
    if (durable) file->sync();
    file->close();
    fs.rename(temp, path);
  } catch (...) {
    try {
      fs.remove_file(temp);
    } catch (...) {
    }
    throw;
  }
  if (durable) fs.sync_directory(detail::parent_or_current(path));
}

// The payload of the small file at `path`; nullopt if there is none. Checks the size bound,
// header and checksum before returning anything (typed checkpoint_error otherwise).
inline std::optional<std::vector<std::byte>> read_small_file(const std::filesystem::path& path,
                                                             file_system& fs = default_file_system()) {
  const auto file = detail::open_if_exists(fs, path);
  if (!file) return std::nullopt;
  const std::uint64_t size = file->size();
  std::array<std::byte, 24> head{};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, head.size()));
  if (!detail::read_exact(*file, 0, head.data(), n)) {
    throw checkpoint_error(checkpoint_errc::truncated, path, "small file shrank while being read");
  }
  if (!format::is_prefix_of_magic(std::span<const std::byte>(head.data(), n), format::small_file_magic)) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "not a lineage small file (bad magic)");
  }
  if (size < format::small_file_overhead) {
    throw checkpoint_error(checkpoint_errc::truncated, path,
                           lineage::detail::cat("small file is ", size, " bytes, shorter than its header"));
  }
  const std::uint32_t mark = format::load_u32(head.data() + 8);
  if (mark == format::swapped_endian_mark) {
    throw checkpoint_error(checkpoint_errc::format_version, path, "written on a machine of the other byte order");
  }
  if (mark != format::endian_mark) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "unknown endianness mark");
  }
  const std::uint32_t version = format::load_u32(head.data() + 12);
  if (version != format::small_file_version) {
    throw checkpoint_error(checkpoint_errc::format_version, path,
                           lineage::detail::cat("small file format version ", version, ", this build reads version ",
                                                format::small_file_version));
  }
  const std::uint64_t length = format::load_u64(head.data() + 16);
  if (length > format::max_small_file_payload || size != length + format::small_file_overhead) {
    throw checkpoint_error(size < length + format::small_file_overhead && length <= format::max_small_file_payload
                               ? checkpoint_errc::truncated
                               : checkpoint_errc::not_a_checkpoint,
                           path,
                           lineage::detail::cat("small file is ", size, " bytes, its header announces a payload of ",
                                                length));
  }
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  if (!detail::read_exact(*file, 0, bytes.data(), bytes.size())) {
    throw checkpoint_error(checkpoint_errc::truncated, path, "small file shrank while being read");
  }
  if (detail::xxh3(bytes.data(), bytes.size() - 8) != format::load_u64(bytes.data() + bytes.size() - 8)) {
    throw checkpoint_error(checkpoint_errc::checksum_mismatch, path, "small file checksum does not match");
  }
  return std::vector<std::byte>(bytes.begin() + 24, bytes.end() - 8);
}

}  // namespace lineage::storage
