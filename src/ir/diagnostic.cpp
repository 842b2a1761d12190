//! @file diagnostic.cpp
//! @brief Formatting of nngen::Error messages.
#include "ir/diagnostic.h"

#include <fmt/format.h>

namespace nngen {

static std::string formatError(const SourceLoc& loc, const std::string& layer,
                               const std::string& what) {
  std::string out;
  if (!loc.file.empty()) {
    out += loc.file;
    if (loc.line > 0) out += fmt::format(":{}", loc.line);
    out += ": ";
  }
  if (!layer.empty()) out += fmt::format("layer '{}': ", layer);
  return out + what;
}

Error::Error(const SourceLoc& loc, const std::string& layer, const std::string& what)
    : std::runtime_error(formatError(loc, layer, what)), loc_(loc), layer_(layer) {}

std::string Warning::str() const { return formatError(loc, layer, message); }

}  // namespace nngen
