#!/usr/bin/env python3
"""Writes the capture fixtures in this directory (deterministic; python3 standard library only).

The traffic matches the seed snapshot Fixtures/snapshots/calico-2.6-web-deny-all: the client pod
10.139.54.20 (behind cali1f79f9e08f2, ifindex 3) sends to the web pod 10.139.54.158 (behind
cali96bc57f337a, ifindex 4). Every link-type file carries the same four frames, in this order:

    1  TCP SYN   10.139.54.20:41000 > 10.139.54.158:80  seq 1000, IP total length 60   t0
    2  ICMP echo 10.139.54.20 > 10.139.54.158 id 5 seq 1, IP total length 84            t0 + 0.5 s
    3  TCP SYN   retransmission (same seq)                                              t0 + 1 s
    4  TCP SYN   retransmission (same seq)                                              t0 + 2 s

so a "tcp" filter keeps frames 1, 3 and 4. With tcpdump installed, each file tcpdump can read
(truncated.pcap up to its cut record) also gets FILE.txt: the output of `TZ=UTC tcpdump -nn -e -r FILE`.

Run from anywhere: python3 Fixtures/pcap/make-captures.py
"""

import os
import shutil
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))

CLIENT_IP = bytes([10, 139, 54, 20])
WEB_IP = bytes([10, 139, 54, 158])
# The pod's eth0 (invented, kubenet style 0a:58 + IP) and the host end of its veth, cali1f79f9e08f2
# (its address in ip-link.json). Frames arriving on cali1f79f9e08f2 go from the first to the second.
CLIENT_POD_MAC = bytes.fromhex("0a580a8b3614")
CALI_CLIENT_MAC = bytes.fromhex("fe640d81e102")
CALI_CLIENT_IFINDEX = 3

T0_SECONDS = 1700000000          # 2023-11-14 22:13:20 UTC
T0_MICROS = 250000
SUB_MICRO_NANOS = 123            # the nanosecond files add this, so µs readers would lose it

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_IEEE802_11 = 105
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_VLAN = 0x8100


# --- IPv4 and transport headers ------------------------------------------------------------------

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def ipv4(proto, src, dst, payload, ident, df=True, more_fragments=False, offset_units=0,
         total_length=None):
    length = total_length if total_length is not None else 20 + len(payload)
    flags = (0x4000 if df else 0) | (0x2000 if more_fragments else 0) | offset_units
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, ident, flags, 64, proto, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def pseudo_header(src, dst, proto, length):
    return src + dst + struct.pack("!BBH", 0, proto, length)


