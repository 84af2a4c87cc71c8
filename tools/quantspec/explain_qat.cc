// `quantspec explain qat`: runs the QAT example of qat_example.hpp and prints the three
// accuracies and the scales of the two quantized models.
#include <iostream>

#include "command.hpp"
#include "qat_example.hpp"

namespace quantspec::cli {
namespace {

nlohmann::json scales_json(const QuantizedModelScales& s) {
  return {{"input", ref::hex_float(s.input)},        {"weight1", ref::hex_float(s.weight1)},
          {"hidden_pre", ref::hex_float(s.hidden_pre)}, {"hidden_post", ref::hex_float(s.hidden_post)},
          {"weight2", ref::hex_float(s.weight2)},    {"logits", ref::hex_float(s.logits)}};
}

std::string percent(double fraction) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * fraction);
  return text;
}

}  // namespace

void add_explain_qat(CLI::App* explain, Registry& registry) {
  struct Options {
    std::string bits = "4", hidden = "16", float_steps = "3000", qat_steps = "1500",
                seed = "20261202";
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = explain->add_subcommand(
      "qat",
      "The study note's claim that quantization-aware training handles a non-linear layer\n"
      "best, on a tiny deterministic example: a 2-H-3 MLP with tanh on three synthetic spirals\n"
      "(450 training and 450 test points made here), trained in float, then (a) quantized after\n"
      "training (PTQ, min/max calibration) and (b) fine-tuned with fake quantization before and\n"
      "after tanh, on the input, weights and logits (QAT, STE). Both run in the integer pipeline\n"
      "of the spec (Q2 quantize, Q4/Q5 int32 accumulation, Q7.2 double_round requantization,\n"
      "Q12.2 tanh table); prints the test accuracy of each and of the float model.\n"
      "Output: {\"float_accuracy\", \"ptq_accuracy\", \"qat_accuracy\", scales, ...}");
  cmd->add_option("--bits", o->bits, "grid of weights and activations: 4 (int4, default) or 8");
  cmd->add_option("--hidden", o->hidden, "hidden units, in [2, 64] (default 16)");
  cmd->add_option("--float-steps", o->float_steps, "float training steps (default 3000)");
  cmd->add_option("--qat-steps", o->qat_steps, "QAT fine-tuning steps (default 1500)");
  cmd->add_option("--seed", o->seed, "data and initialisation seed (default 20261202)");
  add_json_flag(cmd, &o->json);
  registry.add(cmd, [o](std::ostream& out) {
    QatExampleOptions options;
    options.bits = static_cast<int>(bounded_integer_option(o->bits, "--bits", 1, 64));
    options.hidden = static_cast<int>(bounded_integer_option(o->hidden, "--hidden", 0, 1000));
    options.float_steps =
        static_cast<int>(bounded_integer_option(o->float_steps, "--float-steps", 0, 1000000));
    options.qat_steps = static_cast<int>(bounded_integer_option(o->qat_steps, "--qat-steps", 0, 1000000));
    options.seed = static_cast<std::uint64_t>(
        bounded_integer_option(o->seed, "--seed", 0, INT64_MAX));
    const QatExampleResult r = run_qat_example(options);
    if (o->json) {
      out << nlohmann::json{{"bits", options.bits},
                            {"hidden", options.hidden},
                            {"train_points", r.train_points},
                            {"test_points", r.test_points},
                            {"float_accuracy", r.float_accuracy},
                            {"ptq_accuracy", r.ptq_accuracy},
                            {"qat_accuracy", r.qat_accuracy},
                            {"ptq_scales", scales_json(r.ptq_scales)},
                            {"qat_scales", scales_json(r.qat_scales)}}
                 .dump()
          << "\n";
    } else {
      out << "2-" << options.hidden << "-3 MLP with tanh, three spirals: " << r.train_points
          << " training, " << r.test_points << " test points; int" << options.bits
          << " weights and activations\n"
          << "float model, float inference:        " << percent(r.float_accuracy) << "\n"
          << "PTQ (float model quantized), integer: " << percent(r.ptq_accuracy) << "\n"
          << "QAT (fake-quant fine-tuned), integer: " << percent(r.qat_accuracy) << "\n"
          << "PTQ scales: input " << binary32_text(r.ptq_scales.input) << ", before tanh "
          << binary32_text(r.ptq_scales.hidden_pre) << ", logits "
          << binary32_text(r.ptq_scales.logits) << "\n"
          << "QAT scales: input " << binary32_text(r.qat_scales.input) << ", before tanh "
          << binary32_text(r.qat_scales.hidden_pre) << ", logits "
          << binary32_text(r.qat_scales.logits) << "\n";
    }
    return kExitOk;
  });
}

}  // namespace quantspec::cli
