// The `sparsediff` command-line tool.
//
//   sparsediff color FILE.mtx [--kind column|row] [--ordering ORDER]
//                             [--backend native|colpack]
//                             [--selection in_order|saturation|best] [--seed N]
//       colors the pattern of a Matrix Market file and prints one JSON line
//       {"rows":..,"cols":..,"nnz":..,"kind":..,"ordering":..,"backend":..,
//        "colors":..,"lower_bound":..,"valid":..,"seconds":..}
//       where `valid` comes from the independent verifier.
//   sparsediff spy FILE.mtx -o OUT.png [--colors native|colpack] [--kind column|row]
//                           [--ordering ORDER] [--selection ...] [--seed N] [--size PIXELS]
//       draws the pattern as a PNG, tinted by color class with --colors.
//
// Exit status: 0 on success, 1 when sparsediff refuses the input (the
// message goes to stderr), 2 for an unknown command, flag or value (with
// the usage text).
#include <Kokkos_Core.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "png.hpp"
#include "sparsediff/coloring/coloring.hpp"
#include "sparsediff/coloring/verify.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/io/matrix_market.hpp"
#include "spy.hpp"

namespace {

using namespace sparsediff;

const char* const usage_text =
    "usage:\n"
    "  sparsediff color FILE.mtx [--kind column|row] [--ordering ORDER]\n"
    "                   [--backend native|colpack] [--selection in_order|saturation|best]\n"
    "                   [--seed N]\n"
    "  sparsediff spy FILE.mtx -o OUT.png [--colors native|colpack] [--kind column|row]\n"
    "                 [--ordering ORDER] [--selection in_order|saturation|best] [--seed N]\n"
    "                 [--size PIXELS]\n"
    "ORDER: natural, lf, sl, id, dlf or random (default sl)\n"
    "color prints one JSON line: rows, cols, nnz, kind, ordering, backend, colors,\n"
    "lower_bound, valid (independent check), seconds (ordering + coloring).\n"
    "spy draws the pattern at most PIXELS wide and high (default 800), columns (rows)\n"
    "tinted by color class with --colors.\n";

// A command line the parser refused: usage text and exit status 2.
struct UsageError {
  std::string message;
};

struct Arguments {
  std::string command, file;
  std::map<std::string, std::string> flags;
};

Arguments parse(int argc, char** argv, const std::vector<std::string>& allowed) {
  Arguments a;
  a.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!arg.empty() && arg[0] == '-') {
      bool known = false;
      for (const auto& f : allowed) known |= f == arg;
      if (!known) throw UsageError{"unknown flag " + arg + " for " + a.command};
      if (i + 1 >= argc) throw UsageError{"flag " + arg + " needs a value"};
      if (a.flags.count(arg)) throw UsageError{"flag " + arg + " given twice"};
      a.flags[arg] = argv[++i];
    } else if (a.file.empty()) {
      a.file = arg;
    } else {
      throw UsageError{"unexpected argument " + arg};
    }
  }
  if (a.file.empty()) throw UsageError{a.command + " needs a Matrix Market file"};
  return a;
}

// Runs parse_* on a flag's value, turning a refusal into a usage error.
template <class Parse>
auto value_of(const Arguments& a, const std::string& flag, const std::string& fallback,
              Parse parse_value) {
  const auto it = a.flags.find(flag);
  const std::string text = it == a.flags.end() ? fallback : it->second;
  try {
    return parse_value(text);
  } catch (const InvalidArgument& e) {
    throw UsageError{flag + ": " + e.what()};
  }
}

unsigned long parse_count(const std::string& flag, const std::string& text, unsigned long low,
                          unsigned long high) {
  std::size_t used = 0;
  unsigned long v = 0;
  try {
    if (text.empty() || text[0] == '-') throw std::invalid_argument(text);
    v = std::stoul(text, &used);
  } catch (const std::exception&) {
    throw UsageError{flag + ": \"" + text + "\" is not a whole number"};
  }
  if (used != text.size() || v < low || v > high)
    throw UsageError{flag + ": \"" + text + "\" is not a whole number in [" + std::to_string(low) +
                     ", " + std::to_string(high) + "]"};
  return v;
}

