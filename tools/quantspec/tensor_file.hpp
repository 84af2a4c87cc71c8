// Tensors from and to files for the calibration commands (SPEC.md §Q18): NumPy .npy (format
// versions 1.0, 2.0, 3.0) and CSV. Debian 12 packages no C++ .npy library (apt-cache search
// npy / cnpy: none), so the small reader is here. Every value becomes a binary32 (float64 and
// int32 elements rounded to nearest, ties to even); anything unsupported is a ParameterError
// naming the file and the header field.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace quantspec::cli {

struct Tensor {
  std::vector<std::size_t> shape;  // row-major (C order) after reading
  std::vector<float> values;
};

// .npy: dtype '<f4' '>f4' '<f8' '>f8' '|i1' '|u1' '<i2' '>i2' '<u2' '>u2' '<i4' '>i4'; C or
// Fortran order (Fortran
// data is transposed to C order).
Tensor read_npy(const std::string& path);
// CSV: one row per line, values separated by commas; all rows the same length. Shape
// [rows, columns], or [n] for a single line.
Tensor read_csv(const std::string& path);
// By extension: .npy or .csv.
Tensor read_tensor(const std::string& path);

// .npy writing (version 1.0, C order, little-endian), read back by read_npy and numpy.
enum class NpyElement { float32, int8, uint8, int16, uint16, int32 };
const char* npy_descr(NpyElement element);
// Every value must be exactly representable in `element` (a binary32, or an integer in its
// range), else ParameterError naming "<path>: data[i]"; the product of `shape` must be
// values.size() (else "<path>: shape").
void write_npy(const std::string& path, const std::vector<std::size_t>& shape,
               const std::vector<double>& values, NpyElement element);

}  // namespace quantspec::cli
