import CalicoModel

/// Why kube-proxy's rules could not be rendered or merged: the object (file and line) when one
/// is to blame, and what was expected.
public struct KubeProxyRenderError: Error, CustomStringConvertible, Sendable, Hashable {
    public var location: SourceLocation?
    public var message: String

    public init(location: SourceLocation? = nil, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { location.map { "\($0): \(message)" } ?? message }
}
