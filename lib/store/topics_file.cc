// topics.json encoding (topics_file.h), with nlohmann-json used without exceptions escaping.
#include "store/topics_file.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "seglog/log_files.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog::internal {

namespace {

using json = nlohmann::json;

absl::Status Corrupt(std::string_view source, std::string_view what) {
  return absl::DataLossError(absl::StrCat("store metadata ", Sv(source), " is corrupt: ", Sv(what)));
}

json EncodeTopic(const TopicRecord& t, bool with_config) {
  json j = json::object();
  j["name"] = t.name;
  j["partitions"] = t.partitions;
  if (with_config) {
    json config = json::object();
    for (const auto& [k, v] : t.config) config[k] = v;
    j["config"] = std::move(config);
  }
  return j;
}

absl::StatusOr<TopicRecord> DecodeTopic(const json& j, std::string_view source, bool with_config) {
  if (!j.is_object()) return Corrupt(source, "a topic entry is not an object");
  auto name = j.find("name");
  if (name == j.end() || !name->is_string()) return Corrupt(source, "a topic entry has no string \"name\"");
  TopicRecord t;
  t.name = name->get<std::string>();
  if (absl::Status valid = ValidateTopicName(t.name); !valid.ok()) {
    return Corrupt(source, absl::StrCat("bad topic name: ", valid.message()));
  }
  auto partitions = j.find("partitions");
  if (partitions == j.end() || !partitions->is_number_integer()) {
    return Corrupt(source, absl::StrCat("topic ", t.name, " has no integer \"partitions\""));
  }
  const int64_t count = partitions->get<int64_t>();
  if (count < 1 || count > kMaxPartitionsPerTopic) {
    return Corrupt(source, absl::StrCat("topic ", t.name, " has ", count, " partitions, outside [1, ",
                                        kMaxPartitionsPerTopic, "]"));
  }
  t.partitions = static_cast<int32_t>(count);
  if (with_config) {
    auto config = j.find("config");
    if (config != j.end()) {
      if (!config->is_object()) return Corrupt(source, absl::StrCat("topic ", t.name, ": \"config\" is not an object"));
      for (auto it = config->begin(); it != config->end(); ++it) {
        if (!it.value().is_string()) {
          return Corrupt(source, absl::StrCat("topic ", t.name, ": config ", it.key(), " is not a string"));
        }
        t.config.emplace(it.key(), it.value().get<std::string>());
      }
    }
  }
  return t;
}

absl::StatusOr<std::vector<TopicRecord>> DecodeTopics(const json& root, std::string_view key,
                                                      std::string_view source, bool with_config) {
  std::vector<TopicRecord> out;
  auto list = root.find(std::string(key));
  if (list == root.end()) return out;
  if (!list->is_array()) return Corrupt(source, absl::StrCat("\"", Sv(key), "\" is not an array"));
  for (const json& entry : *list) {
    ASSIGN_OR_RETURN(TopicRecord t, DecodeTopic(entry, source, with_config));
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<StoreMetadata> DecodeUnchecked(std::string_view text, std::string_view source) {
  const json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Corrupt(source, "not valid JSON");
  if (!root.is_object()) return Corrupt(source, "not a JSON object");
  auto version = root.find("version");
  if (version == root.end() || !version->is_number_integer()) return Corrupt(source, "no integer \"version\"");
  if (version->get<int64_t>() != kTopicsFileVersion) {
    return absl::FailedPreconditionError(absl::StrCat("store metadata ", Sv(source), " has version ",
                                                      version->get<int64_t>(), "; this seglog reads version ",
                                                      kTopicsFileVersion));
  }
  StoreMetadata m;
  ASSIGN_OR_RETURN(m.topics, DecodeTopics(root, "topics", source, /*with_config=*/true));
  ASSIGN_OR_RETURN(m.deleting, DecodeTopics(root, "deleting", source, /*with_config=*/false));
  for (size_t i = 1; i < m.topics.size(); ++i) {
    if (m.topics[i - 1].name >= m.topics[i].name) {
      return Corrupt(source, absl::StrCat("topics are not sorted and unique at ", m.topics[i].name));
    }
  }
  auto block = root.find("producer_id_block_end");
  if (block != root.end()) {
    if (!block->is_number_integer() || block->get<int64_t>() < 0) {
      return Corrupt(source, "\"producer_id_block_end\" is not a non-negative integer");
    }
    m.producer_id_block_end = block->get<int64_t>();
  }
  return m;
}

}  // namespace

std::string EncodeStoreMetadata(const StoreMetadata& metadata) {
  json root = json::object();
  root["version"] = kTopicsFileVersion;
  json topics = json::array();
  for (const TopicRecord& t : metadata.topics) topics.push_back(EncodeTopic(t, /*with_config=*/true));
  root["topics"] = std::move(topics);
  json deleting = json::array();
  for (const TopicRecord& t : metadata.deleting) deleting.push_back(EncodeTopic(t, /*with_config=*/false));
  root["deleting"] = std::move(deleting);
  root["producer_id_block_end"] = metadata.producer_id_block_end;
  return root.dump(2) + "\n";
}

absl::StatusOr<StoreMetadata> DecodeStoreMetadata(std::string_view text, std::string_view source) {
  try {
    return DecodeUnchecked(text, source);
  } catch (const std::exception& e) {  // nlohmann's get<> on an unexpected type; never let it escape
    return Corrupt(source, e.what());
  }
}

absl::StatusOr<std::optional<StoreMetadata>> ReadStoreMetadata(FileSystem* fs, const std::string& path) {
  ASSIGN_OR_RETURN(const bool exists, fs->Exists(path));
  if (!exists) return std::optional<StoreMetadata>();
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(fs, path));
  ASSIGN_OR_RETURN(StoreMetadata m, DecodeStoreMetadata(text, path));
  return std::optional<StoreMetadata>(std::move(m));
}

absl::Status WriteStoreMetadata(FileSystem* fs, const std::string& path, const StoreMetadata& metadata) {
  return WriteFileAtomically(fs, path, EncodeStoreMetadata(metadata));
}

}  // namespace seglog::internal
