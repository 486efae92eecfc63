/// A capture file that cannot be opened, filtered, read or written, with where it happened.
public struct PcapError: Error, Sendable, CustomStringConvertible {
    /// The capture file's path as the caller gave it.
    public var path: String
    /// 1-based record number (counting every record, as `CapturedFrame.number` does); nil when
    /// the problem is the file as a whole.
    public var frame: Int?
    /// libpcap's own text where it has one, so the message matches what tcpdump would print.
    public var message: String

    public init(path: String, frame: Int? = nil, message: String) {
        self.path = path
        self.frame = frame
        self.message = message
    }

    public var description: String {
        if let frame { return "\(path): frame \(frame): \(message)" }
        return "\(path): \(message)"
    }
}
