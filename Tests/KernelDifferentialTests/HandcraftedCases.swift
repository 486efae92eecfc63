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

        // kube-proxy's endpoint choice in a form the kernel makes deterministically: nth
        // mode in the KUBE-SVC shape (every 3, then every 2, then the rest) and probability 1.
        try add("service with several endpoints", """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :KUBE-SERVICES - [0:0]
        :KUBE-SVC-A - [0:0]
        :KUBE-SEP-1 - [0:0]
        :KUBE-SEP-2 - [0:0]
        :KUBE-SEP-3 - [0:0]
        :KUBE-MARK-MASQ - [0:0]
        :KUBE-POSTROUTING - [0:0]
        -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
        -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
        -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
        -A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
        -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
        -A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-A
        -A KUBE-SERVICES -d 10.96.0.21/32 -p udp -m udp --dport 53 -m statistic --mode random --probability 1.00000000000 -j KUBE-SEP-3
        -A KUBE-SERVICES -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j KUBE-SVC-A
        -A KUBE-SVC-A ! -s 10.65.0.0/16 -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ
        -A KUBE-SVC-A -m addrtype --dst-type LOCAL -j KUBE-MARK-MASQ
        -A KUBE-SVC-A -m statistic --mode nth --every 3 --packet 0 -j KUBE-SEP-1
        -A KUBE-SVC-A -m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-2
        -A KUBE-SVC-A -j KUBE-SEP-3
        -A KUBE-SEP-1 -s 10.65.0.2/32 -j KUBE-MARK-MASQ
        -A KUBE-SEP-1 -p tcp -m tcp -j DNAT --to-destination 10.65.0.2:8080
        -A KUBE-SEP-2 -s 10.65.0.3/32 -j KUBE-MARK-MASQ
        -A KUBE-SEP-2 -p tcp -m tcp -j DNAT --to-destination 10.65.0.3:8080
        -A KUBE-SEP-3 -s 10.65.0.4/32 -j KUBE-MARK-MASQ
        -A KUBE-SEP-3 -p tcp -m tcp -j DNAT --to-destination 10.65.0.4:8080
        -A KUBE-SEP-3 -p udp -m udp -j DNAT --to-destination 10.65.0.4:5353
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate INVALID -j DROP
        -A FORWARD -m mark --mark 0x4000/0x4000 -m comment --comment "kubernetes forwarding rules" -j ACCEPT
        -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -m conntrack --ctstate DNAT -m comment --comment dnat
        COMMIT

        """, [
            // ClusterIP from three pods: each endpoint in turn, the client's own endpoint hairpinned.
            "in=\(podA) tcp 10.65.0.2:1000 > 10.96.0.20:80 flags=S", "in=\(podA) tcp 10.65.0.2:1001 > 10.96.0.20:80 flags=S",
            "in=\(podB) tcp 10.65.0.3:1002 > 10.96.0.20:80 flags=S", "in=\(podC) tcp 10.65.0.4:1003 > 10.96.0.20:80 flags=S",
            // The replies, de-translated: from the ClusterIP back to the client (masqueraded ones to the node).
            "in=\(podB) tcp 10.65.0.3:8080 > 10.65.0.2:1001 flags=S.", "in=\(podA) tcp 10.65.0.2:1001 > 10.96.0.20:80 flags=.",
            "in=\(podA) tcp 10.65.0.2:8080 > 10.65.0.3:1002 flags=S.",
            // NodePort from outside: masqueraded out of the pod's veth, the reply back to the client.
            "in=eth0 tcp 192.168.0.50:40000 > 192.168.0.10:30080 flags=S", "in=eth0 tcp 192.168.0.51:40000 > 192.168.0.10:30080 flags=S",
            "in=\(podA) tcp 10.65.0.2:8080 > 192.168.0.10:40000 flags=S.",
            // A single endpoint by probability 1, the port changed, and the node's own client.
            "in=\(podA) udp 10.65.0.2:5000 > 10.96.0.21:53 payload=20", "in=\(podC) udp 10.65.0.4:5353 > 10.65.0.2:5000 payload=40",
            "local udp 192.168.0.10:5001 > 10.96.0.21:53 payload=20",
            // ICMP errors about translated connections: from the endpoint (outer source
            // de-translated to the ClusterIP) and from a router past the masquerade.
            "in=\(podC) icmp 10.65.0.4 > 10.65.0.2 type=3 code=3 quote=udp,10.65.0.2:5000,10.65.0.4:5353",
            "in=\(podA) udp 10.65.0.2:6000 > 10.96.0.21:53", "in=\(podC) icmp 10.65.0.4 > 10.65.0.2 type=3 code=3 quote=udp,10.65.0.2:6000,10.65.0.4:5353",
            // ICMP to a ClusterIP: no rule matches it, so it is forwarded toward the default route, never answered.
            "in=\(podA) icmp 10.65.0.2 > 10.96.0.20 type=8 id=9 seq=1",
        ])

        try add("redirect, ranges and snat", """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -p tcp -m tcp --dport 3128 -j REDIRECT --to-ports 8128
        -A PREROUTING -p udp -m udp --dport 5000:5010 -j REDIRECT
        -A PREROUTING -d 10.96.1.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.65.0.3:8000-8002
        -A PREROUTING -d 10.96.1.2/32 -p tcp -j DNAT --to-destination 10.65.0.3-10.65.0.4
        -A POSTROUTING -s 10.65.0.2/32 -d 10.65.0.0/24 -p tcp -j SNAT --to-source 10.65.0.20-10.65.0.29
        -A POSTROUTING -s 10.65.0.4/32 -o eth0 -p udp -j SNAT --to-source 192.168.0.10:20000-20010
        -A POSTROUTING -s 10.65.0.3/32 -o eth0 -p udp -j MASQUERADE --to-ports 30000-30010
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate DNAT -m conntrack --ctorigdstport 3128 -m comment --comment redirected
        -A FORWARD -m conntrack --ctstate SNAT,DNAT -m conntrack --ctreplsrc 10.65.0.3/32 -m comment --comment "to pod b"
        COMMIT

        """, [
            // The node answers the redirected datagram (no socket): to the gateway, whose
            // neighbour entry is known, so the answer reaches the wire and the capture.
            "in=\(podA) tcp 10.65.0.2:1000 > 8.8.8.8:3128 flags=S", "in=eth0 udp 192.168.0.1:999 > 192.168.0.10:5005",
            // The port range is tried from its start; a second client with the same source port moves on.
            "in=\(podA) tcp 10.65.0.2:1100 > 10.96.1.1:80 flags=S", "in=\(podA) tcp 10.65.0.2:1101 > 10.96.1.1:80 flags=S",
            "in=\(podC) tcp 10.65.0.4:1100 > 10.96.1.1:80 flags=S",
            "in=\(podA) tcp 10.65.0.2:1200 > 10.96.1.2:443 flags=S", "in=\(podC) tcp 10.65.0.4:1200 > 10.96.1.2:443 flags=S",
            // The address range is spread by the kernel's hash of source and destination; a
            // later connection from the same source address and port keeps its mapping.
            "in=\(podA) tcp 10.65.0.2:1300 > 10.65.0.3:22 flags=S", "in=\(podA) tcp 10.65.0.2:1300 > 10.65.0.4:22 flags=S",
            "in=\(podA) tcp 10.65.0.2:1301 > 10.65.0.4:22 flags=S", "in=\(podA) tcp 10.65.0.2:1302 > 10.65.0.4:23 flags=S",
            // SNAT into a port range keeps the port when it is in range and the tuple is free.
            // (Out of range, or taken, the kernel starts at a random offset: see the README.)
            "in=\(podC) udp 10.65.0.4:20005 > 8.8.8.8:53", "in=\(podB) udp 10.65.0.3:30003 > 8.8.4.4:53",
            "in=eth0 udp 8.8.4.4:53 > 192.168.0.10:30003",
        ])

        // TCP teardown and window tracking (nf_conntrack_tcp_be_liberal=0).
        try add("tcp teardown and windows", """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate INVALID -m comment --comment invalid -j DROP
        -A FORWARD -p tcp -m tcp --sport 2003 -m length --length 117 -j REJECT --reject-with tcp-reset
        -A FORWARD -m conntrack --ctstate ESTABLISHED -m comment --comment established
        -A FORWARD -m conntrack --ctstate NEW -m comment --comment new
        COMMIT

        """, [
            "in=\(podA) tcp 10.65.0.2:2000 > 10.65.0.3:80 flags=S seq=1000 win=64240", "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:2000 flags=S. seq=5000 win=65160",
            "in=\(podA) tcp 10.65.0.2:2000 > 10.65.0.3:80 flags=. win=502",
            "in=\(podA) tcp 10.65.0.2:2000 > 10.65.0.3:80 flags=P. payload=200 win=502",
            // Far beyond what the receiver advertised: INVALID.
            "in=\(podA) tcp 10.65.0.2:2000 > 10.65.0.3:80 flags=P. seq=900000000 payload=100 win=502",
            "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:2000 flags=. win=509",
            // Close from the client, then the server.
            "in=\(podA) tcp 10.65.0.2:2000 > 10.65.0.3:80 flags=F. win=502", "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:2000 flags=. win=509",
            "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:2000 flags=F. win=509", "in=\(podA) tcp 10.65.0.2:2000 > 10.65.0.3:80 flags=. win=502",
            // A SYN for the same tuple in TIME_WAIT starts a new connection.
            "in=\(podA) tcp 10.65.0.2:2000 > 10.65.0.3:80 flags=S seq=90000 win=64240",
            // A reset tears an established connection down.
            "in=\(podA) tcp 10.65.0.2:2001 > 10.65.0.3:80 flags=S win=64240", "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:2001 flags=S. win=65160",
            "in=\(podA) tcp 10.65.0.2:2001 > 10.65.0.3:80 flags=. win=502", "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:2001 flags=R. win=0",
            "in=\(podA) tcp 10.65.0.2:2001 > 10.65.0.3:80 flags=. win=502",
            // REJECT --reject-with tcp-reset on an established connection moves it to CLOSE.
            "in=\(podA) tcp 10.65.0.2:2003 > 10.65.0.3:80 flags=S win=64240", "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:2003 flags=S. win=65160",
            "in=\(podA) tcp 10.65.0.2:2003 > 10.65.0.3:80 flags=. win=502", "in=\(podA) tcp 10.65.0.2:2003 > 10.65.0.3:80 flags=P. payload=77 win=502",
            // A lone ACK picked up mid-stream (nf_conntrack_tcp_loose=1), then data from the other side.
            "in=\(podA) tcp 10.65.0.2:2002 > 10.65.0.3:80 flags=. seq=7000 ack=8000 win=502",
            "in=\(podB) tcp 10.65.0.3:80 > 10.65.0.2:2002 flags=P. seq=8000 ack=7000 payload=50 win=509",
        ])

        // xt_recent: kube-proxy's ClientIP session affinity (--rcheck before the nth choice,
        // --set in the endpoint chain, clients from pods, outside and the node itself), and
        // --set/--rcheck/--update --hitcount/--remove, a negated --set, --rdest with the list's
        // first --mask, and --rttl in FORWARD against a TTL recorded in PREROUTING (the kernel
        // adds back the hop ip_forward took). Windows are an hour: the kernel's clock is wall
        // time, so expiry is left to the unit tests.
        try add("recent", """
        *mangle
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -p udp -m udp --dport 7000 -m recent --set --name ttl --mask 255.255.255.255 --rsource
        COMMIT
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :KUBE-SERVICES - [0:0]
        :KUBE-SVC-STICKY - [0:0]
        :KUBE-SEP-B - [0:0]
        :KUBE-SEP-C - [0:0]
        -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -A KUBE-SERVICES -d 10.96.0.30/32 -p tcp -m comment --comment "default/sticky:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-STICKY
        -A KUBE-SVC-STICKY -m comment --comment "default/sticky:http -> 10.65.0.3:8080" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-B --mask 255.255.255.255 --rsource -j KUBE-SEP-B
        -A KUBE-SVC-STICKY -m comment --comment "default/sticky:http -> 10.65.0.4:8080" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-C --mask 255.255.255.255 --rsource -j KUBE-SEP-C
        -A KUBE-SVC-STICKY -m comment --comment "default/sticky:http -> 10.65.0.3:8080" -m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-B
        -A KUBE-SVC-STICKY -m comment --comment "default/sticky:http -> 10.65.0.4:8080" -j KUBE-SEP-C
        -A KUBE-SEP-B -p tcp -m comment --comment "default/sticky:http" -m recent --set --name KUBE-SEP-B --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.65.0.3:8080
        -A KUBE-SEP-C -p tcp -m comment --comment "default/sticky:http" -m recent --set --name KUBE-SEP-C --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.65.0.4:8080
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -p udp -m udp --dport 6000 -m recent --set --name plain --mask 255.255.255.255 --rsource
        -A FORWARD -p udp -m udp --dport 6001 -m recent --rcheck --seconds 3600 --name plain --mask 255.255.255.255 --rsource -m comment --comment seen
        -A FORWARD -p udp -m udp --dport 6001 -m recent ! --rcheck --name plain --mask 255.255.255.255 --rsource -m comment --comment unseen
        -A FORWARD -p udp -m udp --dport 6002 -m recent --update --seconds 3600 --hitcount 3 --name plain --mask 255.255.255.255 --rsource -m comment --comment "third hit"
        -A FORWARD -p udp -m udp --dport 6003 -m recent --remove --name plain --mask 255.255.255.255 --rsource -m comment --comment removed
        -A FORWARD -p udp -m udp --dport 6004 -m recent --set --name masked --mask 255.255.255.0 --rdest
        -A FORWARD -p udp -m udp --dport 6005 -m recent --rcheck --name masked --mask 255.255.255.255 --rdest -m comment --comment "same /24"
        -A FORWARD -p udp -m udp --dport 6006 -m recent ! --set --name negated --mask 255.255.255.255 --rsource -m comment --comment never
        -A FORWARD -p udp -m udp --dport 6007 -m recent --rcheck --name negated --mask 255.255.255.255 --rsource -m comment --comment "recorded anyway"
        -A FORWARD -p udp -m udp --dport 7001 -m recent --rcheck --rttl --name ttl --mask 255.255.255.255 --rsource -m comment --comment "same TTL"
        COMMIT

        """, [
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6001", "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6000",
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6001", "in=\(podB) udp 10.65.0.3:5000 > 10.65.0.2:6001",
            // --update --hitcount 3 after one, then three --set timestamps; it then refreshes.
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6002", "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6000",
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6000", "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6002",
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6002",
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6003", "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6003",
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6001",
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6004", "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.4:6005",
            "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6006", "in=\(podA) udp 10.65.0.2:5000 > 10.65.0.3:6007",
            "in=eth0 udp 192.168.0.50:5000 > 10.65.0.2:7000 ttl=64", "in=eth0 udp 192.168.0.50:5000 > 10.65.0.2:7001 ttl=64",
            "in=eth0 udp 192.168.0.50:5000 > 10.65.0.2:7001 ttl=30",
            // Session affinity: the nth choice alternates B, C; each client then stays put.
            "in=\(podA) tcp 10.65.0.2:3000 > 10.96.0.30:80 flags=S", "in=eth0 tcp 192.168.0.50:40000 > 10.96.0.30:80 flags=S",
            "in=\(podA) tcp 10.65.0.2:3001 > 10.96.0.30:80 flags=S", "in=eth0 tcp 192.168.0.50:40001 > 10.96.0.30:80 flags=S",
            "in=eth0 tcp 192.168.0.51:40000 > 10.96.0.30:80 flags=S", "local tcp 192.168.0.10:5000 > 10.96.0.30:80 flags=S",
            "local tcp 192.168.0.10:5001 > 10.96.0.30:80 flags=S", "in=\(podA) tcp 10.65.0.2:3002 > 10.96.0.30:80 flags=S",
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
