#pragma once
// Own<T>: sole owner of a heap object (the kernel's unique_ptr). make<T> returns
// ENOMEM instead of panicking when the heap is exhausted.
#include <new>
#include <utility>
#include "core/result.h"

namespace core {

template<typename T>
class Own {
public:
    Own() = default;
    explicit Own(T* p) : m_ptr(p) {}
    Own(Own&& o) : m_ptr(o.leak()) {}
    template<typename U>
    Own(Own<U>&& o) : m_ptr(o.leak()) {}
    Own& operator=(Own&& o)
    {
        if (this != &o) { reset(); m_ptr = o.leak(); }
        return *this;
    }
    Own(const Own&) = delete;
    Own& operator=(const Own&) = delete;
    ~Own() { reset(); }

    void reset() { delete m_ptr; m_ptr = nullptr; }
    T* leak() { T* p = m_ptr; m_ptr = nullptr; return p; }
    T* ptr() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }

private:
    T* m_ptr { nullptr };
};

template<typename T, typename... Args>
Result<Own<T>> make(Args&&... args)
{
    T* p = new (std::nothrow) T(std::forward<Args>(args)...);
    if (!p) return Errno::ENOMEM;
    return Own<T>(p);
}

} // namespace core
