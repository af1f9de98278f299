#pragma once
// NETLINK_ROUTE's requests and replies (rtnetlink), as net/netlink.cpp's
// sockets need them: RTM_GETLINK, RTM_GETADDR and RTM_GETROUTE dumps built
// from the interface snapshot (net/interfaces.h), RTM_GETLINK for one link,
// RTM_GETROUTE for one destination, NLMSG_ERROR for the rest, and the
// notifications of what changed. The messages are Linux's byte for byte
// (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h).
#include "core/result.h"
#include "core/types.h"
#include "core/vector.h"
#include "net/interfaces.h"

namespace net {

struct NlMsgHdr {
    u32 len;
    u16 type, flags;
    u32 seq, pid;
};
static_assert(sizeof(NlMsgHdr) == 16);

constexpr u16 NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_MIN_TYPE = 0x10;
constexpr u16 NLM_F_REQUEST = 1, NLM_F_MULTI = 2, NLM_F_ACK = 4, NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200,
              NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH, NLM_F_CAPPED = 0x100;
constexpr u16 RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_DELADDR = 21,
              RTM_GETADDR = 22, RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26, RTM_MAX = 127;

constexpr size_t nlmsg_align(size_t n) { return (n + 3) & ~size_t(3); }

using Bytes = core::Vector<u8>;

// What a request produced: its reply messages, each a whole netlink message
// (a dump's end with NLMSG_DONE), and `error`, the errno its NLMSG_ERROR
// carries, 0 for an acknowledgement. A dump is never acknowledged.
struct RouteReply {
    core::Vector<Bytes> messages;
    bool dump { false };
    int error { 0 };
};

// One request message (its header says its length, at least a header and
// within the datagram) from the socket `portid`.
ErrorOr handle_route_request(const u8* msg, u32 portid, RouteReply& reply);
// The NLMSG_ERROR answering `request` with `error` (0: the acknowledgement,
// the request's header only; else the whole request unless `cap_ack`).
Result<Bytes> error_message(const u8* request, int error, u32 portid, bool cap_ack);
ErrorOr append_bytes(Bytes& b, const void* p, size_t n);

// The multicast group (RTNLGRP_*, 1-based) that hears of `change`.
u32 change_group(const InterfaceChange& change);
// The notification of `change`: RTM_NEWLINK, RTM_NEWADDR/RTM_DELADDR or
// RTM_NEWROUTE/RTM_DELROUTE, with sequence number and port id 0 as Linux
// sends what no request caused.
Result<Bytes> change_message(const InterfaceChange& change);

} // namespace net
