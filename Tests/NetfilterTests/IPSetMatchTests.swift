import Netfilter
import Testing

/// `-m set` behaviour observed on the kernel (semantics notes §8.2).
@Suite struct IPSetMatchTests {
    let sets = [
        IPSet(name: "hnet", type: .hashNet, entries: [
            IPSetEntry(element: .net(IPv4Network("10.65.0.0/16")!), nomatch: false, text: "10.65.0.0/16"),
            IPSetEntry(element: .net(IPv4Network("10.65.0.3/32")!), nomatch: true, text: "10.65.0.3"),
        ]),
        IPSet(name: "hipport", type: .hashIPPort, entries: [
            IPSetEntry(element: .ipPort(IPv4Address(10, 65, 0, 3), IPSetPort(proto: 6, port: 80)), nomatch: false, text: "10.65.0.3,tcp:80"),
            IPSetEntry(element: .ipPort(IPv4Address(10, 65, 0, 3), IPSetPort(proto: 1, port: 8 << 8)), nomatch: false, text: "10.65.0.3,icmp:echo-request"),
        ]),
        IPSet(name: "lset", type: .listSet, entries: [IPSetEntry(element: .member("hipport"), nomatch: false, text: "hipport")]),
    ]

    func verdicts(_ rule: String, _ specs: [String]) throws -> [StepVerdict] {
        var sim = try simulator("""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD \(rule) -j DROP
        COMMIT

        """, sets: sets)
        return try run(&sim, specs).map(\.verdict)
    }

    @Test func moreSpecificNomatchExcludes() throws {
        let specs = ["in=cali1 udp 10.65.0.2:1 > 10.65.0.3:53", "in=cali1 udp 10.65.0.2:1 > 10.65.0.2:53", "in=cali1 udp 10.65.0.2:1 > 8.8.8.8:53"]
        #expect(try verdicts("-m set --match-set hnet dst", specs) == [.accept, .drop, .accept])
        #expect(try verdicts("-m set ! --match-set hnet dst", specs) == [.drop, .accept, .drop])
        // --return-nomatch: the nomatch element matches, a plain element does not.
        #expect(try verdicts("-m set --match-set hnet dst --return-nomatch", specs) == [.drop, .accept, .accept])
    }

    @Test func portDimensionAndFlagCounts() throws {
        let specs = ["in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:80 flags=S", "in=cali1 tcp 10.65.0.2:1000 > 10.65.0.3:81 flags=S"]
        #expect(try verdicts("-m set --match-set hipport dst,dst", specs) == [.drop, .accept])
        // Fewer flags than dimensions never match.
        #expect(try verdicts("-m set --match-set hipport dst", specs) == [.accept, .accept])
        // ICMP uses type/code whatever the port flag says.
        #expect(try verdicts("-m set --match-set hipport dst,src", ["in=cali1 icmp 10.65.0.2 > 10.65.0.3 type=8 id=1"]) == [.drop])
        #expect(try verdicts("-m set --match-set lset dst,dst", specs) == [.drop, .accept])
    }
}
