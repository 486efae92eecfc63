/// Why a cluster path could not be started: the message says what was expected.
public struct ClusterPathError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
