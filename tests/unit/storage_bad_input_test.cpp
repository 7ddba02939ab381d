// Each checkpoint_errc reason, produced by a real damaged (or busy) directory, and named with the
// path in what().
#include "storage_test_support.hpp"

#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace storage_test;

namespace {

bool mentions(const checkpoint_error& e, const fs::path& path) {
  return std::string(e.what()).find(path.string()) != std::string::npos;
}

const partitions<std::string> content{{"alpha", "beta", "gamma"}, {"delta"}};

}  // namespace

TEST_CASE("storage bad input: not_found", "[storage]") {
  temp_dir tmp;
  CHECK_FALSE(st::try_read_manifest(tmp.path()));        // empty directory
  CHECK_FALSE(st::try_read_manifest(tmp / "missing"));   // no directory at all
  const auto e = error_of([&] { st::read_manifest<int>(tmp.path()); });
  CHECK(e.reason() == checkpoint_errc::not_found);
  CHECK(e.path() == tmp.path());
  CHECK(mentions(e, tmp.path()));
  CHECK(error_of([&] { st::verify(tmp.path()); }).reason() == checkpoint_errc::not_found);

  // A partition file that is missing.
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint(dir, content);
  fs::remove(dir / m.partitions[1].file);
  const auto missing = error_of([&] { load_checkpoint<std::string>(dir); });
  CHECK(missing.reason() == checkpoint_errc::not_found);
  CHECK(missing.path() == dir / m.partitions[1].file);
  CHECK(mentions(missing, dir / m.partitions[1].file));
}

TEST_CASE("storage bad input: truncated partition, empty files", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint(dir, content);
  const auto part = dir / m.partitions[0].file;
  const auto original = read_bytes(part);
  write_bytes(part, std::vector<std::byte>(original.begin(), original.end() - 5));
  auto e = error_of([&] { load_checkpoint<std::string>(dir); });
  CHECK(e.reason() == checkpoint_errc::truncated);
  CHECK(mentions(e, part));
  CHECK(std::string(e.what()).find("truncated") != std::string::npos);

  write_bytes(part, {});
  CHECK(error_of([&] { load_checkpoint<std::string>(dir); }).reason() == checkpoint_errc::truncated);
  write_bytes(part, original);

  const auto manifest = read_bytes(dir / "MANIFEST");
  write_bytes(dir / "MANIFEST", {});
  e = error_of([&] { st::try_read_manifest(dir); });
  CHECK(e.reason() == checkpoint_errc::truncated);
  CHECK(mentions(e, dir / "MANIFEST"));
  write_bytes(dir / "MANIFEST", manifest);
  CHECK(load_checkpoint<std::string>(dir) == content);
}

TEST_CASE("storage bad input: a flipped bit is a checksum mismatch", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint(dir, content);
  const auto part = dir / m.partitions[0].file;
  auto bytes = read_bytes(part);
  bytes[st::format::partition_header_size + 9] ^= std::byte{0x10};
  write_bytes(part, bytes);
  const auto e = error_of([&] { load_checkpoint<std::string>(dir); });
  CHECK(e.reason() == checkpoint_errc::checksum_mismatch);
  CHECK(mentions(e, part));
  CHECK(error_of([&] { st::verify(dir); }).reason() == checkpoint_errc::checksum_mismatch);

  auto manifest = read_bytes(dir / "MANIFEST");
  manifest[40] ^= std::byte{0x01};
  write_bytes(dir / "MANIFEST", manifest);
  CHECK(error_of([&] { st::try_read_manifest(dir); }).reason() == checkpoint_errc::checksum_mismatch);
}

TEST_CASE("storage bad input: a checkpoint of another element type", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint(dir, content);
  const auto e = error_of([&] { st::read_manifest<int>(dir); });
  CHECK(e.reason() == checkpoint_errc::type_mismatch);
  CHECK(mentions(e, dir));
  CHECK(std::string(e.what()).find(st::element_type_name<std::string>()) != std::string::npos);
  CHECK(error_of([&] { st::load_partition<double>(dir, m, 0); }).reason() == checkpoint_errc::type_mismatch);
}

TEST_CASE("storage bad input: a random file renamed as a partition or as the manifest", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint(dir, content);
  const auto part = dir / m.partitions[0].file;
  const auto original = read_bytes(part);
  std::vector<std::byte> random_bytes(original.size());
  for (std::size_t i = 0; i < random_bytes.size(); ++i) random_bytes[i] = std::byte(static_cast<unsigned char>(i * 37 + 11));
  write_bytes(tmp / "random.bin", random_bytes);
  fs::rename(tmp / "random.bin", part);  // same size as the real one
  auto e = error_of([&] { load_checkpoint<std::string>(dir); });
  CHECK(e.reason() == checkpoint_errc::not_a_checkpoint);
  CHECK(mentions(e, part));

  random_bytes.resize(1000);
  write_bytes(part, random_bytes);  // another size
  CHECK(error_of([&] { load_checkpoint<std::string>(dir); }).reason() == checkpoint_errc::not_a_checkpoint);

  // Another partition's (valid) file in its place.
  write_bytes(part, read_bytes(dir / m.partitions[1].file));
  CHECK(error_of([&] { load_checkpoint<std::string>(dir); }).reason() == checkpoint_errc::not_a_checkpoint);
  write_bytes(part, original);

  write_bytes(dir / "MANIFEST", random_bytes);
  e = error_of([&] { st::try_read_manifest(dir); });
  CHECK(e.reason() == checkpoint_errc::not_a_checkpoint);
  CHECK(mentions(e, dir / "MANIFEST"));
}

