# The vDSO: a tiny shared object built with the host compiler, checked
# (no relocations, the right symbol versions), then embedded in the kernel by
# loader/vdso/image.S. Included from kernel.cmake; adds image.S to
# ELFIN_KERNEL_SOURCES.
set(ELFIN_VDSO_DIR ${CMAKE_SOURCE_DIR}/loader/vdso)
set(ELFIN_VDSO_OUT ${CMAKE_BINARY_DIR}/vdso)
set(ELFIN_VDSO_IMAGE ${ELFIN_VDSO_OUT}/vdso.so)
file(MAKE_DIRECTORY ${ELFIN_VDSO_OUT})
# -fcf-protection=none: no endbr64 (nothing here is reached indirectly but
# the entry points, and Linux's vDSO has none either on CPUs without CET).
set(ELFIN_VDSO_CFLAGS -std=c++20 -fPIC -O2 -g -ffreestanding -fno-exceptions -fno-rtti
  -fno-stack-protector -fno-builtin -fno-jump-tables -fasynchronous-unwind-tables -fcf-protection=none
  -Wall -Wextra -Werror -I${CMAKE_SOURCE_DIR})
set(ELFIN_VDSO_LDFLAGS -nostdlib -shared -Wl,-T,${ELFIN_VDSO_DIR}/vdso.lds -Wl,-soname=linux-vdso.so.1
  -Wl,--hash-style=both -Wl,--build-id=sha1 -Wl,-Bsymbolic -Wl,-z,max-page-size=4096
  -Wl,--eh-frame-hdr -Wl,-z,noexecstack -Wl,--no-undefined)
add_custom_command(
  OUTPUT ${ELFIN_VDSO_IMAGE} ${ELFIN_VDSO_OUT}/vdso.dbg
  COMMAND ${CMAKE_CXX_COMPILER} ${ELFIN_VDSO_CFLAGS} -c ${ELFIN_VDSO_DIR}/vclock.cpp -o ${ELFIN_VDSO_OUT}/vclock.o
  COMMAND ${CMAKE_CXX_COMPILER} ${ELFIN_VDSO_LDFLAGS} ${ELFIN_VDSO_OUT}/vclock.o -o ${ELFIN_VDSO_OUT}/vdso.dbg
  COMMAND ${Python3_EXECUTABLE} ${ELFIN_VDSO_DIR}/check_vdso.py ${ELFIN_VDSO_OUT}/vdso.dbg
  COMMAND ${CMAKE_OBJCOPY} --strip-debug ${ELFIN_VDSO_OUT}/vdso.dbg ${ELFIN_VDSO_IMAGE}
  DEPENDS ${ELFIN_VDSO_DIR}/vclock.cpp ${ELFIN_VDSO_DIR}/vdso.lds ${ELFIN_VDSO_DIR}/check_vdso.py
          ${CMAKE_SOURCE_DIR}/core/vvar.h ${CMAKE_SOURCE_DIR}/core/types.h
  COMMAND_EXPAND_LISTS
  COMMENT "Building the vDSO")
add_custom_target(vdso_image DEPENDS ${ELFIN_VDSO_IMAGE})

list(APPEND ELFIN_KERNEL_SOURCES ${ELFIN_VDSO_DIR}/image.S)
set_source_files_properties(${ELFIN_VDSO_DIR}/image.S PROPERTIES
  COMPILE_DEFINITIONS "ELFIN_VDSO_IMAGE=\"${ELFIN_VDSO_IMAGE}\""
  OBJECT_DEPENDS ${ELFIN_VDSO_IMAGE})
