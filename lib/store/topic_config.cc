// TopicConfig (topic_config.h): Kafka's topic-level keys, parsed and validated (LogConfig's validators), and
// turned into a PartitionConfig.
#include "seglog/topic_config.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "seglog/record_batch.h"
#include "util/strings.h"

namespace seglog {

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

absl::Status BadValue(std::string_view key, std::string_view value, std::string_view allowed) {
  return absl::InvalidArgumentError(absl::StrCat("invalid value \"", internal::Sv(value), "\" for topic config ",
                                                 internal::Sv(key), ": ", internal::Sv(allowed)));
}

// A decimal integer in [min, max] (the whole string, no spaces, an optional leading '-').
absl::StatusOr<int64_t> ParseInt(std::string_view key, std::string_view value, int64_t min, int64_t max) {
  const std::string allowed = absl::StrCat("an integer in [", min, ", ", max, "]");
  int64_t v = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, v);
  if (value.empty() || ec != std::errc() || ptr != end) return BadValue(key, value, allowed);
  if (v < min || v > max) return BadValue(key, value, allowed);
  return v;
}

// One key: how to set it from a string (validating) and how to print it.
struct KeySpec {
  std::string_view name;
  std::function<absl::Status(std::string_view value, TopicConfig* config)> set;
  std::function<std::string(const TopicConfig& config)> get;
};

template <typename T>
KeySpec IntKey(std::string_view name, T TopicConfig::*field, int64_t min, int64_t max) {
  return KeySpec{
      name,
      [name, field, min, max](std::string_view value, TopicConfig* c) -> absl::Status {
        absl::StatusOr<int64_t> v = ParseInt(name, value, min, max);
        if (!v.ok()) return v.status();
        c->*field = static_cast<T>(*v);
        return absl::OkStatus();
      },
      [field](const TopicConfig& c) { return std::to_string(c.*field); },
  };
}

const std::vector<KeySpec>& Specs() {
  static const std::vector<KeySpec>* specs = [] {
    auto* v = new std::vector<KeySpec>();
    v->push_back(KeySpec{
        "cleanup.policy",
        [](std::string_view value, TopicConfig* c) -> absl::Status {
          if (value == "delete") {
            c->cleanup_policy = "delete";
            return absl::OkStatus();
          }
          if (value == "compact" || value == "compact,delete" || value == "delete,compact") {
            return BadValue("cleanup.policy", value,
                            "log compaction is not supported yet (seglog only deletes by retention); use delete");
          }
          return BadValue("cleanup.policy", value, "one of delete (compact is not supported yet)");
        },
        [](const TopicConfig& c) { return c.cleanup_policy; },
    });
    v->push_back(KeySpec{
        "compression.type",
        [](std::string_view value, TopicConfig* c) -> absl::Status {
          if (value == "producer") {
            c->compression = std::nullopt;
            return absl::OkStatus();
          }
          if (value == "uncompressed" || value == "none") {
            c->compression = CompressionType::kNone;
            return absl::OkStatus();
          }
          std::optional<CompressionType> type = ParseCompressionType(value);
          if (!type.has_value() || *type == CompressionType::kNone) {
            return BadValue("compression.type", value, "one of producer, uncompressed, none, gzip, snappy, lz4, zstd");
          }
          c->compression = *type;
          return absl::OkStatus();
        },
        [](const TopicConfig& c) -> std::string {
          if (!c.compression.has_value()) return "producer";
          if (*c.compression == CompressionType::kNone) return "uncompressed";
          return std::string(CompressionTypeName(*c.compression));
        },
    });
    v->push_back(IntKey("flush.messages", &TopicConfig::flush_messages, 1, kInt64Max));
    v->push_back(IntKey("flush.ms", &TopicConfig::flush_ms, 0, kInt64Max));
    v->push_back(IntKey("index.interval.bytes", &TopicConfig::index_interval_bytes, 0, kInt32Max));
    // A batch's header alone is 61 bytes: a smaller limit would refuse every batch.
    v->push_back(IntKey("max.message.bytes", &TopicConfig::max_message_bytes,
                        static_cast<int64_t>(batch_format::kHeaderSize) + 1, kInt32Max));
    v->push_back(KeySpec{
        "message.timestamp.type",
        [](std::string_view value, TopicConfig* c) -> absl::Status {
          if (value == "CreateTime") {
            c->timestamp_type = TimestampType::kCreateTime;
          } else if (value == "LogAppendTime") {
            c->timestamp_type = TimestampType::kLogAppendTime;
          } else {
            return BadValue("message.timestamp.type", value, "one of CreateTime, LogAppendTime");
          }
          return absl::OkStatus();
        },
        [](const TopicConfig& c) -> std::string {
          return c.timestamp_type == TimestampType::kLogAppendTime ? "LogAppendTime" : "CreateTime";
        },
    });
    v->push_back(IntKey("retention.bytes", &TopicConfig::retention_bytes, -1, kInt64Max));
    v->push_back(IntKey("retention.ms", &TopicConfig::retention_ms, -1, kInt64Max));
    // Kafka's minimum (LegacyRecord.RECORD_OVERHEAD_V0); see ToPartitionConfig for values below a batch header.
    v->push_back(IntKey("segment.bytes", &TopicConfig::segment_bytes, 14, kInt32Max));
    // One .timeindex entry (12 bytes) must fit.
    v->push_back(IntKey("segment.index.bytes", &TopicConfig::segment_index_bytes, 12, kInt32Max));
    v->push_back(IntKey("segment.jitter.ms", &TopicConfig::segment_jitter_ms, 0, kInt64Max));
    v->push_back(IntKey("segment.ms", &TopicConfig::segment_ms, 1, kInt64Max));
    std::sort(v->begin(), v->end(), [](const KeySpec& a, const KeySpec& b) { return a.name < b.name; });
    return v;
  }();
  return *specs;
}

