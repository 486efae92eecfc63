import CalicoModel

/// One endpoint of a Service port (pkg/proxy/endpoint.go `BaseEndpointInfo`).
struct ServiceEndpoint: Hashable, Sendable {
    var ip: String
    var port: Int
    var isLocal: Bool
    var ready: Bool
    var serving: Bool
    var terminating: Bool

    /// `ip:port`, what endpoints are sorted and hashed by.
    var text: String { "\(ip):\(port)" }
}

/// The endpoints of every Service port, from the EndpointSlices as pkg/proxy/endpointslicecache.go
/// reads them, and their split by traffic policy as pkg/proxy/topology.go `CategorizeEndpoints`
/// does it.
enum ServiceEndpoints {
    struct Key: Hashable {
        var namespace: String
        var service: String
        var port: String
        var proto: String
    }

    /// Endpoints per (Service, port name, protocol), sorted by `ip:port` as strings (so
    /// `10.0.0.10:80` sorts before `10.0.0.2:80`, as in kube-proxy).
    static func byServicePort(_ slices: [KubernetesEndpointSlice], node: String) -> [Key: [ServiceEndpoint]] {
        var sets: [Key: [String: ServiceEndpoint]] = [:]
        for slice in slices where slice.addressType == .ipv4 {
            guard let service = slice.serviceName else { continue }
            for port in slice.ports {
                let key = Key(namespace: slice.meta.namespace ?? "default", service: service, port: port.name, proto: port.proto)
                for endpoint in slice.endpoints {
                    guard let address = endpoint.addresses.first else { continue }
                    let info = ServiceEndpoint(ip: address, port: port.port, isLocal: endpoint.nodeName == node,
                                               ready: endpoint.isReady, serving: endpoint.isServing, terminating: endpoint.isTerminating)
                    // The same address in two slices: a running endpoint wins over a terminating one.
                    if sets[key]?[info.text] == nil || !info.terminating { sets[key, default: [:]][info.text] = info }
                }
            }
        }
        return sets.mapValues { $0.values.sorted { Array($0.text.utf8).lexicographicallyPrecedes(Array($1.text.utf8)) } }
    }

    struct Categorized {
        var cluster: [ServiceEndpoint] = []
        var local: [ServiceEndpoint] = []
        /// Every endpoint a KUBE-SEP chain is written for, in `ip:port` order.
        var allReachable: [ServiceEndpoint] = []
        /// A usable endpoint exists anywhere in the cluster.
        var hasAny = false
    }

    /// Topology hints are not modelled: every endpoint is available to this node's zone.
    static func categorize(_ endpoints: [ServiceEndpoint], for service: ServicePortInfo) -> Categorized {
        var result = Categorized()
        if service.usesClusterEndpoints {
            result.cluster = endpoints.filter(\.ready)
            // No ready endpoint anywhere: fall back to the serving terminating ones.
            if result.cluster.isEmpty { result.cluster = endpoints.filter { $0.serving && $0.terminating } }
            result.hasAny = !result.cluster.isEmpty
        }
        guard service.usesLocalEndpoints else {
            result.allReachable = result.cluster
            return result
        }
        var localReady = false, localServingTerminating = false
        for endpoint in endpoints {
            if endpoint.ready {
                result.hasAny = true
                if endpoint.isLocal { localReady = true }
            } else if endpoint.serving && endpoint.terminating {
                result.hasAny = true
                if endpoint.isLocal { localServingTerminating = true }
            }
        }
        if localReady {
            result.local = endpoints.filter { $0.isLocal && $0.ready }
        } else if localServingTerminating {
            result.local = endpoints.filter { $0.isLocal && $0.serving && $0.terminating }
        }
        guard service.usesClusterEndpoints else {
            result.allReachable = result.local
            return result
        }
        var merged: [String: ServiceEndpoint] = [:]
        for endpoint in result.cluster + result.local { merged[endpoint.text] = endpoint }
        result.allReachable = merged.values.sorted { Array($0.text.utf8).lexicographicallyPrecedes(Array($1.text.utf8)) }
        return result
    }
}
