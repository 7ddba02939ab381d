// SPDX-License-Identifier: Apache-2.0
#pragma once
// Collects the lines of ln::explain: one per stage, listing the operators fused into it.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lineage::plan {

// "1 partition", "4 partitions": a count and its noun, for explain notes.
inline std::string count_of(std::size_t n, std::string_view noun) {
  return std::to_string(n) + ' ' + std::string(noun) + (n == 1 ? "" : "s");
}

class explain_builder {
 public:
  // A source (a range, parallelize, a checkpoint) starts the first stage.
  void source(std::string description) { stages_.push_back({std::move(description), {}, {}}); }
  // A narrow operator joins the current stage's kernel.
  void fuse(std::string op) { stages_.back().ops.push_back(std::move(op)); }
  // A wide operator ends the current stage; its output starts a new one.
  void shuffle(std::string op) { stages_.push_back({"shuffle <- " + std::move(op), {}, {}}); }
  // A note on the current stage (persisted, checkpoint origin, ...).
  void note(std::string text) { stages_.back().notes.push_back(std::move(text)); }

  // One line per stage; `separator` joins them (a nested plan is printed on one line).
  std::string str(std::string_view separator = "\n") const {
    std::string out;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const auto& s = stages_[i];
      out += "stage " + std::to_string(i + 1) + ": " + s.head;
      for (const auto& op : s.ops) out += " -> " + op;
      for (const auto& n : s.notes) out += "  [" + n + "]";
      if (separator != "\n" && i + 1 == stages_.size()) break;
      out += separator;
    }
    return out;
  }

 private:
  struct stage {
    std::string head;
    std::vector<std::string> ops;
    std::vector<std::string> notes;
  };
  std::vector<stage> stages_;
};

}  // namespace lineage::plan
