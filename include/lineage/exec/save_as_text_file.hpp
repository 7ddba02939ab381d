// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::save_as_text_file(dir): writes the dataset as text, as Spark's saveAsTextFile: `dir` is
// created and gets one file part-NNNNN per partition (part-00000, part-00001, ...), one
// element per line written with operator<<, then an empty _SUCCESS file once every part is
// there. Like Spark it refuses an existing `dir` ("output directory already exists"), so it
// never replaces or deletes anything: lineage writes only into the directory it just created.
// Each part is written to a temporary name in `dir`, fsynced and renamed (a reader never sees
// half a part), and `dir` is fsynced before _SUCCESS is written and again after it. Errors are
// ln::checkpoint_error naming the path (io_error; an existing `dir` is io_error too).
// Partitions are written where they run (ln::par: concurrently; distributed: on their process;
// the deciding process creates `dir` and writes _SUCCESS).
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../storage/error.hpp"
#include "../storage/file_system.hpp"
#include "whole_partition.hpp"

namespace lineage {
namespace detail {

template <class X>
concept text_streamable = requires(std::ostream& os, const X& x) { os << x; };

struct text_lines_sink {
  std::ostringstream out;
  std::size_t lines = 0;
  static constexpr bool can_stop = false;
  template <class X>
  void operator()(X&& x) {
    out << std::as_const(x) << '\n';
    ++lines;
  }
};

inline std::string text_part_name(std::size_t partition) {
  char name[32];
  std::snprintf(name, sizeof name, "part-%05zu", partition);
  return name;
}

// Writes `bytes` to dir/name through a temporary name, durably.
inline void write_text_file(storage::file_system& fs, const std::filesystem::path& dir, const std::string& name,
                            const std::string& bytes) {
  const auto temp = dir / ("." + name + ".tmp");
  {
    auto file = fs.create_file(temp);  // O_EXCL: dir is ours and new, nothing is replaced
    storage::detail::write_all(*file, reinterpret_cast<const std::byte*>(bytes.data()), bytes.size());
    file->sync();
    file->close();
  }
  fs.rename(temp, dir / name);
}

struct save_as_text_file_action {
  std::filesystem::path dir;

  template <class Ref>
  static constexpr bool accepts() {
    constexpr bool ok = text_streamable<std::remove_cvref_t<Ref>>;
    static_assert(ok, "ln::save_as_text_file(dir): the element type has no operator<<(std::ostream&, const T&)");
    return ok;
  }
  template <pipeline P, class Ctx>
  void run(const P& p, const Ctx& ctx) const {
    auto& fs = storage::default_file_system();
    std::string problem;  // decided by one process, shared with all: they throw together
    if (ctx.leader()) {
      try {
        if (!fs.create_directory(dir)) problem = "output directory already exists (lineage writes only into a new one)";
      } catch (const checkpoint_error& e) {
        problem = e.detail();
      }
    }
    problem = ctx.agree(std::move(problem));
    if (!problem.empty()) throw checkpoint_error(checkpoint_errc::io_error, dir, problem);

    const auto producer = p.producer(ctx);
    const std::size_t n = producer.partitions();
    std::vector<std::optional<std::size_t>> lines(n);
    ctx.for_each_owned_partition(n, [&](std::size_t i) {
      text_lines_sink sink;
      producer.run(i, sink);
      write_text_file(fs, dir, text_part_name(i), std::move(sink.out).str());
      lines[i] = sink.lines;
    });
    // Every part is written (on every process) before _SUCCESS says so.
    if constexpr (!Ctx::single_process) lines = ctx.gather_ordered(std::move(lines), [] { return std::size_t{0}; });
    if (ctx.leader()) {
      fs.sync_directory(dir);
      write_text_file(fs, dir, "_SUCCESS", {});
      fs.sync_directory(dir);
    }
  }
};

}  // namespace detail

struct save_as_text_file_fn {
  template <execution_policy Policy = seq_t>
  auto operator()(std::filesystem::path dir, Policy policy = {}) const {
    return detail::make_direct_action(detail::save_as_text_file_action{std::move(dir)}, policy);
  }
};
inline constexpr save_as_text_file_fn save_as_text_file{};

}  // namespace lineage
