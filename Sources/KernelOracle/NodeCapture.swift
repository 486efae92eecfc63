import Foundation

/// `tcpdump -i any -y LINUX_SLL2` in the node's namespace: every interface, both
/// directions, interface indexes of that namespace, written packet by packet (`-U`).
public final class NodeCapture {
    public let path: String
    private let process: Process

    init(namespace: String, path: String) throws {
        self.path = path
        process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.resolve("ip"))
        process.arguments = ["netns", "exec", namespace, "tcpdump", "-i", "any", "-y", "LINUX_SLL2", "-U", "-n", "-s", "0", "-w", path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? errors.fileHandleForWriting.close()
        // tcpdump says "listening on any" once its socket is bound; packets before that are lost.
        let reader = errors.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while !text.contains("listening on"), Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard text.contains("listening on") else {
            process.terminate()
            throw KernelOracleError("tcpdump did not start: \(text)")
        }
        // Keep draining stderr so tcpdump never blocks on a full pipe.
        Thread.detachNewThread { while !reader.availableData.isEmpty {} }
    }

    /// Stops the capture. SIGTERM, not SIGINT: a test runner's children may inherit SIGINT
    /// ignored (observed: tcpdump under `swift test` never exited on it); tcpdump flushes
    /// and closes the file on either.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

extension KernelOracle {
    /// Starts capturing every packet the node sees into `path` (pcap, LINUX_SLL2).
    public func startCapture(to path: String) throws -> NodeCapture {
        try NodeCapture(namespace: nodeNamespace, path: path)
    }
}
