// SPDX-License-Identifier: Apache-2.0
#pragma once
// The stream directory's logs (README "Streams"): `offsets/<b>` (what batch b reads, written
// durably before it runs: the write-ahead log), `commits/<b>` (written after its output
// operation returned) and `signature`. Each is a small file (storage/small_file.hpp: atomic,
// durable, size-bounded, checksummed). Payloads:
//   offsets/<b>:  "LNSO" u64 b, then the source's offset (offset_codec.hpp)
//   commits/<b>:  "LNSC" u64 b
//   signature:    the signature text (signature.hpp)
//   log-start:    "LNSP" u64 h: entries below batch h were purged (query.hpp says when); a
//                 restart ignores them (an interrupted purge may leave some) and requires the
//                 logs to be contiguous from h
// Reading any of them checks the bound, the checksum, the tag and the batch number, and that
// nothing is left over: damage is a typed checkpoint_error naming the file.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../storage/error.hpp"
#include "../storage/file_system.hpp"
#include "../storage/small_file.hpp"
#include "../storage/writer.hpp"
#include "offset_codec.hpp"

namespace lineage::stream_detail {

namespace fs = std::filesystem;

struct stream_paths {
  fs::path root;
  fs::path offsets() const { return root / "offsets"; }
  fs::path commits() const { return root / "commits"; }
  fs::path state() const { return root / "state"; }
  fs::path signature() const { return root / "signature"; }
  fs::path lock() const { return root / "LOCK"; }
  fs::path log_start() const { return root / "log-start"; }
  fs::path offset_file(std::uint64_t b) const { return offsets() / std::to_string(b); }
  fs::path commit_file(std::uint64_t b) const { return commits() / std::to_string(b); }
};

inline constexpr char offsets_tag[4] = {'L', 'N', 'S', 'O'};
inline constexpr char commit_tag[4] = {'L', 'N', 'S', 'C'};
inline constexpr char log_start_tag[4] = {'L', 'N', 'S', 'P'};

// A batch number as the log names it: decimal, unpadded ("0", "17"), fits in 64 bits.
inline std::optional<std::uint64_t> parse_batch_name(std::string_view name) {
  if (name.empty() || name.size() > 20 || (name.size() > 1 && name[0] == '0')) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (ec != std::errc{} || end != name.data() + name.size()) return std::nullopt;
  return value;
}

// The batch numbers logged in `dir` (sorted); other names (a writer's ".tmp") are not entries.
inline std::vector<std::uint64_t> list_log(storage::file_system& fsys, const fs::path& dir) {
  std::vector<std::uint64_t> out;
  std::vector<storage::directory_entry> entries;
  try {
    entries = fsys.list_directory(dir);
  } catch (const checkpoint_error& e) {
    if (e.reason() == checkpoint_errc::not_found) return out;
    throw;
  }
  for (const auto& e : entries) {
    if (e.is_directory) continue;
    if (const auto b = parse_batch_name(e.name)) out.push_back(*b);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The batch numbers logged in `dir` from batch `first` on (sorted).
inline std::vector<std::uint64_t> list_log_from(storage::file_system& fsys, const fs::path& dir, std::uint64_t first) {
  auto all = list_log(fsys, dir);
  all.erase(all.begin(), std::lower_bound(all.begin(), all.end(), first));
  return all;
}

// Throws unless `batches` is exactly first, first+1, ..., first+n-1.
inline void require_contiguous(const std::vector<std::uint64_t>& batches, const fs::path& dir, std::uint64_t first = 0) {
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (batches[i] != first + i) {
      throw checkpoint_error(checkpoint_errc::not_found, dir,
                             lineage::detail::cat("the log has no entry for batch ", first + i,
                                                  " but has one for batch ", batches[i],
                                                  " (a gap: files were removed)"));
    }
  }
}

// Creates dir and its missing parents (as Spark does for a checkpoint location).
inline void ensure_directory(storage::file_system& fsys, const fs::path& dir, bool durable) {
  storage::detail::ensure_directory(fsys, storage::detail::normalized_directory(dir), durable);
}

template <class Offset>
void write_offset(storage::file_system& fsys, const stream_paths& paths, std::uint64_t b, const Offset& offset,
                  bool durable) {
  byte_writer w;
  w.bytes(offsets_tag, sizeof offsets_tag);
  w.u64(b);
  offset.encode(w);
  storage::write_small_file(paths.offset_file(b), w.data(), durable, fsys);
}

inline std::vector<std::byte> read_entry(storage::file_system& fsys, const fs::path& file) {
  auto bytes = storage::read_small_file(file, fsys);
  if (!bytes) throw checkpoint_error(checkpoint_errc::not_found, file, "the stream log entry is missing");
  return std::move(*bytes);
}

inline void check_entry_head(byte_reader& r, const char (&tag)[4], std::uint64_t b, const fs::path& file) {
  char got[4] = {};
  std::uint64_t number = 0;
  if (!r.bytes(got, sizeof got) || std::memcmp(got, tag, sizeof got) != 0 || !r.u64(number)) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, file, "not a stream log entry of this kind");
  }
  if (number != b) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, file,
                           lineage::detail::cat("the entry is for batch ", number, ", not ", b));
  }
}

