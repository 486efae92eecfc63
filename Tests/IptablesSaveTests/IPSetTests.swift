import Foundation
import Netfilter
import Testing
@testable import IptablesSave

@Suite struct IPSetTests {
    @Test func realSaveRoundTrips() throws {
        let text = try FixtureFiles.text("ipset/real-save.txt")
        let sets = try IPSetSaveParser.parse(text, file: "real-save.txt")
        #expect(sets.count == 13)
        #expect(IPSetSavePrinter.print(sets) == text)
    }

    /// Loading the restore input (ranges, CIDRs, bare ports, service names, icmp TYPE/CODE)
    /// gives the same elements as what the real `ipset save` printed after `ipset restore` of it.
    @Test func restoreInputDecodesLikeTheRealTool() throws {
        let input = try IPSetSaveParser.parse(FixtureFiles.text("ipset/restore-input.txt"), file: "restore-input.txt")
        let saved = try IPSetSaveParser.parse(FixtureFiles.text("ipset/real-save.txt"), file: "real-save.txt")
        #expect(input.map(\.name) == saved.map(\.name))
        for (a, b) in zip(input, saved) {
            #expect(Set(a.entries.map(\.element)) == Set(b.entries.map(\.element)), "\(a.name)")
            #expect(Set(a.entries.map(\.text)) == Set(b.entries.map(\.text)), "\(a.name)")
            #expect(Set(a.entries.filter(\.nomatch).map(\.element)) == Set(b.entries.filter(\.nomatch).map(\.element)), "\(a.name)")
        }
    }

    func elements(_ text: String, _ type: IPSetType, netmask: Int? = nil) throws -> [IPSetElement] {
        try IPSetElementDecoder.decode(text, type: type, netmask: netmask).map(\.0)
    }

    @Test func decodesEveryType() throws {
        let a = IPv4Address(10, 0, 0, 1)
        let net8 = IPv4Network(address: IPv4Address(10, 0, 0, 0), prefixLength: 8)
        #expect(try elements("10.0.0.1", .hashIP) == [.ip(a)])
        #expect(try elements("10.0.1.0/30", .hashIP).count == 4)
        #expect(try elements("10.0.2.1-10.0.2.3", .hashIP) == [.ip(IPv4Address(10, 0, 2, 1)), .ip(IPv4Address(10, 0, 2, 2)), .ip(IPv4Address(10, 0, 2, 3))])
        #expect(try elements("10.9.8.7", .hashIP, netmask: 24) == [.ip(IPv4Address(10, 9, 8, 0))])
        #expect(try elements("10.0.0.0/8", .hashNet) == [.net(net8)])
        #expect(try elements("10.0.0.1", .hashNet) == [.net(IPv4Network(address: a, prefixLength: 32))])
        #expect(try elements("10.0.0.0-10.0.0.5", .hashNet).map { "\($0)" }.count == 2)
        #expect(try elements("10.0.0.1,tcp:80", .hashIPPort) == [.ipPort(a, IPSetPort(proto: 6, port: 80))])
        #expect(try elements("10.0.0.1,80", .hashIPPort) == [.ipPort(a, IPSetPort(proto: 6, port: 80))])
        #expect(try elements("10.0.0.1,http", .hashIPPort) == [.ipPort(a, IPSetPort(proto: 6, port: 80))])
        #expect(try elements("10.0.0.1,udp:53-54", .hashIPPort).count == 2)
        #expect(try elements("10.0.0.1,icmp:8/0", .hashIPPort) == [.ipPort(a, IPSetPort(proto: 1, port: 8 << 8))])
        #expect(try elements("10.0.0.1,icmp:echo-request", .hashIPPort) == [.ipPort(a, IPSetPort(proto: 1, port: 8 << 8))])
        #expect(try IPSetElementDecoder.decode("10.0.0.1,icmp:3/3", type: .hashIPPort).map(\.1) == ["10.0.0.1,icmp:port-unreachable"])
        #expect(try IPSetElementDecoder.decode("10.0.0.1,icmp:3/77", type: .hashIPPort).map(\.1) == ["10.0.0.1,icmp:3/77"])
        #expect(try elements("10.0.0.0/8,sctp:9", .hashNetPort) == [.netPort(net8, IPSetPort(proto: 132, port: 9))])
        #expect(try elements("10.0.0.1,udp:53,10.0.0.2", .hashIPPortIP) == [.ipPortIP(a, IPSetPort(proto: 17, port: 53), IPv4Address(10, 0, 0, 2))])
        #expect(try elements("10.0.0.1,tcp:80,10.0.0.0/8", .hashIPPortNet) == [.ipPortNet(a, IPSetPort(proto: 6, port: 80), net8)])
        #expect(try elements("10.0.0.0/8,vetha", .hashNetIface) == [.netIface(net8, "vetha")])
        #expect(try elements("10.0.0.5-10.0.0.6", .bitmapIP).count == 2)
        #expect(try elements("100-102", .bitmapPort) == [.port(100), .port(101), .port(102)])
        #expect(try elements("other", .listSet) == [.member("other")])
        #expect(try elements("10.0.0.1,gre:0", .hashIPPort) == [.ipPort(a, IPSetPort(proto: 47, port: 0))])
    }

