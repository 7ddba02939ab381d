// SPDX-License-Identifier: Apache-2.0
#pragma once
// A ready-made observer (observer.hpp) that keeps one progress line up to date on a terminal:
//   stage 2/3: 37/64 partitions, 12.3 M records, 1.2 GiB written
// rewritten in place (carriage return) at most every `interval`, and at each stage's start and
// end; a line break after an action's last stage and after each checkpoint commit. Off unless
// installed (README "Progress and metrics"):
//   ln::set_observer(ln::stderr_progress());
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

#include "observer.hpp"

namespace lineage {

namespace detail {

// "950", "12.3 k", "12.3 M", "4.0 G": a count for a progress line.
inline std::string short_count(std::uint64_t n) {
  if (n < 1000) return std::to_string(n);
  const char* units[] = {"k", "M", "G", "T", "P", "E"};
  double v = static_cast<double>(n);
  std::size_t u = 0;
  for (v /= 1000; v >= 1000 && u + 1 < std::size(units); v /= 1000) ++u;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", v, units[u]);
  return text;
}

// "512 B", "1.2 KiB", "1.2 GiB": a byte count for a progress line.
inline std::string short_bytes(std::uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(n);
  std::size_t u = 0;
  for (v /= 1024; v >= 1024 && u + 1 < std::size(units); v /= 1024) ++u;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", v, units[u]);
  return text;
}

}  // namespace detail

class progress_printer : public observer {
 public:
  explicit progress_printer(std::ostream& out,
                            std::chrono::steady_clock::duration interval = std::chrono::milliseconds(200))
      : out_(&out), interval_(interval) {}

  void on_stage_started(const stage_info& s) override {
    std::lock_guard hold(lock_);
    stage_ = s;
    done_ = 0;
    records_ = 0;
    print();
  }
  void on_partition_done(const stage_info&, std::size_t, std::uint64_t records) override {
    std::lock_guard hold(lock_);
    ++done_;
    records_ += records;
    if (std::chrono::steady_clock::now() - last_ >= interval_) print();
  }
  void on_stage_done(const stage_info& s, const stage_stats&) override {
    std::lock_guard hold(lock_);
    print();
    if (s.index != 0 && s.index == s.stages) end_line();
  }
  void on_bytes_written(const std::filesystem::path&, std::size_t, std::uint64_t bytes) override {
    std::lock_guard hold(lock_);
    written_ += bytes;
  }
  void on_checkpoint_committed(const checkpoint_commit_info& c) override {
    std::lock_guard hold(lock_);
    show("checkpoint " + c.dir.string() + ": " + detail::short_count(c.records) + " records, " +
         detail::short_bytes(c.bytes) + " committed");
    end_line();
  }

  // The line as it was last printed (without the carriage return).
  std::string last_line() const {
    std::lock_guard hold(lock_);
    return last_text_;
  }

 private:
  void print() {
    std::string text = "stage ";
    text += stage_.index != 0 ? std::to_string(stage_.index) : std::string("?");
    if (stage_.stages != 0) text += "/" + std::to_string(stage_.stages);
    text += ": " + std::to_string(done_) + "/" + std::to_string(stage_.partitions) + " partitions, " +
            detail::short_count(records_) + " records";
    if (written_ != 0) text += ", " + detail::short_bytes(written_) + " written";
    show(std::move(text));
  }
  // Rewrites the current line, blanking what a longer previous text left.
  void show(std::string text) {
    const std::size_t width = text.size();
    if (text.size() < shown_width_) text.append(shown_width_ - text.size(), ' ');
    *out_ << '\r' << text << std::flush;
    shown_width_ = width;
    last_text_ = text.substr(0, width);
    last_ = std::chrono::steady_clock::now();
  }
  void end_line() {
    *out_ << '\n' << std::flush;
    shown_width_ = 0;
  }

  std::ostream* out_;
  std::chrono::steady_clock::duration interval_;
  mutable std::mutex lock_;
  stage_info stage_{};
  std::size_t done_ = 0;
  std::uint64_t records_ = 0;
  std::uint64_t written_ = 0;  // checkpoint bytes since this printer was made
  std::chrono::steady_clock::time_point last_{};
  std::size_t shown_width_ = 0;
  std::string last_text_;
};

// A progress_printer on std::cerr: ln::set_observer(ln::stderr_progress()).
inline std::shared_ptr<progress_printer> stderr_progress(
    std::chrono::steady_clock::duration interval = std::chrono::milliseconds(200)) {
  return std::make_shared<progress_printer>(std::cerr, interval);
}

}  // namespace lineage
