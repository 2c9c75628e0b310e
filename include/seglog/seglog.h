// seglog: Kafka's storage-and-queue model as an embeddable C++ library. Umbrella header: includes every
// public header. See README.md for a tour and doc/ for the formats and guarantees.
#ifndef SEGLOG_SEGLOG_H_
#define SEGLOG_SEGLOG_H_

#include "seglog/batch_builder.h"
#include "seglog/batch_view.h"
#include "seglog/clock.h"
#include "seglog/compression.h"
#include "seglog/consumer.h"
#include "seglog/crc32c.h"
#include "seglog/file_system.h"
#include "seglog/index_file.h"
#include "seglog/log_files.h"
#include "seglog/mutex.h"
#include "seglog/record_batch.h"
#include "seglog/partition.h"
#include "seglog/partitioner.h"
#include "seglog/producer.h"
#include "seglog/segment.h"
#include "seglog/sparse_index.h"
#include "seglog/status_macros.h"
#include "seglog/store.h"
#include "seglog/topic.h"
#include "seglog/topic_config.h"
#include "seglog/version.h"

#endif  // SEGLOG_SEGLOG_H_
