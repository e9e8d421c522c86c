// sparsediff's device kernels instantiated with Kokkos::Cuda: built only
// against a Kokkos with the CUDA backend (tests/device/CMakeLists.txt), where
// compiling this file is the check that the kernels hold no host-only call,
// std:: container, exception or virtual call (nvcc rejects those in device
// code). The tests compare the device results with the same computations on
// Kokkos::Serial and with analytic references; without a GPU they skip, and
// Kokkos is not initialised at all (the CUDA backend cannot start without a
// device). Not yet run on a GPU: see docs/kokkos.md, "A CUDA build".
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "examples/common/pde_residuals.hpp"
#include "sparsediff/coloring/greedy.hpp"
#include "sparsediff/coloring/parallel.hpp"
#include "sparsediff/coloring/verify.hpp"
#include "sparsediff/hessian/hvp.hpp"
#include "sparsediff/hessian/recover.hpp"
#include "sparsediff/jacobian/sparse_jacobian.hpp"
#include "sparsediff/ops/row_sparse.hpp"
#include "sparsediff/ops/spmm.hpp"
#include "sparsediff/ops/spmv.hpp"

namespace sparsediff {

/// f = sum_e (x_e - x_{e+1})^4 + x_e^2 exp(x_{e+1}) as elements of 2
/// variables, a device function (declared at namespace scope: nvcc refuses
/// a local type in a function holding a device lambda).
struct DeviceChain {
  Index n = 0;
  Index num_elements() const { return n - 1; }
  Index element_variables(Index e, Index* v) const {
    v[0] = e, v[1] = e + 1;
    return 2;
  }
  template <class T>
  KOKKOS_INLINE_FUNCTION T element(Index, const T* v) const {
    using std::exp;
    const T d = v[0] - v[1];
    return d * d * d * d + v[0] * v[0] * exp(v[1]);
  }
  /// H e_j by hand, column j of the Hessian.
  std::vector<double> hessian_column(const std::vector<double>& x, Index j) const {
    std::vector<double> h(std::size_t(n), 0.0);
    for (Index e = 0; e + 1 < n; ++e) {
      const double a = x[e], b = x[e + 1], q = 12 * (a - b) * (a - b), t = std::exp(b);
      const double haa = q + 2 * t, hab = -q + 2 * a * t, hbb = q + a * a * t;
      if (j == e) h[e] += haa, h[e + 1] += hab;
      if (j == e + 1) h[e] += hab, h[e + 1] += hbb;
    }
    return h;
  }
};

// Every member of the Jacobian object on the device: the View overloads, the
// std::vector overloads (staged through device copies) and check().
template class SparseJacobian<problems::Bratu2d, Kokkos::Cuda>;
template class SparseJacobian<problems::NonlinearDiffusion3d, Kokkos::Cuda>;
template class SparseJacobian<problems::Brusselator2d, Kokkos::Cuda>;
template class RowSparseGradient<Kokkos::CudaSpace>;
template class ElementHvpOperator<2, DeviceChain, Kokkos::Cuda>;

// The Hessian recovery kernels compiled for the device. Only a compile check:
// HessianSeed keeps its arrays in host memory, so nothing calls these with a
// device space yet (the public recover() refuses one).
namespace detail {
template void recover_direct<Kokkos::Cuda>(const HessianSeed&, const double*, double*);
template void recover_in_place<Kokkos::Cuda>(const HessianSeed&, double*, double*);
}  // namespace detail

namespace {

bool device_present = false;

#define SPARSEDIFF_REQUIRE_DEVICE() \
  if (!device_present) GTEST_SKIP() << "no CUDA device"

using DeviceMemory = Kokkos::CudaSpace;
using DeviceVector = Kokkos::View<double*, DeviceMemory>;

std::vector<double> random_vector(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> x(n);
  for (auto& v : x) v = u(rng);
  return x;
}

DeviceVector to_device(const std::vector<double>& x) {
  DeviceVector view("x", x.size());
  Kokkos::deep_copy(view, Kokkos::View<const double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
                              x.data(), x.size()));
  return view;
}

/// The entries of a contiguous view (rank 1, or rank 2 column-major) on the host.
template <class View>
std::vector<double> to_host(const View& view) {
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, view);
  return std::vector<double>(host.data(), host.data() + host.size());
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k)
    ASSERT_NEAR(got[k], want[k], tol * std::max(1.0, std::abs(want[k]))) << "entry " << k;
}

