import Digests
import Testing

@Suite struct SHA1Tests {
    @Test func fipsVectors() {
        #expect(Hex.lowercase(SHA1.hash("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Hex.lowercase(SHA1.hash("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.lowercase(SHA1.hash(TestInputs.fips448Bit)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    @Test func oneMillionA() {
        #expect(Hex.lowercase(SHA1.hash(TestInputs.millionA)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    // Expected values from python3 hashlib.sha1(bytes(range(n))).
    @Test(arguments: [
        (55, "8ae2d46729cfe68ff927af5eec9c7d1b66d65ac2"),
        (56, "636e2ec698dac903498e648bd2f3af641d3c88cb"),
        (63, "6d942da0c4392b123528f2905c713a3ce28364bd"),
        (64, "c6138d514ffa2135bfce0ed0b8fac65669917ec7"),
        (65, "69bd728ad6e13cd76ff19751fde427b00e395746"),
        (135, "a47fd7470c43f7cb7e5dd4159fb0c11644f6a108"),
        (136, "4ab5a4f084d4d95894078e8d570eb0bff13c6286"),
        (137, "5f9de1b34863866e2c644fee51ec0bed7d6b7d91"),
        (143, "027f9a54264ed75254e00c6a8f821630d780c6b3"),
        (144, "a86906b83ee8851520e2e628ab6295ce3497a2d3"),
        (145, "3ba5b1a7c92cf4e749995b819cea8c37e479f433"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(Hex.lowercase(SHA1.hash(TestInputs.ramp(length))) == expected)
    }

    @Test func digestLength() {
        #expect(SHA1.hash("x").count == 20)
    }
}
