import Foundation

/// `pathsim snapshot DIR`: runs only read-only commands on the live node and writes
/// their output into the snapshot files, each written atomically.
public enum SnapshotCollector {
    public struct Command: Sendable {
        public var file: String
        public var arguments: [String]
        public var optional: Bool
    }

    public static var commands: [Command] {
        [
            Command(file: NodeSnapshot.File.iptablesSave, arguments: ["iptables-save", "-c"], optional: false),
            Command(file: NodeSnapshot.File.ipsetSave, arguments: ["ipset", "save"], optional: true),
            Command(file: NodeSnapshot.File.ipAddr, arguments: ["ip", "-j", "addr", "show"], optional: false),
            Command(file: NodeSnapshot.File.ipRoute, arguments: ["ip", "-j", "route", "show", "table", "all"], optional: false),
            Command(file: NodeSnapshot.File.ipLink, arguments: ["ip", "-j", "link", "show"], optional: false),
            Command(file: NodeSnapshot.File.sysctl, arguments: ["sysctl", "-e"] + SysctlFile.collectedKeys, optional: true),
            Command(file: NodeSnapshot.File.conntrack, arguments: ["conntrack", "-L"], optional: true),
            Command(file: NodeSnapshot.File.iptablesLegacySave, arguments: ["iptables-legacy-save", "-c"], optional: true),
        ]
    }

    /// Runs each command, says it on `log`, and returns the files written.
    public static func collect(into directory: String, log: (String) -> Void) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        for command in commands {
            log("running (read-only): \(command.arguments.joined(separator: " "))")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command.arguments
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            do {
                try process.run()
            } catch {
                if command.optional { log("  skipped: \(error)"); continue }
                throw error
            }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                let message = "\(command.arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): \(errorText.trimmingCharacters(in: .whitespacesAndNewlines))"
                if command.optional { log("  skipped: \(message)"); continue }
                throw SnapshotError(file: command.file, line: 0, message: message)
            }
            let path = (directory as NSString).appendingPathComponent(command.file)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            written.append(path)
        }
        return written
    }
}
