import CalicoModel

/// Service (v1) and EndpointSlice (discovery.k8s.io/v1): what kube-proxy programs.
extension ObjectReader {
    /// Every ServiceSpec field of the API, so a typo is reported rather than silently ignored;
    /// the ones kube-proxy's iptables rules do not depend on are read and discarded.
    static let serviceSpecFields = [
        "type", "clusterIP", "clusterIPs", "ports", "selector", "externalIPs", "externalTrafficPolicy", "internalTrafficPolicy",
        "loadBalancerSourceRanges", "loadBalancerIP", "loadBalancerClass", "healthCheckNodePort", "sessionAffinity",
        "sessionAffinityConfig", "externalName", "publishNotReadyAddresses", "ipFamilies", "ipFamilyPolicy",
        "allocateLoadBalancerNodePorts", "trafficDistribution",
    ]
    static let servicePortFields = ["name", "protocol", "appProtocol", "port", "targetPort", "nodePort"]
    static let endpointFields = ["addresses", "conditions", "hostname", "targetRef", "nodeName", "zone", "hints", "deprecatedTopology"]
    static let endpointConditionFields = ["ready", "serving", "terminating"]
    static let endpointPortFields = ["name", "protocol", "appProtocol", "port"]

    func service() throws(ClusterLoadError) -> KubernetesService {
        var service = KubernetesService(meta: try meta(defaultNamespace: "default"))
        guard let spec = try spec() else { throw object.missing("spec") }
        try spec.rejectUnknownKeys(Self.serviceSpecFields)
        if let type = spec["type"] {
            service.type = KubernetesService.ServiceType(rawValue: try type.choice(KubernetesService.ServiceType.allCases.map(\.rawValue)))!
        }
        var clusterIPs: [String] = []
        for value in try spec.sequence("clusterIPs") { clusterIPs.append(try Self.clusterIP(value)) }
        if let single = spec["clusterIP"] {
            // The API server keeps clusterIP equal to clusterIPs[0]; either form alone is accepted.
            let address = try Self.clusterIP(single)
            if !clusterIPs.contains(address) { clusterIPs.insert(address, at: 0) }
        }
        service.clusterIPs = clusterIPs
        for port in try spec.sequence("ports") { service.ports.append(try servicePort(port, type: service.type)) }
        if service.ports.count > 1, let unnamed = service.ports.first(where: { $0.name.isEmpty }) {
            throw spec.value.error("spec.ports: expected a name on every port of a Service with several ports", line: unnamed.source?.line)
        }
        if let policy = spec["externalTrafficPolicy"] {
            // `Local` was spelled `OnlyLocal` and `Cluster` `Global` before Kubernetes 1.7.
            service.externalTrafficPolicy = KubernetesService.TrafficPolicy(rawValue: try policy.choice(["Cluster", "Local"], aliases: ["onlylocal": "Local", "global": "Cluster"]))!
        }
        if let policy = spec["internalTrafficPolicy"] {
            service.internalTrafficPolicy = KubernetesService.TrafficPolicy(rawValue: try policy.choice(["Cluster", "Local"]))!
        }
        for address in try spec.sequence("externalIPs") { service.externalIPs.append(try Self.ipAddress(address)) }
        for range in try spec.sequence("loadBalancerSourceRanges") {
            // kube-proxy trims the whitespace the API server lets through (" 203.0.113.0/25").
            let text = try range.string().trimmingCharacters(in: .whitespaces)
            guard Self.isCIDR(text) else { throw range.error("expected a CIDR such as 203.0.113.0/24, found \"\(text)\"") }
            service.loadBalancerSourceRanges.append(text)
        }
        service.healthCheckNodePort = try spec.int("healthCheckNodePort", 0...65535) ?? 0
        if let affinity = spec["sessionAffinity"], try affinity.choice(["None", "ClientIP"]) == "ClientIP" {
            var timeout = KubernetesService.defaultAffinityTimeout
            if let config = try spec.mapping("sessionAffinityConfig"), let clientIP = try config.mapping("clientIP"),
               let seconds = try clientIP.int("timeoutSeconds", 1...86400) {
                timeout = seconds
            }
            service.clientIPAffinityTimeout = timeout
        }
        if let status = try object.mapping("status"), let loadBalancer = try status.mapping("loadBalancer") {
            for ingress in try loadBalancer.sequence("ingress") {
                let entry = try ingress.mapping()
                guard let ip = entry["ip"] else { continue }
                let address = try Self.ipAddress(ip)
                // ipMode Proxy: the load balancer proxies, the address is not to be captured on nodes.
                if let mode = entry["ipMode"], try mode.choice(["VIP", "Proxy"]) == "Proxy" { continue }
                service.loadBalancerIngressIPs.append(address)
            }
        }
        return service
    }

