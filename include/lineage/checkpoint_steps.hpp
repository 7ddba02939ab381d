// SPDX-License-Identifier: Apache-2.0
#pragma once
// The steps of writing and loading a checkpoint, written once for every execution backend
// (exec/backend.hpp): one process (ln::seq, ln::par) or many (ln::mpi::world), each holding
// only the partitions its backend owns.
//
//   write:  the leader opens the new generation (checkpoint_writer: lock, clean-up, g<G>) and
//           shares G; every process writes its own partitions (partition_writer); their
//           entries are gathered; the leader commits the manifest (the commit point) and
//           shares it; all return after the commit.
//   read:   the leader reads the manifest and shares it; every process loads its partitions;
//           the outcome of every partition (loaded, or why not) is gathered, so every process
//           takes the same decision (use it, repair some partitions, recompute it all, throw).
// A failure anywhere reaches every process at the next shared step (exec/shared_failure.hpp):
// every process throws, none waits for one that has thrown. In one process the shared steps
// are plain function calls.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "checkpointed.hpp"
#include "core/partitioned.hpp"
#include "exec/observation.hpp"
#include "exec/shared_failure.hpp"
#include "storage/checkpoint_io.hpp"
#include "storage/partition_writer.hpp"
#include "storage/stored_partitions.hpp"

namespace lineage::detail {

template <class T>
typename checkpointed<T>::origin origin_of(const std::filesystem::path& dir, const storage::manifest& m,
                                          bool recovered) {
  return {dir,          recovered, m.total_bytes(), m.content_id, m.version, m.partitioner, {},
          {m.metadata.begin(), m.metadata.end()}, m.from.lineage, m.created, {}};
}

// A manifest as it travels between processes (its on-disk encoding), or the failure to get it.
struct shared_manifest {
  std::optional<std::string> bytes;
  std::optional<shared_failure> failure;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(bytes, failure);
  }

  static shared_manifest of(const storage::manifest& m) {
    const auto encoded = storage::format::encode_manifest(m);
    return {std::string(reinterpret_cast<const char*>(encoded.data()), encoded.size()), std::nullopt};
  }
  storage::manifest decode(const std::filesystem::path& dir) const {
    return storage::format::decode_manifest(std::as_bytes(std::span(bytes->data(), bytes->size())),
                                            dir / storage::format::manifest_name);
  }
};

// The leader runs `decide()` (returning std::optional<storage::manifest>: none = no checkpoint
// to use) and every process returns its outcome; a failure is rethrown everywhere.
template <class Backend, class Decide>
std::optional<storage::manifest> agree_on_manifest(const std::filesystem::path& dir, const Backend& b,
                                                   Decide&& decide) {
  shared_manifest mine;
  std::optional<local_failure> here;
  std::optional<storage::manifest> decided;
  if (b.leader()) {
    try {
      decided = decide();
      if (decided) mine = shared_manifest::of(*decided);
    } catch (...) {
      here = local_failure::current();
      mine.failure = here->shared;
    }
  }
  if constexpr (Backend::single_process) {
    if (here) std::rethrow_exception(here->original);
    return decided;
  } else {
    const shared_manifest agreed = b.agree(std::move(mine));
    if (agreed.failure) rethrow_agreed(*agreed.failure, here);
    if (b.leader() || !agreed.bytes) return decided;
    return agreed.decode(dir);
  }
}

// One partition's outcome on the process that owns it, as every process gets it.
template <class Result>
struct partition_outcome {
  std::optional<Result> result;
  std::optional<shared_failure> failure;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(result, failure);
  }
};

// Runs `work(i)` for every partition this process owns, catching failures, and returns every
// partition's outcome on every process (in partition order) plus the original exception of
// each failure that happened here.
template <class Result, class Backend, class Work>
std::pair<std::vector<partition_outcome<Result>>, std::vector<std::optional<local_failure>>> run_and_gather(
    std::size_t n, const Backend& b, Work&& work) {
  std::vector<std::optional<partition_outcome<Result>>> outcomes(n);
  std::vector<std::optional<local_failure>> here(n);
  b.for_each_owned_partition(n, [&](std::size_t i) {
    auto& out = outcomes[i].emplace();
    try {
      out.result.emplace(work(i));
    } catch (...) {
      here[i] = local_failure::current();
      out.failure = here[i]->shared;
    }
  });
  if constexpr (!Backend::single_process) {
    outcomes = b.gather_ordered(std::move(outcomes), [] { return partition_outcome<Result>{}; });
  }
  std::vector<partition_outcome<Result>> all;
  all.reserve(n);
  for (auto& o : outcomes) all.push_back(std::move(*o));
  return {std::move(all), std::move(here)};
}

