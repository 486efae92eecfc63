internal import CPcap

/// Turning libpcap's C strings into messages.
enum LibpcapText {
    /// An error buffer filled by libpcap (NUL-terminated within `PCAP_ERRBUF_SIZE`).
    static func errorBuffer(_ buffer: [CChar]) -> String {
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `pcap_geterr` of a handle.
    static func lastError(_ handle: OpaquePointer) -> String {
        guard let text = pcap_geterr(handle) else { return "unknown libpcap error" }
        return String(cString: text)
    }

    /// libpcap starts file-system errors with the path ("PATH: No such file or directory");
    /// PcapError prints the path itself, so drop the repetition.
    static func withoutPathPrefix(_ message: String, path: String) -> String {
        let prefix = path + ": "
        return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
    }

    static func errorBufferStorage() -> [CChar] {
        [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
    }
}
