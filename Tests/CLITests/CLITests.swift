import Foundation
import Testing

/// The shipped binary end to end: argv in; stdout, stderr and exit status out.
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let seed = root.appendingPathComponent("Fixtures/snapshots/calico-2.6-web-deny-all").path
    static let syn = "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60"

    static var binary: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pathsim")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return root.appendingPathComponent(".build/debug/pathsim")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    @Test func traceJSONLinesFollowTheContract() throws {
        let result = try run(["trace", "--snapshot", Self.seed, "--pkt", Self.syn, "--pkt", Self.syn, "--format", "json"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        for (index, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["index"] as? Int == index + 1)
            #expect(object["verdict"] as? String == "drop")
            let steps = try #require(object["steps"] as? [[String: Any]])
            let last = try #require(steps.last)
            #expect(last["table"] as? String == "filter")
            #expect(last["chain"] as? String == "cali-tw-cali96bc57f337a")
            #expect(last["rule"] as? Int == 7)
            #expect(last["verdict"] as? String == "drop")
            #expect(steps.contains { $0["rule"] is NSNull && $0["verdict"] as? String == "accept" })
        }
    }

    @Test func listAndSaveCountersShowThreeSynsOnTheDrop() throws {
        let counters = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-counters-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: counters) }
        let result = try run(["list", "--snapshot", Self.seed, "--chain", "cali-tw-cali96bc57f337a",
                              "--pkt", Self.syn, "--pkt", Self.syn, "--pkt", Self.syn, "--save-counters", counters])
        #expect(result.status == 0)
        #expect(result.stdout.contains("       3      180 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* cali:1O4PxUpswz0ZqJnr */ /* Drop if no policies passed packet */ mark match 0x0/0x2000000"))
        let saved = try String(contentsOfFile: counters, encoding: .utf8)
        #expect(saved.contains("[3:180] -A cali-tw-cali96bc57f337a -m comment --comment \"cali:1O4PxUpswz0ZqJnr\""))
        #expect(saved.contains(":FORWARD ACCEPT [0:0]"))
    }

    @Test func humanAndNftraceFormats() throws {
        let human = try run(["trace", "--snapshot", Self.seed, "--pkt", Self.syn, "--verbose"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("verdict: dropped by filter:cali-tw-cali96bc57f337a rule 7"))
        #expect(human.stdout.contains("(Drop if no policies passed packet)"))
        #expect(human.stdout.contains("no match"))
        #expect(!human.stdout.contains("\u{1B}["))
        let nftrace = try run(["trace", "--snapshot", Self.seed, "--pkt", Self.syn, "--format", "nftrace"])
        let lines = nftrace.stdout.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("trace id 00000001 ip ") })
        #expect(lines.contains { $0.contains("filter cali-tw-cali96bc57f337a rule -A cali-tw-cali96bc57f337a") && $0.hasSuffix("(verdict drop)") })
        #expect(lines.contains { $0 == "trace id 00000001 ip raw PREROUTING policy accept meta mark 0x04000000" })
    }

    @Test func badPacketSpecShowsWhereAndExits65() throws {
        let result = try run(["trace", "--snapshot", Self.seed, "--pkt", "in=cali1f79f9e08f2 tcp 10.139.54.20 > 10.139.54.158:80 flags=S"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("packet 1: bad --pkt"))
        #expect(result.stderr.contains("expected the source as ADDRESS:PORT for tcp"))
        #expect(result.stderr.contains("\n                         ^"))
        let flags = try run(["trace", "--snapshot", Self.seed, "--pkt", "local tcp 1.2.3.4:1 > 5.6.7.8:2 flags=SX"])
        #expect(flags.status == 65)
        #expect(flags.stderr.contains("expected TCP flag letters"))
    }

    @Test func missingSnapshotExits66() throws {
        let result = try run(["trace", "--snapshot", "/nonexistent/snapshot", "--pkt", Self.syn])
        #expect(result.status == 66)
        #expect(result.stderr.contains("/nonexistent/snapshot"))
    }

    @Test func malformedDumpExits65WithFileAndLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOWHERE\nCOMMIT\n".write(toFile: directory + "/iptables-save.txt", atomically: true, encoding: .utf8)
        let result = try run(["trace", "--snapshot", directory, "--pkt", Self.syn])
        #expect(result.status == 65)
        #expect(result.stderr.contains("iptables-save.txt:3:"))
    }

    @Test func unsupportedMatchIsReportedAndStrictFails() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-u32-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m u32 --u32 \"0x0>>0x16&0x3c@0xc>>0x1a&0x3f=0x10\" -j DROP\nCOMMIT\n"
            .write(toFile: directory + "/iptables-save.txt", atomically: true, encoding: .utf8)
        try "[{\"dst\": \"default\", \"dev\": \"eth0\"}]".write(toFile: directory + "/ip-route.json", atomically: true, encoding: .utf8)
        let spec = "in=eth0 udp 10.0.0.1:1 > 10.0.0.2:2"
        let lenient = try run(["trace", "--snapshot", directory, "--pkt", spec])
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("iptables-save.txt:5: filter:FORWARD rule 1: match -m u32 is not supported"))
        #expect(lenient.stdout.contains("match -m u32 is not supported by pathsim; assumed not to match"))
        let strict = try run(["trace", "--snapshot", directory, "--pkt", spec, "--strict"])
        #expect(strict.status == 69)
    }

    @Test func demoRuns() throws {
        let result = try run(["demo", "--color", "never"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("       3      180 DROP"))
        #expect(result.stdout.contains("why: pod default/web-667bdcb4d8-cpvbb (cali96bc57f337a) is selected by KubernetesNetworkPolicy default/web-deny-all, which allows no ingress; no other policy applies; dropped at filter cali-tw-cali96bc57f337a rule 7"))
        #expect(result.stdout.contains("      name: allow-client-to-web"))
    }

    static func capture(_ name: String) -> String { root.appendingPathComponent("Fixtures/pcap/\(name)").path }

    @Test func replayJSONNamesFramesAndEndsWithASummary() throws {
        let result = try run(["replay", "--snapshot", Self.seed, Self.capture("sll2.pcap"), "--format", "json"])
        #expect(result.status == 0)
        let objects = try result.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.count == 5)
        #expect(objects.prefix(4).map { $0["frame"] as? Int } == [1, 2, 3, 4])
        #expect(objects[0]["verdict"] as? String == "drop")
        let summary = try #require(objects[4]["summary"] as? [String: Any])
        #expect(summary["packets"] as? Int == 4)
        #expect(summary["disagreements"] as? Int == 0)
    }

    @Test func replayWritesCountersAndTheDroppedFrames() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let counters = directory.appendingPathComponent("counters.txt").path
        let dropped = directory.appendingPathComponent("dropped.pcap").path
        let result = try run(["replay", "--snapshot", Self.seed, Self.capture("ethernet.pcap"), "--iface", "cali1f79f9e08f2",
                              "--filter", "tcp", "--save-counters", counters, "--write-dropped", dropped])
        #expect(result.status == 0)
        #expect(result.stdout.contains("3 packets replayed"))
        #expect(result.stdout.contains("cali-tw-cali96bc57f337a #7"))
        let saved = try String(contentsOfFile: counters, encoding: .utf8)
        #expect(saved.contains("[3:180] -A cali-tw-cali96bc57f337a"))
        let again = try run(["replay", "--snapshot", Self.seed, dropped, "--iface", "cali1f79f9e08f2", "--format", "json"])
        #expect(again.stdout.split(separator: "\n").count == 4)
    }

    @Test(arguments: [
        ("truncated.pcap", "truncated.pcap: frame 4: truncated dump file"),
        ("corrupt.pcap", "corrupt.pcap: unknown file format"),
        ("unsupported-linktype.pcap", "unsupported link type"),
    ])
    func replayOfABadCaptureNamesTheFrame(file: String, message: String) throws {
        let result = try run(["replay", "--snapshot", Self.seed, Self.capture(file), "--iface", "cali1f79f9e08f2"])
        #expect(result.status == 65)
        #expect(result.stderr.contains(message))
    }

    @Test func replayOfACaptureWithoutInterfacesAsksForIface() throws {
        let result = try run(["replay", "--snapshot", Self.seed, Self.capture("ethernet.pcap")])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--iface"))
    }
}
