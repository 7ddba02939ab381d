// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::text_file(path, min_partitions = 0): the lines of a file, or of the regular files of a
// directory (not recursive, in name order), as Spark's textFile.
//
// Each file is cut into byte-range splits, as Hadoop's TextInputFormat does: at least
// `min_partitions` splits in all (0: one per 32 MiB), each read lazily by its own partition
// with a bounded buffer, never the whole file in memory. A line belongs to the split where it
// starts: a split other than a file's first skips up to and including the first '\n' at or
// after its start - 1, and the line crossing a split's end is read whole by that split. Lines
// end at '\n', which is stripped ('\r' is kept); empty lines and a final unterminated line count.
//
// The files are listed and measured when the plan runs (building does no I/O), so a pipeline
// run again after a file changed reads the new content. A backend runs only the partitions it
// owns, so each process (an MPI rank) reads only its splits.
//
// Content identity (a checkpoint's source identity): the name, size and modification time of
// each file. A missing path or a file that cannot be read throws std::filesystem::filesystem_error
// naming the path.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include "../core/interop.hpp"
#include "../core/pipeline.hpp"
#include "../core/sink.hpp"
#include "../exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "../plan/explain_builder.hpp"

namespace lineage {

namespace detail {

inline constexpr std::uint64_t default_text_split_bytes = std::uint64_t{32} << 20;  // 32 MiB
inline constexpr std::size_t default_text_buffer_bytes = std::size_t{64} << 10;      // 64 KiB

[[noreturn]] inline void throw_text_file_error(const std::string& what, const std::filesystem::path& path,
                                               int error) {
  throw std::filesystem::filesystem_error("ln::text_file: " + what, path, std::error_code(error, std::generic_category()));
}

struct text_file_entry {
  std::filesystem::path path;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
};

inline text_file_entry stat_text_file(const std::filesystem::path& path, const struct stat& st) {
  return {path, static_cast<std::uint64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

// The files `path` names: itself, or a directory's regular files (links followed) in name order.
inline std::vector<text_file_entry> list_text_files(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_text_file_error("cannot read input path", path, errno);
  if (S_ISREG(st.st_mode)) return {stat_text_file(path, st)};
  if (!S_ISDIR(st.st_mode)) throw_text_file_error("not a regular file or a directory", path, EINVAL);
  std::vector<std::filesystem::path> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path());
  }
  if (ec) throw std::filesystem::filesystem_error("ln::text_file: cannot list directory", path, ec);
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return a.filename().native() < b.filename().native(); });
  std::vector<text_file_entry> files;
  for (const auto& name : names) {
    struct stat file {};
    if (::stat(name.c_str(), &file) != 0) {
      if (errno == ENOENT) continue;  // removed (or a dangling link) since the listing
      throw_text_file_error("cannot read input file", name, errno);
    }
    if (S_ISREG(file.st_mode)) files.push_back(stat_text_file(name, file));
  }
  return files;
}

// A byte range [begin, end) of file `file`; begin == end is an empty split (no I/O).
struct text_split {
  std::size_t file = 0;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

struct text_file_layout {
  std::vector<text_file_entry> files;
  std::vector<text_split> splits;
};

// Cuts the files into at least max(min_partitions, 1) splits of at most 32 MiB each (and of
// total / min_partitions bytes when that is smaller), padding with empty splits when there are
// fewer bytes than partitions asked for.
inline text_file_layout layout_text_files(std::vector<text_file_entry> files, std::size_t min_partitions,
                                          std::uint64_t max_split_bytes = default_text_split_bytes) {
  std::uint64_t total = 0;
  for (const auto& f : files) total += f.size;
  std::uint64_t split_bytes = max_split_bytes;
  if (min_partitions != 0) split_bytes = std::clamp<std::uint64_t>(total / min_partitions, 1, max_split_bytes);
  text_file_layout out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::uint64_t size = files[i].size;
    if (size == 0) continue;  // no lines: no split needed
    for (std::uint64_t begin = 0; begin < size; begin += std::min(split_bytes, size - begin)) {
      out.splits.push_back({i, begin, begin + std::min(split_bytes, size - begin)});
    }
  }
  const std::size_t wanted = std::max<std::size_t>(min_partitions, 1);
  while (out.splits.size() < wanted) out.splits.push_back({});
  out.files = std::move(files);
  return out;
}

