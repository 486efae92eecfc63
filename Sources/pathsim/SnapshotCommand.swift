import ArgumentParser
import NodeSnapshot

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Collect a node snapshot from this machine (read-only commands only).",
        discussion: "Runs iptables-save -c, ipset save, ip -j addr show, ip -j route show table all, ip -j link show and sysctl, and writes their output to DIR."
    )

    @Argument(help: "Directory to write the snapshot into.")
    var directory: String

    mutating func run() throws {
        do {
            let files = try SnapshotCollector.collect(into: directory) { FileHandleOutput.standardError("pathsim: \($0)") }
            for file in files { print(file) }
        } catch {
            throw fail("\(error)", PathsimExit.internalError)
        }
    }
}
