// The table of systems (systems.h).
#include "systems.h"

#include "seglog/version.h"

namespace seglog_compare {

std::string SeglogVersion() { return seglog::kVersionString; }

const std::vector<SystemInfo>& AllSystems() {
  static const std::vector<SystemInfo>* const systems = new std::vector<SystemInfo>{
      {kSeglogName, "seglog", SeglogVersion, NewSeglogPartitionSystem},
      {"seglog-batches", "seglog", SeglogVersion, NewSeglogBatchesSystem},
      {"seglog-producer", "seglog", SeglogVersion, NewSeglogProducerSystem},
      {"raw-write", "Linux", nullptr, NewRawWriteSystem},
      {"rocksdb", "RocksDB", RocksDbVersion, NewRocksDbSystem},
      {"lmdb", "LMDB", LmdbVersion, NewLmdbSystem},
      {"sqlite", "SQLite", SqliteVersion, NewSqliteSystem},
  };
  return *systems;
}

const SystemInfo* FindSystem(std::string_view name) {
  for (const SystemInfo& info : AllSystems()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace seglog_compare
