// rocksdb: a RocksDB database (Debian's librocksdb) with RocksDB's default options plus create_if_missing.
//
// Defaults worth knowing: a 64 MiB memtable (write_buffer_size), Snappy compression of SST files, 4 KiB
// blocks, background flushes and compactions on their own threads, the WAL on.
// Append: one WriteBatch of the batch's Puts (8-byte key, value) per DB::Write, WriteOptions{.sync = false}
// (the WAL is written, not synced); durable: WriteOptions{.sync = true} (the WAL is fsynced per batch).
// Read: an iterator (default ReadOptions) from SeekToFirst to the end, over memtable and SST files as the
// appends left them.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/version.h"
#include "rocksdb/write_batch.h"
#include "systems.h"

namespace seglog_compare {
namespace {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("RocksDB ", what, ": ", s.ToString()));
}

class RocksDbSystem : public System {
 public:
  RocksDbSystem(const Dataset& data, bool durable) : data_(data), durable_(durable) {}
  ~RocksDbSystem() override { (void)Close(); }

  absl::Status Open(const std::string& dir) override {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    absl::Status status = FromRocks(rocksdb::DB::Open(options, dir + "/rocksdb", &db), "open");
    db_.reset(db);
    return status;
  }

  absl::Status AppendBatch(int64_t first, int n) override {
    batch_.Clear();
    char key[kKeySize];
    for (int64_t i = first; i < first + n; ++i) {
      Dataset::EncodeKey(i, key);
      const std::string_view value = data_.Value(i);
      rocksdb::Status s = batch_.Put(rocksdb::Slice(key, kKeySize), rocksdb::Slice(value.data(), value.size()));
      if (!s.ok()) return FromRocks(s, "WriteBatch::Put");
    }
    rocksdb::WriteOptions options;
    options.sync = durable_;
    return FromRocks(db_->Write(options, &batch_), "write");
  }

  absl::Status ReadAll(ReadVerifier* verifier) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key(), v = it->value();
      verifier->Add(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()));
    }
    return FromRocks(it->status(), "iterator");
  }

  absl::Status Close() override {
    if (db_ == nullptr) return absl::OkStatus();
    absl::Status status = FromRocks(db_->Close(), "close");
    db_.reset();
    return status;
  }

 private:
  const Dataset& data_;
  const bool durable_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteBatch batch_;  // reused across batches
};

}  // namespace

std::string RocksDbVersion() { return absl::StrCat(ROCKSDB_MAJOR, ".", ROCKSDB_MINOR, ".", ROCKSDB_PATCH); }

std::unique_ptr<System> NewRocksDbSystem(const Dataset& data, bool durable) {
  return std::make_unique<RocksDbSystem>(data, durable);
}

}  // namespace seglog_compare
