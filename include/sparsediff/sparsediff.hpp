#pragma once
/// @file
/// Umbrella header: everything a user of sparsediff needs.
#include "sparsediff/core/config.hpp"
#include "sparsediff/core/error.hpp"
#include "sparsediff/sparse/convert.hpp"
#include "sparsediff/sparse/coo.hpp"
#include "sparsediff/sparse/csr.hpp"
#include "sparsediff/sparse/pattern.hpp"
#include "sparsediff/version.hpp"
