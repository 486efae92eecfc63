import Explain
import Testing

/// The seed article's question: why does the client's wget to the web pod time out?
@Suite("Explain: the seed case")
struct SeedExplainTests {
    static let syn = "in=cali1f79f9e08f2 tcp 10.139.54.20:41000 > 10.139.54.158:80 flags=S len=60"

    @Test func bareDumpNamesTheChainsPolicyAndSaysWhatItCannotKnow() throws {
        let explanation = try ExplainWorld.bare("snapshots/calico-2.6-web-deny-all").explain(Self.syn)
        #expect(explanation.verdict == "dropped")
        #expect(explanation.cause == .endOfTier)
        #expect(explanation.decidingStep?.table == "filter")
        #expect(explanation.decidingStep?.chain == "cali-tw-cali96bc57f337a")
        #expect(explanation.decidingStep?.rule == 7)
        #expect(explanation.decidingStep?.hash == "1O4PxUpswz0ZqJnr")
        #expect(explanation.decidingStep?.comments == ["Drop if no policies passed packet"])
        #expect(explanation.endpoint?.kind == "workload")
        #expect(explanation.endpoint?.interface == "cali96bc57f337a")
        #expect(explanation.endpoint?.name == nil)
        #expect(explanation.direction == "ingress")
        #expect(explanation.tier == "default")
        // Calico 2.x named the policy it made of NetworkPolicy default/web-deny-all `default.web-deny-all`.
        #expect(explanation.policy?.name == "default.web-deny-all")
        #expect(explanation.policy?.chain == "cali-pi-default.web-deny-all")
        let policies = explanation.policiesApplied.filter { $0.policy.kind != "Profile" }
        #expect(policies.count == 1)
        #expect(policies.first?.outcome == "no-rule-matched")
        #expect(policies.first?.allowRules == 0)
        #expect(explanation.summary.contains("allows no ingress; no other policy applies; dropped at filter cali-tw-cali96bc57f337a rule 7"))
        #expect(explanation.summary.contains("Kubernetes NetworkPolicy default/web-deny-all"))
        #expect(explanation.unknowns.contains { $0.contains("which pod uses interface cali96bc57f337a") })
        #expect(explanation.proposals.count == 1 && explanation.proposals[0].yaml == nil)
    }

    @Test func withTheClusterItNamesPodAndPolicyAndProposesTheAllowingPolicy() throws {
        let world = try ExplainWorld.dump("snapshots/calico-2.6-web-deny-all", cluster: "clusters/seed-web-deny-all-2.6/cluster.yaml", felixVersion: "2.6")
        let explanation = try world.explain(Self.syn)
        #expect(explanation.cause == .endOfTier)
        #expect(explanation.decidingStep?.chain == "cali-tw-cali96bc57f337a")
        #expect(explanation.decidingStep?.rule == 7)
        #expect(explanation.endpoint?.name == "default/web-667bdcb4d8-cpvbb")
        #expect(explanation.policy?.kind == "KubernetesNetworkPolicy")
        #expect(explanation.policy?.name == "default/web-deny-all")
        #expect(explanation.policy?.file?.hasSuffix("seed-web-deny-all-2.6/cluster.yaml") == true)
        #expect(explanation.summary.hasPrefix("pod default/web-667bdcb4d8-cpvbb (cali96bc57f337a) is selected by KubernetesNetworkPolicy default/web-deny-all, which allows no ingress; no other policy applies; dropped at filter cali-tw-cali96bc57f337a rule 7"))
        #expect(explanation.unknowns.isEmpty)
        #expect(explanation.notes.isEmpty, "every rendered rule is in the dump")
        let yaml = try #require(explanation.proposals.first { $0.yaml != nil }?.yaml)
        #expect(yaml == """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: allow-client-to-web
          namespace: default
        spec:
          podSelector:
            matchLabels:
              app: web
          policyTypes:
          - Ingress
          ingress:
          - from:
            - podSelector:
                matchLabels:
                  app: client
            ports:
            - protocol: TCP
              port: 80

        """)
    }

    @Test func theModernRenderNamesTheTierAndTheHashedPolicyChain() throws {
        let explanation = try ExplainWorld.rendered("clusters/seed-web-deny-all/cluster.yaml").explain(Self.syn)
        #expect(explanation.cause == .endOfTier)
        #expect(explanation.decidingStep?.chain == "cali-tw-cali96bc57f337a")
        #expect(explanation.decidingStep?.comments == ["End of tier default. Drop if no policies passed packet"])
        #expect(explanation.policy?.chain == "cali-pi-_gFMMQkM8R5TQh-Mz37B")
        #expect(explanation.policy?.name == "default/web-deny-all")
        #expect(explanation.endpoint?.name == "default/web-667bdcb4d8-cpvbb")
    }

    @Test func theProposedPolicyLetsThePacketThrough() throws {
        // Apply the proposal to the cluster, render again, and the same SYN gets through.
        let world = try ExplainWorld.rendered("clusters/seed-web-deny-all/cluster.yaml")
        let yaml = try #require(try world.explain(Self.syn).proposals.first { $0.yaml != nil }?.yaml)
        let amended = try ExplainWorld.rendered("clusters/seed-web-deny-all/cluster.yaml", adding: yaml)
        let explanation = try amended.explain(Self.syn)
        #expect(explanation.verdict == "accepted")
        #expect(explanation.cause == .policyAllow)
        #expect(explanation.policy?.name == "default/allow-client-to-web")
    }
}

@Suite("Explain: policy groups")
struct PolicyGroupExplainTests {
    @Test func policiesWithTheSameSelectorAreReadThroughTheirGroupChain() throws {
        // felix 3.28+ puts policies with one selector in a cali-gi- chain; both must be named.
        let yaml = try String(contentsOfFile: fixture("clusters/what-if/allow-client-to-web.yaml"), encoding: .utf8)
        let world = try ExplainWorld.rendered("clusters/seed-web-deny-all/cluster.yaml", adding: yaml)
        let explanation = try world.explain("in=cali1f79f9e08f2 tcp 10.139.54.20:41001 > 10.139.54.158:8080 flags=S")
        #expect(explanation.cause == .endOfTier)
        let policies = explanation.policiesApplied.filter { $0.policy.kind == "KubernetesNetworkPolicy" }
        #expect(policies.map(\.policy.name) == ["default/allow-client-to-web", "default/web-deny-all"])
        #expect(policies.map(\.outcome) == ["no-rule-matched", "no-rule-matched"])
        #expect(policies[0].nearestRule?.failed.map(\.text) == ["destination port 8080 is not 80"])
        let allowed = try world.explain("in=cali1f79f9e08f2 tcp 10.139.54.20:41002 > 10.139.54.158:80 flags=S")
        #expect(allowed.cause == .policyAllow)
        #expect(allowed.policiesApplied.first?.outcome == "allowed")
    }
}
