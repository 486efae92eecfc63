/// The rules of one Service port, in the order and with the conditions of
/// pkg/proxy/iptables/proxier.go `syncProxyRules` and `writeServiceToEndpointRules`.
extension ProxierWriter {
    mutating func writeService(_ service: ServicePortInfo, endpoints allEndpoints: [ServiceEndpoint]) {
        let name = service.name, proto = service.proto
        let endpoints = ServiceEndpoints.categorize(allEndpoints, for: service)
        let usesClusterPolicyChain = !endpoints.cluster.isEmpty && service.usesClusterEndpoints
        let usesLocalPolicyChain = !endpoints.local.isEmpty && service.usesLocalEndpoints
        let hasEndpoints = endpoints.hasAny

        var internalTrafficChain = service.clusterChain
        var hasInternalEndpoints = hasEndpoints
        if service.internalPolicyLocal {
            internalTrafficChain = service.localChain
            if endpoints.local.isEmpty { hasInternalEndpoints = false }
        }
        var externalPolicyChain = service.clusterChain
        var hasExternalEndpoints = hasEndpoints
        if service.externalPolicyLocal {
            externalPolicyChain = service.localChain
            if endpoints.local.isEmpty { hasExternalEndpoints = false }
        }
        let externalTrafficChain = service.externalChain
        // Even without externally usable endpoints the EXT chain short-circuits traffic from
        // pods and the node itself to the cluster endpoints.
        let usesExternalTrafficChain = hasEndpoints && service.externallyAccessible
        let usesFirewallChain = hasEndpoints && !service.loadBalancerVIPs.isEmpty && !service.loadBalancerSourceRanges.isEmpty
        let loadBalancerTrafficChain = usesFirewallChain ? service.firewallChain : externalTrafficChain

        var internalFilterTarget = "", internalFilterComment = ""
        var externalFilterTarget = "", externalFilterComment = ""
        if !hasEndpoints {
            internalFilterTarget = "-j REJECT --reject-with icmp-port-unreachable"
            internalFilterComment = "\(name) has no endpoints"
            externalFilterTarget = internalFilterTarget
            externalFilterComment = internalFilterComment
        } else {
            if !hasInternalEndpoints {
                internalFilterTarget = "-j DROP"
                internalFilterComment = "\(name) has no local endpoints"
            }
            if !hasExternalEndpoints {
                externalFilterTarget = "-j DROP"
                externalFilterComment = "\(name) has no local endpoints"
            }
        }

        /// `-m comment --comment C -m P -p P -d IP --dport N`, the capture of one address.
        func capture(_ comment: String, _ address: String, _ port: Int, _ target: String) -> SaveRule {
            SaveRule(destination: SaveRule.address(address), proto: proto,
                     matches: [SaveRule.comment(comment), SaveRule.port(proto, destination: port)], target: target, service: name)
        }

        // Capture the cluster IP.
        if hasInternalEndpoints {
            tables.append("nat", ChainNames.services, capture("\(name) cluster IP", service.clusterIP, service.port.port, SaveRule.jump(internalTrafficChain)))
        } else {
            tables.append("filter", ChainNames.services, capture(internalFilterComment, service.clusterIP, service.port.port, internalFilterTarget))
        }

        // Capture external IPs.
        for externalIP in service.externalIPs {
            if hasEndpoints {
                tables.append("nat", ChainNames.services, capture("\(name) external IP", externalIP, service.port.port, SaveRule.jump(externalTrafficChain)))
            }
            if !hasExternalEndpoints {
                tables.append("filter", ChainNames.externalServices, capture(externalFilterComment, externalIP, service.port.port, externalFilterTarget))
            }
        }

        // Capture load-balancer ingress.
        for vip in service.loadBalancerVIPs {
            if hasEndpoints {
                tables.append("nat", ChainNames.services, capture("\(name) loadbalancer IP", vip, service.port.port, SaveRule.jump(loadBalancerTrafficChain)))
            }
            if usesFirewallChain {
                tables.append("filter", ChainNames.proxyFirewall,
                              capture("\(name) traffic not accepted by \(service.firewallChain)", vip, service.port.port, "-j DROP"))
            }
        }
        if !hasExternalEndpoints {
            for vip in service.loadBalancerVIPs {
                tables.append("filter", ChainNames.externalServices, capture(externalFilterComment, vip, service.port.port, externalFilterTarget))
            }
        }

        // Capture NodePorts; loadBalancerSourceRanges do not apply to them.
        if service.nodePort != 0 {
            if hasEndpoints {
                if options.localhostNodePorts && options.nfacctCounters {
                    tables.append("nat", ChainNames.nodePorts, SaveRule(
                        destination: SaveRule.address("127.0.0.0/8"), proto: proto,
                        matches: [SaveRule.comment(name), SaveRule.port(proto, destination: service.nodePort), "-m nfacct --nfacct-name localhost_nps_accepted_pkts"],
                        target: SaveRule.jump(externalTrafficChain), service: name))
                }
                tables.append("nat", ChainNames.nodePorts, SaveRule(
                    proto: proto, matches: [SaveRule.comment(name), SaveRule.port(proto, destination: service.nodePort)],
                    target: SaveRule.jump(externalTrafficChain), service: name))
            }
            if !hasExternalEndpoints {
                tables.append("filter", ChainNames.externalServices, SaveRule(
                    proto: proto, matches: [SaveRule.comment(externalFilterComment), "-m addrtype --dst-type LOCAL", SaveRule.port(proto, destination: service.nodePort)],
                    target: externalFilterTarget, service: name))
            }
        }

        // The health-check NodePort is accepted whether or not this node has local endpoints.
        if service.healthCheckNodePort != 0 {
            tables.append("filter", ChainNames.nodePorts, SaveRule(
                proto: "tcp", matches: [SaveRule.comment("\(name) health check node port"), SaveRule.port("tcp", destination: service.healthCheckNodePort)],
                target: "-j ACCEPT", service: name))
        }

        // Internal traffic: masquerade what does not come from a pod (or everything with --masquerade-all).
        if hasInternalEndpoints {
            var rule = capture("\(name) cluster IP", service.clusterIP, service.port.port, SaveRule.jump(ChainNames.markMasquerade))
            if options.masqueradeAll {
                tables.append("nat", internalTrafficChain, rule)
            } else if let clusterCIDR {
                rule.source = SaveRule.Address(cidr: clusterCIDR, negated: true)
                tables.append("nat", internalTrafficChain, rule)
            }
        }

        if usesExternalTrafficChain {
            tables.declare("nat", externalTrafficChain)
            if !service.externalPolicyLocal {
                // Cluster policy may send the packet to another node: masquerade so the reply comes back here.
                tables.append("nat", externalTrafficChain, SaveRule(matches: [SaveRule.comment("masquerade traffic for \(name) external destinations")],
                                                                   target: SaveRule.jump(ChainNames.markMasquerade), service: name))
            } else {
                if let clusterCIDR {
                    // Pods reaching an external address of the Service act as if they had gone out
                    // and come back through a load balancer: neither traffic policy applies.
                    tables.append("nat", externalTrafficChain, SaveRule(source: SaveRule.Address(cidr: clusterCIDR),
                                                                       matches: [SaveRule.comment("pod traffic for \(name) external destinations")],
                                                                       target: SaveRule.jump(service.clusterChain), service: name))
                }
                // The node's own traffic takes a local address (possibly the LB IP) as source: masquerade it.
                tables.append("nat", externalTrafficChain, SaveRule(matches: [SaveRule.comment("masquerade LOCAL traffic for \(name) external destinations"), "-m addrtype --src-type LOCAL"],
                                                                   target: SaveRule.jump(ChainNames.markMasquerade), service: name))
                tables.append("nat", externalTrafficChain, SaveRule(matches: [SaveRule.comment("route LOCAL traffic for \(name) external destinations"), "-m addrtype --src-type LOCAL"],
                                                                   target: SaveRule.jump(service.clusterChain), service: name))
            }
            if hasExternalEndpoints {
                tables.append("nat", externalTrafficChain, SaveRule(target: SaveRule.jump(externalPolicyChain), service: name))
            }
        }

        if usesFirewallChain {
            let firewall = service.firewallChain
            tables.declare("nat", firewall)
            let comment = SaveRule.comment("\(name) loadbalancer IP")
            var allowFromNode = false
            for range in service.loadBalancerSourceRanges {
                tables.append("nat", firewall, SaveRule(source: SaveRule.Address(cidr: range), matches: [comment], target: SaveRule.jump(externalTrafficChain), service: name))
                if let nodeIP, range.contains(nodeIP) { allowFromNode = true }
            }
            // A request from this node to a VIP held locally loops back with the VIP as source.
            if allowFromNode {
                for vip in service.loadBalancerVIPs {
                    tables.append("nat", firewall, SaveRule(source: SaveRule.address(vip), matches: [comment], target: SaveRule.jump(externalTrafficChain), service: name))
                }
            }
            // Whatever reaches the end is not DNATed, so KUBE-PROXY-FIREWALL drops it in filter.
            tables.append("nat", firewall, SaveRule(matches: [SaveRule.comment("other traffic to \(name) will be dropped by KUBE-PROXY-FIREWALL")], service: name))
        }

        if usesClusterPolicyChain {
            tables.declare("nat", service.clusterChain)
            writeServiceToEndpoints(service, chain: service.clusterChain, endpoints: endpoints.cluster)
        }
        if usesLocalPolicyChain {
            tables.declare("nat", service.localChain)
            writeServiceToEndpoints(service, chain: service.localChain, endpoints: endpoints.local)
        }

        for endpoint in endpoints.allReachable {
            let chain = ChainNames.endpoint(name, proto, endpoint.text)
            tables.declare("nat", chain)
            // Hairpin: a pod reaching itself through the Service must see the reply come from the
            // Service, so its own traffic is masqueraded.
            tables.append("nat", chain, SaveRule(source: SaveRule.address(endpoint.ip), matches: [SaveRule.comment(name)],
                                                 target: SaveRule.jump(ChainNames.markMasquerade), service: name))
            var matches = [SaveRule.comment(name)]
            if service.affinityTimeout != nil {
                matches.append("-m recent --set --name \(chain) --mask 255.255.255.255 --rsource")
            }
            matches.append(SaveRule.port(proto, destination: nil))
            tables.append("nat", chain, SaveRule(proto: proto, matches: matches, target: "-j DNAT --to-destination \(endpoint.text)", service: name))
        }
    }

