#pragma once
// A growable array whose growth reports ENOMEM instead of panicking.
#include <new>
#include <utility>
#include <cstddef>
#include "core/result.h"

namespace core {

template<typename T>
class Vector {
public:
    Vector() = default;
    Vector(Vector&& o) : m_data(o.m_data), m_size(o.m_size), m_cap(o.m_cap)
    {
        o.m_data = nullptr; o.m_size = o.m_cap = 0;
    }
    Vector& operator=(Vector&& o)
    {
        if (this != &o) {
            clear_and_free();
            m_data = o.m_data; m_size = o.m_size; m_cap = o.m_cap;
            o.m_data = nullptr; o.m_size = o.m_cap = 0;
        }
        return *this;
    }
    Vector(const Vector&) = delete;
    Vector& operator=(const Vector&) = delete;
    ~Vector() { clear_and_free(); }

    size_t size() const { return m_size; }
    bool is_empty() const { return m_size == 0; }
    T* data() { return m_data; }
    const T* data() const { return m_data; }
    T& operator[](size_t i) { VERIFY(i < m_size); return m_data[i]; }
    const T& operator[](size_t i) const { VERIFY(i < m_size); return m_data[i]; }
    T& last() { VERIFY(m_size); return m_data[m_size - 1]; }
    T* begin() { return m_data; }
    T* end() { return m_data + m_size; }
    const T* begin() const { return m_data; }
    const T* end() const { return m_data + m_size; }

    ErrorOr reserve(size_t n)
    {
        if (n <= m_cap) return {};
        T* nd = static_cast<T*>(::operator new(n * sizeof(T), std::nothrow));
        if (!nd) return Errno::ENOMEM;
        for (size_t i = 0; i < m_size; i++) {
            new (&nd[i]) T(std::move(m_data[i]));
            m_data[i].~T();
        }
        ::operator delete(m_data);
        m_data = nd;
        m_cap = n;
        return {};
    }
    ErrorOr append(T v) { return insert(m_size, std::move(v)); }
    ErrorOr insert(size_t at, T v)
    {
        VERIFY(at <= m_size);
        if (m_size == m_cap) TRY(reserve(m_cap ? m_cap * 2 : 8));
        if (at == m_size) {
            new (&m_data[m_size]) T(std::move(v));
        } else {
            new (&m_data[m_size]) T(std::move(m_data[m_size - 1]));
            for (size_t i = m_size - 1; i > at; i--) m_data[i] = std::move(m_data[i - 1]);
            m_data[at] = std::move(v);
        }
        m_size++;
        return {};
    }
    void remove(size_t at)
    {
        VERIFY(at < m_size);
        for (size_t i = at; i + 1 < m_size; i++) m_data[i] = std::move(m_data[i + 1]);
        m_data[--m_size].~T();
    }
    T take_last()
    {
        VERIFY(m_size);
        T v = std::move(m_data[m_size - 1]);
        m_data[--m_size].~T();
        return v;
    }
    void clear()
    {
        for (size_t i = 0; i < m_size; i++) m_data[i].~T();
        m_size = 0;
    }

private:
    void clear_and_free()
    {
        clear();
        ::operator delete(m_data);
        m_data = nullptr;
        m_cap = 0;
    }
    T* m_data { nullptr };
    size_t m_size { 0 };
    size_t m_cap { 0 };
};

} // namespace core
