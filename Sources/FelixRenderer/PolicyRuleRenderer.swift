import Foundation
import CalicoModel
import Netfilter

/// One Calico rule → felix's iptables rules (`felix/rules/policy.go`): the match, match blocks
/// where one rule cannot express an OR (several CIDRs, more than 15 port slots, named ports next
/// to numeric ones), then the action rules.
struct PolicyRuleRenderer {
    let settings: FelixSettings
    var ipsets: IPSetRegistry

    /// What the rule belongs to: selectors in a namespaced policy are confined to its namespace.
    struct Owner {
        var namespace: String?
        var origin: RuleOrigin
        /// For log prefixes (%t %k %n %p).
        var tier: String
        var kindShort: String
        var name: String
    }

    enum Side { case source, destination }

    /// Everything one side of a rule matches, resolved to ipsets and numbers.
    private struct SideMatch {
        var nets: [IPv4Network] = []
        var notNets: [IPv4Network] = []
        var sets: [String] = []
        var notSets: [String] = []
        var ports: [ClosedRange<Int>] = []
        var namedPortSets: [String] = []
        var notPorts: [ClosedRange<Int>] = []
        var notNamedPortSets: [String] = []
    }

    mutating func render(_ rule: CalicoRule, owner: Owner) throws(RenderError) -> [FelixRule] {
        if let version = rule.ipVersion, version != 4 { return [] }
        let proto = rule.proto.map(ProtocolNames.felixName)
        if proto == "icmpv6" || proto == "58" { return [] }
        guard var source = try side(rule.source, rule: rule, owner: owner, proto: proto),
              var destination = try side(rule.destination, rule: rule, owner: owner, proto: proto) else { return [] }

        var blocks = MatchBlocks(marks: settings.marks)
        let protoMatch = proto.map { FelixMatch.proto($0, negated: false) }
        let sourceSplits = Self.split(source.ports)
        if sourceSplits.count + source.namedPortSets.count > 1 {
            blocks.appendPortBlock(proto: protoMatch, splits: sourceSplits, namedPortSets: source.namedPortSets, source: true)
            source.ports = []
            source.namedPortSets = []
        }
        let destinationSplits = Self.split(destination.ports)
        if destinationSplits.count + destination.namedPortSets.count > 1 {
            blocks.appendPortBlock(proto: protoMatch, splits: destinationSplits, namedPortSets: destination.namedPortSets, source: false)
            destination.ports = []
            destination.namedPortSets = []
        }
        if source.nets.count > 1 {
            blocks.appendCIDRBlock(source.nets, source: true)
            source.nets = []
        }
        if destination.nets.count > 1 {
            blocks.appendCIDRBlock(destination.nets, source: false)
            destination.nets = []
        }
        if source.nets.count + source.notNets.count > 1 {
            blocks.appendNegatedCIDRBlock(source.notNets, source: true)
            source.notNets = []
        }
        if destination.nets.count + destination.notNets.count > 1 {
            blocks.appendNegatedCIDRBlock(destination.notNets, source: false)
            destination.notNets = []
        }

        var match: [FelixMatch] = []
        if let protoMatch { match.append(protoMatch) }
        if let net = source.nets.first { match.append(.source(net, negated: false)) }
        match += source.sets.map { .set(name: $0, flags: "src", negated: false) }
        if !source.ports.isEmpty { match.append(.multiport(source: true, ports: Self.portText(source.ports), negated: false)) }
        match += source.namedPortSets.map { .set(name: $0, flags: "src,src", negated: false) }
        if let net = destination.nets.first { match.append(.destination(net, negated: false)) }
        match += destination.sets.map { .set(name: $0, flags: "dst", negated: false) }
        if !destination.ports.isEmpty { match.append(.multiport(source: false, ports: Self.portText(destination.ports), negated: false)) }
        match += destination.namedPortSets.map { .set(name: $0, flags: "dst,dst", negated: false) }
        if let icmp = rule.icmp, let type = icmp.type { match.append(.icmpType(type: type, code: icmp.code, negated: false)) }
        if let notProto = rule.notProtocol { match.append(.proto(ProtocolNames.felixName(notProto), negated: true)) }
        if let net = source.notNets.first { match.append(.source(net, negated: true)) }
        match += source.notSets.map { .set(name: $0, flags: "src", negated: true) }
        for split in Self.split(source.notPorts) { match.append(.multiport(source: true, ports: Self.portText(split), negated: true)) }
        match += source.notNamedPortSets.map { .set(name: $0, flags: "src,src", negated: true) }
        if let net = destination.notNets.first { match.append(.destination(net, negated: true)) }
        match += destination.notSets.map { .set(name: $0, flags: "dst", negated: true) }
        for split in Self.split(destination.notPorts) { match.append(.multiport(source: false, ports: Self.portText(split), negated: true)) }
        match += destination.notNamedPortSets.map { .set(name: $0, flags: "dst,dst", negated: true) }
        if let icmp = rule.notICMP, let type = icmp.type { match.append(.icmpType(type: type, code: icmp.code, negated: true)) }
        if blocks.inUse { match.append(.mark(value: settings.marks.scratch0, mask: settings.marks.scratch0, negated: false)) }

        var rules = blocks.rules + actionRules(rule.action, match: match, owner: owner)
        let annotations = rule.annotations.keys.sorted().map { "\($0)=\(rule.annotations[$0]!)" }
        for index in rules.indices {
            rules[index].comments += annotations.map(FelixRule.sanitise)
            rules[index].origin = owner.origin
        }
        return rules
    }

