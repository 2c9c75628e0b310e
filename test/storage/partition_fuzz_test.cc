// Partition against a plain model: each case is the smallest sequence that showed a bug, kept as a spec
// of the fixed behaviour.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "seglog/partition.h"
#include "support/fault_injection_file_system.h"
#include "support/manual_clock.h"
#include "support/partition_checks.h"
#include "support/partition_model.h"
#include "support/test_util.h"

namespace seglog {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

// ---------------------------------------------------------------------------------------------------------
// Regressions: the smallest sequences that showed a bug, each kept as a spec of the fixed behaviour.

TEST_CASE("AReadWithoutMinOneBatchNeverSkipsABatchLargerThanMaxBytes", "[partition][fuzz]") {
  auto mem = NewMemFileSystem();
  auto opened = Partition::Open("/data/read-0", {.fs = mem.get(), .create_if_missing = true});
  REQUIRE_OK(opened);
  Partition& p = **opened;
  const std::string big(1000, 'b');
  const Record r0{.value = big};
  REQUIRE_OK(p.Append({&r0, 1}));
  REQUIRE_OK(p.Roll());
  const Record r1{.value = "small"};
  REQUIRE_OK(p.Append({&r1, 1}));
  // Offset 0's batch does not fit 100 bytes: the read is empty, never the next segment's batch.
  auto read = p.Read(0, {.max_bytes = 100, .min_one_batch = false});
  REQUIRE_OK(read);
  REQUIRE(read->bytes.empty());
  REQUIRE(read->next_offset == 0);
}

TEST_CASE("OneEnforceRetentionAppliesTheSizeAndTheTimeRule", "[partition][fuzz]") {
  auto mem = NewMemFileSystem();
  ManualClock clock{absl::FromUnixMillis(kT0)};
  PartitionConfig config;
  config.segment.segment_bytes = 2000;  // 11 records of 171 bytes
  config.segment.segment_index_bytes = 4800;
  config.retention_bytes = 34 * 171 - 11 * 171 - 10;  // the size rule deletes the first segment only
  config.retention_ms = 60'000;
  auto opened = Partition::Open("/data/retention-0",
                                {.fs = mem.get(), .clock = &clock, .create_if_missing = true, .config = config});
  REQUIRE_OK(opened);
  Partition& p = **opened;
  for (int64_t i = 0; i < 34; ++i) {
    std::string v = absl::StrCat("value-", i, "-");
    v.resize(100, 'x');
    const Record r{.key = "k", .value = v, .timestamp = kT0 + 10 * i};
    REQUIRE_OK(p.Append({&r, 1}));
  }
  REQUIRE(p.segment_base_offsets() == std::vector<int64_t>{0, 11, 22, 33});
  REQUIRE(p.size_bytes() == 34 * 171);
  // Segment 11's newest record (kT0 + 210) is past retention.ms; segment 22's (kT0 + 320) is not.
  clock.SetTime(absl::FromUnixMillis(kT0 + 60'250));
  auto r = p.EnforceRetention();
  REQUIRE_OK(r);
  REQUIRE(r->segments_deleted == 2);
  REQUIRE(r->log_start_offset == 22);
  REQUIRE(p.log_start_offset() == 22);
}

}  // namespace
}  // namespace seglog
