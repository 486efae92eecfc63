import CalicoModel

/// projectcalico.org/v3 policies, rules, tiers and profiles.
extension ObjectReader {
    static let namespacedPolicySpecFields = ["tier", "order", "selector", "serviceAccountSelector", "types", "ingress", "egress", "performanceHints"]
    static let globalPolicySpecFields = ["tier", "order", "selector", "namespaceSelector", "serviceAccountSelector", "types", "ingress", "egress", "preDNAT", "doNotTrack", "applyOnForward", "performanceHints"]
    static let ruleFields = ["action", "ipVersion", "protocol", "notProtocol", "icmp", "notICMP", "source", "destination", "metadata"]
    static let entityRuleFields = ["nets", "notNets", "selector", "notSelector", "namespaceSelector", "serviceAccounts", "ports", "notPorts"]
    static let icmpFields = ["type", "code"]
    static let serviceAccountMatchFields = ["names", "selector"]
    static let ruleMetadataFields = ["annotations"]
    static let calicoProtocols = ["TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite"]
    /// The protocols Calico allows `ports` with, by name and by number.
    static let portProtocols: Set<CalicoRule.ProtocolValue> = [.name("TCP"), .name("UDP"), .name("SCTP"), .name("UDPLite"), .number(6), .number(17), .number(132), .number(136)]
    static let icmpProtocols: Set<CalicoRule.ProtocolValue> = [.name("ICMP"), .name("ICMPv6"), .number(1), .number(58)]

    func calicoPolicy(_ policyKind: CalicoPolicy.Kind) throws(ClusterLoadError) -> CalicoPolicy {
        let namespaced = policyKind == .networkPolicy || policyKind == .stagedNetworkPolicy
        var policy = CalicoPolicy(kind: policyKind, meta: try meta(defaultNamespace: namespaced ? "default" : nil))
        guard let spec = try spec() else {
            policy.types = CalicoPolicy.defaultTypes(ingress: [], egress: [])
            return policy
        }
        var fields = namespaced ? Self.namespacedPolicySpecFields : Self.globalPolicySpecFields
        if policyKind.isStaged { fields.append("stagedAction") }
        try spec.rejectUnknownKeys(fields)
        if let tier = try spec.string("tier"), !tier.isEmpty { policy.tier = tier }
        policy.order = try spec.number("order")
        policy.selector = try spec.selector("selector") ?? ""
        policy.namespaceSelector = try spec.selector("namespaceSelector")
        policy.serviceAccountSelector = try spec.selector("serviceAccountSelector")
        policy.ingress = try rules(spec["ingress"])
        policy.egress = try rules(spec["egress"])
        policy.preDNAT = try spec.bool("preDNAT") ?? false
        policy.doNotTrack = try spec.bool("doNotTrack") ?? false
        policy.applyOnForward = try spec.bool("applyOnForward") ?? false
        var types: [PolicyType] = []
        for type in try spec.sequence("types") {
            let name = try type.string()
            guard let policyType = PolicyType(rawValue: name) else {
                throw type.error("expected Ingress or Egress, found \"\(name)\"")
            }
            if !types.contains(policyType) { types.append(policyType) }
        }
        policy.types = types.isEmpty ? CalicoPolicy.defaultTypes(ingress: policy.ingress, egress: policy.egress) : types

        // What calicoctl refuses, since felix would program something other than what is written.
        if policy.preDNAT && policy.doNotTrack {
            throw spec["preDNAT"]!.error("expected preDNAT and doNotTrack not both true")
        }
        if (policy.preDNAT || policy.doNotTrack) && !policy.applyOnForward {
            let field = policy.preDNAT ? "preDNAT" : "doNotTrack"
            throw spec[field]!.error("expected applyOnForward: true with \(field): true")
        }
        if policy.preDNAT && (!policy.egress.isEmpty || policy.types.contains(.egress)) {
            throw spec["preDNAT"]!.error("expected a preDNAT policy to have no egress rules and no Egress type")
        }
        return policy
    }

