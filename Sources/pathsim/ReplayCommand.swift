import ArgumentParser
import Explain
import Foundation
import Netfilter
import PcapIO
import Replay
import ScenarioSuite
import TraceFormat

enum ReplayOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a pcap/pcapng capture from a node through its snapshot: paths, counters, drops, and a check against the capture.",
        discussion: """
        Capture on the node with `tcpdump -i any -y LINUX_SLL2 -w FILE` (every interface, both directions, \
        interface indexes that ip-link.json resolves) and take the snapshot in the same namespace. Incoming frames \
        are replayed from PREROUTING; an outgoing frame is checked against the packet pathsim forwarded, or, with \
        no such packet, replayed as sent by the node. Captures of one interface (Ethernet, RAW, ...) need --iface.
        """
    )

    @OptionGroup var world: WorldOptions

    @Argument(help: "The capture file (pcap or pcapng).")
    var file: String

    @Option(name: .long, help: "The interface every frame was captured on (for captures that do not record it).")
    var iface: String?

    @Option(name: .long, help: "Replay only the frames this BPF expression selects (tcpdump's syntax, compiled by libpcap).")
    var filter: String?

    @Option(name: .long, help: "human (drops and a summary) or json (JSON Lines: one object per frame, a summary last).")
    var format: ReplayOutputFormat = .human

    @Flag(name: .long, help: "human format: print each packet's path, as trace does.")
    var paths = false

    @Option(name: .long, help: "Write the counters after the replay in iptables-save -c form.")
    var saveCounters: String?

    @Option(name: .long, help: "Write the frames of dropped packets to this pcap file.")
    var writeDropped: String?

    @Option(name: .long, help: "Write the frames of accepted packets to this pcap file.")
    var writeAccepted: String?

    @Flag(name: .long, help: "Say why each dropped packet was dropped (as `pathsim explain`): in human format after the packet, in json as its \"explanation\".")
    var explain = false

    @Flag(name: .long, help: "After the replay, print the conntrack table as `conntrack -L` does.")
    var conntrack = false

    @Option(name: .long, help: "Colour: auto (only on a terminal), always, never.")
    var color: String = "auto"

    mutating func run() throws {
        guard world.pkt.isEmpty else { throw fail("replay takes packets from the capture, not --pkt", ExitCode.validationFailure) }
        let loaded = try world.loadWorld()
        let snapshot = loaded.snapshot
        let simulator = try world.simulator(snapshot, recordMisses: explain)
        let explainer = Explainer(context: loaded.explainContext())
        guard FileManager.default.fileExists(atPath: file) else { throw fail("\(file): no such file", PathsimExit.missingInput) }
        let reader: PcapReader
        do {
            reader = try PcapReader(path: file, filter: filter)
        } catch {
            throw fail("\(error)", PathsimExit.badInput)
        }
        var replayer: CaptureReplayer
        do {
            replayer = try CaptureReplayer(simulator: simulator, linkType: reader.linkType, interface: iface)
        } catch {
            throw fail("\(file): \(error)", ExitCode.validationFailure)
        }
        let writers = try FrameWriters(dropped: writeDropped, accepted: writeAccepted, like: reader)
        let ruleText = ruleTextLookup(snapshot)
        let human = TraceHuman(colour: (ColourChoice(rawValue: color) ?? .auto).enabled, verbose: false, ruleText: ruleText)
        var progress = ProgressBar(path: file)
        var output = BufferedOutput()

        func emit(_ events: [ReplayEvent], frame: CapturedFrame?) {
            for event in events {
                writers.handle(event, current: frame)
                switch format {
                case .json:
                    guard var object = ReplayJSON.object(event) else { continue }
                    if explain, case .replayed(let packet) = event, !packet.trace.fate.isAccepted, case .object(let fields) = object {
                        object = .object(fields + [("explanation", .encoded(explainer.explain(packet.trace).json))])
                    }
                    output.line(object.rendered)
                case .human:
                    switch event {
                    case .replayed(let packet) where paths || (explain && !packet.trace.fate.isAccepted):
                        var text = "frame \(packet.frame) (\(packet.origin.rawValue)):\n" + human.render(packet.trace, index: nil) + "\n"
                        if explain && !packet.trace.fate.isAccepted { text += ExplanationText.render(explainer.explain(packet.trace), indent: "  ") + "\n" }
                        output.line(text)
                    case .disagreement(let disagreement):
                        output.line("disagreement: \(disagreement)")
                    default: break
                    }
                }
            }
        }

        do {
            while let frame = try reader.next() {
                emit(replayer.replay(frame), frame: frame)
                progress.update(frames: reader.framesRead, offset: reader.fileOffset)
            }
        } catch {
            progress.finish()
            output.flush()
            throw fail("\(error)", PathsimExit.badInput)
        }
        emit(replayer.finish(), frame: nil)
        progress.finish()
        switch format {
        case .json: output.line(ReplayJSON.summary(replayer.summary).rendered)
        case .human: output.line(ReplayReport.render(replayer.summary, ruleText: ruleText))
        }
        output.flush()
        writers.close()
        if let saveCounters { try pathsim.saveCounters(replayer.simulator, to: saveCounters) }
        if conntrack { printConntrackTable(replayer.simulator, json: format == .json) }
    }
}

