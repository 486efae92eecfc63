import ArgumentParser
import Foundation
import ScenarioKernel
import ScenarioSuite

enum TestOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json
}

/// Runs scenario suites: YAML files of packets and what is expected of them.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run scenario suites (YAML files of packets with their expected verdicts, paths, counters and explanations).",
        discussion: """
        Runs every *.yaml file under the paths (default Scenarios/), cases in parallel. Exit codes: 0 every case \
        passed; 1 some failed; 65 a scenario file is malformed or its world cannot be loaded (the file and line are named). \
        The format is described in the README's "Scenario suites" section.

        --kernel (root only) also runs every case on the real kernel: each world's node is built in network \
        namespaces from its snapshot (interfaces, addresses, routes, rp_filter), its rules loaded with \
        iptables-nft-restore, each packet injected and its `nft monitor trace` compared with pathsim's steps and \
        verdict. It prints KERNEL AGREES / KERNEL DIFFERS (with the first differing packet, pathsim's steps as - lines \
        and the kernel's as + lines) / KERNEL SKIPPED (with the reason: tunnel devices, iptables-legacy tables, \
        conntrack entries in the snapshot, t= gaps) per case, then a summary; with --format json those lines go to \
        stderr. Exit codes with --kernel: 0 only if every pathsim check passes and no case differs, 1 otherwise; \
        69 when the kernel cannot be used (not root, a tool missing, namespaces unusable).
        """
    )

    @Argument(help: ArgumentHelp("Scenario files or directories searched for *.yaml.", valueName: "path"))
    var paths: [String] = ["Scenarios"]

    @Option(name: .long, help: "human (a line per case, a diff per failure) or json (an object per case, then a summary).")
    var format: TestOutputFormat = .human

    @Option(name: .long, help: ArgumentHelp("Also write a JUnit XML report to this file, replacing it atomically.", valueName: "file"))
    var junit: String?

    @Flag(name: .long, help: "Also run every case on the real kernel (root only) and report each case whose kernel trace differs from pathsim's.")
    var kernel = false

    @Flag(name: .long, help: "Rewrite the expect/counters/conntrack blocks of failing cases from the current results, and say what changed.")
    var update = false

    mutating func run() throws {
        let start = Date()
        // Checked before anything runs: a user asking for the kernel wants to know at once.
        if kernel, let reason = ScenarioKernelRunner.unavailableReason() {
            throw fail("--kernel needs the kernel oracle: \(reason)", PathsimExit.unsupported)
        }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw fail("\(path): no such file or directory", PathsimExit.missingInput)
        }
        let files: [ScenarioFile]
        let results: [CaseResult]
        do {
            files = try ScenarioRunner.load(ScenarioRunner.discover(paths))
            guard !files.isEmpty else { throw fail("no *.yaml scenario files under \(paths.joined(separator: ", "))", PathsimExit.missingInput) }
            results = try ScenarioRunner.run(files)
        } catch let error as ScenarioError {
            throw fail("\(error)", PathsimExit.badInput)
        }
        let seconds = Date().timeIntervalSince(start)
        for result in results {
            switch format {
            case .human:
                print(ScenarioReport.line(result))
                if !result.passed { print(ScenarioReport.failureDetail(result)) }
            case .json:
                print(ScenarioReport.json(result))
            }
        }
        switch format {
        case .human: print(ScenarioReport.summary(results, seconds: seconds))
        case .json: print(ScenarioReport.jsonSummary(results, seconds: seconds))
        }
        if let junit {
            do {
                try writeAtomically(JUnitReport.xml(results, seconds: seconds), to: junit)
            } catch {
                throw fail("cannot write \(junit): \(error.localizedDescription)", PathsimExit.internalError)
            }
        }
        var kernelDiffers = false
        if kernel {
            let emit: (String) -> Void = format == .human ? { print($0) } : { FileHandleOutput.standardError($0) }
            let kernelResults: [KernelCaseResult]
            do {
                kernelResults = try ScenarioKernelRunner.run(files) { result in
                    emit(KernelReport.line(result))
                    if case .differs(let difference) = result.status { emit(KernelReport.detail(difference)) }
                }
            } catch {
                throw fail("\(error)", PathsimExit.unsupported)
            }
            emit(KernelReport.summary(kernelResults))
            kernelDiffers = kernelResults.contains(where: \.differs)
        }
        let failed = results.contains { !$0.passed }
        if update && failed {
            try rewrite(files, results)
            return
        }
        if failed || kernelDiffers { throw ExitCode(1) }
    }

    /// Rewrites each file with failing cases; says what changed on stderr, so `--format json`
    /// output stays JSON.
    func rewrite(_ files: [ScenarioFile], _ results: [CaseResult]) throws {
        for file in files where results.contains(where: { $0.file == file.path && !$0.passed }) {
            do {
                let text = try String(contentsOfFile: file.path, encoding: .utf8)
                let (updated, changes) = try ScenarioUpdate.update(text: text, file: file, results: results)
                try writeAtomically(updated, to: file.path)
                for change in changes { FileHandleOutput.standardError("updated \(file.path) › \(change.caseName): \(change.text)") }
            } catch let error as ScenarioError {
                throw fail("\(error)", PathsimExit.badInput)
            } catch {
                throw fail("cannot update \(file.path): \(error.localizedDescription)", PathsimExit.internalError)
            }
        }
    }
}
