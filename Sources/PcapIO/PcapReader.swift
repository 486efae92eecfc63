internal import CPcap
internal import Glibc

/// Reads a pcap or pcapng file frame by frame through libpcap, optionally through a BPF filter.
///
/// Not Sendable: a libpcap handle must stay on one thread. Closes the file in deinit.
public final class PcapReader {
    public let path: String
    public let linkType: LinkType
    public let snapshotLength: Int
    /// The BPF expression frames must match, if any.
    public let filter: String?
    /// Records read so far, filtered or not: the number of the last record read.
    public private(set) var framesRead: Int = 0

    private let handle: OpaquePointer
    /// Compiled `filter`, applied per record so that frame numbers keep counting the records a
    /// filter rejects (`pcap_setfilter` would hide them from the count).
    private let program: UnsafeMutablePointer<bpf_program>?
    /// The error that ended reading; later calls repeat it rather than pretend the file ended.
    private var failure: PcapError?
    private var reachedEnd = false

    /// Opens `path` (pcap or pcapng) with nanosecond timestamps.
    public init(path: String, filter: String? = nil) throws(PcapError) {
        var errorBuffer = LibpcapText.errorBufferStorage()
        guard let handle = pcap_open_offline_with_tstamp_precision(
            path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        else {
            let message = LibpcapText.withoutPathPrefix(LibpcapText.errorBuffer(errorBuffer), path: path)
            throw PcapError(path: path, message: message)
        }
        let linkType = LinkType(dlt: pcap_datalink(handle))
        guard linkType.isSupported else {
            pcap_close(handle)
            let supported = LinkType.supported.map(\.description).joined(separator: ", ")
            throw PcapError(
                path: path,
                message: "unsupported link type \(linkType); pathsim reads \(supported) (and IPV4)")
        }
        var program: UnsafeMutablePointer<bpf_program>?
        if let filter {
            let compiled = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
            compiled.initialize(to: bpf_program())
            guard pcap_compile(handle, compiled, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
                let message = LibpcapText.lastError(handle)
                compiled.deallocate()
                pcap_close(handle)
                throw PcapError(path: path, message: "bad filter expression \"\(filter)\": \(message)")
            }
            program = compiled
        }
        self.path = path
        self.handle = handle
        self.program = program
        self.filter = filter
        self.linkType = linkType
        self.snapshotLength = Int(pcap_snapshot(handle))
    }

    /// Bytes of the file consumed so far (for progress against the file size); nil when the
    /// stream cannot say. A stdio `ftell` (no system call while glibc knows the offset), still
    /// best sampled rather than read for every frame.
    public var fileOffset: Int? {
        guard let file = pcap_file(handle) else { return nil }
        let offset = ftell(file)
        return offset >= 0 ? offset : nil
    }

    deinit {
        if let program {
            pcap_freecode(program)
            program.deallocate()
        }
        pcap_close(handle)
    }

    /// The next frame that passes the filter, or nil at the end of the file.
    ///
    /// A record cut short by the end of the file (a capture that was still being written, or
    /// copied half-way) throws with the number that record would have had; the frames before it
    /// were delivered.
    public func next() throws(PcapError) -> CapturedFrame? {
        if let failure { throw failure }
        if reachedEnd { return nil }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var bytes: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &bytes)
            guard status == 1, let header, let bytes else {
                if status == PCAP_ERROR_BREAK {
                    reachedEnd = true
                    return nil
                }
                let error = PcapError(path: path, frame: framesRead + 1, message: LibpcapText.lastError(handle))
                failure = error
                throw error
            }
            framesRead += 1
            if let program, pcap_offline_filter(program, header, bytes) == 0 { continue }
            let record = header.pointee
            // With PCAP_TSTAMP_PRECISION_NANO, tv_usec holds nanoseconds.
            let nanoseconds = Int64(record.ts.tv_sec) * 1_000_000_000 + Int64(record.ts.tv_usec)
            return CapturedFrame(
                number: framesRead,
                timestampNanoseconds: nanoseconds,
                data: Array(UnsafeBufferPointer(start: bytes, count: Int(record.caplen))),
                originalLength: Int(record.len),
                linkType: linkType)
        }
    }
}
