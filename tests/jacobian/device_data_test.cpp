// SparseJacobian's overloads on Views in the execution space's memory space
// ("device data"), on every host space and on Kokkos::Device<Exec, HostSpace>.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "examples/common/pde_residuals.hpp"
#include "sparsediff/jacobian/sparse_jacobian.hpp"
#include "tests/common/execution_spaces.hpp"
#include "tests/common/expect_error.hpp"

namespace sparsediff {
namespace {

using problems::Bratu2d;
using problems::Brusselator2d;
using problems::NonlinearDiffusion3d;
using problems::WholeVector;

template <class Space>
class DeviceData : public ::testing::Test {};
TYPED_TEST_SUITE(DeviceData, test::DeviceDataSpaces);

std::vector<double> random_vector(Index n, unsigned seed, double lo = -1, double hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(static_cast<std::size_t>(n));
  for (auto& v : x) v = u(rng);
  return x;
}

template <class Space>
Kokkos::View<double*, typename Space::memory_space> to_view(const std::vector<double>& x) {
  Kokkos::View<double*, typename Space::memory_space> view("x", x.size());
  Kokkos::deep_copy(view, Kokkos::View<const double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
                              x.data(), x.size()));
  return view;
}

template <class ViewType>
std::vector<double> to_vector(const ViewType& view) {
  std::vector<double> x(view.extent(0));
  Kokkos::deep_copy(
      Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(x.data(), x.size()), view);
  return x;
}

// J and F from the View overloads equal (bitwise) those of the std::vector
// overloads, and J matches an independent reference.
template <class Space, class F>
void expect_view_overloads_match(const F& f, Index n, const std::vector<double>& x,
                                 const CsrMatrix<double>& reference, double tolerance,
                                 int lane_width) {
  JacobianOptions options;
  options.lane_width = lane_width;
  SparseJacobian<F, Space> jac(f, n, n, options);
  using Jac = SparseJacobian<F, Space>;

  CsrMatrix<double> J_host(jac.pattern());
  std::vector<double> F_host;
  jac.evaluate(x, J_host, F_host);

  const auto xd = to_view<Space>(x);
  typename Jac::matrix_type J_view(jac.device_pattern());
  typename Jac::vector_view F_view("F", std::size_t(n));
  jac.evaluate(xd, J_view, F_view);
  EXPECT_EQ(J_view.pattern(), jac.pattern());
  EXPECT_EQ(J_view.host_values(), J_host.host_values()) << "lane width " << lane_width;
  EXPECT_EQ(to_vector(F_view), F_host);

  // The allocating overload and the one without F give the same values.
  EXPECT_EQ(jac.evaluate(xd).host_values(), J_host.host_values());
  typename Jac::matrix_type J_only(jac.device_pattern());
  jac.evaluate(xd, J_only);
  EXPECT_EQ(J_only.host_values(), J_host.host_values());

  // Independent reference (analytic Jacobian).
  ASSERT_EQ(reference.pattern(), jac.pattern());
  const auto got = J_view.host_values(), want = reference.host_values();
  for (std::size_t k = 0; k < want.size(); ++k)
    ASSERT_NEAR(got[k], want[k], tolerance * std::max(1.0, std::abs(want[k]))) << "entry " << k;

  // value and jvp.
  typename Jac::vector_view y("y", std::size_t(n));
  jac.value(xd, y);
  EXPECT_EQ(to_vector(y), jac.value(x));
  const auto v = random_vector(n, 99);
  const auto vd = to_view<Space>(v);
  typename Jac::vector_view jv("jv", std::size_t(n));
  jac.jvp(xd, vd, jv);
  const auto jv_host = jac.jvp(x, v);
  EXPECT_EQ(to_vector(jv), jv_host);
  const auto Jv = reference.multiply(v);
  for (std::size_t i = 0; i < Jv.size(); ++i)
    EXPECT_NEAR(jv_host[i], Jv[i], 1e-11 * std::max(1.0, std::abs(Jv[i]))) << "row " << i;
}

TYPED_TEST(DeviceData, ViewOverloadsGiveTheSameJacobianAndValue) {
  using Space = TypeParam;
  const Bratu2d bratu{9};
  const auto u = bratu.initial_guess();
  for (int width : {0, 1, 4, 16})
    expect_view_overloads_match<Space>(bratu, bratu.size(), u, bratu.analytic_jacobian(u), 1e-13,
                                       width);

  const Brusselator2d bruss{5};
  const auto b = random_vector(bruss.size(), 7, 0.5, 2.0);
  expect_view_overloads_match<Space>(bruss, bruss.size(), b, bruss.analytic_jacobian(b), 1e-12, 0);
}

TYPED_TEST(DeviceData, ViewOverloadsOnAGivenColoring) {
  using Space = TypeParam;
  const NonlinearDiffusion3d diffusion{5};
  const auto x = diffusion.initial_guess();
  SparseJacobian<NonlinearDiffusion3d, Space> greedy(diffusion, diffusion.size(), diffusion.size());
  SparseJacobian<NonlinearDiffusion3d, Space> jac(diffusion, greedy.pattern(),
                                                  diffusion.stencil_coloring());
  EXPECT_EQ(jac.coloring().num_colors, 7);
  const auto J_host = jac.evaluate(x);
  const auto J_view = jac.evaluate(to_view<Space>(x));
  EXPECT_EQ(J_view.host_values(), J_host.host_values());
  // Independent of the coloring: the greedy one recovers the same J.
  const auto J_greedy = greedy.evaluate(x).host_values();
  const auto got = J_view.host_values();
  for (std::size_t k = 0; k < got.size(); ++k)
    ASSERT_NEAR(got[k], J_greedy[k], 1e-13 * std::max(1.0, std::abs(J_greedy[k]))) << k;
}

TYPED_TEST(DeviceData, HostSpacesShareTheHostArrays) {
  using Space = TypeParam;
  using Jac = SparseJacobian<Bratu2d, Space>;
  static_assert(Jac::reads_host_memory, "a host space reads host memory");
  static_assert(std::is_same_v<typename Jac::memory_space, Kokkos::HostSpace>);
  static_assert(std::is_same_v<typename Jac::matrix_type, CsrMatrix<double>>);
  const Bratu2d bratu{4};
  Jac jac(bratu, bratu.size(), bratu.size());
  EXPECT_EQ(jac.device_pattern(), jac.pattern());
  // No copy on the host space: the same arrays.
  EXPECT_EQ(jac.device_pattern().row_ptr().data(), jac.pattern().row_ptr().data());
  EXPECT_EQ(jac.device_pattern().col_idx().data(), jac.pattern().col_idx().data());
}

using test::expect_error_naming;

TYPED_TEST(DeviceData, WrongSizesThrowNamingTheArgument) {
  using Space = TypeParam;
  using Jac = SparseJacobian<Bratu2d, Space>;
  using View = typename Jac::vector_view;
  const Bratu2d bratu{4};
  const Index n = bratu.size();
  Jac jac(bratu, n, n);
  const auto x = to_view<Space>(bratu.initial_guess());
  const View short_x("short", std::size_t(n - 1)), short_y("y", std::size_t(n - 2)),
      good("good", std::size_t(n));
  typename Jac::matrix_type J(jac.device_pattern());

  expect_error_naming<DimensionMismatch>([&] { jac.evaluate(short_x); }, "x has 15 entries");
  expect_error_naming<DimensionMismatch>([&] { jac.evaluate(short_x, J); }, "x has 15 entries");
  expect_error_naming<DimensionMismatch>([&] { jac.evaluate(x, J, short_y); },
                                         "value has 14 entries");
  expect_error_naming<DimensionMismatch>([&] { jac.value(short_x, good); }, "x has 15");
  expect_error_naming<DimensionMismatch>([&] { jac.value(x, short_y); }, "y has 14");
  expect_error_naming<DimensionMismatch>([&] { jac.jvp(x, short_x, good); }, "v has 15");
  expect_error_naming<DimensionMismatch>([&] { jac.jvp(x, good, short_y); }, "jv has 14");

  // An output over another pattern.
  const Bratu2d other{5};
  Jac other_jac(other, other.size(), other.size());
  typename Jac::matrix_type wrong(other_jac.device_pattern());
  expect_error_naming<DimensionMismatch>([&] { jac.evaluate(x, wrong); }, "output matrix");
  // A failed call leaves a correct one working.
  jac.evaluate(x, J);
  EXPECT_EQ(J.host_values(), jac.evaluate(bratu.initial_guess()).host_values());
}

TYPED_TEST(DeviceData, NonFiniteEntriesThrowNamingTheFirst) {
  using Space = TypeParam;
  using Jac = SparseJacobian<Bratu2d, Space>;
  const Bratu2d bratu{6};
  const Index n = bratu.size();
  Jac jac(bratu, n, n);
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  typename Jac::matrix_type J(jac.device_pattern());
  typename Jac::vector_view y("y", std::size_t(n));
  const auto good = to_view<Space>(bratu.initial_guess());

  // Several bad entries: the lowest index is named, whatever its kind.
  const std::vector<std::pair<std::vector<std::pair<Index, double>>, std::string>> cases = {
      {{{9, inf}, {4, nan}, {20, -inf}}, "x[4]"},
      {{{0, -inf}}, "x[0]"},
      {{{n - 1, nan}}, "x[" + std::to_string(n - 1) + "]"},
      {{{30, inf}, {17, inf}}, "x[17]"},
  };
  for (const auto& [bad, name] : cases) {
    auto host = bratu.initial_guess();
    for (const auto& [j, value] : bad) host[std::size_t(j)] = value;
    const auto x = to_view<Space>(host);
    expect_error_naming<InvalidArgument>([&] { jac.evaluate(x); }, name);
    expect_error_naming<InvalidArgument>([&] { jac.evaluate(x, J, y); }, name);
    expect_error_naming<InvalidArgument>([&] { jac.value(x, y); }, name);
    expect_error_naming<InvalidArgument>([&] { jac.jvp(x, good, y); }, name);
    // The std::vector overloads name the same entry.
    expect_error_naming<InvalidArgument>([&] { jac.evaluate(host); }, name);
  }
}

// Whole-vector functions are host code: on host spaces their View overloads
// work (the memory space is host memory) and agree with the std::vector ones.
// (On a space that cannot read host memory the class does not compile: a
// static_assert, which a runtime test cannot exercise.)
TYPED_TEST(DeviceData, WholeVectorViewOverloadsOnHostSpaces) {
  using Space = TypeParam;
  const Bratu2d bratu{6};
  const Index n = bratu.size();
  const WholeVector<Bratu2d> whole{bratu, n, n};
  using Jac = SparseJacobian<WholeVector<Bratu2d>, Space>;
  static_assert(Jac::kind == FunctionKind::whole_vector);
  Jac jac(whole, n, n);
  const auto u = random_vector(n, 3, 0.0, 0.5);
  CsrMatrix<double> J_host(jac.pattern());
  std::vector<double> F_host;
  jac.evaluate(u, J_host, F_host);
  typename Jac::matrix_type J_view(jac.device_pattern());
  typename Jac::vector_view F_view("F", std::size_t(n));
  jac.evaluate(to_view<Space>(u), J_view, F_view);
  EXPECT_EQ(J_view.host_values(), J_host.host_values());
  EXPECT_EQ(to_vector(F_view), F_host);
  const auto reference = bratu.analytic_jacobian(u).host_values();
  const auto got = J_view.host_values();
  ASSERT_EQ(got.size(), reference.size());
  for (std::size_t k = 0; k < got.size(); ++k)
    ASSERT_NEAR(got[k], reference[k], 1e-13 * std::max(1.0, std::abs(reference[k]))) << k;
  const auto v = random_vector(n, 5);
  typename Jac::vector_view jv("jv", std::size_t(n));
  jac.jvp(to_view<Space>(u), to_view<Space>(v), jv);
  EXPECT_EQ(to_vector(jv), jac.jvp(u, v));
}

}  // namespace
}  // namespace sparsediff
