#pragma once
// A thin RAII layer over SQLite's C API (the embedded results store): a connection, prepared
// statements with typed binds and columns, and transactions. Errors throw SqliteError with
// SQLite's message.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/io/diagnostic.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace talentcast::io {

/// A database that cannot be used: not SQLite, damaged, locked, or a disk that failed it.
class SqliteError : public UserError {
 public:
  using UserError::UserError;
};

/// Another process holds the database's writer lock (Access::sole_writer).
class DatabaseInUse : public SqliteError {
 public:
  using SqliteError::SqliteError;
};

class Statement;

enum class Access {
  read_write,  ///< created when missing
  /// read_write, and the only process doing so: the file's writer lock is taken before the
  /// connection opens and held until it closes, else DatabaseInUse is thrown. SQLite's own locks
  /// last one transaction, so two writers could otherwise interleave their work. The lock is an
  /// open file description lock on a byte SQLite never locks: it does not meet SQLite's locks,
  /// and the kernel releases it when the process ends, however it ends (kill -9 included).
  sole_writer,
  /// Queries only, and readable on read-only media: a database in write-ahead-log mode needs a
  /// -shm file beside it, which SQLite creates when missing; where nothing can be created and
  /// no log holds commits, it is opened as immutable (no locks, no -shm), which is safe because
  /// a live writer would have both files there.
  read_only,
};

class Database {
 public:
  /// Opens a database file. Read-only, a log with commits that cannot be read where the file
  /// is (no -shm can be created) throws SqliteError saying so: reading the file alone would
  /// silently miss them.
  explicit Database(const std::filesystem::path& file, Access access = Access::read_write);
  ~Database();
  Database(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database& operator=(Database&&) = delete;

  /// Runs one or more statements without results.
  void execute(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  sqlite3* handle() const { return db_; }

  /// What PRAGMA quick_check finds wrong with the pages and b-trees (at most `limit` problems),
  /// one line each; empty when it finds nothing. It reads every page: seconds for gigabytes.
  std::vector<std::string> quick_check(int limit = 3);

 private:
  sqlite3* db_ = nullptr;
  // The writer lock's descriptor (sole_writer). Closing any descriptor of a file drops the
  // process's POSIX locks on it, SQLite's included: it is closed only after the connection.
  int lock_fd_ = -1;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds parameter i (1-based).
  Statement& bind(int i, std::int64_t value);
  Statement& bind(int i, double value);
  Statement& bind(int i, std::string_view value);
  Statement& bind_null(int i);
  /// Steps: true while there is a row.
  bool step();
  /// Resets for another execution with new binds.
  void reset();
  /// Steps once and resets (an INSERT or UPDATE).
  void run();

  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

/// A transaction committed by commit(), rolled back when destroyed before.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { db_.execute("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) {
      try {
        db_.execute("ROLLBACK");
      } catch (...) {
      }
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.execute("COMMIT");
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace talentcast::io
