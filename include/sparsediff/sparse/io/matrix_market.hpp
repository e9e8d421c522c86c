#pragma once
/// @file
/// Matrix Market files: the exchange format of the SuiteSparse Matrix
/// Collection and of most sparse test problems.
///
/// A coordinate file (Boisvert, Pozo and Remington, "The Matrix Market
/// Exchange Formats: Initial Design", NIST 1996) is a header line
///
///     %%MatrixMarket matrix coordinate <field> <symmetry>
///
/// then `%` comment lines, a size line `rows columns entries`, and one line
/// per entry: `row column value` with 1-based indices (`row column` for the
/// `pattern` field). This reader takes the fields `real`, `integer` and
/// `pattern` (each entry then has the value 1) and the symmetries `general`,
/// `symmetric` and `skew-symmetric`. A symmetric file stores one triangle;
/// on read each off-diagonal entry (i, j, v) also gives (j, i, v), or
/// (j, i, -v) when skew-symmetric, so what comes back is the whole matrix.
/// Dense `array` files and the `complex` field / `hermitian` symmetry are
/// refused with `NotSupported`.
///
/// Reading is strict, because a silently misread matrix is worse than none:
/// every malformed line is refused with a `ParseError` whose message carries
/// the source name, the line number and the text of the line. Values must be
/// finite. Entries come back in COO form in file order, so repeated
/// coordinates are kept and sum when converted to CSR.
///
/// Writing emits `coordinate real general` (or `pattern general`) in row
/// order with values at full precision (`max_digits10` significant digits),
/// so that writing and reading back reproduces every value bit for bit.
/// Numbers are read and written in the "C" locale whatever the global or
/// stream locale is.

#include <iosfwd>
#include <string>

#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/coo.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"

namespace sparsediff {

/// Reads a Matrix Market coordinate file into COO form (0-based indices).
/// Symmetric and skew-symmetric files are expanded to the whole matrix;
/// entries of a `pattern` file have the value 1.
/// @param path file to read; it also names the source in error messages.
/// @throws InvalidArgument when the file cannot be opened,
///         ParseError naming source, line number and line text for a malformed
///         header or size line, an entry with the wrong number of fields, an
///         index out of range (saying which bound), a value that is not a
///         number or not finite, or fewer/more entries than declared,
///         NotSupported for `array`, `complex` or `hermitian` files,
///         Error when reading fails.
/// Complexity O(entries) time and memory.
CooMatrix<double> read_matrix_market(const std::string& path);

/// Reads Matrix Market text from a stream (see the path overload).
/// @param in stream positioned at the header line.
/// @param source_name how error messages name the input.
CooMatrix<double> read_matrix_market(std::istream& in, const std::string& source_name = "<stream>");

/// Reads the structure of a Matrix Market coordinate file: the same parsing,
/// checks and symmetric expansion as `read_matrix_market` (values are still
/// checked, then dropped); repeated coordinates merge.
/// @throws as `read_matrix_market`.
/// Complexity O(entries log(entries / rows) + rows).
Pattern read_matrix_market_pattern(const std::string& path);

/// Reads the structure of Matrix Market text from a stream.
/// @param in stream positioned at the header line.
/// @param source_name how error messages name the input.
Pattern read_matrix_market_pattern(std::istream& in, const std::string& source_name = "<stream>");

/// Writes `a` as `%%MatrixMarket matrix coordinate real general`, entries in
/// row order, values with max_digits10 significant digits. Stored entries
/// whose value is zero are written (the pattern is structural).
/// @throws InvalidArgument when a value is not finite (naming its row and
///         column) or the file cannot be opened, Error when writing fails.
///         Nothing is written when a value is refused.
/// Complexity O(nnz).
void write_matrix_market(const std::string& path, const CsrMatrix<double>& a);

/// Writes `a` to a stream (see the path overload). The stream's locale,
/// precision and format flags are restored afterwards.
void write_matrix_market(std::ostream& out, const CsrMatrix<double>& a);

/// Writes the structure `pattern` as `%%MatrixMarket matrix coordinate
/// pattern general`, entries in row order.
/// @throws InvalidArgument when the file cannot be opened, Error when writing fails.
/// Complexity O(nnz).
void write_matrix_market(const std::string& path, const Pattern& pattern);

/// Writes the structure `pattern` to a stream (see the path overload).
void write_matrix_market(std::ostream& out, const Pattern& pattern);

}  // namespace sparsediff
