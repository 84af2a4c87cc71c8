// `quantspec explain qat` (see qat_example.hpp): data, training (host binary64) and the integer
// pipeline of the spec (reference functions) for the float, PTQ and QAT models.
#include "qat_example.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "quantspec/reference/bias.hpp"
#include "quantspec/reference/errors.hpp"
#include "quantspec/reference/nonlinear.hpp"
#include "quantspec/reference/quantize.hpp"
#include "quantspec/reference/requantize.hpp"

namespace quantspec::cli {
namespace {

constexpr int kClasses = 3;
constexpr int kInputs = 2;

// splitmix64: portable, so the data and the initial weights are the same with every standard
// library (std:: distributions are not).
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }  // [0, 1)
};

struct Sample {
  float x[kInputs];
  int label;
};

// Three interleaved spirals in the unit disc: not linearly separable, so the tanh layer does
// the work.
std::vector<Sample> three_spirals(int per_class, SplitMix64& rng) {
  constexpr double kPi = 3.14159265358979323846;
  std::vector<Sample> out;
  for (int c = 0; c < kClasses; ++c) {
    for (int i = 0; i < per_class; ++i) {
      const double radius = 0.15 + 0.85 * rng.uniform();
      const double noise = (rng.uniform() + rng.uniform() - 1.0) * 0.3;
      const double angle = c * 2.0 * kPi / kClasses + 6.0 * radius + noise;
      out.push_back({{static_cast<float>(radius * std::cos(angle)),
                      static_cast<float>(radius * std::sin(angle))},
                     c});
    }
  }
  return out;
}

struct Mlp {
  int hidden = 0;
  std::vector<double> w1, b1, w2, b2;  // w1[j][i] row-major (hidden x inputs), w2 (classes x hidden)
};

// Fake quantization (Q15.2) on a symmetric grid [lo, hi] * S, half-even rounding; `passes` is
// the straight-through mask (Q16.1).
double fake_quant(double v, double scale, double lo, double hi, bool* passes) {
  const double q = std::nearbyint(v / scale);
  *passes = q >= lo && q <= hi;
  return std::clamp(q, lo, hi) * scale;
}

struct Grid {
  double act_lo, act_hi;  // activations: the dtype's grid, e.g. int4 [-8, 7]
  double weight_hi;       // weights: narrow range [-hi, hi]
};

