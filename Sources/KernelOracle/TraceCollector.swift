import Foundation
import Glibc

/// Reads `nft monitor trace` output line by line on a dedicated thread.
/// nft flushes after each event, so lines arrive as the kernel emits them (observed: a pipe
/// reader saw each line within ~2 ms of the packet).
final class TraceCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var lastArrival: UInt64 = 0
    private var closed = false
    private var partial: [UInt8] = []

    func start(fd: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                append(buffer[0..<count])
            }
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "nft-monitor-reader"
        thread.start()
    }

    private func append(_ bytes: ArraySlice<UInt8>) {
        var complete: [String] = []
        for byte in bytes {
            if byte == 0x0a {
                complete.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll(keepingCapacity: true)
            } else {
                partial.append(byte)
            }
        }
        guard !complete.isEmpty else { return }
        condition.lock()
        lines += complete
        lastArrival = DispatchTime.now().uptimeNanoseconds
        condition.broadcast()
        condition.unlock()
    }

    /// Discards everything received so far.
    func reset() {
        condition.lock()
        lines.removeAll()
        condition.unlock()
    }

    var isClosed: Bool { condition.lock(); defer { condition.unlock() }; return closed }

    /// Waits until at least one line arrived and then `quiet` seconds passed without another
    /// line, or `timeout` seconds passed in total; returns and removes the lines.
    func collect(quiet: Double, timeout: Double) -> [String] {
        let start = DispatchTime.now().uptimeNanoseconds
        let quietNs = UInt64(quiet * 1e9), timeoutNs = UInt64(timeout * 1e9)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if closed || now - start >= timeoutNs { break }
            var wakeNs: UInt64
            if !lines.isEmpty {
                let idle = now - lastArrival
                if idle >= quietNs { break }
                wakeNs = quietNs - idle
            } else {
                wakeNs = timeoutNs - (now - start)
            }
            wakeNs = min(wakeNs, timeoutNs - (now - start)) + 500_000
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(wakeNs) / 1e9))
        }
        let result = lines
        lines.removeAll()
        return result
    }
}
