#!/usr/bin/python3
"""Reads the ONNX backend node test data of the quantization operators (Debian
libonnx-testdata, /usr/share/libonnx-testdata/data/node) with the real protobuf library
(python3-onnx: onnx.load, onnx.load_tensor, numpy_helper.to_array) and writes them as JSON:

  onnx_node_cases.py OUT.json [DATA_DIR]

Each case: the node's operator and attributes, every input and expected output (dtype, shape,
flat data; floats as hex-float strings, exact) and the model path. The checked-in copy
tools/interop/onnx_node_cases.json is what the CTest test interop.onnx_node_data runs our
reference on (onnx_node_check.cc); `make interop` re-extracts it and fails if it differs.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

DATA_DIR = "/usr/share/libonnx-testdata/data/node"
CASES = ["test_quantizelinear", "test_quantizelinear_axis", "test_dequantizelinear", "test_dequantizelinear_axis",
         "test_dynamicquantizelinear", "test_dynamicquantizelinear_max_adjusted",
         "test_dynamicquantizelinear_min_adjusted", "test_matmulinteger", "test_qlinearmatmul_2D",
         "test_qlinearmatmul_3D", "test_basic_convinteger", "test_convinteger_with_padding",
         "test_convinteger_without_padding", "test_qlinearconv"]


def tensor_json(array):
    data = array.reshape(-1).tolist()
    if array.dtype == np.float32:
        data = [float(v).hex() for v in data]
    return {"dtype": str(array.dtype), "shape": list(array.shape), "data": data}


def attribute_json(attr):
    value = onnx.helper.get_attribute_value(attr)
    if isinstance(value, bytes):
        value = value.decode()
    return list(value) if isinstance(value, (list, tuple)) else value


def extract(data_dir):
    cases = []
    for name in CASES:
        folder = os.path.join(data_dir, name)
        model_path = os.path.join(folder, "model.onnx")
        model = onnx.load(model_path)
        node = model.graph.node[0]
        test_dir = os.path.join(folder, "test_data_set_0")
        inputs, outputs = [], []
        for i in range(len(model.graph.input)):
            inputs.append(tensor_json(numpy_helper.to_array(onnx.load_tensor(os.path.join(test_dir, "input_%d.pb" % i)))))
        for i in range(len(model.graph.output)):
            outputs.append(tensor_json(numpy_helper.to_array(onnx.load_tensor(os.path.join(test_dir, "output_%d.pb" % i)))))
        cases.append({"name": name, "op": node.op_type, "opset": model.opset_import[0].version,
                      "attributes": {a.name: attribute_json(a) for a in node.attribute},
                      "input_names": list(node.input), "inputs": inputs, "outputs": outputs,
                      "model_path": model_path})
    return {"source": "Debian libonnx-testdata (ONNX %s backend node tests), read with python3-onnx %s" %
                      (onnx.__version__, onnx.__version__), "cases": cases}


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 and argv[1] in ("-h", "--help") else 2
    doc = extract(argv[2] if len(argv) == 3 else DATA_DIR)
    with open(argv[1], "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
