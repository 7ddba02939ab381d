// Writing a checkpoint of a type cereal cannot serialize fails with one clear message.
// expect: this element type cannot be serialized into a checkpoint
#include <lineage/storage/writer.hpp>

#include <vector>

struct no_serialize_function {
  int x = 0;
};

void write(lineage::storage::checkpoint_writer& writer) {
  const std::vector<no_serialize_function> records(3);
  writer.write_partition(0, records);
}
