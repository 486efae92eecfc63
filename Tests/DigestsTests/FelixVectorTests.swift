import Digests
import Testing

/// Names felix derives from digests, as seen on real nodes.
@Suite struct FelixVectorTests {
    @Test func sha1InterfaceNames() {
        #expect(Hex.lowercase(SHA1.hash("namespace.podname")).hasPrefix("82111e10a96"))
        #expect(Hex.lowercase(SHA1.hash("default.web-667bdcb4d8-cpvbb")).hasPrefix("96bc57f337a"))
    }

    @Test func chainedRuleHash() {
        var h = SHA224.hash("INPUT")
        h = SHA224.hash(h + Array("-A INPUT HASH --jump cali-INPUT".utf8))
        #expect(Base64URL.encodeNoPadding(h).prefix(16) == "Cz_u1IQiXIMmKD4c")
    }

    @Test func selectorIPSetName() {
        #expect("s:" + Base64URL.encodeNoPadding(SHA224.hash("s:all()")) == "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug")
    }

    @Test func lengthLimitedID() {
        #expect(Base64URL.encodeNoPadding(SHA256.hash("_2345")).prefix(4) == "kMQI")
    }
}
