// The POSIX FileSystem: pread/pwrite/fdatasync/ftruncate for files, mmap for indexes and read regions, flock
// for the data directory lock. Every errno goes through ErrnoToStatus.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "fs/errno_status.h"
#include "fs/lock_table.h"
#include "seglog/file_system.h"
#include "seglog/mutex.h"
#include "util/status_macros.h"

namespace seglog {
namespace {

using internal::ErrnoToStatus;
using internal::LockTable;

// open(2), retried on EINTR. Returns the descriptor or -1 with errno set.
int OpenRetryingEintr(const std::string& path, int flags, mode_t mode = 0644) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Opens `path` and fstats the descriptor into *st. Returns the descriptor (closed again on failure).
absl::StatusOr<int> OpenAndStat(const std::string& path, int flags, struct stat* st) {
  const int fd = OpenRetryingEintr(path, flags);
  if (fd < 0) return ErrnoToStatus(errno, "open", path);
  if (::fstat(fd, st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoToStatus(err, "fstat", path);
  }
  return fd;
}

absl::Status ClosedError(const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat("file ", path, " is closed"));
}

size_t PageSize() { return static_cast<size_t>(::sysconf(_SC_PAGESIZE)); }
uint64_t PageFloor(uint64_t n) { return n - n % PageSize(); }
uint64_t PageCeil(uint64_t n) { return PageFloor(n + PageSize() - 1); }

// A read-only MAP_SHARED mapping of a file from position 0 (File::MapForRead). The mapping covers whole pages;
// length() is what the caller asked for. Immutable for readers; Detach is called only by the PosixFile that
// made it, holding its regions mutex.
class PosixRegion final : public FileRegion {
 public:
  PosixRegion(char* base, size_t mapped_length, size_t length)
      : base_(base), mapped_length_(mapped_length), length_(length) {}
  ~PosixRegion() override {
    if (base_ != nullptr) ::munmap(base_, mapped_length_);
  }

  const char* data() const override { return base_; }
  size_t length() const override { return length_; }

  // Replaces the mapped pages covering positions [begin, end) (clipped to the mapping; page aligned) by a
  // private anonymous copy holding the same bytes, so that truncating the file cannot change or unmap them.
  // The swap is one mremap: a concurrent reader sees the same bytes before and after it. `path` is for
  // messages. The caller guarantees the file holds (at least part of) every page in the range.
  absl::Status Detach(uint64_t begin, uint64_t end, const std::string& path) {
    end = std::min<uint64_t>(end, mapped_length_);
    if (base_ == nullptr || begin >= end) return absl::OkStatus();
    const size_t n = static_cast<size_t>(end - begin);
    char* const target = base_ + begin;
    void* copy = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (copy == MAP_FAILED) return ErrnoToStatus(errno, "mmap (detaching a read region)", path);
    std::memcpy(copy, target, n);
    const char* failed_op = nullptr;
    if (::mprotect(copy, n, PROT_READ) != 0) {
      failed_op = "mprotect (detaching a read region)";
    } else if (::mremap(copy, n, n, MREMAP_MAYMOVE | MREMAP_FIXED, target) == MAP_FAILED) {
      failed_op = "mremap (detaching a read region)";
    }
    if (failed_op != nullptr) {
      const int err = errno;
      ::munmap(copy, n);
      return ErrnoToStatus(err, failed_op, path);
    }
    return absl::OkStatus();
  }

 private:
  char* const base_;  // null when length_ is 0
  const size_t mapped_length_;
  const size_t length_;
};

// A File over a descriptor. Appends go to a tracked end offset with pwrite, so that WriteAt works on the
// same handle (O_APPEND would make Linux pwrite ignore its offset). The end offset starts at the file's
// size at open and follows this handle's writes and truncations (the contract in file_system.h).
class PosixFile final : public File {
 public:
  PosixFile(std::string path, int fd, bool read_only, uint64_t size)
      : path_(std::move(path)), read_only_(read_only), fd_(fd), end_(size) {}

