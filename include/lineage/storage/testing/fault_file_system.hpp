// SPDX-License-Identifier: Apache-2.0
#pragma once
// A fault-injecting file_system for tests (POSIX underneath, real files).
// Installed on purpose as a testing API (README, "Storage"): no library header includes it;
// code built on lineage's storage can test its crash safety with it.
//
// Faults: the k-th operation from now fails with EIO or ENOSPC (it does nothing and throws
// checkpoint_error{io_error}), or the k-th write is short and the disk is full from then on, or
// the process "crashes" at the k-th operation: that operation and every later one throw
// simulated_crash (nothing more reaches the disk) until simulate_crash() is called.
//
// Power-loss model, for everything under `root` (after LevelDB's fault-injection test, made
// stricter about renames):
//   - a file's contents are durable up to the length it had at its last successful fsync;
//   - a directory's entries are durable as they were at its last successful fsync: entries
//     created since then (files, directories, rename targets) disappear, and a name that a rename
//     replaced or moved away gets its old file back;
//   - removals (unlink, rmdir) are durable at once (the adversarial choice for a writer that
//     deletes old data: a deletion may reach the disk before the creations that preceded it).
// simulate_crash() applies that model to the real files, then treats the result as durable.
//
// Also records every operation (log()) and whether an fsync was retried on a file or directory
// after an fsync of it had failed (sync_retried_after_failure()).
//
// By default fsyncs are only modelled, not passed to the kernel: power loss is simulated, so the
// real ones would only cost time (set_real_sync(true) passes them through).
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lineage::storage::testing {

class simulated_crash : public std::runtime_error {
 public:
  simulated_crash() : std::runtime_error("simulated crash") {}
};

enum class fault_kind { eio, enospc, short_write, crash };

class fault_file_system : public file_system {
 public:
  // `scratch` holds bookkeeping hard links: same file system as root, outside root.
  fault_file_system(std::filesystem::path root, std::filesystem::path scratch)
      : root_(std::filesystem::absolute(root).lexically_normal()),
        scratch_(std::filesystem::absolute(scratch).lexically_normal()) {
    std::filesystem::create_directories(scratch_);
  }

  ~fault_file_system() override {
    std::error_code ec;
    for (const auto& [ino, path] : backups_) std::filesystem::remove(path, ec);
  }

  // Arms one fault at the `at`-th operation from now (1 = the next one); for short_write, the
  // `at`-th write from now.
  void arm(fault_kind kind, std::uint64_t at) {
    std::lock_guard guard(mutex_);
    armed_ = true;
    fired_ = false;
    kind_ = kind;
    target_ = (kind == fault_kind::short_write ? writes_ : operations_) + at;
  }

  void disarm() {
    std::lock_guard guard(mutex_);
    armed_ = false;
    disk_full_ = false;
  }

  // Forget earlier fsync failures (a new writer may fsync what an old one failed to).
  void clear_sync_failures() {
    std::lock_guard guard(mutex_);
    failed_dir_syncs_.clear();
  }

  void set_real_sync(bool on) {
    std::lock_guard guard(mutex_);
    real_sync_ = on;
  }

  // Every write writes at most half of what it is asked (at least 1 byte).
  void set_partial_writes(bool on) {
    std::lock_guard guard(mutex_);
    partial_writes_ = on;
  }

  bool fired() const {
    std::lock_guard guard(mutex_);
    return fired_;
  }
  bool crashed() const {
    std::lock_guard guard(mutex_);
    return crashed_;
  }
  std::uint64_t operation_count() const {
    std::lock_guard guard(mutex_);
    return operations_;
  }
  std::uint64_t write_count() const {
    std::lock_guard guard(mutex_);
    return writes_;
  }
  std::vector<std::string> log() const {
    std::lock_guard guard(mutex_);
    return log_;
  }
  void clear_log() {
    std::lock_guard guard(mutex_);
    log_.clear();
  }
  bool sync_retried_after_failure() const {
    std::lock_guard guard(mutex_);
    return sync_retried_;
  }

  // Applies the power-loss model to the files under root, then starts afresh: the state after
  // the "reboot" is durable, faults are disarmed.
  void simulate_crash() {
    std::lock_guard guard(mutex_);
    std::vector<std::string> dirs;
    for (const auto& kept : durable_) dirs.push_back(kept.first);
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
    for (const auto& dir : dirs) {
      if (!std::filesystem::is_directory(dir)) continue;
      const auto& durable = durable_.at(dir);
      const auto current = snapshot(dir);
      for (const auto& [name, now] : current) {
        const auto path = std::filesystem::path(dir) / name;
        const auto it = durable.find(name);
        if (it == durable.end()) {
          std::filesystem::remove_all(path);
        } else if (it->second.ino != now.ino) {
          std::filesystem::remove_all(path);
          restore(it->second, path);
        }
      }
      for (const auto& [name, was] : durable) {
        if (!current.contains(name)) restore(was, std::filesystem::path(dir) / name);
      }
    }
    if (std::filesystem::exists(root_)) {
      for (const auto& item : std::filesystem::recursive_directory_iterator(root_)) {
        if (!item.is_regular_file()) continue;
        struct ::stat st {};
        if (::stat(item.path().c_str(), &st) != 0) continue;
        const auto it = synced_.find(st.st_ino);
        if (it != synced_.end() && static_cast<std::uint64_t>(st.st_size) > it->second) {
          std::filesystem::resize_file(item.path(), it->second);
        }
      }
    }
    durable_.clear();
    synced_.clear();
    std::error_code ec;
    for (const auto& [ino, path] : backups_) std::filesystem::remove(path, ec);
    backups_.clear();
    crashed_ = false;
    armed_ = false;
    disk_full_ = false;
    failed_dir_syncs_.clear();
  }

  // file_system ---------------------------------------------------------------------------
  std::unique_ptr<writable_file> create_file(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    operation("create", path);
    track_parent(path);
    auto inner = posix_.create_file(path);
    struct ::stat st {};
    if (::stat(path.c_str(), &st) != 0) detail::throw_errno("stat", path, errno);
    synced_[st.st_ino] = 0;
    return std::make_unique<file>(*this, std::move(inner), path, st.st_ino);
  }

  std::unique_ptr<readable_file> open_file(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    operation("open", path);
    return std::make_unique<reader>(*this, posix_.open_file(path), path);
  }

  void rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    std::lock_guard guard(mutex_);
    operation("rename", from, to.filename().string());
    track_parent(from);
    track_parent(to);
    keep_durable_entry(from);
    keep_durable_entry(to);
    posix_.rename(from, to);
  }

  bool remove_file(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    operation("unlink", path);
    track_parent(path);
    const bool removed = posix_.remove_file(path);
    if (removed) forget_entry(path);
    return removed;
  }

  bool remove_directory(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    operation("rmdir", path);
    track_parent(path);
    const bool removed = posix_.remove_directory(path);
    if (removed) {
      forget_entry(path);
      const auto prefix = key(path);
      std::erase_if(durable_, [&](const auto& item) {
        return item.first == prefix || item.first.starts_with(prefix + "/");
      });
    }
    return removed;
  }

  bool create_directory(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    operation("mkdir", path);
    track_parent(path);
    const bool created = posix_.create_directory(path);
    if (created && under_root(path)) durable_[key(path)] = {};
    return created;
  }

  void sync_directory(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    const auto k = key(path);
    if (failed_dir_syncs_.contains(k)) sync_retried_ = true;
    try {
      operation("syncdir", path);
    } catch (const checkpoint_error&) {
      failed_dir_syncs_.insert(k);
      throw;
    }
    if (real_sync_) posix_.sync_directory(path);
    if (under_root(path)) durable_[k] = snapshot(k);
  }

  std::vector<directory_entry> list_directory(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    operation("list", path);
    return posix_.list_directory(path);
  }

  std::uint64_t file_size(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    operation("stat", path);
    return posix_.file_size(path);
  }

  std::unique_ptr<file_lock> lock(const std::filesystem::path& path) override {
    std::lock_guard guard(mutex_);
    operation("lock", path);
    track_parent(path);
    return posix_.lock(path);
  }

 private:
  struct entry {
    ino_t ino = 0;
    bool is_directory = false;
  };
  using entries = std::map<std::string, entry>;

  class file final : public writable_file {
   public:
    file(fault_file_system& fs, std::unique_ptr<writable_file> inner, std::filesystem::path path, ino_t ino)
        : fs_(fs), inner_(std::move(inner)), path_(std::move(path)), ino_(ino) {}

    std::size_t write_some(const std::byte* data, std::size_t size) override {
      std::lock_guard guard(fs_.mutex_);
      ++fs_.writes_;
      const bool short_write = fs_.armed_ && !fs_.fired_ && fs_.kind_ == fault_kind::short_write &&
                               fs_.writes_ == fs_.target_;
      fs_.operation("write", path_, std::to_string(size));
      if (short_write) {
        fs_.fired_ = true;
        fs_.disk_full_ = true;
        if (size / 2 == 0) detail::throw_errno("write", path_, ENOSPC);
        const std::size_t written = inner_->write_some(data, size / 2);
        written_ += written;
        return written;
      }
      if (fs_.disk_full_) detail::throw_errno("write", path_, ENOSPC);
      const std::size_t ask = fs_.partial_writes_ ? std::max<std::size_t>(1, size / 2) : size;
      const std::size_t written = inner_->write_some(data, ask);
      written_ += written;
      return written;
    }

    void sync() override {
      std::lock_guard guard(fs_.mutex_);
      if (sync_failed_) fs_.sync_retried_ = true;
      try {
        fs_.operation("sync", path_);
        if (fs_.real_sync_) inner_->sync();
      } catch (const checkpoint_error&) {
        sync_failed_ = true;
        throw;
      }
      fs_.synced_[ino_] = written_;
    }

    void close() override {
      std::lock_guard guard(fs_.mutex_);
      try {
        fs_.operation("close", path_);
      } catch (const checkpoint_error&) {
        inner_.reset();  // the descriptor is released whatever close() reports
        throw;
      }
      inner_->close();
    }

   private:
    fault_file_system& fs_;
    std::unique_ptr<writable_file> inner_;
    std::filesystem::path path_;
    ino_t ino_;
    std::uint64_t written_ = 0;
    bool sync_failed_ = false;
  };

  class reader final : public readable_file {
   public:
    reader(fault_file_system& fs, std::unique_ptr<readable_file> inner, std::filesystem::path path)
        : fs_(fs), inner_(std::move(inner)), path_(std::move(path)) {}

    std::uint64_t size() override {
      std::lock_guard guard(fs_.mutex_);
      fs_.operation("fstat", path_);
      return inner_->size();
    }

    std::size_t read_some(std::uint64_t offset, std::byte* out, std::size_t size) override {
      std::lock_guard guard(fs_.mutex_);
      fs_.operation("read", path_, std::to_string(size));
      return inner_->read_some(offset, out, size);
    }

   private:
    fault_file_system& fs_;
    std::unique_ptr<readable_file> inner_;
    std::filesystem::path path_;
  };

  // Counts an operation and fires the armed fault if it is this one. Caller holds mutex_.
  void operation(std::string_view name, const std::filesystem::path& path, std::string_view extra = {}) {
    if (crashed_) throw simulated_crash();
    ++operations_;
    std::string line = lineage::detail::cat(operations_, " ", name, " ", path.native());
    if (!extra.empty()) line += lineage::detail::cat(" ", extra);
    log_.push_back(std::move(line));
    if (!armed_ || fired_ || kind_ == fault_kind::short_write || operations_ != target_) return;
    fired_ = true;
    switch (kind_) {
      case fault_kind::crash: crashed_ = true; throw simulated_crash();
      case fault_kind::eio: detail::throw_errno(name, path, EIO);
      case fault_kind::enospc: detail::throw_errno(name, path, ENOSPC);
      case fault_kind::short_write: break;
    }
  }

  std::string key(const std::filesystem::path& path) const {
    auto normal = std::filesystem::absolute(path).lexically_normal();
    auto text = normal.string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    return text;
  }

  bool under_root(const std::filesystem::path& path) const {
    const auto k = key(path);
    const auto r = root_.string();
    return k == r || k.starts_with(r + "/");
  }

  static entries snapshot(const std::string& dir) {
    entries result;
    ::DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return result;
    while (const ::dirent* item = ::readdir(d)) {
      const std::string name(item->d_name);
      if (name == "." || name == "..") continue;
      struct ::stat st {};
      if (::lstat(lineage::detail::cat(dir, "/", name).c_str(), &st) != 0) continue;
      result[name] = entry{st.st_ino, S_ISDIR(st.st_mode)};
    }
    ::closedir(d);
    return result;
  }

  // Starts modelling the directory that holds `path`: what it holds now counts as durable.
  void track_parent(const std::filesystem::path& path) {
    const auto parent = key(std::filesystem::absolute(path).parent_path());
    if (!under_root(parent) || durable_.contains(parent)) return;
    durable_[parent] = snapshot(parent);
  }

  // `path` is about to be replaced or moved away: if it is a durable entry, keep its file so
  // that a crash can bring it back.
  void keep_durable_entry(const std::filesystem::path& path) {
    const auto parent = key(std::filesystem::absolute(path).parent_path());
    const auto it = durable_.find(parent);
    if (it == durable_.end()) return;
    const auto found = it->second.find(std::filesystem::path(path).filename().string());
    if (found == it->second.end() || backups_.contains(found->second.ino)) return;
    if (found->second.is_directory) throw std::logic_error("fault_file_system: renaming directories is not modelled");
    const auto backup = scratch_ / lineage::detail::cat("ino-", found->second.ino);
    if (::link(path.c_str(), backup.c_str()) != 0) detail::throw_errno("link (fault model)", path, errno);
    backups_[found->second.ino] = backup;
  }

  void forget_entry(const std::filesystem::path& path) {
    const auto parent = key(std::filesystem::absolute(path).parent_path());
    const auto it = durable_.find(parent);
    if (it != durable_.end()) it->second.erase(std::filesystem::path(path).filename().string());
  }

  void restore(const entry& durable, const std::filesystem::path& path) {
    const auto backup = backups_.find(durable.ino);
    if (backup == backups_.end()) {
      throw std::logic_error(lineage::detail::cat("fault_file_system: no saved file to restore ", path.native()));
    }
    if (::link(backup->second.c_str(), path.c_str()) != 0) detail::throw_errno("link (fault model)", path, errno);
  }

  std::filesystem::path root_;
  std::filesystem::path scratch_;
  posix_file_system posix_;
  mutable std::mutex mutex_;
  std::uint64_t operations_ = 0;
  std::uint64_t writes_ = 0;
  bool armed_ = false;
  bool fired_ = false;
  fault_kind kind_ = fault_kind::eio;
  std::uint64_t target_ = 0;
  bool crashed_ = false;
  bool disk_full_ = false;
  bool partial_writes_ = false;
  bool real_sync_ = false;
  bool sync_retried_ = false;
  std::set<std::string> failed_dir_syncs_;
  std::vector<std::string> log_;
  std::map<std::string, entries> durable_;   // directory -> entries at its last fsync
  std::map<ino_t, std::uint64_t> synced_;    // file -> length at its last fsync
  std::map<ino_t, std::filesystem::path> backups_;
};

}  // namespace lineage::storage::testing
