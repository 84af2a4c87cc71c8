// .npy and CSV tensors (tensor_file.hpp). The .npy layout: magic "\x93NUMPY", major and minor
// version bytes, a little-endian header length (2 bytes in 1.0, 4 bytes in 2.0/3.0), then a
// Python dict literal with 'descr', 'fortran_order' and 'shape', then the raw data.
#include "tensor_file.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/numbers.hpp"

namespace quantspec::cli {
namespace {

[[noreturn]] void reject(const std::string& path, const std::string& field,
                         const std::string& requirement, const std::string& got) {
  throw ref::ParameterError(path + ": " + field, requirement, got);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) reject(path, "file", "a readable file", "cannot open");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The value text of `key` in the header dict, up to the next top-level comma or '}'.
std::string header_value(const std::string& path, const std::string& header,
                         const std::string& key) {
  const std::string quoted = "'" + key + "'";
  const std::size_t at = header.find(quoted);
  if (at == std::string::npos) reject(path, key, "present in the .npy header", header);
  std::size_t i = header.find(':', at + quoted.size());
  if (i == std::string::npos) reject(path, key, "key: value", header);
  ++i;
  while (i < header.size() && header[i] == ' ') ++i;
  std::size_t end = i;
  int depth = 0;
  while (end < header.size()) {
    const char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
    ++end;
  }
  std::string value = header.substr(i, end - i);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

std::vector<std::size_t> parse_shape(const std::string& path, const std::string& text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    reject(path, "shape", "a tuple of non-negative integers", text);
  }
  std::vector<std::size_t> shape;
  std::string item;
  std::istringstream items(text.substr(1, text.size() - 2));
  while (std::getline(items, item, ',')) {
    const std::size_t first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;  // the trailing comma of "(3,)"
    const std::string digits = item.substr(first, item.find_last_not_of(' ') - first + 1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 12) {
      reject(path, "shape", "a tuple of non-negative integers", text);
    }
    shape.push_back(std::stoull(digits));
  }
  return shape;
}

struct ElementType {
  char kind;  // 'f', 'i', 'u'
  std::size_t size;
  bool big_endian;
};

ElementType parse_descr(const std::string& path, const std::string& text) {
  static const char* kAllowed =
      "'<f4', '>f4', '<f8', '>f8', '|i1', '|u1', '<i2', '>i2', '<u2', '>u2', '<i4' or '>i4'";
  const std::string descr = text.size() >= 2 ? text.substr(1, text.size() - 2) : "";
  if (descr.size() != 3 || text.front() != '\'' || text.back() != '\'') {
    reject(path, "descr", kAllowed, text);
  }
  const ElementType type{descr[1], static_cast<std::size_t>(descr[2] - '0'), descr[0] == '>'};
  const bool ok = (type.kind == 'f' && (type.size == 4 || type.size == 8) && descr[0] != '|') ||
                  ((type.kind == 'i' || type.kind == 'u') && type.size == 1 &&
                   (descr[0] == '|' || descr[0] == '<' || descr[0] == '>')) ||
                  ((type.kind == 'i' || type.kind == 'u') && type.size == 2 && descr[0] != '|') ||
                  (type.kind == 'i' && type.size == 4 && descr[0] != '|');
  if (!ok || (descr[0] != '<' && descr[0] != '>' && descr[0] != '|')) {
    reject(path, "descr", kAllowed, text);
  }
  return type;
}

std::uint64_t load_unsigned(const unsigned char* bytes, std::size_t size, bool big_endian) {
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < size; ++k) {
    v |= static_cast<std::uint64_t>(bytes[big_endian ? size - 1 - k : k]) << (8 * k);
  }
  return v;
}

float element(const unsigned char* bytes, const ElementType& type) {
  const std::uint64_t bits = load_unsigned(bytes, type.size, type.big_endian);
  if (type.kind == 'f' && type.size == 4) {
    float v;
    const auto b = static_cast<std::uint32_t>(bits);
    std::memcpy(&v, &b, 4);
    return v;
  }
  if (type.kind == 'f') {
    double v;
    std::memcpy(&v, &bits, 8);
    if (std::isnan(v)) return std::nanf("");
    if (std::isinf(v)) return v > 0 ? INFINITY : -INFINITY;
    return ref::round_to_binary32(ref::exact(v));  // nearest, ties to even
  }
  if (type.kind == 'u') return static_cast<float>(bits);  // uint8, uint16: exact
  if (type.size == 1) return static_cast<float>(static_cast<std::int8_t>(bits));
  if (type.size == 2) return static_cast<float>(static_cast<std::int16_t>(bits));  // exact
  return ref::round_to_binary32(ref::Rational(static_cast<std::int32_t>(bits)));
}

bool parse_bool(const std::string& path, const std::string& text) {
  if (text == "True") return true;
  if (text == "False") return false;
  reject(path, "fortran_order", "True or False", text);
}

}  // namespace

