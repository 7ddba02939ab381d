// SPDX-License-Identifier: Apache-2.0
#pragma once
// A query: a stream ended by an output operation. `query.run(dir, options, policy)` runs it
// with its stream directory `dir` (README "Streams"):
//   dir/signature       the stream signature (signature.hpp); another one on restart throws
//                       signature_mismatch (on_mismatch = fail) or starts over (recompute)
//   dir/offsets/<b>     what batch b reads, written durably before b runs (log.hpp)
//   dir/commits/<b>     written after b's output operation returned
//   dir/state/<b>/step-<i>  stateful operator i's state after batch b, an ordinary checkpoint,
//                       when (b+1) % state_every == 0; the newest keep_last are kept
//   dir/LOCK            excludes a second run on the same directory
//   dir/log-start       the first batch the logs keep: after each state checkpoint, log
//                       entries a restart cannot need are purged (purge_logs)
// Restart: the newest state checkpoint at or before the last commit is loaded, the committed
// batches after it are replayed from their logged offsets (output not repeated), a logged but
// uncommitted batch is re-run with its logged offsets, then new batches follow.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "../exec/policy.hpp"
#include "../storage/error.hpp"
#include "../storage/file_system.hpp"
#include "../storage/reader.hpp"
#include "batch_runner.hpp"
#include "collective.hpp"
#include "cursor.hpp"
#include "log.hpp"
#include "options.hpp"
#include "output.hpp"
#include "signature.hpp"
#include "stream.hpp"

namespace lineage {

template <class Stream, class Output>
class query {
  using source_type = typename Stream::source_type;
  using offset_type = typename source_type::offset;

 public:
  query(Stream s, Output out) : stream_(std::move(s)), output_(std::move(out)) {}

  // The stream signature this query writes into its directory.
  std::string signature(const stream_options& options = {}) const {
    return stream_detail::stream_signature(stream_, options.version);
  }

