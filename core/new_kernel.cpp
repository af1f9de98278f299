// operator new/delete for the kernel: the nothrow forms return nullptr (callers
// turn that into ENOMEM); the throwing forms must never be reached.
#include <new>
#include "mm/heap.h"
#include "core/verify.h"

void* operator new(size_t n, const std::nothrow_t&) noexcept { return mm::kmalloc(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return mm::kmalloc(n); }
void* operator new(size_t n)
{
    void* p = mm::kmalloc(n);
    if (!p) PANIC("kernel heap exhausted (%zu bytes): a caller must use new (std::nothrow)", n);
    return p;
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { mm::kfree(p); }
void operator delete[](void* p) noexcept { mm::kfree(p); }
void operator delete(void* p, size_t) noexcept { mm::kfree(p); }
void operator delete[](void* p, size_t) noexcept { mm::kfree(p); }

namespace std {
const nothrow_t nothrow {};
}
