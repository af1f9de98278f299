# The kernel: freestanding C++20 for x86-64, booted by QEMU through PVH.
# Linked twice: the second link adds the symbol table (used for backtraces) as
# the last section, so no code address moves between the two.

file(GLOB ELFIN_KERNEL_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/platform/x86_64/*.cpp ${CMAKE_SOURCE_DIR}/platform/x86_64/*.S
  ${CMAKE_SOURCE_DIR}/core/*.cpp ${CMAKE_SOURCE_DIR}/mm/*.cpp ${CMAKE_SOURCE_DIR}/fs/*.cpp
  ${CMAKE_SOURCE_DIR}/loader/*.cpp ${CMAKE_SOURCE_DIR}/syscalls/*.cpp ${CMAKE_SOURCE_DIR}/drivers/*.cpp
  ${CMAKE_SOURCE_DIR}/drivers/virtio/*.cpp ${CMAKE_SOURCE_DIR}/net/*.cpp)
# *_host.cpp files are the host's side of a kernel interface (unit tests, tool).
list(FILTER ELFIN_KERNEL_SOURCES EXCLUDE REGEX "_host\\.cpp$")
include(${CMAKE_SOURCE_DIR}/loader/vdso/vdso.cmake) # the vDSO, embedded: adds its image.S

set(ELFIN_GEN ${CMAKE_BINARY_DIR}/gen)
add_custom_command(
  OUTPUT ${ELFIN_GEN}/syscall_table.cpp ${ELFIN_GEN}/syscall_names.h
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/syscalls/gen_table.py
          ${CMAKE_SOURCE_DIR}/syscalls/syscall_64.tbl ${ELFIN_GEN}
  DEPENDS ${CMAKE_SOURCE_DIR}/syscalls/syscall_64.tbl ${CMAKE_SOURCE_DIR}/syscalls/gen_table.py
  COMMENT "Generating the syscall table")
add_custom_target(syscall_table DEPENDS ${ELFIN_GEN}/syscall_table.cpp)

# Zydis, built freestanding (Zycore is header-only for it; headers from libzycore-dev).
set(ZYDIS_DIR ${ELFIN_THIRD_PARTY}/zydis)
file(MAKE_DIRECTORY ${ELFIN_GEN}/zycore)
file(CREATE_LINK /usr/include/Zycore ${ELFIN_GEN}/zycore/Zycore SYMBOLIC)
set(ELFIN_KERNEL_FLAGS
  -ffreestanding -fno-exceptions -fno-rtti -nostdlib -mno-red-zone -mcmodel=kernel
  -fno-threadsafe-statics -fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only
  -fno-omit-frame-pointer -fno-builtin -fno-asynchronous-unwind-tables -O2 -g
  -Wall -Wextra -Wno-unused-parameter)
add_library(kernel_zydis STATIC
  ${ZYDIS_DIR}/src/Decoder.c ${ZYDIS_DIR}/src/DecoderData.c ${ZYDIS_DIR}/src/Formatter.c
  ${ZYDIS_DIR}/src/FormatterBase.c ${ZYDIS_DIR}/src/FormatterBuffer.c ${ZYDIS_DIR}/src/FormatterIntel.c
  ${ZYDIS_DIR}/src/FormatterATT.c ${ZYDIS_DIR}/src/MetaInfo.c ${ZYDIS_DIR}/src/Mnemonic.c
  ${ZYDIS_DIR}/src/Register.c ${ZYDIS_DIR}/src/SharedData.c ${ZYDIS_DIR}/src/String.c
  ${ZYDIS_DIR}/src/Utils.c ${ZYDIS_DIR}/src/Zydis.c ${ZYDIS_DIR}/src/Segment.c ${ZYDIS_DIR}/src/Disassembler.c)
target_include_directories(kernel_zydis SYSTEM PUBLIC ${ZYDIS_DIR}/include ${ZYDIS_DIR}/src ${ELFIN_GEN}/zycore)
target_compile_definitions(kernel_zydis PUBLIC ZYAN_NO_LIBC ZYDIS_STATIC_BUILD ZYCORE_STATIC_BUILD
  ZYDIS_NO_LIBC ZYDIS_DISABLE_ENCODER)
target_compile_options(kernel_zydis PRIVATE -ffreestanding -nostdlib -mno-red-zone -mcmodel=kernel
  -fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only -O2 -g -w)

# lwIP, built freestanding the same way, with our configuration (net/lwipopts.h,
# net/arch/cc.h): the core, IPv4, IPv6 and Ethernet; not its socket or netconn layers.
set(LWIP_DIR ${ELFIN_THIRD_PARTY}/lwip/src)
if(NOT EXISTS ${LWIP_DIR}/core/tcp.c)
  message(FATAL_ERROR "third_party/lwip is missing: run scripts/setup first")
endif()
file(GLOB ELFIN_LWIP_SOURCES ${LWIP_DIR}/core/*.c ${LWIP_DIR}/core/ipv4/*.c ${LWIP_DIR}/core/ipv6/*.c)
list(APPEND ELFIN_LWIP_SOURCES ${LWIP_DIR}/netif/ethernet.c)
add_library(kernel_lwip STATIC ${ELFIN_LWIP_SOURCES})
target_include_directories(kernel_lwip SYSTEM PUBLIC ${CMAKE_SOURCE_DIR}/net ${LWIP_DIR}/include)
target_compile_options(kernel_lwip PRIVATE -ffreestanding -nostdlib -mno-red-zone -mcmodel=kernel
  -fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only -fno-builtin -O2 -g -w)

add_library(kernel_objs OBJECT ${ELFIN_KERNEL_SOURCES} ${ELFIN_GEN}/syscall_table.cpp)
target_include_directories(kernel_objs PRIVATE ${CMAKE_SOURCE_DIR} ${ELFIN_GEN})
target_compile_definitions(kernel_objs PRIVATE ELFIN_KERNEL=1)
target_compile_options(kernel_objs PRIVATE ${ELFIN_KERNEL_FLAGS})
target_link_libraries(kernel_objs PRIVATE kernel_zydis kernel_lwip)
add_dependencies(kernel_objs syscall_table vdso_image)

set(ELFIN_LDSCRIPT ${CMAKE_SOURCE_DIR}/platform/x86_64/linker.ld)
# --wrap=dns_setserver: lwIP's DHCP and DHCPv6 clients both number their DNS
# servers from 0 in lwIP's one table; the kernel keeps them apart (net/stack.cpp).
set(ELFIN_KERNEL_LINK ${CMAKE_CXX_COMPILER} -nostdlib -static -no-pie -Wl,--no-dynamic-linker
  -Wl,-T,${ELFIN_LDSCRIPT} -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,--no-warn-rwx-segments
  -Wl,--wrap=dns_setserver)
set(ELFIN_KDIR ${CMAKE_BINARY_DIR}/kernel)
file(MAKE_DIRECTORY ${ELFIN_KDIR})
add_custom_command(
  OUTPUT ${ELFIN_KDIR}/elfin-kernel ${ELFIN_KDIR}/elfin-kernel.sym
  COMMAND ${ELFIN_KERNEL_LINK} -o ${ELFIN_KDIR}/stage1.elf $<TARGET_OBJECTS:kernel_objs>
          $<TARGET_FILE:kernel_zydis> $<TARGET_FILE:kernel_lwip> ${CMAKE_SOURCE_DIR}/platform/x86_64/ksyms_empty.s -lgcc
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/platform/x86_64/gen_ksyms.py
          ${ELFIN_KDIR}/stage1.elf ${ELFIN_KDIR}/ksyms.s
  COMMAND ${ELFIN_KERNEL_LINK} -o ${ELFIN_KDIR}/elfin-kernel.sym $<TARGET_OBJECTS:kernel_objs>
          $<TARGET_FILE:kernel_zydis> $<TARGET_FILE:kernel_lwip> ${ELFIN_KDIR}/ksyms.s -lgcc
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/platform/x86_64/gen_ksyms.py --check
          ${ELFIN_KDIR}/stage1.elf ${ELFIN_KDIR}/elfin-kernel.sym
  COMMAND ${CMAKE_OBJCOPY} --strip-debug ${ELFIN_KDIR}/elfin-kernel.sym ${ELFIN_KDIR}/elfin-kernel
  DEPENDS kernel_objs kernel_zydis kernel_lwip $<TARGET_OBJECTS:kernel_objs> ${ELFIN_LDSCRIPT}
          ${CMAKE_SOURCE_DIR}/platform/x86_64/gen_ksyms.py ${CMAKE_SOURCE_DIR}/platform/x86_64/ksyms_empty.s
  COMMAND_EXPAND_LISTS
  COMMENT "Linking the kernel")
add_custom_target(kernel ALL DEPENDS ${ELFIN_KDIR}/elfin-kernel)
