#include "execute.hpp"

#include <cstdint>
#include <cstring>
#include <sstream>

#include "quantspec/reference/numbers.hpp"
#include "fences.hpp"
#include "unread_fields.hpp"

namespace quantspec::conformance {

std::string status_name(qs_status status) {
  switch (status) {
    case QS_OK: return "QS_OK";
    case QS_VARIANT_NOT_SUPPORTED: return "QS_VARIANT_NOT_SUPPORTED";
    case QS_BAD_PARAMETERS: return "QS_BAD_PARAMETERS";
    case QS_STATUS_RANGE_MIN_IS_INT32:
    case QS_STATUS_RANGE_IS_INT32: break;  // not statuses
  }
  return "unknown status " + std::to_string(static_cast<int>(status));
}

namespace {

constexpr int kCalls = 4;

// The placement of every buffer in call `run` (0-based): two misaligned calls over different
// output fills, then all buffers against an inaccessible page at their end, then at their start.
BufferPlacement placement_of(int run) {
  return run < 2 ? BufferPlacement::misaligned : run == 2 ? BufferPlacement::at_page_end : BufferPlacement::at_page_start;
}

std::string call_text(int run) {
  return "call " + std::to_string(run + 1) + " of " + std::to_string(kCalls) + ", every buffer " +
         placement_text(placement_of(run));
}

Outcome touch_failure(const Touch& touch, int run, const std::string& description) {
  if (touch.buffer == nullptr) {
    std::ostringstream text;
    text << "read a parameter field this call must not read (kernel_abi.h): in call " << run + 1
         << " it dereferenced an unused pointer field, which pointed to an inaccessible page (access at byte "
         << touch.offset << " from it)\n"
         << kUnreadFieldsNote << description;
    return Outcome::fail(text.str());
  }
  return Outcome::fail(touch_text(touch) + " (call " + std::to_string(run + 1) + " of " + std::to_string(kCalls) +
                       ")\n" + description);
}

}  // namespace

Execution execute(const std::vector<InputBytes>& inputs, std::size_t output_bytes,
                  std::size_t output_misalignment, const KernelCall& call,
                  const std::string& description) {
  Execution result;
  qs_status first_status = QS_OK;
  for (int run = 0; run < kCalls; ++run) {
    CallBuffers buffers(placement_of(run), run == 1 ? kSecondFill : kFirstFill, run);
    std::vector<const void*> pointers;
    for (const InputBytes& in : inputs) pointers.push_back(buffers.add_input(in.bytes, in.misalignment, in.name));
    auto* const output = static_cast<std::uint8_t*>(buffers.add_output(output_bytes, output_misalignment, "output"));
    qs_status status = QS_OK;
    if (auto touch = buffers.run([&] { status = call(pointers, output); })) {
      result.verdict = touch_failure(*touch, run, description);
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
      result.verdict = Outcome::fail("returned " + status_name(status) + " in " + call_text(run) + " (call 1 returned " +
                                     status_name(first_status) +
                                     "): the calls differ only in the placement and fill of the buffers and in "
                                     "fields the call must not read (a kernel validating a field it must ignore)\n" +
                                     kUnreadFieldsNote + description);
      return result;
    }
    if (auto damaged = buffers.damaged_guard()) {
      std::ostringstream text;
      text << "wrote outside the " << (damaged->first->name() == "output" ? "output buffer" : "output '" + damaged->first->name() + "'")
           << ": guard byte at offset " << damaged->second << " (it is " << damaged->first->size()
           << " bytes) changed (" << call_text(run) << ")\n"
           << description;
      result.verdict = Outcome::fail(text.str());
      return result;
    }
    if (run < 2) {
      (run == 0 ? result.first : result.second).assign(output, output + output_bytes);
    } else if (output_bytes > 0 && std::memcmp(output, result.first.data(), output_bytes) != 0) {
      result.verdict = Outcome::fail("gave a different output in " + call_text(run) +
                                     " than in call 1, when only the placement of the buffers and the fields the "
                                     "call must not read changed\n" +
                                     kUnreadFieldsNote + description);
      return result;
    }
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
