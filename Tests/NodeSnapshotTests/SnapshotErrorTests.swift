import Foundation
import NodeSnapshot
import Testing

/// Every snapshot file type gives an error naming the file, the line and what was expected.
@Suite struct SnapshotErrorTests {
    func snapshot(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-snapshot-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        return directory
    }

    func loadError(_ files: [String: String]) throws -> String {
        let directory = try snapshot(files)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try NodeSnapshot.load(directory: directory)
            Issue.record("expected an error")
            return ""
        } catch {
            return "\(error)"
        }
    }

    static let rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m set --match-set missing dst -j DROP\nCOMMIT\n"
    static let plainRules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"

    @Test func brokenJSONNamesFileAndLine() throws {
        let message = try loadError(["iptables-save.txt": Self.plainRules, "ip-addr.json": "[\n{\"ifname\": \"eth0\",\n \"ifindex\": 2,,\n}]"])
        #expect(message.contains("ip-addr.json:3:"))
        #expect(message.contains("expected the output of `ip -j"))
    }

    @Test func addressWithoutPrefixLength() throws {
        let message = try loadError(["iptables-save.txt": Self.plainRules, "ip-addr.json": "[{\"ifname\":\"eth0\",\"ifindex\":2,\"addr_info\":[{\"family\":\"inet\",\"local\":\"10.0.0.1\"}]}]"])
        #expect(message.contains("ip-addr.json: element 1: interface eth0: expected an inet address with \"local\" and \"prefixlen\""))
    }

    @Test func badRouteDestination() throws {
        let message = try loadError(["iptables-save.txt": Self.plainRules, "ip-route.json": "[{\"dst\":\"10.0.0.0/33\",\"dev\":\"eth0\"}]"])
        #expect(message.contains("ip-route.json: element 1: expected \"dst\" to be default or an IPv4 prefix, found \"10.0.0.0/33\""))
    }

    @Test func badSysctlLine() throws {
        let message = try loadError(["iptables-save.txt": Self.plainRules, "sysctl.txt": "net.ipv4.ip_forward = 1\nnet.ipv4.ip_forward yes\n"])
        #expect(message.hasSuffix("sysctl.txt:2: expected \"key = value\", found \"net.ipv4.ip_forward yes\""))
        let value = try loadError(["iptables-save.txt": Self.plainRules, "sysctl.txt": "net.netfilter.nf_conntrack_tcp_loose = maybe\n"])
        #expect(value.hasSuffix("sysctl.txt:1: expected 0 or 1 for net.netfilter.nf_conntrack_tcp_loose, found \"maybe\""))
    }

    @Test func setThatDoesNotExist() throws {
        let message = try loadError(["iptables-save.txt": Self.rules])
        #expect(message.contains("iptables-save.txt:5: set \"missing\" doesn't exist"))
    }

    @Test func missingDumpAndDirectory() throws {
        let message = try loadError(["sysctl.txt": "net.ipv4.ip_forward = 1\n"])
        #expect(message.contains("iptables-save.txt: missing"))
        #expect(throws: SnapshotLoadError.self) { try NodeSnapshot.load(directory: "/nonexistent/pathsim") }
    }

    @Test func malformedDumpLineComesFromTheParser() throws {
        let message = try loadError(["iptables-save.txt": "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n"])
        #expect(message.contains("iptables-save.txt:3:"))
    }

    @Test func defaultsAreStated() throws {
        let directory = try snapshot(["iptables-save.txt": Self.plainRules])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loaded = try NodeSnapshot.load(directory: directory)
        #expect(loaded.defaultsUsed.count == 4)
        #expect(loaded.sysctls.ipForward && loaded.sysctls.tcpLoose && !loaded.sysctls.tcpBeLiberal)
    }
}
