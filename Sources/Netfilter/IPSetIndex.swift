/// The result of looking a packet up in one set: a plain element, a `nomatch` element
/// (the kernel's -ENOTEMPTY), or nothing.
public enum IPSetLookup: Sendable {
    case found, nomatchElement, absent
}

/// Lookup structures for one set, built once at load: exact keys in hash sets, one
/// table per prefix length for the `net` types (longest prefix wins, as in the kernel).
struct IPSetIndex: Sendable {
    let set: IPSet
    private var ips: Set<UInt32> = []
    private var ipPorts: Set<UInt64> = []
    private var ipPortIPs: Set<IPPortIPKey> = []
    private var ports: Set<UInt16> = []
    /// prefix length → masked address (with port key folded in for net,port) → nomatch
    private var nets: [(length: Int, entries: [UInt64: Bool])] = []
    private var ipPortNets: [(length: Int, entries: [IPPortIPKey: Bool])] = []
    private var netIfaces: [(length: Int, entries: [NetIfaceKey: Bool])] = []

    struct IPPortIPKey: Hashable, Sendable { var a: UInt32; var port: UInt32; var b: UInt32 }
    struct NetIfaceKey: Hashable, Sendable { var net: UInt32; var iface: String }

    static func portKey(_ port: IPSetPort) -> UInt32 { UInt32(port.proto) << 16 | UInt32(port.port) }

    init(_ set: IPSet) {
        self.set = set
        var netTables: [Int: [UInt64: Bool]] = [:]
        var ipPortNetTables: [Int: [IPPortIPKey: Bool]] = [:]
        var ifaceTables: [Int: [NetIfaceKey: Bool]] = [:]
        let netmask = set.netmask.map { IPv4Network.mask(prefixLength: $0) } ?? 0xffff_ffff
        for entry in set.entries {
            switch entry.element {
            case .ip(let address): ips.insert(address.value & netmask)
            case .net(let network):
                netTables[network.mask.nonzeroBitCount, default: [:]][UInt64(network.address.value)] = entry.nomatch
            case .ipPort(let address, let port):
                ipPorts.insert(UInt64(address.value) << 32 | UInt64(IPSetIndex.portKey(port)))
            case .netPort(let network, let port):
                let key = UInt64(network.address.value) << 32 | UInt64(IPSetIndex.portKey(port))
                netTables[network.mask.nonzeroBitCount, default: [:]][key] = entry.nomatch
            case .ipPortIP(let a, let port, let b):
                ipPortIPs.insert(IPPortIPKey(a: a.value, port: IPSetIndex.portKey(port), b: b.value))
            case .ipPortNet(let a, let port, let network):
                ipPortNetTables[network.mask.nonzeroBitCount, default: [:]][IPPortIPKey(a: a.value, port: IPSetIndex.portKey(port), b: network.address.value)] = entry.nomatch
            case .netIface(let network, let iface):
                ifaceTables[network.mask.nonzeroBitCount, default: [:]][NetIfaceKey(net: network.address.value, iface: iface)] = entry.nomatch
            case .port(let port): ports.insert(port)
            case .member: break
            }
        }
        nets = netTables.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
        ipPortNets = ipPortNetTables.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
        netIfaces = ifaceTables.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
    }

    /// One dimension's worth of packet data, chosen by a `src`/`dst` flag.
    struct Key {
        var addresses: [UInt32]
        var port: IPSetPort?
        var interface: String
    }

    func lookup(addresses: [UInt32], port: UInt32?, interface: String?) -> IPSetLookup {
        switch set.type {
        case .hashIP, .bitmapIP:
            let netmask = set.netmask.map { IPv4Network.mask(prefixLength: $0) } ?? 0xffff_ffff
            return ips.contains(addresses[0] & netmask) ? .found : .absent
        case .hashNet:
            return longestPrefix(nets) { UInt64(addresses[0] & IPv4Network.mask(prefixLength: $0)) }
        case .hashIPPort:
            guard let port else { return .absent }
            return ipPorts.contains(UInt64(addresses[0]) << 32 | UInt64(port)) ? .found : .absent
        case .hashNetPort:
            guard let port else { return .absent }
            return longestPrefix(nets) { UInt64(addresses[0] & IPv4Network.mask(prefixLength: $0)) << 32 | UInt64(port) }
        case .hashIPPortIP:
            guard let port else { return .absent }
            return ipPortIPs.contains(IPPortIPKey(a: addresses[0], port: port, b: addresses[1])) ? .found : .absent
        case .hashIPPortNet:
            guard let port else { return .absent }
            for (length, entries) in ipPortNets {
                let key = IPPortIPKey(a: addresses[0], port: port, b: addresses[1] & IPv4Network.mask(prefixLength: length))
                if let nomatch = entries[key] { return nomatch ? .nomatchElement : .found }
            }
            return .absent
        case .hashNetIface:
            guard let interface else { return .absent }
            for (length, entries) in netIfaces {
                let key = NetIfaceKey(net: addresses[0] & IPv4Network.mask(prefixLength: length), iface: interface)
                if let nomatch = entries[key] { return nomatch ? .nomatchElement : .found }
            }
            return .absent
        case .bitmapPort:
            guard let port else { return .absent }
            return ports.contains(UInt16(truncatingIfNeeded: port)) ? .found : .absent
        case .listSet:
            return .absent
        }
    }

    private func longestPrefix(_ tables: [(length: Int, entries: [UInt64: Bool])], key: (Int) -> UInt64) -> IPSetLookup {
        for (length, entries) in tables {
            if let nomatch = entries[key(length)] { return nomatch ? .nomatchElement : .found }
        }
        return .absent
    }

    /// Set types whose kernel implementation knows `nomatch` (and so `--return-nomatch`).
    var supportsNomatch: Bool {
        switch set.type {
        case .hashNet, .hashNetPort, .hashIPPortNet, .hashNetIface: return true
        default: return false
        }
    }
}
