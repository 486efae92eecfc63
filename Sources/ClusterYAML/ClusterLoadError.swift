/// Why a cluster could not be loaded: the file, the line of the offending YAML node (1-based;
/// 0 when the problem is with the file as a whole), and what was expected there.
public struct ClusterLoadError: Error, CustomStringConvertible, Sendable, Hashable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message`, or `FILE: message` for a problem with no line (an unreadable file).
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}
