import Foundation

/// The result of one external command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// An external command failed; carries the tool's stderr.
public struct KernelOracleError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Runs external tools synchronously (no shell; arguments are passed as is).
enum ProcessRunner {
    @discardableResult
    static func run(_ arguments: [String], stdin: String? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: resolve(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe: Pipe?
        if stdin != nil {
            let pipe = Pipe()
            process.standardInput = pipe
            inPipe = pipe
        } else {
            process.standardInput = FileHandle.nullDevice
            inPipe = nil
        }
        try process.run()
        // Drain stderr on another thread so neither pipe can fill up and block the child.
        let errBox = DataBox()
        let errHandle = errPipe.fileHandleForReading
        let errThread = Thread { errBox.set(errHandle.readDataToEndOfFile()); errBox.finish() }
        errThread.start()
        if let inPipe, let stdin {
            let writer = inPipe.fileHandleForWriting
            let data = Data(stdin.utf8)
            let inThread = Thread { writer.write(data); try? writer.close() }
            inThread.start()
        }
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let err = errBox.wait()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs and throws with the tool's stderr when the exit status is not 0.
    @discardableResult
    static func check(_ arguments: [String], stdin: String? = nil) throws -> String {
        let result = try run(arguments, stdin: stdin)
        guard result.status == 0 else {
            throw KernelOracleError(
                "`\(arguments.joined(separator: " "))` exited \(result.status): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.stdout
    }

    static func resolve(_ tool: String) -> String {
        if tool.hasPrefix("/") { return tool }
        for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"] {
            let path = dir + "/" + tool
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "/usr/bin/env"  // falls through to a clear failure below
    }

    static func exists(_ tool: String) -> Bool { resolve(tool) != "/usr/bin/env" }
}

final class DataBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var data = Data()
    private var done = false
    func set(_ d: Data) { condition.lock(); data = d; condition.unlock() }
    func finish() { condition.lock(); done = true; condition.broadcast(); condition.unlock() }
    func wait() -> Data {
        condition.lock()
        while !done { condition.wait() }
        let d = data
        condition.unlock()
        return d
    }
}
