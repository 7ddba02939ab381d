// SPDX-License-Identifier: Apache-2.0
#pragma once
// Checkpoint errors: one exception type, one enum of reasons.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace lineage {

// Why a checkpoint could not be read or written. Each reason is produced by a distinct kind of
// damage, so callers can tell "nothing there yet" (not_found) from "something is wrong".
enum class checkpoint_errc {
  not_found,           // no checkpoint (no manifest), or a file the manifest names is missing
  truncated,           // a file is shorter than recorded: a torn or cut-off write
  checksum_mismatch,   // the bytes changed after they were written (bit rot, tampering)
  not_a_checkpoint,    // a foreign file where a checkpoint file should be (bad magic, bad size)
  format_version,      // written by another on-disk format version (or byte order)
  type_mismatch,       // the checkpoint holds another element type, or its payload does not decode as it
  signature_mismatch,  // the checkpoint was made by another lineage (used by the pipeline layer)
  io_error,            // the operating system reported an error (errno text in what())
  locked,              // another writer holds the directory's lock
};

constexpr std::string_view to_string(checkpoint_errc reason) noexcept {
  switch (reason) {
    case checkpoint_errc::not_found: return "not found";
    case checkpoint_errc::truncated: return "truncated";
    case checkpoint_errc::checksum_mismatch: return "checksum mismatch";
    case checkpoint_errc::not_a_checkpoint: return "not a checkpoint";
    case checkpoint_errc::format_version: return "unsupported format version";
    case checkpoint_errc::type_mismatch: return "element type mismatch";
    case checkpoint_errc::signature_mismatch: return "lineage signature mismatch";
    case checkpoint_errc::io_error: return "I/O error";
    case checkpoint_errc::locked: return "locked by another writer";
  }
  return "unknown checkpoint error";
}

namespace detail {

// Concatenates strings and integers (with appends only: g++ 12's -Wrestrict misfires on
// `"literal" + std::string` at -O3).
inline void cat_piece(std::string& out, std::string_view piece) { out.append(piece); }
template <class I>
  requires std::is_integral_v<I>
void cat_piece(std::string& out, I value) {
  out.append(std::to_string(value));
}
template <class... Pieces>
std::string cat(const Pieces&... pieces) {
  std::string out;
  (cat_piece(out, pieces), ...);
  return out;
}

inline std::string checkpoint_message(checkpoint_errc reason, const std::filesystem::path& path,
                                      std::string_view detail) {
  std::string message = "lineage checkpoint error: ";
  message += to_string(reason);
  message += " at '";
  message += path.string();
  message += '\'';
  if (!detail.empty()) {
    message += ": ";
    message += detail;
  }
  return message;
}
}  // namespace detail

// Thrown by every checkpoint operation. what() names the path and the reason (and, for
// io_error, the failed operation and the errno text).
class checkpoint_error : public std::runtime_error {
 public:
  checkpoint_error(checkpoint_errc reason, std::filesystem::path path, std::string detail = {})
      : std::runtime_error(detail::checkpoint_message(reason, path, detail)),
        reason_(reason),
        path_(std::move(path)),
        detail_(std::move(detail)) {}

  checkpoint_errc reason() const noexcept { return reason_; }
  const std::filesystem::path& path() const noexcept { return path_; }
  // what() without the reason and the path (what a copy of the error elsewhere is built from).
  const std::string& detail() const noexcept { return detail_; }

 private:
  checkpoint_errc reason_;
  std::filesystem::path path_;
  std::string detail_;
};

}  // namespace lineage