def tcp_syn(src, dst, sport, dport, seq, tsval):
    options = (b"\x02\x04\x05\xb4"                       # MSS 1460
               + b"\x04\x02"                             # SACK permitted
               + b"\x08\x0a" + struct.pack("!II", tsval, 0)
               + b"\x01"                                 # NOP
               + b"\x03\x03\x07")                        # window scale 7
    assert len(options) == 20
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (40 // 4) << 4, 0x02, 64240, 0, 0)
    segment = header + options
    csum = checksum(pseudo_header(src, dst, 6, len(segment)) + segment)
    return segment[:16] + struct.pack("!H", csum) + segment[18:]


def icmp_echo_request(ident, seq):
    data = bytes(range(0x10, 0x10 + 56))
    message = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return message[:2] + struct.pack("!H", checksum(message)) + message[4:]


def udp(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    segment = struct.pack("!HHHH", sport, dport, length, 0) + payload
    csum = checksum(pseudo_header(src, dst, 17, length) + segment) or 0xFFFF
    return segment[:6] + struct.pack("!H", csum) + segment[8:]


def conversation():
    """[(seconds, nanoseconds, ip packet)]: the four frames every link-type file holds."""
    def syn(number, ident, tsval):
        return ipv4(6, CLIENT_IP, WEB_IP, tcp_syn(CLIENT_IP, WEB_IP, 41000, 80, 1000, tsval), ident)
    t0_nanos = T0_MICROS * 1000
    frames = [
        (T0_SECONDS, t0_nanos, syn(1, 1, 3000000)),
        (T0_SECONDS, t0_nanos + 500_000_000, ipv4(1, CLIENT_IP, WEB_IP, icmp_echo_request(5, 1), 2)),
        (T0_SECONDS + 1, t0_nanos, syn(3, 3, 3001000)),
        (T0_SECONDS + 2, t0_nanos, syn(4, 4, 3002000)),
    ]
    assert [len(f[2]) for f in frames] == [60, 84, 60, 60]
    return frames


def fragmented_datagram():
    """A 3000-byte UDP datagram (IP total length) cut at MTU 1500 into three fragments, sent out of order."""
    # A DNS query (so tcpdump decodes the first fragment) padded with a counting pattern.
    question = b"".join(bytes([len(label)]) + label for label in b"web.default.svc.cluster.local".split(b"."))
    dns = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + question + b"\0" + struct.pack("!HH", 1, 1)
    payload = dns + bytes(i % 256 for i in range(3000 - 20 - 8 - len(dns)))
    datagram_payload = udp(CLIENT_IP, WEB_IP, 5000, 53, payload)       # 2980 bytes after the IP header
    ident = 0x1234
    pieces = [(0, datagram_payload[0:1480], True),
              (1480, datagram_payload[1480:2960], True),
              (2960, datagram_payload[2960:], False)]
    packets = [ipv4(17, CLIENT_IP, WEB_IP, data, ident, df=False, more_fragments=mf, offset_units=off // 8)
               for off, data, mf in pieces]
    order = [1, 0, 2]                     # middle, first, last
    base = T0_SECONDS + 10
    return [(base, i * 100_000, packets[k]) for i, k in enumerate(order)]


# --- link-layer headers ---------------------------------------------------------------------------

def ethernet(packet):
    return CALI_CLIENT_MAC + CLIENT_POD_MAC + struct.pack("!H", ETHERTYPE_IPV4) + packet


def ethernet_vlan(packet, vlan_id=100):
    return (CALI_CLIENT_MAC + CLIENT_POD_MAC + struct.pack("!HHH", ETHERTYPE_VLAN, vlan_id, ETHERTYPE_IPV4)
            + packet)


def sll(packet):
    # packet type 0 (host), ARPHRD_ETHER, address length 6, the sender's MAC padded to 8
    return struct.pack("!HHH", 0, 1, 6) + CLIENT_POD_MAC + b"\0\0" + struct.pack("!H", ETHERTYPE_IPV4) + packet


def sll2(packet):
    # protocol, reserved, ifindex, ARPHRD_ETHER, packet type 0 (host), address length 6, address
    return (struct.pack("!HHIHBB", ETHERTYPE_IPV4, 0, CALI_CLIENT_IFINDEX, 1, 0, 6) + CLIENT_POD_MAC + b"\0\0"
            + packet)


def null(packet):
    return struct.pack("<I", 2) + packet          # AF_INET in the (little-endian) writer's order


def loop(packet):
    return struct.pack(">I", 2) + packet          # AF_INET in network order


def ieee80211(packet):
    # A data frame to the AP (ToDS): addr1 BSSID, addr2 source, addr3 destination; then LLC/SNAP.
    bssid = bytes.fromhex("020000000001")
    return (struct.pack("<HH", 0x0108, 0) + bssid + CLIENT_POD_MAC + CALI_CLIENT_MAC + struct.pack("<H", 0)
            + bytes.fromhex("aaaa03000000") + struct.pack("!H", ETHERTYPE_IPV4) + packet)


# --- file formats ---------------------------------------------------------------------------------

PCAP_MAGIC_MICRO = 0xA1B2C3D4
PCAP_MAGIC_NANO = 0xA1B23C4D


def pcap(linktype, records, snaplen=262144, nano=False):
    """records: [(seconds, nanoseconds, frame bytes)]; frames longer than snaplen are cut."""
    out = bytearray(struct.pack("<IHHiIII", PCAP_MAGIC_NANO if nano else PCAP_MAGIC_MICRO, 2, 4, 0, 0,
                                snaplen, linktype))
    for seconds, nanos, frame in records:
        fraction = nanos if nano else nanos // 1000
        captured = frame[:snaplen]
        out += struct.pack("<IIII", seconds, fraction, len(captured), len(frame)) + captured
    return bytes(out)


def pcapng_block(block_type, body):
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def pcapng_option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng(linktype, records, interface_name, snaplen=262144):
    """One section, one interface with nanosecond resolution (if_tsresol 9), Enhanced Packet Blocks."""
    end_of_options = struct.pack("<HH", 0, 0)
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
                       + pcapng_option(4, b"pathsim Fixtures/pcap/make-captures.py") + end_of_options)
    idb = pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen)
                       + pcapng_option(2, interface_name.encode())
                       + pcapng_option(9, bytes([9]))
                       + end_of_options)
    out = bytearray(shb + idb)
    for seconds, nanos, frame in records:
        stamp = seconds * 1_000_000_000 + nanos
        captured = frame[:snaplen]
        out += pcapng_block(6, struct.pack("<IIIII", 0, stamp >> 32, stamp & 0xFFFFFFFF, len(captured), len(frame))
                            + captured)
    return bytes(out)


