// Topic (topic.h): a name, a config and a copy-on-write list of partitions.
#include "seglog/topic.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace seglog {

Topic::Topic(std::string name, TopicConfig config, std::vector<std::shared_ptr<Partition>> partitions)
    : name_(std::move(name)),
      config_(std::move(config)),
      partitions_(std::make_shared<const std::vector<std::shared_ptr<Partition>>>(std::move(partitions))) {}

int32_t Topic::num_partitions() const {
  MutexLock lock(&mu_);
  return static_cast<int32_t>(partitions_->size());
}

std::shared_ptr<Partition> Topic::partition(int32_t p) const {
  MutexLock lock(&mu_);
  if (p < 0 || static_cast<size_t>(p) >= partitions_->size()) return nullptr;
  return (*partitions_)[static_cast<size_t>(p)];
}

absl::StatusOr<std::shared_ptr<Partition>> Topic::GetPartition(int32_t p) const {
  std::shared_ptr<Partition> found = partition(p);
  if (found == nullptr) {
    return absl::NotFoundError(absl::StrCat("topic ", name_, " has no partition ", p, " (it has ",
                                            num_partitions(), " partitions)"));
  }
  return found;
}

std::vector<std::shared_ptr<Partition>> Topic::partitions() const {
  MutexLock lock(&mu_);
  return *partitions_;
}

void Topic::AddPartitions(std::vector<std::shared_ptr<Partition>> more) {
  MutexLock lock(&mu_);
  auto grown = std::make_shared<std::vector<std::shared_ptr<Partition>>>(*partitions_);
  for (auto& p : more) grown->push_back(std::move(p));
  partitions_ = std::move(grown);
}

}  // namespace seglog
