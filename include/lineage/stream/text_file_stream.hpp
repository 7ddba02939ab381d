// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::text_file_stream(dir, ln::text_file_stream_options{.max_files_per_batch = n}): each batch
// is the lines (std::string, '\n' stripped) of files that appeared in `dir`, taken in name
// order, each file once whatever its name (the offsets log records the names taken, not a
// high-water mark), at most n files a batch (0: every new file).
//
// The rename-in convention (as Spark's): a file must be complete when it appears. Writers create
// it elsewhere on the same file system (or in `dir` under a name starting with '.' or '_', or
// ending in ".tmp", which are never taken) and rename it in. Only regular files are taken (not
// links, not folders). A file named in the log but gone or changed in size on a replay is a
// checkpoint_error (not_found / truncated): a replay must read the same batch.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../storage/error.hpp"
#include "offset_codec.hpp"
#include "stream.hpp"

namespace lineage {

struct text_file_stream_options {
  std::size_t max_files_per_batch = 0;  // 0: every new file in one batch
};

// The files a batch takes, in name order, with their sizes when taken.
struct text_files_offset {
  std::vector<std::string> names;
  std::vector<std::uint64_t> sizes;

  void encode(stream_detail::byte_writer& w) const {
    stream_detail::write_strings(w, names);
    for (const auto s : sizes) w.u64(s);
  }
  static std::optional<text_files_offset> decode(stream_detail::byte_reader& r) {
    text_files_offset o;
    if (!stream_detail::read_strings(r, o.names) || r.remaining() / 8 < o.names.size()) return std::nullopt;
    o.sizes.resize(o.names.size());
    for (auto& s : o.sizes) {
      if (!r.u64(s)) return std::nullopt;
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

inline void read_lines(const std::filesystem::path& file, std::uint64_t size, std::vector<std::string>& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw checkpoint_error(checkpoint_errc::not_found, file, "a file the offsets log names cannot be opened");
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
    void taken(const offset& o) { taken_.insert(o.names.begin(), o.names.end()); }
    std::optional<offset> next() const {
      std::vector<std::pair<std::string, std::uint64_t>> fresh;
      std::error_code ec;
      std::filesystem::directory_iterator it(source_->dir_, ec);
      if (ec) return std::nullopt;  // no folder yet: nothing new
      for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const auto name = it->path().filename().string();
        if (stream_detail::hidden_name(name) || taken_.contains(name)) continue;
        std::error_code sec;
        if (!std::filesystem::is_regular_file(it->symlink_status(sec)) || sec) continue;
        const auto size = std::filesystem::file_size(it->path(), sec);
        if (sec) continue;
        fresh.emplace_back(name, size);
      }
      if (fresh.empty()) return std::nullopt;
      std::sort(fresh.begin(), fresh.end());
      const std::size_t max_files = source_->options_.max_files_per_batch;
      if (max_files != 0 && fresh.size() > max_files) fresh.resize(max_files);
      offset o;
      for (auto& [name, size] : fresh) {
        o.names.push_back(std::move(name));
        o.sizes.push_back(size);
      }
      return o;
    }

   private:
    const text_file_stream_source* source_;
    std::set<std::string> taken_;
  };

  cursor start() const { return cursor(*this); }

  std::vector<std::string> read(const offset& o) const {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < o.names.size(); ++i) stream_detail::read_lines(dir_ / o.names[i], o.sizes[i], lines);
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
