import Foundation
import KernelOracle
import Netfilter
import Testing

/// Shared pieces for tests that need the real kernel.
enum OracleSupport {
    /// nil when the kernel oracle can run; else why not. Printed once when tests are skipped.
    static let unavailableReason: String? = {
        let reason = KernelOracle.availability()
        if let reason { print("KernelDifferentialTests: SKIPPING kernel oracle tests: \(reason)") }
        return reason
    }()

    static var isAvailable: Bool { unavailableReason == nil }

    private static let kernelLock = NSLock()

    /// Runs kernel tests one at a time across suites: concurrent oracles compete for the
    /// two cores and a trace line arriving after the quiet window would be lost.
    static func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        kernelLock.lock()
        defer { kernelLock.unlock() }
        return try body()
    }

    /// The trait for kernel tests: skipped (reported as skipped, with the reason) when unavailable.
    static var requiresKernel: ConditionTrait {
        .enabled(if: isAvailable, Comment(rawValue: "kernel oracle unavailable: \(unavailableReason ?? "")"))
    }
}

extension Packet {
    /// Convenience constructor for tests.
    static func tcp(_ source: IPv4Address, _ sourcePort: UInt16, _ destination: IPv4Address, _ destinationPort: UInt16,
                    flags: TCPFlags, sequence: UInt32 = 1000, acknowledgement: UInt32 = 0, payload: Int = 0, id: UInt16 = 1) -> Packet {
        var p = Packet(source: source, destination: destination, proto: IPProtocolNumber.tcp, totalLength: UInt16(40 + payload))
        p.sourcePort = sourcePort
        p.destinationPort = destinationPort
        p.tcpFlags = flags
        p.sequence = sequence
        p.acknowledgement = acknowledgement
        p.window = 64240
        p.ipID = id
        p.dontFragment = true
        return p
    }

    static func udp(_ source: IPv4Address, _ sourcePort: UInt16, _ destination: IPv4Address, _ destinationPort: UInt16, payload: Int = 10, id: UInt16 = 1) -> Packet {
        var p = Packet(source: source, destination: destination, proto: IPProtocolNumber.udp, totalLength: UInt16(28 + payload))
        p.sourcePort = sourcePort
        p.destinationPort = destinationPort
        p.ipID = id
        return p
    }

    static func icmpEcho(_ source: IPv4Address, _ destination: IPv4Address, type: UInt8 = 8, echoID: UInt16, sequence: UInt16 = 1, id: UInt16 = 1) -> Packet {
        var p = Packet(source: source, destination: destination, proto: IPProtocolNumber.icmp, totalLength: 84)
        p.icmpType = type
        p.icmpID = echoID
        p.icmpSequence = sequence
        p.ipID = id
        return p
    }
}
