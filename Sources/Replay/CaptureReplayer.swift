import Netfilter
import PacketWire
import PcapIO
import TraceFormat

/// Replays a capture through the engine, frame by frame, in constant memory: the
/// conntrack table, fragments awaiting reassembly and copies awaiting their outgoing frame
/// all expire with capture time.
///
/// A frame is taken as the kernel's packet sockets saw it: an incoming frame was captured
/// before PREROUTING, an outgoing one after POSTROUTING. So an incoming frame is replayed
/// from PREROUTING on its interface; an outgoing frame is either the copy of a packet
/// already replayed (forwarded, looped back, or a REJECT answer) and is checked against
/// it, or a packet the node itself sent, replayed from OUTPUT.
public struct CaptureReplayer {
    public private(set) var simulator: Simulator
    public let interfaces: CaptureInterfaces
    /// The capture shows every interface in both directions (`tcpdump -i any`), so a packet
    /// pathsim passes must show up leaving, and an outgoing frame with no original is local.
    public let seesAllInterfaces: Bool
    public private(set) var summary = ReplaySummary()

    var reassembler = IPv4Reassembler()
    var ledger = EgressLedger()

    public init(simulator: Simulator, linkType: LinkType, interface: String?) throws(ReplayError) {
        let interfaces = CaptureInterfaces(network: simulator.network, fixed: interface)
        if interface == nil, linkType != .linuxSLL2 {
            throw ReplayError("a \(linkType) capture does not record the interface of its frames: name it with --iface (for a node-wide capture use `tcpdump -i any -y LINUX_SLL2`)")
        }
        if let interface, !simulator.network.interfaces.isEmpty, simulator.network.interface(named: interface) == nil {
            throw ReplayError("--iface \(interface) is not an interface of the snapshot (ip-link.json)")
        }
        self.simulator = simulator
        self.interfaces = interfaces
        seesAllInterfaces = interface == nil && (linkType == .linuxSLL2 || linkType == .linuxSLL)
    }

    public mutating func replay(_ frame: CapturedFrame) -> [ReplayEvent] {
        var events = expire(now: frame.timestamp)
        summary.frames += 1
        let link = LinkDecoder.decode(frame)
        let bytes: ArraySlice<UInt8>
        switch link.payload {
        case .ipv4(let payload): bytes = payload
        case .ipv6: return events + [skip(frame, "IPv6 (pathsim models IPv4 netfilter; ip6tables is not loaded)")]
        case .arp: return events + [skip(frame, "ARP (not seen by iptables)")]
        case .other(let type): return events + [skip(frame, "not IPv4 (protocol 0x\(String(type, radix: 16)))")]
        case .malformed(let why): return events + [skip(frame, "malformed frame: \(why)")]
        }
        let interface: String
        switch interfaces.resolve(link) {
        case .interface(let name): interface = name
        case .unknownIndex(let index): return events + [skip(frame, "interface index \(index) is not in the snapshot's ip-link.json (take the snapshot in the namespace the capture was made in)")]
        case .none: return events + [skip(frame, "the frame does not say which interface it was seen on")]
        }
        let outgoing: Bool
        switch link.direction {
        case .outgoing: outgoing = true
        case .incoming: outgoing = false
        case .unknown: outgoing = interfaces.isOwnMAC(frame, interface: interface)
        }

        // The kernel reassembles before raw PREROUTING (nf_defrag_ipv4) on the way in; on
        // the way out fragments are made after POSTROUTING, so outgoing ones are copies.
        var whole = bytes
        var frames = [frame.number]
        if !outgoing, IPv4Reassembler.isFragment(bytes) {
            switch reassembler.add(bytes, frame: frame.number, timestamp: frame.timestamp) {
            case .whole(let packet): whole = packet[...]
            case .reassembled(let packet, let fragmentFrames):
                whole = packet[...]
                frames = fragmentFrames
                summary.reassembled += 1
            case .pending: return events + [.heldFragment(frame: frame.number)]
            case .failed(let why, _): return events + [skip(frame, "fragment not reassembled: \(why)")]
            }
        }
        var packet: Packet
        let truncated: Bool
        switch PacketDecoder.decodeCaptured(whole) {
        case .packet(let decoded, let cut):
            packet = decoded
            packet.linkLayerCast = outgoing ? .unicast : LinkLayerCastReader.cast(of: frame)
            truncated = cut
        case .unusable(let why): return events + [skip(frame, why)]
        }
        if truncated { summary.truncated += 1 }

        if outgoing || interface == "lo" {
            switch ledger.match(packet, interface: interface, outgoing: outgoing) {
            case .copy(let original):
                summary.egressCopies += 1
                events.append(.egressCopy(frame: frame.number, originalFrame: original.originalFrame, interface: interface))
                if let disagreement = compare(original, with: packet, interface: interface, frame: frame.number) {
                    if disagreement.kind == .translatedDifferently, let entry = original.openedEntry,
                       simulator.adoptTranslation(entryID: entry, leftAs: packet) {
                        summary.translationsAdopted += 1
                    } else {
                        events.append(record(disagreement))
                    }
                }
                return events
            case .wasDropped(let dropped):
                summary.egressCopies += 1
                events.append(.egressCopy(frame: frame.number, originalFrame: dropped.originalFrame, interface: interface))
                events.append(record(CaptureDisagreement(
                    kind: .leftButDropped, frame: frame.number, originalFrame: dropped.originalFrame, blamed: dropped.trace.fate.decidingStep,
                    message: "the capture shows the packet of frame \(dropped.originalFrame) leaving on \(interface); pathsim dropped it (\(PacketDescription.fate(dropped.trace.fate)))")))
                return events
            case .none:
                break
            }
            if outgoing && !seesAllInterfaces && !simulator.network.isLocal(packet.source) {
                return events + [skip(frame, "outgoing frame of a packet that did not arrive on the captured interface \(interface): its incoming copy is not in this capture")]
            }
        }

        let origin: PacketOrigin = outgoing ? .locallyGenerated : .incoming
        let input = PacketInput(packet: packet, ingress: outgoing ? .local : .interface(interface), timestamp: frame.timestamp)
        let trace = simulator.process(input)
        summary.count(trace)
        events.append(.replayed(ReplayedPacket(frame: frame.number, frames: frames, trace: trace, truncated: truncated, origin: origin)))
        if outgoing, !trace.fate.isAccepted {
            events.append(record(CaptureDisagreement(
                kind: .leftButDropped, frame: frame.number, originalFrame: frame.number, blamed: trace.fate.decidingStep,
                message: "the capture shows this locally generated packet leaving on \(interface); pathsim dropped it (\(PacketDescription.fate(trace.fate)))")))
        } else if outgoing, case .sent(let out) = trace.fate, out != interface {
            events.append(record(CaptureDisagreement(
                kind: .otherInterface, frame: frame.number, originalFrame: frame.number, blamed: nil,
                message: "the node sent this packet on \(interface); pathsim routes it out \(out)")))
        }
        if seesAllInterfaces { ledger.expect(trace, frame: frame.number, at: frame.timestamp, isOutgoingCopyAlreadySeen: outgoing) }
        return events
    }

