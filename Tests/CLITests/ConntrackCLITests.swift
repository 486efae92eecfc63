import Foundation
import Testing

/// `pathsim conntrack`, `--conntrack`, `--all-branches` and a node with both back ends, end to end.
extension CLITests {
    static let kubeProxy = root.appendingPathComponent("Fixtures/clusters/kube-proxy").path
    static let mixed = root.appendingPathComponent("Fixtures/snapshots/mixed-backends").path

    @Test func conntrackListsEntriesAsConntrackDoesAndForgetsExpiredOnes() throws {
        let packets = ["--pkt", "in=cali1f79f9e08f2 tcp 10.65.0.2:41000 > 10.96.0.10:80 flags=S",
                       "--pkt", "in=cali1f79f9e08f2 udp 10.65.0.2:5000 > 10.96.0.10:53"]
        let listed = try run(["conntrack", "--cluster", Self.kubeProxy, "--node", "node-1"] + packets)
        #expect(listed.status == 0, "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("tcp      6 119 SYN_SENT src=10.65.0.2 dst=10.96.0.10 sport=41000 dport=80 [UNREPLIED] src=10.65.0.3 dst=10.65.0.2 sport=8080") == true)
        #expect(listed.stderr.contains("2 flow entries have been shown."))
        // (119: the second packet came a millisecond later.) 31 s on, the unreplied UDP entry
        // is gone, the SYN_SENT one is not.
        let later = try run(["conntrack", "--cluster", Self.kubeProxy, "--node", "node-1", "--after", "31"] + packets)
        #expect(later.stdout.split(separator: "\n").map { $0.prefix(3) } == ["tcp"])
        // JSON Lines output keeps one object per line: the table comes as its own object.
        let json = try run(["trace", "--cluster", Self.kubeProxy, "--node", "node-1", "--format", "json", "--conntrack"] + packets)
        #expect(json.stdout.split(separator: "\n").last?.hasPrefix("{\"conntrack\": [\"tcp ") == true)
    }

    @Test func allBranchesShowsEachEndpointWithItsProbability() throws {
        let result = try run(["trace", "--cluster", Self.kubeProxy, "--node", "node-1", "--all-branches",
                              "--pkt", "in=eth0 tcp 192.168.0.50:40000 > 192.168.0.10:30080 flags=S"])
        #expect(result.status == 0, "\(result.stderr)")
        let headers = result.stdout.split(separator: "\n").filter { $0.hasPrefix("branch ") }
        #expect(headers == ["branch 1 of 2, probability 0.5:", "branch 2 of 2, probability 0.5:"])
    }

    @Test func bothBackEndsShowInTheTraceAndTheirCounters() throws {
        let spec = "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:23 flags=S"
        let counters = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-mixed-\(UUID().uuidString).txt").path
        defer {
            try? FileManager.default.removeItem(atPath: counters)
            try? FileManager.default.removeItem(atPath: counters + ".legacy")
        }
        let result = try run(["trace", "--snapshot", Self.mixed, "--backend-order", "nft-first", "--save-counters", counters, "--pkt", spec])
        #expect(result.stdout.contains("filter:FORWARD #4 -A FORWARD -p tcp -m tcp --dport 23 -j ACCEPT → accept"))
        #expect(result.stdout.contains("verdict: dropped by iptables-legacy filter:FORWARD rule 4"))
        let legacy = try String(contentsOfFile: counters + ".legacy", encoding: .utf8)
        #expect(legacy.contains("[1:40] -A FORWARD -p tcp -m tcp --dport 23 -j DROP"))
        let listed = try run(["list", "--snapshot", Self.mixed, "--legacy", "--pkt", spec])
        #expect(listed.stdout.contains("DROP       6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:23"))
    }
}