// The first failed partition's error, rethrown on every process (the original where it was).
template <class Result>
void rethrow_first_failure(const std::vector<partition_outcome<Result>>& all,
                           const std::vector<std::optional<local_failure>>& here) {
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].failure) rethrow_agreed(*all[i].failure, here[i]);
  }
}

// A partition entry as it travels to the leader.
struct shared_partition_info {
  std::string file;
  std::uint64_t records = 0, bytes = 0, checksum = 0;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(file, records, bytes, checksum);
  }
};

// The generation the leader opened, or why it could not.
struct shared_generation {
  std::uint64_t generation = 0;
  std::optional<shared_failure> failure;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(generation, failure);
  }
};

// Writes a dataset of `n` partitions as a new checkpoint generation in `dir`, and returns the
// committed manifest on every process. Each process writes the partitions it owns:
// `records_of(i)` gives partition i's records (a range of T), asked for on the worker that
// writes it just before it is written, and dropped right after (so that partitions computed
// by `records_of` are never all in memory: one in flight per worker).
template <class T, class Backend, class RecordsOf>
storage::manifest write_partitions(const std::filesystem::path& dir, std::size_t n, RecordsOf&& records_of,
                                   std::uint64_t signature, std::string partitioner,
                                   const checkpoint_options& options, const Backend& b,
                                   storage::provenance from = {}) {
  observation* const observed = active_observation();  // observer.hpp; null when none is installed
  const auto started = std::chrono::steady_clock::now();
  // 1. The leader opens the new generation; everyone learns its number.
  std::optional<storage::checkpoint_writer> writer;
  shared_generation opened;
  std::optional<local_failure> here;
  if (b.leader()) {
    try {
      writer.emplace(dir, options);
      opened.generation = writer->generation();
    } catch (...) {
      here = local_failure::current();
      opened.failure = here->shared;
    }
  }
  if constexpr (!Backend::single_process) opened = b.agree(std::move(opened));
  if (opened.failure) rethrow_agreed(*opened.failure, here);

  // 2. Every process writes its own partitions into it.
  std::optional<storage::partition_writer> files;
  std::optional<local_failure> cannot_write;  // reported through the partitions, at the shared step
  try {
    files.emplace(dir, opened.generation, options);  // checks g<G>'s marker
  } catch (...) {
    cannot_write = local_failure::current();
  }
  auto [written, failures] = run_and_gather<shared_partition_info>(n, b, [&](std::size_t i) {
    if (cannot_write) std::rethrow_exception(cannot_write->original);
    const auto info = files->template write_partition<T>(i, records_of(i));
    if (observed) observed->bytes_written(dir / info.file, i, info.bytes);
    return shared_partition_info{info.file, info.records, info.bytes, info.checksum};
  });
  // (A failure anywhere: the leader's writer, destroyed uncommitted, removes the generation.)
  rethrow_first_failure(written, failures);

  // 3. The leader commits; everyone returns the committed manifest.
  std::optional<storage::manifest> committed;
  shared_manifest outcome;
  if (b.leader()) {
    try {
      std::vector<storage::partition_info> infos;
      infos.reserve(n);
      for (auto& w : written) {
        auto& r = *w.result;
        infos.push_back({std::move(r.file), r.records, r.bytes, r.checksum});
      }
      committed = writer->template commit<T>(std::move(infos), signature, options.version, std::move(partitioner),
                                             {options.metadata.begin(), options.metadata.end()},
                                             std::move(from));
      if (observed) {
        observed->checkpoint_committed({dir, committed->generation, committed->total_records(),
                                        committed->total_bytes(),
                                        std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::steady_clock::now() - started)});
      }
      if constexpr (!Backend::single_process) outcome = shared_manifest::of(*committed);
    } catch (...) {
      here = local_failure::current();
      outcome.failure = here->shared;
    }
  }
  if constexpr (Backend::single_process) {
    if (here) std::rethrow_exception(here->original);
    return std::move(*committed);
  } else {
    outcome = b.agree(std::move(outcome));
    if (outcome.failure) rethrow_agreed(*outcome.failure, here);
    return b.leader() ? std::move(*committed) : outcome.decode(dir);
  }
}

