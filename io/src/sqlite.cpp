#include "talentcast/io/sqlite.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace talentcast::io {

namespace {

// The byte the writer lock holds: past SQLite's own lock bytes (PENDING, RESERVED and the
// SHARED range, 0x40000000 to 0x400001ff), below 2^31 for old NFS lock managers. A lock is
// advisory: it does not stop anyone reading or writing the file's bytes.
constexpr off_t kWriterLockByte = 0x40000000 + 0x400;

sqlite3* open_connection(const std::string& name, int flags, const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(name.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw SqliteError(fmt::format("{}: {}", file.string(), message));
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

// A file: URI for SQLite's query parameters ("?immutable=1"); the characters a URI gives a
// meaning to are percent-encoded.
std::string uri_of(const std::filesystem::path& file) {
  const std::string path = file.string();
  std::string uri = path.starts_with('/') ? "file://" : "file:";
  for (const unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c <= ' ' || c >= 0x7f) {
      uri += fmt::format("%{:02X}", c);
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri;
}

int take_writer_lock(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw SqliteError(
        fmt::format("{}: cannot open it to write: {}", file.string(), std::strerror(errno)));
  }
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = kWriterLockByte;
  lock.l_len = 1;
  if (::fcntl(fd, F_OFD_SETLK, &lock) == 0) return fd;
  const int error = errno;
  ::close(fd);  // SQLite has not opened the file yet: no lock of its own is dropped
  if (error == EAGAIN || error == EACCES) {
    throw DatabaseInUse(fmt::format("{}: another process holds its writer lock", file.string()));
  }
  throw SqliteError(
      fmt::format("{}: cannot lock it for writing: {}", file.string(), std::strerror(error)));
}

}  // namespace

Database::Database(const std::filesystem::path& file, Access access) {
  if (access == Access::read_only) {
    db_ = open_connection(file.string(), SQLITE_OPEN_READONLY, file);
    // Reading the schema opens what a database in write-ahead-log mode needs beside it.
    if ((sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) &
         0xff) == SQLITE_CANTOPEN) {
      sqlite3_close(db_);
      db_ = nullptr;
      const std::filesystem::path log = file.string() + "-wal";
      std::error_code ec;
      if (std::filesystem::is_regular_file(log, ec) && std::filesystem::file_size(log, ec) > 0) {
        throw SqliteError(fmt::format(
            "{}: its write-ahead log {} holds commits that are not in the database file yet, and "
            "SQLite cannot create {}-shm beside it to read them (read-only media?); copy both "
            "files to a writable folder and read them there",
            file.string(), log.string(), file.string()));
      }
      // Nothing can be created beside the file, so no writer is at work on it (a writer keeps
      // both its -wal and -shm there, and with them present the first open succeeds), and no
      // log holds commits: the file alone is the database, and immutable reads it as it is.
      db_ = open_connection(uri_of(file) + "?immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                            file);
    }
  } else {
    if (access == Access::sole_writer) lock_fd_ = take_writer_lock(file);
    try {
      db_ = open_connection(file.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, file);
    } catch (...) {
      if (lock_fd_ >= 0) ::close(lock_fd_);
      throw;
    }
  }
  try {
    execute("PRAGMA foreign_keys = ON");
  } catch (...) {
    sqlite3_close(db_);
    if (lock_fd_ >= 0) ::close(lock_fd_);
    throw;
  }
}

Database::~Database() {
  sqlite3_close(db_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Database::Database(Database&& other) noexcept : db_(other.db_), lock_fd_(other.lock_fd_) {
  other.db_ = nullptr;
  other.lock_fd_ = -1;
}

std::vector<std::string> Database::quick_check(int limit) {
  std::vector<std::string> problems;
  try {
    for (auto q = prepare(fmt::format("PRAGMA quick_check({})", limit)); q.step();) {
      std::string text = q.text(0);
      if (text == "ok") continue;
      // Problems of the main database come after this line.
      constexpr std::string_view kMain = "*** in database main ***\n";
      if (text.starts_with(kMain)) text.erase(0, kMain.size());
      for (std::size_t start = 0; start <= text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        if (end > start) problems.push_back(text.substr(start, end - start));
        start = end + 1;
      }
    }
  } catch (const SqliteError& e) {
    problems.emplace_back(e.what());  // a page too damaged for the check itself to go on
  }
  return problems;
}

void Database::execute(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string error = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw SqliteError(error);
  }
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

Statement Database::prepare(std::string_view sql) {
  return Statement(db_, sql);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    throw SqliteError(fmt::format("{} (in: {})", sqlite3_errmsg(db), sql));
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::bind(int i, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, i, value) != SQLITE_OK) throw SqliteError(sqlite3_errmsg(db_));
  return *this;
}

Statement& Statement::bind(int i, double value) {
  if (sqlite3_bind_double(stmt_, i, value) != SQLITE_OK) throw SqliteError(sqlite3_errmsg(db_));
  return *this;
}

Statement& Statement::bind(int i, std::string_view value) {
  if (sqlite3_bind_text(stmt_, i, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    throw SqliteError(sqlite3_errmsg(db_));
  }
  return *this;
}

Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) throw SqliteError(sqlite3_errmsg(db_));
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw SqliteError(sqlite3_errmsg(db_));
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::run() {
  step();
  reset();
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace talentcast::io
