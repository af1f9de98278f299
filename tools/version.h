#pragma once
namespace elfin {
// Part of every image cache key: bump when the image layout changes.
constexpr const char* VERSION = "0.1.0";
} // namespace elfin
