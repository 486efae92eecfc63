/// The 64-byte-block Merkle–Damgård framing that SHA-1 and SHA-256 share:
/// the message, then 0x80, zeros, and the bit length as a 64-bit big-endian
/// integer, handed to `compress` one block at a time.
enum MerkleDamgard {
    static let blockSize = 64

    static func forEachPaddedBlock<S: Sequence>(
        of bytes: S,
        _ compress: ([UInt8]) -> Void
    ) where S.Element == UInt8 {
        var block = [UInt8](repeating: 0, count: blockSize)
        var filled = 0
        var length: UInt64 = 0
        for byte in bytes {
            block[filled] = byte
            filled += 1
            length &+= 1
            if filled == blockSize {
                compress(block)
                filled = 0
            }
        }

        block[filled] = 0x80
        filled += 1
        // The length field needs the last 8 bytes; if they are taken, the padding spills into one more block.
        if filled > blockSize - 8 {
            for i in filled..<blockSize { block[i] = 0 }
            compress(block)
            filled = 0
        }
        for i in filled..<(blockSize - 8) { block[i] = 0 }
        let bitLength = length &* 8
        for i in 0..<8 {
            block[blockSize - 8 + i] = UInt8(truncatingIfNeeded: bitLength &>> (56 - 8 * i))
        }
        compress(block)
    }

    @inline(__always)
    static func bigEndianWord(_ block: [UInt8], at offset: Int) -> UInt32 {
        UInt32(block[offset]) << 24 | UInt32(block[offset + 1]) << 16
            | UInt32(block[offset + 2]) << 8 | UInt32(block[offset + 3])
    }

    static func bigEndianBytes(_ words: [UInt32], count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        for i in 0..<count {
            out.append(UInt8(truncatingIfNeeded: words[i / 4] &>> (24 - 8 * (i % 4))))
        }
        return out
    }
}
