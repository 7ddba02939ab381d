// SPDX-License-Identifier: Apache-2.0
#pragma once
// A failure on one process, carried to every process of a backend (exec/backend.hpp) so that a
// collective step either succeeds everywhere or throws everywhere, never leaving some processes
// waiting in the next collective for one that has thrown.
//
// The process where the exception happened rethrows the original (same type, same object);
// the others rethrow a copy: a checkpoint_error with the same reason, path and detail, or a
// std::runtime_error with the same what().
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../storage/error.hpp"

namespace lineage::detail {

struct shared_failure {
  bool checkpoint = false;  // a checkpoint_error (reason, path, detail), else what() only
  std::uint8_t reason = 0;
  std::string path;
  std::string message;  // checkpoint_error: its detail(); otherwise what()

  template <class Archive>
  void serialize(Archive& ar) {
    ar(checkpoint, reason, path, message);
  }

  // The exception being handled (call inside a catch block).
  static shared_failure current() {
    shared_failure f;
    try {
      throw;
    } catch (const checkpoint_error& e) {
      f.checkpoint = true;
      f.reason = static_cast<std::uint8_t>(e.reason());
      f.path = e.path().string();
      f.message = e.detail();
    } catch (const std::exception& e) {
      f.message = e.what();
    } catch (...) {
      f.message = "lineage: an exception that is not a std::exception";
    }
    return f;
  }

  [[noreturn]] void rethrow_copy() const {
    if (checkpoint && reason <= static_cast<std::uint8_t>(checkpoint_errc::locked)) {
      throw checkpoint_error(static_cast<checkpoint_errc>(reason), path, message);
    }
    throw std::runtime_error(message);
  }
};

// A failure seen here (the original, to rethrow) and its portable form (to send).
struct local_failure {
  std::exception_ptr original;
  shared_failure shared;

  static local_failure current() { return {std::current_exception(), shared_failure::current()}; }
};

// Rethrows a failure agreed on by every process: the original where it happened.
[[noreturn]] inline void rethrow_agreed(const shared_failure& agreed, const std::optional<local_failure>& here) {
  if (here) std::rethrow_exception(here->original);
  agreed.rethrow_copy();
}

}  // namespace lineage::detail
