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
  // whose abi_version or struct_size does not fit).
  explicit Plugin(const std::string& path);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const qs_kernel_table& table() const { return *table_; }
  // The table's name, or the file name when the table has none.
  const std::string& name() const { return name_; }

 private:
  void* handle_ = nullptr;
  const qs_kernel_table* table_ = nullptr;
  std::string name_;
};

}  // namespace quantspec::conformance
