internal import CPcap

/// Writes a classic pcap file with nanosecond timestamps (magic `a1b23c4d`) through libpcap.
public final class PcapWriter {
    public let path: String
    public let linkType: LinkType
    public let snapshotLength: Int

    private var dead: OpaquePointer?
    private var dumper: OpaquePointer?

    /// Creates (or truncates) `path`. Any link type can be written, including unsupported ones.
    public init(path: String, linkType: LinkType, snapshotLength: Int) throws(PcapError) {
        guard let dead = pcap_open_dead_with_tstamp_precision(
            linkType.dlt, Int32(clamping: snapshotLength), UInt32(PCAP_TSTAMP_PRECISION_NANO))
        else {
            throw PcapError(path: path, message: "libpcap cannot write link type \(linkType)")
        }
        guard let dumper = pcap_dump_open(dead, path) else {
            let message = LibpcapText.withoutPathPrefix(LibpcapText.lastError(dead), path: path)
            pcap_close(dead)
            throw PcapError(path: path, message: message)
        }
        self.path = path
        self.linkType = linkType
        self.snapshotLength = snapshotLength
        self.dead = dead
        self.dumper = dumper
    }

    deinit { close() }

    /// Appends `frame.data` with the frame's timestamp and original length.
    ///
    /// The file stores seconds in 32 bits, which libpcap reads back as signed: timestamps from
    /// 1901 to 2038 survive a round trip.
    ///
    /// Bytes beyond `snapshotLength` are cut, as a capture with that snaplen would have; libpcap
    /// readers would cut them anyway. The original length is never below the bytes written.
    public func write(_ frame: CapturedFrame) {
        guard let dumper else { preconditionFailure("PcapWriter.write after close: \(path)") }
        let (seconds, nanoseconds) = frame.timestampNanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        let borrow: Int64 = nanoseconds < 0 ? 1 : 0  // times before the epoch round down
        let captured = snapshotLength > 0 ? min(frame.data.count, snapshotLength) : frame.data.count
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(seconds - borrow)
        header.ts.tv_usec = Int(nanoseconds + borrow * 1_000_000_000)  // ns: the dumper was opened with NANO precision
        header.caplen = UInt32(captured)
        header.len = UInt32(clamping: max(frame.originalLength, captured))
        frame.data.withUnsafeBufferPointer { buffer in
            // An empty frame still needs a valid pointer for the C signature.
            var empty: UInt8 = 0
            if let base = buffer.baseAddress {
                pcap_dump(UnsafeMutablePointer<UInt8>(dumper), &header, base)
            } else {
                pcap_dump(UnsafeMutablePointer<UInt8>(dumper), &header, &empty)
            }
        }
    }

    /// Pushes buffered records to the file, so a reader sees them before `close`.
    public func flush() throws(PcapError) {
        guard let dumper, let dead else { return }
        if pcap_dump_flush(dumper) != 0 {
            throw PcapError(path: path, message: "cannot flush: \(LibpcapText.lastError(dead))")
        }
    }

    /// Flushes and closes the file; idempotent.
    public func close() {
        if let dumper { pcap_dump_close(dumper) }
        if let dead { pcap_close(dead) }
        dumper = nil
        dead = nil
    }
}
