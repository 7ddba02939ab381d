// Catch2's runner inside an MPI session: every rank runs every test case, in declaration
// order, so their collective calls match. The exit status is the worst over all ranks.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <lineage/mpi.hpp>

int main(int argc, char** argv) {
  lineage::mpi::session mpi(argc, argv);
  const int failed = Catch::Session().run(argc, argv);
  int worst = 0;
  MPI_Allreduce(&failed, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return worst;
}
