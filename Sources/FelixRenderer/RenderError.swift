import CalicoModel

/// Why a cluster cannot be rendered, pointing at the object when there is one.
public struct RenderError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String
    public init(location: SourceLocation? = nil, message: String) {
        self.location = location
        self.message = message
    }
    public var description: String { location.map { "\($0): \(message)" } ?? message }
}