    private func actionRules(_ action: CalicoRule.Action, match: [FelixMatch], owner: Owner) -> [FelixRule] {
        let marks = settings.marks
        func markThen(_ bit: UInt32, _ then: FelixAction) -> [FelixRule] {
            [FelixRule(match, .setMark(value: bit, mask: bit)),
             FelixRule([.mark(value: bit, mask: bit, negated: false)], then)]
        }
        switch action {
        case .allow: return markThen(marks.accept, .returnFromChain)
        case .pass: return markThen(marks.pass, .returnFromChain)
        case .deny:
            if let drop = marks.drop { return markThen(drop, settings.denyAction) }
            return [FelixRule(match, settings.denyAction)]
        case .log: return [FelixRule(match, .log(prefix: logPrefix(owner)))]
        }
    }

    private func logPrefix(_ owner: Owner) -> String {
        var prefix = settings.logPrefix
        guard prefix.contains("%") else { return prefix }
        for (specifier, value) in [("%k", owner.kindShort), ("%p", owner.namespace.map { "\($0)/\(owner.name)" } ?? owner.name), ("%n", owner.name), ("%t", owner.tier)] {
            prefix = prefix.replacingOccurrences(of: specifier, with: value)
        }
        return prefix
    }

    /// nil when the rule cannot match in IPv4 (all its CIDRs are IPv6, or a negated catch-all).
    private mutating func side(_ entity: EntityRule, rule: CalicoRule, owner: Owner, proto: String?) throws(RenderError) -> SideMatch? {
        var result = SideMatch()
        func networks(_ texts: [String], negated: Bool) throws(RenderError) -> [IPv4Network]? {
            let v4 = texts.filter { !$0.contains(":") }
            if !texts.isEmpty && v4.isEmpty { return nil }
            var parsed: [IPv4Network] = []
            for text in v4 {
                guard let network = IPv4Network(text.contains("/") ? text : text + "/32") else {
                    throw RenderError(location: rule.location ?? owner.origin.location, message: "\(text): expected a CIDR such as 10.0.0.0/8")
                }
                if negated && settings.isModern && network.prefixLength == 0 { return nil }
                parsed.append(network)
            }
            return parsed
        }
        guard let nets = try networks(entity.nets, negated: false), let notNets = try networks(entity.notNets, negated: true) else { return nil }
        result.nets = nets
        result.notNets = notNets

        let (positive, negative) = try selectors(entity, owner: owner, rule: rule)
        let named = entity.ports.compactMap { if case .named(let name) = $0 { name } else { nil } }
        let notNamed = entity.notPorts.compactMap { if case .named(let name) = $0 { name } else { nil } }
        result.ports = entity.ports.compactMap { if case .range(let a, let b) = $0 { a...b } else { nil } }
        result.notPorts = entity.notPorts.compactMap { if case .range(let a, let b) = $0 { a...b } else { nil } }
        if !named.isEmpty || !notNamed.isEmpty {
            guard let proto else {
                throw RenderError(location: rule.location ?? owner.origin.location, message: "named ports need a protocol (TCP, UDP or SCTP) on the rule")
            }
            let base = positive ?? .all
            result.namedPortSets = named.map { ipsets.namedPortSet(base, proto: proto, port: $0) }
            result.notNamedPortSets = notNamed.map { ipsets.namedPortSet(base, proto: proto, port: $0) }
        }
        // The named-port set already holds only the selected endpoints.
        if let positive, !(result.ports.isEmpty && !named.isEmpty) { result.sets = [ipsets.selectorSet(positive)] }
        if let negative { result.notSets = [ipsets.selectorSet(negative)] }
        return result
    }

    /// The positive selector (namespace and service accounts folded in, as libcalico-go's
    /// updateprocessors do) and the negated one when there is no positive one to fold it into.
    private func selectors(_ entity: EntityRule, owner: Owner, rule: CalicoRule) throws(RenderError) -> (Selector?, Selector?) {
        let location = rule.location ?? owner.origin.location
        func parse(_ text: String) throws(RenderError) -> Selector {
            do { return try Selector.parse(text) } catch { throw RenderError(location: location, message: "\(error)") }
        }
        var positiveText: String
        if settings.isModern {
            positiveText = try Self.endpointSelector(entity, namespace: owner.namespace, parse: parse)
        } else {
            positiveText = entity.selector ?? ""
        }
        var negative: Selector?
        if let notSelector = entity.notSelector, !notSelector.isEmpty {
            if positiveText.isEmpty {
                negative = try parse(notSelector)
            } else {
                positiveText = "(\(positiveText)) && (!(\(try parse(notSelector).canonical)))"
            }
        }
        return (positiveText.isEmpty ? nil : try parse(positiveText), negative)
    }

