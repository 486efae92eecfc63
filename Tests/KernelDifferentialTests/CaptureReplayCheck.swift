import Foundation
import IptablesSave
import KernelOracle
import Netfilter
import PcapIO
import Replay

/// Checks `pathsim replay` of a capture the kernel produced: the node's traffic during a
/// differential case, captured with `tcpdump -i any -y LINUX_SLL2`, replayed against the
/// case's rules, must give the kernel's path for every packet, the kernel's counters, and
/// no disagreement with the capture.
///
/// A capture cannot hold what never reached a packet socket (a packet the node sends and
/// drops before it leaves), holds a node-sent packet only after NAT, and never holds a
/// mark. From the first such packet of a case (known from pathsim's own run, which agrees
/// with the kernel) the rest of the case is not compared, nor are its counters; these are
/// counted and printed.
enum CaptureReplayCheck {
    struct Outcome {
        var frames = 0
        var packets = 0
        var steps = 0
        var counters = 0
        /// Packets not compared because an earlier one of their case was not capturable.
        var notCompared = 0
        /// Node-sent packets a capture cannot show as the kernel saw them, by reason.
        var unfaithful: [String: Int] = [:]
        var countersSkipped = false
        var disagreements: [Disagreement] = []
    }

    static func check(_ testCase: DifferentialCase, result: DifferentialResult, capture: String, network: NodeNetwork) throws -> Outcome {
        var outcome = Outcome()
        func disagree(_ detail: String) { outcome.disagreements.append(Disagreement(caseName: "\(testCase.name) (replay)", detail: detail)) }

        let ruleset = try IptablesSaveParser.parse(testCase.iptablesSave, file: "\(testCase.name).rules")
        let sets = testCase.ipsetSave.isEmpty ? [] : try IPSetSaveParser.parse(testCase.ipsetSave, file: "\(testCase.name).ipset")
        var sysctls = Sysctls()
        sysctls.ipForward = true
        let simulator = Simulator(ruleset: ruleset, ipsets: sets, network: network, sysctls: sysctls)
        let reader = try PcapReader(path: capture)
        var replayer = try CaptureReplayer(simulator: simulator, linkType: reader.linkType, interface: nil)
        var replayed: [ReplayedPacket] = []
        var captureProblems: [(frame: Int, text: String)] = []
        func take(_ events: [ReplayEvent]) {
            for event in events {
                switch event {
                case .replayed(let packet): replayed.append(packet)
                case .disagreement(let d): captureProblems.append((d.originalFrame, "capture: \(d)"))
                case .skipped(let frame, let reason) where !reason.hasPrefix("IPv6") && !reason.hasPrefix("ARP"):
                    captureProblems.append((frame, "frame \(frame) skipped: \(reason)"))
                default: break
                }
            }
        }
        while let frame = try reader.next() { take(replayer.replay(frame)) }
        take(replayer.finish())
        outcome.frames = reader.framesRead

        // From the first packet the capture cannot show as the kernel saw it, the replay's
        // conntrack table may differ from the kernel's: the rest of the case is not compared.
        var faithful = true
        var cutoff = Int.max
        let groups = group(replayed, by: result.sends)
        for (index, sent) in result.sends.enumerated() where faithful {
            let kernelPasses = [sent.kernel.original].compactMap { $0 } + sent.kernel.others
            let ours = sent.trace.withGenerated
            guard kernelPasses.count == ours.count else {
                disagree("packet \(index + 1): the kernel traced \(kernelPasses.count) passes, pathsim \(ours.count); not compared")
                faithful = false
                break
            }
            var kernelSteps: [TraceStep] = []
            for (pass, trace) in zip(kernelPasses, ours) {
                if let why = uncapturable(trace) {
                    outcome.unfaithful[why, default: 0] += 1
                    faithful = false
                    break
                }
                kernelSteps += pass.steps
            }
            guard faithful else {
                outcome.notCompared += result.sends.count - index
                cutoff = groups[index...].lazy.compactMap { $0.first?.frame }.first ?? Int.max
                break
            }
            let group = groups[index]
            let replaySteps = group.flatMap { $0.trace.withGenerated.flatMap(\.steps) }
            outcome.packets += 1
            outcome.steps += kernelSteps.count
            if kernelSteps != replaySteps {
                disagree("""
                packet \(index + 1) \(DifferentialRunner.describe(sent.trace.input)), frames \(group.map { String($0.frame) }.joined(separator: ",")):
                  kernel: \(kernelSteps.map(\.description).joined(separator: " | "))
                  replay: \(replaySteps.map(\.description).joined(separator: " | "))
                """)
            }
        }

        for problem in captureProblems where problem.frame < cutoff { disagree(problem.text) }
        guard faithful, let kernelCounters = result.kernelCounters else {
            outcome.countersSkipped = true
            return outcome
        }
        let (compared, differences) = DifferentialRunner.compareCounters(kernelCounters, with: replayer.simulator, side: "replay")
        outcome.counters = compared
        differences.forEach(disagree)
        return outcome
    }

    /// Splits the replayed packets by the send that caused them: a send's group starts at
    /// the frame of its own packet (found by addresses, ports and IP id; the kernel picks the
    /// id of a local packet sent with 0) and runs to the next send's. A node-sent packet the
    /// kernel dropped before it left has no frame and an empty group.
    /// Why a packet pathsim traced cannot be replayed from a capture as the kernel saw it;
    /// nil when it can. A REJECT's answer is modelled by the replay itself.
    static func uncapturable(_ trace: PacketTrace) -> String? {
        guard case .local = trace.input.ingress, !trace.notes.contains(where: { $0.hasPrefix("generated by REJECT") }) else { return nil }
        if !trace.fate.isAccepted { return "dropped before it left" }
        if trace.input.packet.mark != 0 { return "sent with a mark (not on the wire)" }
        let before = trace.input.packet, after = trace.finalPacket
        if before.source != after.source || before.destination != after.destination || before.sourcePort != after.sourcePort || before.destinationPort != after.destinationPort {
            return "captured after NAT"
        }
        return nil
    }

    static func group(_ replayed: [ReplayedPacket], by sends: [SentPacket]) -> [[ReplayedPacket]] {
        func isFrame(_ packet: ReplayedPacket, of sent: SentPacket) -> Bool {
            isFrame(packet, of: sent, as: sent.trace.input.packet) || isFrame(packet, of: sent, as: sent.trace.finalPacket)
        }
        func isFrame(_ packet: ReplayedPacket, of sent: SentPacket, as b: Packet) -> Bool {
            let a = packet.trace.input.packet
            let sameOrigin: Bool
            switch (packet.trace.input.ingress, sent.trace.input.ingress) {
            case (.local, .local): sameOrigin = true
            case (.interface(let x), .interface(let y)): sameOrigin = x == y
            default: sameOrigin = false
            }
            return sameOrigin && a.source == b.source && a.destination == b.destination && a.proto == b.proto
                && a.sourcePort == b.sourcePort && a.destinationPort == b.destinationPort && (b.ipID == 0 || a.ipID == b.ipID)
        }
        var groups = [[ReplayedPacket]](repeating: [], count: sends.count)
        var current = -1
        for packet in replayed {
            var next = current + 1
            while next < sends.count, !isFrame(packet, of: sends[next]) {
                // Only a send that left no frame may be passed over.
                guard case .local = sends[next].trace.input.ingress, !sends[next].trace.fate.isAccepted else { next = sends.count; break }
                next += 1
            }
            if next < sends.count { current = next }
            if current >= 0 { groups[current].append(packet) }
        }
        return groups
    }
}
