// The process the stream crash test kills: runs stream_crash::word_totals() with write_batches
// into <out dir>, keeping its stream directory in <stream dir>, until the source is drained.
//   stream_crash_worker <stream dir> <out dir> [die-after-output-of-batch]
// With the third argument, the process SIGKILLs itself right after that batch's output was
// written and before its commit record: the window a random kill rarely hits.
// Exit: 0 drained; 3 an error (printed).
#include "stream_crash_content.hpp"

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

namespace {

struct write_then_die : lineage::stream_output_tag {
  lineage::write_batches_output inner;
  std::int64_t die_after = -1;
  template <class T, class Ctx>
  void emit(std::uint64_t b, const lineage::checkpointed<T>& r, const lineage::stream_options& o, const Ctx& c) const {
    inner.emit(b, r, o, c);
    if (static_cast<std::int64_t>(b) == die_after) std::raise(SIGKILL);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <stream dir> <out dir> [die-after-output-of-batch]\n", argv[0]);
    return 2;
  }
  try {
    write_then_die out;
    out.inner = lineage::write_batches(argv[2]);
    if (argc > 3) out.die_after = std::stoll(argv[3]);
    (stream_crash::word_totals() | out).run(argv[1], stream_crash::options());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stream_crash_worker: %s\n", e.what());
    return 3;
  }
}