Grid grid_of(int bits) {
  const double hi = std::ldexp(1.0, bits - 1) - 1;
  return {-hi - 1, hi, hi};
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// What a QAT forward pass uses: fake quantization at five places, with these scales.
struct FakeQuantState {
  bool enabled = false;
  Grid grid{};
  double input = 1, hidden_pre = 1, hidden_post = 1, logits = 1;
};

// One full-batch gradient step (softmax cross-entropy, momentum SGD). Returns the batch maxima
// of |z1| and |z2| (for the QAT scales' moving averages).
std::pair<double, double> train_step(Mlp& m, std::vector<double>& velocity,
                                     const std::vector<Sample>& data, const FakeQuantState& fq,
                                     double rate) {
  const int h = m.hidden;
  std::vector<double> grad(velocity.size(), 0.0);
  double* g_w1 = grad.data();
  double* g_b1 = g_w1 + m.w1.size();
  double* g_w2 = g_b1 + m.b1.size();
  double* g_b2 = g_w2 + m.w2.size();
  // Weights as the forward pass sees them (fake-quantized per tensor for QAT) and their masks.
  std::vector<double> w1 = m.w1, w2 = m.w2;
  std::vector<bool> w1_pass(w1.size(), true), w2_pass(w2.size(), true);
  if (fq.enabled) {
    const double s1 = max_abs(m.w1) / fq.grid.weight_hi, s2 = max_abs(m.w2) / fq.grid.weight_hi;
    for (std::size_t i = 0; i < w1.size(); ++i) {
      bool p = true;
      w1[i] = fake_quant(m.w1[i], s1, -fq.grid.weight_hi, fq.grid.weight_hi, &p);
      w1_pass[i] = p;
    }
    for (std::size_t i = 0; i < w2.size(); ++i) {
      bool p = true;
      w2[i] = fake_quant(m.w2[i], s2, -fq.grid.weight_hi, fq.grid.weight_hi, &p);
      w2_pass[i] = p;
    }
  }
  double max_z1 = 0, max_z2 = 0;
  std::vector<double> z1(h), a1(h), hid(h), pre_pass(h), post_pass(h), dh(h);
  for (const Sample& s : data) {
    double x[kInputs];
    for (int i = 0; i < kInputs; ++i) {
      bool p = true;
      x[i] = fq.enabled ? fake_quant(s.x[i], fq.input, fq.grid.act_lo, fq.grid.act_hi, &p) : s.x[i];
    }
    for (int j = 0; j < h; ++j) {
      double z = m.b1[j];
      for (int i = 0; i < kInputs; ++i) z += w1[j * kInputs + i] * x[i];
      z1[j] = z;
      max_z1 = std::max(max_z1, std::fabs(z));
      bool p = true;
      a1[j] = fq.enabled ? fake_quant(z, fq.hidden_pre, fq.grid.act_lo, fq.grid.act_hi, &p) : z;
      pre_pass[j] = p;
      const double t = std::tanh(a1[j]);
      hid[j] = fq.enabled ? fake_quant(t, fq.hidden_post, fq.grid.act_lo, fq.grid.act_hi, &p) : t;
      post_pass[j] = p;
    }
    double logits[kClasses], passes[kClasses];
    double top = -INFINITY;
    for (int k = 0; k < kClasses; ++k) {
      double z = m.b2[k];
      for (int j = 0; j < h; ++j) z += w2[k * h + j] * hid[j];
      max_z2 = std::max(max_z2, std::fabs(z));
      bool p = true;
      logits[k] = fq.enabled ? fake_quant(z, fq.logits, fq.grid.act_lo, fq.grid.act_hi, &p) : z;
      passes[k] = p;
      top = std::max(top, logits[k]);
    }
    double sum = 0, prob[kClasses];
    for (int k = 0; k < kClasses; ++k) sum += (prob[k] = std::exp(logits[k] - top));
    std::fill(dh.begin(), dh.end(), 0.0);
    for (int k = 0; k < kClasses; ++k) {
      const double dz = (prob[k] / sum - (k == s.label ? 1.0 : 0.0)) * passes[k];
      g_b2[k] += dz;
      for (int j = 0; j < h; ++j) {
        g_w2[k * h + j] += dz * hid[j] * (w2_pass[k * h + j] ? 1.0 : 0.0);
        dh[j] += dz * w2[k * h + j];
      }
    }
    for (int j = 0; j < h; ++j) {
      const double t = std::tanh(a1[j]);
      const double dz = dh[j] * post_pass[j] * (1.0 - t * t) * pre_pass[j];
      g_b1[j] += dz;
      for (int i = 0; i < kInputs; ++i) {
        g_w1[j * kInputs + i] += dz * x[i] * (w1_pass[j * kInputs + i] ? 1.0 : 0.0);
      }
    }
  }
  const double n = static_cast<double>(data.size());
  std::vector<double*> params = {m.w1.data(), m.b1.data(), m.w2.data(), m.b2.data()};
  const std::size_t sizes[] = {m.w1.size(), m.b1.size(), m.w2.size(), m.b2.size()};
  std::size_t offset = 0;
  for (int p = 0; p < 4; ++p) {
    for (std::size_t i = 0; i < sizes[p]; ++i, ++offset) {
      velocity[offset] = 0.9 * velocity[offset] - rate * grad[offset] / n;
      params[p][i] += velocity[offset];
    }
  }
  return {max_z1, max_z2};
}

int argmax(const double* v) {
  int best = 0;
  for (int k = 1; k < kClasses; ++k) {
    if (v[k] > v[best]) best = k;
  }
  return best;
}

double float_accuracy(const Mlp& m, const std::vector<Sample>& data) {
  int right = 0;
  for (const Sample& s : data) {
    std::vector<double> hid(m.hidden);
    for (int j = 0; j < m.hidden; ++j) {
      double z = m.b1[j];
      for (int i = 0; i < kInputs; ++i) z += m.w1[j * kInputs + i] * s.x[i];
      hid[j] = std::tanh(z);
    }
    double logits[kClasses];
    for (int k = 0; k < kClasses; ++k) {
      double z = m.b2[k];
      for (int j = 0; j < m.hidden; ++j) z += m.w2[k * m.hidden + j] * hid[j];
      logits[k] = z;
    }
    right += argmax(logits) == s.label;
  }
  return static_cast<double>(right) / static_cast<double>(data.size());
}

// The integer pipeline of the spec for one model and its scales.
double integer_accuracy(const Mlp& m, const QuantizedModelScales& s, int bits,
                        const std::vector<Sample>& data) {
  const ref::DType type = bits == 8 ? ref::DType::int8 : ref::DType::int4;
  const ref::QuantizeParams input = ref::QuantizeParams::for_dtype(type, s.input, 0);
  const std::int32_t lo = static_cast<std::int32_t>(input.qmin), hi = static_cast<std::int32_t>(input.qmax);
  const ref::QuantizeParams weight1 = ref::QuantizeParams::for_dtype(type, s.weight1, 0, true);
  const ref::QuantizeParams weight2 = ref::QuantizeParams::for_dtype(type, s.weight2, 0, true);
  const int h = m.hidden;
  std::vector<std::int32_t> w1q(m.w1.size()), w2q(m.w2.size()), b1q(h), b2q(kClasses);
  for (std::size_t i = 0; i < m.w1.size(); ++i) {
    w1q[i] = ref::quantize(static_cast<float>(m.w1[i]), weight1).convert_to<std::int32_t>();
  }
  for (std::size_t i = 0; i < m.w2.size(); ++i) {
    w2q[i] = ref::quantize(static_cast<float>(m.w2[i]), weight2).convert_to<std::int32_t>();
  }
  for (int j = 0; j < h; ++j) b1q[j] = ref::quantize_bias(static_cast<float>(m.b1[j]), s.input, s.weight1).stored;
  for (int k = 0; k < kClasses; ++k) {
    b2q[k] = ref::quantize_bias(static_cast<float>(m.b2[k]), s.hidden_post, s.weight2).stored;
  }
  const ref::RequantizeParams to_hidden = ref::requantize_params_from_scales(
      ref::RequantVariant::double_round, s.input, s.weight1, s.hidden_pre, 0, lo, hi,
      ref::Derivation::tflite);
  const ref::RequantizeParams to_logits = ref::requantize_params_from_scales(
      ref::RequantVariant::double_round, s.hidden_post, s.weight2, s.logits, 0, lo, hi,
      ref::Derivation::tflite);
  // Q12.2: tanh as a table on the hidden grid (built on the int8 grid, which contains int4's;
  // clamping an int8 entry to the int4 grid gives the int4 definition).
  ref::LutParams lut;
  lut.input_scale = s.hidden_pre;
  lut.output_scale = s.hidden_post;
  const auto table = ref::build_lut(ref::NonlinearFunction::tanh, lut, ref::LutVariant::exact);
  int right = 0;
  std::vector<std::int32_t> hid(h);
  for (const Sample& sample : data) {
    std::int32_t xq[kInputs];
    for (int i = 0; i < kInputs; ++i) xq[i] = ref::quantize(sample.x[i], input).convert_to<std::int32_t>();
    for (int j = 0; j < h; ++j) {
      std::int32_t acc = b1q[j];
      for (int i = 0; i < kInputs; ++i) acc += xq[i] * w1q[j * kInputs + i];
      const std::int32_t pre = ref::requantize_fast(acc, to_hidden);
      hid[j] = std::clamp(table[static_cast<std::uint8_t>(pre)], lo, hi);
    }
    double logits[kClasses];
    for (int k = 0; k < kClasses; ++k) {
      std::int32_t acc = b2q[k];
      for (int j = 0; j < h; ++j) acc += hid[j] * w2q[k * h + j];
      logits[k] = ref::requantize_fast(acc, to_logits);
    }
    right += argmax(logits) == sample.label;
  }
  return static_cast<double>(right) / static_cast<double>(data.size());
}

}  // namespace

