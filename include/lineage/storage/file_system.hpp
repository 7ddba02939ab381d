// SPDX-License-Identifier: Apache-2.0
#pragma once
// The file-system interface through which all checkpoint file I/O goes, and its POSIX
// implementation. Tests substitute a fault-injecting implementation
// (lineage/storage/testing/fault_file_system.hpp) or an in-memory one (memory_file_system.hpp).
//
// Error convention: every operation reports failure by throwing lineage::checkpoint_error with
// reason io_error (naming the path, the operation and the errno text), except where noted:
// opening a missing file throws not_found, taking a lock that another writer holds throws locked.
//
// Links and special files: the last component of a path is never followed when it is a
// symbolic link (O_NOFOLLOW): files are created only where no name exists (O_EXCL), so nothing
// is ever written through a link planted in a checkpoint directory; a file opened for reading
// must be a regular file (a FIFO or a device is not_a_checkpoint, and opening it never blocks).
// The directories leading to a path are the caller's: a checkpoint directory may be reached
// through a link the user made.
#include <lineage/storage/error.hpp>
#include <lineage/storage/options.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace lineage::storage {

// A file open for appending. Not thread-safe; distinct files may be used from distinct threads.
class writable_file {
 public:
  virtual ~writable_file() = default;
  // Writes at most `size` (> 0) bytes at the end of the file and returns how many were written
  // (at least 1: a short count is not an error; the caller writes the rest).
  virtual std::size_t write_some(const std::byte* data, std::size_t size) = 0;
  // Makes the data written so far durable (fdatasync). A failed sync is never retried: after a
  // failure the state of the file's dirty pages is unknown, so every later sync() throws too.
  virtual void sync() = 0;
  // Closes the file, reporting errors. The destructor closes silently if close() was not called.
  virtual void close() = 0;
};

// A file open for reading at explicit offsets. Thread-compatible.
class readable_file {
 public:
  virtual ~readable_file() = default;
  virtual std::uint64_t size() = 0;
  // Reads up to `size` bytes at `offset`; returns the count read, 0 only at end of file.
  virtual std::size_t read_some(std::uint64_t offset, std::byte* out, std::size_t size) = 0;
  // True if the file may have holes (a sparse file: an apparent size the disk does not hold).
  // lineage never writes holes, so a reader verifies such a file before allocating for it.
  virtual bool may_have_holes() { return false; }
};

// An exclusive lock; released when destroyed (and by the kernel if the process dies).
class file_lock {
 public:
  virtual ~file_lock() = default;
};

struct directory_entry {
  std::string name;
  bool is_directory = false;
};

class file_system {
 public:
  virtual ~file_system() = default;
  // Creates a new file for writing; throws io_error if the name exists (whatever it is: a file,
  // a link, a directory). Replacing a file is done by rename().
  virtual std::unique_ptr<writable_file> create_file(const std::filesystem::path& path) = 0;
  // Opens an existing regular file for reading; throws not_found if it does not exist,
  // not_a_checkpoint if it is a symbolic link or not a regular file.
  virtual std::unique_ptr<readable_file> open_file(const std::filesystem::path& path) = 0;
  // Atomically replaces `to` by `from`.
  virtual void rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // Returns false if the file did not exist.
  virtual bool remove_file(const std::filesystem::path& path) = 0;
  // Removes an empty directory; returns false if it did not exist. Throws io_error if it is not
  // empty (the caller decides whether that matters).
  virtual bool remove_directory(const std::filesystem::path& path) = 0;
  // Creates one directory (not its parents); returns false if the name already existed as a
  // directory or as a symbolic link (the caller must then not assume it created anything).
  virtual bool create_directory(const std::filesystem::path& path) = 0;
  // Makes the directory's entries (creations, renames, removals) durable.
  virtual void sync_directory(const std::filesystem::path& path) = 0;
  // The entries of a directory, without "." and ".."; throws not_found if it does not exist.
  virtual std::vector<directory_entry> list_directory(const std::filesystem::path& path) = 0;
  // Throws not_found if the file does not exist.
  virtual std::uint64_t file_size(const std::filesystem::path& path) = 0;
  // Creates `path` if needed and takes an exclusive lock on it without waiting: throws
  // checkpoint_error{locked} if another holder (in this or another process) has it.
  virtual std::unique_ptr<file_lock> lock(const std::filesystem::path& path) = 0;
};

