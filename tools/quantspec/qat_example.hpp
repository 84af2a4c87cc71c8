// `quantspec explain qat`: the study note's claim that quantization-aware training handles a
// non-linear layer best, shown on a tiny deterministic example. A 2-16-3 MLP with tanh is
// trained three ways on a synthetic three-spiral data set made here (fixed seeds, no download):
// float; post-training quantization (PTQ) of the float model; and QAT, fine-tuning the float
// model with fake quantization (Q15.2, straight-through estimator Q16.1) on the input, both
// weight matrices, before and after tanh and on the logits. All three are then run in the
// integer pipeline of the spec: quantize (Q2), int32 accumulation with a quantized bias (Q4,
// Q5), requantization (Q7.2 double_round, TFLite derivation Q6.3), tanh as a table (Q12.2
// exact), and the argmax of the quantized logits; the float model is also evaluated in float.
// Training runs in binary64 host arithmetic (it is the example's input, not a specified
// computation); every inference step of the quantized models is the reference's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quantspec::cli {

struct QatExampleOptions {
  int bits = 4;             // activation and weight grid: 4 (int4) or 8 (int8)
  int hidden = 16;          // hidden units
  int float_steps = 3000;   // full-batch gradient steps of the float model
  int qat_steps = 1500;     // fine-tuning steps with fake quantization
  std::uint64_t seed = 20261202;
};

// The scales of one quantized model (all symmetric, zero point 0).
struct QuantizedModelScales {
  float input = 0, weight1 = 0, hidden_pre = 0, hidden_post = 0, weight2 = 0, logits = 0;
};

struct QatExampleResult {
  int train_points = 0, test_points = 0;
  double float_accuracy = 0;        // float model, float inference
  double ptq_accuracy = 0;          // float model quantized after training, integer inference
  double qat_accuracy = 0;          // QAT model, integer inference
  QuantizedModelScales ptq_scales, qat_scales;
};

// Throws ParameterError naming "--bits" (not 4 or 8), "--hidden" (outside [2, 64]),
// "--float-steps" / "--qat-steps" (outside [1, 100000]).
QatExampleResult run_qat_example(const QatExampleOptions& options);

}  // namespace quantspec::cli

namespace CLI {
class App;
}

namespace quantspec::cli {
class Registry;
// Adds `explain qat` (explain_qat.cc).
void add_explain_qat(CLI::App* explain, Registry& registry);

}  // namespace quantspec::cli
