#pragma once
// Checks that a call throws a given sparsediff::Error subclass whose message
// names the offending item.
#include <gtest/gtest.h>

#include <exception>
#include <string>

namespace sparsediff::test {

/// call() must throw Exception with `item` in its message.
template <class Exception, class Call>
void expect_error_naming(Call&& call, const std::string& item) {
  try {
    call();
    ADD_FAILURE() << "no exception; expected one naming " << item;
  } catch (const Exception& e) {
    EXPECT_NE(std::string(e.what()).find(item), std::string::npos)
        << "message '" << e.what() << "' does not name " << item;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

}  // namespace sparsediff::test
