import ArgumentParser
import Foundation
import Netfilter
import NodeSnapshot
import PcapIO
import Replay
import TraceFormat

/// Replay throughput, measured: the figures performance claims rest on.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure snapshot loading and pcap replay throughput on a generated workload (or your own capture).",
        discussion: """
        Without --capture, writes a reproducible LINUX_SLL2 capture of mixed traffic through the seed's Calico node \
        (TCP connections, DNS, pings, connections the policy drops) and replays it: libpcap reading alone, replay with \
        counters and the summary, and replay rendering every packet's path as JSON. Build with -c release for real figures.
        """
    )

    @Option(name: .long, help: "Snapshot directory (default: the seed's Calico 2.6 node in Fixtures/).")
    var snapshot: String?

    @Option(name: .long, help: "Replay this capture instead of a generated one.")
    var capture: String?

    @Option(name: .long, help: "The interface of a single-interface capture.")
    var iface: String?

    @Option(name: .long, help: "Frames in the generated capture.")
    var packets = 200_000

    @Option(name: .long, help: "Runs of each measurement; the best is printed.")
    var runs = 3

    mutating func run() throws {
        let directory = snapshot ?? DemoCommand.fixture
        let loadStart = Date()
        let node: NodeSnapshot
        do { node = try NodeSnapshot.load(directory: directory) } catch { throw fail("\(error)", PathsimExit.badInput) }
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let rules = node.ruleset.tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } }
        let simulator = Simulator(ruleset: node.ruleset, ipsets: node.ipsets, network: node.network, sysctls: node.sysctls)

        var path = capture
        var temporary: String?
        if path == nil {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-bench-\(getpid()).pcap").path
            try generate(into: file, simulator: simulator)
            path = file
            temporary = file
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        guard let path else { return }

        print("snapshot: \(directory)")
        print("  \(rules) rules loaded in \(String(format: "%.1f", loadSeconds * 1000)) ms (\(Int(Double(rules) / max(loadSeconds, 1e-9))) rules/s)")
        print("capture: \(capture ?? "generated, \(packets) frames of mixed traffic")")
        let read = try best { try readOnly(path) }
        let counters = try best { try replay(path, simulator: simulator, renderPaths: false) }
        let paths = try best { try replay(path, simulator: simulator, renderPaths: true) }
        print("  libpcap read only:            \(rate(read))")
        print("  replay, counters and summary: \(rate(counters))")
        print("  replay, every path as JSON:   \(rate(paths))")
        print("(best of \(runs); frames per second on one core)")
    }

    func generate(into file: String, simulator: Simulator) throws {
        let writer: PcapWriter
        do { writer = try PcapWriter(path: file, linkType: .linuxSLL2, snapshotLength: 262_144) } catch { throw fail("\(error)", PathsimExit.internalError) }
        let hosts = SyntheticCapture.Hosts(
            clientInterface: "cali1f79f9e08f2", client: IPv4Address(10, 139, 54, 20), blocked: IPv4Address(10, 139, 54, 158),
            blockedPort: 80, outside: IPv4Address(93, 184, 216, 34), uplink: "eth0")
        var generator = SyntheticCapture(simulator: simulator, hosts: hosts, writer: writer)
        generator.write(frames: packets)
        writer.close()
    }

    struct Measurement {
        var frames: Int
        var seconds: Double
    }

    func best(_ body: () throws -> Measurement) throws -> Measurement {
        var result: Measurement?
        for _ in 0..<max(1, runs) {
            let m = try body()
            if result == nil || m.seconds < result!.seconds { result = m }
        }
        return result!
    }

    func rate(_ m: Measurement) -> String {
        "\(Int(Double(m.frames) / max(m.seconds, 1e-9))) frames/s (\(m.frames) frames in \(String(format: "%.3f", m.seconds)) s)"
    }

    func open(_ path: String) throws -> PcapReader {
        do { return try PcapReader(path: path) } catch { throw fail("\(error)", PathsimExit.badInput) }
    }

    func readOnly(_ path: String) throws -> Measurement {
        let reader = try open(path)
        let start = Date()
        var bytes = 0
        do { while let frame = try reader.next() { bytes &+= frame.data.count } } catch { throw fail("\(error)", PathsimExit.badInput) }
        return Measurement(frames: reader.framesRead, seconds: Date().timeIntervalSince(start))
    }

    func replay(_ path: String, simulator: Simulator, renderPaths: Bool) throws -> Measurement {
        let reader = try open(path)
        var replayer: CaptureReplayer
        do { replayer = try CaptureReplayer(simulator: simulator, linkType: reader.linkType, interface: iface) } catch { throw fail("\(error)", ExitCode.validationFailure) }
        let start = Date()
        var rendered = 0
        do {
            while let frame = try reader.next() {
                let events = replayer.replay(frame)
                if renderPaths { for event in events { rendered &+= ReplayJSON.object(event)?.rendered.utf8.count ?? 0 } }
            }
        } catch { throw fail("\(error)", PathsimExit.badInput) }
        _ = replayer.finish()
        let seconds = Date().timeIntervalSince(start)
        if replayer.summary.disagreements > 0 {
            FileHandleOutput.standardError("pathsim: bench: \(replayer.summary.disagreements) disagreements with the capture")
        }
        return Measurement(frames: reader.framesRead, seconds: seconds)
    }
}
