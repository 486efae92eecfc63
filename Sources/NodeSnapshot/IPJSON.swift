import Foundation
import Netfilter

/// Reads what `ip -j addr show`, `ip -j link show` and `ip -j route show table all` print.
public enum IPJSON {
    static func array(_ text: String, file: String) throws(SnapshotError) -> [[String: Any]] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
        } catch {
            let detail = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
            throw SnapshotError(file: file, line: lineNumber(in: detail, text: text) ?? 0, message: "not valid JSON (\(detail)); expected the output of `ip -j ...`")
        }
        guard let array = object as? [[String: Any]] else {
            throw SnapshotError(file: file, line: 1, message: "expected a JSON array of objects, as `ip -j` prints")
        }
        return array
    }

    /// Foundation reports "around line N" on some platforms and "around character N" on
    /// others; either way the user gets a line.
    private static func lineNumber(in detail: String, text: String) -> Int? {
        if let range = detail.range(of: "line ") {
            return Int(detail[range.upperBound...].prefix { $0.isNumber })
        }
        guard let range = detail.range(of: "character "), let offset = Int(detail[range.upperBound...].prefix { $0.isNumber }) else { return nil }
        return text.utf8.prefix(offset).filter { $0 == UInt8(ascii: "\n") }.count + 1
    }

    private static func element(_ index: Int, _ what: String, file: String) -> SnapshotError {
        SnapshotError(file: file, line: 0, message: "element \(index + 1): \(what)")
    }

    /// Interfaces from `ip -j link show` (names, indices, MACs, state).
    public static func links(_ text: String, file: String) throws(SnapshotError) -> [NetworkInterface] {
        try array(text, file: file).enumerated().map { (index, object) throws(SnapshotError) in
            guard let name = object["ifname"] as? String, let number = object["ifindex"] as? Int else {
                throw element(index, "expected \"ifname\" and \"ifindex\"", file: file)
            }
            let flags = object["flags"] as? [String] ?? []
            return NetworkInterface(name: name, index: number, macAddress: object["address"] as? String, isUp: flags.contains("UP"))
        }
    }

    /// Interfaces with their IPv4 addresses from `ip -j addr show`.
    public static func addresses(_ text: String, file: String) throws(SnapshotError) -> [NetworkInterface] {
        try array(text, file: file).enumerated().map { (index, object) throws(SnapshotError) in
            guard let name = object["ifname"] as? String, let number = object["ifindex"] as? Int else {
                throw element(index, "expected \"ifname\" and \"ifindex\"", file: file)
            }
            let flags = object["flags"] as? [String] ?? []
            var addresses: [InterfaceAddress] = []
            for info in object["addr_info"] as? [[String: Any]] ?? [] where info["family"] as? String == "inet" {
                guard let local = (info["local"] as? String).flatMap({ IPv4Address($0) }), let length = info["prefixlen"] as? Int, (0...32).contains(length) else {
                    throw element(index, "interface \(name): expected an inet address with \"local\" and \"prefixlen\"", file: file)
                }
                addresses.append(InterfaceAddress(address: local, prefixLength: length, broadcast: (info["broadcast"] as? String).flatMap { IPv4Address($0) }))
            }
            return NetworkInterface(name: name, index: number, macAddress: object["address"] as? String, isUp: flags.contains("UP"), addresses: addresses)
        }
    }

    /// IPv4 routes from `ip -j route show table all`; IPv6 and multicast-table entries are skipped.
    public static func routes(_ text: String, file: String) throws(SnapshotError) -> [Route] {
        var routes: [Route] = []
        for (index, object) in try array(text, file: file).enumerated() {
            guard let dst = object["dst"] as? String else { throw element(index, "expected \"dst\"", file: file) }
            if dst.contains(":") { continue }
            let destination: IPv4Network
            if dst == "default" {
                destination = .all
            } else if let network = IPv4Network(dst) {
                destination = network
            } else {
                throw element(index, "expected \"dst\" to be default or an IPv4 prefix, found \"\(dst)\"", file: file)
            }
            let typeText = object["type"] as? String ?? "unicast"
            guard let type = RouteType(rawValue: typeText) else {
                throw element(index, "unknown route type \"\(typeText)\"", file: file)
            }
            var device = object["dev"] as? String
            var gateway = (object["gateway"] as? String).flatMap { IPv4Address($0) }
            if device == nil, let hops = object["nexthops"] as? [[String: Any]], let first = hops.first {
                device = first["dev"] as? String
                gateway = (first["gateway"] as? String).flatMap { IPv4Address($0) }
            }
            let table: String
            if let name = object["table"] as? String { table = name } else if let number = object["table"] as? Int { table = String(number) } else { table = "main" }
            routes.append(Route(destination: destination, type: type, table: table, device: device, gateway: gateway,
                                preferredSource: (object["prefsrc"] as? String).flatMap { IPv4Address($0) }, metric: object["metric"] as? Int ?? 0))
        }
        return routes
    }
}
