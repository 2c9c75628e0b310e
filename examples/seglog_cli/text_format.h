// RecordFormatter: kcat's -f output format for `seglog consume --format`.
//
//   %k key   %v value   %p partition   %o offset   %T timestamp (ms)   %t topic
//   %h headers as k=v,k=v (a null header value prints as just k)   %K key length   %S value length (-1: null)
//   %% a percent sign;  escapes \n \t \r \\ (any other escape or placeholder is an error)
//
//   absl::StatusOr<RecordFormatter> f = RecordFormatter::Parse("%p:%o %k=%v\n", /*base64=*/false);
//   std::string out;
//   f->Append(record, &out);
//
// A null key or value prints as nothing; with base64 keys, values and header values print as base64.
// Thread safety: a plain value; Append is const.
#ifndef SEGLOG_CLI_TEXT_FORMAT_H_
#define SEGLOG_CLI_TEXT_FORMAT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "seglog/consumer.h"

namespace seglog_cli {

class RecordFormatter {
 public:
  // kInvalidArgument naming the unknown placeholder or escape and its position.
  static absl::StatusOr<RecordFormatter> Parse(std::string_view format, bool base64);

  void Append(const seglog::ConsumerRecord& record, std::string* out) const;

 private:
  struct Piece {
    char placeholder = 0;  // 0: literal text
    std::string text;
  };
  std::vector<Piece> pieces_;
  bool base64_ = false;
};

}  // namespace seglog_cli

#endif  // SEGLOG_CLI_TEXT_FORMAT_H_