/// `--write-dropped` / `--write-accepted`: the original frames of each replayed packet, all
/// fragments of a reassembled one included (held until the packet's fate is known).
final class FrameWriters {
    let dropped: PcapWriter?
    let accepted: PcapWriter?
    private var held: [Int: CapturedFrame] = [:]

    init(dropped: String?, accepted: String?, like reader: PcapReader) throws {
        func open(_ path: String?) throws -> PcapWriter? {
            guard let path else { return nil }
            do {
                return try PcapWriter(path: path, linkType: reader.linkType, snapshotLength: reader.snapshotLength)
            } catch {
                throw fail("\(error)", PathsimExit.internalError)
            }
        }
        self.dropped = try open(dropped)
        self.accepted = try open(accepted)
    }

    func handle(_ event: ReplayEvent, current: CapturedFrame?) {
        guard dropped != nil || accepted != nil else { return }
        switch event {
        case .heldFragment(let number):
            if let current, current.number == number { held[number] = current }
        case .replayed(let packet):
            guard let writer = packet.trace.fate.isAccepted ? accepted : dropped else {
                for number in packet.frames { held[number] = nil }
                return
            }
            for number in packet.frames {
                if let frame = held.removeValue(forKey: number) ?? (current?.number == number ? current : nil) { writer.write(frame) }
            }
        case .skipped(let number, _):
            held[number] = nil
        default:
            break
        }
    }

    func close() {
        dropped?.close()
        accepted?.close()
    }
}

/// Lines to stdout through one buffer: a million `print` calls cost more than the replay.
struct BufferedOutput {
    private var buffer = ""

    mutating func line(_ text: String) {
        buffer += text
        buffer += "\n"
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer.utf8))
        buffer = ""
    }
}

/// A progress bar on stderr, only when stderr is a terminal.
struct ProgressBar {
    let enabled: Bool
    let total: Int
    private var lastDraw = 0.0
    private let start = Date()

    init(path: String) {
        enabled = isatty(STDERR_FILENO) != 0
        total = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    mutating func update(frames: Int, offset: @autoclosure () -> Int?) {
        guard enabled, frames & 0x3ff == 0 else { return }
        let now = Date().timeIntervalSince(start)
        guard now - lastDraw >= 0.2 else { return }
        lastDraw = now
        let fraction = total > 0 ? min(1, Double(offset() ?? 0) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = now > 0 ? Int(Double(frames) / now) : 0
        FileHandleOutput.standardErrorRaw("\r[\(bar)] \(Int(fraction * 100))%  \(frames) frames  \(rate) frames/s")
    }

    func finish() {
        guard enabled, lastDraw > 0 else { return }
        FileHandleOutput.standardErrorRaw("\r\u{1B}[K")
    }
}
