import IptablesSave
import Netfilter
import Testing

/// `-m recent`, case by case against net/netfilter/xt_recent.c (`recent_mt` and helpers).
/// Packets come in on eth0 from 192.168.0.x and are forwarded to the pod on cali1; `t=` sets
/// each packet's time in seconds.
@Suite struct RecentMatchTests {
    static func filter(_ rules: String) -> String {
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\(rules)\nCOMMIT\n"
    }

    static func from(_ host: Int, t: Double, ttl: Int = 64, port: Int = 1000) -> String {
        "in=eth0 udp 192.168.0.\(host):\(port) > 10.65.0.2:53 ttl=\(ttl) t=\(t)"
    }

    static func packets(_ sim: Simulator, rule: Int, chain: String = "FORWARD") -> UInt64 {
        sim.counter(table: .filter, chain: chain, rule: rule)?.packets ?? 0
    }

    /// Whether each packet matched rule `rule` (the counter moved).
    static func hits(_ sim: inout Simulator, rule: Int, _ specs: [String]) throws -> [Bool] {
        var result: [Bool] = []
        for spec in specs {
            let before = packets(sim, rule: rule)
            _ = try run(&sim, [spec])
            result.append(packets(sim, rule: rule) > before)
        }
        return result
    }

    static func addresses(_ sim: Simulator, _ name: String) -> [String] { sim.recentEntries(of: name).map(\.address.description) }

    @Test func setAlwaysMatchesAndRecordsTheSourceInLRUOrder() throws {
        var sim = try simulator(Self.filter("-A FORWARD -m recent --set --name a"))
        #expect(try Self.hits(&sim, rule: 0, [Self.from(50, t: 0), Self.from(51, t: 1), Self.from(50, t: 2)]) == [true, true, true])
        // A --set on a known address adds a timestamp and moves it to the LRU tail.
        #expect(Self.addresses(sim, "a") == ["192.168.0.51", "192.168.0.50"])
        #expect(sim.recentEntries(of: "a").last?.timestamps == [0, 2])
        #expect(sim.recentEntries(of: "a").first?.timestamps == [1])
    }

    @Test func negatedSetNeverMatchesButStillRecords() throws {
        var sim = try simulator(Self.filter("-A FORWARD -m recent ! --set --name a"))
        #expect(try Self.hits(&sim, rule: 0, [Self.from(50, t: 0), Self.from(50, t: 1)]) == [false, false])
        #expect(sim.recentEntries(of: "a").first?.timestamps == [0, 1])
    }

    @Test func rcheckNeitherCreatesNorRefreshes() throws {
        var sim = try simulator(Self.filter("""
        -A FORWARD -s 192.168.0.50/32 -m recent --set --name a
        -A FORWARD -m recent --rcheck --name a
        """))
        #expect(try Self.hits(&sim, rule: 1, [Self.from(51, t: 0), Self.from(50, t: 1), Self.from(51, t: 2)]) == [false, true, false])
        // 192.168.0.51 was only checked, never recorded; .50's one --set is its one timestamp.
        #expect(Self.addresses(sim, "a") == ["192.168.0.50"])
        #expect(sim.recentEntries(of: "a").first?.timestamps == [1])
        // A negated check matches exactly the addresses the plain one does not.
        var negated = try simulator(Self.filter("""
        -A FORWARD -s 192.168.0.50/32 -m recent --set --name a
        -A FORWARD -m recent ! --rcheck --name a
        """))
        #expect(try Self.hits(&negated, rule: 1, [Self.from(51, t: 0), Self.from(50, t: 1)]) == [true, false])
    }

