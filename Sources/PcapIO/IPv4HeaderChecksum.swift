/// The Internet checksum (RFC 1071) of an IPv4 header.
enum IPv4HeaderChecksum {
    /// The ones'-complement sum folded to 16 bits and complemented: 0 for a header whose
    /// checksum field is right, the value to store when that field holds 0.
    static func compute(_ header: ArraySlice<UInt8>) -> UInt16 {
        var sum: UInt32 = 0
        var index = header.startIndex
        while index + 1 < header.endIndex {
            sum &+= UInt32(header[index]) << 8 | UInt32(header[index + 1])
            index += 2
        }
        if index < header.endIndex { sum &+= UInt32(header[index]) << 8 }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
