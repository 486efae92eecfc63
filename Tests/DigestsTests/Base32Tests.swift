import Digests
import Testing

@Suite struct Base32Tests {
    /// RFC 4648 §10's test vectors: every length of trailing group, padding included.
    @Test(arguments: [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ])
    func rfc4648Vectors(_ input: String, _ expected: String) {
        #expect(Base32.encode(Array(input.utf8)) == expected)
    }

    /// Every byte value in every position of a group reaches the output (a shift off by one
    /// bit would collide two of these).
    @Test func distinctBytesGiveDistinctEncodings() {
        var seen = Set<String>()
        for position in 0..<5 {
            for value in 0...255 {
                var bytes = [UInt8](repeating: 0, count: 5)
                bytes[position] = UInt8(value)
                seen.insert(Base32.encode(bytes))
            }
        }
        #expect(seen.count == 5 * 255 + 1)
    }

    /// kube-proxy's chain names: the first 16 characters of base32(sha256(...)); the names are
    /// the ones pkg/proxy/iptables/proxier_test.go's TestOverallIPTablesRules expects.
    @Test(arguments: [
        ("ns1/svc1:p80tcp", "XPGD46QRK7WJZT7O"),
        ("ns5/svc5:p80tcp", "NUKIZ6OKUXPJNT4C"),
        ("ns1/svc1:p80tcp10.180.0.1:80", "SXIVWICOYRO3J4NJ"),
    ])
    func kubeProxyChainHashes(_ input: String, _ expected: String) {
        #expect(String(Base32.encode(SHA256.hash(input)).prefix(16)) == expected)
        #expect(Base32.encode(SHA256.hash(input)).count == 56)
    }
}
