// errno -> absl::Status, in one place. See errno_status.h.
#include "fs/errno_status.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace seglog::internal {
namespace {

// strerror_r comes in two flavours: XSI returns int and fills `buf`; GNU returns the message pointer
// (which may or may not be `buf`). Overloads pick the right reading for whichever the libc provides.
[[maybe_unused]] const char* StrErrorResult(int rc, const char* buf, int err) {
  if (rc != 0) return err == 0 ? "Success" : "Unknown error";
  return buf;
}
[[maybe_unused]] const char* StrErrorResult(const char* message, const char* /*buf*/, int /*err*/) { return message; }

}  // namespace

absl::StatusCode ErrnoToCode(int err) {
  switch (err) {
    case ENOENT:
      return absl::StatusCode::kNotFound;
    case EEXIST:
      return absl::StatusCode::kAlreadyExists;
    case ENOSPC:
    case EDQUOT:
      return absl::StatusCode::kResourceExhausted;
    case EACCES:
    case EPERM:
      return absl::StatusCode::kPermissionDenied;
    case EIO:
      return absl::StatusCode::kDataLoss;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status ErrnoToStatus(int err, std::string_view op, std::string_view path) {
  char buf[256];
  buf[0] = '\0';
  const char* message = StrErrorResult(strerror_r(err, buf, sizeof(buf)), buf, err);
  std::string text(op);  // absl::StrCat takes absl::string_view, which is not std::string_view here
  text.append(" ").append(path).append(": ").append(message);
  return absl::Status(ErrnoToCode(err), text);
}

}  // namespace seglog::internal
