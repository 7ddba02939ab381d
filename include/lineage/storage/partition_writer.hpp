// SPDX-License-Identifier: Apache-2.0
#pragma once
// partition_writer: writes partition files into a generation that a checkpoint_writer created,
// possibly in another process. The storage split of a distributed checkpoint:
//
//   process 0:  checkpoint_writer w(dir, options);          // lock, clean up, mkdir g<G>, marker
//               ... tells every process G ...
//   every one:  partition_writer pw(dir, G, options);        // checks g<G>'s marker
//               infos[i] = pw.write_partition(i, records_i); // only its own partitions
//               ... sends its infos to process 0 ...
//   process 0:  w.commit<T>(infos, signature, version, partitioner);   // the commit point
//
// checkpoint_writer::write_partition is this same writer for the single-process case.
//
// File protocol (format.hpp): create g<G>/part-<i> (O_EXCL: never an existing file, never
// through a link), header, payload streamed through XXH3, trailer; fsync when durable; close.
// A file is only ever created inside a generation folder that carries lineage's marker for
// that generation, so a late or confused process cannot write into a folder lineage did not
// make (or that a newer writer has since removed).
#include <lineage/storage/archive.hpp>
#include <lineage/storage/compression.hpp>
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>
#include <lineage/storage/format.hpp>
#include <lineage/storage/options.hpp>
#include <lineage/storage/reader.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace lineage::storage {

namespace detail {

inline std::filesystem::path normalized_directory(std::filesystem::path dir) {
  dir = dir.lexically_normal();
  if (dir.has_relative_path() && dir.filename().empty()) dir = dir.parent_path();  // "a/b/" -> "a/b"
  return dir;
}

}  // namespace detail

class partition_writer {
 public:
  // Throws checkpoint_error{not_found} if dir/g<generation> does not carry the marker of that
  // generation (not created by a checkpoint_writer, or already removed).
  // Through the file system `options` name (checkpoint_options::file_system), or through `fs`.
  partition_writer(std::filesystem::path dir, std::uint64_t generation, const checkpoint_options& options)
      : partition_writer(std::move(dir), generation, options, file_system_of(options)) {}
  partition_writer(std::filesystem::path dir, std::uint64_t generation, const checkpoint_options& options,
                   file_system& fs)
      : partition_writer(detail::normalized_directory(std::move(dir)), generation, options, fs, marker_check::verify) {}

  // Writes partition `index` (records serialized with cereal, streamed to the file through
  // XXH3) and returns its manifest entry. Thread-safe; each index at most once per generation
  // (a second attempt finds the file and throws io_error: files are created exclusively).
  template <class T, std::ranges::input_range R>
  partition_info write_partition(std::size_t index, R&& records) const {
    static_assert(serializable<T>, LINEAGE_NOT_SERIALIZABLE_MESSAGE);
    if constexpr (serializable<T>) {
      return write_file_of<T>(index, records);
    } else {
      return {};
    }
  }
  // The element type taken from the range.
  template <std::ranges::input_range R>
  partition_info write_partition(std::size_t index, R&& records) const {
    return write_partition<std::remove_cvref_t<std::ranges::range_value_t<R>>>(index, std::forward<R>(records));
  }

  const std::filesystem::path& directory() const noexcept { return dir_; }
  std::uint64_t generation() const noexcept { return generation_; }

 private:
  friend class checkpoint_writer;  // which made the folder itself: nothing to verify
  enum class marker_check { verify, trusted };

  partition_writer(std::filesystem::path dir, std::uint64_t generation, const checkpoint_options& options,
                   file_system& fs, marker_check check)
      : dir_(std::move(dir)),
        generation_(generation),
        durable_(options.durable),
        compression_(options.compression),
        level_(options.compression_level),
        fs_(&fs) {
    if (check == marker_check::verify) verify_marker();
  }

  void verify_marker() const {
    const auto folder = dir_ / format::generation_directory_name(generation_);
    const auto marker = format::encode_generation_marker(generation_);
    if (!detail::is_prefix_file(*fs_, folder / format::generation_marker_name, marker) ||
        fs_->file_size(folder / format::generation_marker_name) != marker.size()) {
      throw checkpoint_error(checkpoint_errc::not_found, folder,
                             "no generation folder made by lineage's checkpoint writer for this generation "
                             "(removed by a newer writer, or never created)");
    }
  }

  template <class T, class R>
  partition_info write_file_of(std::size_t index, R& records) const {
    const std::string name = format::partition_file_name(generation_, index);
    auto file = fs_->create_file(dir_ / name);
    if (compression_ == compression::zstd) {
      const auto header = format::encode_partition_header(generation_, index, compressed_partition_format_version);
      detail::write_all(*file, header.data(), header.size());
      detail::zstd_writable_file compressor(*file, level_);
      hashing_output_archive archive(&compressor);
      const std::uint64_t count = write_records<T>(archive, records);
      archive.flush();
      compressor.finish();
      return finish_file(*file, name, count, compressor.compressed_bytes(), compressor.digest());
    }
    hashing_output_archive archive(file.get());
    const auto header = format::encode_partition_header(generation_, index);
    archive.write_unhashed(header.data(), header.size());
    const std::uint64_t count = write_records<T>(archive, records);
    return finish_file(*file, name, count, archive.payload_size(), archive.digest(), &archive);
  }

  // Serializes the records into `archive`; returns their count. The count bound: a reader
  // bounds every count by the bytes left (so that damage cannot make it allocate without
  // limit), and elements that serialize to nothing would break that bound.
  template <class T, class R>
  static std::uint64_t write_records(hashing_output_archive& archive, R& records) {
    std::uint64_t count = 0;
    if constexpr (std::ranges::contiguous_range<R> && std::ranges::sized_range<R> && detail::raw_block_v<T>) {
      count = std::ranges::size(records);
      archive.save_bytes(std::ranges::data(records), static_cast<std::size_t>(count) * sizeof(T));
    } else {
      for (auto&& record : records) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(record)>, T>) {
          archive(record);
        } else {  // proxy references (std::vector<bool>)
          const T value = record;
          archive(value);
        }
        ++count;
      }
    }
    const std::uint64_t bytes = archive.payload_size();
    if (count > bytes || archive.max_claim() > bytes) {
      throw std::length_error(lineage::detail::cat(
          "lineage: cannot checkpoint '", element_type_name<T>(),
          "': it holds more elements than serialized bytes (elements that serialize to zero bytes)"));
    }
    return count;
  }

  // Trailer (through `archive` when the payload went through it, so that it is flushed in
  // order), fsync when durable, close.
  partition_info finish_file(writable_file& file, const std::string& name, std::uint64_t count,
                             std::uint64_t payload, std::uint64_t checksum,
                             hashing_output_archive* archive = nullptr) const {
    const auto trailer = format::encode_partition_trailer(count, payload, checksum);
    if (archive != nullptr) {
      archive->write_unhashed(trailer.data(), trailer.size());
      archive->flush();
    } else {
      detail::write_all(file, trailer.data(), trailer.size());
    }
    if (durable_) file.sync();
    file.close();
    return partition_info{name, count, payload + format::partition_overhead, checksum};
  }

  std::filesystem::path dir_;
  std::uint64_t generation_;
  bool durable_;
  compression compression_;
  int level_;
  file_system* fs_;
};

}  // namespace lineage::storage
