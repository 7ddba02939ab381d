// SPDX-License-Identifier: Apache-2.0
#pragma once
// checkpoint_writer: writes one new checkpoint generation into a directory, crash-safely.
//
// Protocol (durable = true):
//   construct: create dir (fsync its parent if created), lock dir/LOCK, remove what a crashed
//              writer left (MANIFEST.tmp, generations newer than the committed one, as far as
//              lineage provably wrote them: see detail::remove_generation), mkdir g<G> (a
//              name that already exists, as a folder or a link, is skipped: G is the first
//              free number), then g<G>/GENERATION before anything else
//   write_partition (parallel): g<G>/part-<i>: header, payload streamed through XXH3, trailer;
//              fsync; close (storage/partition_writer.hpp: other processes write their
//              partitions with a partition_writer, and commit takes their entries)
//   commit:    fsync g<G>/ and dir/ (the partition files' and g<G>'s entries), write MANIFEST.tmp,
//              fsync it, rename it to MANIFEST (the commit point), fsync dir; then delete older
//              generations beyond keep_last (best effort: the commit already happened)
//   destroyed without commit: removes g<G> and MANIFEST.tmp; nothing visible changed.
// A crash at any instant leaves the previous checkpoint or the new one, complete, never a mix:
// the manifest is replaced atomically and names only files that were durable before it was
// written; old generations are deleted only after the new manifest is durable.
//
// Failures: every I/O error throws checkpoint_error{io_error} and leaves the previous checkpoint
// loadable. A failed fsync is never retried. If the very last step (the fsync of dir after the
// rename) fails, the rename is undone: the previous manifest is written again as a new file,
// fsynced, and renamed over the new one (if any of that fails, the new manifest stays: its data
// is durable, and so are both generations). Either way both generations' files are kept,
// because the disk may hold either manifest's entry; the next writer, whose first step is an
// fsync of dir, removes the one the visible manifest does not name. The undo's data must be
// durable before that fsync can make its entry durable, or a power loss would leave a MANIFEST
// whose entry survived but whose bytes did not.
#include <lineage/storage/archive.hpp>
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>
#include <lineage/storage/format.hpp>
#include <lineage/storage/options.hpp>
#include <lineage/storage/partition_writer.hpp>
#include <lineage/storage/reader.hpp>
#include <lineage/storage/schema.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace lineage::storage {

namespace detail {

inline std::filesystem::path parent_or_current(const std::filesystem::path& path) {
  auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

// mkdir -p through fs; fsyncs the parent of each directory it creates when durable.
inline void ensure_directory(file_system& fs, const std::filesystem::path& dir, bool durable) {
  bool created = false;
  try {
    created = fs.create_directory(dir);
  } catch (const checkpoint_error& e) {
    const auto parent = dir.parent_path();
    if (e.reason() != checkpoint_errc::not_found || parent.empty() || parent == dir) throw;
    ensure_directory(fs, parent, durable);
    created = fs.create_directory(dir);
  }
  if (created && durable) fs.sync_directory(parent_or_current(dir));
}

}  // namespace detail

// Lock behaviour: the writer holds an exclusive, non-blocking flock on dir/LOCK for its whole
// lifetime. A second writer on the same dir (in this process or another) gets
// checkpoint_error{locked} at construction, immediately: it does not wait, so two programs that
// race to create the same checkpoint do not serialize silently; the caller decides (retry, or
// read what the first one committed). The kernel releases the lock if the holder dies.
// Readers do not lock: they see the last committed manifest. With keep_last = 1 a reader that
// read the previous manifest may find its partition files deleted by a concurrent commit
// (not_found); keep_last >= 2 keeps them for one more generation.
class checkpoint_writer {
 public:
  // Through the file system `options` name (checkpoint_options::file_system), or through `fs`.
  checkpoint_writer(std::filesystem::path dir, const checkpoint_options& options)
      : checkpoint_writer(std::move(dir), options, file_system_of(options)) {}
  checkpoint_writer(std::filesystem::path dir, const checkpoint_options& options, file_system& fs)
      : dir_(detail::normalized_directory(std::move(dir))),
        fs_(fs),
        options_(options),
        durable_(options.durable),
        keep_last_(std::max<std::size_t>(options.keep_last, 1)) {
    for (int attempt = 0; !lock_; ++attempt) {
      detail::ensure_directory(fs_, dir_, durable_);
      try {
        lock_ = fs_.lock(dir_ / format::lock_name);
      } catch (const checkpoint_error& e) {
        if (e.reason() != checkpoint_errc::not_found) throw;
        if (attempt == 3) {
          throw checkpoint_error(checkpoint_errc::not_found, dir_,
                                 "the directory keeps being removed while the writer starts (a concurrent "
                                 "remove_checkpoint?)");
        }
      }
    }
    recover_from_crashed_writer();
    create_generation_directory();
  }

