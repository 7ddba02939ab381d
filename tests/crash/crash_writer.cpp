// Child of the crash test: writes durable checkpoints of alternating content (A, B, A, ...) into
// one directory, forever or `count` times, printing "committed <n>" after each commit. The
// driver SIGKILLs it at random moments.
//   crash_writer <dir> [count]
#include "crash_content.hpp"

#include <lineage/storage/checkpoint_io.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: crash_writer <dir> [count]\n");
    return 2;
  }
  namespace st = lineage::storage;
  const std::filesystem::path dir = argv[1];
  const long count = argc > 2 ? std::atol(argv[2]) : -1;
  const crash_test::content contents[2] = {crash_test::make_content(false), crash_test::make_content(true)};
  lineage::checkpoint_options options;
  options.durable = true;
  try {
    for (long n = 0; count < 0 || n < count; ++n) {
      const auto& parts = contents[n % 2];
      st::checkpoint_writer writer(dir, options);
      std::vector<std::thread> threads;  // two writer threads, as a parallel checkpoint would
      for (std::size_t t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
          for (std::size_t p = t; p < parts.size(); p += 2) writer.write_partition(p, parts[p]);
        });
      }
      for (auto& thread : threads) thread.join();
      writer.commit(st::element_type_name<crash_test::record>(), 1, "", "none");
      std::printf("committed %ld\n", n);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash_writer: %s\n", e.what());
    return 1;
  }
  return 0;
}
