#pragma once
// Result<T>: a value or a Linux errno. Propagate with TRY, assert with MUST.
#include <type_traits>
#include <utility>
#include "core/errno.h"
#include "core/verify.h"

namespace core {

template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_ok(true) { new (&m_storage) T(std::move(value)); }
    Result(Errno e) : m_ok(false), m_error(e) {}
    Result(Result&& o) : m_ok(o.m_ok), m_error(o.m_error)
    {
        if (m_ok) new (&m_storage) T(std::move(o.value_ref()));
    }
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    ~Result() { if (m_ok) value_ref().~T(); }

    bool is_error() const { return !m_ok; }
    Errno error() const { VERIFY(!m_ok); return m_error; }
    T& value() { VERIFY(m_ok); return value_ref(); }
    const T& value() const { VERIFY(m_ok); return value_ref(); }
    T release_value() { VERIFY(m_ok); return std::move(value_ref()); }

private:
    T& value_ref() { return *reinterpret_cast<T*>(&m_storage); }
    const T& value_ref() const { return *reinterpret_cast<const T*>(&m_storage); }
    bool m_ok;
    Errno m_error {};
    alignas(T) unsigned char m_storage[sizeof(T)];
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Errno e) : m_ok(false), m_error(e) {}
    bool is_error() const { return !m_ok; }
    Errno error() const { VERIFY(!m_ok); return m_error; }
    void release_value() {}

private:
    bool m_ok { true };
    Errno m_error {};
};

using ErrorOr = Result<void>;

} // namespace core

using core::Errno;
using core::Result;
using core::ErrorOr;

// Statement-expression propagation, as in SerenityOS AK/Try.h.
#define TRY(expr)                                        \
    ({                                                   \
        auto _try_r = (expr);                            \
        if (_try_r.is_error()) return _try_r.error();    \
        _try_r.release_value();                          \
    })

#define MUST(expr)                                       \
    ({                                                   \
        auto _must_r = (expr);                           \
        VERIFY(!_must_r.is_error());                     \
        _must_r.release_value();                         \
    })
