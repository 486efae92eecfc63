import Dispatch
import Foundation

/// The result of one case.
public struct CaseResult: Sendable {
    public var suite: String
    public var file: String
    public var caseName: String
    public var line: Int
    public var mismatches: [Mismatch]
    public var outcome: CaseOutcome
    public var seconds: Double

    public var passed: Bool { mismatches.isEmpty }
}

/// Finds scenario files, loads their worlds once, and runs every case on the available cores.
public enum ScenarioRunner {
    /// Every `*.yaml` (or `*.yml`) file under the paths, in a stable order: files as given,
    /// directories searched recursively and sorted. Directories named `clusters` (and hidden
    /// ones) are skipped: they hold the Kubernetes objects scenarios refer to, not scenarios.
    public static func discover(_ paths: [String]) throws(ScenarioError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ScenarioError(file: path, line: 0, message: "no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                .filter { relative in !relative.split(separator: "/").dropLast().contains { $0 == "clusters" || $0.hasPrefix(".") } }
                .sorted()
            files += found.map { (path as NSString).appendingPathComponent($0) }
        }
        return files
    }

    public static func load(_ files: [String]) throws(ScenarioError) -> [ScenarioFile] {
        var loaded: [ScenarioFile] = []
        for file in files { loaded.append(try ScenarioParser.load(path: file)) }
        return loaded
    }

    /// Runs every case of the files; results in file order, then case order, whatever order
    /// they finished in. A world that cannot be loaded is an error of its file, as a
    /// malformed scenario is.
    public static func run(_ files: [ScenarioFile]) throws(ScenarioError) -> [CaseResult] {
        // Worlds are keyed without their location: the same world written in two cases (or
        // two files) is loaded once.
        var keys: [WorldSpec] = []
        var index: [WorldSpec: Int] = [:]
        for file in files {
            for scenarioCase in file.cases {
                let key = scenarioCase.world.withoutLocation
                if index[key] == nil {
                    index[key] = keys.count
                    keys.append(scenarioCase.world)
                }
            }
        }
        let worlds = ParallelMap.map(keys) { spec -> Result<PreparedWorld, ScenarioError> in
            Result { () throws(ScenarioError) -> PreparedWorld in try PreparedWorld.load(spec) }
        }
        var prepared: [PreparedWorld] = []
        for world in worlds {
            switch world {
            case .success(let world): prepared.append(world)
            case .failure(let error): throw error
            }
        }
        let worldOf = index
        let ready = prepared
        let jobs = files.flatMap { file in file.cases.map { (file, $0) } }
        return ParallelMap.map(jobs) { file, scenarioCase in
            let start = Date()
            let world = ready[worldOf[scenarioCase.world.withoutLocation] ?? 0]
            let outcome = CaseRun.run(scenarioCase, in: world)
            return CaseResult(suite: file.name, file: file.path, caseName: scenarioCase.name, line: scenarioCase.line,
                              mismatches: ExpectationCheck.mismatches(scenarioCase, outcome), outcome: outcome,
                              seconds: Date().timeIntervalSince(start))
        }
    }
}

extension WorldSpec {
    var withoutLocation: WorldSpec {
        var copy = self
        copy.file = ""
        copy.line = 0
        return copy
    }
}

/// `map` on every core. Results keep the input's order.
enum ParallelMap {
    static func map<Input: Sendable, Output: Sendable>(_ inputs: [Input], _ transform: @Sendable (Input) -> Output) -> [Output] {
        let results = ResultSlots<Output>(count: inputs.count)
        DispatchQueue.concurrentPerform(iterations: inputs.count) { offset in
            results.set(offset, transform(inputs[offset]))
        }
        return results.values
    }
}

/// Slots written by concurrent workers, each slot once; the lock makes the writes visible.
private final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = [Value?](repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
