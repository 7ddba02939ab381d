// The storage split (storage/partition_writer.hpp): partitions written by partition_writers —
// as other processes would — into the generation a checkpoint_writer opened, then committed by
// that writer from their entries. Oracle: the records written, read back through the reader.
#include "storage_test_support.hpp"

#include <lineage/storage/partition_writer.hpp>

#include <string>
#include <vector>

using namespace storage_test;

namespace {

const partitions<std::string> content{{"a", "bb"}, {}, {"ccc", "d", "ee"}, {"f"}};

std::vector<st::partition_info> write_with_partition_writers(const st::checkpoint_writer& writer, const fs::path& dir) {
  // Two "processes": each its own partition_writer, each writing its half.
  const st::partition_writer even(dir, writer.generation(), scratch_options());
  const st::partition_writer odd(dir, writer.generation(), scratch_options());
  std::vector<st::partition_info> infos(content.size());
  for (std::size_t i = 0; i < content.size(); ++i) infos[i] = (i % 2 == 0 ? even : odd).write_partition(i, content[i]);
  return infos;
}

}  // namespace

TEST_CASE("storage split: partitions written apart and committed from their entries", "[storage][split]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  st::checkpoint_writer writer(dir, scratch_options());
  auto infos = write_with_partition_writers(writer, dir);
  const auto m = writer.commit<std::string>(infos, 42, "v1", "none");
  CHECK(m.partitions == infos);
  CHECK(m.signature == 42);
  CHECK(load_checkpoint<std::string>(dir) == content);
  CHECK(m.content_id == st::format::compute_content_id(infos));  // from the entries, in order
  CHECK_NOTHROW(st::verify(dir));
}

TEST_CASE("storage split: a partition writer needs the generation its writer opened", "[storage][split]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  {
    st::checkpoint_writer writer(dir, scratch_options());
    CHECK(error_of([&] { st::partition_writer(dir, writer.generation() + 1, scratch_options()); }).reason() ==
          checkpoint_errc::not_found);
    fs::create_directories(dir / "g7");  // a folder lineage did not make (no marker)
    CHECK(error_of([&] { st::partition_writer(dir, 7, scratch_options()); }).reason() == checkpoint_errc::not_found);
  }
  // An uncommitted writer removed its generation: a late partition writer cannot write there.
  CHECK(error_of([&] { st::partition_writer(dir, 1, scratch_options()); }).reason() == checkpoint_errc::not_found);
}

TEST_CASE("storage split: commit refuses entries that do not describe this generation's files", "[storage][split]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  st::checkpoint_writer writer(dir, scratch_options());
  const auto good = write_with_partition_writers(writer, dir);

  auto elsewhere = good;
  elsewhere[1].file = "../elsewhere/part-00001";
  CHECK_THROWS_AS(writer.commit<std::string>(elsewhere, 1, "", "none"), std::invalid_argument);

  auto shorter = good;
  shorter[2].bytes += 1;  // the file on disk is one byte shorter than the entry says
  CHECK(error_of([&] { writer.commit<std::string>(shorter, 1, "", "none"); }).reason() == checkpoint_errc::truncated);

  // Nothing was committed by the refused attempts.
  CHECK(!fs::exists(dir / "MANIFEST"));
}

TEST_CASE("storage split: commit needs every partition's file", "[storage][split]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  st::checkpoint_writer writer(dir, scratch_options());
  auto infos = write_with_partition_writers(writer, dir);
  fs::remove(dir / infos[3].file);  // reported written, but not on disk
  CHECK(error_of([&] { writer.commit<std::string>(infos, 1, "", "none"); }).reason() == checkpoint_errc::not_found);
  CHECK(!fs::exists(dir / "MANIFEST"));
}