    @Test func refusesBadElements() {
        #expect(throws: IPSetElementDecoder.Failure.self) { try elements("10.0.0.256", .hashIP) }
        #expect(throws: IPSetElementDecoder.Failure.self) { try elements("10.0.0.0/8", .hashIP) }
        #expect(throws: IPSetElementDecoder.Failure.self) { try elements("10.0.0.1", .hashIPPort) }
        #expect(throws: IPSetElementDecoder.Failure.self) { try elements("10.0.0.1,tcp:99999", .hashIPPort) }
        #expect(throws: IPSetElementDecoder.Failure.self) { try elements("10.0.0.1,icmp:nosuch", .hashIPPort) }
        #expect(throws: IPSetElementDecoder.Failure.self) { try elements("10.0.0.0/0", .hashNet) }
    }

    @Test func keepsExtensionsAndNomatch() throws {
        let text = try FixtureFiles.text("ipset/real-save.txt")
        let sets = try IPSetSaveParser.parse(text, file: "x")
        let t1 = try #require(sets.first { $0.name == "t1" })
        let entry = try #require(t1.entries.first { $0.text == "10.1.2.0/24" })
        #expect(entry.nomatch)
        #expect(entry.extensions == ["timeout", "98", "nomatch", "packets", "5", "bytes", "500"])
        #expect(t1.entries.first { $0.text == "10.3.0.0/16" }?.extensions.last == "\"two words\"")
        #expect(sets.first { $0.name == "hipmask" }?.netmask == 24)
        var synthetic = IPSetEntry(element: .net(IPv4Network("10.0.0.0/8")!), nomatch: true, text: "10.0.0.0/8", extensions: ["timeout", "5"])
        #expect(IPSetSavePrinter.addLine(synthetic, set: "s") == "add s 10.0.0.0/8 timeout 5 nomatch")
        synthetic.extensions = []
        #expect(IPSetSavePrinter.addLine(synthetic, set: "s") == "add s 10.0.0.0/8 nomatch")
    }

    @Test func restoreCommands() throws {
        let text = """
        # felix writes comments and a COMMIT
        create a hash:ip family inet
        create b hash:ip family inet
        add a 10.0.0.1
        add a 10.0.0.2
        -exist add a 10.0.0.1
        del a 10.0.0.2
        add b 10.0.0.9
        swap a b
        rename b c
        create a hash:ip family inet -exist
        flush a
        create gone hash:net
        destroy gone
        COMMIT

        """
        let sets = try IPSetSaveParser.parse(text, file: "r")
        #expect(sets.map(\.name) == ["a", "c"])
        #expect(sets[0].entries.isEmpty)
        #expect(sets[1].entries.map(\.text) == ["10.0.0.1"])
    }

    @Test func errorsNameFileLineAndExpectation() {
        func error(_ text: String) -> IptablesSaveError? {
            do { _ = try IPSetSaveParser.parse(text, file: "ipset.txt"); return nil } catch { return error }
        }
        let unknown = error("create a hash:ip\nadd b 10.0.0.1\n")
        #expect(unknown?.line == 2)
        #expect(unknown?.description == "ipset.txt:2: set \"b\" does not exist in \"add b 10.0.0.1\": expected a set created by an earlier create line")
        #expect(error("create a hash:mac\n")?.problem == "unsupported set type \"hash:mac\"")
        #expect(error("create a hash:ip\ncreate a hash:ip\n")?.problem == "set \"a\" already exists")
        #expect(error("create a hash:ip\nadd a 10.0.0.1\nadd a 10.0.0.1\n")?.line == 3)
        #expect(error("create a hash:ip\nadd a 10.0.0.0/8\n")?.problem.contains("expands to 16777216 elements") == true)
        #expect(error("create l list:set\nadd l nosuch\n")?.problem.contains("cannot be added") == true)
        #expect(error("create a hash:ip\nadd a 10.0.0.1 nomatch\n")?.problem == "nomatch is not valid for hash:ip")
        #expect(error("list a\n")?.problem == "unknown ipset command \"list\"")
        #expect(error("create abcdefghijabcdefghijabcdefghij12 hash:ip\n")?.problem.contains("too long") == true)
    }
}
