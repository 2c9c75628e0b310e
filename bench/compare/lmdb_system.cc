// lmdb: an LMDB environment (Debian's liblmdb) with its unnamed database.
//
// Environment: flags MDB_NOSYNC (durable: none, LMDB's default, which fsyncs the data and the meta page at
// every commit); map size sized from the workload (twice the records' leaf or overflow pages, plus 64 MiB);
// default comparator (the big-endian keys sort in append order).
// Append: one write transaction per batch, mdb_put(MDB_APPEND) of each record (keys arrive sorted, so LMDB
// fills pages to the brim without searching), mdb_txn_commit.
// Read: one read-only transaction, a cursor from MDB_FIRST through MDB_NEXT to the end (values are views of
// the memory map).
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "lmdb.h"
#include "systems.h"

namespace seglog_compare {
namespace {

absl::Status FromMdb(int rc, absl::string_view what) {
  if (rc == MDB_SUCCESS) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("LMDB ", what, ": ", mdb_strerror(rc)));
}

}  // namespace

// Bytes the records take in LMDB pages: a leaf node (8-byte header, key, value, 2-byte slot) each, or for
// values too big for a 4 KiB leaf, overflow pages of their own. Twice that plus 64 MiB, in whole MiB.
absl::StatusOr<uint64_t> LmdbMapSize(int64_t records, size_t value_size) {
  static_assert(sizeof(size_t) >= sizeof(uint64_t), "mdb_env_set_mapsize takes a size_t");
  const uint64_t v = value_size;
  const uint64_t per_record = v + 18 <= 2000 ? v + kKeySize + 10 : (v + 16 + 4095) / 4096 * 4096 + 26;
  uint64_t bytes = 0;
  if (records < 0 || __builtin_mul_overflow(2 * per_record, static_cast<uint64_t>(records), &bytes) ||
      __builtin_add_overflow(bytes, uint64_t{(64 << 20) + (1 << 20) - 1}, &bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("LMDB's map for ", records, " records of ", value_size, " bytes overflows 64 bits"));
  }
  return bytes / (1 << 20) * (1 << 20);
}

namespace {

class LmdbSystem : public System {
 public:
  LmdbSystem(const Dataset& data, bool durable) : data_(data), durable_(durable) {}
  ~LmdbSystem() override { (void)Close(); }

  absl::Status Open(const std::string& dir) override {
    const std::string path = dir + "/lmdb";
    if (::mkdir(path.c_str(), 0755) != 0) {
      return absl::InternalError(absl::StrCat("mkdir ", path, ": ", std::strerror(errno)));
    }
    absl::StatusOr<uint64_t> map_size = LmdbMapSize(data_.records(), data_.value_size());
    if (!map_size.ok()) return map_size.status();
    if (absl::Status s = FromMdb(mdb_env_create(&env_), "mdb_env_create"); !s.ok()) return s;
    if (absl::Status s = FromMdb(mdb_env_set_mapsize(env_, static_cast<size_t>(*map_size)), "mdb_env_set_mapsize");
        !s.ok()) {
      return s;
    }
    const unsigned flags = durable_ ? 0 : MDB_NOSYNC;
    if (absl::Status s = FromMdb(mdb_env_open(env_, path.c_str(), flags, 0644), "mdb_env_open"); !s.ok()) return s;
    MDB_txn* txn = nullptr;
    if (absl::Status s = FromMdb(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin"); !s.ok()) return s;
    if (absl::Status s = FromMdb(mdb_dbi_open(txn, nullptr, 0, &dbi_), "mdb_dbi_open"); !s.ok()) {
      mdb_txn_abort(txn);
      return s;
    }
    return FromMdb(mdb_txn_commit(txn), "mdb_txn_commit");
  }

  absl::Status AppendBatch(int64_t first, int n) override {
    MDB_txn* txn = nullptr;
    if (absl::Status s = FromMdb(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin"); !s.ok()) return s;
    char key[kKeySize];
    for (int64_t i = first; i < first + n; ++i) {
      Dataset::EncodeKey(i, key);
      const std::string_view value = data_.Value(i);
      MDB_val k{kKeySize, key};
      MDB_val v{value.size(), const_cast<char*>(value.data())};
      if (const int rc = mdb_put(txn, dbi_, &k, &v, MDB_APPEND); rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return FromMdb(rc, "mdb_put");
      }
    }
    return FromMdb(mdb_txn_commit(txn), "mdb_txn_commit");
  }

  absl::Status ReadAll(ReadVerifier* verifier) override {
    MDB_txn* txn = nullptr;
    if (absl::Status s = FromMdb(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "mdb_txn_begin"); !s.ok()) {
      return s;
    }
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, dbi_, &cursor);
    if (rc == MDB_SUCCESS) {
      MDB_val k, v;
      for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
           rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
        verifier->Add(std::string_view(static_cast<const char*>(k.mv_data), k.mv_size),
                      std::string_view(static_cast<const char*>(v.mv_data), v.mv_size));
      }
      mdb_cursor_close(cursor);
      if (rc == MDB_NOTFOUND) rc = MDB_SUCCESS;
    }
    mdb_txn_abort(txn);
    return FromMdb(rc, "cursor read");
  }

  absl::Status Close() override {
    if (env_ != nullptr) mdb_env_close(env_);
    env_ = nullptr;
    return absl::OkStatus();
  }

 private:
  const Dataset& data_;
  const bool durable_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
};

}  // namespace

std::string LmdbVersion() {
  int major = 0, minor = 0, patch = 0;
  mdb_version(&major, &minor, &patch);
  return absl::StrCat(major, ".", minor, ".", patch);
}

std::unique_ptr<System> NewLmdbSystem(const Dataset& data, bool durable) {
  return std::make_unique<LmdbSystem>(data, durable);
}

}  // namespace seglog_compare