    @Test func secondsWindowIncludesItsEdge() throws {
        // The check runs before the --set, so it sees only earlier packets' timestamps. With
        // the /24 mask, .50 and .51 share one entry.
        var sim = try simulator(Self.filter("""
        -A FORWARD -s 192.168.0.51/32 -m recent --rcheck --seconds 10 --name a --mask 255.255.255.0
        -A FORWARD -s 192.168.0.50/32 -m recent --set --name a --mask 255.255.255.0
        """))
        #expect(try Self.hits(&sim, rule: 0, [Self.from(51, t: 99)]) == [false])
        _ = try run(&sim, [Self.from(50, t: 100)])
        // time_after(now - seconds, stamp) drops a stamp only when strictly older than the window.
        #expect(try Self.hits(&sim, rule: 0, [Self.from(51, t: 105), Self.from(51, t: 110), Self.from(51, t: 110.5)]) == [true, true, false])
        #expect(Self.addresses(sim, "a") == ["192.168.0.0"])
    }

    @Test func updateRefreshesOnlyWhatItMatches() throws {
        var sim = try simulator(Self.filter("""
        -A FORWARD -m recent --update --seconds 10 --name a
        -A FORWARD -m recent --set --name a
        """))
        // t=0: unknown, no match, then --set. Each later packet within 10 s of the previous
        // one matches and refreshes, so the entry lives on past 10 s after the --set.
        #expect(try Self.hits(&sim, rule: 0, [Self.from(50, t: 0), Self.from(50, t: 8), Self.from(50, t: 17), Self.from(50, t: 40)]) == [false, true, true, false])
        // Timestamps: 0 (the --set that creates the entry adds no second one), 8 and 8 (the
        // update, then the --set), 17 and 17, then 40 only from the --set: the failed
        // --update does not refresh.
        #expect(sim.recentEntries(of: "a").first?.timestamps == [0, 8, 8, 17, 17, 40])
    }

    @Test func negatedUpdateRefreshesWhenTheInnerTestFails() throws {
        // recent_mt refreshes on `XT_RECENT_UPDATE && ret`, with ret already inverted: a stale
        // entry is refreshed by the packet that the negated update matches.
        var sim = try simulator(Self.filter("""
        -A FORWARD -s 192.168.0.50/32 -p udp -m udp --dport 53 -m recent --set --name a
        -A FORWARD -s 192.168.0.50/32 -p udp -m udp --dport 54 -m recent ! --update --seconds 5 --name a
        """))
        _ = try run(&sim, [Self.from(50, t: 0)])
        let update = { (t: Double) in "in=eth0 udp 192.168.0.50:1000 > 10.65.0.2:54 t=\(t)" }
        #expect(try Self.hits(&sim, rule: 1, [update(10), update(12)]) == [true, false])
        // The miss at t=10 refreshed (stamp 10); at t=12 the inner test hits, so no refresh.
        #expect(sim.recentEntries(of: "a").first?.timestamps == [0, 10])
    }

    @Test func hitcountCountsStampsInsideTheWindow() throws {
        var sim = try simulator(Self.filter("""
        -A FORWARD -m recent --set --name a
        -A FORWARD -m recent --rcheck --hitcount 3 --name a
        -A FORWARD -m recent --rcheck --seconds 10 --hitcount 2 --name a
        """))
        let times: [Double] = [0, 1, 2, 20, 40, 41]
        var third: [Bool] = []
        var second: [Bool] = []
        for t in times {
            let beforeSecond = Self.packets(sim, rule: 1), beforeThird = Self.packets(sim, rule: 2)
            _ = try run(&sim, [Self.from(50, t: t)])
            second.append(Self.packets(sim, rule: 1) > beforeSecond)
            third.append(Self.packets(sim, rule: 2) > beforeThird)
        }
        #expect(second == [false, false, true, true, true, true])
        // Stamps within 10 s: {0}, {0,1}, {0,1,2}, {20}, {40}, {40,41}.
        #expect(third == [false, true, true, false, false, true])
    }

