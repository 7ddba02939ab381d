// expect: cannot tell the state type S from f
// ln::update_state_by_key(f) with a generic lambda: the state type must be declared or given.
#include <lineage/stream.hpp>

#include <utility>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<std::vector<std::pair<int, long>>> batches = {{{1, 2L}}};
  auto s = ln::batches(batches) | ln::update_state_by_key([](auto news, auto state) { return state; });
  (void)s;
}