template <class Offset>
Offset read_offset(storage::file_system& fsys, const stream_paths& paths, std::uint64_t b) {
  const auto file = paths.offset_file(b);
  const auto bytes = read_entry(fsys, file);
  byte_reader r(bytes);
  check_entry_head(r, offsets_tag, b, file);
  auto offset = Offset::decode(r);
  if (!offset || r.remaining() != 0) {
    throw checkpoint_error(checkpoint_errc::type_mismatch, file,
                           "the logged offset does not decode as this source's offset type");
  }
  return std::move(*offset);
}

inline void write_commit(storage::file_system& fsys, const stream_paths& paths, std::uint64_t b, bool durable) {
  byte_writer w;
  w.bytes(commit_tag, sizeof commit_tag);
  w.u64(b);
  storage::write_small_file(paths.commit_file(b), w.data(), durable, fsys);
}

inline void check_commit(storage::file_system& fsys, const stream_paths& paths, std::uint64_t b) {
  const auto file = paths.commit_file(b);
  const auto bytes = read_entry(fsys, file);
  byte_reader r(bytes);
  check_entry_head(r, commit_tag, b, file);
  if (r.remaining() != 0) throw checkpoint_error(checkpoint_errc::not_a_checkpoint, file, "trailing bytes");
}

inline std::optional<std::string> read_signature(storage::file_system& fsys, const stream_paths& paths) {
  auto bytes = storage::read_small_file(paths.signature(), fsys);
  if (!bytes) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

inline void write_signature(storage::file_system& fsys, const stream_paths& paths, std::string_view text,
                            bool durable) {
  storage::write_small_file(paths.signature(), std::as_bytes(std::span(text.data(), text.size())), durable, fsys);
}

// Removes a log entry if it is provably lineage's (a small file); anything else stays.
inline void remove_entry_if_ours(storage::file_system& fsys, const fs::path& file) {
  if (storage::detail::owner_of(fsys, file, storage::format::small_file_magic) == storage::detail::file_owner::lineage) {
    fsys.remove_file(file);
  }
}

// Removes the entries of the log `dir` below batch `end`, in ascending order (a purge cut
// short leaves the logs contiguous above what it removed).
inline void remove_log_below(storage::file_system& fsys, const fs::path& dir, std::uint64_t end) {
  for (const auto b : list_log(fsys, dir)) {
    if (b >= end) break;
    remove_entry_if_ours(fsys, dir / std::to_string(b));
  }
}

// The first batch the logs keep (0 if nothing was ever purged).
inline std::uint64_t read_log_start(storage::file_system& fsys, const stream_paths& paths) {
  const auto file = paths.log_start();
  auto bytes = storage::read_small_file(file, fsys);
  if (!bytes) return 0;
  byte_reader r(*bytes);
  char got[4] = {};
  std::uint64_t h = 0;
  if (!r.bytes(got, sizeof got) || std::memcmp(got, log_start_tag, sizeof got) != 0 || !r.u64(h) || r.remaining() != 0) {
    throw checkpoint_error(checkpoint_errc::not_a_checkpoint, file, "not a stream log-start record");
  }
  return h;
}

inline void write_log_start(storage::file_system& fsys, const stream_paths& paths, std::uint64_t h, bool durable) {
  byte_writer w;
  w.bytes(log_start_tag, sizeof log_start_tag);
  w.u64(h);
  storage::write_small_file(paths.log_start(), w.data(), durable, fsys);
}

}  // namespace lineage::stream_detail
