// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::text_file_stream(dir, ln::text_file_stream_options{.max_files_per_batch = n}): each batch
// is the lines (std::string, '\n' stripped) of files that appeared in `dir`, taken in name
// order, each file once whatever its name (the offsets log records the names taken, not a
// high-water mark), at most n files a batch (0: every new file). A file is known by its name,
// size, modification time and inode: one replaced by another of the same name (renamed over
// it, or rewritten with another modification time) is a new file and is taken again.
//
// The rename-in convention (as Spark's): a file must be complete when it appears. Writers create
// it elsewhere on the same file system (or in `dir` under a name starting with '.' or '_', or
// ending in ".tmp", which are never taken) and rename it in. Only regular files are taken (not
// links, not folders). A file named in the log but gone or changed in size on a replay is a
// checkpoint_error (not_found / truncated), and one replaced since (another modification time
// or inode) is checksum_mismatch: a replay must read the same batch.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../storage/error.hpp"
#include "offset_codec.hpp"
#include "stream.hpp"

#include <sys/stat.h>

namespace lineage {

struct text_file_stream_options {
  std::size_t max_files_per_batch = 0;  // 0: every new file in one batch
};

// What tells one file of a name from another that replaced it.
struct text_file_stamp {
  std::uint64_t size = 0;
  std::uint64_t mtime_ns = 0;  // nanoseconds since the epoch, as a bit pattern (before 1970: wraps)
  std::uint64_t inode = 0;
  bool operator==(const text_file_stamp&) const = default;
};

// The files a batch takes, in name order, with their sizes when taken and, from a log written
// with stamps on, their modification times and inodes (empty in an older log: then a replay
// checks the sizes only, and a name is taken once).
struct text_files_offset {
  std::vector<std::string> names;
  std::vector<std::uint64_t> sizes;
  std::vector<std::uint64_t> mtimes_ns;
  std::vector<std::uint64_t> inodes;

  static constexpr std::uint64_t stamps_tag = 0x7374616d70730001;  // "stamps", version 1

  bool has_stamps() const noexcept { return !names.empty() && mtimes_ns.size() == names.size(); }
  std::optional<text_file_stamp> stamp(std::size_t i) const {
    if (!has_stamps()) return std::nullopt;
    return text_file_stamp{sizes[i], mtimes_ns[i], inodes[i]};
  }

  void encode(stream_detail::byte_writer& w) const {
    stream_detail::write_strings(w, names);
    for (const auto s : sizes) w.u64(s);
    if (!has_stamps()) return;
    w.u64(stamps_tag);
    for (std::size_t i = 0; i < names.size(); ++i) {
      w.u64(mtimes_ns[i]);
      w.u64(inodes[i]);
    }
  }
  static std::optional<text_files_offset> decode(stream_detail::byte_reader& r) {
    text_files_offset o;
    if (!stream_detail::read_strings(r, o.names) || r.remaining() / 8 < o.names.size()) return std::nullopt;
    o.sizes.resize(o.names.size());
    for (auto& s : o.sizes) {
      if (!r.u64(s)) return std::nullopt;
    }
    if (r.remaining() != 0) {  // the stamps (a log written before them ends here)
      std::uint64_t tag = 0;
      if (!r.u64(tag) || tag != stamps_tag || o.names.empty() || r.remaining() / 16 < o.names.size()) return std::nullopt;
      o.mtimes_ns.resize(o.names.size());
      o.inodes.resize(o.names.size());
      for (std::size_t i = 0; i < o.names.size(); ++i) {
        if (!r.u64(o.mtimes_ns[i]) || !r.u64(o.inodes[i])) return std::nullopt;
      }
    }
    for (const auto& n : o.names) {  // a plain name in dir: never a path elsewhere
      if (n.empty() || n == "." || n == ".." || n.find('/') != std::string::npos) return std::nullopt;
    }
    return o;
  }
};

namespace stream_detail {

inline bool hidden_name(std::string_view name) {
  return name.empty() || name.front() == '.' || name.front() == '_' || name.ends_with(".tmp");
}

// The stamp of a regular file (not following a link); nullopt for anything else or an error.
inline std::optional<text_file_stamp> regular_file_stamp(const std::filesystem::path& file) {
  struct ::stat st {};
  if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const auto ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  return text_file_stamp{static_cast<std::uint64_t>(st.st_size), ns, static_cast<std::uint64_t>(st.st_ino)};
}

inline void read_lines(const std::filesystem::path& file, std::uint64_t size, const std::optional<text_file_stamp>& stamp,
                       std::vector<std::string>& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw checkpoint_error(checkpoint_errc::not_found, file, "a file the offsets log names cannot be opened");
  if (stamp) {
    const auto now = regular_file_stamp(file);
    if (now && now->size == stamp->size && (now->mtime_ns != stamp->mtime_ns || now->inode != stamp->inode)) {
      throw checkpoint_error(checkpoint_errc::checksum_mismatch, file,
                             "the file was replaced or rewritten since it was taken (another modification time or "
                             "inode): a replay must read the same batch");
    }
  }
  std::error_code ec;  // the logged size is checked against the file before it sizes a buffer
  if (const auto actual = std::filesystem::file_size(file, ec); ec || actual != size) {
    throw checkpoint_error(checkpoint_errc::truncated, file,
                           lineage::detail::cat("the file is no longer the ", size, " bytes it had when taken"));
  }
  std::string content(static_cast<std::size_t>(size), '\0');
  in.read(content.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size || in.peek() != std::char_traits<char>::eof()) {
    throw checkpoint_error(checkpoint_errc::truncated, file,
                           lineage::detail::cat("the file is no longer the ", size, " bytes it had when taken"));
  }
  std::size_t begin = 0;
  while (begin < content.size()) {
    const auto end = content.find('\n', begin);
    if (end == std::string::npos) {
      out.push_back(content.substr(begin));  // a last line without '\n': the file is complete
      break;
    }
    out.push_back(content.substr(begin, end - begin));
    begin = end + 1;
  }
}

}  // namespace stream_detail

class text_file_stream_source {
 public:
  using element_type = std::string;
  using offset = text_files_offset;
  static constexpr std::string_view kind = "text_file_stream";

