// A C++ program (built static as cxx, dynamically linked to libstdc++ as cxx-dyn): iostream, std::string, std::vector, std::map, global
// constructors, thread_local, virtual calls and an exception thrown and caught
// (which needs the unwinder to read .eh_frame). Prints one known line.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char *what, int line)
{
    if (!ok) {
        std::cerr << __FILE__ << ":" << line << ": check failed: " << what << "\n";
        failures++;
    }
}
#define CHECK(c) check((c), #c, __LINE__)

struct Registered {
    int value;
    Registered() : value(1234) {}               // run from .init_array before main
};
Registered registered;

thread_local int tls_counter = 5;

struct Shape {
    virtual ~Shape() = default;
    virtual int area() const = 0;
};
struct Square : Shape {
    int side;
    explicit Square(int s) : side(s) {}
    int area() const override { return side * side; }
};

int thrower(int depth)
{
    if (depth == 0)
        throw std::runtime_error("deep error");
    std::string keep = "frame " + std::to_string(depth);   // destroyed while unwinding
    return thrower(depth - 1) + static_cast<int>(keep.size());
}

} // namespace

int main()
{
    CHECK(registered.value == 1234);
    CHECK(tls_counter == 5);
    tls_counter++;
    CHECK(tls_counter == 6);

    std::string s = "unikernel";
    s += "-" + std::string(3, 'x');
    CHECK(s == "unikernel-xxx");
    CHECK(s.find("kernel") == 3);

    std::vector<int> v(1000);
    std::iota(v.begin(), v.end(), 0);
    std::reverse(v.begin(), v.end());
    std::sort(v.begin(), v.end());
    CHECK(v.front() == 0 && v.back() == 999);
    CHECK(std::accumulate(v.begin(), v.end(), 0L) == 499500L);

    std::map<std::string, int> counts;
    for (const char *w : {"a", "b", "a", "c", "a"})
        counts[w]++;
    CHECK(counts.size() == 3 && counts["a"] == 3 && counts["c"] == 1);

    std::vector<std::unique_ptr<Shape>> shapes;
    for (int i = 1; i <= 3; i++)
        shapes.push_back(std::make_unique<Square>(i));
    int total = 0;
    for (auto &sh : shapes)
        total += sh->area();
    CHECK(total == 14);

    bool caught = false;
    try {
        thrower(5);
    } catch (const std::runtime_error &e) {
        caught = std::string(e.what()) == "deep error";
    }
    CHECK(caught);
    try {
        std::vector<int> small(2);
        (void)small.at(10);
        CHECK(false);
    } catch (const std::out_of_range &) {
        caught = true;
    }

    std::ostringstream out;
    out << "cxx: " << s << " " << counts["a"] << " " << total << " " << 3.5;
    CHECK(out.str() == "cxx: unikernel-xxx 3 14 3.5");
    std::cout << out.str() << std::endl;
    return failures ? 1 : 0;
}
