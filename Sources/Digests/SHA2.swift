/// SHA-256 (FIPS 180-4).
public enum SHA256 {
    public static let digestSize = 32

    public static func hash<S: Sequence>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        SHA256Compression.hash(bytes, initialState: [
            0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A,
            0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19,
        ], digestSize: digestSize)
    }

    public static func hash(_ text: String) -> [UInt8] {
        hash(text.utf8)
    }
}

/// SHA-224 (FIPS 180-4): SHA-256 from different initial values, truncated to 28 bytes.
/// Felix names its iptables chains and ipsets with it.
public enum SHA224 {
    public static let digestSize = 28

    public static func hash<S: Sequence>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        SHA256Compression.hash(bytes, initialState: [
            0xC105_9ED8, 0x367C_D507, 0x3070_DD17, 0xF70E_5939,
            0xFFC0_0B31, 0x6858_1511, 0x64F9_8FA7, 0xBEFA_4FA4,
        ], digestSize: digestSize)
    }

    public static func hash(_ text: String) -> [UInt8] {
        hash(text.utf8)
    }
}

/// The SHA-256 compression function, shared by SHA-224 and SHA-256.
enum SHA256Compression {
    static let roundConstants: [UInt32] = [
        0x428A_2F98, 0x7137_4491, 0xB5C0_FBCF, 0xE9B5_DBA5, 0x3956_C25B, 0x59F1_11F1, 0x923F_82A4, 0xAB1C_5ED5,
        0xD807_AA98, 0x1283_5B01, 0x2431_85BE, 0x550C_7DC3, 0x72BE_5D74, 0x80DE_B1FE, 0x9BDC_06A7, 0xC19B_F174,
        0xE49B_69C1, 0xEFBE_4786, 0x0FC1_9DC6, 0x240C_A1CC, 0x2DE9_2C6F, 0x4A74_84AA, 0x5CB0_A9DC, 0x76F9_88DA,
        0x983E_5152, 0xA831_C66D, 0xB003_27C8, 0xBF59_7FC7, 0xC6E0_0BF3, 0xD5A7_9147, 0x06CA_6351, 0x1429_2967,
        0x27B7_0A85, 0x2E1B_2138, 0x4D2C_6DFC, 0x5338_0D13, 0x650A_7354, 0x766A_0ABB, 0x81C2_C92E, 0x9272_2C85,
        0xA2BF_E8A1, 0xA81A_664B, 0xC24B_8B70, 0xC76C_51A3, 0xD192_E819, 0xD699_0624, 0xF40E_3585, 0x106A_A070,
        0x19A4_C116, 0x1E37_6C08, 0x2748_774C, 0x34B0_BCB5, 0x391C_0CB3, 0x4ED8_AA4A, 0x5B9C_CA4F, 0x682E_6FF3,
        0x748F_82EE, 0x78A5_636F, 0x84C8_7814, 0x8CC7_0208, 0x90BE_FFFA, 0xA450_6CEB, 0xBEF9_A3F7, 0xC671_78F2,
    ]

    static func hash<S: Sequence>(
        _ bytes: S,
        initialState: [UInt32],
        digestSize: Int
    ) -> [UInt8] where S.Element == UInt8 {
        var h = initialState
        var w = [UInt32](repeating: 0, count: 64)
        let k = roundConstants
        // FIPS 180-4 is written with right rotations; ROTR n is rotatedLeft(by: 32 - n) below.
        MerkleDamgard.forEachPaddedBlock(of: bytes) { block in
            for t in 0..<16 {
                w[t] = MerkleDamgard.bigEndianWord(block, at: 4 * t)
            }
            for t in 16..<64 {
                let x = w[t - 15], y = w[t - 2]
                let s0 = x.rotatedLeft(by: 25) ^ x.rotatedLeft(by: 14) ^ (x >> 3)
                let s1 = y.rotatedLeft(by: 15) ^ y.rotatedLeft(by: 13) ^ (y >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3]
            var e = h[4], f = h[5], g = h[6], hh = h[7]
            for t in 0..<64 {
                let sigma1 = e.rotatedLeft(by: 26) ^ e.rotatedLeft(by: 21) ^ e.rotatedLeft(by: 7)
                let choose = (e & f) ^ (~e & g)
                let t1 = hh &+ sigma1 &+ choose &+ k[t] &+ w[t]
                let sigma0 = a.rotatedLeft(by: 30) ^ a.rotatedLeft(by: 19) ^ a.rotatedLeft(by: 10)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let t2 = sigma0 &+ majority
                hh = g
                g = f
                f = e
                e = d &+ t1
                d = c
                c = b
                b = a
                a = t1 &+ t2
            }
            h[0] &+= a
            h[1] &+= b
            h[2] &+= c
            h[3] &+= d
            h[4] &+= e
            h[5] &+= f
            h[6] &+= g
            h[7] &+= hh
        }
        return MerkleDamgard.bigEndianBytes(h, count: digestSize)
    }
}
