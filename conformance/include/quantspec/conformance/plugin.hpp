// Loading a third party's kernel table from a shared library (dlopen + qs_kernel_table_get).
#pragma once

#include <memory>
#include <string>

#include "quantspec/kernel_abi.h"

namespace quantspec::conformance {

class Plugin {
 public:
  // Loads `path` and asks it for ABI version QS_KERNEL_ABI_VERSION. Throws std::runtime_error
  // naming the path and the reason (dlopen error, missing entry point, NULL table, a table
  // whose abi_version or struct_size does not fit, a NULL name).
  explicit Plugin(const std::string& path);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const qs_kernel_table& table() const { return *table_; }
  // The table's name, or the file name when it is empty.
  const std::string& name() const { return name_; }

 private:
  void* handle_ = nullptr;
  const qs_kernel_table* table_ = nullptr;
  std::string name_;
};

// Why a table returned by qs_kernel_table_get cannot be used ("" if it can).
std::string table_problem(const qs_kernel_table* table);

// Loads `path` and asks it for its table in a forked child, so that a library that ends the
// process while loading (exit() in a constructor), crashes (a signal: SIGSEGV, abort()), hangs
// (longer than `timeout_seconds`, > 0) or returns an unusable table does not take the caller
// down. Returns "" if the child loaded a usable table, else a one-line reason naming the path.
std::string probe_plugin_in_child(const std::string& path, int timeout_seconds);

}  // namespace quantspec::conformance
