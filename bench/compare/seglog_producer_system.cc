// seglog-producer: a seglog::Store with one single-partition topic, written by a Producer, read by a Consumer.
//
// Append: Producer::Send of each of the batch's records (topic "compare", partition 0, 8-byte key, value),
// then Producer::Flush, so each batch of B records becomes one RecordBatch and AppendBatch returns once it
// is appended, as every other system's does. acks=1 (durable: acks=-1, "all": the sender's append fsyncs);
// idempotence on and linger.ms 5 (Kafka's defaults; Flush sends at once, so linger never delays a batch);
// batch.size, max.request.size, buffer.memory and the topic's max.message.bytes raised to hold one batch of
// B records when it is larger than their defaults. seglog-perf measures the pipelined producer (no Flush
// per batch).
// Read: a Consumer (auto.offset.reset=earliest, max.poll.records=20000) assigned the partition, Poll until
// every record has come back; each record's key and value are checked.
#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "seglog/consumer.h"
#include "seglog/producer.h"
#include "seglog/store.h"
#include "systems.h"
#include "util/status_macros.h"

namespace seglog_compare {
namespace {

constexpr char kTopic[] = "compare";
constexpr int kMaxPollRecords = 20000;

class SeglogProducerSystem : public System {
 public:
  SeglogProducerSystem(const Dataset& data, bool durable) : data_(data), durable_(durable) {}

  absl::Status Open(const std::string& dir) override {
    ASSIGN_OR_RETURN(store_, seglog::Store::Open(dir + "/store"));
    const int64_t batch_bytes = static_cast<int64_t>(data_.max_batch_bytes());
    seglog::ProducerOptions options{.acks = durable_ ? -1 : 1};
    options.batch_size = static_cast<int32_t>(std::max<int64_t>(options.batch_size, batch_bytes));
    options.max_request_size = static_cast<int32_t>(std::max<int64_t>(options.max_request_size, batch_bytes));
    options.buffer_memory = std::max<int64_t>(options.buffer_memory, 4 * batch_bytes);
    const int32_t max_message_bytes = std::max<int32_t>(1048588, options.max_request_size);
    RETURN_IF_ERROR(
        store_->CreateTopic(kTopic, 1, {{"max.message.bytes", std::to_string(max_message_bytes)}}).status());
    ASSIGN_OR_RETURN(producer_, seglog::Producer::Create(store_.get(), options));
    return absl::OkStatus();
  }

  absl::Status AppendBatch(int64_t first, int n) override {
    char key[kKeySize];
    for (int64_t i = first; i < first + n; ++i) {
      Dataset::EncodeKey(i, key);
      RETURN_IF_ERROR(producer_->Send(
          {.topic = kTopic, .partition = 0, .key = std::string_view(key, kKeySize), .value = data_.Value(i)}));
    }
    return producer_->Flush();
  }

  absl::Status ReadAll(ReadVerifier* verifier) override {
    ASSIGN_OR_RETURN(std::unique_ptr<seglog::Consumer> consumer,
                     seglog::Consumer::Create(store_.get(), {.auto_offset_reset = seglog::OffsetReset::kEarliest,
                                                             .max_poll_records = kMaxPollRecords}));
    RETURN_IF_ERROR(consumer->Assign({{kTopic, 0}}));
    while (verifier->count() < data_.records()) {
      ASSIGN_OR_RETURN(seglog::ConsumerRecords records, consumer->Poll(absl::ZeroDuration()));
      if (records.empty()) {
        return absl::DataLossError(absl::StrCat("Consumer::Poll returned nothing after ", verifier->count(), " of ",
                                                data_.records(), " records"));
      }
      for (const seglog::ConsumerRecord& r : records) {
        verifier->Add(r.key.value_or(std::string_view()), r.value.value_or(std::string_view()));
      }
    }
    return consumer->Close();
  }

  absl::Status Close() override {
    absl::Status status = producer_ != nullptr ? producer_->Close() : absl::OkStatus();
    producer_.reset();
    if (store_ != nullptr) status.Update(store_->Close());
    store_.reset();
    return status;
  }

 private:
  const Dataset& data_;
  const bool durable_;
  std::unique_ptr<seglog::Store> store_;
  std::unique_ptr<seglog::Producer> producer_;  // destroyed before the store
};

}  // namespace

std::unique_ptr<System> NewSeglogProducerSystem(const Dataset& data, bool durable) {
  return std::make_unique<SeglogProducerSystem>(data, durable);
}

}  // namespace seglog_compare
