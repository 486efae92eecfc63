/// Base32 with the standard alphabet of RFC 4648 §6 and `=` padding, as Go's
/// `base32.StdEncoding` writes it: kube-proxy names its KUBE-SVC/SEP/EXT/SVL/FW chains with the
/// first 16 characters of the base32 of a SHA-256.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Every 5 bytes become 8 characters; a trailing group of 1–4 bytes yields 2, 4, 5 or 7
    /// characters, padded with `=` to 8.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 4) / 5 * 8)
        var i = 0
        while i < bytes.count {
            let count = min(5, bytes.count - i)
            var group: UInt64 = 0
            for offset in 0..<5 {
                group = group << 8 | UInt64(offset < count ? bytes[i + offset] : 0)
            }
            // Characters that carry at least one bit of the group's real bytes.
            let significant = (count * 8 + 4) / 5
            for index in 0..<8 {
                if index < significant {
                    out.append(alphabet[Int(group >> UInt64(35 - 5 * index) & 0x1F)])
                } else {
                    out.append(UInt8(ascii: "="))
                }
            }
            i += count
        }
        return String(decoding: out, as: UTF8.self)
    }
}
