import Netfilter

/// The outer packets the kernel's tunnel drivers build around a forwarded pod packet. The outer
/// packet is the same skb: `iptunnel_xmit` scrubs conntrack but keeps the mark (the tunnel and
/// its device are in one namespace), so it enters OUTPUT with the inner packet's mark.
enum TunnelPacket {
    /// `ipip_tunnel_xmit` → `ip_tunnel_xmit` on Calico's `tunl0` (the fallback device the ipip
    /// module creates: `remote any local any ttl inherit nopmtudisc`): the destination is the
    /// route's gateway (an NBMA tunnel takes it from the nexthop), the source the address the
    /// underlay route picks; TTL 0 means inherit the inner TTL, tos 0 keeps only the inner ECN
    /// bits, and DF is copied from the inner header. The IP ID is the kernel's hashed choice, not
    /// reproducible; pathsim leaves it 0.
    static func ipip(_ inner: Packet, source: IPv4Address, destination: IPv4Address) -> Packet {
        var outer = Packet(source: source, destination: destination, proto: IPProtocolNumber.ipencap, totalLength: inner.totalLength &+ 20)
        outer.ttl = inner.ttl
        outer.tos = ecnEncapsulated(inner.tos)
        outer.dontFragment = inner.dontFragment
        outer.mark = inner.mark
        return outer
    }

    /// Bytes VXLAN adds around the inner IP packet: outer UDP header, VXLAN header, inner Ethernet header.
    static let vxlanOverhead: UInt16 = 8 + 8 + 14

    /// `vxlan_xmit_one` on felix's `vxlan.calico` (no ttl, tos or df configured): TTL from the
    /// route (64), no DF, destination port the configured one. The source port is
    /// `udp_flow_src_port`'s hash of the inner flow with a per-boot key, in the namespace's local
    /// port range; pathsim uses a stable hash of the inner addresses and ports in 32768–60999.
    static func vxlan(_ inner: Packet, source: IPv4Address, destination: IPv4Address, port: UInt16) -> Packet {
        var outer = Packet(source: source, destination: destination, proto: IPProtocolNumber.udp, totalLength: inner.totalLength &+ 20 &+ vxlanOverhead)
        outer.sourcePort = flowSourcePort(inner)
        outer.destinationPort = port
        outer.tos = ecnEncapsulated(inner.tos)
        outer.mark = inner.mark
        return outer
    }

    /// `INET_ECN_encapsulate(0, inner)`: the inner ECN codepoint, CE becoming ECT(0).
    static func ecnEncapsulated(_ innerTOS: UInt8) -> UInt8 {
        let ecn = innerTOS & 0x3
        return ecn == 0x3 ? 0x2 : ecn
    }

    static func flowSourcePort(_ inner: Packet) -> UInt16 {
        // FNV-1a: the same flow always gets the same port, so both directions' traces are stable.
        var hash: UInt32 = 2_166_136_261
        for value in [inner.source.value, inner.destination.value, UInt32(inner.proto), UInt32(inner.sourcePort) << 16 | UInt32(inner.destinationPort)] {
            for shift in stride(from: 0, to: 32, by: 8) {
                hash = (hash ^ (value >> UInt32(shift) & 0xff)) &* 16_777_619
            }
        }
        return UInt16(32768 + hash % (60999 - 32768 + 1))
    }
}
