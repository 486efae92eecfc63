import CalicoModel

/// projectcalico.org/v3 endpoints, IP pools and FelixConfiguration.
extension ObjectReader {
    func workloadEndpoint() throws(ClusterLoadError) -> WorkloadEndpoint {
        let meta = try meta(defaultNamespace: "default")
        guard let spec = try spec() else { throw object.missing("spec") }
        var endpoint = WorkloadEndpoint(meta: meta, node: try spec.requiredString("node"), interfaceName: try spec.requiredString("interfaceName"))
        if let orchestrator = try spec.string("orchestrator") { endpoint.orchestrator = orchestrator }
        endpoint.workload = try spec.string("workload") ?? ""
        endpoint.pod = try spec.string("pod") ?? ""
        if let name = try spec.string("endpoint") { endpoint.endpoint = name }
        endpoint.ipNetworks = try spec.stringList("ipNetworks")
        endpoint.profiles = try spec.stringList("profiles")
        endpoint.serviceAccountName = try spec.string("serviceAccountName")
        endpoint.ports = try endpointPorts(spec)
        return endpoint
    }

    func hostEndpoint() throws(ClusterLoadError) -> HostEndpoint {
        let meta = try meta(defaultNamespace: nil)
        guard let spec = try spec() else { throw object.missing("spec") }
        var endpoint = HostEndpoint(meta: meta, node: try spec.requiredString("node"))
        endpoint.interfaceName = try spec.string("interfaceName")
        endpoint.expectedIPs = try spec.stringList("expectedIPs")
        endpoint.profiles = try spec.stringList("profiles")
        endpoint.ports = try endpointPorts(spec)
        return endpoint
    }

    /// `ports: [{name, protocol, port}]` of an endpoint: the named ports policies refer to.
    func endpointPorts(_ spec: YAMLMapping) throws(ClusterLoadError) -> [NamedPort] {
        var ports: [NamedPort] = []
        for entry in try spec.sequence("ports") {
            let fields = try entry.mapping()
            let name = try fields.requiredString("name")
            let proto = try fields["protocol"].map { (v: YAMLValue) throws(ClusterLoadError) in try v.choice(["TCP", "UDP", "SCTP"]) } ?? "TCP"
            ports.append(NamedPort(name: name, proto: proto, port: try fields.required("port").int(1...65535)))
        }
        return ports
    }

    func ipPool() throws(ClusterLoadError) -> IPPool {
        let meta = try meta(defaultNamespace: nil)
        guard let spec = try spec() else { throw object.missing("spec") }
        var pool = IPPool(meta: meta, cidr: try spec.requiredString("cidr"))
        pool.natOutgoing = try spec.bool("natOutgoing") ?? false
        pool.disabled = try spec.bool("disabled") ?? false
        pool.ipipMode = try encapsulation(spec["ipipMode"])
        pool.vxlanMode = try encapsulation(spec["vxlanMode"])
        return pool
    }

    func encapsulation(_ value: YAMLValue?) throws(ClusterLoadError) -> IPPool.EncapsulationMode {
        guard let value, try value.string() != "" else { return .never }
        return IPPool.EncapsulationMode(rawValue: try value.choice(["Never", "Always", "CrossSubnet"]))!
    }

