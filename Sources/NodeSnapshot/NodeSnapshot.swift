import Foundation
import IptablesSave
import Netfilter

/// A node as a directory of what standard tools print on it:
///
/// | file | command | if missing |
/// | --- | --- | --- |
/// | `iptables-save.txt` | `iptables-save -c` | required |
/// | `ipset-save.txt` | `ipset save` | no sets |
/// | `ip-addr.json` | `ip -j addr show` | no addresses (every destination is remote) |
/// | `ip-route.json` | `ip -j route show table all` | no routes (forwarded packets: no route) |
/// | `ip-link.json` | `ip -j link show` | interfaces from ip-addr.json |
/// | `sysctl.txt` | `sysctl net.ipv4.ip_forward ...` | ip_forward 1, tcp_loose 1, be_liberal 0, rp_filter 0 |
/// | `conntrack.txt` | `conntrack -L` | an empty conntrack table |
/// | `iptables-legacy-save.txt` | `iptables-legacy-save -c` | no iptables-legacy tables |
public struct NodeSnapshot: Sendable {
    public var ruleset: Ruleset
    /// The iptables-legacy tables of a node that has both back ends (`ruleset` is then what
    /// `iptables-nft-save` printed).
    public var legacyRuleset: Ruleset?
    public var ipsets: [IPSet]
    public var network: NodeNetwork
    public var sysctls: Sysctls
    /// The node's connections when the snapshot was taken, `expires` holding seconds left.
    public var conntrack: [ConntrackEntry] = []
    /// Which optional files were missing and what was assumed instead.
    public var defaultsUsed: [String]

    public init(ruleset: Ruleset, ipsets: [IPSet] = [], network: NodeNetwork = NodeNetwork(), sysctls: Sysctls = Sysctls(), defaultsUsed: [String] = []) {
        self.ruleset = ruleset
        self.ipsets = ipsets
        self.network = network
        self.sysctls = sysctls
        self.defaultsUsed = defaultsUsed
    }

    public enum File {
        public static let iptablesSave = "iptables-save.txt"
        public static let ipsetSave = "ipset-save.txt"
        public static let ipAddr = "ip-addr.json"
        public static let ipRoute = "ip-route.json"
        public static let ipLink = "ip-link.json"
        public static let sysctl = "sysctl.txt"
        public static let conntrack = "conntrack.txt"
        public static let iptablesLegacySave = "iptables-legacy-save.txt"
    }