namespace detail {

[[noreturn]] inline void throw_errno(std::string_view operation, const std::filesystem::path& path,
                                     int error) {
  throw checkpoint_error(checkpoint_errc::io_error, path, lineage::detail::cat(operation, " failed: ", std::strerror(error)));
}

[[noreturn]] inline void throw_open_errno(std::string_view operation, const std::filesystem::path& path,
                                          int error) {
  if (error == ENOENT || error == ENOTDIR) {
    throw checkpoint_error(checkpoint_errc::not_found, path, lineage::detail::cat(operation, ": no such file"));
  }
  throw_errno(operation, path, error);
}

class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

class posix_writable_file final : public writable_file {
 public:
  posix_writable_file(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  ~posix_writable_file() override {
    if (fd_ >= 0) ::close(fd_);
  }

  std::size_t write_some(const std::byte* data, std::size_t size) override {
    for (;;) {
      const ::ssize_t written = ::write(fd_, data, size);
      if (written > 0) return static_cast<std::size_t>(written);
      if (written < 0 && errno == EINTR) continue;
      throw_errno("write", path_, written == 0 ? EIO : errno);
    }
  }

  void sync() override {
    if (sync_failed_) {
      throw checkpoint_error(checkpoint_errc::io_error, path_, "fsync failed earlier; not retried");
    }
#if defined(__linux__)
    const int rc = ::fdatasync(fd_);
#else
    const int rc = ::fsync(fd_);
#endif
    if (rc != 0) {
      sync_failed_ = true;
      throw_errno("fsync", path_, errno);
    }
  }

  void close() override {
    // Not retried on EINTR: on Linux the descriptor is released whatever close() returns.
    const int rc = ::close(std::exchange(fd_, -1));
    if (rc != 0 && errno != EINTR) throw_errno("close", path_, errno);
  }

 private:
  int fd_;
  std::filesystem::path path_;
  bool sync_failed_ = false;
};

class posix_readable_file final : public readable_file {
 public:
  posix_readable_file(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  ~posix_readable_file() override { ::close(fd_); }

  std::uint64_t size() override {
    struct ::stat st {};
    if (::fstat(fd_, &st) != 0) throw_errno("fstat", path_, errno);
    return static_cast<std::uint64_t>(st.st_size);
  }

  std::size_t read_some(std::uint64_t offset, std::byte* out, std::size_t size) override {
    for (;;) {
      const ::ssize_t got = ::pread(fd_, out, size, static_cast<::off_t>(offset));
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno == EINTR) continue;
      throw_errno("read", path_, errno);
    }
  }

  bool may_have_holes() override {
#if defined(SEEK_HOLE)
    const ::off_t end = static_cast<::off_t>(size());
    const ::off_t hole = ::lseek(fd_, 0, SEEK_HOLE);
    return hole >= 0 && hole < end;  // without SEEK_HOLE support the file is one data extent
#else
    return false;
#endif
  }

 private:
  int fd_;
  std::filesystem::path path_;
};

class posix_file_lock final : public file_lock {
 public:
  explicit posix_file_lock(int fd) noexcept : fd_(fd) {}
  ~posix_file_lock() override { ::close(fd_); }  // closing the descriptor releases the flock

 private:
  int fd_;
};

}  // namespace detail

// The default implementation: POSIX calls, errno -> checkpoint_error{io_error}. Stateless and
// thread-safe.
//
// Locking uses flock(2) on a lock file: the lock belongs to the open file description, so a
// second writer is excluded whether it is in another process or in this one, and the kernel
// releases it when its holder dies (a crashed writer never leaves a stale lock).
class posix_file_system : public file_system {
 public:
  std::unique_ptr<writable_file> create_file(const std::filesystem::path& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) detail::throw_open_errno("create", path, errno);
    return std::make_unique<detail::posix_writable_file>(fd, path);
  }

