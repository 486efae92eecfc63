import Foundation
import KernelOracle
import Netfilter
import ScenarioSuite

/// One case on pathsim and on the kernel, packet by packet.
enum KernelCaseRun {
    /// Packets further apart than this (a case's `t=`) rely on timers the oracle would have to
    /// wait out in real time.
    static let longestGap = 1.0

    static func run(_ scenarioCase: ScenarioCase, world: KernelWorld, oracle: KernelOracle) throws -> (status: KernelCaseStatus, packets: Int, steps: Int) {
        // pathsim first: it completes TCP numbers and builds handshake replies, and the kernel
        // must see the very same packets.
        let outcome = CaseRun.run(scenarioCase, in: world.prepared)
        if let reason = skipReason(outcome, topology: world.topology, network: world.prepared.simulator.network) {
            return (.skipped(reason), 0, 0)
        }
        // A path through a `-m statistic` rule (kube-proxy's endpoint choice) is a draw the
        // kernel makes for itself: the case agrees when some run of it takes pathsim's branch.
        // With probabilities of 1/n per endpoint, a few runs find it almost surely.
        let attempts = drawsAtRandom(outcome, ruleset: world.prepared.simulator.ruleset) ? randomAttempts : 1
        var last: (status: KernelCaseStatus, packets: Int, steps: Int) = (.agrees, 0, 0)
        for _ in 0..<attempts {
            try oracle.resetBetweenCases()
            last = try compare(outcome, oracle: oracle)
            if case .agrees = last.status { break }
        }
        return last
    }

    static let randomAttempts = 16

    static func compare(_ outcome: CaseOutcome, oracle: KernelOracle) throws -> (status: KernelCaseStatus, packets: Int, steps: Int) {
        var packets = 0
        var steps = 0
        for sent in outcome.packets {
            let input = sent.trace.input
            let kernel = try oracle.send(input.packet, from: input.ingress)
            // nft monitor trace shows only nf_tables chains, and REJECT replies and loopback
            // re-entries as passes of their own.
            let kernelSteps = kernel.steps + kernel.otherSteps.flatMap { $0 }
            let pathsimSteps = sent.trace.withGenerated.flatMap(\.steps).filter { $0.backend == .nftables }
            let kernelAccepted = KernelVerdict.accepted(kernel)
            let pathsimAccepted = sent.trace.fate.isAccepted
            packets += 1
            steps += kernelSteps.count
            if kernelSteps != pathsimSteps || kernelAccepted != pathsimAccepted {
                let difference = PacketDifference(number: sent.number, spec: sent.spec, pathsimSteps: pathsimSteps, kernelSteps: kernelSteps,
                                                  pathsimAccepted: pathsimAccepted, kernelAccepted: kernelAccepted, kernelTrace: kernel.rawLines)
                return (.differs(difference), packets, steps)
            }
        }
        return (.agrees, packets, steps)
    }

    /// Whether a chain the case's packets went through holds a `-m statistic` rule.
    static func drawsAtRandom(_ outcome: CaseOutcome, ruleset: Ruleset) -> Bool {
        for sent in outcome.packets {
            for step in sent.trace.withGenerated.flatMap(\.steps) where step.backend == .nftables {
                guard let chain = ruleset.table(step.table)?.chain(step.chain) else { continue }
                if chain.rules.contains(where: { $0.matches.contains { if case .statistic = $0 { return true } else { return false } } }) { return true }
            }
        }
        return false
    }

    /// Why the case's packets cannot be reproduced in the oracle, or nil.
    static func skipReason(_ outcome: CaseOutcome, topology: OracleTopology, network: NodeNetwork) -> String? {
        let built = Set(topology.interfaceNames)
        var previous: Double?
        for sent in outcome.packets {
            let input = sent.trace.input
            if let previous, input.timestamp - previous > longestGap {
                return "packet \(sent.number) comes \(input.timestamp - previous) s after the one before (t=): the kernel's timers would have to be waited out"
            }
            previous = input.timestamp
            if case .interface(let name) = input.ingress, !built.contains(name) {
                return OracleTopology.isTunnel(name)
                    ? "packet \(sent.number) arrives on the tunnel device \(name), which the oracle cannot build"
                    : "packet \(sent.number) arrives on \(name), which the node does not have"
            }
            if case .undetermined(let why) = sent.trace.fate {
                return "pathsim cannot determine packet \(sent.number): \(why)"
            }
            for trace in sent.trace.withGenerated {
                if case .sent(let interface) = trace.fate, !built.contains(interface) {
                    return "packet \(sent.number) leaves by \(interface), which the oracle cannot build"
                }
                for destination in [trace.input.packet.destination, trace.finalPacket.destination] {
                    if let device = network.lookup(destination)?.device, topology.leftOut.contains(device) {
                        return "packet \(sent.number) is routed to \(destination) through the tunnel device \(device), which the oracle cannot build"
                    }
                }
            }
        }
        return nil
    }
}
