import Explain
import Foundation
import Netfilter
import Testing

/// One packet for every reason `explain` names, on the explain-causes node (a render with
/// kube-proxy's rules and a stale veth, explained with its provenance.json and the cluster).
@Suite("Explain: every cause")
struct CauseExplainTests {
    static let web = "cali2244a4a5d25", client = "calia7a3e029a7b", other = "calibaee662cd2c"
    static let allowPolicy = "default/web-allow-client"

    static func world() throws -> ExplainWorld {
        try .renderedDump("snapshots/explain-stale-veth", cluster: "clusters/explain-causes/cluster.yaml")
    }

    @Test func policyAllowNamesThePolicyAndItsRule() throws {
        let explanation = try Self.world().explain("in=\(Self.client) tcp 10.70.1.20:40000 > 10.70.1.10:8080 flags=S")
        #expect(explanation.verdict == "accepted")
        #expect(explanation.cause == .policyAllow)
        #expect(explanation.policy?.kind == "KubernetesNetworkPolicy")
        #expect(explanation.policy?.name == Self.allowPolicy)
        #expect(explanation.policy?.ruleIndex == 0)
        #expect(explanation.endpoint?.name == "default/web-5d8f7c9b6-x2lkq")
        #expect(explanation.direction == "ingress")
        #expect(explanation.proposals.isEmpty)
    }

    @Test func aPeerTheSelectorDoesNotPickFailsOnTheIpsetWithItsSelector() throws {
        let explanation = try Self.world().explain("in=\(Self.other) tcp 10.70.1.30:40000 > 10.70.1.10:8080 flags=S")
        #expect(explanation.cause == .endOfTier)
        #expect(explanation.tier == "default")
        #expect(explanation.policy == nil, "two policies apply in the tier")
        #expect(explanation.policiesApplied.map(\.policy.name) == ["deny-ssh", Self.allowPolicy, "kns.default", "ksa.default.default"])
        #expect(explanation.policiesApplied.map(\.outcome) == ["no-rule-matched", "no-rule-matched", "not-reached", "not-reached"])
        let near = try #require(explanation.policiesApplied[1].nearestRule)
        #expect(near.ruleIndex == 0)
        #expect(near.failed.count == 1)
        #expect(near.failed[0].kind == "ipset")
        #expect(near.failed[0].actual == "10.70.1.30")
        #expect(near.failed[0].selector?.contains("app == \"client\"") == true)
        #expect(near.failed[0].members == ["10.70.1.20"])
        let yaml = try #require(explanation.proposals.compactMap(\.yaml).first)
        #expect(yaml.contains("name: allow-other-to-web"))
        #expect(yaml.contains("          app: other\n"))
        #expect(yaml.contains("      port: 8080\n"))
    }

    @Test func aWrongPortFailsOnThePortAndProposesAddingIt() throws {
        let explanation = try Self.world().explain("in=\(Self.client) tcp 10.70.1.20:40001 > 10.70.1.10:9000 flags=S")
        #expect(explanation.cause == .endOfTier)
        let near = try #require(explanation.policiesApplied.first { $0.policy.name == Self.allowPolicy }?.nearestRule)
        #expect(near.failed.map(\.kind) == ["port"])
        #expect(near.failed[0].actual == "9000")
        #expect(near.failed[0].wanted == "-m multiport --dports 8080")
        #expect(explanation.proposals[0].summary.contains("add port 9000/TCP"))
        #expect(explanation.proposals[0].yaml == "ports:\n- protocol: TCP\n  port: 9000\n")
    }

    @Test func aCalicoDenyRuleNamesThePolicyAndProposesAnEarlierAllow() throws {
        let explanation = try Self.world().explain("in=\(Self.client) tcp 10.70.1.20:40002 > 10.70.1.10:22 flags=S")
        #expect(explanation.cause == .policyDeny)
        #expect(explanation.policy?.kind == "GlobalNetworkPolicy")
        #expect(explanation.policy?.name == "deny-ssh")
        #expect(explanation.policy?.ruleIndex == 0)
        #expect(explanation.decidingStep?.chain == "cali-pi-gnp/deny-ssh")
        #expect(explanation.policiesApplied.map(\.outcome) == ["denied", "not-reached", "not-reached", "not-reached"])
        let yaml = try #require(explanation.proposals.compactMap(\.yaml).first)
        #expect(yaml.contains("kind: NetworkPolicy\n"))
        #expect(yaml.contains("  order: 9\n"))
        #expect(yaml.contains("  - action: Allow\n    protocol: TCP\n"))
    }

    @Test func conntrackInvalidIsNamedBeforeAnyPolicy() throws {
        let explanation = try Self.world().explain("in=\(Self.client) tcp 10.70.1.20:40003 > 10.70.1.10:8080 flags=SF")
        #expect(explanation.cause == .conntrackInvalid)
        #expect(explanation.decidingStep?.chain == "cali-fw-\(Self.client)")
        #expect(explanation.decidingStep?.rule == 2)
        #expect(explanation.endpoint?.name == "default/client")
        #expect(explanation.direction == "egress")
    }

    @Test func aSpoofedSourceFailsCalicosReversePathCheck() throws {
        let explanation = try Self.world().explain("in=\(Self.client) tcp 10.70.9.9:40004 > 10.70.1.10:8080 flags=S")
        #expect(explanation.cause == .reversePath)
        #expect(explanation.decidingStep?.table == "raw")
        #expect(explanation.decidingStep?.chain == "cali-PREROUTING")
    }

