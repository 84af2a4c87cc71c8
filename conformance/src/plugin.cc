#include "quantspec/conformance/plugin.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace quantspec::conformance {

std::string table_problem(const qs_kernel_table* table) {
  if (table == nullptr) {
    return "qs_kernel_table_get(" + std::to_string(QS_KERNEL_ABI_VERSION) + ") returned NULL";
  }
  if (table->abi_version == 0 || table->abi_version > QS_KERNEL_ABI_VERSION) {
    return "table has abi_version " + std::to_string(table->abi_version) + ", expected 1.." +
           std::to_string(QS_KERNEL_ABI_VERSION);
  }
  if (table->struct_size < sizeof(qs_kernel_table)) {
    // Version 1 is the first version: every field up to reserved[] must be present.
    return "table has struct_size " + std::to_string(table->struct_size) + ", expected at least " +
           std::to_string(sizeof(qs_kernel_table));
  }
  // kernel_abi.h: the name is a static string; reports and reproduce lines print it.
  if (table->name == nullptr) return "table has a NULL name (expected a static string)";
  return "";
}

Plugin::Plugin(const std::string& path) {
  // A path without a slash would make dlopen search the library path; a plug-in is a file.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  handle_ = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) throw std::runtime_error("--plugin " + path + ": cannot load: " + dlerror());
  auto* get = reinterpret_cast<qs_kernel_table_get_fn>(dlsym(handle_, QS_KERNEL_TABLE_GET_SYMBOL));
  if (get == nullptr) {
    dlclose(handle_);
    throw std::runtime_error("--plugin " + path + ": no exported symbol " QS_KERNEL_TABLE_GET_SYMBOL);
  }
  table_ = get(QS_KERNEL_ABI_VERSION);
  const std::string problem = table_problem(table_);
  if (!problem.empty()) {
    dlclose(handle_);
    throw std::runtime_error("--plugin " + path + ": " + problem);
  }
  name_ = table_->name != nullptr && table_->name[0] != '\0' ? table_->name : path;
}

Plugin::~Plugin() {
  if (handle_ != nullptr) dlclose(handle_);
}

}  // namespace quantspec::conformance
