#pragma once
/// @file
/// LibSVM / SVMlight data files: a label and a sparse feature vector per line.
///
/// The format of LIBSVM (Chang and Lin) and of the datasets distributed with
/// it is one sample per line,
///
///     label index:value index:value ...
///
/// separated by spaces or tabs. The samples become the rows of a CSR feature
/// matrix and the labels a vector. LIBSVM numbers features from 1; some
/// tools write 0-based files, so the base is a parameter (`LibsvmIndexBase`)
/// rather than a guess from the data. Indices are usually increasing within a
/// line; any order is accepted, but a feature given twice in one line is an
/// error (it has no single value). `#` starts a comment to the end of the
/// line; blank lines are skipped. An explicit `index:0` stays an entry of the
/// pattern (entries are structural). SVMlight's `qid:` tokens and multi-label
/// lines are not accepted.
///
/// Every malformed line is refused with a `ParseError` naming the source, the
/// line number and the text of the line. Numbers are read in the "C" locale.

#include <iosfwd>
#include <string>
#include <vector>

#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/csr.hpp"

namespace sparsediff {

/// How feature indices in a LibSVM file are numbered.
enum class LibsvmIndexBase {
  zero,  ///< the first feature is `0:` (written by some tools)
  one,   ///< the first feature is `1:` (LIBSVM's own convention, the default)
};

/// The contents of a LibSVM file: one row of `features` and one label per
/// sample line, in file order.
struct LibsvmData {
  /// samples x features, 0-based columns whatever the file's base.
  CsrMatrix<double> features;
  /// labels[i] is the label of row i.
  std::vector<double> labels;
};

/// Reads a LibSVM file.
/// @param path file to read; it also names the source in error messages.
/// @param base numbering of the feature indices in the file.
/// @param num_features number of feature columns; -1 takes the largest index
///        found (converted to 0-based) plus one (0 for a file without features).
/// @throws InvalidArgument when num_features < -1 or the file cannot be opened,
///         ParseError naming source, line number and line text for a label or
///         value that is not a finite number, a token that is not
///         `index:value`, an index below the base or not below num_features,
///         or an index repeated within a line,
///         Error when reading fails.
/// Complexity O(nnz log(nnz per line)) time, O(nnz) memory.
LibsvmData read_libsvm(const std::string& path, LibsvmIndexBase base = LibsvmIndexBase::one,
                       Index num_features = -1);

/// Reads LibSVM text from a stream (see the path overload).
/// @param source_name how error messages name the input.
LibsvmData read_libsvm(std::istream& in, LibsvmIndexBase base = LibsvmIndexBase::one,
                       Index num_features = -1, const std::string& source_name = "<stream>");

}  // namespace sparsediff