// Writes `parts` (this process's partitions of a dataset of parts.partitions() partitions).
template <class T, class Backend>
storage::manifest write_partitions(const std::filesystem::path& dir, const partition_set<T>& parts,
                                   std::uint64_t signature, std::string partitioner,
                                   const checkpoint_options& options, const Backend& b,
                                   storage::provenance from = {}) {
  return write_partitions<T>(
      dir, parts.partitions(), [&](std::size_t i) -> const std::vector<T>& { return parts.at(i); }, signature,
      std::move(partitioner), options, b, std::move(from));
}

// The checkpointed<T> of the checkpoint `m` in `dir`, its partitions left on disk and loaded
// when a plan runs them (this process's: those its backend owns, for partition_data()).
template <class T, class Backend>
checkpointed<T> stored_checkpoint(const std::filesystem::path& dir, storage::manifest m,
                                  typename checkpointed<T>::origin origin, const Backend& b, storage::file_system& fs) {
  const std::size_t n = m.partitions.size();
  auto stored = std::make_shared<const stored_partitions<T>>(
      dir, std::move(m), [&](std::size_t i) { return b.owns(i, n); }, fs);
  return checkpointed<T>(std::move(stored), std::move(origin));
}

// Writes the `n` partitions that `records_of(i)` computes (or reloads), one per worker at a
// time, and returns them as a checkpointed<T> left on disk (keep_in_memory = false).
template <class T, class Backend, class RecordsOf>
checkpointed<T> write_stored_checkpoint(const std::filesystem::path& dir, std::size_t n, RecordsOf&& records_of,
                                        std::uint64_t signature, std::string partitioner,
                                        const checkpoint_options& options, const Backend& b,
                                        std::vector<std::size_t> repaired = {}, storage::provenance from = {},
                                        std::string recompute_reason = {}) {
  auto m = write_partitions<T>(dir, n, records_of, signature, std::move(partitioner), options, b, std::move(from));
  auto origin = origin_of<T>(dir, m, !repaired.empty());
  origin.repaired = std::move(repaired);
  origin.recompute_reason = std::move(recompute_reason);
  return stored_checkpoint<T>(dir, std::move(m), std::move(origin), b, storage::file_system_of(options));
}

// write_partitions, returned as the checkpointed<T> of the data written.
template <class T, class Backend>
checkpointed<T> write_checkpoint(const std::filesystem::path& dir, partition_set<T> parts, std::uint64_t signature,
                                 std::string partitioner, const checkpoint_options& options, const Backend& b,
                                 std::vector<std::size_t> repaired = {}, storage::provenance from = {},
                                 std::string recompute_reason = {}) {
  const auto m = write_partitions<T>(dir, parts, signature, std::move(partitioner), options, b, std::move(from));
  auto origin = origin_of<T>(dir, m, !repaired.empty());  // a repaired checkpoint was mostly loaded
  origin.repaired = std::move(repaired);
  origin.recompute_reason = std::move(recompute_reason);
  return checkpointed<T>(std::move(parts), std::move(origin), static_cast<std::size_t>(m.total_records()));
}

// This process's partitions of the checkpoint `m` in `dir`, and every partition's outcome on
// every process (a failed one is empty here and carries its error).
template <class T>
struct loaded_partitions {
  partition_set<T> parts;
  std::vector<partition_outcome<bool>> outcomes;
  std::vector<std::optional<local_failure>> failures_here;
};

template <class T, class Backend>
loaded_partitions<T> load_partitions(const std::filesystem::path& dir, const storage::manifest& m, const Backend& b,
                                     storage::file_system& fs) {
  const std::size_t n = m.partitions.size();
  partition_set<T> parts(n, [&](std::size_t i) { return b.owns(i, n); });
  auto [outcomes, here] = run_and_gather<bool>(n, b, [&](std::size_t i) {
    parts.at(i) = storage::load_partition<T>(dir, m, i, fs);
    return true;
  });
  return {std::move(parts), std::move(outcomes), std::move(here)};
}

// Loads every partition of `m` (this process's) or throws the first failure everywhere.
template <class T, class Backend>
checkpointed<T> load_checkpoint(const std::filesystem::path& dir, const storage::manifest& m, const Backend& b,
                                storage::file_system& fs) {
  auto loaded = load_partitions<T>(dir, m, b, fs);
  rethrow_first_failure(loaded.outcomes, loaded.failures_here);
  return checkpointed<T>(std::move(loaded.parts), origin_of<T>(dir, m, true),
                         static_cast<std::size_t>(m.total_records()));
}

}  // namespace lineage::detail
