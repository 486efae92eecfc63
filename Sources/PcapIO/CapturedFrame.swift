/// One record of a capture file, as libpcap delivered it.
public struct CapturedFrame: Sendable {
    /// 1-based position in the file (counting every record, filtered or not), as Wireshark numbers frames.
    public var number: Int
    /// Nanoseconds since the epoch, exactly as the file holds them (µs files: a multiple of 1000).
    public var timestampNanoseconds: Int64
    /// The bytes present in the file (`caplen`).
    public var data: [UInt8]
    /// The frame's length on the wire (`len`); larger than `data.count` when the snaplen cut it.
    public var originalLength: Int
    public var linkType: LinkType

    public init(number: Int, timestamp: Double, data: [UInt8], originalLength: Int, linkType: LinkType) {
        self.init(
            number: number, timestampNanoseconds: Self.nanoseconds(timestamp), data: data,
            originalLength: originalLength, linkType: linkType)
    }

    public init(number: Int, timestampNanoseconds: Int64, data: [UInt8], originalLength: Int, linkType: LinkType) {
        self.number = number
        self.timestampNanoseconds = timestampNanoseconds
        self.data = data
        self.originalLength = originalLength
        self.linkType = linkType
    }

    /// Seconds since the epoch. A Double near today's epoch resolves only about 240 ns, so use
    /// `timestampNanoseconds` where nanoseconds matter (ordering, writing back).
    public var timestamp: Double {
        get {
            // Whole seconds convert exactly; converting the nanosecond count directly would round twice.
            let (seconds, nanoseconds) = timestampNanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
            return Double(seconds) + Double(nanoseconds) / 1_000_000_000
        }
        set { timestampNanoseconds = Self.nanoseconds(newValue) }
    }

    public var isTruncated: Bool { data.count < originalLength }

    /// Rounded to the nearest nanosecond; out-of-range values (beyond the year 2262, NaN) clamp.
    private static func nanoseconds(_ seconds: Double) -> Int64 {
        let scaled = (seconds * 1_000_000_000).rounded()
        guard scaled.isFinite else { return scaled > 0 ? .max : (scaled < 0 ? .min : 0) }
        guard let exact = Int64(exactly: scaled) else { return scaled > 0 ? .max : .min }
        return exact
    }
}
