// SPDX-License-Identifier: Apache-2.0
#pragma once
// Options of a checkpoint (see README "Checkpoints").
#include <cstddef>
#include <map>
#include <memory>
#include <string>

namespace lineage {

class observer;  // observer.hpp
namespace storage {
class file_system;  // storage/file_system.hpp
}

// What ln::checkpoint does when dir holds a checkpoint of another lineage signature.
enum class mismatch_policy { recompute, fail };

// How checkpoint payloads are stored: as written, or one zstd frame per partition file
// (Spark's spark.checkpoint.compress). Readers handle both whatever the options say.
enum class compression { none, zstd };

// Whether the lineage signature includes the source's content (content) or trusts dir + version.
enum class identity_policy { content, none };

struct checkpoint_options {
  // The user's code version tag: change it when the code of a transformation changes.
  std::string version{};
  mismatch_policy on_mismatch = mismatch_policy::recompute;
  // fsync files and directories. false skips every fsync: for tests and scratch data only, a
  // power loss may then lose or tear the checkpoint (a process crash still cannot).
  bool durable = true;
  // How many committed generations to keep in dir (the new one included); 0 counts as 1.
  std::size_t keep_last = 1;
  identity_policy source_identity = identity_policy::content;
  lineage::compression compression = lineage::compression::none;
  int compression_level = 3;  // zstd's levels: 1 (fastest) to 19; negative: faster still
  // Your own key/value data, stored in the manifest of a checkpoint this call writes (e.g. the
  // iteration a loop reached); read it back with .metadata() of the result or of a recovered
  // checkpoint, or ln::read_manifest(dir).metadata. Not part of the lineage signature: a
  // checkpoint found on disk keeps the metadata it was written with. At most 1024 entries,
  // keys of 1 to 256 bytes, values up to 64 KiB (else std::invalid_argument).
  std::map<std::string, std::string> metadata{};
  // false: each partition is written to disk as soon as it is computed and then dropped (one
  // partition in flight per worker thread), and the resulting checkpointed<T> loads partitions
  // from disk when an action runs them, as Spark reads a checkpointed RDD back. A checkpoint
  // found in dir is then checked (checksums) but not loaded either. Same result type.
  bool keep_in_memory = true;
  // Told about this checkpoint's stages, files and commit (observer.hpp); null: the one
  // ln::set_observer installed, if any. Not part of the lineage signature.
  std::shared_ptr<lineage::observer> observer{};
  // The file system the checkpoint is written to and read from; nullptr: the POSIX one. A test
  // hands in storage::testing::fault_file_system to inject I/O errors and power loss. It must
  // outlive every use of the checkpoint (a keep_in_memory = false result reads through it).
  // Not part of the lineage signature.
  storage::file_system* file_system = nullptr;
};

}  // namespace lineage
