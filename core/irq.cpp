#include "core/irq.h"
#include "core/time.h"

namespace core::irq {

namespace {
constexpr u8 FIRST = 0x30, LAST = 0xef;
struct Slot {
    Handler handler;
    void* context;
};
Slot g_slots[256];
u8 g_next = FIRST;
} // namespace

Result<u8> allocate(Handler handler, void* context)
{
    if (g_next > LAST) return Errno::EBUSY;
    u8 v = g_next++;
    g_slots[v] = { handler, context };
    return v;
}

bool dispatch(u8 vector)
{
    Slot& s = g_slots[vector];
    if (!s.handler) return false;
    s.handler(s.context);
    time::end_of_interrupt();
    return true;
}

} // namespace core::irq
