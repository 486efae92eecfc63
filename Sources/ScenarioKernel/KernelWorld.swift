import Foundation
import IptablesSave
import KernelOracle
import Netfilter
import NodeSnapshot
import ScenarioSuite

/// A scenario world as the oracle takes it: the namespaces to build, the rules and sets to
/// load, and the engine configured as the oracle's node really is.
struct KernelWorld {
    var topology: OracleTopology
    var iptablesSave: String
    var ipsetSave: String
    var localTracing: LocalTracing
    /// The world's engine, with the options that mirror the oracle (see `init`).
    var prepared: PreparedWorld

    /// The world as the oracle takes it, or why it cannot be reproduced in namespaces.
    static func make(_ world: PreparedWorld, spec: WorldSpec) -> Result<KernelWorld, KernelSkip> {
        let snapshot = world.loaded.snapshot
        if snapshot.legacyRuleset != nil {
            return .failure(KernelSkip("the world has iptables-legacy tables, which nft monitor trace cannot show"))
        }
        if !snapshot.conntrack.isEmpty {
            return .failure(KernelSkip("the world starts with \(snapshot.conntrack.count) conntrack entries, which cannot be given to the kernel as they are"))
        }
        // A snapshot directory's own files are what a node printed; a rendered world has only
        // the parsed rules, printed back.
        var iptablesSave = IptablesSavePrinter.print(snapshot.ruleset)
        var ipsetSave = IPSetSavePrinter.print(snapshot.ipsets)
        if let directory = spec.snapshot {
            let path = { (name: String) in (directory as NSString).appendingPathComponent(name) }
            if let text = try? String(contentsOfFile: path(NodeSnapshot.File.iptablesSave), encoding: .utf8) { iptablesSave = text }
            if let text = try? String(contentsOfFile: path(NodeSnapshot.File.ipsetSave), encoding: .utf8) { ipsetSave = text }
        }
        // With closed ports modelled, the stack's answers are part of the path: trace every
        // local packet. Otherwise the oracle drops them untraced, and its `ct` expression turns
        // conntrack on whatever the rules say, so the engine must too.
        let localTracing: LocalTracing = spec.closedPorts ? .allLocal : .conntrackRelated
        var prepared = world
        prepared.simulator.options.conntrackAlwaysOn = localTracing == .conntrackRelated
        prepared.simulator.options.closedPorts = localTracing == .allLocal
        let topology = OracleTopology(network: snapshot.network, sysctls: snapshot.sysctls)
        if topology.probe == nil {
            return .failure(KernelSkip("the node has no gateway and no /32 workload route, so the oracle has nowhere to probe its monitor"))
        }
        return .success(KernelWorld(topology: topology, iptablesSave: iptablesSave, ipsetSave: ipsetSave,
                                    localTracing: localTracing, prepared: prepared))
    }
}

/// Why a world or a case is not compared.
struct KernelSkip: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
