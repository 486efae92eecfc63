import CalicoModel

/// The per-endpoint chains (`felix/rules/endpoints.go`): conntrack, clear marks, tiers of policy
/// jumps, profiles, and the final drop.
struct EndpointChains {
    enum Flavour {
        /// cali-tw / cali-fw, filter cali-th / cali-fh.
        case normal
        /// filter cali-thfw / cali-fhfw: applyOnForward policies, no failsafes or profiles.
        case forward
        /// mangle cali-fh: preDNAT policies.
        case preDNAT
        /// mangle cali-th: normal policies for DNAT'd host traffic, allow = RETURN.
        case mangleEgress
        /// raw cali-th / cali-fh: doNotTrack policies.
        case untracked
    }

    let settings: FelixSettings
    var marks: MarkBits { settings.marks }
    private(set) var groupChains: [FelixChain] = []

    init(settings: FelixSettings) { self.settings = settings }

    mutating func chain(name: String, endpoint: ResolvedEndpoint, tiers: [EndpointTier], ingress: Bool, flavour: Flavour) -> FelixChain {
        let direction = ingress ? "ingress" : "egress"
        let endpointKind = endpoint.kind == .host ? "HostEndpoint" : (endpoint.origin.annotations["pathsim/kind"] ?? "WorkloadEndpoint")
        func origin(_ role: String) -> RuleOrigin {
            RuleOrigin(kind: endpointKind, name: endpoint.name, location: endpoint.origin.source, direction: direction, role: role)
        }
        let accepted = FelixMatch.mark(value: marks.accept, mask: marks.accept, negated: false)
        let passClear = FelixMatch.mark(value: 0, mask: marks.pass, negated: false)
        var rules: [FelixRule] = []

        if flavour != .untracked {
            let established = FelixMatch.conntrackState("RELATED,ESTABLISHED", negated: false)
            let allow = flavour == .mangleEgress ? FelixAction.returnFromChain : (flavour == .preDNAT ? settings.mangleAllowAction : settings.filterAllowAction)
            if allow == .returnFromChain {
                rules.append(FelixRule([established], .setMark(value: marks.accept, mask: marks.accept), origin: origin("accept packets of established connections")))
                rules.append(FelixRule([established], .returnFromChain, origin: origin("accept packets of established connections")))
            } else {
                rules.append(FelixRule([established], allow, origin: origin("accept packets of established connections")))
            }
            if settings.dropInvalid {
                rules.append(FelixRule([.conntrackState("INVALID", negated: false)], .drop, origin: origin("drop packets conntrack calls INVALID")))
            }
        }
        if endpoint.kind == .host && flavour != .forward {
            rules.append(FelixRule([], .jump(ingress ? "cali-failsafe-in" : "cali-failsafe-out"), origin: origin("failsafe ports")))
        }
        let clearMask = settings.isModern ? marks.accept | marks.pass : marks.accept
        rules.append(FelixRule([], .setMark(value: 0, mask: clearMask), origin: origin("clear the verdict marks")))
        if settings.isModern && endpoint.kind == .workload && !ingress {
            rules.append(FelixRule([.proto("17", negated: false), .multiport(source: false, ports: String(settings.vxlanPort), negated: false)], settings.denyAction,
                                   comments: ["Drop VXLAN encapped packets originating in workloads"], origin: origin("drop VXLAN from workloads")))
            rules.append(FelixRule([.proto("4", negated: false)], settings.denyAction,
                                   comments: ["Drop IPinIP encapped packets originating in workloads"], origin: origin("drop IPIP from workloads")))
        }

        for tier in tiers {
            let start = settings.isModern ? "Start of tier \(tier.name)" : "Start of policies"
            rules.append(FelixRule([], .setMark(value: 0, mask: marks.pass), comments: [start], origin: origin(start)))
            for group in groups(tier.policies) {
                let target: String
                var targetOrigin = group[0].origin
                if group.count == 1 || !settings.isModern {
                    target = ingress ? group[0].inboundChain : group[0].outboundChain
                    targetOrigin.role = "jump to the policy's \(direction) rules"
                } else {
                    target = groupChain(group, ingress: ingress)
                    targetOrigin = RuleOrigin(kind: "felix", name: "", direction: direction, role: "policy group of \(group.map(\.origin.name).joined(separator: ", "))")
                }
                targetOrigin.direction = direction
                rules.append(FelixRule([passClear], .jump(target), origin: targetOrigin))
                if flavour == .untracked {
                    rules.append(FelixRule([accepted], .noTrack, origin: targetOrigin.with(role: "untrack accepted packets")))
                }
                rules.append(FelixRule([accepted], .returnFromChain, comments: ["Return if policy accepted"], origin: targetOrigin.with(role: "Return if policy accepted")))
            }
            if !tier.defaultPass {
                let comment = settings.isModern ? "End of tier \(tier.name). Drop if no policies passed packet" : "Drop if no policies passed packet"
                rules.append(FelixRule([passClear], settings.denyAction, comments: [comment], origin: origin(comment)))
            }
        }

        switch flavour {
        case .normal, .mangleEgress:
            for profile in endpoint.profiles {
                let profileOrigin = RuleOrigin(kind: "Profile", name: profile, direction: direction, role: "jump to the profile's \(direction) rules")
                rules.append(FelixRule([], .jump(ChainNames.lengthLimited(ingress ? "cali-pri-" : "cali-pro-", profile)), origin: profileOrigin))
                rules.append(FelixRule([accepted], .returnFromChain, comments: ["Return if profile accepted"], origin: profileOrigin.with(role: "Return if profile accepted")))
            }
            rules.append(FelixRule([], settings.denyAction, comments: ["Drop if no profiles matched"], origin: origin("Drop if no profiles matched")))
        case .forward:
            if tiers.isEmpty {
                rules.append(FelixRule([], .setMark(value: marks.accept, mask: marks.accept), comments: ["Allow forwarded traffic by default"], origin: origin("Allow forwarded traffic by default")))
                rules.append(FelixRule([], .returnFromChain, comments: ["Return for accepted forward traffic"], origin: origin("Return for accepted forward traffic")))
            }
        case .preDNAT, .untracked:
            break
        }
        return FelixChain(name, rules, origin: origin("\(direction) chain of \(endpoint.name)"))
    }

