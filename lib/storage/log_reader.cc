#include "storage/log_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "seglog/record_batch.h"
#include "util/coding.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace seglog::internal {

namespace {
constexpr uint64_t kReadChunk = 1 << 20;
namespace bf = batch_format;
}  // namespace

absl::Status LogReader::Ensure(uint64_t position, uint64_t n) {
  if (position >= buffer_start_ && position + n <= buffer_start_ + buffer_.size()) return absl::OkStatus();
  const uint64_t want = std::min(std::max(n, kReadChunk), end_ - position);
  buffer_.resize(want);
  buffer_start_ = position;
  ASSIGN_OR_RETURN(const size_t got, file_->ReadAt(position, absl::MakeSpan(buffer_.data(), want)));
  buffer_.resize(got);
  if (got < n) {
    return absl::DataLossError(absl::StrCat(file_->path(), ": read ", got, " bytes at byte ", position,
                                            " where ", n, " were expected (file shrank?)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<BatchView>> LogReader::Next() {
  if (position_ >= end_) return std::optional<BatchView>();
  const uint64_t remaining = end_ - position_;
  if (remaining < bf::kLogOverhead) {
    return absl::DataLossError(absl::StrCat(file_->path(), " at byte ", position_, ": ", remaining,
                                            " trailing bytes are not a batch (torn write?)"));
  }
  RETURN_IF_ERROR(Ensure(position_, bf::kLogOverhead));
  const auto length = static_cast<int32_t>(LoadBigEndian32(At(position_) + bf::kLengthOffset));
  if (length < static_cast<int32_t>(bf::kHeaderSize - bf::kLogOverhead)) {
    return absl::DataLossError(absl::StrCat(file_->path(), " at byte ", position_, ": batch length ", length,
                                            " is too small (zero-filled or garbage tail?)"));
  }
  const uint64_t size = bf::kLogOverhead + static_cast<uint64_t>(length);
  if (size > remaining) {
    return absl::DataLossError(absl::StrCat(file_->path(), " at byte ", position_, ": batch of ", size,
                                            " bytes is incomplete, only ", remaining, " bytes left (torn write?)"));
  }
  RETURN_IF_ERROR(Ensure(position_, size));
  absl::StatusOr<BatchView> batch = BatchView::Parse(std::string_view(At(position_), size));
  if (!batch.ok()) {
    return absl::Status(batch.status().code(),
                        absl::StrCat(file_->path(), " at byte ", position_, ": ", batch.status().message()));
  }
  position_ += size;
  return std::optional<BatchView>(*batch);
}

}  // namespace seglog::internal