TEST_CASE("storage bad input: a manifest from a future format version", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  auto m = write_checkpoint(dir, content);
  m.format_version = st::manifest_format_version + 1;
  write_bytes(dir / "MANIFEST", st::format::encode_manifest(m));  // checksum valid
  const auto e = error_of([&] { st::try_read_manifest(dir); });
  CHECK(e.reason() == checkpoint_errc::format_version);
  CHECK(mentions(e, dir / "MANIFEST"));
  CHECK(std::string(e.what()).find("version " + std::to_string(st::manifest_format_version + 1)) != std::string::npos);

  // A partition of a future version (the partition format is versioned apart from the manifest).
  m.format_version = st::manifest_format_version;
  write_bytes(dir / "MANIFEST", st::format::encode_manifest(m));
  auto bytes = read_bytes(dir / m.partitions[0].file);
  const std::uint32_t future = st::newest_partition_format_version + 1;
  std::memcpy(bytes.data() + 12, &future, 4);
  write_bytes(dir / m.partitions[0].file, bytes);
  CHECK(error_of([&] { load_checkpoint<std::string>(dir); }).reason() == checkpoint_errc::format_version);
}

TEST_CASE("storage bad input: the other byte order", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_checkpoint(dir, content);
  auto bytes = read_bytes(dir / "MANIFEST");
  std::uint32_t swapped = st::format::swapped_endian_mark;
  std::memcpy(bytes.data() + 8, &swapped, 4);
  write_bytes(dir / "MANIFEST", bytes);
  CHECK(error_of([&] { st::try_read_manifest(dir); }).reason() == checkpoint_errc::format_version);
}

TEST_CASE("storage bad input: a second writer is locked out", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  {
    st::checkpoint_writer first(dir, scratch_options());
    // In this process...
    const auto e = error_of([&] { st::checkpoint_writer second(dir, scratch_options()); });
    CHECK(e.reason() == checkpoint_errc::locked);
    CHECK(mentions(e, dir));
    CHECK(error_of([&] { st::remove_checkpoint(dir); }).reason() == checkpoint_errc::locked);
    // ...and in another one.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      try {
        st::checkpoint_writer second(dir, scratch_options());
        ::_exit(1);
      } catch (const checkpoint_error& e) {
        ::_exit(e.reason() == checkpoint_errc::locked ? 0 : 2);
      } catch (...) {
        ::_exit(3);
      }
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    first.write_partition(0, std::vector<int>{1});
    first.commit(st::element_type_name<int>(), 0, "", "none");
  }
  // Released with the writer.
  write_checkpoint<int>(dir, {{2}});
  CHECK(load_checkpoint<int>(dir) == partitions<int>{{2}});
}

TEST_CASE("storage bad input: io_error names the path and the errno text", "[storage]") {
  temp_dir tmp;
  write_bytes(tmp / "file", {std::byte{1}});
  // A checkpoint "directory" that is a regular file, or below one: mkdir fails.
  const auto e = error_of([&] { st::checkpoint_writer writer(tmp / "file/ckpt", scratch_options()); });
  CHECK(e.reason() == checkpoint_errc::io_error);
  CHECK(std::string(e.what()).find("Not a directory") != std::string::npos);
  const auto e2 = error_of([&] { st::checkpoint_writer writer(tmp / "file", scratch_options()); });
  CHECK(e2.reason() == checkpoint_errc::io_error);
  CHECK(mentions(e2, tmp / "file"));
  CHECK(std::string(e2.what()).find("I/O error") != std::string::npos);
  CHECK(std::string(e2.what()).find("mkdir") != std::string::npos);
}

TEST_CASE("storage bad input: to_string names every reason", "[storage]") {
  using lineage::to_string;
  std::set<std::string_view> names;
  for (const auto reason :
       {checkpoint_errc::not_found, checkpoint_errc::truncated, checkpoint_errc::checksum_mismatch,
        checkpoint_errc::not_a_checkpoint, checkpoint_errc::format_version, checkpoint_errc::type_mismatch,
        checkpoint_errc::signature_mismatch, checkpoint_errc::io_error, checkpoint_errc::locked}) {
    names.insert(to_string(reason));
  }
  CHECK(names.size() == 9);
  const checkpoint_error e(checkpoint_errc::signature_mismatch, "/some/dir", "written by another lineage");
  CHECK(std::string(e.what()) ==
        "lineage checkpoint error: lineage signature mismatch at '/some/dir': written by another lineage");
}
