import CalicoModel
import Netfilter

/// The chains felix writes on every node, in both layouts (`felix/rules/static.go`; felix 2.6.8
/// `rules/static.go`).
struct StaticChains {
    let settings: FelixSettings
    var marks: MarkBits { settings.marks }
    var wildcard: String { settings.workloadWildcard }
    static let origin = RuleOrigin(kind: "felix", role: "static chain")

    private func chain(_ name: String, _ rules: [FelixRule]) -> FelixChain { FelixChain(name, rules, origin: Self.origin) }
    private func clear(_ mask: UInt32) -> FelixRule { FelixRule([], .setMark(value: 0, mask: mask)) }
    private var accepted: FelixMatch { .mark(value: marks.accept, mask: marks.accept, negated: false) }
    private func hostEndpointAccepted(_ action: FelixAction) -> FelixRule {
        FelixRule([accepted], action, comments: ["Host endpoint policy accepted packet."])
    }

    func raw(ipsets: inout IPSetRegistry) -> [FelixChain] {
        let fromWorkload = marks.scratch0
        if settings.isModern {
            var prerouting = [clear(marks.allCalico)]
            if settings.vxlan { prerouting.append(FelixRule([.proto("udp", negated: false), .udpDestinationPort(settings.vxlanPort)], .noTrack)) }
            prerouting += [
                FelixRule([.inInterface(wildcard)], .setMark(value: fromWorkload, mask: fromWorkload)),
                FelixRule([.mark(value: fromWorkload, mask: fromWorkload, negated: false)], .jump("cali-rpf-skip")),
                FelixRule([.mark(value: fromWorkload, mask: fromWorkload, negated: false), .rpfilterFailed], .drop),
                FelixRule([.mark(value: 0, mask: fromWorkload, negated: false)], .jump("cali-from-host-endpoint")),
                FelixRule([accepted], .accept),
            ]
            var output = [clear(marks.allCalico), FelixRule([], .jump("cali-to-host-endpoint"))]
            if settings.vxlan { output.append(FelixRule([.proto("udp", negated: false), .udpDestinationPort(settings.vxlanPort)], .noTrack)) }
            output.append(FelixRule([accepted], .accept))
            return [chain("cali-PREROUTING", prerouting), chain("cali-OUTPUT", output), chain("cali-rpf-skip", [])]
        }
        return [
            chain("cali-PREROUTING", [
                clear(marks.allCalico),
                FelixRule([.inInterface(wildcard)], .setMark(value: fromWorkload, mask: fromWorkload)),
                FelixRule([.mark(value: 0, mask: fromWorkload, negated: false)], .jump("cali-from-host-endpoint")),
                FelixRule([accepted], .accept),
            ]),
            chain("cali-OUTPUT", [clear(marks.allCalico), FelixRule([], .jump("cali-to-host-endpoint")), FelixRule([accepted], .accept)]),
        ]
    }

    func mangle(ipsets: inout IPSetRegistry) -> [FelixChain] {
        var prerouting = [
            FelixRule([.conntrackState("RELATED,ESTABLISHED", negated: false)], settings.mangleAllowAction),
            FelixRule([accepted], settings.mangleAllowAction),
        ]
        if !settings.isModern { prerouting.append(FelixRule([.inInterface(wildcard)], .accept)) }
        prerouting += [FelixRule([], .jump("cali-from-host-endpoint")), hostEndpointAccepted(settings.mangleAllowAction)]
        var chains = [chain("cali-PREROUTING", prerouting)]
        if settings.isModern {
            let dscp = ipsets.fixedSet("dscp-src-net", type: "hash:net", members: [], description: "workloads with a DSCP annotation")
            let pools = ipsets.setName("network-ip-pools")
            let thisHost = ipsets.setName("this-host")
            chains.append(chain("cali-POSTROUTING", [
                FelixRule([.set(name: dscp, flags: "src", negated: false), .set(name: pools, flags: "dst", negated: true), .set(name: thisHost, flags: "dst", negated: true)],
                          .jump("cali-egress-dscp"), comments: ["set dscp for traffic leaving cluster."]),
                FelixRule([accepted], .returnFromChain),
                clear(marks.allCalico),
                FelixRule([.conntrackState("DNAT", negated: false)], .jump("cali-to-host-endpoint")),
                hostEndpointAccepted(.returnFromChain),
            ]))
            chains.append(chain("cali-egress-dscp", []))
        }
        return chains
    }

