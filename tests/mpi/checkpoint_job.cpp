// One step of the cross-job checkpoint tests (CTest runs them in order, with different rank
// counts, on one directory; see CMakeLists.txt):
//   checkpoint_job write   DIR   compute and checkpoint (version 1); must not be recovered
//   checkpoint_job recover DIR   ln::recover under world: equals ln::seq's result
//   checkpoint_job reuse   DIR   get-or-create: recovered, the upstream never runs
//   checkpoint_job kill    DIR   starts a version 2 checkpoint, and rank 1 SIGKILLs itself
//                                while writing its partition files, after rank 0 opened the
//                                new generation, before the commit: mpiexec aborts the job
//   checkpoint_job resume  DIR   version 1 is still there, intact; version 2 then written
// Prints "ok" on rank 0 and exits 0 when every rank saw what it should.
#include "mpi_checkpoint_support.hpp"

#include <atomic>
#include <csignal>
#include <cstddef>
#include <iostream>
#include <string>

using namespace mpi_ckpt;

namespace {

bool kill_when_written = false;

// An element whose serialization (writing a partition file) kills this process when asked.
struct doomed {
  long value = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    if (kill_when_written) std::raise(SIGKILL);
    ar(value);
  }
};

}  // namespace

int main(int argc, char** argv) {
  ln::mpi::session mpi(argc, argv);
  if (argc != 3) {
    std::cerr << "usage: checkpoint_job write|recover|reuse|kill|resume DIR\n";
    return 2;
  }
  const std::string mode = argv[1];
  const fs::path dir = argv[2];
  const auto data = input();
  const auto oracle = expected(data);
  std::atomic<std::size_t> calls{0};
  bool good = false;

  if (mode == "write") {
    const auto c = pipeline(data, &calls) | ln::checkpoint(dir, options(), ln::mpi::world);
    good = !c.recovered() && c.size() == oracle.size() && (c | ln::collect(ln::mpi::world)) == oracle;
  } else if (mode == "recover") {
    const auto c = ln::recover<std::pair<int, long>>(dir, ln::mpi::world);
    good = c.version() == "mpi-test/1" && (c | ln::collect(ln::mpi::world)) == oracle;
  } else if (mode == "reuse") {
    const auto c = pipeline(data, &calls) | ln::checkpoint(dir, options(), ln::mpi::world);
    good = c.recovered() && calls.load() == 0 && (c | ln::collect(ln::mpi::world)) == oracle;
  } else if (mode == "kill") {
    kill_when_written = mpi.rank() == 1;  // a lost rank, after the generation opened
    (void)(pipeline(data, &calls) | ln::map([](const std::pair<int, long>& kv) { return doomed{kv.second}; }) |
           ln::checkpoint(dir, options("mpi-test/2"), ln::mpi::world));
    std::cerr << "checkpoint_job kill: the job was expected to be aborted\n";
    return 1;
  } else if (mode == "resume") {
    const auto before = ln::recover<std::pair<int, long>>(dir, ln::mpi::world);  // the previous one, intact
    const bool intact = before.version() == "mpi-test/1" && (before | ln::collect(ln::mpi::world)) == oracle;
    const auto c = pipeline(data, &calls) | ln::checkpoint(dir, options("mpi-test/2"), ln::mpi::world);
    good = intact && !c.recovered() && c.version() == "mpi-test/2" && (c | ln::collect(ln::mpi::world)) == oracle;
  } else {
    std::cerr << "checkpoint_job: unknown mode " << mode << '\n';
    return 2;
  }
  int mine = good ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (mpi.rank() == 0) std::cout << (all ? "ok" : "FAILED") << ' ' << mode << " on " << mpi.size() << " ranks\n";
  return all ? 0 : 1;
}