    func servicePort(_ value: YAMLValue, type: KubernetesService.ServiceType) throws(ClusterLoadError) -> KubernetesService.Port {
        let mapping = try value.mapping()
        try mapping.rejectUnknownKeys(Self.servicePortFields)
        var port = KubernetesService.Port(port: try mapping.required("port").int(1...65535), source: SourceLocation(file: file, line: value.line))
        port.name = try mapping.string("name") ?? ""
        port.proto = try mapping["protocol"]?.choice(Self.kubernetesProtocols) ?? "TCP"
        if let target = mapping["targetPort"] {
            switch target.meaning {
            case .int?: port.targetPort = .number(try target.int(1...65535))
            case .string?:
                let name = try target.string()
                guard Self.isPortName(name) else {
                    throw target.error("expected an integer or a port name (at most 15 lower-case letters, digits and '-', with at least one letter), found \"\(name)\"")
                }
                port.targetPort = .name(name)
            default: throw target.expected("an integer or a port name")
            }
        }
        if let nodePort = mapping["nodePort"] {
            port.nodePort = try nodePort.int(1...65535)
            guard type == .nodePort || type == .loadBalancer else {
                throw nodePort.error("expected nodePort only in a Service of type NodePort or LoadBalancer, found it in type \(type.rawValue)")
            }
        }
        return port
    }

    func endpointSlice() throws(ClusterLoadError) -> KubernetesEndpointSlice {
        let meta = try meta(defaultNamespace: "default")
        let addressTypeValue = try object.required("addressType")
        let addressType = KubernetesEndpointSlice.AddressType(rawValue: try addressTypeValue.choice(KubernetesEndpointSlice.AddressType.allCases.map(\.rawValue)))!
        var slice = KubernetesEndpointSlice(meta: meta, addressType: addressType)
        if meta.labels[KubernetesEndpointSlice.serviceNameLabel]?.isEmpty ?? true {
            let metadata = try object.mapping("metadata")
            throw (metadata?.value ?? object.value).error("expected the label \(KubernetesEndpointSlice.serviceNameLabel) naming the slice's Service (kube-proxy ignores a slice without it)")
        }
        for endpoint in try object.sequence("endpoints") {
            let fields = try endpoint.mapping()
            try fields.rejectUnknownKeys(Self.endpointFields)
            var entry = KubernetesEndpointSlice.Endpoint(addresses: [], source: SourceLocation(file: file, line: endpoint.line))
            let addresses = try fields.required("addresses")
            for address in try addresses.sequence() {
                entry.addresses.append(addressType == .fqdn ? try address.string() : try Self.ipAddress(address, family: addressType))
            }
            if entry.addresses.isEmpty { throw addresses.error("expected at least one address") }
            if let conditions = try fields.mapping("conditions") {
                try conditions.rejectUnknownKeys(Self.endpointConditionFields)
                entry.ready = try conditions.bool("ready")
                entry.serving = try conditions.bool("serving")
                entry.terminating = try conditions.bool("terminating")
            }
            entry.nodeName = try fields.string("nodeName")
            slice.endpoints.append(entry)
        }
        for port in try object.sequence("ports") {
            let fields = try port.mapping()
            try fields.rejectUnknownKeys(Self.endpointPortFields)
            // The EndpointSlice controller writes `name: ""` for an unnamed Service port; an
            // absent name is read the same way.
            slice.ports.append(KubernetesEndpointSlice.Port(name: try fields.string("name") ?? "", port: try fields.required("port").int(1...65535),
                                                            proto: try fields["protocol"]?.choice(Self.kubernetesProtocols) ?? "TCP"))
        }
        return slice
    }

    static func clusterIP(_ value: YAMLValue) throws(ClusterLoadError) -> String {
        let address = try value.coercedString()
        if address.isEmpty || address == "None" || isIPv4(address) || isIPv6(address) { return address }
        throw value.error("expected an IP address, \"None\" or \"\", found \"\(address)\"")
    }

    static func ipAddress(_ value: YAMLValue, family: KubernetesEndpointSlice.AddressType? = nil) throws(ClusterLoadError) -> String {
        let text = try value.string()
        switch family {
        case .ipv4?: if isIPv4(text) { return text }
            throw value.error("expected an IPv4 address (addressType IPv4), found \"\(text)\"")
        case .ipv6?: if isIPv6(text) { return text }
            throw value.error("expected an IPv6 address (addressType IPv6), found \"\(text)\"")
        default: if isIPv4(text) || isIPv6(text) { return text }
            throw value.error("expected an IP address, found \"\(text)\"")
        }
    }

    /// Dotted quad without leading zeros, as the API server validates it.
    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let value = Int(part), (0...255).contains(value) else { return false }
            return part == "0" || !part.hasPrefix("0")
        }
    }

    /// Hex groups and colons; the IPv4 proxier ignores IPv6 addresses, so the check is coarse.
    static func isIPv6(_ text: String) -> Bool {
        text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]) else { return false }
        if isIPv4(String(parts[0])) { return (0...32).contains(bits) }
        return isIPv6(String(parts[0])) && (0...128).contains(bits)
    }
}