    func tier() throws(ClusterLoadError) -> Tier {
        var tier = Tier(meta: try meta(defaultNamespace: nil))
        if let spec = try spec() {
            tier.order = try spec.number("order")
            if let action = spec["defaultAction"] {
                tier.defaultAction = Tier.DefaultAction(rawValue: try action.choice(["Deny", "Pass"]))!
            }
        }
        return tier
    }

    func profile() throws(ClusterLoadError) -> Profile {
        var profile = Profile(meta: try meta(defaultNamespace: nil))
        if let spec = try spec() {
            profile.ingress = try rules(spec["ingress"])
            profile.egress = try rules(spec["egress"])
            profile.labelsToApply = try spec.stringMap("labelsToApply")
        }
        return profile
    }

    func rules(_ value: YAMLValue?) throws(ClusterLoadError) -> [CalicoRule] {
        guard let value else { return [] }
        var result: [CalicoRule] = []
        for rule in try value.sequence() { result.append(try calicoRule(rule)) }
        return result
    }

    func calicoRule(_ value: YAMLValue) throws(ClusterLoadError) -> CalicoRule {
        let mapping = try value.mapping()
        for unsupported in ["http"] where mapping.contains(unsupported) {
            let entry = mapping.entries.first { $0.key == unsupported }!
            throw entry.value.error("expected no \(unsupported) match: application-layer policy is not simulated", line: entry.keyLine)
        }
        try mapping.rejectUnknownKeys(Self.ruleFields)
        let actionValue = try mapping.required("action")
        let actionName = try actionValue.choice(["Allow", "Deny", "Pass", "Log"], aliases: ["next-tier": "Pass"])
        var rule = CalicoRule(action: CalicoRule.Action(rawValue: actionName)!,
                              location: SourceLocation(file: file, line: value.line))
        if let ipVersion = mapping["ipVersion"] {
            let version = try ipVersion.int()
            guard version == 4 || version == 6 else { throw ipVersion.error("expected 4 or 6, found \(version)") }
            rule.ipVersion = version
        }
        rule.proto = try mapping["protocol"].map { (v: YAMLValue) throws(ClusterLoadError) in try protocolValue(v) }
        rule.notProtocol = try mapping["notProtocol"].map { (v: YAMLValue) throws(ClusterLoadError) in try protocolValue(v) }
        rule.icmp = try mapping["icmp"].map { (v: YAMLValue) throws(ClusterLoadError) in try icmpMatch(v) }
        rule.notICMP = try mapping["notICMP"].map { (v: YAMLValue) throws(ClusterLoadError) in try icmpMatch(v) }
        rule.source = try mapping["source"].map { (v: YAMLValue) throws(ClusterLoadError) in try entityRule(v) } ?? EntityRule()
        rule.destination = try mapping["destination"].map { (v: YAMLValue) throws(ClusterLoadError) in try entityRule(v) } ?? EntityRule()
        if let metadata = try mapping.mapping("metadata") {
            try metadata.rejectUnknownKeys(Self.ruleMetadataFields)
            rule.annotations = try metadata.stringMap("annotations")
        }

        for side in ["source", "destination"] {
            guard let entity = try mapping.mapping(side) else { continue }
            for key in ["ports", "notPorts"] {
                guard let ports = entity[key], !(try ports.sequence()).isEmpty else { continue }
                if rule.proto.map({ !Self.portProtocols.contains($0) }) ?? true {
                    throw ports.error("expected ports only in a rule with protocol TCP, UDP, SCTP or UDPLite")
                }
            }
        }
        for key in ["icmp", "notICMP"] {
            guard let icmp = mapping[key] else { continue }
            if rule.proto.map({ !Self.icmpProtocols.contains($0) }) ?? true {
                throw icmp.error("expected \(key) only in a rule with protocol ICMP or ICMPv6")
            }
        }
        return rule
    }

