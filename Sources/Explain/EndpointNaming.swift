import CalicoModel
import FelixRenderer
import Netfilter

/// Which workload or host endpoint an endpoint chain belongs to: from the render's provenance,
/// else from the cluster's endpoints by interface name.
struct EndpointNaming {
    var context: ExplainContext

    func reference(kind: String, interface: String, table: TableName, chain: String) -> EndpointReference {
        var reference = EndpointReference(kind: kind, interface: interface)
        let resolved = resolve(interface: interface, kind: kind)
        if let origin = context.chainOrigin(table, chain), origin.kind != "felix" {
            reference.name = origin.name
            reference.file = origin.file
            reference.line = origin.line
        } else if let resolved {
            reference.name = resolved.name
            reference.file = resolved.origin.source?.file
            reference.line = resolved.origin.source?.line
        }
        if let resolved { reference.labels = resolved.labels }
        return reference
    }

    func resolve(interface: String, kind: String) -> ResolvedEndpoint? {
        let candidates = context.endpoints.filter { $0.kind.rawValue == kind && ($0.interfaceName == interface || ($0.kind == .host && $0.interfaceName == nil)) }
        return candidates.first { $0.node == context.node } ?? candidates.first
    }

    /// The workload endpoint that holds an address, for naming the other side of a connection.
    func workload(address: IPv4Address) -> ResolvedEndpoint? {
        let text = "\(address)"
        return context.endpoints.first { $0.kind == .workload && $0.addresses.contains(text) }
    }
}