    func nat(ipsets: inout IPSetRegistry, natOutgoing: Bool) -> [FelixChain] {
        var outgoing: [FelixRule] = []
        if natOutgoing {
            let masq = ipsets.setName("masq-ipam-pools")
            let all = ipsets.setName(settings.isModern ? "network-ip-pools" : "all-ipam-pools")
            func rule(_ proto: String?, _ action: FelixAction) -> FelixRule {
                var matches: [FelixMatch] = [.set(name: masq, flags: "src", negated: false), .set(name: all, flags: "dst", negated: true)]
                if let proto { matches.append(.proto(proto, negated: false)) }
                if let interface = settings.natOutgoingInterfaceFilter { matches.append(.outInterface(interface)) }
                return FelixRule(matches, action)
            }
            func action(ports: String?) -> FelixAction {
                settings.natOutgoingAddress.map { .snat($0 + (ports.map { ":" + $0 } ?? ""), randomFully: settings.randomFully) }
                    ?? .masquerade(randomFully: settings.randomFully, toPorts: ports)
            }
            // felix's nat.go: TCP and UDP take their source port from the range (and stop
            // there); everything else is translated without one.
            if let range = settings.natPortRange {
                let ranged = action(ports: "\(range.lowerBound)-\(range.upperBound)")
                for proto in ["tcp", "udp"] { outgoing += [rule(proto, ranged), rule(proto, .returnFromChain)] }
            }
            outgoing.append(rule(nil, action(ports: nil)))
        }
        var postrouting = [FelixRule([], .jump("cali-fip-snat")), FelixRule([], .jump("cali-nat-outgoing"))]
        if settings.isModern && settings.ipip {
            postrouting.append(FelixRule([.outInterface("tunl0"), .addressType(source: true, type: "LOCAL", negated: true, limitIfaceOut: true),
                                          .addressType(source: true, type: "LOCAL", negated: false, limitIfaceOut: false)],
                                         .masquerade(randomFully: settings.randomFully, toPorts: nil)))
        }
        return [
            chain("cali-PREROUTING", [FelixRule([], .jump("cali-fip-dnat"))]),
            chain("cali-POSTROUTING", postrouting),
            chain("cali-OUTPUT", [FelixRule([], .jump("cali-fip-dnat"))]),
            chain("cali-fip-dnat", []),
            chain("cali-fip-snat", []),
            chain("cali-nat-outgoing", outgoing),
        ]
    }

