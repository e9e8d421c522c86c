// Tests of ExternalTape (ad/tape_external.hpp), the tape extension the
// differentiable operations record through: user-defined operations with a
// custom adjoint, mixed with elementary operations before and after them,
// chained, with constant operands; gradients against central finite
// differences (step 1e-6, tolerance 1e-7 relative) and against the same
// function taped elementwise on a plain Tape.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sparsediff/ad/tape_external.hpp"
#include "tests/ops/random_sparse.hpp"

namespace sparsediff {
namespace {

using test::fd_gradient;
using test::relative_error;

/// y = (u0 u1, u0 + u1^2) as an external operation when an external tape
/// records, else elementwise.
template <class T>
std::vector<T> block(const T& u0, const T& u1) {
  if constexpr (std::is_same_v<T, Reverse<double>>) {
    if (ExternalTape<>* tape = active_external_tape<double>()) {
      const double a = u0.value(), b = u1.value();
      return tape->record_external(
          {u0, u1}, {a * b, a + b * b},
          [a, b](const double* ybar, double* ubar) {
            ubar[0] = ybar[0] * b + ybar[1];
            ubar[1] = ybar[0] * a + ybar[1] * 2 * b;
          },
          "block");
    }
  }
  return {u0 * u1, u0 + u1 * u1};
}

/// Elementary operations, two chained external blocks, a constant operand.
struct Composite {
  template <class T>
  T operator()(const T* x) const {
    using std::exp;
    using std::sin;
    const T s = sin(x[0]) + x[2];
    const auto y = block(s, x[1] * x[1]);
    const auto z = block(y[0] + x[3], T(0.5));  // the second operand is a constant
    const auto w = block(exp(y[1] * 0.1), z[0]);
    return w[0] * z[1] + y[0];
  }
};

TEST(ExternalTape, GradientThroughChainedExternalOperationsMatchesFiniteDifferences) {
  const std::vector<double> x = {0.3, -0.7, 1.1, 0.4};
  const auto fd =
      fd_gradient([](const std::vector<double>& p) { return Composite{}(p.data()); }, x);
  ExternalTape<> tape;
  const double f = tape.record(Composite{}, x);
  EXPECT_NEAR(f, Composite{}(x.data()), 1e-14);
  EXPECT_EQ(tape.num_external(), 3u);
  EXPECT_EQ(tape.num_inputs(), 4);  // external results are not inputs
  EXPECT_EQ(tape.tape().num_inputs(), 4 + 3 * 2);
  std::vector<double> g;
  tape.gradient(g);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_LE(relative_error(g, fd), 1e-7);
  // The same function taped elementwise agrees to rounding.
  EXPECT_LE(relative_error(g, gradient(Composite{}, x)), 1e-14);
  // A second sweep gives the same result (adjoints are reset).
  std::vector<double> again;
  tape.gradient(again);
  EXPECT_EQ(again, g);
}

struct TwoOutputs {
  template <class T>
  void operator()(const T* x, T* y) const {
    const auto b = block(x[0], x[1]);
    y[0] = b[0] * 2.0;
    y[1] = b[1] + x[0];
  }
};

TEST(ExternalTape, VectorJacobianProductsOfSeveralOutputs) {
  const std::vector<double> x = {1.5, -0.5}, w = {0.7, -1.3};
  ExternalTape<> tape;
  std::vector<double> y, result;
  tape.record(TwoOutputs{}, 2, x, y);
  tape.reverse(w, result);
  // J = [[2 x1, 2 x0], [1 + 1, 2 x1]].
  EXPECT_NEAR(result[0], w[0] * 2 * x[1] + w[1] * 2, 1e-15);
  EXPECT_NEAR(result[1], w[0] * 2 * x[0] + w[1] * 2 * x[1], 1e-15);
  EXPECT_THROW(tape.gradient(result), InvalidArgument);
  EXPECT_THROW(tape.reverse({1.0}, result), DimensionMismatch);
}

TEST(ExternalTape, RecordingRulesAreEnforced) {
  ExternalTape<> tape;
  EXPECT_THROW(tape.new_input(1.0), Error);  // not recording
  std::vector<double> g;
  EXPECT_THROW(tape.gradient(g), Error);  // nothing recorded
  {
    ExternalRecording<> recording(tape);
    const auto a = tape.new_input(2.0);
    EXPECT_EQ(active_external_tape<double>(), &tape);
    {
      // A plain recording nested inside: external operations are not offered.
      Tape<> inner;
      Recording<> nested(inner);
      EXPECT_EQ(active_external_tape<double>(), nullptr);
    }
    EXPECT_THROW(tape.record_external({a}, {std::nan("")}, [](const double*, double*) {}),
                 InvalidArgument);
    const auto y = tape.record_external({a}, {4.0}, [](const double* yb, double* ub) {
      ub[0] = 4.0 * yb[0];  // d(a^2)/da at a = 2
    });
    tape.add_output(y[0] * 3.0);
  }
  EXPECT_EQ(active_external_tape<double>(), nullptr);
  tape.gradient(g);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_DOUBLE_EQ(g[0], 12.0);
  // A zero cotangent does not call the rule.
  int calls = 0;
  {
    ExternalRecording<> recording(tape);
    const auto a = tape.new_input(1.0);
    const auto y = tape.record_external({a}, {1.0}, [&calls](const double*, double* ub) {
      ++calls;
      ub[0] = 1.0;
    });
    tape.add_output(a * 2.0 + y[0] * 0.0);
  }
  tape.gradient(g);
  EXPECT_EQ(calls, 0);
  EXPECT_DOUBLE_EQ(g[0], 2.0);
  EXPECT_GT(tape.memory_bytes(), 0u);
}

}  // namespace
}  // namespace sparsediff
