/// SHA3-224 (FIPS 202): Keccak-f[1600] as a sponge with a 144-byte rate.
public enum SHA3_224 {
    public static let digestSize = 28
    static let rate = 144

    public static func hash<S: Sequence>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        var sponge = KeccakSponge(rate: rate)
        for byte in bytes {
            sponge.absorb(byte)
        }
        return sponge.finish(domainPadding: 0x06, outputCount: digestSize)
    }

    public static func hash(_ text: String) -> [UInt8] {
        hash(text.utf8)
    }
}

/// A Keccak-f[1600] sponge whose rate fits in one squeeze (true of every SHA3-n).
struct KeccakSponge {
    private var lanes = [UInt64](repeating: 0, count: 25)
    private let rate: Int
    private var position = 0

    init(rate: Int) {
        precondition(rate > 0 && rate < 200 && rate % 8 == 0)
        self.rate = rate
    }

    /// XORs the byte straight into the state, lanes being little-endian, so no block buffer is needed.
    mutating func absorb(_ byte: UInt8) {
        lanes[position >> 3] ^= UInt64(byte) &<< (8 * (position & 7))
        position += 1
        if position == rate {
            Keccak.permute(&lanes)
            position = 0
        }
    }

    /// Pads with `domainPadding` ... 0x80 (the two may land in one byte) and reads out the first `outputCount` bytes.
    mutating func finish(domainPadding: UInt8, outputCount: Int) -> [UInt8] {
        precondition(outputCount <= rate)
        lanes[position >> 3] ^= UInt64(domainPadding) &<< (8 * (position & 7))
        let last = rate - 1
        lanes[last >> 3] ^= UInt64(0x80) &<< (8 * (last & 7))
        Keccak.permute(&lanes)

        var out = [UInt8]()
        out.reserveCapacity(outputCount)
        for i in 0..<outputCount {
            out.append(UInt8(truncatingIfNeeded: lanes[i >> 3] &>> (8 * (i & 7))))
        }
        return out
    }
}

/// The Keccak-f[1600] permutation on 25 lanes, lane (x, y) at index x + 5y.
enum Keccak {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    // ρ and π fused: walking lane 1 → 10 → 7 → … visits all 24 non-origin lanes once,
    // so each lane is rotated and moved in place with a single carried temporary.
    static let rotationOffsets = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]
    static let piLanes = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]

    static func permute(_ a: inout [UInt64]) {
        for round in 0..<24 {
            // θ
            let c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
            let c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
            let c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
            let c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
            let c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
            let d0 = c4 ^ c1.rotatedLeft(by: 1)
            let d1 = c0 ^ c2.rotatedLeft(by: 1)
            let d2 = c1 ^ c3.rotatedLeft(by: 1)
            let d3 = c2 ^ c4.rotatedLeft(by: 1)
            let d4 = c3 ^ c0.rotatedLeft(by: 1)
            for y in stride(from: 0, to: 25, by: 5) {
                a[y] ^= d0
                a[y + 1] ^= d1
                a[y + 2] ^= d2
                a[y + 3] ^= d3
                a[y + 4] ^= d4
            }

            // ρ and π
            var carried = a[1]
            for i in 0..<24 {
                let lane = piLanes[i]
                let next = a[lane]
                a[lane] = carried.rotatedLeft(by: rotationOffsets[i])
                carried = next
            }

            // χ
            for y in stride(from: 0, to: 25, by: 5) {
                let b0 = a[y], b1 = a[y + 1], b2 = a[y + 2], b3 = a[y + 3], b4 = a[y + 4]
                a[y] = b0 ^ (~b1 & b2)
                a[y + 1] = b1 ^ (~b2 & b3)
                a[y + 2] = b2 ^ (~b3 & b4)
                a[y + 3] = b3 ^ (~b4 & b0)
                a[y + 4] = b4 ^ (~b0 & b1)
            }

            // ι
            a[0] ^= roundConstants[round]
        }
    }
}