// J, F, J v of a row kernel on the device against Kokkos::Serial (device
// exp/sqrt may differ from the host's in the last bit: a tolerance, not ==).
template <class F>
void expect_device_jacobian_matches_host(const F& f, Index n, const std::vector<double>& x) {
  SparseJacobian<F, Kokkos::Cuda> device(f, n, n);
  SparseJacobian<F, Kokkos::Serial> host(f, n, n);
  ASSERT_EQ(device.pattern(), host.pattern());
  CsrMatrix<double> J_host(host.pattern());
  std::vector<double> F_host;
  host.evaluate(x, J_host, F_host);

  const auto xd = to_device(x);
  CsrMatrix<double, DeviceMemory> J(device.device_pattern());
  DeviceVector F_device("F", std::size_t(n));
  device.evaluate(xd, J, F_device);
  expect_near(J.host_values(), J_host.host_values(), 1e-13);
  expect_near(to_host(F_device), F_host, 1e-13);
  expect_near(device.evaluate(x).host_values(), J_host.host_values(), 1e-13);

  const auto v = random_vector(std::size_t(n), 5);
  DeviceVector jv("jv", std::size_t(n));
  device.jvp(xd, to_device(v), jv);
  expect_near(to_host(jv), host.jvp(x, v), 1e-12);
  EXPECT_LT(device.check(x), 1e-12);
}

TEST(Cuda, SparseJacobianOfBratuMatchesHostAndAnalytic) {
  SPARSEDIFF_REQUIRE_DEVICE();
  const problems::Bratu2d bratu{12};
  const auto u = bratu.initial_guess();
  expect_device_jacobian_matches_host(bratu, bratu.size(), u);
  SparseJacobian<problems::Bratu2d, Kokkos::Cuda> jac(bratu, bratu.size(), bratu.size());
  expect_near(jac.evaluate(to_device(u)).host_values(), bratu.analytic_jacobian(u).host_values(),
              1e-12);
}

TEST(Cuda, SparseJacobianOfNonlinearDiffusionOnTheStencilColoring) {
  SPARSEDIFF_REQUIRE_DEVICE();
  const problems::NonlinearDiffusion3d diffusion{6};
  const Index n = diffusion.size();
  const auto x = diffusion.initial_guess();
  expect_device_jacobian_matches_host(diffusion, n, x);
  SparseJacobian<problems::NonlinearDiffusion3d, Kokkos::Serial> host(diffusion, n, n);
  SparseJacobian<problems::NonlinearDiffusion3d, Kokkos::Cuda> device(diffusion, host.pattern(),
                                                                      diffusion.stencil_coloring());
  EXPECT_EQ(device.coloring().num_colors, 7);
  expect_near(device.evaluate(to_device(x)).host_values(), host.evaluate(x).host_values(), 1e-13);
}

TEST(Cuda, SpmvAndSpmmOnDeviceMatrices) {
  SPARSEDIFF_REQUIRE_DEVICE();
  const problems::Bratu2d bratu{7};
  const auto host_a = bratu.analytic_jacobian(bratu.initial_guess());
  const Index n = host_a.rows();
  const CsrMatrix<double, DeviceMemory> a(host_a.pattern().to<DeviceMemory>(),
                                          host_a.host_values());
  const auto x = random_vector(std::size_t(n), 1);
  DeviceVector y("y", std::size_t(n));
  spmv(a, to_device(x), y);
  expect_near(to_host(y), host_a.multiply(x), 1e-14);

  const auto da = random_vector(std::size_t(host_a.nnz()), 2);
  const auto dx = random_vector(std::size_t(n), 3);
  DeviceVector dy("dy", std::size_t(n));
  spmv_jvp(a, to_device(da), to_device(x), to_device(dx), dy);
  expect_near(to_host(dy), spmv_jvp(host_a, da, x, dx), 1e-14);

  const auto transposed = a.pattern().transpose_with_map();
  DeviceVector a_bar("a_bar", std::size_t(host_a.nnz())), x_bar("x_bar", std::size_t(n));
  spmv_vjp(a, transposed, to_device(x), to_device(dx), a_bar, x_bar);
  const auto host_grad = spmv_vjp(host_a, x, dx);
  expect_near(to_host(a_bar), host_grad.a_bar, 1e-14);
  expect_near(to_host(x_bar), host_grad.x_bar, 1e-14);

  const Index r = 3;
  const auto xs = random_vector(std::size_t(n) * r, 4);  // column-major n x r
  Kokkos::View<double**, Kokkos::LayoutLeft, DeviceMemory> X("X", std::size_t(n), std::size_t(r)),
      Y("Y", std::size_t(n), std::size_t(r)), dX("dX", std::size_t(n), std::size_t(r)),
      dY("dY", std::size_t(n), std::size_t(r)), Xbar("Xbar", std::size_t(n), std::size_t(r));
  Kokkos::deep_copy(
      X,
      Kokkos::View<const double**, Kokkos::LayoutLeft, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(
          xs.data(), std::size_t(n), std::size_t(r)));
  spmm(a, X, Y);
  expect_near(to_host(Y), spmm(host_a, xs, r), 1e-14);
  Kokkos::deep_copy(dX, X);
  spmm_jvp(a, to_device(da), X, dX, dY);
  expect_near(to_host(dY), spmm_jvp(host_a, da, xs, xs, r), 1e-14);
  DeviceVector abar_m("abar", std::size_t(host_a.nnz()));
  spmm_vjp(a, transposed, X, Y, abar_m, Xbar);
  const auto host_spmm_grad = spmm_vjp(host_a, xs, spmm(host_a, xs, r), r);
  expect_near(to_host(abar_m), host_spmm_grad.a_bar, 1e-13);
  expect_near(to_host(Xbar), host_spmm_grad.x_bar, 1e-13);
}