    @Test func ringKeeps32StampsOrTheLargestHitcountRoundedUp() throws {
        var sim = try simulator(Self.filter("-A FORWARD -m recent --set --name a"))
        _ = try run(&sim, (0..<40).map { Self.from(50, t: Double($0)) })
        let stamps = try #require(sim.recentEntries(of: "a").first).timestamps
        #expect(stamps.count == 32)
        // Slots 0-7 were overwritten by packets 32-39, in ring order.
        #expect(stamps.prefix(8) == [32, 33, 34, 35, 36, 37, 38, 39])
        #expect(sim.recentEntries(of: "a").first?.lastSeen == 39)

        var big = try simulator(Self.filter("""
        -A FORWARD -m recent --set --name a
        -A FORWARD -m recent --rcheck --hitcount 40 --name a
        """))
        let specs = (0..<40).map { Self.from(50, t: Double($0)) }
        #expect(try Self.hits(&big, rule: 1, specs) == Array(repeating: false, count: 39) + [true])
        #expect(big.recentEntries(of: "a").first?.timestamps.count == 40)
        // A hit count of 33 needs a 64-slot ring, which 33 stamps fit in.
        var small = try simulator(Self.filter("""
        -A FORWARD -m recent --set --name a
        -A FORWARD -m recent --rcheck --hitcount 33 --name b
        """))
        _ = try run(&small, specs)
        #expect(small.recentEntries(of: "a").first?.timestamps.count == 32)
    }

    @Test func removeMatchesAndForgets() throws {
        var sim = try simulator(Self.filter("""
        -A FORWARD -p udp -m udp --dport 53 -m recent --set --name a
        -A FORWARD -p udp -m udp --dport 54 -m recent --remove --name a
        -A FORWARD -p udp -m udp --dport 55 -m recent ! --remove --name a
        """))
        _ = try run(&sim, [Self.from(50, t: 0)])
        let remove = "in=eth0 udp 192.168.0.50:1000 > 10.65.0.2:54"
        #expect(try Self.hits(&sim, rule: 1, [remove + " t=1", remove + " t=2"]) == [true, false])
        #expect(sim.recentEntries(of: "a").isEmpty)
        // `! --remove` of an unknown address matches; of a known one it removes and does not match.
        let negated = "in=eth0 udp 192.168.0.50:1000 > 10.65.0.2:55"
        #expect(try Self.hits(&sim, rule: 2, [negated + " t=3"]) == [true])
        _ = try run(&sim, [Self.from(50, t: 4)])
        #expect(try Self.hits(&sim, rule: 2, [negated + " t=5"]) == [false])
        #expect(sim.recentEntries(of: "a").isEmpty)
    }

    @Test func destinationSideAndFirstRulesMask() throws {
        var sim = try simulator(Self.filter("""
        -A FORWARD -m recent --set --name d --rdest --mask 255.255.255.0
        -A FORWARD -m recent --rcheck --name d --rdest
        """))
        _ = try run(&sim, [Self.from(50, t: 0), "in=eth0 udp 192.168.0.50:1 > 10.65.0.3:53 t=1"])
        // Both pods' addresses fold into 10.65.0.0 with the list's mask, even for the second
        // rule, whose own --mask (255.255.255.255) the kernel ignores.
        #expect(Self.addresses(sim, "d") == ["10.65.0.0"])
        #expect(Self.packets(sim, rule: 1) == 2)
    }

    @Test func reapDropsOnlyAnExpiredLRUHead() throws {
        var sim = try simulator(Self.filter("""
        -A FORWARD -p udp -m udp --dport 53 -m recent --set --name a
        -A FORWARD -p udp -m udp --dport 54 -m recent --rcheck --seconds 10 --reap --name a
        """))
        _ = try run(&sim, [Self.from(50, t: 0), Self.from(51, t: 1), Self.from(52, t: 50)])
        #expect(Self.addresses(sim, "a") == ["192.168.0.50", "192.168.0.51", "192.168.0.52"])
        let check = "in=eth0 udp 192.168.0.52:1 > 10.65.0.2:54 t=55"
        #expect(try Self.hits(&sim, rule: 1, [check]) == [true])
        // One evaluation looks at the head only: .50 goes, .51 (just as old) stays.
        #expect(Self.addresses(sim, "a") == ["192.168.0.51", "192.168.0.52"])
        // An unknown address reaps nothing: the reap happens only once an entry is found.
        _ = try run(&sim, ["in=eth0 udp 192.168.0.99:1 > 10.65.0.2:54 t=56"])
        #expect(Self.addresses(sim, "a") == ["192.168.0.51", "192.168.0.52"])
        // The head itself, checked after its window, is reaped by its own failed check.
        #expect(try Self.hits(&sim, rule: 1, ["in=eth0 udp 192.168.0.51:1 > 10.65.0.2:54 t=57"]) == [false])
        #expect(Self.addresses(sim, "a") == ["192.168.0.52"])
    }