    /// The KUBE-SVC or KUBE-SVL chain: session affinity first, then one rule per endpoint, each
    /// taking its share of what the rules before it left.
    mutating func writeServiceToEndpoints(_ service: ServicePortInfo, chain: String, endpoints: [ServiceEndpoint]) {
        let name = service.name
        if let timeout = service.affinityTimeout {
            for endpoint in endpoints {
                let target = ChainNames.endpoint(name, service.proto, endpoint.text)
                tables.append("nat", chain, SaveRule(
                    matches: [SaveRule.comment("\(name) -> \(endpoint.text)"), "-m recent --rcheck --seconds \(timeout) --reap --name \(target) --mask 255.255.255.255 --rsource"],
                    target: SaveRule.jump(target), service: name))
            }
        }
        for (index, endpoint) in endpoints.enumerated() {
            var matches = [SaveRule.comment("\(name) -> \(endpoint.text)")]
            let remaining = endpoints.count - index
            if remaining > 1 {
                switch options.endpointSelection {
                case .random: matches.append("-m statistic --mode random --probability \(SaveRule.probability(remaining))")
                case .nth: matches.append("-m statistic --mode nth --every \(remaining) --packet 0")
                }
            }
            tables.append("nat", chain, SaveRule(matches: matches, target: SaveRule.jump(ChainNames.endpoint(name, service.proto, endpoint.text)), service: name))
        }
    }
}
