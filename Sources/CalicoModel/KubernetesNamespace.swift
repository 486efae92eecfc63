public struct KubernetesNamespace: Hashable, Sendable {
    public var meta: ObjectMeta
    public init(meta: ObjectMeta) { self.meta = meta }
}

public struct KubernetesServiceAccount: Hashable, Sendable {
    public var meta: ObjectMeta
    public init(meta: ObjectMeta) { self.meta = meta }
}
