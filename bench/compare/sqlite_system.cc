// sqlite: an SQLite database (Debian's libsqlite3) with one table `records (id INTEGER PRIMARY KEY, v BLOB)`.
//
// The record's key is the id (the table's rowid, the B-tree key; the 8-byte key is rebuilt from it on read).
// PRAGMA journal_mode=WAL and synchronous=OFF (durable: synchronous=FULL, the WAL is fsynced at every
// commit); everything else is SQLite's default (4 KiB pages, 2 MB page cache, WAL checkpoint every 1000
// pages).
// Append: BEGIN, one prepared INSERT (bound id and value, SQLITE_STATIC) stepped per record, COMMIT.
// Read: SELECT id, v FROM records ORDER BY id, stepped over every row.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "sqlite3.h"
#include "systems.h"

namespace seglog_compare {
namespace {

class SqliteSystem : public System {
 public:
  SqliteSystem(const Dataset& data, bool durable) : data_(data), durable_(durable) {}
  ~SqliteSystem() override { (void)Close(); }

  absl::Status Open(const std::string& dir) override {
    const std::string path = dir + "/compare.db";
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      return Error("open");
    }
    const std::string setup = absl::StrCat("PRAGMA journal_mode=WAL; PRAGMA synchronous=", durable_ ? "FULL" : "OFF",
                                           "; CREATE TABLE records (id INTEGER PRIMARY KEY, v BLOB);");
    if (sqlite3_exec(db_, setup.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return Error("setup");
    if (absl::Status s = Prepare("BEGIN", &begin_); !s.ok()) return s;
    if (absl::Status s = Prepare("COMMIT", &commit_); !s.ok()) return s;
    return Prepare("INSERT INTO records (id, v) VALUES (?1, ?2)", &insert_);
  }

  absl::Status AppendBatch(int64_t first, int n) override {
    if (absl::Status s = StepOnce(begin_, "BEGIN"); !s.ok()) return s;
    for (int64_t i = first; i < first + n; ++i) {
      const std::string_view value = data_.Value(i);
      sqlite3_bind_int64(insert_, 1, i);
      sqlite3_bind_blob(insert_, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
      if (absl::Status s = StepOnce(insert_, "INSERT"); !s.ok()) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return s;
      }
    }
    return StepOnce(commit_, "COMMIT");
  }

  absl::Status ReadAll(ReadVerifier* verifier) override {
    sqlite3_stmt* select = nullptr;
    if (absl::Status s = Prepare("SELECT id, v FROM records ORDER BY id", &select); !s.ok()) return s;
    char key[kKeySize];
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
      Dataset::EncodeKey(sqlite3_column_int64(select, 0), key);
      const void* blob = sqlite3_column_blob(select, 1);
      const int size = sqlite3_column_bytes(select, 1);
      verifier->Add(
          std::string_view(key, kKeySize),
          size > 0 ? std::string_view(static_cast<const char*>(blob), static_cast<size_t>(size)) : std::string_view());
    }
    absl::Status status = rc == SQLITE_DONE ? absl::OkStatus() : Error("SELECT");
    sqlite3_finalize(select);
    return status;
  }

  absl::Status Close() override {
    for (sqlite3_stmt** stmt : {&begin_, &commit_, &insert_}) {
      sqlite3_finalize(*stmt);
      *stmt = nullptr;
    }
    if (db_ == nullptr) return absl::OkStatus();
    const int rc = sqlite3_close(db_);
    db_ = nullptr;
    return rc == SQLITE_OK ? absl::OkStatus() : absl::InternalError(absl::StrCat("SQLite close: ", sqlite3_errstr(rc)));
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InternalError(
        absl::StrCat("SQLite ", what, ": ", db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
  }

  absl::Status Prepare(const char* sql, sqlite3_stmt** stmt) {
    if (sqlite3_prepare_v2(db_, sql, -1, stmt, nullptr) != SQLITE_OK) return Error(absl::StrCat("prepare ", sql));
    return absl::OkStatus();
  }

  // Steps a statement that returns no rows and resets it for its next use.
  absl::Status StepOnce(sqlite3_stmt* stmt, absl::string_view what) {
    const int rc = sqlite3_step(stmt);
    absl::Status status = rc == SQLITE_DONE ? absl::OkStatus() : Error(what);
    sqlite3_reset(stmt);
    return status;
  }

  const Dataset& data_;
  const bool durable_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace

std::string SqliteVersion() { return sqlite3_libversion(); }

std::unique_ptr<System> NewSqliteSystem(const Dataset& data, bool durable) {
  return std::make_unique<SqliteSystem>(data, durable);
}

}  // namespace seglog_compare
