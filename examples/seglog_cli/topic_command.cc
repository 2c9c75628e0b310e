// `seglog topic create|list|describe|delete|add-partitions`.
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli_common.h"
#include "commands.h"
#include "fmt/format.h"
#include "seglog/partition.h"
#include "seglog/store.h"
#include "seglog/topic.h"
#include "seglog/topic_config.h"

namespace seglog_cli {
namespace {

struct TopicOptions {
  std::string name;
  int32_t partitions = 1;
  std::vector<std::string> configs;
  int32_t add = 0;
};

// Parses `key=value` settings; a usage error (exit 2) for one without '=' or a key given twice.
int ParseConfigs(const std::vector<std::string>& configs, seglog::ConfigMap* out) {
  for (const std::string& kv : configs) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return UsageError(fmt::format("--config \"{}\" is not key=value (e.g. -c retention.ms=86400000)", kv));
    }
    if (!out->emplace(kv.substr(0, eq), kv.substr(eq + 1)).second) {
      return UsageError(fmt::format("--config key {} is given twice", kv.substr(0, eq)));
    }
  }
  return kExitOk;
}

int RunCreate(const GlobalOptions& globals, const TopicOptions& options) {
  seglog::ConfigMap config;
  if (int code = ParseConfigs(options.configs, &config); code != kExitOk) return code;
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {});
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<std::shared_ptr<seglog::Topic>> topic =
      (*store)->CreateTopic(options.name, options.partitions, config);
  if (!topic.ok()) return CloseStore(store->get(), Fail(topic.status()));
  Out(fmt::format("Created topic {} with {} partition{}.\n", options.name, options.partitions,
                  options.partitions == 1 ? "" : "s"));
  return CloseStore(store->get(), kExitOk);
}

int RunList(const GlobalOptions& globals) {
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {.read_only = true});
  if (!store.ok()) return Fail(store.status());
  std::vector<std::vector<std::string>> rows = {{"NAME", "PARTITIONS"}};
  for (const std::string& name : (*store)->ListTopics()) {
    absl::StatusOr<std::shared_ptr<seglog::Topic>> topic = (*store)->GetTopic(name);
    if (!topic.ok()) continue;  // deleted meanwhile
    rows.push_back({name, std::to_string((*topic)->num_partitions())});
  }
  Out(FormatTable(rows));
  return CloseStore(store->get(), kExitOk);
}

int RunDescribe(const GlobalOptions& globals, const TopicOptions& options) {
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {.read_only = true});
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<std::shared_ptr<seglog::Topic>> topic = (*store)->GetTopic(options.name);
  if (!topic.ok()) return CloseStore(store->get(), Fail(fmt::format("unknown topic {}", options.name)));
  const seglog::Topic& t = **topic;
  std::string out = FormatTable({{"NAME", t.name()}, {"PARTITIONS", std::to_string(t.num_partitions())}});

  out += "\nCONFIGS\n";
  const seglog::ConfigMap non_defaults = t.config().NonDefaults();
  std::vector<std::vector<std::string>> configs = {{"KEY", "VALUE", "SOURCE"}};
  for (const auto& [key, value] : t.config().ToMap()) {
    configs.push_back({key, value, non_defaults.contains(key) ? "topic" : "default"});
  }
  out += FormatTable(configs);

  out += "\nPARTITIONS\n";
  std::vector<std::vector<std::string>> partitions = {
      {"PARTITION", "LOG-START-OFFSET", "LOG-END-OFFSET", "HIGH-WATERMARK", "SIZE", "SEGMENTS"}};
  int32_t p = 0;
  for (const std::shared_ptr<seglog::Partition>& partition : t.partitions()) {
    partitions.push_back({std::to_string(p++), std::to_string(partition->log_start_offset()),
                          std::to_string(partition->log_end_offset()), std::to_string(partition->high_watermark()),
                          std::to_string(partition->size_bytes()), std::to_string(partition->num_segments())});
  }
  out += FormatTable(partitions);
  Out(out);
  return CloseStore(store->get(), kExitOk);
}

int RunDelete(const GlobalOptions& globals, const TopicOptions& options) {
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {});
  if (!store.ok()) return Fail(store.status());
  if (!(*store)->GetTopic(options.name).ok()) {
    return CloseStore(store->get(), Fail(fmt::format("unknown topic {}", options.name)));
  }
  if (absl::Status st = (*store)->DeleteTopic(options.name); !st.ok()) {
    return CloseStore(store->get(), Fail(st));
  }
  Out(fmt::format("Deleted topic {}.\n", options.name));
  return CloseStore(store->get(), kExitOk);
}

int RunAddPartitions(const GlobalOptions& globals, const TopicOptions& options) {
  absl::StatusOr<std::unique_ptr<seglog::Store>> store = OpenStore(globals, {});
  if (!store.ok()) return Fail(store.status());
  absl::StatusOr<std::shared_ptr<seglog::Topic>> topic = (*store)->GetTopic(options.name);
  if (!topic.ok()) return CloseStore(store->get(), Fail(fmt::format("unknown topic {}", options.name)));
  const int64_t total = static_cast<int64_t>((*topic)->num_partitions()) + options.add;
  if (total > 100000) {
    return CloseStore(store->get(), Fail(fmt::format("topic {} has {} partitions; adding {} would pass the limit of 100000",
                                                     options.name, (*topic)->num_partitions(), options.add)));
  }
  if (absl::Status st = (*store)->IncreasePartitions(options.name, static_cast<int32_t>(total)); !st.ok()) {
    return CloseStore(store->get(), Fail(st));
  }
  Out(fmt::format("Added {} partition{} to topic {}: it now has {}.\n", options.add, options.add == 1 ? "" : "s",
                  options.name, total));
  return CloseStore(store->get(), kExitOk);
}

}  // namespace

void AddTopicCommand(CLI::App* app, const GlobalOptions* globals, Action* action) {
  CLI::App* topic = app->add_subcommand("topic", "Create, list, describe and delete topics; add partitions");
  topic->require_subcommand(1);
  auto options = std::make_shared<TopicOptions>();

  CLI::App* create = topic->add_subcommand("create", "Create a topic");
  create->add_option("name", options->name, "Topic name ([a-zA-Z0-9._-], at most 249 characters)")->required();
  create->add_option("-p,--partitions", options->partitions, "Number of partitions")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  create->add_option("-c,--config", options->configs, "Topic setting key=value (repeatable), e.g. retention.ms=3600000")
      ->allow_extra_args(false);
  create->callback([=] { *action = [=] { return RunCreate(*globals, *options); }; });

  CLI::App* list = topic->add_subcommand("list", "List topics with their partition counts");
  list->callback([=] { *action = [=] { return RunList(*globals); }; });

  CLI::App* describe = topic->add_subcommand("describe", "Show a topic's configuration and partitions");
  describe->add_option("name", options->name, "Topic name")->required();
  describe->callback([=] { *action = [=] { return RunDescribe(*globals, *options); }; });

  CLI::App* del = topic->add_subcommand("delete", "Delete a topic and its files");
  del->add_option("name", options->name, "Topic name")->required();
  del->callback([=] { *action = [=] { return RunDelete(*globals, *options); }; });

  CLI::App* add = topic->add_subcommand("add-partitions", "Add partitions to a topic (counts only grow)");
  add->add_option("name", options->name, "Topic name")->required();
  add->add_option("-n,--num", options->add, "Number of partitions to add")->required()->check(CLI::Range(1, 100000));
  add->callback([=] { *action = [=] { return RunAddPartitions(*globals, *options); }; });
}

}  // namespace seglog_cli
