import Foundation
import PcapIO

/// Where Fixtures/pcap is, and small helpers over its files.
enum Fixtures {
    static let directory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // PcapIOTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures/pcap")
        .path

    static func path(_ name: String) -> String { directory + "/" + name }

    /// Every frame of a file that passes `filter`.
    static func readAll(_ path: String, filter: String? = nil) throws(PcapError) -> [CapturedFrame] {
        let reader = try PcapReader(path: path, filter: filter)
        var frames: [CapturedFrame] = []
        while let frame = try reader.next() { frames.append(frame) }
        return frames
    }

    /// The conversation every link-type fixture holds (see make-captures.py).
    enum Conversation {
        static let ipTotalLengths = [60, 84, 60, 60]
        static let protocols: [UInt8] = [6, 1, 6, 6]
        static let ipIDs: [UInt16] = [1, 2, 3, 4]
        /// Microsecond files; the nanosecond ones add 123 ns.
        static let nanoseconds: [Int64] = [
            1_700_000_000_250_000_000, 1_700_000_000_750_000_000, 1_700_000_001_250_000_000, 1_700_000_002_250_000_000,
        ]
        static let client: [UInt8] = [10, 139, 54, 20]
        static let web: [UInt8] = [10, 139, 54, 158]
    }
}

/// A unique path under the system temporary directory, removed by the caller.
func temporaryCapturePath(_ name: String) -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcapio-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("\(UInt64.random(in: 0...UInt64.max))-\(name)").path
}
