// Asking for the schema of a type cereal cannot serialize fails with lineage's one clear message.
// expect: this element type cannot be serialized into a checkpoint
#include <lineage/storage/schema.hpp>

struct no_serialize_function {
  int x = 0;
};

const lineage::storage::element_schema& schema() {
  return lineage::storage::schema_of<no_serialize_function>();
}
