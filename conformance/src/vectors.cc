#include "quantspec/conformance/vectors.hpp"

#include <cstring>
#include <sstream>

#include "execute.hpp"

namespace quantspec::conformance {
namespace {

// The flat outputs of one execution, per case type.
struct Outputs {
  std::vector<std::int64_t> integers;
  std::vector<float> floats;
};

Outputs outputs_of(const Execution& e, const QuantizeCase& c) {
  Outputs o;
  for (std::size_t i = 0; i < c.input.size(); ++i) o.integers.push_back(load_narrow(e.first, i, c.output_type));
  return o;
}
Outputs outputs_of(const Execution& e, const DequantizeCase& c) {
  Outputs o;
  for (std::size_t i = 0; i < c.input.size(); ++i) o.floats.push_back(load_float(e.first, i));
  return o;
}
Outputs outputs_of(const Execution& e, const RequantizeCase& c) {
  Outputs o;
  for (std::size_t i = 0; i < c.input.size(); ++i) o.integers.push_back(load_narrow(e.first, i, c.output_type));
  return o;
}
Outputs outputs_of(const Execution& e, const GemmCase& c) {
  Outputs o;
  for (std::size_t r = 0; r < c.m; ++r) {
    for (std::size_t col = 0; col < c.n; ++col) o.integers.push_back(load_int32(e.first, r * c.out_stride + col));
  }
  return o;
}
Outputs outputs_of(const Execution& e, const LinearCase& c) {
  Outputs o;
  for (std::size_t r = 0; r < c.gemm.m; ++r) {
    for (std::size_t col = 0; col < c.gemm.n; ++col) {
      o.integers.push_back(load_narrow(e.first, r * c.gemm.out_stride + col, c.output_type));
    }
  }
  return o;
}
Outputs outputs_of(const Execution& e, const LutCase& c) {
  Outputs o;
  for (std::size_t i = 0; i < c.input.size(); ++i) o.integers.push_back(load_narrow(e.first, i, c.element_type));
  return o;
}
Outputs outputs_of(const Execution& e, const DynamicLinearCase& c) {
  Outputs o;
  for (std::size_t r = 0; r < c.m; ++r) {
    for (std::size_t col = 0; col < c.n; ++col) o.floats.push_back(load_float(e.first, r * c.out_stride + col));
  }
  return o;
}

// The element a flat output index names: out[row][column] for the matrix outputs (Outputs
// lists them row by row without the stride's padding), out[i] otherwise.
template <typename Case>
std::string element_name(const Case&, std::size_t i) {
  return "out[" + std::to_string(i) + "]";
}
std::string matrix_element(std::size_t n, std::size_t i) {
  return n == 0 ? "out[" + std::to_string(i) + "]" : "out[" + std::to_string(i / n) + "][" + std::to_string(i % n) + "]";
}
std::string element_name(const GemmCase& c, std::size_t i) { return matrix_element(c.n, i); }
std::string element_name(const LinearCase& c, std::size_t i) { return matrix_element(c.gemm.n, i); }
std::string element_name(const DynamicLinearCase& c, std::size_t i) { return matrix_element(c.n, i); }

std::uint32_t bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

}  // namespace

std::vector<VectorTestResult> run_vector_tests(const qs_kernel_table& table, const std::vector<VectorTest>& tests) {
  std::vector<VectorTestResult> results;
  for (const VectorTest& t : tests) {
    VectorTestResult r;
    r.id = t.id;
    std::visit(
        [&](const auto& c) {
          std::string flags;
          for (const std::string& f : t.flags) flags += (flags.empty() ? "" : ", ") + f;
          const std::string description = "  vector: " + t.id + (flags.empty() ? "" : " [" + flags + "]") + "\n" + describe(c);
          const Execution e = call_kernel(table, c, description);
          if (e.status == QS_VARIANT_NOT_SUPPORTED) {
            r.status = VectorTestResult::Status::not_provided;
            return;
          }
          if (!t.valid) {
            if (e.status != QS_BAD_PARAMETERS) {
              r.status = VectorTestResult::Status::fail;
              r.message = "accepted parameters the vector marks invalid (returned " + status_name(e.status) +
                          ", expected QS_BAD_PARAMETERS)\n" + description;
            }
            return;
          }
          if (e.verdict) {
            r.status = VectorTestResult::Status::fail;
            r.message = e.verdict->message;
            return;
          }
          const Outputs got = outputs_of(e, c);
          const bool floats = !t.expected_binary32.empty() || !got.floats.empty();
          const std::size_t count = floats ? t.expected_binary32.size() : t.expected.size();
          const std::size_t got_count = floats ? got.floats.size() : got.integers.size();
          if (count != got_count) {
            r.status = VectorTestResult::Status::fail;
            r.message = "the vector lists " + std::to_string(count) + " outputs, the case has " +
                        std::to_string(got_count) + " (loader bug?)\n" + description;
            return;
          }
          for (std::size_t i = 0; i < count; ++i) {
            const bool same = floats ? bits(t.expected_binary32[i]) == bits(got.floats[i]) : t.expected[i] == got.integers[i];
            if (!same) {
              std::ostringstream text;
              text << "wrong " << element_name(c, i) << ": expected "
                   << (floats ? hex(t.expected_binary32[i]) : std::to_string(t.expected[i])) << ", got "
                   << (floats ? hex(got.floats[i]) : std::to_string(got.integers[i])) << "\n"
                   << description;
              r.status = VectorTestResult::Status::fail;
              r.message = text.str();
              return;
            }
          }
        },
        t.kernel_case);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace quantspec::conformance
