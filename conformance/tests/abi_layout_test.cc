// The kernel ABI keeps version 1 while operations move from reserved[] into named slots: a table
// built against the first header must still line up field by field. These are the first
// release's numbers on LP64: abi_version, struct_size and name (16 bytes), 9 operations, then
// 16 reserved pointers.
#include <cstddef>

#include <gtest/gtest.h>

#include "quantspec/kernel_abi.h"

namespace {

TEST(KernelAbiLayout, SizeIsThatOfTheFirstRelease) {
  static_assert(sizeof(void*) == 8, "the numbers below are those of an LP64 target");
  EXPECT_EQ(sizeof(qs_kernel_table), 16u + 9u * 8u + 16u * 8u);
}

TEST(KernelAbiLayout, NewSlotsOccupyTheFirstReleasesReservedEntriesInOrder) {
  const std::size_t first_reserved = 16u + 9u * 8u;  // offsetof(reserved) in release 1
  EXPECT_EQ(offsetof(qs_kernel_table, lut_int16), first_reserved + 0 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, fake_quantize), first_reserved + 1 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, fake_quantize_per_channel), first_reserved + 2 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, dynamic_quantize), first_reserved + 3 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, dynamic_linear), first_reserved + 4 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, pack_weights), first_reserved + 5 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, release_packed), first_reserved + 6 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, linear_packed), first_reserved + 7 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, gemm_packed), first_reserved + 8 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, dynamic_linear_packed), first_reserved + 9 * 8);
  EXPECT_EQ(offsetof(qs_kernel_table, reserved), first_reserved + 10 * 8);
  EXPECT_EQ(sizeof(qs_kernel_table::reserved), 6u * 8u);
}

TEST(KernelAbiLayout, HasSlotFollowsStructSize) {
  qs_kernel_table table{};
  table.struct_size = static_cast<uint32_t>(offsetof(qs_kernel_table, lut_int16));
  EXPECT_TRUE(QS_TABLE_HAS_SLOT(&table, lut));
  EXPECT_FALSE(QS_TABLE_HAS_SLOT(&table, lut_int16));
  table.struct_size = sizeof(qs_kernel_table);
  EXPECT_TRUE(QS_TABLE_HAS_SLOT(&table, gemm_packed));
  EXPECT_TRUE(QS_TABLE_HAS_SLOT(&table, dynamic_linear_packed));
  table.struct_size = static_cast<uint32_t>(offsetof(qs_kernel_table, dynamic_linear_packed));
  EXPECT_TRUE(QS_TABLE_HAS_SLOT(&table, gemm_packed));
  EXPECT_FALSE(QS_TABLE_HAS_SLOT(&table, dynamic_linear_packed));
}

}  // namespace
