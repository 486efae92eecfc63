extension Simulator {
    /// A packet arriving on `interface`: PREROUTING, the routing decision, then INPUT or
    /// FORWARD and POSTROUTING.
    mutating func receive(_ flight: inout InFlight, on interface: String) {
        flight.inInterface = interface
        flight.outInterface = nil
        guard runTable(.raw, .prerouting, &flight) else { return }
        guard conntrackIn(&flight) else { return }
        guard runTable(.mangle, .prerouting, &flight) else { return }
        guard runNAT(.prerouting, &flight) else { return }

        let destination = flight.packet.destination
        let type = network.addressType(destination)
        if network.isLocal(destination) || type == .broadcast || type == .multicast {
            deliverLocally(&flight)
            return
        }
        if !sysctls.ipForward { return droppedInRouting(.forwardingDisabled, &flight) }
        if interface != "lo", sysctls.rpFilter(for: interface) != 0, !reversePathOK(flight.packet.source, interface: interface, loose: sysctls.rpFilter(for: interface) == 2) {
            return droppedInRouting(.reversePathFilter, &flight)
        }
        guard let route = network.lookup(destination, table: "main") else { return droppedInRouting(.noRoute, &flight) }
        switch route.type {
        case .blackhole: return droppedInRouting(.blackhole, &flight)
        case .unreachable: return droppedInRouting(.unreachable, &flight)
        case .prohibit: return droppedInRouting(.prohibit, &flight)
        default: break
        }
        guard let device = route.device else { return droppedInRouting(.noRoute, &flight) }
        if flight.packet.ttl <= 1 { return droppedInRouting(.ttlExceeded, &flight) }
        // The kernel decrements TTL in ip_forward, before the FORWARD hook.
        flight.packet.ttl -= 1
        flight.outInterface = device
        guard runTable(.mangle, .forward, &flight), runTable(.filter, .forward, &flight),
              runTable(.security, .forward, &flight) else { return }
        guard postrouting(&flight) else { return }
        flight.trace.fate = .sent(interface: device)
    }

    /// INPUT, in the order mangle, filter, security, nat (SNAT at +100), then confirm.
    mutating func deliverLocally(_ flight: inout InFlight) {
        flight.outInterface = nil
        guard runTable(.mangle, .input, &flight), runTable(.filter, .input, &flight),
              runTable(.security, .input, &flight), runNAT(.input, &flight), confirm(&flight) else { return }
        flight.trace.fate = .delivered
        if options.closedPorts { answerFromClosedPort(&flight) }
    }

    mutating func postrouting(_ flight: inout InFlight) -> Bool {
        runTable(.mangle, .postrouting, &flight) && runNAT(.postrouting, &flight) && confirm(&flight)
    }

    /// A packet the node sends: routed first, then OUTPUT and POSTROUTING; a local
    /// destination loops back through `lo`.
    mutating func sendLocal(_ flight: inout InFlight) {
        flight.inInterface = nil
        let destination = flight.packet.destination
        let local = network.isLocal(destination)
        if local {
            flight.outInterface = "lo"
        } else {
            guard let route = network.lookup(destination, table: "main"), let device = route.device else {
                return droppedInRouting(.noRoute, &flight)
            }
            switch route.type {
            case .blackhole: return droppedInRouting(.blackhole, &flight)
            case .unreachable: return droppedInRouting(.unreachable, &flight)
            case .prohibit: return droppedInRouting(.prohibit, &flight)
            default: flight.outInterface = device
            }
        }
        guard runTable(.raw, .output, &flight) else { return }
        guard conntrackIn(&flight) else { return }
        guard runTable(.mangle, .output, &flight) else { return }
        let beforeNAT = flight.packet.destination
        guard runNAT(.output, &flight) else { return }
        // A DNAT in nat OUTPUT re-routes the packet, but filter and security OUTPUT still
        // see the original device; only POSTROUTING sees the new one (observed, §1.5).
        var rerouted: String?
        var nowLocal = local
        if flight.packet.destination != beforeNAT {
            nowLocal = network.isLocal(flight.packet.destination)
            if nowLocal {
                rerouted = "lo"
            } else if let route = network.lookup(flight.packet.destination, table: "main"), let device = route.device {
                rerouted = device
            } else {
                return droppedInRouting(.noRoute, &flight)
            }
        }
        guard runTable(.filter, .output, &flight), runTable(.security, .output, &flight) else { return }
        if let rerouted { flight.outInterface = rerouted }
        guard postrouting(&flight) else { return }
        if nowLocal {
            flight.trace.loopedBack = true
            loopBack(&flight)
        } else if let device = flight.outInterface {
            flight.trace.fate = .sent(interface: device)
        }
    }

    /// Re-entry through `lo`: the packet keeps its conntrack attachment, so conntrack is
    /// not consulted again and nat is skipped (its decisions were made on the way out).
    mutating func loopBack(_ flight: inout InFlight) {
        flight.inInterface = "lo"
        flight.outInterface = nil
        guard runTable(.raw, .prerouting, &flight) else { return }
        guard conntrackIn(&flight) else { return }
        guard runTable(.mangle, .prerouting, &flight), runNAT(.prerouting, &flight) else { return }
        deliverLocally(&flight)
    }

    mutating func droppedInRouting(_ reason: RoutingDrop, _ flight: inout InFlight) {
        flight.trace.fate = .droppedInRouting(reason)
    }

    /// rp_filter and `-m rpfilter`: the route back to `source` must leave through the
    /// interface the packet came in on (strict) or merely exist (loose).
    func reversePathOK(_ source: IPv4Address, interface: String, loose: Bool, acceptLocal: Bool = false) -> Bool {
        guard let route = network.lookup(source) else { return false }
        if route.type != .unicast {
            guard route.type == .local, acceptLocal else { return false }
        }
        return loose || route.device == interface
    }

    /// Runs one table's built-in chain for `hook` in each back end, in the kernel's order;
    /// false when the packet was dropped. An ACCEPT ends only that back end's chain.
    mutating func runTable(_ table: TableName, _ hook: Hook, _ flight: inout InFlight) -> Bool {
        for backend in backendOrder {
            guard let loadedTable = tables(backend)[table], let chain = loadedTable.builtin[hook] else { continue }
            if !walk(loadedTable, hook: hook, from: chain, &flight) { return false }
        }
        return true
    }
}