    /// `TCP`, `tcp` or `6`.
    func protocolValue(_ value: YAMLValue) throws(ClusterLoadError) -> CalicoRule.ProtocolValue {
        let expected = "a protocol name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite) or a number from 0 to 255"
        switch value.meaning {
        case .int?:
            return .number(try value.int(0...255))
        case .string?:
            let text = try value.string()
            if let number = Int(text), (0...255).contains(number) { return .number(number) }
            if let name = Self.calicoProtocols.first(where: { $0.lowercased() == text.lowercased() }) { return .name(name) }
            throw value.error("expected \(expected), found \"\(text)\"")
        default:
            throw value.expected(expected)
        }
    }

    func icmpMatch(_ value: YAMLValue) throws(ClusterLoadError) -> CalicoRule.ICMPMatch {
        let mapping = try value.mapping()
        try mapping.rejectUnknownKeys(Self.icmpFields)
        let match = CalicoRule.ICMPMatch(type: try mapping.int("type", 0...254), code: try mapping.int("code", 0...255))
        if match.code != nil && match.type == nil {
            throw mapping["code"]!.error("expected an ICMP type with the code")
        }
        return match
    }

    func entityRule(_ value: YAMLValue) throws(ClusterLoadError) -> EntityRule {
        let mapping = try value.mapping()
        if let entry = mapping.entries.first(where: { $0.key == "services" }) {
            throw entry.value.error("expected no services match: service matches in rules are not simulated", line: entry.keyLine)
        }
        try mapping.rejectUnknownKeys(Self.entityRuleFields)
        var entity = EntityRule(nets: try mapping.stringList("nets"), notNets: try mapping.stringList("notNets"),
                                selector: try mapping.selector("selector"), notSelector: try mapping.selector("notSelector"),
                                namespaceSelector: try mapping.selector("namespaceSelector"))
        if let accounts = try mapping.mapping("serviceAccounts") {
            try accounts.rejectUnknownKeys(Self.serviceAccountMatchFields)
            entity.serviceAccounts = EntityRule.ServiceAccounts(names: try accounts.stringList("names"), selector: try accounts.selector("selector"))
        }
        for port in try mapping.sequence("ports") { entity.ports.append(try portSpec(port)) }
        for port in try mapping.sequence("notPorts") { entity.notPorts.append(try portSpec(port)) }
        return entity
    }

    /// `80`, `"80"`, `"8000:8080"` or a port name.
    func portSpec(_ value: YAMLValue) throws(ClusterLoadError) -> PortSpec {
        let expected = "a port number, a range \"first:last\" or a port name"
        switch value.meaning {
        case .int?:
            guard case .int(let number?)? = value.meaning, (0...65535).contains(number) else {
                throw value.error("expected a port number from 0 to 65535, found \(value.text ?? "")")
            }
            return .single(number)
        case .string?:
            let text = try value.string()
            if text.contains(":") {
                let parts = text.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2, let first = Self.portNumber(parts[0]), let last = Self.portNumber(parts[1]) else {
                    throw value.error("expected a range \"first:last\" of port numbers from 0 to 65535, found \"\(text)\"")
                }
                guard first <= last else {
                    throw value.error("expected the first port of range \"\(text)\" to be at most the last")
                }
                return .range(first, last)
            }
            if !text.isEmpty && text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                guard let number = Self.portNumber(Substring(text)) else {
                    throw value.error("expected a port number from 0 to 65535, found \"\(text)\"")
                }
                return .single(number)
            }
            guard text.contains(where: { $0.isLetter }),
                  text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
                throw value.error("expected \(expected), found \"\(text)\"")
            }
            return .named(text)
        default:
            throw value.expected(expected)
        }
    }

    static func portNumber(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text), number <= 65535 else { return nil }
        return number
    }
}

extension YAMLMapping {
    /// A Calico selector, parsed here so a bad one is reported at its own line, even in a rule
    /// no endpoint of the rendered node uses.
    func selector(_ key: String) throws(ClusterLoadError) -> String? {
        guard let value = self[key] else { return nil }
        let text = try value.string()
        if !text.allSatisfy({ $0 == " " }) {
            do { _ = try Selector.parse(text) } catch { throw value.error("\(error)") }
        }
        return text
    }
}
