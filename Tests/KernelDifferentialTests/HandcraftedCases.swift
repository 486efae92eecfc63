import Foundation

/// Hand-written differential cases, each aimed at one piece of kernel behaviour. Interfaces
/// and addresses are the oracle's topology: eth0 192.168.0.10/24 (gateway 192.168.0.1), pods
/// 10.65.0.2 on cali1f79f9e08f2, 10.65.0.3 on cali96bc57f337a, 10.65.0.4 on cali0a1b2c3d4e5.
enum HandcraftedCases {
    static let podA = "cali1f79f9e08f2"
    static let podB = "cali96bc57f337a"
    static let podC = "cali0a1b2c3d4e5"

    static func fixture(_ path: String) -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("Fixtures/\(path)"), encoding: .utf8)) ?? ""
    }

    static func all() throws -> [DifferentialCase] {
        var cases: [DifferentialCase] = []
        func add(_ name: String, _ rules: String, sets: String = "", _ specs: [String]) throws {
            cases.append(DifferentialCase(name: name, iptablesSave: rules, ipsetSave: sets, packets: try DifferentialRunner.packets(specs)))
        }
        let syn = "in=\(podA) tcp 10.65.0.2:41000 > 10.65.0.3:80 flags=S len=60"

        // The seed article's node: three SYNs to the web pod end at "Drop if no policies passed packet".
        try add("seed web-deny-all", fixture("snapshots/calico-2.6-web-deny-all/iptables-save.txt"),
                sets: fixture("snapshots/calico-2.6-web-deny-all/ipset-save.txt"),
                [syn, syn, syn, "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:41000 flags=S.", "in=eth0 icmp 192.168.0.50 > 10.65.0.2 type=8 id=3 seq=1",
                 "local udp 192.168.0.10:5000 > 10.65.0.3:53", "in=\(podA) udp 10.65.0.2:5000 > 8.8.8.8:53"])

        try add("goto and return", fixture("rules/goto-return.rules"), ["in=\(podA) icmp 10.65.0.2 > 10.65.0.3 type=8 id=1 seq=1", "in=\(podA) udp 10.65.0.2:1000 > 10.65.0.3:53 payload=10"])

        try add("conntrack states", """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate NEW -m comment --comment new
        -A FORWARD -m conntrack --ctstate ESTABLISHED -m comment --comment established
        -A FORWARD -m conntrack --ctstate RELATED -m comment --comment related
        -A FORWARD -m conntrack --ctstate INVALID -j DROP
        -A FORWARD -m conntrack --ctstatus SEEN_REPLY -m comment --comment seen
        -A FORWARD -m conntrack --ctstatus ASSURED -m comment --comment assured
        -A FORWARD -m conntrack --ctdir REPLY -m comment --comment reply
        -A FORWARD -m state --state NEW,ESTABLISHED -m comment --comment state
        COMMIT

        """, [
            "in=\(podA) tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S", "in=\(podA) tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S",
            "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:1000 flags=S.", "in=\(podA) tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=.",
            "in=\(podA) tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=P. payload=100", "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:1000 flags=.",
            "in=\(podA) tcp 10.65.0.2:1001 > 10.65.0.3:80 flags=S", "in=\(podA) tcp 10.65.0.2:1001 > 10.65.0.3:80 flags=.",
            "in=\(podB) tcp 10.65.0.3:81 > 10.65.0.2:1002 flags=S.",
            "in=\(podA) udp 10.65.0.2:3333 > 10.65.0.3:53", "in=\(podB) udp 10.65.0.3:53 > 10.65.0.2:3333",
            "in=\(podB) icmp 10.65.0.3 > 10.65.0.2 type=3 code=3 quote=udp,10.65.0.2:3333,10.65.0.3:53",
            "in=\(podA) icmp 10.65.0.2 > 10.65.0.3 type=8 id=7 seq=1", "in=\(podB) icmp 10.65.0.3 > 10.65.0.2 type=0 id=7 seq=1",
            "in=\(podB) icmp 10.65.0.3 > 10.65.0.2 type=0 id=99 seq=1",
            "in=\(podA) tcp 10.65.0.2:1003 > 10.65.0.3:80 flags=S", "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:1003 flags=R.",
            "in=\(podA) tcp 10.65.0.2:1003 > 10.65.0.3:80 flags=S",
            "in=\(podA) tcp 10.65.0.2:1004 > 10.65.0.3:80 flags=SF",
        ])

        try add("service dnat and masquerade", """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :SVC - [0:0]
        :MASQ - [0:0]
        -A PREROUTING -m comment --comment "kubernetes service portals" -j SVC
        -A OUTPUT -m comment --comment "kubernetes service portals" -j SVC
        -A POSTROUTING -j MASQ
        -A SVC -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.65.0.3:8080
        -A SVC -d 10.96.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.65.0.4
        -A MASQ -o eth0 -j MASQUERADE
        -A MASQ -s 10.65.0.2/32 -d 10.65.0.4/32 -j SNAT --to-source 10.65.0.9
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate DNAT -m conntrack --ctorigdst 10.96.0.10/32 --ctorigdstport 80 -m comment --comment "service traffic"
        -A FORWARD -m conntrack --ctstate SNAT -m comment --comment snat
        -A FORWARD -d 10.65.0.3/32 -p tcp -m tcp --dport 8080 -j ACCEPT
        COMMIT

        """, [
            "in=\(podA) tcp 10.65.0.2:1000 > 10.96.0.10:80 flags=S", "in=\(podB) tcp 10.65.0.3:8080 > 10.65.0.2:1000 flags=S.",
            "in=\(podA) tcp 10.65.0.2:1000 > 10.96.0.10:80 flags=.",
            "in=\(podA) udp 10.65.0.2:5353 > 10.96.0.11:53", "in=\(podC) udp 10.65.0.4:53 > 10.65.0.9:5353",
            "in=\(podA) udp 10.65.0.2:6000 > 8.8.8.8:53", "in=eth0 udp 8.8.8.8:53 > 192.168.0.10:6000",
            "local tcp 192.168.0.10:2000 > 10.96.0.10:80 flags=S",
        ])

        try add("reject", """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -p tcp -m tcp --dport 81 -j REJECT --reject-with tcp-reset
        -A FORWARD -p udp -j REJECT --reject-with icmp-port-unreachable
        -A FORWARD -p icmp -j REJECT --reject-with icmp-admin-prohibited
        -A OUTPUT -m conntrack --ctstate RELATED -m comment --comment "generated by REJECT"
        -A OUTPUT -p tcp -m tcp --tcp-flags RST RST -m comment --comment rst
        COMMIT

        """, [
            "in=\(podA) tcp 10.65.0.2:1000 > 10.65.0.3:81 flags=S", "in=\(podA) udp 10.65.0.2:1000 > 10.65.0.3:53",
            "in=\(podA) icmp 10.65.0.2 > 10.65.0.3 type=8 id=4 seq=1", "in=eth0 udp 192.168.0.1:1000 > 10.65.0.4:53",
        ])

        try add("sets", """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m set --match-set hnet dst --return-nomatch -m comment --comment "nomatch element"
        -A FORWARD -m set --match-set hnet src -m comment --comment "from the net"
        -A FORWARD -m set ! --match-set hnet dst -m comment --comment "not to the net"
        -A FORWARD -m set --match-set hipport dst,dst -m comment --comment "ip,port"
        -A FORWARD -m set --match-set hipport dst -m comment --comment "too few flags"
        -A FORWARD -m set --match-set lset dst,dst -j DROP
        COMMIT

        """, sets: """
        create hnet hash:net family inet hashsize 1024 maxelem 65536
        add hnet 10.65.0.0/16
        add hnet 10.65.0.3 nomatch
        create hipport hash:ip,port family inet hashsize 1024 maxelem 65536
        add hipport 10.65.0.3,tcp:80
        add hipport 10.65.0.4,icmp:8/0
        create lset list:set size 8
        add lset hipport

        """, [
            "in=\(podA) tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S", "in=\(podA) tcp 10.65.0.2:1000 > 10.65.0.4:80 flags=S",
            "in=\(podA) icmp 10.65.0.2 > 10.65.0.4 type=8 id=5 seq=1", "in=eth0 udp 192.168.0.50:1000 > 10.65.0.3:53",
        ])

        try add("raw notrack, marks and local output", """
        *raw
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A PREROUTING -m conntrack --ctstate INVALID -m comment --comment "raw sees no entry"
        -A PREROUTING -p udp -m udp --dport 4789 -j NOTRACK
        -A PREROUTING -i cali+ -j MARK --set-xmark 0x10000/0x10000
        -A OUTPUT -p udp -m udp --dport 4789 -j CT --notrack
        COMMIT
        *mangle
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A FORWARD -m mark --mark 0x10000/0x10000 -j MARK --set-xmark 0x20000/0x30000
        -A POSTROUTING -m mark --mark 0x20000/0x30000 -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff
        -A POSTROUTING -m connmark --mark 0x20000/0x30000 -m comment --comment connmarked
        -A OUTPUT -m mark ! --mark 0x0 -m comment --comment "local mark"
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate UNTRACKED -j ACCEPT
        -A FORWARD -m mark --mark 0x20000/0x30000 -m addrtype --dst-type UNICAST -m comment --comment marked
        -A OUTPUT -m addrtype --src-type LOCAL -o cali+ -m comment --comment "to a pod"
        -A OUTPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
        -A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT
        COMMIT

        """, [
            "in=\(podA) udp 10.65.0.2:1000 > 10.65.0.3:4789", "in=\(podA) tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S",
            "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:1000 flags=S.",
            "local udp 192.168.0.10:1000 > 10.65.0.3:4789", "local tcp 192.168.0.10:3000 > 10.65.0.4:80 flags=S mark=0x5",
            "in=eth0 icmp 192.168.0.50 > 192.168.0.10 type=8 id=9 seq=1",
        ])
        try add("negated tcp options", """
        *mangle
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -p tcp -m tcp ! --sport 80 ! --dport 443 ! --tcp-flags SYN,RST,ACK SYN -j MARK --or-mark 0x4
        -A PREROUTING -p tcp -m tcp ! --sport 80 -m comment --comment "sport only"
        -A PREROUTING -p tcp -m tcp ! --tcp-flags SYN,RST,ACK SYN -m comment --comment "flags only"
        -A PREROUTING -p tcp -m tcp ! --dport 443 ! --tcp-flags SYN,RST,ACK SYN -m comment --comment "dport and flags"
        COMMIT

        """, ["in=\(podA) tcp 10.65.0.2:80 > 10.65.0.3:42384 flags=S. seq=5 ack=6", "in=\(podA) tcp 10.65.0.2:81 > 10.65.0.3:42384 flags=S. seq=5 ack=6"])
        return cases
    }
}
