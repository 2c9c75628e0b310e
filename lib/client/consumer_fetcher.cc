// The Consumer's read path (see consumer_fetcher.h and doc/design/consumer.md).
#include "client/consumer_fetcher.h"

#include <algorithm>
#include <utility>

#include "util/status_macros.h"

namespace seglog::internal {

absl::StatusOr<BatchView> ConsumerFetcher::ParseBatch(std::string_view bytes) const {
  return options_.check_crcs ? BatchView::Parse(bytes) : BatchView::ParseWithoutCrc(bytes);
}

absl::StatusOr<bool> ConsumerFetcher::Refill(ConsumerPartition* p, int64_t max_bytes, FetchBudget* budget) {
  ReadOptions read_options;
  read_options.max_bytes = static_cast<size_t>(std::max<int64_t>(max_bytes, 1));
  read_options.min_one_batch = true;
  ASSIGN_OR_RETURN(ReadResult read, p->partition->Read(*p->position, read_options));
  if (read.bytes.empty()) return false;
  budget->bytes_left -= static_cast<int64_t>(read.bytes.size());
  p->leftover.valid = true;
  p->leftover.pin = std::move(read.pin);
  p->leftover.rest = read.bytes;
  p->leftover.reader = nullptr;
  p->leftover.pin_poll = 0;
  return true;
}

absl::Status ConsumerFetcher::StartBatch(ConsumerPartition* p, const BatchView& batch) {
  RecordReader* reader;
  if (batch.compression() == CompressionType::kNone) {
    if (p->plain_reader == nullptr) p->plain_reader = std::make_unique<RecordReader>(options_.decode);
    reader = p->plain_reader.get();
  } else {
    // A ConsumerRecords still holding the last compressed reader may point into its buffer: use a new one.
    if (p->compressed_reader == nullptr || p->compressed_reader.use_count() > 1) {
      p->compressed_reader = std::make_shared<RecordReader>(options_.decode);
    }
    reader = p->compressed_reader.get();
    p->compressed_reader_poll = 0;
  }
  p->leftover.reader = reader;
  p->leftover.header = batch.header();
  absl::Status status = reader->Reset(batch);
  if (!status.ok()) {
    p->leftover.reader = nullptr;
    return status;
  }
  return absl::OkStatus();
}

absl::Status ConsumerFetcher::Drain(ConsumerPartition* p, uint64_t poll, FetchBudget* budget, ConsumerRecords* out) {
  FetchLeftover& lo = p->leftover;
  int64_t position = *p->position;
  const std::string_view topic = *p->topic_name;
  const int32_t partition = p->tp.partition;
  absl::Status status;
  while (budget->records_left > 0) {
    if (lo.reader == nullptr) {
      if (lo.rest.empty()) {
        p->DropLeftover();
        break;
      }
      absl::StatusOr<BatchView> batch = ParseBatch(lo.rest);
      if (!batch.ok()) {
        status = batch.status();
        break;
      }
      lo.rest.remove_prefix(batch->size_in_bytes());
      if (batch->header().next_offset() <= position) continue;  // wholly consumed already
      if (batch->header().is_control()) {
        position = batch->header().next_offset();  // commit/abort markers are not records
        continue;
      }
      status = StartBatch(p, *batch);
      if (!status.ok()) break;
    }
    // Pin what this batch's records point into, once per poll.
    if (lo.pin_poll != poll) {
      out->keep_alive_.push_back(lo.pin);
      lo.pin_poll = poll;
    }
    if (lo.reader == p->compressed_reader.get() && p->compressed_reader_poll != poll) {
      out->keep_alive_.push_back(p->compressed_reader);
      p->compressed_reader_poll = poll;
    }
    if (p->name_poll != poll) {
      out->keep_alive_.push_back(p->topic_name);
      p->name_poll = poll;
    }
    if (out->records_.capacity() == 0) {
      out->records_.reserve(static_cast<size_t>(std::min<int64_t>(budget->records_left, 4096)));
    }
    RecordReader* reader = lo.reader;
    const TimestampType timestamp_type = lo.header.timestamp_type();
    RecordView record;
    int64_t left = budget->records_left;
    bool batch_done = true;
    while (true) {
      if (left == 0) {
        batch_done = false;
        break;
      }
      if (!reader->Next(&record)) break;
      if (record.offset < position) continue;  // a seek or an earlier cut landed inside this batch
      out->records_.push_back(ConsumerRecord{topic, partition, record.offset, record.timestamp, timestamp_type,
                                             record.key, record.value, record.headers});
      position = record.offset + 1;
      --left;
    }
    budget->records_left = left;
    if (!batch_done) break;
    if (!reader->status().ok()) {
      status = reader->status();
      lo.reader = nullptr;
      break;
    }
    // A compacted batch may end before its last offset: the position moves past the whole batch.
    position = std::max(position, lo.header.next_offset());
    lo.reader = nullptr;
  }
  p->position = position;
  if (!status.ok()) p->DropLeftover();
  return status;
}

absl::Status ConsumerFetcher::FetchRecords(ConsumerPartition* p, uint64_t poll, FetchBudget* budget,
                                           ConsumerRecords* out) {
  int64_t partition_bytes_left = options_.max_partition_fetch_bytes;
  while (budget->records_left > 0) {
    if (!p->leftover.valid) {
      const int64_t max_bytes = std::min(partition_bytes_left, budget->bytes_left);
      if (max_bytes <= 0) break;
      const int64_t bytes_before = budget->bytes_left;
      ASSIGN_OR_RETURN(bool got, Refill(p, max_bytes, budget));
      if (!got) break;
      partition_bytes_left -= bytes_before - budget->bytes_left;
    }
    RETURN_IF_ERROR(Drain(p, poll, budget, out));
  }
  return absl::OkStatus();
}

absl::Status ConsumerFetcher::FetchBatches(ConsumerPartition* p, FetchBudget* budget, ConsumerBatches* out) {
  p->DropLeftover();
  const int64_t max_bytes = std::min<int64_t>(options_.max_partition_fetch_bytes, budget->bytes_left);
  if (max_bytes <= 0 || budget->records_left <= 0) return absl::OkStatus();
  const int64_t position = *p->position;
  ReadOptions read_options;
  read_options.max_bytes = static_cast<size_t>(max_bytes);
  read_options.min_one_batch = true;
  ASSIGN_OR_RETURN(ReadResult read, p->partition->Read(position, read_options));
  if (read.bytes.empty()) return absl::OkStatus();
  budget->bytes_left -= static_cast<int64_t>(read.bytes.size());

  PartitionBatches entry;
  entry.topic = *p->topic_name;
  entry.partition = p->tp.partition;
  entry.fetch_offset = position;
  entry.high_watermark = read.high_watermark;
  int64_t next = position;
  std::string_view rest = read.bytes;
  absl::Status status;
  while (!rest.empty() && budget->records_left > 0) {
    absl::StatusOr<BatchView> batch = ParseBatch(rest);
    if (!batch.ok()) {
      status = batch.status();
      break;
    }
    rest.remove_prefix(batch->size_in_bytes());
    if (batch->header().next_offset() <= next) continue;
    next = batch->header().next_offset();
    if (batch->header().is_control()) continue;
    budget->records_left -= batch->records_count();
    entry.batches.push_back(*batch);
  }
  entry.next_offset = next;
  p->position = next;
  if (!entry.batches.empty()) {
    out->keep_alive_.push_back(std::move(read.pin));
    out->keep_alive_.push_back(p->topic_name);
    out->partitions_.push_back(std::move(entry));
  }
  return status;
}

}  // namespace seglog::internal
