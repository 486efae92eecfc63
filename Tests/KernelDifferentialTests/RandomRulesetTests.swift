import KernelOracle
import Netfilter
import Testing

@Suite("Random ruleset generator")
struct RandomRulesetDeterminismTests {
    @Test func sameSeedSameCase() {
        let a = RandomRuleset.generate(seed: 42), b = RandomRuleset.generate(seed: 42)
        #expect(a.iptablesSave == b.iptablesSave)
        #expect(a.packets == b.packets)
        #expect(RandomRuleset.generate(seed: 43).iptablesSave != a.iptablesSave)
    }

    @Test func shapeOfACase() {
        for seed in UInt64(0)..<50 {
            let c = RandomRuleset.generate(seed: seed)
            #expect(c.packets.count >= 20)
            for table in ["*raw", "*mangle", "*nat", "*filter"] { #expect(c.iptablesSave.contains(table + "\n")) }
            #expect(c.iptablesSave.contains("--ctstate"))
            for p in c.packets {
                #expect(p.packet.ttl > 1)
                #expect(p.packet.ipID != 0)
                if p.ingress == .local { #expect(p.packet.source == KernelOracle.nodeAddress) } else { #expect(p.packet.mark == 0) }
            }
        }
    }
}

/// Loads generated rulesets into the real kernel: every one must be accepted and every packet
/// must come back with a trace.
@Suite("Random rulesets on the kernel", .serialized, OracleSupport.requiresKernel)
struct RandomRulesetKernelTests {
    @Test func tenGeneratedRulesetsLoadAndTrace() throws {
        try OracleSupport.exclusive {
            let oracle = try KernelOracle()
            defer { oracle.shutdown() }
            let clock = ContinuousClock()
            for seed in UInt64(1)...10 {
                let generated = RandomRuleset.generate(seed: seed)
                let start = clock.now
                do {
                    try oracle.load(iptablesSave: generated.iptablesSave, ipsetSave: generated.ipsetSave)
                } catch {
                    Issue.record("seed \(seed): ruleset refused: \(error)\n\(generated.iptablesSave)")
                    continue
                }
                for (index, generatedPacket) in generated.packets.enumerated() {
                    let result = try oracle.send(generatedPacket.packet, from: generatedPacket.ingress)
                    #expect(result.original != nil, "seed \(seed) packet \(index) \(generatedPacket): no trace\n\(result.rawLines.joined(separator: "\n"))")
                    #expect(!result.steps.isEmpty, "seed \(seed) packet \(index) \(generatedPacket): no steps")
                    for pass in [result.original].compactMap({ $0 }) + result.others {
                        #expect(pass.unmappedRules.isEmpty, "seed \(seed) packet \(index): unmapped \(pass.unmappedRules)")
                    }
                }
                print("seed \(seed): \(generated.packets.count) packets in \(clock.now - start)")
            }
        }
    }
}

extension RandomRulesetKernelTests {
    /// 40 more rulesets, load only (~0.5 s each; 100 seeds were checked the same way): the generator must never produce a refused rule.
    @Test func fortyMoreGeneratedRulesetsAreAccepted() throws {
        try OracleSupport.exclusive {
            let oracle = try KernelOracle()
            defer { oracle.shutdown() }
            for seed in UInt64(100)..<140 {
                let generated = RandomRuleset.generate(seed: seed)
                do {
                    try oracle.load(iptablesSave: generated.iptablesSave, ipsetSave: generated.ipsetSave)
                } catch {
                    Issue.record("seed \(seed): ruleset refused: \(error)\n\(generated.iptablesSave)")
                }
            }
        }
    }
}
