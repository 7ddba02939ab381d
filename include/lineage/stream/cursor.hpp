// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where a stream source stands: what the next batch reads, given what the logged batches read.
//
// A source that knows its next offset from the previous one alone (batches, generator_stream,
// line_stream) provides `std::optional<offset> next(const std::optional<offset>& previous)`; one
// that needs the whole history (text_file_stream: every file taken so far) provides
// `cursor start() const`, a cursor with `void taken(const offset&)` (fed every logged batch's
// offset, from batch 0 on) and `std::optional<offset> next()`. source_cursor<Source> is the one
// interface the query uses for both.
#include <optional>
#include <utility>

namespace lineage::stream_detail {

template <class Source>
concept has_history_cursor = requires(const Source& s) { s.start(); };

template <class Source>
class source_cursor {
 public:
  using offset = typename Source::offset;
  // Whether taken() must see every logged offset (or only the last one).
  static constexpr bool needs_history = false;

  explicit source_cursor(const Source& s) : source_(&s) {}
  void taken(const offset& o) { last_ = o; }
  std::optional<offset> next() const { return source_->next(last_); }

 private:
  const Source* source_;
  std::optional<offset> last_;
};

template <has_history_cursor Source>
class source_cursor<Source> {
 public:
  using offset = typename Source::offset;
  static constexpr bool needs_history = true;

  explicit source_cursor(const Source& s) : cursor_(s.start()) {}
  void taken(const offset& o) { cursor_.taken(o); }
  std::optional<offset> next() const { return cursor_.next(); }

 private:
  decltype(std::declval<const Source&>().start()) cursor_;
};

}  // namespace lineage::stream_detail
