import Foundation

/// Chromium run headless to screenshot a page: Debian's chromium-headless-shell, or chromium
/// with --headless.
struct HeadlessBrowser {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var executable: String
    var needsHeadlessFlag: Bool

    static func onPath(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func find() -> HeadlessBrowser? {
        if let path = onPath("chromium-headless-shell") { return HeadlessBrowser(executable: path, needsHeadlessFlag: false) }
        if let path = onPath("chromium") { return HeadlessBrowser(executable: path, needsHeadlessFlag: true) }
        return nil
    }

    /// Screenshots `page` into `png` at exactly `width`×`height` pixels. Root needs
    /// --no-sandbox; a private profile keeps parallel runs apart; the deadline keeps a hung
    /// browser from hanging the suite.
    func screenshot(_ page: URL, to png: URL, width: Int, height: Int, timeout: TimeInterval = 60) throws {
        let work = png.deletingLastPathComponent()
        var arguments = needsHeadlessFlag ? ["--headless"] : []
        arguments += ["--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
                      "--user-data-dir=\(work.appendingPathComponent("profile").path)",
                      "--screenshot=\(png.path)", "--window-size=\(width),\(height)", page.absoluteString]
        try Self.run(executable, arguments, log: work.appendingPathComponent("browser.log"), timeout: timeout)
    }

    /// Runs a program to completion or the deadline; its output goes to `log`, quoted on failure.
    static func run(_ executable: String, _ arguments: [String], log: URL, timeout: TimeInterval) throws {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            usleep(500_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw Failure(description: "\(executable) did not finish within \(Int(timeout)) s (log: \(log.path))")
        }
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Failure(description: "\(executable) exited with \(process.terminationStatus): \(text.suffix(2000))")
        }
    }
}
