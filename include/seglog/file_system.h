// FileSystem: the seam through which seglog does all of its file I/O.
//
// Production code uses NewPosixFileSystem(); tests use NewMemFileSystem() or the fault-injecting wrapper in
// test/support, which can drop unsynced data on a simulated crash, tear writes, append garbage, fail chosen
// operations and simulate a full disk. Storage classes never call POSIX directly.
//
//   std::unique_ptr<seglog::FileSystem> fs = seglog::NewPosixFileSystem();
//   auto file = fs->OpenFile("/data/t-0/00000000000000000000.log", {.create = true});
//   if (!file.ok()) return file.status();
//   SEGLOG_RETURN_IF_ERROR((*file)->Append(bytes));
//   SEGLOG_RETURN_IF_ERROR((*file)->Sync());
//
// Errors: every method returns absl::Status; errno is mapped in one place (lib/fs/errno_status.cc):
// ENOENT -> kNotFound, EEXIST -> kAlreadyExists, ENOSPC/EDQUOT -> kResourceExhausted, EACCES/EPERM ->
// kPermissionDenied, anything else -> kInternal (kDataLoss for EIO). Messages name the path and the operation.
//
// Zero-copy reads: File::MapForRead hands out a FileRegion, read-only bytes of the file that stay valid (and
// keep their contents) while held, even if the file is truncated, renamed, removed or closed meanwhile.
//
//   SEGLOG_ASSIGN_OR_RETURN(std::shared_ptr<const seglog::FileRegion> region, file->MapForRead(max_segment_bytes));
//   const uint64_t end = published_end.load(std::memory_order_acquire);  // bytes the appender has published
//   if (region->length() < end) ...map again...
//   std::string_view batch(region->data() + position, size);             // position + size <= end
//
// Thread safety: a FileSystem is safe to use from many threads at once. A File is safe for concurrent ReadAt
// and MapForRead calls alongside one writer (Append/WriteAt/Truncate/Sync from one thread at a time). A
// FileRegion is immutable and may be read from any thread. A MappedFile is not synchronised: callers
// coordinate access to its bytes.
#ifndef SEGLOG_FILE_SYSTEM_H_
#define SEGLOG_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace seglog {

// Read-only bytes of a file for zero-copy reads (File::MapForRead). Valid and unchanged while held.
// Destroying the last reference unmaps them; a region may outlive the File and the FileSystem it came from.
class FileRegion {
 public:
  FileRegion() = default;
  FileRegion(const FileRegion&) = delete;
  FileRegion& operator=(const FileRegion&) = delete;
  virtual ~FileRegion() = default;

  // The first byte of the file (position 0). Null when length() is 0.
  virtual const char* data() const = 0;
  // How many positions the region spans. Only positions the file holds may be read (see File::MapForRead):
  // on POSIX, touching a page wholly past the end of the file raises SIGBUS.
  virtual size_t length() const = 0;
};

// An open file: positional reads, appends, positional writes, truncation and fdatasync.
class File {
 public:
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  virtual ~File() = default;

  // Reads up to dst.size() bytes starting at `offset` into dst. Returns the number of bytes read, which is
  // smaller than dst.size() only at end of file (0 at or past the end).
  virtual absl::StatusOr<size_t> ReadAt(uint64_t offset, absl::Span<char> dst) const = 0;

  // Appends `data` at the end of the file. On error a prefix of `data` may have been written (as with a
  // short write on a full disk); callers treat the file's tail as unknown until they truncate it.
  // The end is tracked by the handle (the size at open, moved by this handle's writes and truncations), so
  // while a handle appends, no other handle may change the file's size.
  virtual absl::Status Append(std::string_view data) = 0;

  // Writes `data` at `offset`, extending the file if needed. Same partial-write caveat as Append.
  virtual absl::Status WriteAt(uint64_t offset, std::string_view data) = 0;

  // Makes everything written so far durable (fdatasync). After a failed Sync the file's durable state is
  // unknown; seglog never retries a failed Sync.
  virtual absl::Status Sync() = 0;

  // Sets the file's size to `size`, dropping or zero-extending its tail.
  virtual absl::Status Truncate(uint64_t size) = 0;

  // The file's current size in bytes, including unsynced writes.
  virtual absl::StatusOr<uint64_t> Size() const = 0;

  // Closes the handle. Further calls fail with kFailedPrecondition. The destructor closes too.
  virtual absl::Status Close() = 0;

  // Maps the file read-only for zero-copy reads, asking for `length` bytes (which may exceed the file's
  // current size). Through the region, any byte at a position < region->length() that the file holds can be
  // read: bytes written before the call, and bytes appended later through this handle once the Append has
  // returned (the caller publishes the new size to its readers with release/acquire ordering). A held
  // region's readable bytes never change: a Truncate through this handle first detaches the mapped bytes
  // past the new size (they keep their old contents), and rename, removal, Close or destruction of the File
  // do not affect it. length() may be smaller than asked (an implementation that cannot follow appends maps
  // what exists) or larger; callers check it and map again when they need more.
  // The default implementation copies min(length, size) bytes with ReadAt (a snapshot).
  // Caveats: after a Truncate, a held region no longer follows appends below the old size (map again); and
  // bytes overwritten in place with WriteAt may or may not show through a held region (POSIX shows them, the
  // in-memory file system does not), so callers never WriteAt over bytes that readers may be reading.
  // Asking for 0 bytes gives an empty region. kFailedPrecondition when the handle is closed; the errno
  // mapping above for mmap failures.
  virtual absl::StatusOr<std::shared_ptr<const FileRegion>> MapForRead(uint64_t length) const;

