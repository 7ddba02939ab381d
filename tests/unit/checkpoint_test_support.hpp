#pragma once
// Helpers of the pipeline-level checkpoint and persist tests (checkpoint_test.cpp,
// persist_test.cpp): scratch directories, counting functions, and raw access to a checkpoint's
// generation directories and partition files (to delete or damage them).
#include <catch2/catch.hpp>
#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>
#include <lineage/persist.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <stdlib.h>  // mkdtemp, setenv

namespace ckpt_test {

namespace ln = lineage;
namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it.
class scratch_dir {
 public:
  explicit scratch_dir(const std::string& prefix = "lineage-ckpt-test-") {
    std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const noexcept { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// Non-durable options (no fsync): these tests are about the pipeline layer, not power loss.
inline ln::checkpoint_options fast(std::string version = {}) {
  ln::checkpoint_options options;
  options.version = std::move(version);
  options.durable = false;
  return options;
}

using lineage_test::count_calls;  // test_support.hpp

// The generation directories (g<N>) of a checkpoint directory, sorted by number.
inline std::vector<fs::path> generation_dirs(const fs::path& dir) {
  std::vector<std::pair<unsigned long long, fs::path>> found;
  if (!fs::exists(dir)) return {};
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.size() < 2 || name[0] != 'g') continue;
    if (!std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    found.emplace_back(std::stoull(name.substr(1)), entry.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

// The file of partition `index` in the current (newest) generation of `dir`.
inline fs::path partition_file(const fs::path& dir, std::size_t index) {
  const auto gens = generation_dirs(dir);
  REQUIRE(!gens.empty());
  std::string digits = std::to_string(index);
  digits.insert(0, digits.size() < 5 ? 5 - digits.size() : 0, '0');
  return gens.back() / ("part-" + digits);
}

inline std::vector<char> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const fs::path& file, const std::vector<char>& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  REQUIRE(out.good());
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// Flips one bit of the byte at `offset` (negative: from the end).
inline void flip_bit(const fs::path& file, long offset) {
  auto bytes = read_bytes(file);
  const auto at = offset >= 0 ? static_cast<std::size_t>(offset) : bytes.size() - static_cast<std::size_t>(-offset);
  REQUIRE(at < bytes.size());
  bytes[at] = static_cast<char>(bytes[at] ^ 0x10);
  write_bytes(file, bytes);
}

// The first payload byte of a partition file (after its 32-byte header; see storage/format.hpp).
inline constexpr long payload_offset = 32;

// Sets TMPDIR (which std::filesystem::temp_directory_path() reads) for its lifetime.
class scoped_tmpdir {
 public:
  explicit scoped_tmpdir(const fs::path& dir) {
    if (const char* old = std::getenv("TMPDIR")) {
      old_ = old;
      had_ = true;
    }
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  scoped_tmpdir(const scoped_tmpdir&) = delete;
  scoped_tmpdir& operator=(const scoped_tmpdir&) = delete;
  ~scoped_tmpdir() {
    if (had_) {
      ::setenv("TMPDIR", old_.c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

 private:
  std::string old_;
  bool had_ = false;
};

// Entries of `dir` whose name starts with `prefix`.
inline std::vector<fs::path> entries_named(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(prefix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ckpt_test
