#include <gtest/gtest.h>
#include "ir/fixed.h"
TEST(Fixed, Placeholder) { EXPECT_EQ(nngen::parseFixedType("ap_fixed<16,6>").fracBits(), 10); }
