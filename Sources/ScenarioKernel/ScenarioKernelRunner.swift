import Foundation
import KernelOracle
import ScenarioSuite

/// Runs scenario files on the real kernel: each world's namespaces are built once, its rules
/// and sets loaded once, and its cases run one after another with conntrack flushed and
/// counters zeroed in between.
public enum ScenarioKernelRunner {
    /// nil when the kernel oracle can run here (root, the tools, namespaces), else why not.
    public static func unavailableReason() -> String? { KernelOracle.availability() }

    /// Results in file order, then case order. `progress` sees each result as it is made.
    public static func run(_ files: [ScenarioFile], progress: (KernelCaseResult) -> Void = { _ in }) throws(ScenarioKernelError) -> [KernelCaseResult] {
        if let reason = unavailableReason() { throw ScenarioKernelError("the kernel oracle cannot run: \(reason)") }
        // Cases grouped by world, worlds in order of first use.
        var order: [WorldSpec] = []
        var groups: [WorldSpec: [(file: ScenarioFile, index: Int)]] = [:]
        for file in files {
            for (index, scenarioCase) in file.cases.enumerated() {
                var key = scenarioCase.world
                key.file = ""
                key.line = 0
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append((file, index))
            }
        }
        var results: [String: KernelCaseResult] = [:]
        for key in order {
            let members = groups[key] ?? []
            guard let first = members.first else { continue }
            let spec = first.file.cases[first.index].world
            for result in runWorld(spec, members: members) {
                progress(result)
                results[result.file + "\u{0}" + result.caseName] = result
            }
        }
        return files.flatMap { file in file.cases.compactMap { results[file.path + "\u{0}" + $0.name] } }
    }

    private static func runWorld(_ spec: WorldSpec, members: [(file: ScenarioFile, index: Int)]) -> [KernelCaseResult] {
        func all(_ status: KernelCaseStatus) -> [KernelCaseResult] {
            members.map { KernelCaseResult(suite: $0.file.name, file: $0.file.path, caseName: $0.file.cases[$0.index].name, status: status) }
        }
        let prepared: PreparedWorld
        do {
            prepared = try PreparedWorld.load(spec)
        } catch {
            return all(.skipped("the world cannot be loaded: \(error)"))
        }
        let world: KernelWorld
        switch KernelWorld.make(prepared, spec: spec) {
        case .success(let made): world = made
        case .failure(let skip): return all(.skipped(skip.reason))
        }
        let oracle: KernelOracle
        do {
            oracle = try KernelOracle(topology: world.topology, localTracing: world.localTracing)
        } catch {
            return all(.skipped("the world's network cannot be built in namespaces: \(error)"))
        }
        defer { oracle.shutdown() }
        do {
            try oracle.load(iptablesSave: world.iptablesSave, ipsetSave: world.ipsetSave)
        } catch {
            return all(.skipped("the kernel did not accept the world's rules or sets: \(error)"))
        }
        var results: [KernelCaseResult] = []
        for member in members {
            let scenarioCase = member.file.cases[member.index]
            var result = KernelCaseResult(suite: member.file.name, file: member.file.path, caseName: scenarioCase.name, status: .agrees)
            do {
                let run = try KernelCaseRun.run(scenarioCase, world: world, oracle: oracle)
                result.status = run.status
                result.packets = run.packets
                result.steps = run.steps
            } catch {
                result.status = .skipped("the oracle failed: \(error)")
            }
            results.append(result)
        }
        return results
    }
}

/// The kernel run as a whole could not start.
public struct ScenarioKernelError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
