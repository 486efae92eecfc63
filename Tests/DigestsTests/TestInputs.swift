/// Inputs shared by the digest tests.
enum TestInputs {
    static let fips448Bit = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

    /// Not an Array, so the hashes' generic `Sequence` path is exercised too.
    static let millionA = repeatElement(UInt8(ascii: "a"), count: 1_000_000)

    /// Bytes 0, 1, 2, … so that a byte-order slip changes the digest.
    static func ramp(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0) }
    }
}
