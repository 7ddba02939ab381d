// expect: ln::checkpoint: the element type cannot be serialized with cereal
// ln::checkpoint of a pipeline whose element type cereal cannot serialize (no serialize
// function): one static_assert in the checkpoint adaptor names the problem. (The storage-level
// twin is storage_not_serializable.cpp; the source here is serializable, only the result is not.)
#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

struct no_serialize_function {
  int x = 0;
};

void test() {
  std::vector<int> v = {1, 2, 3};
  auto c = v | ln::map([](int x) { return no_serialize_function{x}; }) | ln::checkpoint("dir");
  (void)c;
}
