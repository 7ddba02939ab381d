#pragma once
// The tool's commands: info, verify, ls, rm. Each works from the manifest and the files alone
// (no element type), prints text or JSON to `out` and returns the exit status (exit_codes.hpp).
#include "exit_codes.hpp"
#include "json.hpp"

#include <lineage/plan/lineage_description.hpp>
#include <lineage/storage/checkpoint_io.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace lineage_tool {

namespace fs = std::filesystem;
namespace st = lineage::storage;

struct output {
  bool json = false;
  std::ostream& out;
  std::ostream& err;
};

// The manifest in dir (checkpoint_error not_found if there is none), as ln::read_manifest.
inline st::manifest read_manifest(const fs::path& dir) {
  auto m = st::try_read_manifest(dir);
  if (!m) {
    throw lineage::checkpoint_error(lineage::checkpoint_errc::not_found, dir,
                                    "no checkpoint (no MANIFEST) in this directory");
  }
  return std::move(*m);
}

// "2026-11-30T19:02:03.123Z", or "unknown" for 0.
inline std::string iso_time(std::uint64_t unix_ms) {
  if (unix_ms == 0) return "unknown";
  const auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  if (::gmtime_r(&seconds, &utc) == nullptr) return "unknown";
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  const auto ms = static_cast<unsigned>(unix_ms % 1000);
  std::string out(text, n);
  out += '.';
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += 'Z';
  return out;
}

inline std::string hex(std::uint64_t n) {
  json_writer w;
  w.hex(n);
  return w.str().substr(1, 18);
}

// The error as JSON fields, or on stderr; returns its exit status.
inline int report_error(const output& o, json_writer& w, const lineage::checkpoint_error& e) {
  if (o.json) {
    w.key("error").begin_object();
    w.key("reason").string(errc_name(e.reason()));
    w.key("exit_code").number(static_cast<std::uint64_t>(exit_code(e.reason())));
    w.key("path").string(e.path().string());
    w.key("message").string(e.what());
    w.end_object();
  } else {
    o.err << e.what() << '\n';
  }
  return exit_code(e.reason());
}

// The generation folders on disk (g<digits>, not links), sorted.
inline std::vector<std::uint64_t> generations_on_disk(const fs::path& dir) {
  std::vector<std::uint64_t> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->symlink_status(type_ec).type() != fs::file_type::directory) continue;
    if (const auto g = st::format::parse_generation_directory(it->path().filename().string())) out.push_back(*g);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- info ----------------------------------------------------------------------------------
inline int info(const output& o, const fs::path& dir) {
  json_writer w;
  w.begin_object().key("command").string("info").key("path").string(dir.string());
  int status = exit_ok;
  try {
    const auto m = read_manifest(dir);
    const auto generations = generations_on_disk(dir);
    if (o.json) {
      w.key("format_version").number(m.format_version);
      w.key("element_type").string(m.element_type);
      w.key("schema").string(m.schema_text);
      w.key("signature").hex(m.signature);
      w.key("version").string(m.version);
      w.key("partitioner").string(m.partitioner);
      w.key("generation").number(m.generation);
      w.key("generations_on_disk").begin_array();
      for (const auto g : generations) w.number(g);
      w.end_array();
      w.key("content_id").hex(m.content_id);
      w.key("created_unix_ms").number(m.created);
      if (m.created == 0) {
        w.key("created").null();
      } else {
        w.key("created").string(iso_time(m.created));
      }
      w.key("partitions").begin_array();
      for (std::size_t i = 0; i < m.partitions.size(); ++i) {
        const auto& p = m.partitions[i];
        w.begin_object().key("index").number(i).key("file").string(p.file).key("records").number(p.records);
        w.key("bytes").number(p.bytes).key("checksum").hex(p.checksum).end_object();
      }
      w.end_array();
      w.key("total_records").number(m.total_records());
      w.key("total_bytes").number(m.total_bytes());
      w.key("metadata").begin_object();
      for (const auto& [k, v] : m.metadata) w.key(k).string(v);
      w.end_object();
      w.key("lineage").string(m.from.lineage);
      w.key("steps").begin_array();
      for (const auto& step : m.from.operators) {
        w.begin_object().key("kind").string(step.kind).key("name").string(step.name);
        w.key("input").string(step.input).key("output").string(step.output).key("level").number(step.level);
        w.end_object();
      }
      w.end_array();
    } else {
      auto& out = o.out;
      out << "checkpoint:      " << dir.string() << '\n';
      out << "format version:  " << m.format_version << '\n';
      out << "element type:    " << m.element_type << '\n';
      if (m.has_schema()) out << "schema:          " << m.schema_text << '\n';
      out << "signature:       " << hex(m.signature) << '\n';
      out << "version tag:     '" << m.version << "'\n";
      out << "partitioner:     " << m.partitioner << '\n';
      out << "generation:      " << m.generation << " (on disk:";
      for (const auto g : generations) out << " g" << g;
      out << ")\n";
      out << "content id:      " << hex(m.content_id) << '\n';
      out << "created:         " << iso_time(m.created) << '\n';
      out << "partitions:      " << m.partitions.size() << '\n';
      for (std::size_t i = 0; i < m.partitions.size(); ++i) {
        const auto& p = m.partitions[i];
        out << "  " << i << "  " << p.file << "  records " << p.records << "  bytes " << p.bytes << "  checksum "
            << hex(p.checksum) << '\n';
      }
      out << "total:           " << m.total_records() << " records, " << m.total_bytes() << " bytes\n";
      if (!m.metadata.empty()) {
        out << "metadata:\n";
        for (const auto& [k, v] : m.metadata) out << "  " << k << " = " << v << '\n';
      }
      if (!m.from.lineage.empty()) {
        out << "produced by:\n";
        std::size_t start = 0;
        for (std::size_t end; (end = m.from.lineage.find('\n', start)) != std::string::npos; start = end + 1) {
          out << "  " << m.from.lineage.substr(start, end - start) << '\n';
        }
        if (start < m.from.lineage.size()) out << "  " << m.from.lineage.substr(start) << '\n';
      }
      if (!m.from.operators.empty()) {
        out << "steps:\n";
        std::size_t number = 0;
        for (const auto& step : m.from.operators) {
          out << "  " << std::string(2 * step.level, ' ');
          if (step.kind == "source") {
            out << "source  " << lineage::plan::describe_step(step) << '\n';
          } else {
            out << ++number << "  " << step.kind << "  " << lineage::plan::describe_step(step) << '\n';
          }
        }
      }
    }
  } catch (const lineage::checkpoint_error& e) {
    status = report_error(o, w, e);
  }
  w.end_object();
  if (o.json) o.out << w.str() << '\n';
  return status;
}

