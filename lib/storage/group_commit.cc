// GroupCommit: see group_commit.h.
#include "storage/group_commit.h"

#include "absl/strings/str_cat.h"

namespace seglog::internal {

absl::StatusOr<bool> GroupCommit::BeginRound(absl::FunctionRef<bool()> covered) {
  MutexLock lock(&mu_);
  while (true) {
    if (covered()) return false;
    if (!error_.ok()) return error_;
    if (!syncing_) break;
    round_ended_.Wait(&mu_);
  }
  syncing_ = true;
  return true;
}

void GroupCommit::EndRound(const absl::Status& status, absl::FunctionRef<void()> publish) {
  MutexLock lock(&mu_);
  syncing_ = false;
  if (status.ok()) {
    publish();
  } else {
    error_ = absl::FailedPreconditionError(
        absl::StrCat("partition ", name_, ": fsync failed and is never retried: ", status.ToString()));
  }
  round_ended_.SignalAll();
}

void GroupCommit::Exclusive(absl::FunctionRef<void()> f) {
  MutexLock lock(&mu_);
  f();
}

}  // namespace seglog::internal
