#pragma once
// Intrusive reference counting (single address space, so no weak refs needed yet).
#include <atomic>
#include <utility>
#include "core/result.h"

namespace core {

class RefCounted {
public:
    void ref() const { m_refs.fetch_add(1, std::memory_order_relaxed); }
    bool unref() const { return m_refs.fetch_sub(1, std::memory_order_acq_rel) == 1; }
    unsigned ref_count() const { return m_refs.load(std::memory_order_relaxed); }

protected:
    RefCounted() = default;
    virtual ~RefCounted() = default;
    template<typename> friend class Ref;

private:
    mutable std::atomic<unsigned> m_refs { 0 };
};

template<typename T>
class Ref {
public:
    Ref() = default;
    Ref(T* p) : m_ptr(p) { if (m_ptr) m_ptr->ref(); }
    Ref(const Ref& o) : Ref(o.m_ptr) {}
    template<typename U>
    Ref(const Ref<U>& o) : Ref(o.ptr()) {}
    Ref(Ref&& o) : m_ptr(o.m_ptr) { o.m_ptr = nullptr; }
    Ref& operator=(Ref o) { std::swap(m_ptr, o.m_ptr); return *this; }
    ~Ref() { if (m_ptr && m_ptr->unref()) delete m_ptr; }

    T* ptr() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }
    bool operator==(const Ref& o) const { return m_ptr == o.m_ptr; }

private:
    T* m_ptr { nullptr };
};

template<typename T, typename... Args>
Result<Ref<T>> make_ref(Args&&... args)
{
    T* p = new (std::nothrow) T(std::forward<Args>(args)...);
    if (!p) return Errno::ENOMEM;
    return Ref<T>(p);
}

} // namespace core