  // Under a backend of several processes (ln::mpi::world) every process calls run with the
  // same query: the leader alone reads and writes the stream directory's logs and decides,
  // every process computes the batches (stream/collective.hpp).
  template <execution_policy Policy = seq_t>
  stream_report run(const std::filesystem::path& dir, const stream_options& options = {}, Policy policy = {}) const {
    using backend_type = backend_t<Policy>;
    using runner_type = stream_detail::batch_runner<Stream, backend_type>;
    const backend_type ctx = make_backend(policy);
    auto& fsys = stream_detail::file_system_of(options);
    const stream_detail::stream_paths paths{dir};
    std::unique_ptr<storage::file_lock> lock;  // the leader's, for the whole run

    // What the stream directory holds, as the leader finds it.
    const auto found = stream_detail::leader_decides(ctx, [&] {
      stream_detail::ensure_directory(fsys, dir, options.durable);
      lock = fsys.lock(paths.lock());
      stream_detail::ensure_directory(fsys, paths.offsets(), options.durable);
      stream_detail::ensure_directory(fsys, paths.commits(), options.durable);
      if (runner_type::stateful) stream_detail::ensure_directory(fsys, paths.state(), options.durable);
      check_signature(fsys, paths, options);

      // Entries below log_start were purged (some may be left by an interrupted purge).
      const std::uint64_t log_start = stream_detail::read_log_start(fsys, paths);
      const std::uint64_t offsets_start = history_source ? 0 : log_start;
      const auto logged = stream_detail::list_log_from(fsys, paths.offsets(), offsets_start);
      const auto committed = stream_detail::list_log_from(fsys, paths.commits(), log_start);
      stream_detail::require_contiguous(logged, paths.offsets(), offsets_start);
      stream_detail::require_contiguous(committed, paths.commits(), log_start);
      if (log_start > 0 && committed.empty()) {
        throw checkpoint_error(checkpoint_errc::not_found, paths.commits(),
                               lineage::detail::cat("the logs start at batch ", log_start,
                                                    " (log-start) but hold no commit record from there"));
      }
      const std::uint64_t commits = committed.empty() ? 0 : committed.back() + 1;
      const std::uint64_t logged_end = logged.empty() ? offsets_start : logged.back() + 1;
      if (logged_end < commits || logged_end > commits + 1) {
        throw checkpoint_error(checkpoint_errc::not_found, paths.offsets(),
                               lineage::detail::cat("the offsets log ends before batch ", logged_end, " for ", commits,
                                                    " commits (at most one uncommitted batch)"));
      }
      purge_below(fsys, paths, log_start, options.durable);  // what an interrupted purge left
      if (commits > 0) stream_detail::check_commit(fsys, paths, commits - 1);
      return directory_state{log_start, offsets_start, commits, logged.size() > commits, !logged.empty()};
    });
    std::uint64_t log_start = found.log_start;  // the leader's, kept up to date by purge_logs
    const std::uint64_t commits = found.commits;

    stream_report report;
    report.resumed = found.any_logged;
    runner_type runner(stream_, ctx);
    std::optional<stream_detail::source_cursor<source_type>> cursor;  // the leader's
    if (ctx.leader()) cursor.emplace(stream_.source());
    auto logged_offset = [&](std::uint64_t b) {
      return *stream_detail::leader_offset<offset_type>(
          ctx, [&] { return std::optional(stream_detail::read_offset<offset_type>(fsys, paths, b)); });
    };
    if (commits > 0) {
      if constexpr (runner_type::stateful) {
        std::optional<std::uint64_t> loaded;
        report.batches_replayed =
            restore_state(fsys, paths, runner, ctx, options, commits, found.offsets_start, logged_offset, loaded);
        if (loaded) {  // what a killed removal left
          stream_detail::leader_decides(ctx, [&] { remove_surplus_state(fsys, paths, options, *loaded); });
        }
      }
      stream_detail::leader_decides(ctx, [&] {
        for (std::uint64_t i = cursor->needs_history ? 0 : commits - 1; i < commits; ++i) {
          cursor->taken(stream_detail::read_offset<offset_type>(fsys, paths, i));
        }
      });
    }

    std::uint64_t b = commits;
    auto run_batch = [&](const offset_type& offset) {
      auto result = runner.run(stream_.source().read(offset), b, true);
      if (result) {
        stream_detail::on_every_process(ctx, [&] { output_.emit(b, *result, options, ctx); });
      }
      stream_detail::leader_decides(ctx, [&] { stream_detail::write_commit(fsys, paths, b, options.durable); });
      if constexpr (runner_type::stateful) save_state(fsys, paths, runner, ctx, b, options);
      stream_detail::leader_decides(ctx, [&] { purge_logs(fsys, paths, b, options, log_start); });
      if (!report.first_batch) report.first_batch = b;
      report.last_batch = b;
      ++report.batches_run;
      if (cursor) cursor->taken(offset);
      ++b;
    };

    if (found.uncommitted) run_batch(logged_offset(b));  // logged before a crash: same offsets again

    const trigger_t& trigger = options.trigger;
    std::uint64_t new_batches = 0;
    while (options.max_batches == 0 || new_batches < options.max_batches) {
      // The leader's stop token and clock decide; the others wait for its next offset.
      const auto tick = std::chrono::steady_clock::now();
      const loop_step decided = stream_detail::leader_decides(ctx, [&] {
        loop_step s;
        if (trigger.stop.stop_requested()) {
          s.stop = true;
        } else if (auto next = cursor->next()) {
          stream_detail::write_offset(fsys, paths, b, *next, options.durable);
          s.next = stream_detail::offset_bytes(*next);
        } else {
          s.stop = !trigger.periodic();
        }
        return s;
      });
      if (decided.stop) break;
      if (decided.next) {
        run_batch(stream_detail::offset_from_bytes<offset_type>(*decided.next));
        ++new_batches;
        if (!trigger.periodic()) continue;
      }
      if (ctx.leader()) wait_until(tick + trigger.interval, trigger.stop);
    }
    return report;
  }

