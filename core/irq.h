#pragma once
// Device interrupts: a driver asks for a vector with its handler, then routes
// its line there (x86::ioapic_route, or an MSI-X entry). Handlers run with
// interrupts off on the CPU that took the interrupt; the end of interrupt is
// sent after the handler returns, so a level-triggered line must have been
// acknowledged at the device by then.
#include "core/types.h"
#include "core/result.h"

namespace core::irq {

using Handler = void (*)(void* context);

// A free vector (0x30-0xef) now calling handler(context).
Result<u8> allocate(Handler handler, void* context);
// Trap dispatch: runs the vector's handler and sends the EOI; false for a
// vector nobody asked for.
bool dispatch(u8 vector);

} // namespace core::irq