QatExampleResult run_qat_example(const QatExampleOptions& o) {
  if (o.bits != 4 && o.bits != 8) throw ref::ParameterError("--bits", "4 or 8", std::to_string(o.bits));
  if (o.hidden < 2 || o.hidden > 64) {
    throw ref::ParameterError("--hidden", "in [2, 64]", std::to_string(o.hidden));
  }
  if (o.float_steps < 1 || o.float_steps > 100000) {
    throw ref::ParameterError("--float-steps", "in [1, 100000]", std::to_string(o.float_steps));
  }
  if (o.qat_steps < 1 || o.qat_steps > 100000) {
    throw ref::ParameterError("--qat-steps", "in [1, 100000]", std::to_string(o.qat_steps));
  }
  SplitMix64 rng{o.seed};
  const std::vector<Sample> train = three_spirals(150, rng);
  const std::vector<Sample> test = three_spirals(150, rng);
  Mlp m;
  m.hidden = o.hidden;
  m.w1.resize(o.hidden * kInputs);
  m.b1.resize(o.hidden);
  m.w2.resize(kClasses * o.hidden);
  m.b2.resize(kClasses);
  for (double& w : m.w1) w = (rng.uniform() * 2 - 1) * 2.0;
  for (double& b : m.b1) b = (rng.uniform() * 2 - 1) * 0.5;
  for (double& w : m.w2) w = (rng.uniform() * 2 - 1) * 0.5;
  std::vector<double> velocity(m.w1.size() + m.b1.size() + m.w2.size() + m.b2.size(), 0.0);
  FakeQuantState off;
  for (int step = 0; step < o.float_steps; ++step) train_step(m, velocity, train, off, 0.5);

  QatExampleResult r;
  r.train_points = static_cast<int>(train.size());
  r.test_points = static_cast<int>(test.size());
  r.float_accuracy = float_accuracy(m, test);
  const Grid grid = grid_of(o.bits);
  // PTQ: min/max calibration (Q18) of the float model on the training set.
  auto calibrate = [&](const Mlp& model, double* z1_max, double* z2_max) {
    FakeQuantState none;
    std::vector<double> v(velocity.size(), 0.0);
    Mlp copy = model;
    const auto maxima = train_step(copy, v, train, none, 0.0);
    *z1_max = maxima.first;
    *z2_max = maxima.second;
  };
  double z1_max = 0, z2_max = 0;
  calibrate(m, &z1_max, &z2_max);
  double x_max = 0;
  for (const Sample& s : train) x_max = std::max({x_max, std::fabs(double(s.x[0])), std::fabs(double(s.x[1]))});
  auto scales_of = [&](const Mlp& model, double pre_max, double logits_max) {
    QuantizedModelScales s;
    s.input = static_cast<float>(x_max / grid.act_hi);
    s.weight1 = static_cast<float>(max_abs(model.w1) / grid.weight_hi);
    s.hidden_pre = static_cast<float>(pre_max / grid.act_hi);
    s.hidden_post = static_cast<float>(1.0 / grid.act_hi);
    s.weight2 = static_cast<float>(max_abs(model.w2) / grid.weight_hi);
    s.logits = static_cast<float>(logits_max / grid.act_hi);
    return s;
  };
  r.ptq_scales = scales_of(m, z1_max, z2_max);
  r.ptq_accuracy = integer_accuracy(m, r.ptq_scales, o.bits, test);

  // QAT: fine-tune the float model with fake quantization; activation scales follow moving
  // averages of the batch maxima (PyTorch's MovingAverageMinMaxObserver idea, constant 0.9).
  Mlp q = m;
  std::vector<double> qv(velocity.size(), 0.0);
  FakeQuantState fq;
  fq.enabled = true;
  fq.grid = grid;
  fq.input = r.ptq_scales.input;
  fq.hidden_post = r.ptq_scales.hidden_post;
  double pre_avg = z1_max, logits_avg = z2_max;
  for (int step = 0; step < o.qat_steps; ++step) {
    fq.hidden_pre = pre_avg / grid.act_hi;
    fq.logits = logits_avg / grid.act_hi;
    const auto maxima = train_step(q, qv, train, fq, 0.1);
    pre_avg = 0.9 * pre_avg + 0.1 * maxima.first;
    logits_avg = 0.9 * logits_avg + 0.1 * maxima.second;
  }
  r.qat_scales = scales_of(q, pre_avg, logits_avg);
  r.qat_accuracy = integer_accuracy(q, r.qat_scales, o.bits, test);
  return r;
}

}  // namespace quantspec::cli
