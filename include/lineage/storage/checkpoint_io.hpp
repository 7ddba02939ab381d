// SPDX-License-Identifier: Apache-2.0
#pragma once
// Checkpoint storage (umbrella header): on-disk format, atomic and durable writes, validated reads.
// See format.hpp for the on-disk format and writer.hpp for the durability protocol.
#include <lineage/storage/archive.hpp>
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>
#include <lineage/storage/format.hpp>
#include <lineage/storage/options.hpp>
#include <lineage/storage/partition_writer.hpp>
#include <lineage/storage/reader.hpp>
#include <lineage/storage/small_file.hpp>
#include <lineage/storage/writer.hpp>
