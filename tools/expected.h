#pragma once
// A value or an error a person can read. The tool's library reports failures
// this way; only main.cpp (the CLI edge) turns them into messages and exit codes.
#include <string>
#include <utility>
#include <variant>

namespace elfin {

// Exit codes of the tool itself (the program's own status passes through).
constexpr int EXIT_USAGE = 2;       // bad command line
constexpr int EXIT_FAILURE_ = 1;    // anything else that stopped us before or around the VM
constexpr int EXIT_PANIC = 70;      // the kernel panicked (EX_SOFTWARE)
constexpr int EXIT_NO_STATUS = 71;  // the VM ended without telling us how the program ended
constexpr int EXIT_TIMEOUT = 124;   // --timeout expired (as timeout(1))

struct Error {
    std::string message; // one line, without the "elfin: " prefix
    int exit_code = EXIT_FAILURE_;
};

inline Error usage_error(std::string message) { return Error { std::move(message), EXIT_USAGE }; }

template<typename T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : m_v(std::move(value)) { }
    Expected(Error error) : m_v(std::move(error)) { }
    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    T& operator*() { return value(); }
    T* operator->() { return &value(); }
    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

struct Ok { };
using Status = Expected<Ok>;

} // namespace elfin

// Propagates an error out of a function returning Expected<…>; evaluates to
// the value otherwise. (A GNU statement expression: GCC and Clang have them.)
#define ELFIN_TRY(expr) ELFIN_TRY_IMPL(expr, ELFIN_TRY_CAT(_elfin_try_, __COUNTER__))
#define ELFIN_TRY_CAT(a, b) ELFIN_TRY_CAT2(a, b)
#define ELFIN_TRY_CAT2(a, b) a##b
#define ELFIN_TRY_IMPL(expr, r)                          \
    ({                                                  \
        auto r = (expr);                                \
        if (!r.ok()) return ::elfin::Error(r.error());  \
        std::move(r.value());                           \
    })