// ---- verify --------------------------------------------------------------------------------
inline int verify(const output& o, const fs::path& dir) {
  json_writer w;
  w.begin_object().key("command").string("verify").key("path").string(dir.string());
  int status = exit_ok;
  try {
    const auto m = st::verify(dir);
    if (o.json) {
      w.key("state").string("ok").key("partitions").number(m.partitions.size());
      w.key("records").number(m.total_records()).key("bytes").number(m.total_bytes());
    } else {
      o.out << "ok: " << dir.string() << ": " << m.partitions.size() << " partitions, " << m.total_records()
            << " records, " << m.total_bytes() << " bytes, every checksum matches\n";
    }
  } catch (const lineage::checkpoint_error& e) {
    if (o.json) w.key("state").string("damaged");
    status = report_error(o, w, e);
  }
  w.end_object();
  if (o.json) o.out << w.str() << '\n';
  return status;
}

// ---- ls ------------------------------------------------------------------------------------
struct found_checkpoint {
  fs::path path;
  std::string state;  // ok, damaged, foreign
  std::uint64_t bytes = 0;
  std::optional<std::uint64_t> records;
  std::optional<lineage::checkpoint_error> error;
};

struct scan_limits {
  std::size_t max_depth = 16;          // folders below the root
  std::size_t max_entries = 1000000;   // directory entries looked at, in all
};

// Bytes of the regular files in dir and in its g<digits> folders (links not followed).
inline std::uint64_t bytes_on_disk(const fs::path& dir) {
  std::uint64_t total = 0;
  const auto add_files = [&](const fs::path& folder, bool into_generations) {
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      const auto type = it->symlink_status(type_ec).type();
      if (type == fs::file_type::regular) {
        std::error_code size_ec;
        const auto size = it->file_size(size_ec);
        if (!size_ec) total += size;
      } else if (into_generations && type == fs::file_type::directory &&
                 st::format::parse_generation_directory(it->path().filename().string())) {
        // one level: a generation folder holds files only
        std::error_code inner;
        for (fs::directory_iterator f(it->path(), inner), fend; !inner && f != fend; f.increment(inner)) {
          std::error_code t;
          if (f->symlink_status(t).type() != fs::file_type::regular) continue;
          std::error_code s;
          const auto size = f->file_size(s);
          if (!s) total += size;
        }
      }
    }
  };
  add_files(dir, true);
  return total;
}

inline bool written_by_lineage(const fs::path& dir);

// ok: verify passes; damaged: it fails, and lineage wrote something here (its manifest, or a
// marked generation folder: a garbage MANIFEST over lineage's data is damage); foreign: a
// MANIFEST that is not lineage's, and nothing else of lineage's.
inline found_checkpoint classify(const fs::path& dir) {
  found_checkpoint f{dir, "ok", bytes_on_disk(dir), std::nullopt, std::nullopt};
  try {
    f.records = st::verify(dir).total_records();
  } catch (const lineage::checkpoint_error& e) {
    f.error = e;
    f.state = written_by_lineage(dir) ? "damaged" : "foreign";
  }
  return f;
}

// Every folder under root holding a MANIFEST, depth first in name order; never through a link,
// never into a checkpoint's own folders, at most limits.max_depth deep. `complete` turns false
// if a limit left something unscanned.
struct scan_state {
  std::size_t entries = 0;
  bool complete = true;
  std::vector<found_checkpoint> found;
};