# --- the fixtures ---------------------------------------------------------------------------------

def framed(wrap, packets, nano_offset=0):
    return [(s, n + nano_offset, wrap(p)) for s, n, p in packets]


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    talk = conversation()
    files = {
        "ethernet.pcap": pcap(LINKTYPE_ETHERNET, framed(ethernet, talk)),
        "ethernet-vlan.pcap": pcap(LINKTYPE_ETHERNET, framed(ethernet_vlan, talk)),
        "sll.pcap": pcap(LINKTYPE_LINUX_SLL, framed(sll, talk)),
        "sll2.pcap": pcap(LINKTYPE_LINUX_SLL2, framed(sll2, talk)),
        "raw.pcap": pcap(LINKTYPE_RAW, framed(lambda p: p, talk)),
        "null.pcap": pcap(LINKTYPE_NULL, framed(null, talk)),
        "loop.pcap": pcap(LINKTYPE_LOOP, framed(loop, talk)),
        "ethernet.pcapng": pcapng(LINKTYPE_ETHERNET, framed(ethernet, talk, SUB_MICRO_NANOS), "cali1f79f9e08f2"),
        "sll2-nanosecond.pcap": pcap(LINKTYPE_LINUX_SLL2, framed(sll2, talk, SUB_MICRO_NANOS), nano=True),
        "snaplen.pcap": pcap(LINKTYPE_ETHERNET, framed(ethernet, talk), snaplen=54),
        "fragments.pcap": pcap(LINKTYPE_ETHERNET, framed(ethernet, fragmented_datagram())),
        "unsupported-linktype.pcap": pcap(LINKTYPE_IEEE802_11, framed(ieee80211, talk)),
    }
    # The last record (frame 4, 74 bytes) keeps its header and only 20 of its bytes.
    whole = files["ethernet.pcap"]
    last_record_length = 16 + 74
    files["truncated.pcap"] = whole[:len(whole) - last_record_length + 16 + 20]
    # A plausible header whose magic is garbage, then frame 1 of ethernet.pcap.
    files["corrupt.pcap"] = struct.pack("<I", 0xDEADBEEF) + whole[4:24 + 16 + 74]

    for name, data in files.items():
        write(name, data)

    tcpdump = shutil.which("tcpdump")
    if tcpdump is None:
        print("tcpdump not found: FILE.txt listings not refreshed")
        return
    env = dict(os.environ, TZ="UTC")
    for name in sorted(files):
        path = os.path.join(HERE, name)
        run = subprocess.run([tcpdump, "-nn", "-e", "-r", path], capture_output=True, text=True, env=env)
        listing = path + ".txt"
        # truncated.pcap is listed up to its cut record; corrupt.pcap gets no listing.
        if run.stdout:
            with open(listing, "w") as f:
                f.write(run.stdout)
        elif os.path.exists(listing):
            os.remove(listing)
        print("%-28s tcpdump exit %d  %s" % (name, run.returncode, (run.stderr.strip().splitlines() or [""])[-1]))


if __name__ == "__main__":
    main()