 private:
  // What the leader found in the stream directory when the run started.
  struct directory_state {
    std::uint64_t log_start = 0, offsets_start = 0, commits = 0;
    bool uncommitted = false;  // an offsets entry without its commit: re-run that batch first
    bool any_logged = false;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(log_start, offsets_start, commits, uncommitted, any_logged);
    }
  };

  // What the leader decided at the top of the batch loop: stop, or run the batch it logged.
  struct loop_step {
    bool stop = false;
    std::optional<std::vector<std::byte>> next;  // the offset (stream/collective.hpp)
    template <class Archive>
    void serialize(Archive& ar) {
      ar(stop, next);
    }
  };

  // A source whose cursor is fed every logged offset (text_file_stream: the names taken so
  // far): its offsets log is its memory and is never purged.
  static constexpr bool history_source = stream_detail::source_cursor<source_type>::needs_history;
  static constexpr bool stateful_stream = stream_detail::batch_runner<Stream, seq_backend>::stateful;

  // After the state checkpoint of batch b (or, without state, every state_every batches):
  // the log entries a restart cannot need go. A restart loads a kept state checkpoint s (the
  // oldest one if the newer are damaged) and replays from s + 1, so entries up to the oldest
  // kept s are purged; without state, the last keep_last * state_every batches are kept. The
  // last batch's entries always stay (its commit ends the log; its offset gives the next).
  // log-start is written durably first, so a purge cut short (or not yet durable) leaves
  // entries a restart ignores and removes.
  static void purge_logs(storage::file_system& fsys, const stream_detail::stream_paths& paths, std::uint64_t b,
                         const stream_options& options, std::uint64_t& log_start) {
    const std::uint64_t every = options.state_every == 0 ? 1 : options.state_every;
    if ((b + 1) % every != 0) return;
    std::uint64_t h = 0;
    if constexpr (stateful_stream) {
      // The oldest of the keep_last newest: an older folder still listed is one that keep_last
      // could not remove (files not lineage's in it) and is never loaded for want of its logs.
      const auto saved = state_checkpoints(fsys, paths);
      if (saved.empty()) return;
      const std::size_t keep = options.keep_last == 0 ? 1 : options.keep_last;
      h = saved[saved.size() > keep ? saved.size() - keep : 0] + 1;
    } else {
      const std::uint64_t keep = (options.keep_last == 0 ? 1 : options.keep_last) * every;
      h = b + 1 > keep ? b + 1 - keep : 0;
    }
    h = std::min(h, b);
    if (h <= log_start) return;
    stream_detail::write_log_start(fsys, paths, h, options.durable);
    log_start = h;
    purge_below(fsys, paths, h, options.durable);
  }

  // Commits first: an interrupted purge leaves no commit without its offsets entry.
  static void purge_below(storage::file_system& fsys, const stream_detail::stream_paths& paths, std::uint64_t h,
                          bool durable) {
    if (h == 0) return;
    stream_detail::remove_log_below(fsys, paths.commits(), h);
    if (!history_source) stream_detail::remove_log_below(fsys, paths.offsets(), h);
    if (durable) {
      fsys.sync_directory(paths.commits());
      fsys.sync_directory(paths.offsets());
    }
  }