  std::unique_ptr<readable_file> open_file(const std::filesystem::path& path) override {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; cleared once it is known to be a
    // regular file (where it changes nothing anyway).
    detail::fd_guard fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ELOOP) throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "is a symbolic link");
      detail::throw_open_errno("open", path, errno);
    }
    struct ::stat st {};
    if (::fstat(fd.get(), &st) != 0) detail::throw_errno("fstat", path, errno);
    if (!S_ISREG(st.st_mode)) {
      throw checkpoint_error(checkpoint_errc::not_a_checkpoint, path,
                             S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file (a FIFO, socket or device)");
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) detail::throw_errno("fcntl", path, errno);
    return std::make_unique<detail::posix_readable_file>(fd.release(), path);
  }

  void rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      detail::throw_errno(lineage::detail::cat("rename to '", to.native(), "'"), from, errno);
    }
  }

  bool remove_file(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    detail::throw_errno("unlink", path, errno);
  }

  bool remove_directory(const std::filesystem::path& path) override {
    if (::rmdir(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    detail::throw_errno("rmdir", path, errno);
  }

  bool create_directory(const std::filesystem::path& path) override {
    for (int attempt = 0;; ++attempt) {
      if (::mkdir(path.c_str(), 0755) == 0) return true;
      const int error = errno;
      if (error != EEXIST) detail::throw_open_errno("mkdir", path, error);  // ENOENT: a parent is missing
      struct ::stat st {};
      if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) return false;
        detail::throw_errno("mkdir", path, ENOTDIR);  // exists, and is not a directory
      }
      // Removed between mkdir and lstat (a concurrent remove_checkpoint): try again.
      if (errno != ENOENT || attempt == 3) detail::throw_errno("lstat after mkdir", path, errno);
    }
  }

  void sync_directory(const std::filesystem::path& path) override {
    detail::fd_guard fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) detail::throw_open_errno("open directory", path, errno);
    if (::fsync(fd.get()) != 0) detail::throw_errno("fsync directory", path, errno);
  }

  std::vector<directory_entry> list_directory(const std::filesystem::path& path) override {
    ::DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) detail::throw_open_errno("opendir", path, errno);
    std::vector<directory_entry> entries;
    struct closer {
      ::DIR* d;
      ~closer() { ::closedir(d); }
    } close_at_exit{dir};
    for (;;) {
      errno = 0;
      const ::dirent* entry = ::readdir(dir);
      if (entry == nullptr) {
        if (errno != 0) detail::throw_errno("readdir", path, errno);
        break;
      }
      const std::string_view name(entry->d_name);
      if (name == "." || name == "..") continue;
      bool is_directory = false;
#if defined(_DIRENT_HAVE_D_TYPE)
      if (entry->d_type != DT_UNKNOWN) {
        is_directory = entry->d_type == DT_DIR;
      } else
#endif
      {
        struct ::stat st {};
        const auto full = path / std::string(name);
        if (::lstat(full.c_str(), &st) == 0) is_directory = S_ISDIR(st.st_mode);
      }
      entries.push_back({std::string(name), is_directory});
    }
    return entries;
  }

  std::uint64_t file_size(const std::filesystem::path& path) override {
    struct ::stat st {};
    if (::stat(path.c_str(), &st) != 0) detail::throw_open_errno("stat", path, errno);
    return static_cast<std::uint64_t>(st.st_size);
  }

  std::unique_ptr<file_lock> lock(const std::filesystem::path& path) override {
    // Retry a few times if the lock file was replaced between open() and flock() (only
    // remove_checkpoint unlinks it), so that two holders can never lock two different inodes.
    for (int attempt = 0; attempt < 16; ++attempt) {
      detail::fd_guard fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (fd.get() < 0) detail::throw_open_errno("open lock file", path, errno);
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        if (error == EWOULDBLOCK) {
          throw checkpoint_error(checkpoint_errc::locked, path,
                                 "another checkpoint writer holds the lock on this directory");
        }
        detail::throw_errno("flock", path, error);
      }
      struct ::stat held {}, current {};
      if (::fstat(fd.get(), &held) != 0) detail::throw_errno("fstat lock file", path, errno);
      if (::stat(path.c_str(), &current) == 0 && current.st_ino == held.st_ino &&
          current.st_dev == held.st_dev) {
        return std::make_unique<detail::posix_file_lock>(fd.release());
      }
    }
    throw checkpoint_error(checkpoint_errc::locked, path, "the lock file keeps being replaced");
  }
};

inline file_system& default_file_system() {
  static posix_file_system instance;
  return instance;
}

// The file system a checkpoint's options name, or the POSIX one.
inline file_system& file_system_of(const checkpoint_options& options) {
  return options.file_system != nullptr ? *options.file_system : default_file_system();
}

// Helpers used by the checkpoint code: loops around the primitive operations.
namespace detail {

inline void write_all(writable_file& file, const std::byte* data, std::size_t size) {
  while (size > 0) {
    const std::size_t written = file.write_some(data, size);
    data += written;
    size -= written;
  }
}

// Reads exactly `size` bytes at `offset`; returns false if the file ended first.
inline bool read_exact(readable_file& file, std::uint64_t offset, std::byte* out, std::size_t size) {
  while (size > 0) {
    const std::size_t got = file.read_some(offset, out, size);
    if (got == 0) return false;
    offset += got;
    out += got;
    size -= got;
  }
  return true;
}

}  // namespace detail

}  // namespace lineage::storage
