#pragma once
// Helpers shared by the storage_*.cpp tests: temporary directories, whole-checkpoint writes and
// loads, raw file access, and the outcome of loading a (possibly damaged) checkpoint.
#include <lineage/storage/checkpoint_io.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace storage_test {

namespace fs = std::filesystem;
namespace st = lineage::storage;
using lineage::checkpoint_errc;
using lineage::checkpoint_error;

// A fresh directory under the system temp dir, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "lineage-storage-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const noexcept { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

template <class T>
using partitions = std::vector<std::vector<T>>;

inline lineage::checkpoint_options durable_options(std::size_t keep_last = 1) {
  lineage::checkpoint_options options;
  options.durable = true;
  options.keep_last = keep_last;
  return options;
}

inline lineage::checkpoint_options scratch_options(std::size_t keep_last = 1) {
  auto options = durable_options(keep_last);
  options.durable = false;
  return options;
}

template <class T>
st::manifest write_checkpoint(const fs::path& dir, const partitions<T>& parts,
                              const lineage::checkpoint_options& options = scratch_options(),
                              st::file_system& file_system = st::default_file_system(),
                              std::uint64_t signature = 7) {
  st::checkpoint_writer writer(dir, options, file_system);
  for (std::size_t i = 0; i < parts.size(); ++i) writer.write_partition(i, parts[i]);
  return writer.commit(st::element_type_name<T>(), signature, options.version, "none");
}

template <class T>
partitions<T> load_checkpoint(const fs::path& dir, st::file_system& file_system = st::default_file_system()) {
  const auto m = st::read_manifest<T>(dir, file_system);
  partitions<T> parts;
  for (std::size_t i = 0; i < m.partitions.size(); ++i) parts.push_back(st::load_partition<T>(dir, m, i, file_system));
  return parts;
}

// nullopt: the checkpoint loaded (and verified); otherwise the reason it did not. Any exception
// other than checkpoint_error escapes (and fails the test).
template <class T>
std::optional<checkpoint_errc> load_error(const fs::path& dir) {
  std::optional<checkpoint_errc> verify_reason;
  try {
    st::verify(dir);
  } catch (const checkpoint_error& e) {
    verify_reason = e.reason();
  }
  try {
    load_checkpoint<T>(dir);
  } catch (const checkpoint_error& e) {
    // verify() checks everything but decoding: if it failed, loading must fail too.
    return e.reason();
  }
  if (verify_reason) FAIL("verify() failed but the checkpoint loaded");
  return std::nullopt;
}

// The reason and message of what `action` throws; fails the test if it throws nothing.
template <class F>
checkpoint_error error_of(F&& action) {
  try {
    action();
  } catch (const checkpoint_error& e) {
    return e;
  }
  FAIL("no checkpoint_error thrown");
  throw std::logic_error("unreachable");
}

// The reason a checkpoint write into dir fails (nullopt if it commits).
inline std::optional<checkpoint_errc> error_of_write(const fs::path& dir) {
  try {
    write_checkpoint<int>(dir, {{9}});
  } catch (const checkpoint_error& e) {
    return e.reason();
  }
  return std::nullopt;
}

inline std::vector<std::byte> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

// Overwrites the file in place and then cuts it to size. (Not O_TRUNC: ext4 turns a rewrite
// after truncation to zero into a synchronous flush, which would make the sweeps slow.)
inline void write_bytes(const fs::path& path, const std::vector<std::byte>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ::ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<::off_t>(done));
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + path.string());
    }
    done += static_cast<std::size_t>(n);
  }
  const bool cut = ::ftruncate(fd, static_cast<::off_t>(bytes.size())) == 0;
  ::close(fd);
  if (!cut) throw std::runtime_error("cannot truncate " + path.string());
}

// Every path under dir, relative, directories with a trailing '/'.
inline std::set<std::string> tree(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    auto name = fs::relative(item.path(), dir).string();
    if (item.is_directory()) name += '/';
    out.insert(name);
  }
  return out;
}

// What a directory holding exactly one committed generation (and nothing stray) looks like.
inline std::set<std::string> clean_tree(const st::manifest& m) {
  const auto generation = st::format::generation_directory_name(m.generation);
  std::set<std::string> out{"LOCK", "MANIFEST", generation + "/",
                            generation + "/" + std::string(st::format::generation_marker_name)};
  for (const auto& p : m.partitions) out.insert(p.file);
  return out;
}

}  // namespace storage_test
