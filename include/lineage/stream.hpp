// SPDX-License-Identifier: Apache-2.0
#pragma once
// Streams: micro-batches with checkpointed state and exactly-once resume (Spark's DStreams),
// README "Streams". One header per piece, under stream/:
//   stream.hpp          the stream type; `|` of adaptors and stateful operators
//   batches.hpp, generator_stream.hpp, text_file_stream.hpp, line_stream.hpp   sources
//                       (batches.hpp: the source protocol; cursor.hpp: where a source stands)
//   update_state_by_key.hpp, window.hpp, reduce_by_key_and_window.hpp   stateful operators
//   output.hpp          foreach_batch, write_batches
//   query.hpp           query.run: the offsets/commit logs, state checkpoints, resume
//   options.hpp         stream_options, triggers, stream_report
#include "lineage.hpp"
#include "stream/batches.hpp"
#include "stream/generator_stream.hpp"
#include "stream/line_stream.hpp"
#include "stream/options.hpp"
#include "stream/output.hpp"
#include "stream/query.hpp"
#include "stream/reduce_by_key_and_window.hpp"
#include "stream/stream.hpp"
#include "stream/text_file_stream.hpp"
#include "stream/update_state_by_key.hpp"
#include "stream/window.hpp"