Tensor read_npy(const std::string& path) {
  const std::string bytes = read_all(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    reject(path, "magic", "a .npy file (\\x93NUMPY)", "other bytes");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    reject(path, "version", "1.0, 2.0 or 3.0", std::to_string(major) + "." + std::to_string(minor));
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) reject(path, "header", "complete", "truncated");
  const std::size_t header_length = load_unsigned(
      reinterpret_cast<const unsigned char*>(bytes.data() + 8), length_bytes, false);
  const std::size_t data_start = 8 + length_bytes + header_length;
  if (bytes.size() < data_start) reject(path, "header", "complete", "truncated");
  const std::string header = bytes.substr(8 + length_bytes, header_length);
  const ElementType type = parse_descr(path, header_value(path, header, "descr"));
  const bool fortran = parse_bool(path, header_value(path, header, "fortran_order"));
  Tensor tensor;
  tensor.shape = parse_shape(path, header_value(path, header, "shape"));
  std::size_t count = 1;
  for (std::size_t d : tensor.shape) {
    if (d != 0 && count > (std::size_t{1} << 40) / d) reject(path, "shape", "at most 2^40 elements", "more");
    count *= d;
  }
  if (bytes.size() - data_start != count * type.size) {
    reject(path, "data", std::to_string(count * type.size) + " bytes after the header",
           std::to_string(bytes.size() - data_start));
  }
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data() + data_start);
  tensor.values.resize(count);
  // Fortran order: the first index varies fastest in the file. Walk the C-order index and
  // compute its Fortran offset.
  std::vector<std::size_t> index(tensor.shape.size(), 0);
  for (std::size_t c = 0; c < count; ++c) {
    std::size_t offset = c;
    if (fortran) {
      offset = 0;
      std::size_t stride = 1;
      for (std::size_t d = 0; d < index.size(); ++d) {
        offset += index[d] * stride;
        stride *= tensor.shape[d];
      }
      for (std::size_t d = index.size(); d-- > 0;) {
        if (++index[d] < tensor.shape[d]) break;
        index[d] = 0;
      }
    }
    tensor.values[c] = element(data + offset * type.size, type);
  }
  return tensor;
}

Tensor read_csv(const std::string& path) {
  std::istringstream lines(read_all(path));
  Tensor tensor;
  std::string line;
  std::size_t rows = 0, columns = 0;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::size_t row_columns = 0;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) {
      const std::size_t a = cell.find_first_not_of(" \t");
      const std::size_t b = cell.find_last_not_of(" \t");
      const std::string text = a == std::string::npos ? "" : cell.substr(a, b - a + 1);
      tensor.values.push_back(ref::parse_binary32(
          text, path + ": row " + std::to_string(rows + 1) + " column " +
                    std::to_string(row_columns + 1)));
      ++row_columns;
    }
    if (rows > 0 && row_columns != columns) {
      reject(path, "row " + std::to_string(rows + 1), std::to_string(columns) + " values",
             std::to_string(row_columns));
    }
    columns = row_columns;
    ++rows;
  }
  tensor.shape = rows == 1 ? std::vector<std::size_t>{columns}
                           : std::vector<std::size_t>{rows, columns};
  if (rows == 0) tensor.shape = {0};
  return tensor;
}

Tensor read_tensor(const std::string& path) {
  auto ends_with = [&](const char* suffix) {
    const std::size_t n = std::strlen(suffix);
    return path.size() >= n && path.compare(path.size() - n, n, suffix) == 0;
  };
  if (ends_with(".npy")) return read_npy(path);
  if (ends_with(".csv")) return read_csv(path);
  reject(path, "file", "a .npy or .csv file", "another extension");
}

const char* npy_descr(NpyElement element) {
  switch (element) {
    case NpyElement::float32: return "<f4";
    case NpyElement::int8: return "|i1";
    case NpyElement::uint8: return "|u1";
    case NpyElement::int16: return "<i2";
    case NpyElement::uint16: return "<u2";
    case NpyElement::int32: return "<i4";
  }
  return "?";
}

// .npy version 1.0 as numpy 1.24 writes it: the dict, spaces, '\n', the whole header a
// multiple of 64 bytes; little-endian elements in C order.
void write_npy(const std::string& path, const std::vector<std::size_t>& shape,
               const std::vector<double>& values, NpyElement element) {
  std::size_t count = 1;
  for (std::size_t d : shape) count *= d;
  if (count != values.size()) {
    reject(path, "shape", std::to_string(values.size()) + " elements", std::to_string(count));
  }
  std::string shape_text = "(";
  for (std::size_t d : shape) shape_text += std::to_string(d) + ", ";
  if (shape.size() == 1) shape_text.pop_back();  // "(3,)"
  else if (shape.size() > 1) shape_text.resize(shape_text.size() - 2);
  shape_text += ")";
  std::string header = std::string("{'descr': '") + npy_descr(element) +
                       "', 'fortran_order': False, 'shape': " + shape_text + ", }";
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) reject(path, "shape", "a header below 64 KiB", shape_text);
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    std::uint64_t bits = 0;
    std::size_t size = 0;
    bool representable = false;
    switch (element) {
      case NpyElement::float32: {
        const float f = static_cast<float>(v);
        representable = static_cast<double>(f) == v || std::isnan(v);
        std::uint32_t b;
        std::memcpy(&b, &f, 4);
        bits = b;
        size = 4;
        break;
      }
      case NpyElement::int8: representable = v >= -128 && v <= 127; size = 1; break;
      case NpyElement::uint8: representable = v >= 0 && v <= 255; size = 1; break;
      case NpyElement::int16: representable = v >= -32768 && v <= 32767; size = 2; break;
      case NpyElement::uint16: representable = v >= 0 && v <= 65535; size = 2; break;
      case NpyElement::int32: representable = v >= -2147483648.0 && v <= 2147483647.0; size = 4; break;
    }
    if (element != NpyElement::float32) {
      representable = representable && v == std::floor(v);
      if (representable) bits = static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
    }
    if (!representable) {
      reject(path, "data[" + std::to_string(i) + "]",
             std::string("a value of ") + npy_descr(element), ref::hex_float(v));
    }
    for (std::size_t k = 0; k < size; ++k) bytes += static_cast<char>((bits >> (8 * k)) & 0xff);
  }
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) reject(path, "file", "a writable file", "cannot write");
}

}  // namespace quantspec::cli
