//! @file diagnostic.h
//! @brief The one error type nngen's library throws: a message tied to a file, YAML line and layer.
#pragma once

#include <stdexcept>
#include <string>

namespace nngen {

/// Where something came from in the user's input: a file and a 1-based line (0 = unknown).
struct SourceLoc {
  std::string file;  ///< path as the user gave it
  int line = 0;      ///< 1-based YAML line, 0 when not known
};

/// An error in the user's input or in what nngen was asked to do.
///
/// The message reads `file:line: layer 'name': what went wrong`, with the parts that are
/// unknown left out. Library code throws it; only the CLI prints it and picks the exit code.
class Error : public std::runtime_error {
 public:
  /// @param loc   file and YAML line the problem was found at (may be empty)
  /// @param layer the layer's name, or empty when the problem is not about one layer
  /// @param what  the problem, as one sentence without a trailing period
  Error(const SourceLoc& loc, const std::string& layer, const std::string& what);
  /// An error with no file and no layer.
  explicit Error(const std::string& what) : Error(SourceLoc{}, "", what) {}

  const SourceLoc& loc() const { return loc_; }
  const std::string& layer() const { return layer_; }

 private:
  SourceLoc loc_;
  std::string layer_;
};

/// Something nngen accepted but the user should know about (a constant that saturates, ...).
/// Library code collects warnings (Graph::warnings); only the CLI prints them, as
/// `nngen: warning: file:line: layer 'name': message`.
struct Warning {
  SourceLoc loc;        ///< where in the spec
  std::string layer;    ///< the layer's name (may be empty)
  std::string message;  ///< one sentence without a trailing period
  /// `file:line: layer 'name': message`, formatted like Error::what().
  std::string str() const;
};

}  // namespace nngen
