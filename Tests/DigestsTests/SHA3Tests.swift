import Digests
import Testing

@Suite struct SHA3_224Tests {
    @Test func nistVectors() {
        #expect(Hex.lowercase(SHA3_224.hash("")) == "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7")
        #expect(Hex.lowercase(SHA3_224.hash("abc")) == "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf")
        #expect(Hex.lowercase(SHA3_224.hash(TestInputs.fips448Bit)) == "8a24108b154ada21c9fd5574494479ba5c7e7ab76ef264ead0fcce33")
    }

    @Test func oneMillionA() {
        #expect(Hex.lowercase(SHA3_224.hash(TestInputs.millionA)) == "d69335b93325192e516a912e6d19a15cb51c6ed5c15243e7a7fd653c")
    }

    // Expected values from python3 hashlib.sha3_224(bytes(range(n))); 143 puts 0x06 and 0x80 in the same byte.
    @Test(arguments: [
        (55, "10681e293cce004e088be7c67426f50d6aacc7e31447b0f73a425c35"),
        (56, "fc95d44e806cbbd484e379882238f555fda923878c443abe4ce4cdd6"),
        (63, "05e05c93d7f8b002eb5fab6958a32d124e000143b63835ddf64e48fa"),
        (64, "fe7c26ee7d8a00d407efc65dcd88809f25f8e37395148733e6efc3b5"),
        (65, "c5c12a29147a04da59ce54cc657a26ad2b7e65e679f64684915be492"),
        (135, "3174e5126280625ecdfdb238d6a10d1c8b071031870ed197640cad90"),
        (136, "5d633f7e245e4338fa2698ef8b0cf98b129b5cc99622f770e3ba0cb6"),
        (137, "7098ddcff44c0ae3e0802d8d60fe7bea8d0d3219ce28660af1aee40c"),
        (143, "64d0e8a1be3cf30ef6727b30a6e428f7f068d44634c943d277ad8e7f"),
        (144, "5be75e6a08f19913a1d8036c056cc4556b98dc90aeca3f2a0664dedc"),
        (145, "90b861ac1b1598459ad8337afa9933ce2f1a6f972c57daf8fc2737e4"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(Hex.lowercase(SHA3_224.hash(TestInputs.ramp(length))) == expected)
    }
}