  checkpoint_writer(const checkpoint_writer&) = delete;
  checkpoint_writer& operator=(const checkpoint_writer&) = delete;

  ~checkpoint_writer() {
    if (committed_) return;
    try {
      fs_.remove_file(dir_ / format::manifest_temp_name);
    } catch (...) {
    }
    if (!keep_generation_ && created_generation_) {
      try {
        // This writer created the folder: if it crashed before the marker, it is empty.
        if (!detail::remove_generation(fs_, dir_, generation_)) fs_.remove_directory(generation_directory());
      } catch (...) {
      }
    }
  }

  // Writes partition `index` (records serialized with cereal, streamed to the file through
  // XXH3). Thread-safe for distinct indices. Throws checkpoint_error{io_error} on I/O failure,
  // std::logic_error if the index was already written or the writer committed.
  template <class T>
  partition_info write_partition(std::size_t index, std::span<const T> records) {
    return write_records<std::remove_cv_t<T>>(index, records);
  }

  // The same for any input range of records (a count is kept while writing).
  template <std::ranges::input_range R>
  partition_info write_partition(std::size_t index, R&& records) {
    return write_records<std::remove_cvref_t<std::ranges::range_value_t<R>>>(index, records);
  }

  // The commit point: every partition 0..n-1 must have been written. Writes the manifest, makes
  // it durable, then deletes generations beyond keep_last. Returns the committed manifest.
  // The manifest records T's name and structural schema (schema.hpp) and `metadata` (bounded:
  // format.hpp; std::invalid_argument before anything is written if it exceeds the bounds).
  // `from` says what produced the data (format.hpp: cut to its bounds); the creation time is now.
  template <class T>
  manifest commit(std::uint64_t signature, std::string version, std::string partitioner,
                  metadata_list metadata = {}, provenance from = {}) {
    const element_schema& schema = schema_of<T>();
    return commit_manifest(element_type_name<T>(), &schema, signature, std::move(version), std::move(partitioner),
                           std::move(metadata), std::move(from));
  }

  // The same with the element type given by name: the schema recorded is that of the type the
  // partitions were written as, if its name is `element_type`; none otherwise (no partition
  // written, or another name), and such a checkpoint is matched by its type name alone.
  manifest commit(std::string_view element_type, std::uint64_t signature, std::string version,
                  std::string partitioner, metadata_list metadata = {}, provenance from = {}) {
    const element_schema* schema = nullptr;
    {
      std::lock_guard guard(mutex_);
      if (written_schema_ != nullptr && written_type_ == element_type) schema = written_schema_;
    }
    return commit_manifest(std::string(element_type), schema, signature, std::move(version), std::move(partitioner),
                           std::move(metadata), std::move(from));
  }

  // The commit of a checkpoint whose partitions were written by partition_writers (in this or
  // other processes) into generation(): `infos[i]` is partition i's entry as its writer
  // returned it. Each must name the file partition_writer makes for (generation(), i), and that
  // file must exist with the recorded size (it is not read again: its writer checksummed and,
  // when durable, fsynced it). Partitions written through this writer must agree with theirs.
  template <class T>
  manifest commit(std::vector<partition_info> infos, std::uint64_t signature, std::string version,
                  std::string partitioner, metadata_list metadata = {}, provenance from = {}) {
    adopt(std::move(infos));
    return commit<T>(signature, std::move(version), std::move(partitioner), std::move(metadata), std::move(from));
  }

