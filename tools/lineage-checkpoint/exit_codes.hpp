#pragma once
// The tool's exit status: 0 success, 1 an unexpected failure, 2 a usage error, and 3 + the
// checkpoint_errc of a checkpoint_error (the table is printed by --help and in the README).
#include <lineage/storage/error.hpp>

#include <string_view>

namespace lineage_tool {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

inline int exit_code(lineage::checkpoint_errc reason) { return 3 + static_cast<int>(reason); }

// The reason's enumerator name, as --json prints it.
inline std::string_view errc_name(lineage::checkpoint_errc reason) {
  using lineage::checkpoint_errc;
  switch (reason) {
    case checkpoint_errc::not_found: return "not_found";
    case checkpoint_errc::truncated: return "truncated";
    case checkpoint_errc::checksum_mismatch: return "checksum_mismatch";
    case checkpoint_errc::not_a_checkpoint: return "not_a_checkpoint";
    case checkpoint_errc::format_version: return "format_version";
    case checkpoint_errc::type_mismatch: return "type_mismatch";
    case checkpoint_errc::signature_mismatch: return "signature_mismatch";
    case checkpoint_errc::io_error: return "io_error";
    case checkpoint_errc::locked: return "locked";
  }
  return "unknown";
}

inline constexpr lineage::checkpoint_errc all_reasons[] = {
    lineage::checkpoint_errc::not_found,         lineage::checkpoint_errc::truncated,
    lineage::checkpoint_errc::checksum_mismatch, lineage::checkpoint_errc::not_a_checkpoint,
    lineage::checkpoint_errc::format_version,    lineage::checkpoint_errc::type_mismatch,
    lineage::checkpoint_errc::signature_mismatch, lineage::checkpoint_errc::io_error,
    lineage::checkpoint_errc::locked};

}  // namespace lineage_tool