    @Test func updateWithReapKeepsTheHeadItRefreshes() throws {
        var sim = try simulator(Self.filter("""
        -A FORWARD -p udp -m udp --dport 53 -m recent --set --name a
        -A FORWARD -p udp -m udp --dport 54 -m recent --update --seconds 10 --reap --hitcount 1 --name a
        """))
        _ = try run(&sim, [Self.from(50, t: 0), Self.from(51, t: 20)])
        // .50 is the head and its stamp (0) is older than the window at t=9.5 - 10? No: at t=9.5
        // it is inside, matches, and is refreshed rather than reaped.
        #expect(try Self.hits(&sim, rule: 1, ["in=eth0 udp 192.168.0.50:1 > 10.65.0.2:54 t=9.5"]) == [true])
        #expect(Self.addresses(sim, "a") == ["192.168.0.51", "192.168.0.50"])
    }

    @Test func aFullListEvictsTheLeastRecentlyRefreshed() throws {
        var sim = try simulator(Self.filter("-A FORWARD -m recent --set --name a"))
        var specs = (0..<100).map { "in=eth0 udp 10.0.\($0 / 250).\($0 % 250 + 1):1000 > 10.65.0.2:53 t=\($0)" }
        // Refresh the first address so that the second one is the oldest when the 101st comes.
        specs.append("in=eth0 udp 10.0.0.1:1000 > 10.65.0.2:53 t=100")
        specs.append("in=eth0 udp 10.9.9.9:1000 > 10.65.0.2:53 t=101")
        _ = try run(&sim, specs)
        let listed = Self.addresses(sim, "a")
        #expect(listed.count == 100)
        #expect(!listed.contains("10.0.0.2"))
        #expect(listed.suffix(2) == ["10.0.0.1", "10.9.9.9"])
    }

    @Test func rttlComparesTheTTLBeforeForwarding() throws {
        var sim = try simulator(Self.filter("""
        -A FORWARD -p udp -m udp --dport 53 -m recent --set --name a
        -A FORWARD -p udp -m udp --dport 54 -m recent --rcheck --rttl --name a
        -A FORWARD -p udp -m udp --dport 54 -m ttl --ttl-eq 63
        """))
        _ = try run(&sim, [Self.from(50, t: 0, ttl: 64)])
        // Forwarded packets had their TTL decremented before FORWARD; xt_recent adds it back.
        #expect(sim.recentEntries(of: "a").first?.ttl == 64)
        let check = { (ttl: Int, t: Double) in "in=eth0 udp 192.168.0.50:1 > 10.65.0.2:54 ttl=\(ttl) t=\(t)" }
        #expect(try Self.hits(&sim, rule: 1, [check(64, 1), check(30, 2)]) == [true, false])
        #expect(Self.packets(sim, rule: 2) == 1)
    }

    @Test func rttlInInputUsesThePacketsOwnTTL() throws {
        var sim = try simulator("""
        *filter
        :INPUT ACCEPT [0:0]
        -A INPUT -m recent --set --name a
        COMMIT
        """)
        _ = try run(&sim, ["in=eth0 udp 192.168.0.50:1000 > 192.168.0.10:53 ttl=7 t=0"])
        #expect(sim.recentEntries(of: "a").first?.ttl == 7)
    }

    @Test func listsAreSharedAcrossTablesByName() throws {
        var sim = try simulator("""
        *raw
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A PREROUTING -p udp -m udp --dport 53 -m recent --set --name shared
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -p udp -m udp --dport 54 -m recent --rcheck --seconds 100 --name shared -j DROP
        COMMIT
        """)
        let traces = try run(&sim, [
            "in=eth0 udp 192.168.0.50:1000 > 10.65.0.2:54 t=0",
            "in=eth0 udp 192.168.0.50:1000 > 10.65.0.2:53 t=1",
            "in=eth0 udp 192.168.0.50:1000 > 10.65.0.2:54 t=2",
        ])
        #expect(traces[0].fate == .sent(interface: "cali1"))
        #expect(steps(traces[2]).last == "filter:FORWARD #1 drop")
        #expect(traces[2].unsupported.isEmpty)
    }