  // The operating system's descriptor for zero-copy transfer (sendfile), or -1 where there is none
  // (in-memory files). Owned by the File; valid until Close().
  virtual int NativeHandle() const { return -1; }

  // The path this file was opened with.
  virtual const std::string& path() const = 0;
};

// A file mapped into memory at a fixed length (how Kafka's .index and .timeindex files are accessed).
// Writes through data() reach the file no later than Sync() or destruction; Sync() makes them durable (msync).
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  virtual ~MappedFile() = default;

  // The mapped bytes; length() of them. Valid until destruction. Null when length() is 0.
  virtual char* data() = 0;
  virtual const char* data() const = 0;
  virtual size_t length() const = 0;

  // Writes the mapped bytes back and makes them durable.
  virtual absl::Status Sync() = 0;
};

struct OpenOptions {
  bool create = false;          // create the file if it does not exist
  bool exclusive = false;       // with create: fail with kAlreadyExists if it exists
  bool truncate = false;        // truncate to 0 bytes on open
  bool read_only = false;       // writes fail with kFailedPrecondition
};

// An advisory whole-file lock held until destruction (the data directory's `.lock`).
class FileLock {
 public:
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;
  virtual ~FileSystem() = default;

  // Opens (and with options.create, creates) a regular file. kNotFound if it is missing and not created.
  virtual absl::StatusOr<std::unique_ptr<File>> OpenFile(const std::string& path,
                                                         const OpenOptions& options) = 0;

  // Sets the file at `path` to `length` bytes (zero-extending or truncating) and maps all of it, read-write.
  // `length` may be 0 (data() is then null). The file must exist.
  virtual absl::StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path, size_t length) = 0;

  // Whether `path` names an existing file or directory.
  virtual absl::StatusOr<bool> Exists(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;

  // The names (not paths) of the entries of directory `dir`, sorted, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;

  // Creates `dir` and any missing parents; OK if it already exists as a directory.
  virtual absl::Status CreateDirs(const std::string& dir) = 0;
  // Removes an empty directory.
  virtual absl::Status RemoveDir(const std::string& dir) = 0;
  // Removes a file. kNotFound if it does not exist.
  virtual absl::Status RemoveFile(const std::string& path) = 0;
  // Atomically renames `from` to `to`, replacing `to` if it exists. Durable only after SyncDir of both
  // parent directories.
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  // Makes the directory's entries (creations, removals, renames) durable (fsync on the directory).
  virtual absl::Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive advisory lock on `path` (creating the file). kFailedPrecondition if another holder
  // (another process, or another lock in this process) has it.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

// The real file system (POSIX: pread/write/fdatasync/mmap/flock).
std::unique_ptr<FileSystem> NewPosixFileSystem();

// A file system held entirely in memory; each instance is an independent tree rooted at "/". Paths are
// normalised (repeated and trailing slashes ignored); relative paths are taken relative to "/".
std::unique_ptr<FileSystem> NewMemFileSystem();

// A copy-on-write view of `base` (borrowed; it must outlive the view and every File taken from it): reads
// see base's files and directories, and every change (writes, truncation, creation, MapFile, removal,
// rename, directory creation and removal, LockFile) lands in private memory, so base is never modified.
// A base file is copied into memory on its first modification (only up to the new size when that is a
// truncation; not at all when opened with `truncate`); until then reads go to base. Removed or renamed base
// entries are hidden from the view. LockFile uses the view's own in-memory lock table and never locks base.
// Sync and SyncDir do nothing durable; everything private is lost when the view is destroyed. Files have no
// NativeHandle (-1). Renaming a directory is kUnimplemented. A read-only Store opens its partitions over
// this view: recovery may truncate, rebuild indexes and write checkpoints, all in memory.
std::unique_ptr<FileSystem> NewCopyOnWriteFileSystem(FileSystem* base);

// Helpers built on the interface.

// Reads a whole file into a string.
absl::StatusOr<std::string> ReadFileToString(FileSystem* fs, const std::string& path);

// Replaces `path` atomically and durably with `contents`: writes `path + ".tmp"`, syncs it, renames it over
// `path` and syncs the parent directory (how seglog writes every metadata file).
absl::Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view contents);

// The parent directory of `path` ("." for a bare name, "/" for a top-level path) and the last component.
std::string ParentDir(std::string_view path);
std::string BaseName(std::string_view path);
// Joins two path components with exactly one '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace seglog

#endif  // SEGLOG_FILE_SYSTEM_H_
