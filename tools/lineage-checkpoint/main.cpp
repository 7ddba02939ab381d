// lineage-checkpoint: inspect, verify, list and remove lineage checkpoints from the shell,
// without knowing their element type (everything comes from the manifest and the files).
//   lineage-checkpoint [--json] info DIR | verify DIR | ls [--max-depth N] ROOT | rm DIR
#include "commands.hpp"
#include "exit_codes.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

void print_help(std::ostream& out) {
  out << "usage: lineage-checkpoint [--json] COMMAND ARGS\n"
         "\n"
         "Inspect lineage checkpoints (written by ln::checkpoint) without their element type.\n"
         "\n"
         "commands:\n"
         "  info DIR      the manifest: format version, element type, signature, version tag,\n"
         "                partitioner, generations, per-partition records/bytes/checksum, total,\n"
         "                creation time, metadata, the lineage that produced the data\n"
         "  verify DIR    check the manifest and every partition's size, header and checksum\n"
         "  ls ROOT       every checkpoint under ROOT with its size and state: ok, damaged or\n"
         "                foreign (a MANIFEST lineage did not write); never follows links;\n"
         "                --max-depth N folders deep (default 16)\n"
         "  rm DIR        remove a checkpoint: only what lineage provably wrote (as\n"
         "                ln::remove_checkpoint); refuses a directory holding nothing of lineage's\n"
         "\n"
         "options:\n"
         "  --json        print one JSON object instead of text\n"
         "  -h, --help    this text\n"
         "\n"
         "exit status:\n"
         "  0   success (ls: every checkpoint found is ok)\n"
         "  1   an unexpected failure\n"
         "  2   usage error\n";
  for (const auto reason : lineage_tool::all_reasons) {
    const int code = lineage_tool::exit_code(reason);
    out << "  " << code << (code < 10 ? "   " : "  ") << lineage_tool::errc_name(reason) << " ("
        << lineage::to_string(reason) << ")\n";
  }
  out << "  (ls: the status of the first checkpoint that is not ok)\n";
}

int usage(std::string_view problem) {
  std::cerr << "lineage-checkpoint: " << problem << "\n(lineage-checkpoint --help for usage)\n";
  return lineage_tool::exit_usage;
}

int run(const std::vector<std::string>& args) {
  bool json = false;
  lineage_tool::scan_limits limits;
  std::vector<std::string> words;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "-h" || a == "--help") {
      print_help(std::cout);
      return lineage_tool::exit_ok;
    } else if (a == "--max-depth") {
      if (i + 1 == args.size()) return usage("--max-depth needs a number");
      const std::string& n = args[++i];
      char* end = nullptr;
      const unsigned long long depth = std::strtoull(n.c_str(), &end, 10);
      if (n.empty() || *end != '\0' || depth > 1000) return usage("--max-depth takes a number from 0 to 1000");
      limits.max_depth = static_cast<std::size_t>(depth);
    } else if (a == "--") {
      words.insert(words.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage("unknown option '" + a + "'");
    } else {
      words.push_back(a);
    }
  }
  if (words.empty()) return usage("no command");
  if (words.size() != 2) return usage("'" + words[0] + "' takes one directory");
  const lineage_tool::output out{json, std::cout, std::cerr};
  const std::filesystem::path dir = words[1];
  if (words[0] == "info") return lineage_tool::info(out, dir);
  if (words[0] == "verify") return lineage_tool::verify(out, dir);
  if (words[0] == "ls") return lineage_tool::ls(out, dir, limits);
  if (words[0] == "rm") return lineage_tool::rm(out, dir);
  return usage("unknown command '" + words[0] + "'");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "lineage-checkpoint: " << e.what() << '\n';
    return lineage_tool::exit_failure;
  }
}