// Reads a file forward from an offset through a fixed-size buffer.
class buffered_file_reader {
 public:
  buffered_file_reader(const std::filesystem::path& path, std::uint64_t offset, std::size_t buffer_bytes)
      : path_(&path), buffer_(std::max<std::size_t>(buffer_bytes, 1)), offset_(offset) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw_text_file_error("cannot open input file", path, errno);
  }
  buffered_file_reader(const buffered_file_reader&) = delete;
  buffered_file_reader& operator=(const buffered_file_reader&) = delete;
  ~buffered_file_reader() { ::close(fd_); }

  // The file offset of the next byte to consume.
  std::uint64_t offset() const noexcept { return offset_; }

  // Consumes bytes up to and including the next '\n'; false if the file ended first.
  bool skip_past_newline() {
    while (fill()) {
      const char* nl = find_newline();
      if (nl != nullptr) {
        consume(static_cast<std::size_t>(nl - (buffer_.data() + pos_)) + 1);
        return true;
      }
      consume(len_ - pos_);
    }
    return false;
  }

  // Reads the next line into `line` (its '\n' consumed, not stored); false at end of file.
  bool read_line(std::string& line) {
    line.clear();
    bool any = false;
    while (fill()) {
      any = true;
      const char* start = buffer_.data() + pos_;
      const char* nl = find_newline();
      if (nl != nullptr) {
        line.append(start, nl);
        consume(static_cast<std::size_t>(nl - start) + 1);
        return true;
      }
      line.append(start, len_ - pos_);
      consume(len_ - pos_);
    }
    return any;
  }

 private:
  const char* find_newline() const {
    const char* start = buffer_.data() + pos_;
    return static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
  }
  void consume(std::size_t n) {
    pos_ += n;
    offset_ += n;
  }
  // Makes bytes available; false at end of file.
  bool fill() {
    if (pos_ < len_) return true;
    for (;;) {
      const ::ssize_t got = ::pread(fd_, buffer_.data(), buffer_.size(), static_cast<::off_t>(offset_));
      if (got >= 0) {
        pos_ = 0;
        len_ = static_cast<std::size_t>(got);
        return got > 0;
      }
      if (errno != EINTR) throw_text_file_error("cannot read input file", *path_, errno);
    }
  }

  const std::filesystem::path* path_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::uint64_t offset_;
  int fd_ = -1;
};

class text_file_producer {
 public:
  text_file_producer(std::shared_ptr<const text_file_layout> layout, std::size_t buffer_bytes)
      : layout_(std::move(layout)), buffer_bytes_(buffer_bytes) {}

  std::size_t partitions() const { return layout_->splits.size(); }
  std::optional<std::size_t> size_hint(std::size_t) const { return std::nullopt; }

  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    const text_split& split = layout_->splits[partition];
    if (split.begin == split.end) return;
    buffered_file_reader reader(layout_->files[split.file].path, split.begin == 0 ? 0 : split.begin - 1,
                                buffer_bytes_);
    // Not the file's first split: the line that starts before `begin` is the previous split's.
    if (split.begin != 0 && !reader.skip_past_newline()) return;
    std::string line;
    while (reader.offset() < split.end && reader.read_line(line)) {
      sink(std::move(line));
      if constexpr (Sink::can_stop) {
        if (sink.stopped()) return;
      }
      line = std::string();
    }
  }

 private:
  std::shared_ptr<const text_file_layout> layout_;
  std::size_t buffer_bytes_;
};

}  // namespace detail

class text_file_source : public pipeline_interface<text_file_source> {
 public:
  using reference = std::string;
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t stages = 1;

  // read_buffer_bytes: the size of each partition's read buffer (tests make it tiny).
  explicit text_file_source(std::filesystem::path path, std::size_t min_partitions = 0,
                            std::size_t read_buffer_bytes = detail::default_text_buffer_bytes)
      : path_(std::move(path)), min_partitions_(min_partitions), buffer_bytes_(read_buffer_bytes) {}

  const std::filesystem::path& path() const noexcept { return path_; }
  std::size_t min_partitions() const noexcept { return min_partitions_; }

  // Lists the files and cuts them into splits (I/O: stat and a directory listing).
  detail::text_file_layout layout() const {
    return detail::layout_text_files(detail::list_text_files(path_), min_partitions_);
  }

  template <class Ctx>
  detail::text_file_producer producer(const Ctx&) const {
    return detail::text_file_producer(std::make_shared<const detail::text_file_layout>(layout()), buffer_bytes_);
  }

  void explain_into(plan::explain_builder& out) const {
    out.source("text_file(" + path_.string() + ", min_partitions=" + std::to_string(min_partitions_) + ")");
  }

  // The content identity (found by argument-dependent lookup from checkpoint.hpp): the name,
  // size and modification time of every file read, and the partitioning asked for.
  friend std::uint64_t content_identity(const text_file_source& s) {
    XXH3_state_t state;
    XXH3_64bits_reset(&state);
    const std::uint64_t head[2] = {s.files_identity_tag, static_cast<std::uint64_t>(s.min_partitions_)};
    XXH3_64bits_update(&state, head, sizeof head);
    for (const auto& f : detail::list_text_files(s.path_)) {
      const std::string& name = f.path.native();
      const std::uint64_t fields[3] = {name.size(), f.size, static_cast<std::uint64_t>(f.mtime_ns)};
      XXH3_64bits_update(&state, fields, sizeof fields);
      XXH3_64bits_update(&state, name.data(), name.size());
    }
    return XXH3_64bits_digest(&state);
  }

 private:
  static constexpr std::uint64_t files_identity_tag = 0x7465787466696c65;  // "textfile"
  std::filesystem::path path_;
  std::size_t min_partitions_;
  std::size_t buffer_bytes_;
};

struct text_file_fn {
  text_file_source operator()(std::filesystem::path path, std::size_t min_partitions = 0) const {
    return text_file_source(std::move(path), min_partitions);
  }
};
inline constexpr text_file_fn text_file{};

}  // namespace lineage
