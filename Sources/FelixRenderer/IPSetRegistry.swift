import CalicoModel
import Digests

/// The ipsets rules refer to, named as felix names them, with their members computed from the
/// cluster's endpoints the way felix's calculation graph does.
struct IPSetRegistry {
    struct Entry {
        var name: String
        var type: String
        var members: [String]
        var origin: IPSetOrigin
    }
    private(set) var entries: [String: Entry] = [:]
    let prefix: String
    let endpoints: [(endpoint: ResolvedEndpoint, labels: [String: String])]
    let modern: Bool

    init(prefix: String, modern: Bool, catalog: EndpointCatalog) {
        self.prefix = prefix
        self.modern = modern
        endpoints = catalog.endpoints.map { ($0, $0.effectiveLabels(profiles: catalog.profiles)) }
    }

    /// ipset names are cut to 31 characters.
    func setName(_ id: String) -> String { String((prefix + id).prefix(31)) }

    /// `s:` + base64url(SHA-224("s:" + canonical selector)).
    static func selectorID(_ canonical: String) -> String {
        "s:" + Base64URL.encodeNoPadding(SHA224.hash("s:" + canonical))
    }

    mutating func selectorSet(_ selector: Selector) -> String {
        let canonical = selector.canonical
        let name = setName(Self.selectorID(canonical))
        if entries[name] == nil {
            var members = Set<String>()
            for (endpoint, labels) in endpoints where selector.matches(labels) {
                members.formUnion(endpoint.addresses.filter { !$0.contains(":") })
            }
            entries[name] = Entry(name: name, type: modern ? "hash:net" : "hash:ip", members: sortedAddresses(members),
                                  origin: IPSetOrigin(kind: "selector", selector: canonical, namedPort: nil))
        }
        return name
    }

    mutating func namedPortSet(_ selector: Selector, proto: String, port: String) -> String {
        let canonical = selector.canonical
        let id = "n:" + Base64URL.encodeNoPadding(SHA224.hash("n:" + Self.selectorID(canonical) + "," + proto + "," + port))
        let name = setName(id)
        if entries[name] == nil {
            var members = Set<String>()
            for (endpoint, labels) in endpoints where selector.matches(labels) {
                for named in endpoint.ports where named.name == port && named.proto.lowercased() == proto {
                    for address in endpoint.addresses where !address.contains(":") {
                        members.insert("\(address),\(proto):\(named.port)")
                    }
                }
            }
            entries[name] = Entry(name: name, type: "hash:ip,port", members: members.sorted(),
                                  origin: IPSetOrigin(kind: "named-port", selector: canonical, namedPort: "\(proto):\(port)"))
        }
        return name
    }

    mutating func fixedSet(_ id: String, type: String, members: [String], description: String) -> String {
        let name = setName(id)
        entries[name] = Entry(name: name, type: type, members: members, origin: IPSetOrigin(kind: "fixed", selector: nil, namedPort: nil, description: description))
        return name
    }

    func sortedAddresses(_ addresses: Set<String>) -> [String] {
        addresses.sorted { (IPv4Sort.key($0), $0) < (IPv4Sort.key($1), $1) }
    }

    /// `ipset save` text: sets in name order, members as ipset prints them (hash:net /32 bare).
    func saveText(only names: Set<String>) -> String {
        var lines: [String] = []
        for name in entries.keys.sorted() where names.contains(name) {
            let entry = entries[name]!
            lines.append("create \(name) \(entry.type) family inet hashsize 1024 maxelem 1048576")
            for member in entry.members { lines.append("add \(name) \(member)") }
        }
        return lines.map { $0 + "\n" }.joined()
    }
}

enum IPv4Sort {
    static func key(_ text: String) -> UInt64 {
        let address = text.split(separator: "/").first.map(String.init) ?? text
        let parts = address.split(separator: ".").compactMap { UInt64($0) }
        guard parts.count == 4 else { return UInt64.max }
        return parts.reduce(0) { $0 << 8 | $1 }
    }
}