const KeySpec* FindSpec(std::string_view key) {
  for (const KeySpec& s : Specs()) {
    if (s.name == key) return &s;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<TopicConfig> TopicConfig::FromMap(const ConfigMap& changes, const TopicConfig& base) {
  TopicConfig config = base;  // changes land on a copy: nothing is applied unless all are valid
  for (const auto& [key, value] : changes) {
    const KeySpec* spec = FindSpec(key);
    if (spec == nullptr) {
      std::string known;
      for (const std::string& k : Keys()) absl::StrAppend(&known, known.empty() ? "" : ", ", k);
      return absl::InvalidArgumentError(
          absl::StrCat("unknown topic config \"", key, "\"; known keys: ", known));
    }
    if (absl::Status set = spec->set(value, &config); !set.ok()) return set;
  }
  return config;
}

ConfigMap TopicConfig::ToMap() const {
  ConfigMap map;
  for (const KeySpec& s : Specs()) map.emplace(std::string(s.name), s.get(*this));
  return map;
}

ConfigMap TopicConfig::NonDefaults() const {
  static const TopicConfig kDefaults;
  ConfigMap map;
  for (const KeySpec& s : Specs()) {
    std::string value = s.get(*this);
    if (value != s.get(kDefaults)) map.emplace(std::string(s.name), std::move(value));
  }
  return map;
}

PartitionConfig TopicConfig::ToPartitionConfig() const {
  PartitionConfig pc;
  // Every batch is at least a 61-byte header, so a segment.bytes below that rolls after each batch exactly as
  // 61 does; the partition requires at least a header.
  pc.segment.segment_bytes = std::max<int64_t>(segment_bytes, static_cast<int64_t>(batch_format::kHeaderSize));
  pc.segment.segment_ms = segment_ms;
  pc.segment.index_interval_bytes = static_cast<size_t>(index_interval_bytes);
  pc.segment.segment_index_bytes = static_cast<size_t>(segment_index_bytes);
  pc.segment_jitter_ms = segment_jitter_ms;
  pc.max_message_bytes = max_message_bytes;
  pc.timestamp_type = timestamp_type;
  pc.retention_ms = retention_ms;
  pc.retention_bytes = retention_bytes;
  pc.flush_messages = flush_messages;
  pc.flush_ms = flush_ms;
  return pc;
}

const std::vector<std::string>& TopicConfig::Keys() {
  static const std::vector<std::string>* keys = [] {
    auto* v = new std::vector<std::string>();
    for (const KeySpec& s : Specs()) v->emplace_back(s.name);
    return v;
  }();
  return *keys;
}

}  // namespace seglog
