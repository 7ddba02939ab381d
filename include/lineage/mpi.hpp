// SPDX-License-Identifier: Apache-2.0
#pragma once
// <lineage/mpi.hpp>: scale-out on MPI (README "Scale-out on MPI"). Opt-in: link lineage::mpi (which links
// MPI::MPI_CXX); no other lineage header includes MPI.
//   ln::mpi::session mpi(argc, argv);
//   auto counts = ln::parallelize(words, 64) | ln::map(...) | ln::reduce_by_key(std::plus<>())
//               | ln::collect(ln::mpi::world);       // the same vector on every rank, = ln::seq's
#include "lineage.hpp"
#include "mpi/failure.hpp"
#include "mpi/session.hpp"
#include "mpi/world.hpp"