    /// One xt_recent per namespace: legacy and nf_tables rules naming a list share it.
    @Test func listsAreSharedBetweenBackends() throws {
        let nft = try IptablesSaveParser.parse(Self.filter("-A FORWARD -m recent --rcheck --name shared"), file: "nft.rules")
        let legacy = try IptablesSaveParser.parse(Self.filter("-A FORWARD -m recent --set --name shared"), file: "legacy.rules")
        var sim = Simulator(ruleset: nft, legacyRuleset: legacy, network: testNetwork)
        _ = try run(&sim, [Self.from(50, t: 0), Self.from(50, t: 1)])
        // Whichever back end runs first, the second packet finds the first one's entry.
        #expect(Self.packets(sim, rule: 0) >= 1)
        #expect(Self.addresses(sim, "shared") == ["192.168.0.50"])
    }

    /// kube-proxy's ClientIP affinity: the --rcheck rules come before the endpoint choice, and
    /// the chosen endpoint's chain records the client.
    @Test func kubeProxySessionAffinityKeepsAClientOnItsEndpoint() throws {
        var sim = try simulator("""
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :KUBE-SVC-X - [0:0]
        :KUBE-SEP-A - [0:0]
        :KUBE-SEP-B - [0:0]
        -A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-X
        -A KUBE-SVC-X -m comment --comment "ns/svc:http -> 10.65.0.2:8080" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j KUBE-SEP-A
        -A KUBE-SVC-X -m comment --comment "ns/svc:http -> 10.65.0.3:8080" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-B --mask 255.255.255.255 --rsource -j KUBE-SEP-B
        -A KUBE-SVC-X -m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-A
        -A KUBE-SVC-X -j KUBE-SEP-B
        -A KUBE-SEP-A -p tcp -m recent --set --name KUBE-SEP-A --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.65.0.2:8080
        -A KUBE-SEP-B -p tcp -m recent --set --name KUBE-SEP-B --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.65.0.3:8080
        COMMIT
        """)
        func syn(_ host: Int, _ port: Int, _ t: Double) -> String {
            "in=eth0 tcp 192.168.0.\(host):\(port) > 10.96.0.10:80 flags=S t=\(t)"
        }
        let traces = try run(&sim, [syn(50, 40000, 0), syn(51, 40000, 1), syn(50, 40001, 2), syn(50, 40002, 3), syn(51, 40001, 4)])
        let endpoints = traces.map { $0.finalPacket.destination.description }
        // The nth choice alternates A, B; affinity then keeps .50 on A and .51 on B.
        #expect(endpoints == ["10.65.0.2", "10.65.0.3", "10.65.0.2", "10.65.0.2", "10.65.0.3"])
        #expect(steps(traces[2]).first == "nat:PREROUTING #1 jump KUBE-SVC-X")
        #expect(steps(traces[2]).dropFirst().first == "nat:KUBE-SVC-X #1 jump KUBE-SEP-A")
        #expect(Self.addresses(sim, "KUBE-SEP-A") == ["192.168.0.50"])
        #expect(Self.addresses(sim, "KUBE-SEP-B") == ["192.168.0.51"])
        #expect(traces.allSatisfy { $0.unsupported.isEmpty })
        // After the affinity timeout the rcheck fails (and reaps), so the nth choice decides again.
        let late = try run(&sim, [syn(51, 40002, 4 + 10801)])
        #expect(steps(late[0]).dropFirst().first == "nat:KUBE-SVC-X #3 jump KUBE-SEP-A")
        #expect(Self.addresses(sim, "KUBE-SEP-A") == ["192.168.0.50", "192.168.0.51"])
    }
}