    public static func load(directory: String) throws(SnapshotLoadError) -> NodeSnapshot {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .snapshot(SnapshotError(file: directory, line: 0, message: "expected a snapshot directory holding \(File.iptablesSave) (see `pathsim snapshot`)"))
        }
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func read(_ name: String) throws(SnapshotLoadError) -> String? {
            let file = path(name)
            guard FileManager.default.fileExists(atPath: file) else { return nil }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .snapshot(SnapshotError(file: file, line: 0, message: "cannot be read"))
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .snapshot(SnapshotError(file: file, line: 0, message: "is not UTF-8 text"))
            }
            return text
        }
        return try load(directory: directory, read: read)
    }

    /// A snapshot whose files are already in memory (a rendered node): name → contents.
    public static func load(files: [String: String], directory: String) throws(SnapshotLoadError) -> NodeSnapshot {
        func read(_ name: String) throws(SnapshotLoadError) -> String? { files[name] }
        return try load(directory: directory, read: read)
    }

    private static func load(directory: String, read: (String) throws(SnapshotLoadError) -> String?) throws(SnapshotLoadError) -> NodeSnapshot {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        var defaults: [String] = []
        guard let saveText = try read(File.iptablesSave) else {
            throw .snapshot(SnapshotError(file: path(File.iptablesSave), line: 0, message: "missing: a snapshot needs the output of `iptables-save -c`"))
        }
        let ruleset: Ruleset
        var legacyRuleset: Ruleset?
        var ipsets: [IPSet] = []
        do {
            ruleset = try IptablesSaveParser.parse(saveText, file: path(File.iptablesSave))
            if let legacyText = try read(File.iptablesLegacySave) {
                let legacy = try IptablesSaveParser.parse(legacyText, file: path(File.iptablesLegacySave))
                // An empty file is what iptables-legacy-save prints on a node without legacy tables.
                if !legacy.tables.isEmpty {
                    try RulesetValidator.validate(legacy, file: path(File.iptablesLegacySave))
                    legacyRuleset = legacy
                }
            } else if saveText.contains("iptables-legacy tables present") {
                defaults.append("\(File.iptablesSave) says the node also has iptables-legacy tables, and \(File.iptablesLegacySave) (`iptables-legacy-save -c`) is missing: their rules are not simulated")
            }
            if let text = try read(File.ipsetSave) {
                ipsets = try IPSetSaveParser.parse(text, file: path(File.ipsetSave))
            } else {
                defaults.append("\(File.ipsetSave) missing: no ipsets")
            }
            try RulesetValidator.validate(ruleset, file: path(File.iptablesSave))
            try checkSetsExist(ruleset, ipsets: ipsets, file: path(File.iptablesSave))
            if let legacyRuleset { try checkSetsExist(legacyRuleset, ipsets: ipsets, file: path(File.iptablesLegacySave)) }
        } catch let error as IptablesSaveError {
            throw .rules(error)
        } catch let error as SnapshotLoadError {
            throw error
        } catch {
            throw .snapshot(SnapshotError(file: directory, line: 0, message: "\(error)"))
        }
        var snapshot = try loadNetwork(read: read, path: path, ruleset: ruleset, ipsets: ipsets, defaults: defaults)
        snapshot.legacyRuleset = legacyRuleset
        return snapshot
    }

    /// iptables refuses a `-m set` rule whose set does not exist ("Set X doesn't exist").
    static func checkSetsExist(_ ruleset: Ruleset, ipsets: [IPSet], file: String) throws(SnapshotLoadError) {
        let names = Set(ipsets.map(\.name))
        for table in ruleset.tables {
            for chain in table.chains {
                for rule in chain.rules {
                    for case .set(let match) in rule.matches where !names.contains(match.name) {
                        throw .snapshot(SnapshotError(file: rule.location?.file ?? file, line: rule.location?.line ?? 0,
                                                      message: "set \"\(match.name)\" doesn't exist: expected it in \(File.ipsetSave) (`ipset save`)"))
                    }
                }
            }
        }
    }

    private static func loadNetwork(read: (String) throws(SnapshotLoadError) -> String?, path: (String) -> String, ruleset: Ruleset, ipsets: [IPSet], defaults: [String]) throws(SnapshotLoadError) -> NodeSnapshot {
        var defaults = defaults
        do {
            var interfaces: [NetworkInterface] = []
            if let text = try read(File.ipAddr) {
                interfaces = try IPJSON.addresses(text, file: path(File.ipAddr))
            } else {
                defaults.append("\(File.ipAddr) missing: the node has no addresses, so no destination is local")
            }
            if let text = try read(File.ipLink) {
                for link in try IPJSON.links(text, file: path(File.ipLink)) where !interfaces.contains(where: { $0.name == link.name }) {
                    interfaces.append(link)
                }
            }
            var routes: [Route] = []
            if let text = try read(File.ipRoute) {
                routes = try IPJSON.routes(text, file: path(File.ipRoute))
            } else {
                defaults.append("\(File.ipRoute) missing: no routes, so forwarded packets have no route")
            }
            var sysctls = Sysctls()
            if let text = try read(File.sysctl) {
                sysctls = try SysctlFile.parse(text, file: path(File.sysctl))
            } else {
                defaults.append("\(File.sysctl) missing: ip_forward=1, nf_conntrack_tcp_loose=1, nf_conntrack_tcp_be_liberal=0, rp_filter=0")
            }
            var snapshot = NodeSnapshot(ruleset: ruleset, ipsets: ipsets, network: NodeNetwork(interfaces: interfaces, routes: routes), sysctls: sysctls, defaultsUsed: defaults)
            if let text = try read(File.conntrack) {
                snapshot.conntrack = try ConntrackListFile.parse(text, file: path(File.conntrack))
            }
            return snapshot
        } catch let error as SnapshotError {
            throw .snapshot(error)
        } catch let error as SnapshotLoadError {
            throw error
        } catch {
            throw .snapshot(SnapshotError(file: "", line: 0, message: "\(error)"))
        }
    }
}

/// Any error loading a snapshot, each carrying its file and line.
public enum SnapshotLoadError: Error, CustomStringConvertible, Sendable {
    case rules(IptablesSaveError)
    case snapshot(SnapshotError)

    public var description: String {
        switch self {
        case .rules(let error): return "\(error)"
        case .snapshot(let error): return "\(error)"
        }
    }
}
