//! @file absorb_flatten.cpp
//! @brief Pass absorb-flatten: the Dense after a Flatten reads the whole image as one window.
#include <fmt/format.h>

#include "passes/passes.h"

namespace nngen {

std::string absorbFlatten(Graph& g) {
  int removed = 0;
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const Layer& f = g.layers[i];
    if (f.kind != LayerKind::Flatten) continue;
    if (i + 1 >= g.layers.size() || g.layers[i + 1].kind != LayerKind::Dense)
      throw Error(f.loc, f.name, "a Flatten must be followed directly by a Dense layer");
    Layer& d = g.layers[i + 1];
    d.in = f.in;
    d.kernelH = f.in.h;
    d.kernelW = f.in.w;
    d.kernel.dims = {size_t(f.in.h), size_t(f.in.w), size_t(f.in.c), size_t(d.out.c)};
    g.layers.erase(g.layers.begin() + static_cast<long>(i));
    --i;
    ++removed;
  }
  return fmt::format("removed {} Flatten", removed);
}

}  // namespace nngen
