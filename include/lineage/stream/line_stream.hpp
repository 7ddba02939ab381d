// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::line_stream(path, ln::line_stream_options{.max_bytes_per_batch = n}): complete lines
// appended to one growing file (a log). A batch is the byte range [begin, end) after the
// previous batch's end, ending after the last '\n' within n bytes (or after the first '\n' if
// one line is longer: a batch holds at least one whole line); lines come out with '\n'
// stripped. A partial last line (no '\n' yet) waits for a later batch. Offset: the byte range.
// The file may not shrink: a replay of a logged range past its end is a checkpoint_error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../storage/error.hpp"
#include "offset_codec.hpp"
#include "stream.hpp"

namespace lineage {

struct line_stream_options {
  std::size_t max_bytes_per_batch = std::size_t{1} << 20;  // at least one whole line is taken
};

struct byte_range_offset {
  std::uint64_t begin = 0, end = 0;
  void encode(stream_detail::byte_writer& w) const {
    w.u64(begin);
    w.u64(end);
  }
  static std::optional<byte_range_offset> decode(stream_detail::byte_reader& r) {
    byte_range_offset o;
    if (!r.u64(o.begin) || !r.u64(o.end) || o.end < o.begin) return std::nullopt;
    return o;
  }
  friend bool operator==(const byte_range_offset&, const byte_range_offset&) = default;
};

class line_source {
 public:
  using element_type = std::string;
  using offset = byte_range_offset;
  static constexpr std::string_view kind = "line_stream";

  line_source(std::filesystem::path path, line_stream_options options) : path_(std::move(path)), options_(options) {
    if (options_.max_bytes_per_batch == 0) options_.max_bytes_per_batch = 1;
  }

  std::optional<offset> next(const std::optional<offset>& previous) const {
    const std::uint64_t begin = previous ? previous->end : 0;
    std::ifstream in(path_, std::ios::binary);
    if (!in) return std::nullopt;  // no file yet
    in.seekg(static_cast<std::streamoff>(begin));
    if (!in) return std::nullopt;
    // Scan in chunks for the last '\n' within max bytes, or the first one beyond.
    const std::uint64_t max_bytes = options_.max_bytes_per_batch;
    std::optional<std::uint64_t> end;
    std::uint64_t at = begin;
    std::vector<char> chunk(static_cast<std::size_t>(std::min<std::uint64_t>(max_bytes, 1 << 16)));
    while (true) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const auto got = static_cast<std::size_t>(in.gcount());
      if (got == 0) break;
      bool done = false;
      for (std::size_t i = 0; i < got && !done; ++i) {
        if (chunk[i] != '\n') continue;
        const std::uint64_t after = at + i + 1;
        if (after - begin <= max_bytes) {
          end = after;  // the last line end within max bytes so far
        } else {
          if (!end) end = after;  // one line longer than max_bytes: taken whole
          done = true;
        }
      }
      at += got;
      if (done || (end && at - begin >= max_bytes) || got < chunk.size()) break;
    }
    if (!end) return std::nullopt;  // no complete line yet
    return offset{begin, *end};
  }

  std::vector<std::string> read(const offset& o) const {
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw checkpoint_error(checkpoint_errc::not_found, path_, "the stream's log file cannot be opened");
    std::error_code ec;  // the logged range is checked against the file before it sizes a buffer
    if (const auto size = std::filesystem::file_size(path_, ec); ec || size < o.end) {
      throw checkpoint_error(checkpoint_errc::truncated, path_,
                             lineage::detail::cat("bytes ", o.begin, "..", o.end,
                                                  " named by the offsets log are past the end of the file"));
    }
    std::string bytes(static_cast<std::size_t>(o.end - o.begin), '\0');
    in.seekg(static_cast<std::streamoff>(o.begin));
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (static_cast<std::uint64_t>(in.gcount()) != bytes.size() || (!bytes.empty() && bytes.back() != '\n')) {
      throw checkpoint_error(checkpoint_errc::truncated, path_,
                             lineage::detail::cat("bytes ", o.begin, "..", o.end,
                                                  " named by the offsets log are no longer whole lines of the file"));
    }
    std::vector<std::string> lines;
    std::size_t from = 0;
    while (from < bytes.size()) {
      const auto nl = bytes.find('\n', from);
      lines.push_back(bytes.substr(from, nl - from));
      from = nl + 1;
    }
    return lines;
  }

 private:
  std::filesystem::path path_;
  line_stream_options options_;
};

struct line_stream_fn {
  auto operator()(std::filesystem::path path, line_stream_options options = {}) const {
    return stream<line_source>(line_source(std::move(path), options));
  }
};
inline constexpr line_stream_fn line_stream{};

}  // namespace lineage