  ~PosixFile() override {
    const int fd = fd_.load();
    if (fd >= 0) ::close(fd);
  }

  absl::StatusOr<size_t> ReadAt(uint64_t offset, absl::Span<char> dst) const override {
    const int fd = fd_.load();
    if (fd < 0) return ClosedError(path_);
    size_t done = 0;
    while (done < dst.size()) {
      const ssize_t n = ::pread(fd, dst.data() + done, dst.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoToStatus(errno, "read", path_);
      }
      if (n == 0) break;  // end of file
      done += static_cast<size_t>(n);
    }
    return done;
  }

  absl::Status Append(std::string_view data) override {
    MutexLock lock(&write_mu_);
    return WriteLocked(end_, data);
  }

  absl::Status WriteAt(uint64_t offset, std::string_view data) override {
    MutexLock lock(&write_mu_);
    return WriteLocked(offset, data);
  }

  absl::Status Sync() override {
    const int fd = fd_.load();
    if (fd < 0) return ClosedError(path_);
    if (::fdatasync(fd) != 0) return ErrnoToStatus(errno, "fdatasync", path_);
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    MutexLock lock(&write_mu_);
    RETURN_IF_ERROR(CheckWritable());
    // Held under the truncation, so that no region is mapped between the detaching and the ftruncate.
    MutexLock regions_lock(&regions_mu_);
    RETURN_IF_ERROR(DetachRegionsLocked(size));
    int rc;
    do {
      rc = ::ftruncate(fd_.load(), static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return ErrnoToStatus(errno, "ftruncate", path_);
    end_ = size;
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Size() const override {
    const int fd = fd_.load();
    if (fd < 0) return ClosedError(path_);
    struct stat st;
    if (::fstat(fd, &st) != 0) return ErrnoToStatus(errno, "fstat", path_);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::Status Close() override {
    MutexLock lock(&write_mu_);
    MutexLock regions_lock(&regions_mu_);  // so MapForRead never maps a closed (or reused) descriptor
    const int fd = fd_.exchange(-1);
    if (fd < 0) return ClosedError(path_);
    // Linux releases the descriptor even when close fails, so it is never retried.
    if (::close(fd) != 0) return ErrnoToStatus(errno, "close", path_);
    return absl::OkStatus();
  }

  absl::StatusOr<std::shared_ptr<const FileRegion>> MapForRead(uint64_t length) const override {
    MutexLock lock(&regions_mu_);
    const int fd = fd_.load();
    if (fd < 0) return ClosedError(path_);
    if (length == 0) return std::make_shared<const PosixRegion>(nullptr, 0, 0);
    if (length > std::numeric_limits<size_t>::max() - PageSize()) {
      return absl::InvalidArgumentError(absl::StrCat("map ", path_, ": length ", length, " is too large"));
    }
    const size_t mapped_length = static_cast<size_t>(PageCeil(length));
    void* base = ::mmap(nullptr, mapped_length, PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) return ErrnoToStatus(errno, "mmap", path_);
    auto region = std::make_shared<PosixRegion>(static_cast<char*>(base), mapped_length, static_cast<size_t>(length));
    std::erase_if(regions_, [](const std::weak_ptr<PosixRegion>& r) { return r.expired(); });
    regions_.push_back(region);
    return region;
  }

  int NativeHandle() const override { return fd_.load(); }
  const std::string& path() const override { return path_; }

 private:
  // Before the file shrinks to `new_size`: detaches, in every live region, the pages from the one holding
  // position `new_size` to the file's current end, so the regions keep their bytes (File::MapForRead).
  absl::Status DetachRegionsLocked(uint64_t new_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(regions_mu_) {
    regions_mu_.AssertHeld();
    std::erase_if(regions_, [](const std::weak_ptr<PosixRegion>& r) { return r.expired(); });
    if (regions_.empty()) return absl::OkStatus();
    struct stat st;
    if (::fstat(fd_.load(), &st) != 0) return ErrnoToStatus(errno, "fstat", path_);
    const uint64_t old_size = static_cast<uint64_t>(st.st_size);
    if (new_size >= old_size) return absl::OkStatus();  // growing changes no byte the file holds
    for (const std::weak_ptr<PosixRegion>& weak : regions_) {
      // Holding a reference keeps the mapping alive while it is detached.
      if (std::shared_ptr<PosixRegion> region = weak.lock()) {
        RETURN_IF_ERROR(region->Detach(PageFloor(new_size), PageCeil(old_size), path_));
      }
    }
    return absl::OkStatus();
  }

  // OK when the handle is open for writing.
  absl::Status CheckWritable() const {
    if (fd_.load() < 0) return ClosedError(path_);
    if (read_only_) {
      return absl::FailedPreconditionError(absl::StrCat("write ", path_, ": file opened read-only"));
    }
    return absl::OkStatus();
  }

  // Writes all of `data` at `offset`, looping over short writes and EINTR.
  absl::Status WriteLocked(uint64_t offset, std::string_view data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) {
    write_mu_.AssertHeld();
    RETURN_IF_ERROR(CheckWritable());
    const int fd = fd_.load();
    while (!data.empty()) {
      const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoToStatus(errno, "write", path_);
      }
      if (n == 0) return absl::InternalError(absl::StrCat("write ", path_, ": wrote 0 bytes"));
      offset += static_cast<uint64_t>(n);
      end_ = std::max(end_, offset);
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  const std::string path_;
  const bool read_only_;
  std::atomic<int> fd_;  // -1 once closed
  Mutex write_mu_;
  uint64_t end_ ABSL_GUARDED_BY(write_mu_);  // where the next Append goes
  // Live regions from MapForRead, detached before a truncation. Taken after write_mu_ when both are held.
  mutable Mutex regions_mu_ ABSL_ACQUIRED_AFTER(write_mu_);
  mutable std::vector<std::weak_ptr<PosixRegion>> regions_ ABSL_GUARDED_BY(regions_mu_);
};

class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(std::string path, char* data, size_t length) : path_(std::move(path)), data_(data), length_(length) {}
  ~PosixMappedFile() override {
    if (data_ != nullptr) ::munmap(data_, length_);
  }

  char* data() override { return data_; }
  const char* data() const override { return data_; }
  size_t length() const override { return length_; }

  absl::Status Sync() override {
    if (data_ == nullptr) return absl::OkStatus();
    if (::msync(data_, length_, MS_SYNC) != 0) return ErrnoToStatus(errno, "msync", path_);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  char* const data_;  // null when length_ is 0
  const size_t length_;
};

// Holds flock on an open descriptor plus this process's claim in the lock table.
class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(std::shared_ptr<LockTable> table, std::string key, int fd)
      : table_(std::move(table)), key_(std::move(key)), fd_(fd) {}
  ~PosixFileLock() override {
    ::close(fd_);  // releases the flock before the in-process claim, so a new locker never sees it held
    table_->Release(key_);
  }

 private:
  const std::shared_ptr<LockTable> table_;
  const std::string key_;
  const int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  absl::StatusOr<std::unique_ptr<File>> OpenFile(const std::string& path, const OpenOptions& options) override {
    int flags = O_CLOEXEC | (options.read_only ? O_RDONLY : O_RDWR);
    if (options.create) flags |= O_CREAT;
    if (options.create && options.exclusive) flags |= O_EXCL;
    if (options.truncate) flags |= O_TRUNC;
    struct stat st;
    ASSIGN_OR_RETURN(const int fd, OpenAndStat(path, flags, &st));
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return ErrnoToStatus(EISDIR, "open", path);
    }
    return std::make_unique<PosixFile>(path, fd, options.read_only, static_cast<uint64_t>(st.st_size));
  }

  absl::StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path, size_t length) override {
    const int fd = OpenRetryingEintr(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return ErrnoToStatus(errno, "open", path);
    absl::StatusOr<char*> data = MapDescriptor(fd, path, length);
    ::close(fd);  // the mapping stays valid without the descriptor
    if (!data.ok()) return data.status();
    return std::make_unique<PosixMappedFile>(path, *data, length);
  }

  absl::StatusOr<bool> Exists(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return ErrnoToStatus(errno, "stat", path);
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoToStatus(errno, "stat", path);
    if (S_ISDIR(st.st_mode)) return ErrnoToStatus(EISDIR, "stat", path);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoToStatus(errno, "opendir", dir);
    std::vector<std::string> names;
    while (true) {
      errno = 0;
      const struct dirent* entry = ::readdir(d);
      if (entry == nullptr) break;
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int err = errno;
    ::closedir(d);
    if (err != 0) return ErrnoToStatus(err, "readdir", dir);
    std::sort(names.begin(), names.end());
    return names;
  }

  absl::Status CreateDirs(const std::string& dir) override {
    // mkdir each prefix ending before a '/', then the whole path.
    for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
      const std::string prefix = dir.substr(0, end);
      if (!prefix.empty() && prefix.back() != '/') {
        if (::mkdir(prefix.c_str(), 0755) != 0) {
          if (errno != EEXIST) return ErrnoToStatus(errno, "mkdir", prefix);
          struct stat st;
          if (::stat(prefix.c_str(), &st) != 0) return ErrnoToStatus(errno, "stat", prefix);
          if (!S_ISDIR(st.st_mode)) return ErrnoToStatus(ENOTDIR, "mkdir", prefix);
        }
      }
      if (end == std::string::npos) break;
    }
    return absl::OkStatus();
  }

  absl::Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return ErrnoToStatus(errno, "rmdir", dir);
    return absl::OkStatus();
  }

  absl::Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoToStatus(errno, "unlink", path);
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoToStatus(errno, "rename", absl::StrCat(from, " -> ", to));
    }
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override {
    const int fd = OpenRetryingEintr(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoToStatus(errno, "open", dir);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoToStatus(err, "fsync", dir);
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    struct stat st;
    ASSIGN_OR_RETURN(const int fd, OpenAndStat(path, O_RDWR | O_CREAT | O_CLOEXEC, &st));
    // Keyed by inode, so two spellings of one path are the same lock.
    std::string key = absl::StrCat(st.st_dev, ":", st.st_ino);
    if (!locks_->TryAcquire(key)) {
      ::close(fd);
      return absl::FailedPreconditionError(absl::StrCat("lock ", path, ": already held by this process"));
    }
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      const int err = errno;
      ::close(fd);
      locks_->Release(key);
      if (err == EWOULDBLOCK) {
        return absl::FailedPreconditionError(absl::StrCat("lock ", path, ": held by another process"));
      }
      return ErrnoToStatus(err, "flock", path);
    }
    return std::make_unique<PosixFileLock>(locks_, std::move(key), fd);
  }

 private:
  // Sets the file behind `fd` to `length` bytes and maps it; null for length 0.
  static absl::StatusOr<char*> MapDescriptor(int fd, const std::string& path, size_t length) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return ErrnoToStatus(errno, "fstat", path);
    if (static_cast<uint64_t>(st.st_size) != length) {
      int rc;
      do {
        rc = ::ftruncate(fd, static_cast<off_t>(length));
      } while (rc != 0 && errno == EINTR);
      if (rc != 0) return ErrnoToStatus(errno, "ftruncate", path);
    }
    if (length == 0) return nullptr;
    void* data = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (data == MAP_FAILED) return ErrnoToStatus(errno, "mmap", path);
    return static_cast<char*>(data);
  }

  // Shared with the locks handed out, which may outlive this object.
  const std::shared_ptr<LockTable> locks_ = std::make_shared<LockTable>();
};

}  // namespace

std::unique_ptr<FileSystem> NewPosixFileSystem() { return std::make_unique<PosixFileSystem>(); }

}  // namespace seglog