  text_file_stream_source(std::filesystem::path dir, text_file_stream_options options)
      : dir_(std::move(dir)), options_(options) {}

  class cursor {
   public:
    explicit cursor(const text_file_stream_source& s) : source_(&s) {}
    // The files of a logged batch. A name logged without stamps (an older log) stays taken
    // whatever replaces it.
    void taken(const offset& o) {
      for (std::size_t i = 0; i < o.names.size(); ++i) taken_[o.names[i]] = o.stamp(i);
    }
    std::optional<offset> next() const {
      std::vector<std::pair<std::string, text_file_stamp>> fresh;
      std::error_code ec;
      std::filesystem::directory_iterator it(source_->dir_, ec);
      if (ec) return std::nullopt;  // no folder yet: nothing new
      for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const auto name = it->path().filename().string();
        if (stream_detail::hidden_name(name)) continue;
        const auto stamp = stream_detail::regular_file_stamp(it->path());
        if (!stamp) continue;  // not a regular file (a link, a folder), or gone
        if (const auto t = taken_.find(name); t != taken_.end() && (!t->second || *t->second == *stamp)) continue;
        fresh.emplace_back(name, *stamp);
      }
      if (fresh.empty()) return std::nullopt;
      std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      const std::size_t max_files = source_->options_.max_files_per_batch;
      if (max_files != 0 && fresh.size() > max_files) fresh.resize(max_files);
      offset o;
      for (auto& [name, stamp] : fresh) {
        o.names.push_back(std::move(name));
        o.sizes.push_back(stamp.size);
        o.mtimes_ns.push_back(stamp.mtime_ns);
        o.inodes.push_back(stamp.inode);
      }
      return o;
    }

   private:
    const text_file_stream_source* source_;
    std::map<std::string, std::optional<text_file_stamp>> taken_;  // nullopt: taken, stamp unknown
  };

  cursor start() const { return cursor(*this); }

  std::vector<std::string> read(const offset& o) const {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < o.names.size(); ++i) {
      stream_detail::read_lines(dir_ / o.names[i], o.sizes[i], o.stamp(i), lines);
    }
    return lines;
  }

 private:
  std::filesystem::path dir_;
  text_file_stream_options options_;
};

struct text_file_stream_fn {
  auto operator()(std::filesystem::path dir, text_file_stream_options options = {}) const {
    return stream<text_file_stream_source>(text_file_stream_source(std::move(dir), options));
  }
};
inline constexpr text_file_stream_fn text_file_stream{};

}  // namespace lineage
