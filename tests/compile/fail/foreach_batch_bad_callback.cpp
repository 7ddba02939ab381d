// expect: ln::foreach_batch\(f\): f must be callable as f\(std::uint64_t batch, const ln::checkpointed<T>&\)
// ln::foreach_batch(f) whose f does not take the batch's result.
#include <lineage/stream.hpp>

#include <cstdint>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<std::vector<int>> batches = {{1, 2}};
  auto q = ln::batches(batches) | ln::window(2, 1) | ln::foreach_batch([](std::uint64_t, int) {});
  (void)q.run("unused");
}
