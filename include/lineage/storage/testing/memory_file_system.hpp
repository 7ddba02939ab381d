// SPDX-License-Identifier: Apache-2.0
#pragma once
// An in-memory file_system: fast, for fuzzing the reader and for tests that need no real disk.
// Installed on purpose as a testing API (README, "Storage"): no library header includes it;
// code built on lineage's storage can test its crash safety with it.
// Paths are compared after lexically_normal(); "/" and "." always exist. Thread-safe.
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace lineage::storage::testing {

class memory_file_system : public file_system {
 public:
  using bytes = std::vector<std::byte>;

  // Direct access for tests and fuzzers.
  void put(const std::filesystem::path& path, std::span<const std::byte> content) {
    std::lock_guard guard(state_->mutex);
    state_->files[key(path)] = std::make_shared<bytes>(content.begin(), content.end());
  }
  void put_directory(const std::filesystem::path& path) {
    std::lock_guard guard(state_->mutex);
    for (auto p = std::filesystem::path(key(path)); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      state_->dirs.insert(p.string());
    }
  }
  std::optional<bytes> get(const std::filesystem::path& path) const {
    std::lock_guard guard(state_->mutex);
    const auto it = state_->files.find(key(path));
    if (it == state_->files.end()) return std::nullopt;
    return *it->second;
  }

  std::unique_ptr<writable_file> create_file(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    require_parent(path);
    if (state_->files.contains(key(path)) || is_directory(key(path))) {
      throw checkpoint_error(checkpoint_errc::io_error, path, "create failed: File exists");
    }
    auto content = std::make_shared<bytes>();
    state_->files[key(path)] = content;
    return std::make_unique<writer>(content, state_);
  }

  std::unique_ptr<readable_file> open_file(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    const auto it = state_->files.find(key(path));
    if (it == state_->files.end()) throw checkpoint_error(checkpoint_errc::not_found, path, "open: no such file");
    return std::make_unique<reader>(it->second, state_);
  }

  void rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    std::lock_guard guard(state_->mutex);
    const auto it = state_->files.find(key(from));
    if (it == state_->files.end()) throw checkpoint_error(checkpoint_errc::io_error, from, "rename: no such file");
    require_parent(to);
    auto content = it->second;
    state_->files.erase(it);
    state_->files[key(to)] = std::move(content);
  }

  bool remove_file(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    return state_->files.erase(key(path)) != 0;
  }

  bool remove_directory(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    const auto k = key(path);
    if (!state_->dirs.contains(k)) return false;
    if (!children(k).empty()) throw checkpoint_error(checkpoint_errc::io_error, path, "rmdir: directory not empty");
    state_->dirs.erase(k);
    return true;
  }

  bool create_directory(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    const auto k = key(path);
    if (is_directory(k)) return false;
    if (state_->files.contains(k)) throw checkpoint_error(checkpoint_errc::io_error, path, "mkdir: a file exists");
    require_parent(path);
    state_->dirs.insert(k);
    return true;
  }

  void sync_directory(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    if (!is_directory(key(path))) throw checkpoint_error(checkpoint_errc::not_found, path, "fsync: no such directory");
  }

  std::vector<directory_entry> list_directory(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    const auto k = key(path);
    if (!is_directory(k)) throw checkpoint_error(checkpoint_errc::not_found, path, "list: no such directory");
    return children(k);
  }

  std::uint64_t file_size(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    const auto it = state_->files.find(key(path));
    if (it == state_->files.end()) throw checkpoint_error(checkpoint_errc::not_found, path, "stat: no such file");
    return it->second->size();
  }

  std::unique_ptr<file_lock> lock(const std::filesystem::path& path) override {
    std::lock_guard guard(state_->mutex);
    require_parent(path);
    const auto k = key(path);
    if (!state_->files.contains(k)) state_->files[k] = std::make_shared<bytes>();
    if (!state_->locks.insert(k).second) {
      throw checkpoint_error(checkpoint_errc::locked, path, "another checkpoint writer holds the lock on this directory");
    }
    return std::make_unique<held_lock>(state_, k);
  }

 private:
  struct state {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<bytes>> files;
    std::set<std::string> dirs;
    std::set<std::string> locks;
  };

  class writer final : public writable_file {
   public:
    writer(std::shared_ptr<bytes> content, std::shared_ptr<state> s) : content_(std::move(content)), state_(std::move(s)) {}
    std::size_t write_some(const std::byte* data, std::size_t size) override {
      std::lock_guard guard(state_->mutex);
      content_->insert(content_->end(), data, data + size);
      return size;
    }
    void sync() override {}
    void close() override {}

   private:
    std::shared_ptr<bytes> content_;
    std::shared_ptr<state> state_;
  };

  class reader final : public readable_file {
   public:
    reader(std::shared_ptr<bytes> content, std::shared_ptr<state> s) : content_(std::move(content)), state_(std::move(s)) {}
    std::uint64_t size() override {
      std::lock_guard guard(state_->mutex);
      return content_->size();
    }
    std::size_t read_some(std::uint64_t offset, std::byte* out, std::size_t size) override {
      std::lock_guard guard(state_->mutex);
      if (offset >= content_->size()) return 0;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, content_->size() - offset));
      std::memcpy(out, content_->data() + offset, n);
      return n;
    }

   private:
    std::shared_ptr<bytes> content_;
    std::shared_ptr<state> state_;
  };

  class held_lock final : public file_lock {
   public:
    held_lock(std::shared_ptr<state> s, std::string k) : state_(std::move(s)), key_(std::move(k)) {}
    ~held_lock() override {
      std::lock_guard guard(state_->mutex);
      state_->locks.erase(key_);
    }

   private:
    std::shared_ptr<state> state_;
    std::string key_;
  };

  static std::string key(const std::filesystem::path& path) {
    auto text = path.lexically_normal().string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    if (text.empty()) text = ".";
    return text;
  }

  bool is_directory(const std::string& k) const { return k == "/" || k == "." || state_->dirs.contains(k); }

  void require_parent(const std::filesystem::path& path) const {
    auto parent = std::filesystem::path(key(path)).parent_path();
    const auto k = parent.empty() ? std::string(".") : key(parent);
    if (!is_directory(k)) throw checkpoint_error(checkpoint_errc::not_found, path, "no such directory");
  }

  std::vector<directory_entry> children(const std::string& dir) const {
    std::vector<directory_entry> result;
    const auto matches = [&](const std::string& k) {
      auto parent = std::filesystem::path(k).parent_path().string();
      if (parent.empty()) parent = ".";
      return parent == dir && k != dir;
    };
    for (const auto& d : state_->dirs) {
      if (matches(d)) result.push_back({std::filesystem::path(d).filename().string(), true});
    }
    for (const auto& [k, content] : state_->files) {
      if (matches(k)) result.push_back({std::filesystem::path(k).filename().string(), false});
    }
    return result;
  }

  std::shared_ptr<state> state_ = std::make_shared<state>();
};

}  // namespace lineage::storage::testing