    /// The end of the capture: what is still expected never left.
    public mutating func finish() -> [ReplayEvent] {
        var events: [ReplayEvent] = []
        for (frames, reason) in reassembler.expire(now: .infinity) {
            events.append(skip(frameNumber: frames.last ?? 0, "fragment not reassembled: \(reason) (frames \(frames.map(String.init).joined(separator: ", ")))"))
        }
        events += ledger.drain().map { record(neverLeft($0)) }
        return events
    }

    mutating func expire(now: Double) -> [ReplayEvent] {
        var events: [ReplayEvent] = []
        if reassembler.pendingDatagrams > 0 {
            for (frames, reason) in reassembler.expire(now: now) {
                events.append(skip(frameNumber: frames.last ?? 0, "fragment not reassembled: \(reason) (frames \(frames.map(String.init).joined(separator: ", ")))"))
            }
        }
        if seesAllInterfaces { events += ledger.expire(now: now).map { record(neverLeft($0)) } }
        return events
    }

    func neverLeft(_ copy: EgressLedger.Expected) -> CaptureDisagreement {
        let what = copy.outgoing ? "leaving on \(copy.interface)" : "coming back in on lo"
        return CaptureDisagreement(kind: .neverLeft, frame: copy.originalFrame, originalFrame: copy.originalFrame, blamed: nil,
                                   message: "pathsim passed this packet (out \(copy.interface)); the capture never shows it \(what)"
                                       + (copy.outgoing ? " (a next hop that never answers ARP also keeps a packet from leaving)" : ""))
    }

    func compare(_ copy: EgressLedger.Expected, with packet: Packet, interface: String, frame: Int) -> CaptureDisagreement? {
        if copy.interface != interface {
            return CaptureDisagreement(kind: .otherInterface, frame: frame, originalFrame: copy.originalFrame, blamed: nil,
                                       message: "the packet of frame \(copy.originalFrame) left on \(interface); pathsim sent it out \(copy.interface)")
        }
        let ours = copy.packet
        guard ours.source == packet.source, ours.destination == packet.destination,
              ours.sourcePort == packet.sourcePort, ours.destinationPort == packet.destinationPort
        else {
            return CaptureDisagreement(kind: .translatedDifferently, frame: frame, originalFrame: copy.originalFrame, blamed: nil,
                                       message: "the packet of frame \(copy.originalFrame) left as \(Self.endpoints(packet)); pathsim sent it as \(Self.endpoints(ours))")
        }
        return nil
    }

    static func endpoints(_ p: Packet) -> String {
        let ports = p.proto == IPProtocolNumber.tcp || p.proto == IPProtocolNumber.udp
        return ports ? "\(p.source):\(p.sourcePort) > \(p.destination):\(p.destinationPort)" : "\(p.source) > \(p.destination)"
    }

    mutating func record(_ disagreement: CaptureDisagreement) -> ReplayEvent {
        summary.disagreements += 1
        return .disagreement(disagreement)
    }

    mutating func skip(_ frame: CapturedFrame, _ reason: String) -> ReplayEvent {
        skip(frameNumber: frame.number, reason)
    }

    mutating func skip(frameNumber: Int, _ reason: String) -> ReplayEvent {
        summary.skipped[Self.category(reason), default: 0] += 1
        return .skipped(frame: frameNumber, reason: reason)
    }

    /// The reason up to its first colon or parenthesis, for counting alike frames together.
    static func category(_ reason: String) -> String {
        String(reason.prefix { $0 != ":" && $0 != "(" }).trimmingSuffixSpaces()
    }
}

public struct ReplayError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    func trimmingSuffixSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension PacketFate {
    /// The rule or policy that dropped the packet.
    public var decidingStep: TraceStep? {
        if case .droppedByRule(let step) = self { return step }
        return nil
    }
}
