#include "execute.hpp"

#include <cstdint>
#include <cstring>
#include <sstream>

#include "quantspec/conformance/guarded_buffer.hpp"
#include "quantspec/reference/numbers.hpp"
#include "read_guard.hpp"
#include "unread_fields.hpp"

namespace quantspec::conformance {

std::string status_name(qs_status status) {
  switch (status) {
    case QS_OK: return "QS_OK";
    case QS_VARIANT_NOT_SUPPORTED: return "QS_VARIANT_NOT_SUPPORTED";
    case QS_BAD_PARAMETERS: return "QS_BAD_PARAMETERS";
    case QS_STATUS_RANGE_IS_INT32: break;  // not a status
  }
  return "unknown status " + std::to_string(static_cast<int>(status));
}

namespace {

Outcome unread_field_failure(const ReadPastEnd& fault, int call, const std::string& description) {
  std::ostringstream text;
  text << "read a parameter field this call must not read (kernel_abi.h): in call " << call
       << " it dereferenced an unused pointer field, which pointed to an inaccessible page (access at byte "
       << fault.unread_offset << " from it)\n"
       << kUnreadFieldsNote << description;
  return Outcome::fail(text.str());
}

// A third call with every input ending right before an inaccessible page (read_guard.hpp):
// a read past the end of an input faults and fails the case; otherwise the call must return
// the same status and output as the first one (only the inputs' placement changed).
std::optional<Outcome> check_reads_stay_inside(const std::vector<InputBytes>& inputs, std::size_t output_bytes,
                                               std::size_t output_misalignment, const KernelCall& call,
                                               qs_status first_status, const std::vector<std::uint8_t>& first_output,
                                               const std::string& description) {
  std::vector<PageEndBuffer> guarded;
  guarded.reserve(inputs.size());
  std::vector<const void*> pointers;
  for (const InputBytes& in : inputs) {
    guarded.emplace_back(in.bytes);
    pointers.push_back(guarded.back().data());
  }
  GuardedBuffer output(output_bytes, output_misalignment, kFirstFill);
  qs_status status = QS_OK;
  const auto fault = call_catching_reads_past_end(guarded, [&] { status = call(pointers, output.data()); });
  auto placement = [&](std::size_t i) {
    std::ostringstream text;
    text << "input '" << inputs[i].name << "' (" << inputs[i].bytes.size()
         << " bytes) placed to end at a page boundary, so its start is "
         << reinterpret_cast<std::uintptr_t>(guarded[i].data()) % 64 << " bytes past a 64-byte boundary";
    return text.str();
  };
  if (fault && fault->unread_field) return unread_field_failure(*fault, 3, description);
  if (fault) {
    std::ostringstream text;
    text << "read past the end of its input '" << inputs[fault->input].name << "': byte " << fault->offset
         << " after the last one (" << placement(fault->input) << ")\n"
         << description;
    return Outcome::fail(text.str());
  }
  if (status != first_status) {
    return Outcome::fail("returned " + status_name(status) + " when its inputs ended at a page boundary (first " +
                         status_name(first_status) + "; unread fields were zero / NULL in this call)\n" +
                         kUnreadFieldsNote + description);
  }
  if (output.damaged_guard() ||
      (output_bytes > 0 && std::memcmp(output.data(), first_output.data(), output_bytes) != 0)) {
    std::string where;
    for (std::size_t i = 0; i < inputs.size(); ++i) where += "\n  " + placement(i);
    return Outcome::fail("gave a different output (or wrote outside it) when only its inputs' placement and the "
                         "fields the call must not read changed:" +
                         where + "\n" + kUnreadFieldsNote + description);
  }
  return std::nullopt;
}

}  // namespace

Execution execute(const std::vector<InputBytes>& inputs, std::size_t output_bytes,
                  std::size_t output_misalignment, const KernelCall& call,
                  const std::string& description) {
  Execution result;
  qs_status first_status = QS_OK;
  for (int run = 0; run < 2; ++run) {
    std::vector<GuardedBuffer> buffers;
    buffers.reserve(inputs.size());
    std::vector<const void*> pointers;
    for (const InputBytes& in : inputs) {
      buffers.emplace_back(in.bytes.size(), in.misalignment, 0);
      if (!in.bytes.empty()) std::memcpy(buffers.back().data(), in.bytes.data(), in.bytes.size());
      pointers.push_back(buffers.back().data());
    }
    GuardedBuffer output(output_bytes, output_misalignment, run == 0 ? kFirstFill : kSecondFill);
    qs_status status = QS_OK;
    const auto fault = call_catching_reads_past_end({}, [&] { status = call(pointers, output.data()); });
    if (fault) {
      result.verdict = unread_field_failure(*fault, run + 1, description);
      return result;
    }
    if (run == 0) {
      first_status = status;
      result.status = status;
      if (status == QS_VARIANT_NOT_SUPPORTED) {
        result.verdict = Outcome::not_supported();
        return result;
      }
      if (status != QS_OK) {
        result.verdict = Outcome::fail("returned " + status_name(status) +
                                       " for valid parameters (expected QS_OK)\n" + description);
        return result;
      }
    } else if (status != first_status) {
      result.verdict = Outcome::fail("returned " + status_name(status) + " on a repeated call (first " +
                                     status_name(first_status) +
                                     "): the calls differ only in the output's fill and in fields the call "
                                     "must not read (a kernel validating a field it must ignore)\n" +
                                     kUnreadFieldsNote + description);
      return result;
    }
    if (auto damaged = output.damaged_guard()) {
      std::ostringstream text;
      text << "wrote outside the output buffer: guard byte at offset " << *damaged
           << " (output is " << output_bytes << " bytes) changed\n"
           << description;
      result.verdict = Outcome::fail(text.str());
      return result;
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const bool changed =
          !inputs[i].bytes.empty() &&
          std::memcmp(buffers[i].data(), inputs[i].bytes.data(), inputs[i].bytes.size()) != 0;
      if (changed || buffers[i].damaged_guard()) {
        result.verdict = Outcome::fail(std::string("modified its input buffer '") + inputs[i].name +
                                       "' (or the bytes around it)\n" + description);
        return result;
      }
    }
    (run == 0 ? result.first : result.second).assign(output.data(), output.data() + output_bytes);
  }
  if (auto verdict = check_reads_stay_inside(inputs, output_bytes, output_misalignment, call, first_status,
                                             result.first, description)) {
    result.verdict = std::move(verdict);
  }
  return result;
}

std::string unwritten_message(const std::string& element) {
  return "output " + element +
         " differs between two calls that differ only in the output's fill and in fields the call must not "
         "read: left unwritten, or computed from a field it must ignore\n" + kUnreadFieldsNote;
}

std::optional<std::size_t> first_unwritten(const Execution& e, std::size_t element_bytes) {
  for (std::size_t i = 0; i < e.first.size(); ++i) {
    if (e.first[i] != e.second[i]) return i / element_bytes;
  }
  return std::nullopt;
}

std::vector<std::uint8_t> narrow_bytes(const std::vector<std::int32_t>& values, std::uint32_t) {
  std::vector<std::uint8_t> bytes(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) bytes[i] = static_cast<std::uint8_t>(values[i]);
  return bytes;
}

std::int32_t load_narrow(const std::vector<std::uint8_t>& bytes, std::size_t i, std::uint32_t type) {
  return type == QS_S8 ? static_cast<std::int32_t>(static_cast<std::int8_t>(bytes[i]))
                       : static_cast<std::int32_t>(bytes[i]);
}

std::int32_t load_int32(const std::vector<std::uint8_t>& bytes, std::size_t i) {
  std::int32_t v;
  std::memcpy(&v, bytes.data() + i * 4, 4);
  return v;
}

float load_float(const std::vector<std::uint8_t>& bytes, std::size_t i) {
  float v;
  std::memcpy(&v, bytes.data() + i * 4, 4);
  return v;
}

std::string hex(float value) { return ref::hex_float(value); }

namespace {
template <class T, class Format>
std::string list_of(const std::vector<T>& values, std::size_t around, Format format) {
  // Short lists in full; long ones around the interesting index (the seed reproduces the rest).
  constexpr std::size_t kFull = 64;
  constexpr std::size_t kContext = 4;
  std::ostringstream text;
  text << "[";
  std::size_t begin = 0, end = values.size();
  if (values.size() > kFull) {
    const std::size_t center = around < values.size() ? around : 0;
    begin = center > kContext ? center - kContext : 0;
    end = std::min(values.size(), center + kContext + 1);
  }
  if (begin > 0) text << "... (" << begin << " before), ";
  for (std::size_t i = begin; i < end; ++i) text << (i > begin ? ", " : "") << format(values[i]);
  if (end < values.size()) text << ", ... (" << values.size() - end << " after)";
  text << "]";
  return text.str();
}
}  // namespace

std::string list(const std::vector<float>& values, std::size_t around) {
  return list_of(values, around, [](float v) { return hex(v); });
}
std::string list(const std::vector<std::int32_t>& values, std::size_t around) {
  return list_of(values, around, [](std::int32_t v) { return std::to_string(v); });
}

}  // namespace quantspec::conformance