    /// Consecutive policies with the same selector (felix ≥3.28).
    private func groups(_ policies: [ActivePolicy]) -> [[ActivePolicy]] {
        var result: [[ActivePolicy]] = []
        for policy in policies {
            if settings.isModern, let last = result.last?.last, last.policy.selector == policy.policy.selector, last.policy.meta.namespace == policy.policy.meta.namespace {
                result[result.count - 1].append(policy)
            } else {
                result.append([policy])
            }
        }
        return result
    }

    private mutating func groupChain(_ group: [ActivePolicy], ingress: Bool) -> String {
        let name = PolicyResolver.groupChainName(selector: group[0].policy.selector, inbound: ingress, policies: group)
        let verdictClear = FelixMatch.mark(value: 0, mask: marks.accept | marks.pass, negated: false)
        var rules: [FelixRule] = []
        for (index, policy) in group.enumerated() {
            if index > 0 && index % 5 == 0 {
                rules.append(FelixRule([.mark(value: 0, mask: marks.accept | marks.pass, negated: true)], .returnFromChain, comments: ["Return on verdict"]))
            }
            rules.append(FelixRule(index == 0 ? [] : [verdictClear], .jump(ingress ? policy.inboundChain : policy.outboundChain), origin: policy.origin.with(role: "jump to the policy's rules")))
        }
        groupChains.append(FelixChain(name, rules, origin: RuleOrigin(kind: "felix", role: "policy group")))
        return name
    }
}

extension RuleOrigin {
    func with(role: String) -> RuleOrigin {
        var copy = self
        copy.role = role
        return copy
    }
}
