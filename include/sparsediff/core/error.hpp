#pragma once
/// @file
/// Errors raised by sparsediff.
///
/// Bad input is refused at the library boundary with a `sparsediff::Error`
/// whose message names the function and the offending item ("Pattern::from_coo:
/// entry 7: column 12 out of range [0, 10)"). Code past the boundary trusts its
/// input and does not re-check. Device code never throws.

#include <sstream>
#include <stdexcept>
#include <string>

namespace sparsediff {

/// Base of every error sparsediff raises.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

/// An argument is malformed: an index out of range, a negative size, an
/// unsorted or duplicated CSR row, a non-finite value.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// Two operands disagree in size ("A is 3 x 4, x has 5 entries").
class DimensionMismatch : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// A file or a line of text could not be parsed (message carries line and text).
class ParseError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// A coloring is not valid for the problem it is used with.
class InvalidColoring : public Error {
 public:
  using Error::Error;
};

/// The requested combination of options is not available.
class NotSupported : public Error {
 public:
  using Error::Error;
};

/// A linear or nonlinear solver failed (singular, not positive definite, ...).
class SolverError : public Error {
 public:
  using Error::Error;
};

namespace detail {
template <class Exception>
[[noreturn]] inline void raise(const char* function, const std::string& message) {
  throw Exception(std::string(function) + ": " + message);
}
}  // namespace detail

}  // namespace sparsediff

/// Precondition helper (the one macro of the project): when `condition` is
/// false, throws `ExceptionType` with "function: message", where `message` is
/// a stream expression, e.g.
///   SPARSEDIFF_REQUIRE(j < n, InvalidArgument, "entry " << k << ": column " << j);
#define SPARSEDIFF_REQUIRE(condition, ExceptionType, message)                                     \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::ostringstream sparsediff_require_stream_;                                              \
      sparsediff_require_stream_ << message;                                                      \
      ::sparsediff::detail::raise<::sparsediff::ExceptionType>(__func__,                          \
                                                               sparsediff_require_stream_.str()); \
    }                                                                                             \
  } while (false)