inline void scan(const fs::path& dir, std::size_t depth, const scan_limits& limits, scan_state& state) {
  std::error_code ec;
  const auto manifest = fs::symlink_status(dir / st::format::manifest_name, ec);
  if (!ec && manifest.type() != fs::file_type::not_found) {
    state.found.push_back(classify(dir));
    return;
  }
  std::vector<fs::path> children;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (++state.entries > limits.max_entries) {
      state.complete = false;
      return;
    }
    std::error_code type_ec;
    if (it->symlink_status(type_ec).type() == fs::file_type::directory) children.push_back(it->path());
  }
  std::sort(children.begin(), children.end());
  if (!children.empty() && depth >= limits.max_depth) {
    state.complete = false;
    return;
  }
  for (const auto& child : children) {
    if (state.entries > limits.max_entries) return;
    scan(child, depth + 1, limits, state);
  }
}

inline int ls(const output& o, const fs::path& root, const scan_limits& limits) {
  json_writer w;
  w.begin_object().key("command").string("ls").key("root").string(root.string());
  std::error_code ec;
  const auto status = fs::symlink_status(root, ec);
  if (ec || status.type() == fs::file_type::not_found) {
    const lineage::checkpoint_error e(lineage::checkpoint_errc::not_found, root, "no such directory");
    const int code = report_error(o, w, e);
    w.end_object();
    if (o.json) o.out << w.str() << '\n';
    return code;
  }
  scan_state state;
  scan(root, 0, limits, state);
  const auto& found = state.found;
  const bool complete = state.complete;
  int code = exit_ok;
  for (const auto& f : found) {
    if (code == exit_ok && f.error) code = exit_code(f.error->reason());
  }
  if (o.json) {
    w.key("complete").boolean(complete).key("checkpoints").begin_array();
    for (const auto& f : found) {
      w.begin_object().key("path").string(f.path.string()).key("state").string(f.state).key("bytes").number(f.bytes);
      if (f.records) w.key("records").number(*f.records);
      if (f.error) {
        w.key("reason").string(errc_name(f.error->reason())).key("message").string(f.error->what());
      }
      w.end_object();
    }
    w.end_array().end_object();
    o.out << w.str() << '\n';
  } else {
    for (const auto& f : found) {
      o.out << f.state << std::string(9 - f.state.size(), ' ') << f.bytes << " bytes  ";
      if (f.records) o.out << *f.records << " records  ";
      o.out << f.path.string();
      if (f.error) o.out << "  (" << lineage::to_string(f.error->reason()) << ": " << f.error->detail() << ')';
      o.out << '\n';
    }
    if (!complete) o.err << "ls: the scan stopped at a depth or entry limit (--max-depth)\n";
  }
  return code;
}

// ---- rm ------------------------------------------------------------------------------------
// True if dir holds something lineage provably wrote: a manifest (by its magic), or a generation
// folder with its GENERATION marker. ln::remove_checkpoint removes only such things.
inline bool written_by_lineage(const fs::path& dir) {
  auto& files = st::default_file_system();
  if (st::detail::owner_of(files, dir / st::format::manifest_name, st::format::manifest_magic) ==
      st::detail::file_owner::lineage) {
    return true;
  }
  for (const auto g : generations_on_disk(dir)) {
    const auto marker = st::format::encode_generation_marker(g);
    if (st::detail::file_starts_with(files, dir / st::format::generation_directory_name(g) /
                                                st::format::generation_marker_name,
                                     marker)) {
      return true;
    }
  }
  return false;
}

inline int rm(const output& o, const fs::path& dir) {
  json_writer w;
  w.begin_object().key("command").string("rm").key("path").string(dir.string());
  int status = exit_ok;
  try {
    std::error_code ec;
    const auto type = fs::symlink_status(dir, ec).type();
    if (ec || type == fs::file_type::not_found) {
      throw lineage::checkpoint_error(lineage::checkpoint_errc::not_found, dir, "no such directory");
    }
    if (type != fs::file_type::directory) {
      throw lineage::checkpoint_error(lineage::checkpoint_errc::not_a_checkpoint, dir,
                                      "not a directory (a link is never followed); nothing removed");
    }
    if (!written_by_lineage(dir)) {
      throw lineage::checkpoint_error(lineage::checkpoint_errc::not_a_checkpoint, dir,
                                      "nothing in it was written by lineage (no lineage manifest, no marked "
                                      "generation folder); nothing removed");
    }
    st::remove_checkpoint(dir);
    std::vector<std::string> kept;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      kept.push_back(it->path().filename().string());
    }
    std::sort(kept.begin(), kept.end());
    if (o.json) {
      w.key("removed").boolean(true).key("kept").begin_array();
      for (const auto& k : kept) w.string(k);
      w.end_array();
    } else {
      o.out << "removed: " << dir.string() << '\n';
      if (!kept.empty()) {
        o.out << "kept (not written by lineage):";
        for (const auto& k : kept) o.out << ' ' << k;
        o.out << '\n';
      }
    }
  } catch (const lineage::checkpoint_error& e) {
    if (o.json) w.key("removed").boolean(false);
    status = report_error(o, w, e);
  }
  w.end_object();
  if (o.json) o.out << w.str() << '\n';
  return status;
}

}  // namespace lineage_tool
