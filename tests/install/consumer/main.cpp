// A user's program: links the installed library and checks one product.
#include <cstdio>
#include <sparsediff/sparsediff.hpp>

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  // A = [[2, 1], [0, 3]], x = (1, 2): A x = (4, 6).
  auto a = sparsediff::CooMatrix<double>(2, 2, {0, 0, 1}, {0, 1, 1}, {2.0, 1.0, 3.0}).to_csr();
  const auto y = a.multiply(std::vector<double>{1.0, 2.0});
  const bool ok = y[0] == 4.0 && y[1] == 6.0;
  std::printf("sparsediff %s: %s\n", sparsediff::version(), ok ? "consumer ok" : "WRONG");
  return ok ? 0 : 1;
}