ColoringOptions coloring_options(const Arguments& a) {
  ColoringOptions options;
  options.kind = value_of(a, "--kind", "column", parse_coloring_kind);
  options.ordering = value_of(a, "--ordering", "sl", parse_ordering);
  options.selection = value_of(a, "--selection", "best", parse_greedy_selection);
  const auto seed = a.flags.find("--seed");
  if (seed != a.flags.end())
    options.seed = static_cast<unsigned>(parse_count("--seed", seed->second, 0, 4294967295ul));
  return options;
}

int run_color(const Arguments& a) {
  ColoringOptions options = coloring_options(a);
  options.backend = value_of(a, "--backend", "native", parse_coloring_backend);
  const Pattern pattern = read_matrix_market_pattern(a.file);
  const Coloring coloring = color(pattern, options);
  const bool valid = is_valid(pattern, coloring);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.6f", coloring.seconds);
  std::ostringstream json;
  json << "{\"rows\":" << pattern.rows() << ",\"cols\":" << pattern.cols()
       << ",\"nnz\":" << pattern.nnz() << ",\"kind\":\"" << to_string(coloring.kind)
       << "\",\"ordering\":\"" << to_string(coloring.ordering) << "\",\"backend\":\""
       << to_string(coloring.backend) << "\",\"colors\":" << coloring.num_colors
       << ",\"lower_bound\":" << coloring.lower_bound << ",\"valid\":" << (valid ? "true" : "false")
       << ",\"seconds\":" << seconds << "}";
  std::cout << json.str() << std::endl;
  return valid ? 0 : 1;
}

int run_spy(const Arguments& a) {
  const auto out = a.flags.find("-o");
  if (out == a.flags.end()) throw UsageError{"spy needs -o OUT.png"};
  const auto size_flag = a.flags.find("--size");
  const auto size = static_cast<std::uint32_t>(
      size_flag == a.flags.end() ? 800 : parse_count("--size", size_flag->second, 1, 8192));
  const bool tinted = a.flags.count("--colors") != 0;
  ColoringOptions options = coloring_options(a);
  if (tinted) options.backend = value_of(a, "--colors", "native", parse_coloring_backend);
  const Pattern pattern = read_matrix_market_pattern(a.file);
  Coloring coloring;
  if (tinted) {
    coloring = color(pattern, options);
    verify(pattern, coloring);
  }
  cli::write_file(out->second,
                  cli::encode_png(cli::render_spy(pattern, tinted ? &coloring : nullptr, size)));
  return 0;
}

// Kokkos without its OpenMP binding warning and with one thread: the
// commands are serial.
std::vector<std::string> kokkos_arguments(const char* program) {
#if KOKKOS_VERSION >= 40000
  return {program, "--kokkos-num-threads=1", "--kokkos-disable-warnings"};
#else
  return {program, "--kokkos-threads=1", "--kokkos-disable-warnings"};
#endif
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> kokkos_args = kokkos_arguments(argv[0]);
  std::vector<char*> kokkos_argv;
  for (auto& arg : kokkos_args) kokkos_argv.push_back(arg.data());
  int kokkos_argc = static_cast<int>(kokkos_argv.size());
  Kokkos::ScopeGuard kokkos(kokkos_argc, kokkos_argv.data());
  try {
    if (argc < 2) throw UsageError{"no command"};
    const std::string command = argv[1];
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << usage_text;
      return 0;
    }
    if (command == "color")
      return run_color(
          parse(argc, argv, {"--kind", "--ordering", "--backend", "--selection", "--seed"}));
    if (command == "spy")
      return run_spy(
          parse(argc, argv,
                {"-o", "--colors", "--kind", "--ordering", "--selection", "--seed", "--size"}));
    throw UsageError{"unknown command " + command};
  } catch (const UsageError& e) {
    std::cerr << "sparsediff: " << e.message << "\n" << usage_text;
    return 2;
  } catch (const sparsediff::Error& e) {
    std::cerr << "sparsediff: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "sparsediff: " << e.what() << "\n";
    return 1;
  }
}