    func filter(ipsets: inout IPSetRegistry) -> [FelixChain] {
        let allHosts = ipsets.setName(settings.isModern ? "all-hosts-net" : "all-hosts")
        var ipipInput: [FelixRule] = []
        var ipipOutput: [FelixRule] = []
        if settings.ipip {
            ipipInput = [
                FelixRule([.proto("4", negated: false), .set(name: allHosts, flags: "src", negated: false), .addressType(source: false, type: "LOCAL", negated: false, limitIfaceOut: false)],
                          settings.filterAllowAction, comments: ["Allow IPIP packets from Calico hosts"]),
                FelixRule([.proto("4", negated: false)], settings.denyAction, comments: ["Drop IPIP packets from non-Calico hosts"]),
            ]
            ipipOutput = [FelixRule([.proto("4", negated: false), .set(name: allHosts, flags: "dst", negated: false), .addressType(source: true, type: "LOCAL", negated: false, limitIfaceOut: false)],
                                    settings.filterAllowAction, comments: ["Allow IPIP packets to other Calico hosts"])]
        }
        let endpointToHost = FelixRule([], settings.endpointToHostAction, comments: ["Configured DefaultEndpointToHostAction"])
        if settings.isModern {
            return [
                chain("cali-FORWARD", [
                    clear(marks.pass | marks.scratch0 | marks.scratch1),
                    FelixRule([.mark(value: 0, mask: marks.accept, negated: false)], .jump("cali-from-hep-forward")),
                    FelixRule([.inInterface(wildcard)], .jump("cali-from-wl-dispatch")),
                    FelixRule([.outInterface(wildcard)], .jump("cali-to-wl-dispatch")),
                    FelixRule([], .jump("cali-to-hep-forward")),
                    FelixRule([], .jump("cali-cidr-block")),
                ]),
                chain("cali-INPUT", ipipInput + [
                    FelixRule([.inInterface(wildcard)], .goto("cali-wl-to-host")),
                    FelixRule([accepted], settings.filterAllowAction),
                    clear(marks.allCalico),
                    FelixRule([], .jump("cali-from-host-endpoint")),
                    hostEndpointAccepted(settings.filterAllowAction),
                ]),
                chain("cali-OUTPUT", [
                    FelixRule([accepted], settings.filterAllowAction),
                    FelixRule([.outInterface(wildcard)], .returnFromChain),
                ] + ipipOutput + [
                    clear(marks.allCalico),
                    FelixRule([.conntrackState("DNAT", negated: true)], .jump("cali-to-host-endpoint")),
                    hostEndpointAccepted(settings.filterAllowAction),
                ]),
                chain("cali-wl-to-host", [FelixRule([], .jump("cali-from-wl-dispatch")), endpointToHost]),
                chain("cali-cidr-block", []),
            ]
        }
        return [
            chain("cali-FORWARD", [
                FelixRule([.inInterface(wildcard)], .jump("cali-from-wl-dispatch")),
                FelixRule([.outInterface(wildcard)], .jump("cali-to-wl-dispatch")),
                FelixRule([.inInterface(wildcard)], .accept),
                FelixRule([.outInterface(wildcard)], .accept),
                clear(marks.pass | marks.scratch0 | marks.scratch1),
                FelixRule([.mark(value: 0, mask: marks.accept, negated: false)], .jump("cali-from-host-endpoint")),
                FelixRule([], .jump("cali-to-host-endpoint")),
                hostEndpointAccepted(.accept),
            ]),
            chain("cali-INPUT", [FelixRule([accepted], .accept)] + ipipInput + [
                FelixRule([.inInterface(wildcard)], .goto("cali-wl-to-host")),
                clear(marks.allCalico),
                FelixRule([], .jump("cali-from-host-endpoint")),
                hostEndpointAccepted(.accept),
            ]),
            chain("cali-OUTPUT", [
                FelixRule([accepted], .accept),
                FelixRule([.outInterface(wildcard)], .returnFromChain),
            ] + ipipOutput + [
                clear(marks.allCalico),
                FelixRule([], .jump("cali-to-host-endpoint")),
                hostEndpointAccepted(.accept),
            ]),
            chain("cali-wl-to-host", [FelixRule([], .jump("cali-from-wl-dispatch")), endpointToHost]),
        ]
    }

    /// `cali-failsafe-in/out`; raw's also let the replies of the other direction through untracked-free.
    func failsafe(raw: Bool) -> [FelixChain] {
        func rule(_ entry: FelixConfiguration.ProtoPort, sourcePort: Bool, netIsSource: Bool) -> FelixRule? {
            var matches: [FelixMatch] = [.proto(entry.proto.lowercased(), negated: false)]
            if let net = entry.net {
                guard !net.contains(":"), let network = IPv4Network(net.contains("/") ? net : net + "/32") else { return nil }
                matches.append(netIsSource ? .source(network, negated: false) : .destination(network, negated: false))
            }
            matches.append(.multiport(source: sourcePort, ports: String(entry.port), negated: false))
            return FelixRule(matches, .accept)
        }
        var inbound = settings.failsafeInbound.compactMap { rule($0, sourcePort: false, netIsSource: true) }
        var outbound = settings.failsafeOutbound.compactMap { rule($0, sourcePort: false, netIsSource: false) }
        if raw && settings.isModern {
            inbound += settings.failsafeOutbound.compactMap { rule($0, sourcePort: true, netIsSource: true) }
            outbound += settings.failsafeInbound.compactMap { rule($0, sourcePort: true, netIsSource: false) }
        }
        return [chain("cali-failsafe-in", inbound), chain("cali-failsafe-out", outbound)]
    }
}