TEST(Cuda, RowSparseGradientAndOptimisersOnTheDevice) {
  SPARSEDIFF_REQUIRE_DEVICE();
  const problems::Bratu2d bratu{5};
  const auto host_x = bratu.analytic_jacobian(bratu.initial_guess());
  const Index b = host_x.rows(), n = host_x.cols();
  const CsrMatrix<double, DeviceMemory> x(host_x.pattern().to<DeviceMemory>(),
                                          host_x.host_values());
  const auto z_bar = random_vector(std::size_t(b), 6);
  RowSparseGradient<DeviceMemory> device;
  row_sparse_vjp(x, to_device(z_bar), device);
  RowSparseGradient<> host;
  row_sparse_vjp(host_x, detail::host_view(z_bar), host);
  EXPECT_EQ(device.host_row_indices(), host.host_row_indices());
  expect_near(device.to_dense(), host.to_dense(), 1e-14);

  auto w_host = random_vector(std::size_t(n), 7);
  const auto w = to_device(w_host);
  sgd_update(w, device, 0.1);
  sgd_update(detail::host_view(w_host), host, 0.1);
  LazyAdam<DeviceMemory> adam(n, 1);
  LazyAdam<> host_adam(n, 1);
  adam.step(w, device);
  host_adam.step(detail::host_view(w_host), host);
  Kokkos::fence();
  expect_near(to_host(w), w_host, 1e-14);
}

// H v by elements on device data against Kokkos::Serial and the Hessian by
// hand; the std::vector overloads stage through the device.
TEST(Cuda, ElementHvpOnDeviceData) {
  SPARSEDIFF_REQUIRE_DEVICE();
  const DeviceChain chain{50};
  const auto f = partially_separable<2>(chain);
  const auto x = random_vector(50, 7);
  using Op = ElementHvpOperator<2, DeviceChain, Kokkos::Cuda>;
  Op device(f, typename Op::const_vector_view(to_device(x)), 8);
  ElementHvpOperator<2, DeviceChain, Kokkos::Serial> host(f, x, 8);
  EXPECT_NEAR(device.value(), host.value(), 1e-13 * std::abs(host.value()));
  expect_near(device.gradient(), host.gradient(), 1e-13);
  expect_near(to_host(device.gradient_view()), host.gradient(), 1e-13);
  const Index k = 5;
  typename Op::multi_view V("V", 50, k), HV("HV", 50, k);
  Kokkos::deep_copy(V, 0.0);
  for (Index j = 0; j < k; ++j) Kokkos::deep_copy(Kokkos::subview(V, 3 * j, j), 1.0);
  device.apply(V, HV);
  const auto hv = to_host(HV);
  for (Index j = 0; j < k; ++j) {
    const auto column = chain.hessian_column(x, 3 * j);
    expect_near(std::vector<double>(hv.begin() + 50 * j, hv.begin() + 50 * (j + 1)), column, 1e-12);
  }
  const auto v = random_vector(50, 8);
  expect_near(device.apply(v), host.apply(v), 1e-12);
}

TEST(Cuda, ParallelColoringOnTheDevice) {
  SPARSEDIFF_REQUIRE_DEVICE();
  const problems::Bratu2d bratu{20};
  SparseJacobian<problems::Bratu2d, Kokkos::Serial> jac(bratu, bratu.size(), bratu.size());
  const Pattern& p = jac.pattern();
  // Deterministic: exactly the serial greedy's colors, on any space.
  const Coloring deterministic =
      color_parallel(p, ParallelColoringMode::deterministic, Kokkos::Cuda());
  EXPECT_EQ(deterministic.colors, greedy_coloring(p).colors);
  verify(p, deterministic);
  ParallelColoringOptions options;
  options.mode = ParallelColoringMode::speculative;
  options.ordering = Ordering::largest_first;
  const Coloring speculative = color_parallel(p, options, Kokkos::Cuda());
  verify(p, speculative);
}

}  // namespace
}  // namespace sparsediff

// Kokkos' CUDA backend aborts at start-up without a device: count them
// first, and run the tests without Kokkos (each skips) when there is none.
int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (::testing::GTEST_FLAG(list_tests)) return RUN_ALL_TESTS();
  int devices = 0;
  sparsediff::device_present = cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0;
  if (!sparsediff::device_present) return RUN_ALL_TESTS();
  Kokkos::initialize(argc, argv);
  const int result = RUN_ALL_TESTS();
  Kokkos::finalize();
  return result;
}