    @Test func aWorkloadSendingIPIPIsDropped() throws {
        let explanation = try Self.world().explain("in=\(Self.client) ipencap 10.70.1.20 > 192.168.10.50")
        #expect(explanation.cause == .encapsulationDrop)
        #expect(explanation.decidingStep?.comments == ["Drop IPinIP encapped packets originating in workloads"])
        #expect(explanation.endpoint?.name == "default/client")
    }

    @Test func ipipFromAHostThatIsNoCalicoNodeIsDropped() throws {
        let explanation = try Self.world().explain("in=eth0 ipencap 192.168.10.99 > 192.168.10.11")
        #expect(explanation.cause == .encapsulationDrop)
        #expect(explanation.decidingStep?.chain == "cali-INPUT")
        #expect(explanation.decidingStep?.comments == ["Drop IPIP packets from non-Calico hosts"])
    }

    @Test func failsafePortsReachTheHostWhateverPolicySays() throws {
        let explanation = try Self.world().explain("in=eth0 tcp 192.168.10.99:50000 > 192.168.10.11:22 flags=S")
        #expect(explanation.verdict == "accepted")
        #expect(explanation.cause == .failsafe)
        #expect(explanation.decidingStep?.chain == "cali-failsafe-in")
        #expect(explanation.endpoint?.kind == "host")
        #expect(explanation.endpoint?.name == "node-1-eth0")
    }

    @Test func aHostEndpointWithoutPolicyOrProfileDropsTheRest() throws {
        let explanation = try Self.world().explain("in=eth0 tcp 192.168.10.99:50000 > 192.168.10.11:8443 flags=S")
        #expect(explanation.cause == .noProfileMatched)
        #expect(explanation.decidingStep?.chain == "cali-fh-eth0")
        #expect(explanation.endpoint?.name == "node-1-eth0")
        #expect(explanation.policiesApplied.isEmpty)
    }

    @Test func aServiceWithoutEndpointsIsRejectedByKubeProxy() throws {
        let explanation = try Self.world().explain("in=\(Self.client) tcp 10.70.1.20:40005 > 10.96.0.22:80 flags=S")
        #expect(explanation.verdict == "rejected")
        #expect(explanation.cause == .serviceNoEndpoints)
        #expect(explanation.service == "default/empty:http")
        #expect(explanation.decidingStep?.chain == "KUBE-SERVICES")
        #expect(explanation.endpoint == nil, "kube-proxy decided before any endpoint chain")
        #expect(explanation.proposals[0].summary.contains("Service default/empty"))
    }

    @Test func natChangedTheAddressThePolicyLookedAt() throws {
        let explanation = try Self.world().explain("in=\(Self.client) tcp 10.70.1.20:40006 > 10.96.0.21:80 flags=S")
        #expect(explanation.cause == .endOfTier)
        let nat = try #require(explanation.nat)
        #expect(nat.field == "destination")
        #expect(nat.original == "10.96.0.21:80")
        #expect(nat.translated == "10.70.1.10:9090")
        #expect(nat.by?.table == "nat")
        #expect(nat.by?.comments == ["default/web-admin:admin"])
        let near = try #require(explanation.policiesApplied.first { $0.policy.name == Self.allowPolicy }?.nearestRule)
        #expect(near.failed.map(\.actual) == ["9090"], "the policy saw the endpoint's port, not the Service's")
    }

    @Test func aStaleVethIsAnUnknownInterface() throws {
        let explanation = try Self.world().explain("in=eth0 tcp 192.168.10.99:5000 > 10.70.1.99:80 flags=S")
        #expect(explanation.cause == .unknownInterface)
        #expect(explanation.interface == "cali5e1f0c3d9a2")
        #expect(explanation.decidingStep?.chain == "cali-to-wl-dispatch")
        #expect(explanation.decidingStep?.comments == ["Unknown interface"])
    }

    @Test func aNodeWithoutARouteSaysSo() throws {
        var world = try Self.world()
        world.snapshot.network.routes.removeAll { $0.destination.prefixLength == 0 }
        let explanation = try world.explain("in=\(Self.client) tcp 10.70.1.20:5000 > 203.0.113.5:443 flags=S")
        #expect(explanation.cause == .noRoute)
        #expect(explanation.decidingStep == nil)
        #expect(explanation.summary == "no route to the destination")
    }

    @Test func anAnswerOfAnAllowedConnectionIsEstablished() throws {
        let explanations = try Self.world().explain([
            "in=\(Self.client) tcp 10.70.1.20:40000 > 10.70.1.10:8080 flags=S",
            "in=\(Self.web) tcp 10.70.1.10:8080 > 10.70.1.20:40000 flags=S.",
        ])
        #expect(explanations[1].verdict == "accepted")
        #expect(explanations[1].cause == .establishedConnection)
    }

    @Test func icmpIsProposedAsACalicoPolicy() throws {
        let explanation = try Self.world().explain("in=\(Self.other) icmp 10.70.1.30 > 10.70.1.10 type=8 code=0 id=1 seq=1")
        #expect(explanation.cause == .endOfTier)
        let yaml = try #require(explanation.proposals.compactMap(\.yaml).first)
        #expect(yaml.contains("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\n"))
        #expect(yaml.contains("protocol: ICMP"))
    }

    @Test func everyCauseHasAStableName() {
        #expect(Set(ExplainCause.allCases.map(\.rawValue)).count == ExplainCause.allCases.count)
    }
}