  static void wait_until(std::chrono::steady_clock::time_point deadline, const std::stop_token& stop) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_until(lock, stop, deadline, [] { return false; });
  }

  void check_signature(storage::file_system& fsys, const stream_detail::stream_paths& paths,
                       const stream_options& options) const {
    const std::string current = signature(options);
    const auto stored = stream_detail::read_signature(fsys, paths);
    if (stored && *stored == current) return;
    if (stored) {
      if (options.on_mismatch == mismatch_policy::fail) {
        throw checkpoint_error(checkpoint_errc::signature_mismatch, paths.root,
                               "the stream changed: " + stream_detail::signature_difference(*stored, current) +
                                   " (change it back, or run with on_mismatch = recompute to start over)");
      }
      if constexpr (requires { output_.start_over(fsys); }) output_.start_over(fsys);  // old outputs first
      start_over(fsys, paths);
    } else if (!stream_detail::list_log(fsys, paths.offsets()).empty()) {
      throw checkpoint_error(checkpoint_errc::not_found, paths.signature(),
                             "the stream directory has an offsets log but no signature");
    }
    stream_detail::write_signature(fsys, paths, current, options.durable);
  }

  // Removes what the stream provably wrote: log entries (lineage small files) and state
  // checkpoints (storage's remove_checkpoint leaves anything that is not lineage's).
  static void start_over(storage::file_system& fsys, const stream_detail::stream_paths& paths) {
    // Commits first: a crash in the middle leaves offsets without commits, which a restart
    // with the new signature (already different) wipes again.
    stream_detail::remove_entry_if_ours(fsys, paths.log_start());
    for (const auto& dir : {paths.commits(), paths.offsets()}) {
      for (const auto b : stream_detail::list_log(fsys, dir)) {
        stream_detail::remove_entry_if_ours(fsys, dir / std::to_string(b));
      }
    }
    for (const auto& s : state_checkpoints(fsys, paths)) remove_state_dir(fsys, paths.state() / std::to_string(s));
    fsys.sync_directory(paths.commits());
    fsys.sync_directory(paths.offsets());
  }

  static std::vector<std::uint64_t> state_checkpoints(storage::file_system& fsys,
                                                      const stream_detail::stream_paths& paths) {
    std::vector<std::uint64_t> out;
    std::vector<storage::directory_entry> entries;
    try {
      entries = fsys.list_directory(paths.state());
    } catch (const checkpoint_error& e) {
      if (e.reason() == checkpoint_errc::not_found) return out;
      throw;
    }
    for (const auto& e : entries) {
      if (!e.is_directory) continue;
      if (const auto b = stream_detail::parse_batch_name(e.name)) out.push_back(*b);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static void remove_state_dir(storage::file_system& fsys, const std::filesystem::path& dir) {
    std::vector<storage::directory_entry> entries;
    try {
      entries = fsys.list_directory(dir);
    } catch (const checkpoint_error& e) {
      if (e.reason() == checkpoint_errc::not_found) return;
      throw;
    }
    for (const auto& e : entries) {
      if (e.is_directory && e.name.starts_with("step-")) remove_step_state(fsys, dir / e.name);
    }
    try {
      fsys.remove_directory(dir);
    } catch (const checkpoint_error&) {
      // not empty: files that are not lineage's stay
    }
  }

  // One operator's state: a checkpoint (update_state_by_key) or, for windows, a folder of
  // checkpoints (held-<k>, value) and sub-folders (batches) with a HELD small file
  // (batch_window.hpp). Removes only those (HELD first: a torn removal is an incomplete
  // state, never a HELD naming missing batches); links are never entries of a folder here.
  static void remove_step_state(storage::file_system& fsys, const std::filesystem::path& dir) {
    storage::remove_checkpoint(dir, fsys);
    std::vector<storage::directory_entry> entries;
    try {
      entries = fsys.list_directory(dir);
    } catch (const checkpoint_error& e) {
      if (e.reason() == checkpoint_errc::not_found) return;  // it was a plain checkpoint
      throw;
    }
    stream_detail::remove_entry_if_ours(fsys, dir / "HELD");
    for (const auto& e : entries) {
      if (e.is_directory && (e.name.starts_with("held-") || e.name == "value" || e.name == "batches")) {
        remove_step_state(fsys, dir / e.name);
      }
    }
    try {
      fsys.remove_directory(dir);
    } catch (const checkpoint_error&) {
      // not empty: files that are not lineage's stay
    }
  }

  // How state checkpoints are written and read: on the stream's file system.
  static checkpoint_options state_options(storage::file_system& fsys, const stream_options& options) {
    checkpoint_options opts;
    opts.version = options.version;
    opts.on_mismatch = mismatch_policy::recompute;
    opts.durable = options.durable;
    opts.keep_last = 1;
    opts.source_identity = identity_policy::none;
    opts.file_system = &fsys;
    return opts;
  }

  // Every process writes its state partitions; the leader then keeps the newest keep_last.
  template <class Runner, class Ctx>
  static void save_state(storage::file_system& fsys, const stream_detail::stream_paths& paths, const Runner& runner,
                         const Ctx& ctx, std::uint64_t b, const stream_options& options) {
    const std::size_t every = options.state_every == 0 ? 1 : options.state_every;
    if ((b + 1) % every != 0) return;
    const auto dir = paths.state() / std::to_string(b);
    stream_detail::leader_decides(ctx, [&] { stream_detail::ensure_directory(fsys, dir, options.durable); });
    runner.save(dir, state_options(fsys, options));
    stream_detail::leader_decides(ctx, [&] { remove_surplus_state(fsys, paths, options, b); });
  }

  // Removes the state checkpoints older than the newest keep_last of those up to `newest`
  // (after a save: the one just written; at start: the one restore_state loaded, so that a
  // newer folder whose write was cut short never pushes a loadable one out). At start this
  // removes what a removal killed partway left (the MANIFEST goes first, its generations
  // stay): a folder no restart can load, which would otherwise stay until the next state
  // checkpoint, or for ever if none comes. Only what lineage provably wrote goes
  // (remove_state_dir: lineage's manifests, marked generations, small files; links are not
  // followed, other files stay).
  static void remove_surplus_state(storage::file_system& fsys, const stream_detail::stream_paths& paths,
                                   const stream_options& options, std::uint64_t newest) {
    const std::size_t keep = options.keep_last == 0 ? 1 : options.keep_last;
    auto all = state_checkpoints(fsys, paths);
    std::erase_if(all, [newest](std::uint64_t s) { return s > newest; });
    for (std::size_t i = 0; i + keep < all.size(); ++i) remove_state_dir(fsys, paths.state() / std::to_string(all[i]));
  }

  // Loads the newest state checkpoint at or before the last commit (an incomplete or damaged
  // one is skipped for an older one) and replays the committed batches after it. Returns how
  // many batches were replayed.
  // Every process loads its partitions of the same state checkpoint (a failed load fails on
  // every process, so all move on to the same older one; `loaded` tells which loaded) and
  // replays the same batches. Returns how many batches were replayed.
  template <class Runner, class Ctx, class LoggedOffset>
  std::uint64_t restore_state(storage::file_system& fsys, const stream_detail::stream_paths& paths, Runner& runner,
                              const Ctx& ctx, const stream_options& options, std::uint64_t commits, std::uint64_t offsets_start,
                              const LoggedOffset& logged_offset, std::optional<std::uint64_t>& loaded) const {
    std::uint64_t from = 0;
    const auto saved = stream_detail::leader_decides(ctx, [&] { return state_checkpoints(fsys, paths); });
    const auto opts = state_options(fsys, options);
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
      if (*it >= commits) continue;
      try {
        runner.load(paths.state() / std::to_string(*it), opts);
        from = *it + 1;
        loaded = *it;
        break;
      } catch (const checkpoint_error& e) {
        if (e.reason() == checkpoint_errc::io_error || e.reason() == checkpoint_errc::locked) throw;
        runner.reset();  // a torn or damaged state checkpoint: an older one, or a replay from 0
      }
    }
    if (from < offsets_start) {
      throw checkpoint_error(checkpoint_errc::not_found, paths.state(),
                             lineage::detail::cat("no kept state checkpoint loads, and the offsets of batches before ",
                                                  offsets_start, " were purged: the state cannot be rebuilt"));
    }
    for (std::uint64_t b = from; b < commits; ++b) {
      (void)runner.run(stream_.source().read(logged_offset(b)), b, false);
    }
    return commits - from;
  }

  Stream stream_;
  Output output_;
};

// stream | output operation: a runnable query.
template <class Source, class... Steps, stream_output Output>
auto operator|(const stream<Source, Steps...>& s, const Output& out) {
  return query<stream<Source, Steps...>, Output>(s, out);
}

}  // namespace lineage
