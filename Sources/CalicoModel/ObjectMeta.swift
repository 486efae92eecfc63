/// Where an object was read from, so every error and every rendered rule can point back to it.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
    public var description: String { "\(file):\(line)" }
}

/// The part of `metadata` pathsim uses.
public struct ObjectMeta: Hashable, Sendable {
    public var name: String
    /// nil for cluster-scoped objects.
    public var namespace: String?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var source: SourceLocation?

    public init(name: String, namespace: String? = nil, labels: [String: String] = [:], annotations: [String: String] = [:], source: SourceLocation? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.source = source
    }

    /// `ns/name` or `name`, as kubectl and calicoctl name objects.
    public var qualifiedName: String { namespace.map { "\($0)/\(name)" } ?? name }
}