    /// libcalico-go's `GetEntityRuleSelector`.
    static func endpointSelector(_ entity: EntityRule, namespace: String?, parse: (String) throws(RenderError) -> Selector) throws(RenderError) -> String {
        var namespacePart = ""
        if let namespaceSelector = entity.namespaceSelector, !namespaceSelector.isEmpty {
            namespacePart = try parse(namespaceSelector).prefixingKeys("pcns.").canonical
                .replacingOccurrences(of: "all()", with: "has(projectcalico.org/namespace)")
                .replacingOccurrences(of: "global()", with: "!has(projectcalico.org/namespace)")
        } else if let namespace {
            namespacePart = "projectcalico.org/namespace == '\(namespace)'"
        }
        var parts: [String] = []
        if let accounts = entity.serviceAccounts {
            var accountPart = ""
            if let selector = accounts.selector, !selector.isEmpty { accountPart = try parse(selector).prefixingKeys("pcsa.").canonical }
            if !accounts.names.isEmpty {
                let names = try parse("projectcalico.org/serviceaccount in { '\(accounts.names.joined(separator: "', '"))' }").canonical
                accountPart = accountPart.isEmpty ? names : "(\(accountPart)) && (\(names))"
            }
            if !accountPart.isEmpty { parts.append(accountPart) }
        }
        if let selector = entity.selector, !selector.isEmpty { parts.append(selector) }
        var selector = parts.count == 1 ? parts[0] : (parts.isEmpty ? "" : "(" + parts.joined(separator: ") && (") + ")")
        let hasNamespaceSelector = !(entity.namespaceSelector ?? "").isEmpty
        if !namespacePart.isEmpty && (!selector.isEmpty || !(entity.notSelector ?? "").isEmpty || hasNamespaceSelector) {
            selector = selector.isEmpty ? namespacePart : "(\(namespacePart)) && (\(selector))"
        }
        return selector
    }

    /// felix's SplitPortList: 15 multiport slots per rule, a range takes two.
    static func split(_ ports: [ClosedRange<Int>]) -> [[ClosedRange<Int>]] {
        var splits: [[ClosedRange<Int>]] = []
        var current: [ClosedRange<Int>] = []
        var slots = 15
        for port in ports {
            let needed = port.count == 1 ? 1 : 2
            if slots < needed {
                splits.append(current)
                current = []
                slots = 15
            }
            current.append(port)
            slots -= needed
        }
        if !current.isEmpty { splits.append(current) }
        return splits
    }

    static func portText(_ ports: [ClosedRange<Int>]) -> String {
        ports.map { $0.count == 1 ? String($0.lowerBound) : "\($0.lowerBound):\($0.upperBound)" }.joined(separator: ",")
    }
}

/// felix's matchBlockBuilder: scratch0 ("all blocks pass") and scratch1 ("this block") marks.
struct MatchBlocks {
    let marks: MarkBits
    private(set) var rules: [FelixRule] = []
    private(set) var inUse = false
    private var doneFirstPositive = false

    init(marks: MarkBits) { self.marks = marks }

    private mutating func start(initially: UInt32) {
        guard !inUse else { return }
        rules.append(FelixRule([], .setMark(value: initially, mask: marks.scratch0 | marks.scratch1)))
        inUse = true
    }

    private mutating func positiveBit() -> UInt32 { doneFirstPositive ? marks.scratch1 : marks.scratch0 }

    private mutating func finishPositive() {
        if !doneFirstPositive {
            doneFirstPositive = true
            return
        }
        rules.append(FelixRule([.mark(value: 0, mask: marks.scratch1, negated: false)], .setMark(value: 0, mask: marks.scratch0)))
    }

    mutating func appendPortBlock(proto: FelixMatch?, splits: [[ClosedRange<Int>]], namedPortSets: [String], source: Bool) {
        start(initially: 0)
        let bit = positiveBit()
        for split in splits {
            rules.append(FelixRule((proto.map { [$0] } ?? []) + [.multiport(source: source, ports: PolicyRuleRenderer.portText(split), negated: false)],
                                   .setMark(value: bit, mask: bit)))
        }
        for set in namedPortSets {
            rules.append(FelixRule([.set(name: set, flags: source ? "src,src" : "dst,dst", negated: false)], .setMark(value: bit, mask: bit)))
        }
        finishPositive()
    }

    mutating func appendCIDRBlock(_ networks: [IPv4Network], source: Bool) {
        start(initially: 0)
        let bit = positiveBit()
        for network in networks {
            rules.append(FelixRule([source ? .source(network, negated: false) : .destination(network, negated: false)], .setMark(value: bit, mask: bit)))
        }
        finishPositive()
    }

    mutating func appendNegatedCIDRBlock(_ networks: [IPv4Network], source: Bool) {
        start(initially: marks.scratch0)
        for network in networks {
            rules.append(FelixRule([source ? .source(network, negated: false) : .destination(network, negated: false)], .setMark(value: 0, mask: marks.scratch0)))
        }
    }
}