  const std::filesystem::path& directory() const noexcept { return dir_; }
  std::uint64_t generation() const noexcept { return generation_; }
  bool committed() const noexcept { return committed_; }

 private:
  manifest commit_manifest(std::string element_type, const element_schema* schema, std::uint64_t signature,
                           std::string version, std::string partitioner, metadata_list metadata,
                           provenance from) {
    manifest m;
    m.element_type = std::move(element_type);
    if (schema != nullptr) {
      m.schema_hash = schema->hash;
      m.class_versions_hash = schema->class_versions_hash;
      m.schema_text = schema->text.substr(0, format::max_schema_text);
    }
    m.metadata = std::move(metadata);
    if (const auto what = format::invalid_v2_fields(m)) {
      throw std::invalid_argument(lineage::detail::cat("lineage: checkpoint_writer::commit: ", *what));
    }
    m.from = format::bounded_provenance(std::move(from));
    if (const auto what = format::invalid_v3_fields(m)) {
      throw std::invalid_argument(lineage::detail::cat("lineage: checkpoint_writer::commit: ", *what));
    }
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    m.created = static_cast<std::uint64_t>(
        std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count()));
    {
      std::lock_guard guard(mutex_);
      if (committed_) throw std::logic_error("lineage: checkpoint_writer::commit called twice");
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i] != slot::written) {
          throw std::logic_error(lineage::detail::cat("lineage: checkpoint_writer::commit: partition ", i,
                                                      slots_[i] == slot::failed ? " failed" : " was not written"));
        }
      }
      m.partitions = infos_;
    }
    m.format_version = manifest_format_version;
    m.signature = signature;
    m.version = std::move(version);
    m.partitioner = std::move(partitioner);
    m.generation = generation_;
    m.content_id = format::compute_content_id(m.partitions);
    const auto bytes = format::encode_manifest(m);
    if (bytes.size() > format::max_manifest_size) {  // a reader would refuse it
      throw std::length_error(lineage::detail::cat("lineage: checkpoint_writer::commit: a manifest of ", bytes.size(),
                                                   " bytes, more than the ", format::max_manifest_size,
                                                   " a manifest may have (too much metadata or too many partitions)"));
    }

    if (durable_) {
      fs_.sync_directory(generation_directory());  // the partition files' entries
      fs_.sync_directory(dir_);                    // g<G>'s entry
    }
    const auto temp = dir_ / format::manifest_temp_name;
    const auto target = dir_ / format::manifest_name;
    try {
      write_file(temp, bytes, durable_);
    } catch (...) {
      remove_quietly(temp);
      throw;
    }
    try {
      fs_.rename(temp, target);
    } catch (...) {
      keep_generation_ = true;  // rename's outcome on disk is unknown: keep what it may name
      remove_quietly(temp);
      throw;
    }
    if (durable_) {
      try {
        fs_.sync_directory(dir_);
      } catch (...) {
        keep_generation_ = true;
        undo_rename(temp, target);
        throw;
      }
    }
    {
      std::lock_guard guard(mutex_);
      committed_ = true;
    }
    remove_old_generations();
    return m;
  }

  enum class slot : unsigned char { empty, writing, written, failed };

  // A partition writer into this writer's generation folder (made by this writer: trusted).
  partition_writer files() const {
    return partition_writer(dir_, generation_, options_, fs_, partition_writer::marker_check::trusted);
  }

  void adopt(std::vector<partition_info> infos) {
    for (std::size_t i = 0; i < infos.size(); ++i) {
      const auto& info = infos[i];
      const std::string expected = format::partition_file_name(generation_, i);
      if (info.file != expected || !format::plausible_partition_size(info.records, info.bytes)) {
        throw std::invalid_argument(lineage::detail::cat("lineage: checkpoint_writer::commit: the entry of partition ", i,
                                                         " names '", info.file, "' with ", info.records, " records in ",
                                                         info.bytes, " bytes; expected a file '", expected, "'"));
      }
      {
        std::lock_guard guard(mutex_);
        if (i < slots_.size() && slots_[i] == slot::written) {
          if (infos_[i] != info) {
            throw std::invalid_argument(lineage::detail::cat("lineage: checkpoint_writer::commit: partition ", i,
                                                             " was written here with another entry"));
          }
          continue;
        }
      }
      const auto size = fs_.file_size(dir_ / info.file);  // not_found if it was never written
      if (size != info.bytes) {
        throw checkpoint_error(checkpoint_errc::truncated, dir_ / info.file,
                               lineage::detail::cat(size, " bytes, its writer reported ", info.bytes));
      }
      claim(i);
      std::lock_guard guard(mutex_);
      slots_[i] = slot::written;
      infos_[i] = info;
    }
    std::lock_guard guard(mutex_);
    if (slots_.size() > infos.size()) {
      throw std::invalid_argument(lineage::detail::cat("lineage: checkpoint_writer::commit: ", slots_.size(),
                                                       " partitions written, ", infos.size(), " entries given"));
    }
  }

  std::filesystem::path generation_directory() const {
    return dir_ / format::generation_directory_name(generation_);
  }

  // The writer replaces dir/MANIFEST and dir/MANIFEST.tmp: only if lineage wrote them.
  void refuse_foreign(std::string_view name) {
    if (detail::owner_of(fs_, dir_ / name, format::manifest_magic) == detail::file_owner::other) {
      throw checkpoint_error(checkpoint_errc::not_a_checkpoint, dir_ / name,
                             "is not a lineage manifest, and lineage does not replace files it did not write: "
                             "move it away or checkpoint into another directory");
    }
  }

  void recover_from_crashed_writer() {
    refuse_foreign(format::manifest_name);
    refuse_foreign(format::manifest_temp_name);
    std::optional<std::vector<std::byte>> bytes;
    std::optional<manifest> current;
    bool damaged = false;
    try {
      bytes = detail::read_manifest_bytes(dir_, fs_);
      if (bytes) current = format::decode_manifest(*bytes, dir_ / format::manifest_name);
    } catch (const checkpoint_error& e) {
      if (e.reason() == checkpoint_errc::io_error) throw;
      damaged = true;  // keep every generation: nothing says which one is committed
    }
    if (current) previous_manifest_ = std::move(bytes);
    fs_.remove_file(dir_ / format::manifest_temp_name);  // lineage's (refuse_foreign), or none
    std::uint64_t newest = current ? current->generation : 0;
    std::vector<std::uint64_t> stale;
    for (const auto& entry : fs_.list_directory(dir_)) {
      const auto generation = entry.is_directory ? format::parse_generation_directory(entry.name) : std::nullopt;
      if (!generation) continue;
      newest = std::max(newest, *generation);
      if (!damaged && (!current || *generation > current->generation)) stale.push_back(*generation);
    }
    if (!stale.empty()) {
      // A failed commit may have left the disk naming a newer generation than the visible
      // manifest; make the visible state durable before deleting what it does not name.
      if (durable_) fs_.sync_directory(dir_);
      for (const auto generation : stale) detail::remove_generation(fs_, dir_, generation);
    }
    generation_ = newest + 1;
  }

  // The first free g<G> from generation_ on: created by this writer (mkdir must create it: an
  // existing folder or link of that name is skipped, never written into), then marked as
  // lineage's own before anything else is written in it.
  void create_generation_directory() {
    for (std::uint64_t attempt = 0;; ++attempt, ++generation_) {
      if (generation_ > format::max_generation || attempt == 1000) {
        throw checkpoint_error(checkpoint_errc::io_error, dir_,
                               lineage::detail::cat("no free generation directory name from g", generation_ - attempt,
                                                    " on"));
      }
      if (fs_.create_directory(generation_directory())) break;
    }
    created_generation_ = true;
    try {
      const auto marker = format::encode_generation_marker(generation_);
      auto file = fs_.create_file(generation_directory() / format::generation_marker_name);
      detail::write_all(*file, marker.data(), marker.size());
      if (durable_) file->sync();  // after a power loss the marker still proves whose folder it is
      file->close();
    } catch (...) {
      // The destructor does not run for a constructor that throws. This writer just made the
      // folder: the marker it was writing is all there is in it.
      try {
        fs_.remove_file(generation_directory() / format::generation_marker_name);
        fs_.remove_directory(generation_directory());
      } catch (...) {
      }
      throw;
    }
  }

  template <class T, class R>
  partition_info write_records(std::size_t index, R& records) {
    static_assert(serializable<T>, LINEAGE_NOT_SERIALIZABLE_MESSAGE);
    if constexpr (serializable<T>) {
      note_element_type<T>();
      claim(index);
      try {
        auto info = files().template write_partition<T>(index, records);
        std::lock_guard guard(mutex_);
        slots_[index] = slot::written;
        infos_[index] = info;
        return info;
      } catch (...) {
        std::lock_guard guard(mutex_);
        slots_[index] = slot::failed;
        throw;
      }
    } else {
      return {};
    }
  }

  // The first element type written: its schema goes into a manifest committed by type name.
  template <class T>
  void note_element_type() {
    const element_schema& schema = schema_of<T>();
    std::lock_guard guard(mutex_);
    if (written_schema_ == nullptr) {
      written_schema_ = &schema;
      written_type_ = element_type_name<T>();
    }
  }

  void claim(std::size_t index) {
    std::lock_guard guard(mutex_);
    if (committed_) throw std::logic_error("lineage: checkpoint_writer::write_partition after commit");
    if (index >= slots_.size()) {
      slots_.resize(index + 1, slot::empty);
      infos_.resize(index + 1);
    }
    if (slots_[index] != slot::empty) {
      throw std::logic_error(lineage::detail::cat("lineage: checkpoint_writer: partition ", index, " written twice"));
    }
    slots_[index] = slot::writing;
  }

  void write_file(const std::filesystem::path& path, const std::vector<std::byte>& bytes, bool sync) {
    auto file = fs_.create_file(path);
    detail::write_all(*file, bytes.data(), bytes.size());
    if (sync) file->sync();
    file->close();
  }

  void remove_quietly(const std::filesystem::path& path) noexcept {
    try {
      fs_.remove_file(path);
    } catch (...) {
    }
  }

  // After the fsync of dir failed: put the previous manifest back (or none). Its bytes are made
  // durable before the rename, so that whatever makes the entry durable later (the next writer's
  // fsync of dir) cannot expose an empty file; if that fails the new manifest stays in place.
  void undo_rename(const std::filesystem::path& temp, const std::filesystem::path& target) noexcept {
    try {
      if (previous_manifest_) {
        write_file(temp, *previous_manifest_, true);
        fs_.rename(temp, target);
      } else {
        fs_.remove_file(target);
      }
    } catch (...) {
      remove_quietly(temp);
    }
  }

  // Best effort: the commit is done, a failure here only leaves an old generation behind (the
  // next commit deletes it).
  void remove_old_generations() noexcept {
    try {
      std::vector<std::uint64_t> generations;
      for (const auto& entry : fs_.list_directory(dir_)) {
        if (!entry.is_directory) continue;
        if (const auto g = format::parse_generation_directory(entry.name)) generations.push_back(*g);
      }
      std::sort(generations.begin(), generations.end(), std::greater<>());
      for (std::size_t i = keep_last_; i < generations.size(); ++i) {
        if (generations[i] == generation_) continue;
        detail::remove_generation(fs_, dir_, generations[i]);
      }
    } catch (...) {
    }
  }

  std::filesystem::path dir_;
  file_system& fs_;
  checkpoint_options options_;  // how partition files are written (durable, compression)
  bool durable_;
  std::size_t keep_last_;
  std::unique_ptr<file_lock> lock_;
  std::uint64_t generation_ = 0;
  bool created_generation_ = false;
  std::optional<std::vector<std::byte>> previous_manifest_;  // a valid one, for undo_rename
  std::mutex mutex_;
  std::vector<slot> slots_;
  std::vector<partition_info> infos_;
  const element_schema* written_schema_ = nullptr;  // schema_of<T>() of the records written
  std::string written_type_;                        // element_type_name<T>() of them
  bool committed_ = false;
  bool keep_generation_ = false;
};

}  // namespace lineage::storage
