// GroupCommit: many durable appenders share one fsync (doc/design/overview.md, Threading). The first caller to arrive while no
// round is running leads a round: it fsyncs everything written so far, without holding the partition's
// append mutex, while later callers wait; when the round ends they find their offsets covered or one of
// them leads the next round. A failed fsync is never retried: its error sticks.
//
//   ASSIGN_OR_RETURN(bool lead, group_commit_.BeginRound([&] { return recovery_point() >= offset; }));
//   if (!lead) return absl::OkStatus();                          // another round covered `offset`
//   absl::Status status = ...fsync...;
//   group_commit_.EndRound(status, [&] { recovery_point_.store(end); });
//
// The rounds' bookkeeping only: what a round syncs and what "covered" means belong to the partition
// (partition_sync.cc). Lock order: the partition's append mutex, then this class's mutex.
//
// Thread safety: every method may be called from any thread.
#ifndef SEGLOG_LIB_STORAGE_GROUP_COMMIT_H_
#define SEGLOG_LIB_STORAGE_GROUP_COMMIT_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "seglog/mutex.h"

namespace seglog::internal {

class GroupCommit {
 public:
  // `name` (the partition directory) goes into the sticky error's message.
  explicit GroupCommit(std::string name) : name_(std::move(name)) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Waits while another round runs. Returns false when `covered()` holds (nothing to do), the sticky error
  // when an earlier round failed, and true when the caller now leads a round and must call EndRound.
  // `covered` runs under this class's mutex.
  absl::StatusOr<bool> BeginRound(absl::FunctionRef<bool()> covered) ABSL_LOCKS_EXCLUDED(mu_);

  // Ends the leader's round. With `status` OK, runs `publish` (which moves the durable offset) under this
  // class's mutex, so a waiter re-checking `covered` sees it; otherwise makes the error sticky. Wakes the
  // waiters either way.
  void EndRound(const absl::Status& status, absl::FunctionRef<void()> publish) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs `f` under this class's mutex, so that it does not interleave with a round's publish (a truncation
  // lowering the durable offset, Close raising it).
  void Exclusive(absl::FunctionRef<void()> f) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::string name_;
  Mutex mu_;
  CondVar round_ended_;
  bool syncing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace seglog::internal

#endif  // SEGLOG_LIB_STORAGE_GROUP_COMMIT_H_
