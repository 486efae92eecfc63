import Digests
import Testing

@Suite struct SHA256Tests {
    @Test func fipsVectors() {
        #expect(Hex.lowercase(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.lowercase(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.lowercase(SHA256.hash(TestInputs.fips448Bit)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func oneMillionA() {
        #expect(Hex.lowercase(SHA256.hash(TestInputs.millionA)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    // Expected values from python3 hashlib.sha256(bytes(range(n))).
    @Test(arguments: [
        (55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"),
        (56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"),
        (63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"),
        (64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"),
        (65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"),
        (135, "6a053848cfe83c0fc8c8a81dd84f6b946c63193cd25cdd5dad45f08be8019e89"),
        (136, "ffc555203945df4e81d75f316e4c25fdc0bc4e96412f4f469349eb716f001a7d"),
        (137, "81d45be06329d63a2d8a8599d445676933bea1678fc586795b4ecbb838d4d158"),
        (143, "985f19128703afeee38d22797c0cae5f450cc290a6a5b9253dd908420e9032ff"),
        (144, "66f952a83339274eb287b64ef7b028d88915ac6df06a183f7c0436fa2b25107b"),
        (145, "46af22be1b576de71971c25e88c18a3295f0ac762a412a11105cef20fa2f5840"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(Hex.lowercase(SHA256.hash(TestInputs.ramp(length))) == expected)
    }
}

@Suite struct SHA224Tests {
    @Test func fipsVectors() {
        #expect(Hex.lowercase(SHA224.hash("")) == "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f")
        #expect(Hex.lowercase(SHA224.hash("abc")) == "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")
        #expect(Hex.lowercase(SHA224.hash(TestInputs.fips448Bit)) == "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525")
    }

    @Test func oneMillionA() {
        #expect(Hex.lowercase(SHA224.hash(TestInputs.millionA)) == "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67")
    }

    // Expected values from python3 hashlib.sha224(bytes(range(n))).
    @Test(arguments: [
        (55, "8991dfba74284e04dc7581c7c3e4068ff6cb7a63733361429834bb56"),
        (56, "2b2cd637c16ad7290bb067ad7d8fd04e204fa43a84366afc7130f4ef"),
        (63, "049e8dd7eab3378ce9f823bfb569e5b270235d4b7f9623606971998f"),
        (64, "c37b88a3522dbf7ac30d1c68ea397ac11d4773571aed01ddab73531e"),
        (65, "114b5fd665736a96585c5d5837d35250aed73c725252cbf7f8b121f6"),
        (135, "9092bcf0a6228589cf855199126ad1bcfae9b00315701a00e22653be"),
        (136, "d96312ea93c16c339fcb0219a8262fa049652a9712dd0765261d8300"),
        (137, "d1e7629a4ae06242544172d7c8bf55b3ce89211a3eff842e87ec5717"),
        (143, "5b7bf72f23144fe53ccc048db2e6b1fd99e67107a8f549f38419167e"),
        (144, "ed9bb4e9f5c5fe070829c5a73e1ea7e1330e0162014b1cfe60707164"),
        (145, "c635ca7dd515c2d5717b3d3793de1570ea9028b92396a36f6a044e40"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(Hex.lowercase(SHA224.hash(TestInputs.ramp(length))) == expected)
    }
}
