import Digests
import Testing

@Suite struct HexTests {
    @Test func lowercaseDigits() {
        #expect(Hex.lowercase([]) == "")
        #expect(Hex.lowercase([0x00, 0x0A, 0xF0, 0xFF, 0x5C]) == "000af0ff5c")
        #expect(Hex.lowercase(Array(0...15)) == "000102030405060708090a0b0c0d0e0f")
    }
}
