import Explain
import Netfilter
import PacketSpec
import Replay
import TraceFormat

/// One packet a case sent, with its path and explanation.
public struct PacketOutcome: Sendable {
    /// 1-based, counting every packet the case's steps would send.
    public var number: Int
    /// The packet as sent, in `--pkt` form (TCP numbers filled in).
    public var spec: String
    public var trace: PacketTrace
    public var explanation: Explanation

    public var path: [StepReferenceText] { trace.steps.map(StepReferenceText.init(step:)) }
    public var decidingStep: StepReferenceText? {
        guard let step = explanation.decidingStep else { return nil }
        return StepReferenceText(legacy: step.backend == "legacy", table: step.table, chain: step.chain, position: step.rule)
    }
}

/// What running a case's packets through one engine gave.
public struct CaseOutcome: Sendable {
    /// By packet number; a handshake stopped by a drop leaves its later numbers out.
    public var packets: [PacketOutcome] = []
    /// Why packets were not sent (a handshake whose SYN was dropped sends no SYN-ACK).
    public var notes: [String] = []
    /// Counters after all packets, for the steps the case names: nil when no such rule exists.
    public var counters: [StepReferenceText: Counter?] = [:]
    /// The conntrack table after all packets, as `conntrack -L` prints it.
    public var conntrack: [String] = []

    public func packet(_ number: Int?) -> PacketOutcome? {
        guard let number else { return packets.last }
        return packets.first { $0.number == number }
    }
}

extension StepReferenceText {
    init(step: TraceStep) {
        self.init(legacy: step.backend == .legacy, table: step.table.rawValue, chain: step.chain, position: step.rule)
    }
}

/// Runs a case's packets, in order, through a copy of the world's engine.
public enum CaseRun {
    public static func run(_ scenarioCase: ScenarioCase, in world: PreparedWorld) -> CaseOutcome {
        var simulator = world.simulator
        var sequencer = TCPSequencer()
        var outcome = CaseOutcome()
        var number = 0
        var clock: Double?

        // Specs were checked when the file was read; a reply built here from a trace is
        // well formed by construction, so a failure to parse is reported, not trapped.
        func send(_ text: String) -> PacketOutcome? {
            number += 1
            let spec: PacketSpec
            do {
                spec = try PacketSpec.parse(text)
            } catch {
                outcome.notes.append("packet \(number) (\(text)) could not be built: \(error)")
                return nil
            }
            let packet = sequencer.complete(spec)
            // Packets without t= are a millisecond apart, as in `pathsim trace`.
            let time = spec.timestamp ?? clock.map { $0 + 0.001 } ?? 0
            return run(spec.input(packet, timestamp: time))
        }

        func run(_ input: PacketInput) -> PacketOutcome {
            clock = input.timestamp
            let trace = simulator.process(input)
            let sent = PacketOutcome(number: number, spec: PacketDescription.spec(input.packet, ingress: input.ingress), trace: trace,
                                     explanation: world.explainer.explain(trace))
            outcome.packets.append(sent)
            return sent
        }

        for step in scenarioCase.packets {
            switch step.kind {
            case .packet:
                _ = send(step.spec)
            case .handshake:
                guard let syn = send(step.spec + " flags=S") else { number += 2; continue }
                guard let reply = replySpec(to: syn.trace) else {
                    outcome.notes.append("handshake at line \(step.line): the SYN (packet \(syn.number)) was \(syn.explanation.verdict), so packets \(syn.number + 1) and \(syn.number + 2) were not sent")
                    number += 2
                    continue
                }
                guard let synAck = send(reply), synAck.trace.fate.isAccepted else {
                    outcome.notes.append("handshake at line \(step.line): the SYN-ACK (packet \(number)) was not accepted, so packet \(number + 1) was not sent")
                    number += 1
                    continue
                }
                _ = send(step.spec + " flags=.")
            case .capture:
                do {
                    // The capture's own spacing, starting a millisecond after the case's last packet.
                    let inputs = try CaptureReplayer.packetInputs(path: step.spec, interface: step.interface, simulator: world.simulator)
                    let start = clock.map { $0 + 0.001 } ?? 0
                    let first = inputs.first?.timestamp ?? 0
                    for var input in inputs {
                        number += 1
                        input.timestamp = start + (input.timestamp - first)
                        _ = run(input)
                    }
                } catch {
                    outcome.notes.append("capture at line \(step.line): \(error)")
                }
            }
        }
        for counter in scenarioCase.counters {
            outcome.counters[counter.step] = Self.counter(counter.step, in: simulator)
        }
        outcome.conntrack = simulator.conntrackListing()
        return outcome
    }

    /// The SYN-ACK answering an accepted SYN: from where the SYN went (after NAT) back to where
    /// it came from, arriving on the interface the SYN left by, or sent by the node itself when
    /// the SYN was delivered locally. nil when the SYN did not get through.
    static func replySpec(to syn: PacketTrace) -> String? {
        let origin: String
        switch syn.fate {
        case .sent(let interface): origin = "in=\(interface)"
        case .delivered: origin = "local"
        default: return nil
        }
        let packet = syn.finalPacket
        return "\(origin) tcp \(packet.destination):\(packet.destinationPort) > \(packet.source):\(packet.sourcePort) flags=S."
    }

    static func counter(_ step: StepReferenceText, in simulator: Simulator) -> Counter? {
        guard let table = TableName(rawValue: step.table) else { return nil }
        let backend: Backend = step.legacy ? .legacy : .nftables
        guard let ruleset = step.legacy ? simulator.legacyRuleset : simulator.ruleset, let chain = ruleset.table(table)?.chain(step.chain) else { return nil }
        guard let position = step.position else { return simulator.policyCounter(table: table, chain: step.chain, backend: backend) }
        guard position >= 1, position <= chain.rules.count else { return nil }
        return simulator.counter(table: table, chain: step.chain, rule: position - 1, backend: backend)
    }
}
