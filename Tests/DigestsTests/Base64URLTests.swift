import Digests
import Testing

@Suite struct Base64URLTests {
    // RFC 4648 §10 vectors with the padding stripped.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
        ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfcVectors(input: String, expected: String) {
        #expect(Base64URL.encodeNoPadding(Array(input.utf8)) == expected)
    }

    @Test func urlSafeAlphabet() {
        // Standard base64 would write "+/8=" and "+vv8/f7/".
        #expect(Base64URL.encodeNoPadding([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encodeNoPadding([0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF]) == "-vv8_f7_")
    }
}