    func felixConfiguration() throws(ClusterLoadError) -> FelixConfiguration {
        var config = FelixConfiguration(meta: try meta(defaultNamespace: nil))
        guard let spec = try spec() else { return config }
        if let mask = spec["iptablesMarkMask"] { config.iptablesMarkMask = try markMask(mask) }
        config.defaultEndpointToHostAction = try spec["defaultEndpointToHostAction"].map { (v: YAMLValue) throws(ClusterLoadError) in try v.choice(["Drop", "Accept", "Return"]) }
        config.failsafeInboundHostPorts = try spec["failsafeInboundHostPorts"].map { (v: YAMLValue) throws(ClusterLoadError) in try protoPorts(v) }
        config.failsafeOutboundHostPorts = try spec["failsafeOutboundHostPorts"].map { (v: YAMLValue) throws(ClusterLoadError) in try protoPorts(v) }
        config.chainInsertMode = try spec["chainInsertMode"].map { (v: YAMLValue) throws(ClusterLoadError) in
            FelixConfiguration.ChainInsertMode(rawValue: try v.choice(["Insert", "Append"]))!
        }
        config.iptablesFilterAllowAction = try spec["iptablesFilterAllowAction"].map { (v: YAMLValue) throws(ClusterLoadError) in try v.choice(["Accept", "Return"]) }
        config.iptablesMangleAllowAction = try spec["iptablesMangleAllowAction"].map { (v: YAMLValue) throws(ClusterLoadError) in try v.choice(["Accept", "Return"]) }
        config.iptablesFilterDenyAction = try spec["iptablesFilterDenyAction"].map { (v: YAMLValue) throws(ClusterLoadError) in try v.choice(["Drop", "Reject"]) }
        config.logPrefix = try spec.string("logPrefix")
        config.ipipEnabled = try spec.bool("ipipEnabled")
        config.vxlanEnabled = try spec.bool("vxlanEnabled")
        config.vxlanPort = try spec.int("vxlanPort", 1...65535)
        config.natOutgoingAddress = try spec.string("natOutgoingAddress")
        config.natPortRange = try spec["natPortRange"].map { (v: YAMLValue) throws(ClusterLoadError) in
            guard case .range(let first, let last) = try portSpec(v), first > 0 else {
                throw v.error("expected a port or a range \"first:last\" of ports from 1 to 65535, found \"\(v.text ?? "")\"")
            }
            return first...last
        }
        config.natOutgoingInterfaceFilter = try spec.string("iptablesNATOutgoingInterfaceFilter")
        config.disableConntrackInvalidCheck = try spec.bool("disableConntrackInvalidCheck")
        config.interfacePrefix = try spec.string("interfacePrefix")
        let rendered: Set<String> = ["iptablesMarkMask", "defaultEndpointToHostAction", "failsafeInboundHostPorts", "failsafeOutboundHostPorts",
                                     "chainInsertMode", "iptablesFilterAllowAction", "iptablesMangleAllowAction", "iptablesFilterDenyAction",
                                     "logPrefix", "ipipEnabled", "vxlanEnabled", "vxlanPort", "natOutgoingAddress", "natPortRange", "iptablesNATOutgoingInterfaceFilter",
                                     "disableConntrackInvalidCheck", "interfacePrefix"]
        config.unrenderedFields = spec.entries.filter { !rendered.contains($0.key) }.map { FelixConfiguration.UnrenderedField(name: $0.key, line: $0.keyLine) }
        return config
    }

    /// `0xffff0000`, `"0xffff0000"` or `4294901760`.
    func markMask(_ value: YAMLValue) throws(ClusterLoadError) -> UInt32 {
        let expected = "a 32-bit mask: an integer or a string like \"0xffff0000\""
        let number: Int?
        switch value.meaning {
        case .int(let parsed)?:
            number = parsed
        case .string?:
            let text = try value.string()
            number = ScalarMeaning.integer(text) ?? nil
        default:
            throw value.expected(expected)
        }
        guard let number, number >= 0, number <= Int(UInt32.max) else {
            throw value.error("expected \(expected), found \(value.node.scalar.map { "\"\($0.string)\"" } ?? value.found)")
        }
        return UInt32(number)
    }

    /// `[{protocol: tcp, port: 22, net: 0.0.0.0/0}]`.
    func protoPorts(_ value: YAMLValue) throws(ClusterLoadError) -> [FelixConfiguration.ProtoPort] {
        var result: [FelixConfiguration.ProtoPort] = []
        for entry in try value.sequence() {
            let fields = try entry.mapping()
            let proto = try fields["protocol"].map { (v: YAMLValue) throws(ClusterLoadError) in try v.choice(["tcp", "udp", "sctp"]) } ?? "tcp"
            let net = try fields.string("net")
            result.append(FelixConfiguration.ProtoPort(proto: proto, port: try fields.required("port").int(0...65535), net: net?.isEmpty == true ? nil : net))
        }
        return result
    }
}
